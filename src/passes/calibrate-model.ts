/**
 * Calibration from a rate model: the numbers `calibrate` measures by simulating the network
 * (firing rates, input-current peaks, host input peaks, the values decode blocks carry), computed
 * instead from the values each population is meant to represent — trajectories the caller
 * already has, such as a trained cell's own float run. A psMNIST-size trained cell presented for
 * K = 60 simulator steps per sequence step is 94k simulated steps of 10k neurons for two
 * calibration sequences (~110 s); its model is two matrix products per decode block.
 *
 * Model, per neuron i of an ensemble with gain g, bias b and encoder e, at each sample x(t):
 * J = g·(e·x) + b, rate r = the chip's rate curve of J (passes/chip-rates.ts, the staircase the
 * compiled neurons run). A neuron emits amplitude/dt in a step with probability p = r·dt, so a
 * decoded row y = Σ W·a has mean μ = Σ W·r·amplitude and per-step variance
 * σ² = Σ W²·(amplitude/dt)²·p(1 − p), independent neurons; a first-order filter with
 * a = 1 − e^(−dt/τ) keeps a/(2 − a) of that variance. Peaks are μ plus STEP_SIGMAS σ per step
 * and FILTERED_SIGMAS filtered σ: the largest of ~10⁵ Gaussian draws is about 4.4σ.
 */
import type { BuiltConnection, BuiltEnsemble, BuiltNetwork } from "../ir/built.js";
import { gemm, rowMajor, transposed } from "../math/blas.js";
import { applyFunction, functionOutputSize } from "../nef/functions.js";
import type { Calibration } from "./calibrate.js";
import { chipRateCurve } from "./chip-rates.js";
import type { HubPlan } from "./decode-hub.js";
import type { DecodeCalibration, DecodePlan } from "./decode-neurons.js";

/** Values over a set of sample points (e.g. the end of every sequence step), row by row: samples × size. */
export interface Trajectories {
  readonly samples: number;
  /** The value each ensemble represents (its decoded input), by ensemble id: samples × dimensions. */
  readonly ensembles: ReadonlyMap<string, Float64Array>;
  /** Host node outputs, by node id: samples × sizeOut. Nodes that feed the chip must be here. */
  readonly nodes: ReadonlyMap<string, Float64Array>;
}

/** σ above the mean for a per-step peak (the largest of ~10⁵ draws of a normal variable is ~4.4σ). */
export const STEP_SIGMAS = 4.5;
/** σ above the mean for a filtered peak and for an input current's peak. */
export const FILTERED_SIGMAS = 3;

/** Neuron models the rate model covers: those the chip runs (spiking, with its staircase rate curve). */
export function modelCalibrates(built: BuiltNetwork): boolean {
  return built.ensembles.every((e) => e.neuron.type === "spiking-relu" || e.neuron.type === "lif");
}

interface Rates {
  /** samples × n: firing rate (Hz) of each neuron at each sample. */
  readonly hz: Float64Array;
  /** samples × n: |g·(e·x)|, the input current the synapses deliver. */
  readonly current: Float64Array;
}

function ensembleRates(e: BuiltEnsemble, x: Float64Array, T: number, dt: number): Rates {
  const n = e.nNeurons, d = e.dimensions;
  if (x.length !== T * d) throw new Error(`model calibration: trajectory of '${e.id}' holds ${x.length} values, expected ${T} × ${d} (a bug in lmuc)`);
  const current = new Float64Array(T * n);
  // e·x for every sample and neuron: (T × d)·(d × n), encoders read transposed in place.
  gemm(T, n, d, rowMajor(x, d), transposed(rowMajor(e.encoders.data, d)), current, 0, n, 1, true);
  const curve = chipRateCurve(e.neuron, dt);
  const hz = new Float64Array(T * n);
  const { gain, bias } = e;
  for (let t = 0; t < T; t++) {
    for (let i = 0, k = t * n; i < n; i++, k++) {
      const s = gain[i] * current[k];
      hz[k] = curve(s + bias[i]);
      current[k] = Math.abs(s);
    }
  }
  return { hz, current };
}

/** Per-step output variance of each neuron at its mean rate: (amplitude/dt)²·p(1 − p). */
function meanVariance(e: BuiltEnsemble, hz: Float64Array, T: number, dt: number): Float64Array {
  const n = e.nNeurons, amp = e.neuron.amplitude / dt;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += hz[t * n + i];
    const p = Math.min(1, (sum / T) * dt);
    v[i] = amp * amp * p * (1 - p);
  }
  return v;
}

const alphaOf = (c: BuiltConnection, dt: number): number => (c.synapse.kind === "lowpass" ? -Math.expm1(-dt / c.synapse.tauSeconds) : 1);

/** One term of a decoded signal: source ensemble, the W columns it contributes (source index positions) and the rows they reach. */
interface DecodeTerm {
  readonly ensemble: string;
  readonly sourceIndices: readonly number[];
  readonly cols: readonly number[];
  readonly W: { rows: number; cols: number; data: Float64Array };
  readonly rowOf: ArrayLike<number>;
}

/**
 * Statistics of y = Σ W·a for one chunk over the samples: mean μ from the rates, variance σ² from
 * p(1 − p) at each sample, both as one dense (T × L)·(L × rows) product.
 */
function decodedChunk(terms: readonly DecodeTerm[], rows: number, tauSeconds: number, rates: ReadonlyMap<string, Rates>, built: BuiltNetwork, T: number, dt: number) {
  const L = terms.reduce((s, t) => s + t.cols.length, 0);
  const act = new Float64Array(T * L), varAct = new Float64Array(T * L);
  const Wc = new Float64Array(L * rows), W2 = new Float64Array(L * rows);
  let col = 0;
  for (const term of terms) {
    const e = built.ensembles.find((x) => x.id === term.ensemble)!;
    const n = e.nNeurons, amp = e.neuron.amplitude, hz = rates.get(e.id)!.hz;
    for (const c of term.cols) {
      const src = term.sourceIndices[c];
      for (let t = 0; t < T; t++) {
        const r = hz[t * n + src];
        const p = Math.min(1, r * dt);
        act[t * L + col] = r * amp;
        varAct[t * L + col] = ((amp / dt) * (amp / dt)) * p * (1 - p);
      }
      for (let r = 0; r < term.W.rows; r++) {
        const w = term.W.data[r * term.W.cols + c];
        Wc[col * rows + term.rowOf[r]] += w;
      }
      col++;
    }
  }
  for (let k = 0; k < Wc.length; k++) W2[k] = Wc[k] * Wc[k];
  const mu = new Float64Array(T * rows), sigma2 = new Float64Array(T * rows);
  gemm(T, rows, L, rowMajor(act, L), rowMajor(Wc, rows), mu, 0, rows, 1, true);
  gemm(T, rows, L, rowMajor(varAct, L), rowMajor(W2, rows), sigma2, 0, rows, 1, true);
  const a = -Math.expm1(-dt / Math.max(tauSeconds, 0.005));
  const keep = Math.sqrt(a / (2 - a));
  const peakFiltered = new Float64Array(rows), peakStep = new Float64Array(rows), meanAbs = new Float64Array(rows), rmsStep = new Float64Array(rows);
  for (let t = 0; t < T; t++) {
    for (let r = 0, k = t * rows; r < rows; r++, k++) {
      const m = Math.abs(mu[k]), s = Math.sqrt(sigma2[k]);
      peakStep[r] = Math.max(peakStep[r], m + STEP_SIGMAS * s);
      peakFiltered[r] = Math.max(peakFiltered[r], m + FILTERED_SIGMAS * keep * s);
      meanAbs[r] += m / T;
      rmsStep[r] += (mu[k] * mu[k] + sigma2[k]) / T;
    }
  }
  return { peakFiltered, peakStep, meanAbs, rmsStep: rmsStep.map(Math.sqrt) };
}

/**
 * The Calibration of `built` from the rate model over `traj`. `steps` is the simulated run this
 * stands for (reported as the calibration's length). Throws on a trajectory that is missing or
 * mis-sized and on neurons the model does not cover (modelCalibrates): a bug of the caller.
 */
export function calibrateFromModel(built: BuiltNetwork, traj: Trajectories, steps: number, decodePlans: readonly DecodePlan[] = [], hubPlans: readonly HubPlan[] = []): Calibration {
  if (!modelCalibrates(built)) throw new Error("model calibration covers the chip's spiking neurons only (a bug in lmuc)");
  const T = traj.samples, dt = built.dtSeconds;
  const rates = new Map<string, Rates>();
  for (const e of built.ensembles) {
    const x = traj.ensembles.get(e.id);
    if (!x) throw new Error(`model calibration: no trajectory for ensemble '${e.id}' (a bug in lmuc)`);
    rates.set(e.id, ensembleRates(e, x, T, dt));
  }
  const variance = new Map(built.ensembles.map((e) => [e.id, meanVariance(e, rates.get(e.id)!.hz, T, dt)]));
  const ratesHz = new Map<string, Float64Array>();
  const maxInputCurrent = new Map<string, Float64Array>();
  for (const e of built.ensembles) {
    const n = e.nNeurons, { hz, current } = rates.get(e.id)!;
    const mean = new Float64Array(n), peak = new Float64Array(n);
    for (let t = 0; t < T; t++) {
      for (let i = 0, k = t * n; i < n; i++, k++) {
        mean[i] += hz[k] / T;
        if (current[k] > peak[i]) peak[i] = current[k];
      }
    }
    // Spike noise of the filtered inputs from other ensembles' neurons, per input dimension (or
    // per neuron for inputs into .neurons), added to each neuron's current peak.
    const dimVar = new Float64Array(e.dimensions), neuronVar = new Float64Array(n);
    for (const c of built.connections) {
      if (c.source.kind !== "neurons" || c.target.kind === "node" || c.target.id !== e.id) continue;
      const v = variance.get(c.source.id)!, keep = alphaOf(c, dt) / (2 - alphaOf(c, dt));
      const W = c.weights;
      for (let r = 0; r < W.rows; r++) {
        let s = 0;
        for (let j = 0; j < W.cols; j++) s += W.data[r * W.cols + j] ** 2 * v[c.source.indices[j]];
        const at = c.target.indices[r];
        if (c.target.kind === "ensemble") dimVar[at] += s * keep;
        else neuronVar[at] += s * keep * (c.target.gainScaled ? e.gain[at] ** 2 : 1);
      }
    }
    const E = e.encoders.data, d = e.dimensions;
    for (let i = 0; i < n; i++) {
      let s = neuronVar[i];
      for (let k = 0; k < d; k++) s += e.gain[i] ** 2 * E[i * d + k] ** 2 * dimVar[k];
      peak[i] += FILTERED_SIGMAS * Math.sqrt(s);
    }
    ratesHz.set(e.id, mean);
    maxInputCurrent.set(e.id, peak);
  }
  const hubNodes = new Set(hubPlans.map((p) => p.node));
  const nodeConnectionPeak = new Map<string, Float64Array>();
  for (const c of built.connections) {
    if (c.source.kind !== "node" || hubNodes.has(c.source.id)) continue;
    const out = traj.nodes.get(c.source.id);
    if (!out) {
      if (c.target.kind === "node") continue; // host → host: lowering reads no peak of it
      throw new Error(`model calibration: no trajectory for node '${c.source.id}', which feeds the chip through '${c.id}' (a bug in lmuc)`);
    }
    const node = built.nodes.find((x) => x.id === c.source.id)!, size = node.sizeOut;
    const idx = c.source.indices, fn = c.source.fn;
    const xs = new Float64Array(idx.length), f = new Float64Array(functionOutputSize(fn, idx.length));
    const W = c.weights, peak = new Float64Array(W.rows);
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < idx.length; k++) xs[k] = out[t * size + idx[k]];
      applyFunction(fn, xs, 0, xs.length, f, 0);
      for (let r = 0; r < W.rows; r++) {
        let y = 0;
        for (let j = 0; j < W.cols; j++) y += W.data[r * W.cols + j] * f[j];
        if (Math.abs(y) > peak[r]) peak[r] = Math.abs(y);
      }
    }
    nodeConnectionPeak.set(c.id, peak);
  }
  const decoded = new Map<string, DecodeCalibration>();
  const byId = new Map(built.connections.map((c) => [c.id, c]));
  const tauOf = (c: BuiltConnection): number => (c.synapse.kind === "lowpass" ? c.synapse.tauSeconds : 0);
  for (const plan of decodePlans) {
    const c = byId.get(plan.connection)!;
    const W = plan.weights ?? c.weights;
    const rowOf = Array.from({ length: W.rows }, (_, r) => r);
    const chunks = plan.chunks.map((cols) => decodedChunk([{ ensemble: c.source.id, sourceIndices: c.source.indices, cols, W, rowOf }], W.rows, tauOf(c), rates, built, T, dt));
    decoded.set(plan.connection, collect(chunks));
  }
  for (const plan of hubPlans) {
    const chunks = plan.chunks.map((ids) => decodedChunk(ids.map((id) => {
      const c = byId.get(id)!;
      return { ensemble: c.source.id, sourceIndices: c.source.indices, cols: c.source.indices.map((_, k) => k), W: c.weights, rowOf: c.target.indices };
    }), plan.rows, plan.tauSeconds, rates, built, T, dt));
    decoded.set(plan.node, collect(chunks));
  }
  return { steps, ratesHz, maxInputCurrent, nodeConnectionPeak, decoded };
}

function collect(chunks: readonly { peakFiltered: Float64Array; peakStep: Float64Array; meanAbs: Float64Array; rmsStep: Float64Array }[]): DecodeCalibration {
  return { peakFiltered: chunks.map((c) => c.peakFiltered), peakStep: chunks.map((c) => c.peakStep), meanAbs: chunks.map((c) => c.meanAbs), rmsStep: chunks.map((c) => c.rmsStep) };
}
