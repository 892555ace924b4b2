import { PackedMatVec } from "../math/blas.js";
import { withoutKernels } from "../math/kernels.js";
import { Rng } from "../util/rng.js";
import { cellRanges, type CellRecord } from "./cell-ranges.js";
import type { CellProgram } from "./cell.js";

/** A random cell big enough for both mat-vecs to take the SIMD kernel (order 64: 4160 multiply-adds, hidden 80). */
function randomCell(tanh: boolean, recurrentH: boolean): CellProgram {
  const rng = new Rng(7);
  const d = 3, H = 80, q = 64;
  const r = (n: number, s: number): Float64Array => Float64Array.from({ length: n }, () => s * (2 * rng.uniform() - 1));
  return {
    readoutId: "r", inputId: "x", inputSize: d, hidden: H, order: q, outputs: 1, tanh, reluU: !tanh,
    A: r(q * q, 0.15), B: r(q, 1), ex: r(d, 1), eh: recurrentH ? r(H, 0.1) : new Float64Array(0), em: r(q, 0.1), uBias: 0.05,
    Wx: r(H * d, 0.5), Wh: recurrentH ? r(H * H, 0.1) : new Float64Array(0), Wm: r(H * q, 0.2), hBias: r(H, 0.1),
    readoutWeight: r(H, 1), readoutBias: r(1, 1),
  };
}

// The kernel path must give the plain loops' numbers exactly: the ranges scale the spiking
// conversion and the record feeds the compiler's calibration, so any difference moves build bytes.
describe("cellRanges", () => {
  test.each([
    ["tanh, recurrent h", true, true],
    ["relu, no recurrent h (LMUFFT-like)", false, false],
  ])("SIMD mat-vecs equal the plain loops bit for bit: %s", (_name, tanh, recurrentH) => {
    // Otherwise both runs would take the loops and compare nothing.
    expect(PackedMatVec.create(new Float64Array(16), 4, 4)).not.toBeNull();
    const p = randomCell(tanh as boolean, recurrentH as boolean);
    const rng = new Rng(11);
    const steps = 40, sequences = 3;
    const x = Float64Array.from({ length: sequences * steps * p.inputSize }, () => rng.uniform() - 0.5);
    const record = (): CellRecord => ({ sequences: 2, m: new Float64Array(2 * steps * p.order), hPrev: new Float64Array(2 * steps * p.hidden) });
    const fast = record(), slow = record();
    const a = cellRanges(p, x, 0, sequences, steps, fast);
    const b = withoutKernels(() => cellRanges(p, x, 0, sequences, steps, slow));
    expect(Array.from(a.memoryAbs)).toEqual(Array.from(b.memoryAbs));
    expect(Array.from(a.preMin)).toEqual(Array.from(b.preMin));
    expect(Array.from(a.preMax)).toEqual(Array.from(b.preMax));
    expect([a.memoryInputAbs, a.hiddenAbs]).toEqual([b.memoryInputAbs, b.hiddenAbs]);
    // toEqual tells +0 from −0; the kernel may turn a −0 sum into +0, which no later step can tell apart.
    expect(Array.from(fast.m, (v) => v + 0)).toEqual(Array.from(slow.m, (v) => v + 0));
    expect(Array.from(fast.hPrev, (v) => v + 0)).toEqual(Array.from(slow.hPrev, (v) => v + 0));
    // The values are not trivial: the memory moved.
    expect(Math.max(...a.memoryAbs)).toBeGreaterThan(0.01);
  });
});
