import fc from "fast-check";
import { TextBytes } from "./text-bytes.js";

const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("TextBytes", () => {
  it("writes every number as String does (chip.yaml's bytes must not change with the writer)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -40000, max: 40000 }), fc.double(), fc.constantFrom(-0, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 1e21, 5e-324, NaN, Infinity, -Infinity))), (xs) => {
        const w = new TextBytes(1);
        w.list(xs).line("");
        for (const x of xs) w.num(x).text(";");
        expect(decode(w.bytes())).toBe(`[${xs.join(", ")}]\n` + xs.map((x) => `${String(x)};`).join(""));
      }),
    );
  });

  it("lists typed arrays as their own join does", () => {
    const i16 = Int16Array.from([-32768, -1, 0, 1, 32767]);
    const f64 = Float64Array.from([-0, 0.1, -64, 1e300, -2.5e-7]);
    const w = new TextBytes(4).list(i16).text(" ").list(f64).text(" ").list(new Int32Array(0));
    expect(decode(w.bytes())).toBe("[-32768, -1, 0, 1, 32767] [0, 0.1, -64, 1e+300, -2.5e-7] []");
  });

  it("encodes non-ASCII text as UTF-8, growing past its first size", () => {
    const label = "mem·λ → ✓ 😀";
    const w = new TextBytes(2);
    for (let i = 0; i < 100; i++) w.text("a").line(label);
    expect(w.length).toBe(100 * (1 + Buffer.byteLength(label) + 1));
    expect(decode(w.bytes())).toBe(`a${label}\n`.repeat(100));
  });
});
