// How the delivery kernel packs a dense row: int8 or int16 mantissas times one power of two, only
// when that is exact (the engine's property tests compare the kernel's sums with the JS loops).
import { KIND_F64, KIND_I16, KIND_I8, MAX_PACK_SHIFT, deliverAvailable, packing } from "./deliver.js";

describe("delivery kernel packing", () => {
  test("compiles in this runtime", () => {
    expect(deliverAvailable()).toBe(true);
  });

  test("8-bit mantissas, at the edges of their range", () => {
    expect(packing([-128 * 64, 127 * 64, 0, 64])).toEqual({ kind: KIND_I8, shift: 6 });
    expect(packing([128 * 64, 64])).toEqual({ kind: KIND_I16, shift: 6 });
    expect(packing([-129, 1])).toEqual({ kind: KIND_I16, shift: 0 });
    expect(packing([0, 0, 0])).toEqual({ kind: KIND_I8, shift: 0 });
    expect(packing([])).toEqual({ kind: KIND_I8, shift: 0 });
  });

  test("16-bit mantissas, and float64 beyond them", () => {
    expect(packing([-32768 * 2, 32767 * 2])).toEqual({ kind: KIND_I16, shift: 1 });
    expect(packing([32768, 1])).toEqual({ kind: KIND_F64, shift: 0 });
    expect(packing([-32769, 3])).toEqual({ kind: KIND_F64, shift: 0 });
  });

  test("the shift is the weights' common power of two, capped so mantissa << shift stays an i32", () => {
    expect(packing([3 * 2 ** 12, -5 * 2 ** 14])).toEqual({ kind: KIND_I8, shift: 12 });
    // Beyond the cap the mantissas grow: 2^20 / 2^15 = 32 still fits int8.
    expect(packing([2 ** 20, -(2 ** 20)])).toEqual({ kind: KIND_I8, shift: MAX_PACK_SHIFT });
    expect(packing([2 ** 29, 2 ** 29])).toEqual({ kind: KIND_I16, shift: MAX_PACK_SHIFT });
    expect(packing([2 ** 30, 2 ** 30])).toEqual({ kind: KIND_F64, shift: 0 });
    // Summed entries of a dense row may leave the i32 range: float64 then.
    expect(packing([2 ** 32, 64])).toEqual({ kind: KIND_F64, shift: 0 });
    expect(packing([-(2 ** 31), 2 ** 30])).toEqual({ kind: KIND_F64, shift: 0 });
  });
});
