import fc from "fast-check";
import { fromTypedJson, toTypedJson, typedReplacer } from "./json-typed.js";

// host.json's bytes are pinned by build hashes: toTypedJson must write exactly what
// JSON.stringify with the replacer writes, whatever the values.
describe("toTypedJson", () => {
  test("same text as JSON.stringify with typedReplacer, edge cases", () => {
    const value = {
      f: new Float64Array([1.5, -0, 1e21, 1e-7, 5e-324, -1.7976931348623157e308]),
      nonFinite: new Float64Array([NaN, 1, Infinity, -Infinity]),
      empty: new Float64Array(0),
      nested: [new Int32Array([1, -2, 2147483647]), { u: new Uint8Array([0, 255]) }],
      // Strings shaped like the internal markers: the exact one makes it fall back, the other is plain text.
      marker: "\u0000typed:0\u0000",
      almost: "\u0000typed:1\u0000x",
      missing: undefined,
      holes: [undefined, null, () => 1],
    };
    expect(toTypedJson(value)).toBe(JSON.stringify(value, typedReplacer));
    expect(toTypedJson({ a: new Float64Array([2, 3]), b: "x" })).toBe('{"a":{"$f64":[2,3]},"b":"x"}');
  });

  test("property: same text and round trip for random doubles and ints", () => {
    fc.assert(
      fc.property(fc.array(fc.double()), fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), fc.string(), (ds, is, s) => {
        const value = { d: Float64Array.from(ds), i: Int32Array.from(is), s, list: [Float64Array.from(ds.slice(0, 3))] };
        const text = toTypedJson(value);
        expect(text).toBe(JSON.stringify(value, typedReplacer));
        if (ds.every(Number.isFinite)) {
          const back = fromTypedJson<typeof value>(text);
          // JSON writes −0 as 0: compare as numbers, not by Object.is.
          expect(Array.from(back.d).every((x, k) => x === ds[k])).toBe(true);
          expect(Array.from(back.i)).toEqual(is);
        }
      }),
      { numRuns: 200 },
    );
  });
});
