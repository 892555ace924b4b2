// The hand-assembled WebAssembly kernel against the JavaScript loop it replaces: every length
// (the 8-wide, 2-wide and odd tails), unaligned addresses, and values whose sums are exact.
import fc from "fast-check";
import { loadRowAdd, rowAddAvailable, WASM_MAX_BYTES } from "./row-add.js";

describe("row-add kernel", () => {
  test("compiles in this runtime", () => {
    expect(rowAddAvailable()).toBe(true);
  });

  test("q[i] += w[i] exactly as the JavaScript loop does, for any length and offsets", () => {
    const kernel = loadRowAdd(1 << 16)!;
    expect(kernel).not.toBeNull();
    const mem = new Float64Array(kernel.memory.buffer, 0, 8192);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 4000, max: 6000 }),
        fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { minLength: 70, maxLength: 70 }),
        fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { minLength: 80, maxLength: 80 }),
        (length, qAt, wAt, w, q) => {
          mem.fill(0);
          for (let i = 0; i < 80; i++) mem[qAt + i] = q[i];
          for (let i = 0; i < 70; i++) mem[wAt + i] = w[i];
          const expected = Array.from(mem.subarray(qAt, qAt + 80));
          for (let i = 0; i < length; i++) expected[i] += w[i];
          kernel.addF64(qAt * 8, wAt * 8, length);
          // Only the first `length` slots change; the weights stay as they were.
          expect(Array.from(mem.subarray(qAt, qAt + 80))).toEqual(expected);
          expect(Array.from(mem.subarray(wAt, wAt + 70))).toEqual(w);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("addresses need no alignment (byte offsets that are not multiples of 8 or 16)", () => {
    const kernel = loadRowAdd(4096)!;
    const bytes = new DataView(kernel.memory.buffer);
    for (let i = 0; i < 11; i++) {
      bytes.setFloat64(3 + 8 * i, i, true);
      bytes.setFloat64(1001 + 8 * i, 100 * i, true);
    }
    kernel.addF64(3, 1001, 11);
    expect(Array.from({ length: 11 }, (_, i) => bytes.getFloat64(3 + 8 * i, true))).toEqual(Array.from({ length: 11 }, (_, i) => 101 * i));
  });

  test("sizes beyond 2^31 bytes are refused, not truncated", () => {
    expect(loadRowAdd(WASM_MAX_BYTES + 1)).toBeNull();
  });
});
