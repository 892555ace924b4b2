/**
 * The float (non-spiking) run of a trained LMU cell and its readout: one cell step per sequence
 * step, from zero state, in float64 (the equations of TrainedCellIR). A CellProgram is plain
 * data (typed arrays and sizes) so it can be posted to worker threads as is; a run allocates
 * nothing per step.
 */
import type { NetworkIR, ReadoutIR, TrainedCellIR } from "../ir/network.js";

export interface CellProgram {
  readonly readoutId: string;
  readonly inputId: string;
  readonly inputSize: number;
  readonly hidden: number;
  readonly order: number;
  readonly outputs: number;
  readonly tanh: boolean;
  readonly reluU: boolean;
  readonly A: Float64Array;
  readonly B: Float64Array;
  readonly ex: Float64Array;
  /** Empty when the cell has no such term (LMUFFT). */
  readonly eh: Float64Array;
  readonly em: Float64Array;
  readonly uBias: number;
  readonly Wx: Float64Array;
  readonly Wh: Float64Array;
  readonly Wm: Float64Array;
  readonly hBias: Float64Array;
  readonly readoutWeight: Float64Array;
  readonly readoutBias: Float64Array;
}

/** The program that computes readout `readoutId` (default: the network's only readout). */
export function compileCellProgram(net: NetworkIR, readoutId?: string): CellProgram {
  const readouts = net.readouts ?? [];
  const r: ReadoutIR | undefined = readoutId === undefined ? readouts[0] : readouts.find((x) => x.id === readoutId);
  if (!r) throw new Error(readoutId === undefined ? "the network has no readout" : `the network has no readout '${readoutId}'`);
  const c = (net.cells ?? []).find((x) => x.id === r.from) as TrainedCellIR;
  const empty = new Float64Array(0);
  return {
    readoutId: r.id,
    inputId: c.input,
    inputSize: c.inputSize,
    hidden: c.hiddenSize,
    order: c.order,
    outputs: r.weight.rows,
    tanh: c.hiddenNonlinearity === "tanh",
    reluU: c.memoryInputNonlinearity === "relu",
    A: c.A.data,
    B: c.B.data,
    ex: c.ex.data,
    eh: c.eh?.data ?? empty,
    em: c.em?.data ?? empty,
    uBias: c.uBias,
    Wx: c.Wx.data,
    Wh: c.Wh?.data ?? empty,
    Wm: c.Wm.data,
    hBias: c.hBias ?? empty,
    readoutWeight: r.weight.data,
    readoutBias: r.bias,
  };
}

/** Scratch state for runs of one program; reused across sequences (reset at each start). */
export class CellState {
  readonly h: Float64Array;
  readonly hNext: Float64Array;
  readonly m: Float64Array;
  readonly mNext: Float64Array;

  constructor(p: CellProgram) {
    this.h = new Float64Array(p.hidden);
    this.hNext = new Float64Array(p.hidden);
    this.m = new Float64Array(p.order);
    this.mNext = new Float64Array(p.order);
  }
}

function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[aOff + k] * b[bOff + k];
  return s;
}

/**
 * One sequence: x holds `steps` rows of `inputSize` values from `xOffset`; the readout of the
 * final hidden state goes to out[outOffset .. outOffset + outputs). `trace` ([steps, outputs]), when
 * given, receives the readout of h after every step (evaluate's logit traces).
 */
export function runCellSequence(p: CellProgram, s: CellState, x: Float64Array, xOffset: number, steps: number, out: Float64Array, outOffset: number, trace?: Float64Array): void {
  // Fields in locals: a program that arrived in a worker thread by structured clone can be a
  // slow-mode object, and property loads inside these loops then cost a quarter of the run.
  const { inputSize: d, hidden: H, order: q, A, B, ex, eh, em, Wx, Wh, Wm, hBias, uBias, tanh, reluU } = p;
  let h = s.h;
  let hNext = s.hNext;
  let m = s.m;
  let mNext = s.mNext;
  h.fill(0);
  m.fill(0);
  const recurrentU = eh.length > 0;
  const recurrentH = Wh.length > 0;
  const hasBias = hBias.length > 0;
  // The dot products are written out rather than calls to a helper: whether V8 inlines such a
  // helper differs from thread to thread and run to run, and cost worker threads up to 40 %.
  for (let t = 0; t < steps; t++) {
    const xo = xOffset + t * d;
    // The memory input uses h and m of the previous step.
    let ux = 0;
    for (let k = 0; k < d; k++) ux += ex[k] * x[xo + k];
    let u = ux + uBias;
    if (recurrentU) {
      let uh = 0;
      for (let k = 0; k < H; k++) uh += eh[k] * h[k];
      let um = 0;
      for (let k = 0; k < q; k++) um += em[k] * m[k];
      u += uh + um;
    }
    if (reluU && u < 0) u = 0;
    for (let i = 0; i < q; i++) {
      const row = i * q;
      let a = 0;
      for (let k = 0; k < q; k++) a += A[row + k] * m[k];
      mNext[i] = a + B[i] * u;
    }
    // The hidden state uses the memory of this step.
    for (let i = 0; i < H; i++) {
      const rx = i * d;
      let ax = 0;
      for (let k = 0; k < d; k++) ax += Wx[rx + k] * x[xo + k];
      const rm = i * q;
      let am = 0;
      for (let k = 0; k < q; k++) am += Wm[rm + k] * mNext[k];
      let a = ax + am;
      if (recurrentH) {
        const rh = i * H;
        let ah = 0;
        for (let k = 0; k < H; k++) ah += Wh[rh + k] * h[k];
        a += ah;
      }
      if (hasBias) a += hBias[i];
      hNext[i] = tanh ? Math.tanh(a) : a > 0 ? a : 0;
    }
    const hSwap = h;
    h = hNext;
    hNext = hSwap;
    const mSwap = m;
    m = mNext;
    mNext = mSwap;
    if (trace) for (let k = 0; k < p.outputs; k++) trace[t * p.outputs + k] = dot(p.readoutWeight, k * H, h, 0, H) + p.readoutBias[k];
  }
  for (let k = 0; k < p.outputs; k++) out[outOffset + k] = dot(p.readoutWeight, k * H, h, 0, H) + p.readoutBias[k];
}
