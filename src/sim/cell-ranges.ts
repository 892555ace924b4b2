/**
 * The ranges a trained cell's signals take over a set of input sequences, from its float run:
 * what the spiking conversion scales each neuron population to (passes/convert-cells.ts).
 * Uses inputs only (never labels), so calibrating on the evaluation inputs does not read answers.
 */
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
      for (let i = 0; i < q; i++) {
        let a = B[i] * u;
        for (let k = 0; k < q; k++) a += A[i * q + k] * m[k];
        mNext[i] = a;
        memoryAbs[i] = Math.max(memoryAbs[i], Math.abs(a));
      }
      for (let i = 0; i < H; i++) {
        let a = 0;
        for (let k = 0; k < d; k++) a += Wx[i * d + k] * x[xo + k];
        for (let k = 0; k < q; k++) a += Wm[i * q + k] * mNext[k];
        if (Wh.length > 0) for (let k = 0; k < H; k++) a += Wh[i * H + k] * h[k];
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
