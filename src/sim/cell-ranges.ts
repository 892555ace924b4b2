/**
 * The ranges a trained cell's signals take over a set of input sequences, from its float run:
 * what the spiking conversion scales each neuron population to (passes/convert-cells.ts).
 * Uses inputs only (never labels), so calibrating on the evaluation inputs does not read answers.
 */
import { PackedMatVec } from "../math/blas.js";
import type { CellProgram } from "./cell.js";

export interface CellRanges {
  /** Per memory dimension: max |m_i| over every step. */
  readonly memoryAbs: Float64Array;
  /** Per hidden unit: min and max of the pre-activation without bias (W_x·x + W_h·h + W_m·m). */
  readonly preMin: Float64Array;
  readonly preMax: Float64Array;
  /** Max |u| of the memory input. */
  readonly memoryInputAbs: number;
  /** Max |h| over every unit and step. */
  readonly hiddenAbs: number;
  readonly sequences: number;
}

/** The states of a run kept for later use: m_t and h_{t−1} of every step of its first `sequences` sequences. */
export interface CellRecord {
  readonly sequences: number;
  /** [sequences · steps, order] */
  readonly m: Float64Array;
  /** [sequences · steps, hidden] */
  readonly hPrev: Float64Array;
}

/**
 * Runs `count` sequences of x ([sequences, steps, inputSize]) from `first` and records ranges;
 * with `record`, also the first record.sequences sequences' states (the model calibration's
 * trajectories: one run of the cell instead of two).
 */
export function cellRanges(p: CellProgram, x: Float64Array, first: number, count: number, steps: number, record?: CellRecord): CellRanges {
  const { inputSize: d, hidden: H, order: q, A, B, ex, eh, em, Wx, Wh, Wm, hBias, uBias, tanh, reluU } = p;
  const memoryAbs = new Float64Array(q);
  const preMin = new Float64Array(H).fill(Infinity);
  const preMax = new Float64Array(H).fill(-Infinity);
  let memoryInputAbs = 0;
  let hiddenAbs = 0;
  let h = new Float64Array(H), hNext = new Float64Array(H), m = new Float64Array(q), mNext = new Float64Array(q);
  const pre = new Float64Array(H);
  const { memory, hiddenPre } = cellMatVecs(p);
  for (let s = first; s < first + count; s++) {
    h.fill(0);
    m.fill(0);
    for (let t = 0; t < steps; t++) {
      const xo = (s * steps + t) * d;
      let u = uBias;
      for (let k = 0; k < d; k++) u += ex[k] * x[xo + k];
      for (let k = 0; k < eh.length; k++) u += eh[k] * h[k];
      for (let k = 0; k < em.length; k++) u += em[k] * m[k];
      if (reluU && u < 0) u = 0;
      memoryInputAbs = Math.max(memoryInputAbs, Math.abs(u));
      memory(u, m, mNext);
      for (let i = 0; i < q; i++) memoryAbs[i] = Math.max(memoryAbs[i], Math.abs(mNext[i]));
      hiddenPre(x, xo, mNext, h, pre);
      for (let i = 0; i < H; i++) {
        const a = pre[i];
        preMin[i] = Math.min(preMin[i], a);
        preMax[i] = Math.max(preMax[i], a);
        const z = a + (hBias.length > 0 ? hBias[i] : 0);
        hNext[i] = tanh ? Math.tanh(z) : z > 0 ? z : 0;
        hiddenAbs = Math.max(hiddenAbs, Math.abs(hNext[i]));
      }
      if (record && s - first < record.sequences) {
        const at = (s - first) * steps + t;
        record.m.set(mNext, at * q);
        record.hPrev.set(h, at * H);
      }
      [h, hNext] = [hNext, h];
      [m, mNext] = [mNext, m];
    }
  }
  return { memoryAbs, preMin, preMax, memoryInputAbs, hiddenAbs, sequences: count };
}

/** Below this many multiply-adds per step the plain loops are as fast as the kernel's copies. */
const KERNEL_MIN_MACS = 4096;

/**
 * The cell's two mat-vecs per step: m' = B·u + A·m, and the hidden pre-activation
 * W_x·x + W_m·m' + W_h·h, each summed from 0 in column order — B·u first, then A's columns, and
 * W_x, W_m, W_h one after another — as the loops below do, on the SIMD kernel where it is
 * available: the same sums (a −0 term can at most turn into +0), 4–6× faster for psMNIST's
 * order 256 and 212 hidden units.
 */
function cellMatVecs(p: CellProgram): {
  memory: (u: number, m: Float64Array, out: Float64Array) => void;
  hiddenPre: (x: Float64Array, xo: number, m: Float64Array, h: Float64Array, out: Float64Array) => void;
} {
  const { inputSize: d, hidden: H, order: q, A, B, Wx, Wh, Wm } = p;
  const hCols = Wh.length > 0 ? H : 0, cols = d + q + hCols;
  const memKernel = q * (q + 1) >= KERNEL_MIN_MACS ? PackedMatVec.create(Float64Array.from({ length: q * (q + 1) }, (_, k) => {
    const i = Math.floor(k / (q + 1)), j = k % (q + 1);
    return j === 0 ? B[i] : A[i * q + j - 1];
  }), q, q + 1) : null;
  const hidKernel = H * cols >= KERNEL_MIN_MACS ? PackedMatVec.create(Float64Array.from({ length: H * cols }, (_, k) => {
    const i = Math.floor(k / cols), j = k % cols;
    return j < d ? Wx[i * d + j] : j < d + q ? Wm[i * q + j - d] : Wh[i * H + j - d - q];
  }), H, cols) : null;
  const memIn = new Float64Array(q + 1), hidIn = new Float64Array(cols);
  return {
    memory: memKernel
      ? (u, m, out) => {
          memIn[0] = u;
          memIn.set(m, 1);
          memKernel.apply(memIn, out, false);
        }
      : (u, m, out) => {
          for (let i = 0; i < q; i++) {
            let a = B[i] * u;
            for (let k = 0; k < q; k++) a += A[i * q + k] * m[k];
            out[i] = a;
          }
        },
    hiddenPre: hidKernel
      ? (x, xo, m, h, out) => {
          hidIn.set(x.subarray(xo, xo + d), 0);
          hidIn.set(m, d);
          if (hCols > 0) hidIn.set(h, d + q);
          hidKernel.apply(hidIn, out, false);
        }
      : (x, xo, m, h, out) => {
          for (let i = 0; i < H; i++) {
            let a = 0;
            for (let k = 0; k < d; k++) a += Wx[i * d + k] * x[xo + k];
            for (let k = 0; k < q; k++) a += Wm[i * q + k] * m[k];
            for (let k = 0; k < hCols; k++) a += Wh[i * H + k] * h[k];
            out[i] = a;
          }
        },
  };
}
