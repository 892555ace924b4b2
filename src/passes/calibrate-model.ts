/**
 * Calibration from a model: the numbers `calibrate` measures by simulating the whole network
 * (firing rates, input-current peaks, host input peaks, the values decode blocks carry), computed
 * instead from the values each population is meant to represent — trajectories the caller
 * already has, such as a trained cell's own float run. A psMNIST-size trained cell presented for
 * K = 60 simulator steps per sequence step is 94k simulated steps of the whole network for two
 * calibration sequences (~110 s on a quiet machine); here only the neurons run, each on the
 * current its trajectory implies, J = g·(e·x) + b, with no synapses, decoders or host between them.
 *
 * What the simulation measured and this gives instead: rates from those neurons' spikes; current
 * peaks max |g·(e·x)| plus the filtered ripple of the inputs' spikes; host input peaks max |W·f(x)|
 * over the node trajectories; decode rows' per-step values from the neurons' own spikes (on
 * PER_STEP_READS read steps), their filtered peak and mean from the rates through W plus ripple.
 */
import type { BuiltConnection, BuiltEnsemble, BuiltNetwork } from "../ir/built.js";
import { gemm, PackedRowSum, rowMajor, transposed } from "../math/blas.js";
import { applyFunction, functionOutputSize } from "../nef/functions.js";
import type { Calibration } from "./calibrate.js";
import type { HubPlan } from "./decode-hub.js";
import type { DecodeCalibration, DecodePlan } from "./decode-neurons.js";

/** Values over a set of sample points (e.g. the end of every sequence step), row by row: samples × size. */
export interface Trajectories {
  readonly samples: number;
  /** Simulator steps each sample stands for (a trained cell's presentation steps K). */
  readonly stepsPerSample: number;
  /** Samples per sequence: the neurons restart from their initial voltage at each sequence's first sample. */
  readonly sequenceSamples: number;
  /** The value each ensemble represents (its decoded input), by ensemble id: samples × dimensions. */
  readonly ensembles: ReadonlyMap<string, Float64Array>;
  /** Host node outputs, by node id: samples × sizeOut. Nodes that feed the chip must be here. */
  readonly nodes: ReadonlyMap<string, Float64Array>;
}

/** σ above the mean for a filtered peak and for an input current's peak. */
export const FILTERED_SIGMAS = 3;
/**
 * The per-step values of decode rows are read from the neurons' own spikes on at least this many
 * steps of the run (all of a shorter one), and on at least one step in 64: their sum over the
 * spiking neurons is the model's costly part (psMNIST's 94k steps × ~225 memory spikes × 468
 * rows: 0.3 s per 2048 reads). Rarer coincidences than those steps show are what the decode
 * levels' headroom is for.
 */
export const PER_STEP_READS = 2048;

/** Neuron models the model covers: the chip's integrate-and-fire (spiking-relu, reset to zero), as chip builds of trained cells run. */
export function modelCalibrates(built: BuiltNetwork): boolean {
  return built.ensembles.every((e) => e.neuron.type === "spiking-relu" && e.neuron.resetToZero === true);
}

/**
 * Variance of a regular spike train with period `period` steps (one spike of height h = amplitude/dt
 * every period steps) after a first-order filter that keeps β = 1 − a of its state per step: in
 * steady state the output k steps after a spike is c·β^k with c = a·h/(1 − β^P), so its mean is
 * h/P and its mean square (c²/P)·(1 − β^2P)/(1 − β²). Independent draws (p(1 − p)·h²·a/(2 − a))
 * overstate it many times over for a long synapse: the chip's neurons fire regularly.
 */
export function rippleVariance(period: number, a: number, h: number): number {
  if (!(period > 0) || !Number.isFinite(period)) return 0;
  const b = 1 - a;
  if (b <= 0) return h * h * (1 / period) * (1 - 1 / period);
  const bP = b ** period;
  const c = (a * h) / (1 - bP);
  const meanSquare = ((c * c) / period) * ((1 - bP * bP) / (1 - b * b));
  const mean = h / period;
  return Math.max(0, meanSquare - mean * mean);
}

interface EnsembleModel {
  /** samples × n: the current g·(e·x) + b at each sample (single precision: a model's input, 160 MB in double for psMNIST). */
  readonly J: Float32Array;
  /** Per neuron: the largest |g·(e·x)|, the input current the synapses deliver. */
  readonly currentPeak: Float64Array;
}

function ensembleModel(e: BuiltEnsemble, x: Float64Array, T: number): EnsembleModel {
  const n = e.nNeurons, d = e.dimensions;
  if (x.length !== T * d) throw new Error(`model calibration: trajectory of '${e.id}' holds ${x.length} values, expected ${T} × ${d} (a bug in lmuc)`);
  const J = new Float32Array(T * n);
  const E = e.encoders.data;
  let nonzero = 0;
  for (let k = 0; k < E.length; k++) if (E[k] !== 0) nonzero++;
  if (nonzero * 4 < E.length) {
    // Mostly-zero encoders (a trained cell's per-unit populations: one nonzero a row): e·x over
    // each row's nonzeros, T × nonzero products instead of T × n × d.
    const start = new Int32Array(n + 1), dims = new Int32Array(nonzero), vals = new Float64Array(nonzero);
    for (let i = 0, p = 0; i < n; i++) {
      for (let k = 0; k < d; k++) if (E[i * d + k] !== 0) (dims[p] = k), (vals[p++] = E[i * d + k]);
      start[i + 1] = p;
    }
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let p = start[i]; p < start[i + 1]; p++) v += vals[p] * x[t * d + dims[p]];
        J[t * n + i] = v;
      }
    }
  } else {
    // e·x for every sample and neuron: (T × d)·(d × n), encoders read transposed in place, a block
    // of samples at a time into one reused buffer (fresh memory costs a page fault per 4 KiB, and
    // psMNIST's T × n doubles were 80 MB).
    const ex = new Float64Array(Math.min(T, SAMPLE_BLOCK) * n);
    for (let t0 = 0; t0 < T; t0 += SAMPLE_BLOCK) {
      const tb = Math.min(SAMPLE_BLOCK, T - t0);
      ex.fill(0, 0, tb * n);
      gemm(tb, n, d, rowMajor(x, d, t0 * d), transposed(rowMajor(E, d)), ex, 0, n, 1, true);
      J.set(ex.subarray(0, tb * n), t0 * n);
    }
  }
  const currentPeak = new Float64Array(n);
  const { gain, bias } = e;
  for (let t = 0; t < T; t++) {
    for (let i = 0, k = t * n; i < n; i++, k++) {
      const s = gain[i] * J[k];
      if (Math.abs(s) > currentPeak[i]) currentPeak[i] = Math.abs(s);
      J[k] = s + bias[i];
    }
  }
  return { J, currentPeak };
}

/** Samples per block where a T × width product is formed block by block (ensembleModel, filteredStats). */
const SAMPLE_BLOCK = 64;

const alphaOf = (synapse: BuiltConnection["synapse"], dt: number): number => (synapse.kind === "lowpass" ? -Math.expm1(-dt / synapse.tauSeconds) : 1);

/** One term of a decoded signal: a source ensemble's neurons (by W column) and the rows of the signal their columns reach. */
interface DecodeTerm {
  readonly ensemble: string;
  /** Neuron index of each W column used. */
  readonly neurons: Int32Array;
  /** W's columns transposed: column j's rows at j·rows (rows of W, not of the signal). */
  readonly Wt: Float64Array;
  readonly rows: number;
  readonly rowOf: Int32Array;
}

interface DecodeChunk {
  readonly terms: readonly DecodeTerm[];
  readonly rows: number;
  readonly a: number;
  readonly y: Float64Array;
  readonly peakStep: Float64Array;
  readonly sumSquares: Float64Array;
}

function decodeTerm(ensemble: string, sourceIndices: readonly number[], cols: readonly number[], W: { rows: number; cols: number; data: Float64Array }, rowOf: ArrayLike<number>): DecodeTerm {
  const Wt = new Float64Array(cols.length * W.rows);
  cols.forEach((c, j) => {
    for (let r = 0; r < W.rows; r++) Wt[j * W.rows + r] = W.data[r * W.cols + c];
  });
  return { ensemble, neurons: Int32Array.from(cols, (c) => sourceIndices[c]), Wt, rows: W.rows, rowOf: Int32Array.from(rowOf) };
}

/**
 * One neuron over one sample of K steps with its current J held: the chip's integrate-and-fire
 * as sim/neurons/step.ts stepResetIf runs it (v += max(J, 0)·dt, a spike when v > 1, then 0),
 * in closed form: with δ = J·dt the first spike comes after the smallest m with v + m·δ > 1 and
 * then every P steps, the smallest P with P·δ > 1. Counts the spikes into count[at + i], files
 * those on the sample's read steps (slotSteps[0..slots)) into ids/sizes, and returns v at its end.
 */
function spikesInWindow(
  delta: number, K: number, v: number, i: number, count: Uint16Array, at: number,
  slotSteps: Int32Array, slots: number, ids: Int32Array, sizes: Int32Array, n: number,
): number {
  if (!(delta > 0)) return v;
  let m = Math.max(1, Math.floor((1 - v) / delta) + 1);
  while (m > 1 && v + (m - 1) * delta > 1) m--;
  while (!(v + m * delta > 1)) m++;
  const first = m - 1;
  if (first >= K) return v + K * delta;
  let P = Math.max(1, Math.floor(1 / delta) + 1);
  while (P > 1 && (P - 1) * delta > 1) P--;
  while (!(P * delta > 1)) P++;
  const spikes = Math.floor((K - 1 - first) / P) + 1;
  count[at + i] += spikes;
  for (let q = 0; q < slots; q++) {
    const k = slotSteps[q];
    if (k >= first && (k - first) % P === 0) ids[q * n + sizes[q]++] = i;
  }
  return (K - 1 - (first + (spikes - 1) * P)) * delta;
}

/**
 * The Calibration of `built` from the model over `traj`: the chip's integrate-and-fire neurons run
 * on the currents the trajectories imply (each sample's held for its K steps), which gives
 * their rates and, on PER_STEP_READS steps, the per-step values of decode rows with the
 * neurons' own synchrony (they start together and share rates); means and filtered peaks are the
 * rates through W with each neuron's ripple (rippleVariance). Throws on a trajectory that is
 * missing or mis-sized and on neurons the model does not cover (modelCalibrates): a bug of the caller.
 */
export function calibrateFromModel(built: BuiltNetwork, traj: Trajectories, decodePlans: readonly DecodePlan[] = [], hubPlans: readonly HubPlan[] = []): Calibration {
  if (!modelCalibrates(built)) throw new Error("model calibration covers the chip's integrate-and-fire neurons only (a bug in lmuc)");
  const T = traj.samples, K = traj.stepsPerSample, dt = built.dtSeconds;
  const models = new Map<string, EnsembleModel>();
  for (const e of built.ensembles) {
    const x = traj.ensembles.get(e.id);
    if (!x) throw new Error(`model calibration: no trajectory for ensemble '${e.id}' (a bug in lmuc)`);
    models.set(e.id, ensembleModel(e, x, T));
  }
  const chunksOf = decodeChunks(built, decodePlans, hubPlans);
  const { counts, reads } = runNeurons(built, models, [...chunksOf.values()].flat(), traj);
  // Rates over the run; per sample, a count of K steps is count/(K·dt) Hz.
  const ratesHz = new Map<string, Float64Array>();
  for (const e of built.ensembles) {
    const count = counts.get(e.id)!, n = e.nNeurons, toHz = 1 / (K * dt * T);
    const mean = new Float64Array(n);
    for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) mean[i] += count[t * n + i] * toHz;
    ratesHz.set(e.id, mean);
  }
  /** Per neuron of `id`, the mean over samples of its ripple's variance through a filter a. */
  const rippleCache = new Map<string, Float64Array>();
  const ripple = (id: string, a: number): Float64Array => {
    const key = `${id}@${a}`, hit = rippleCache.get(key);
    if (hit) return hit;
    const count = counts.get(id)!, e = built.ensembles.find((x) => x.id === id)!, n = e.nNeurons, h = e.neuron.amplitude / dt;
    // A sample's spike count c of K steps is a period of K/c steps: one table entry per count.
    const byCount = Float64Array.from({ length: K + 1 }, (_, c) => rippleVariance(K / c, a, h) / T);
    const out = new Float64Array(n);
    for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) out[i] += byCount[count[t * n + i]];
    rippleCache.set(key, out);
    return out;
  };
  const decoded = new Map<string, DecodeCalibration>();
  for (const [key, chunks] of chunksOf) {
    const filtered = chunks.map((ch) => filteredStats(ch, counts, 1 / (K * dt), ripple, built, T));
    decoded.set(key, {
      peakFiltered: filtered.map((f) => f.peakFiltered), meanAbs: filtered.map((f) => f.meanAbs),
      peakStep: chunks.map((ch) => ch.peakStep), rmsStep: chunks.map((ch) => ch.sumSquares.map((v) => Math.sqrt(v / Math.max(1, reads)))),
    });
  }
  return { steps: T * K, ratesHz, maxInputCurrent: inputCurrentPeaks(built, models, ripple), nodeConnectionPeak: nodePeaks(built, traj, hubPlans), decoded };
}

/** The decode rows of every decode plan and hub, chunk by chunk, with their per-step accumulators. */
function decodeChunks(built: BuiltNetwork, decodePlans: readonly DecodePlan[], hubPlans: readonly HubPlan[]): Map<string, DecodeChunk[]> {
  const dt = built.dtSeconds;
  const byId = new Map(built.connections.map((c) => [c.id, c]));
  const chunksOf = new Map<string, DecodeChunk[]>();
  const chunk = (terms: DecodeTerm[], rows: number, tauSeconds: number): DecodeChunk => ({
    terms, rows, a: -Math.expm1(-dt / Math.max(tauSeconds, 0.005)), y: new Float64Array(rows), peakStep: new Float64Array(rows), sumSquares: new Float64Array(rows),
  });
  for (const plan of decodePlans) {
    const c = byId.get(plan.connection)!;
    const W = plan.weights ?? c.weights;
    const rowOf = Array.from({ length: W.rows }, (_, r) => r);
    chunksOf.set(plan.connection, plan.chunks.map((cols) => chunk([decodeTerm(c.source.id, c.source.indices, cols, W, rowOf)], W.rows, c.synapse.kind === "lowpass" ? c.synapse.tauSeconds : 0)));
  }
  for (const plan of hubPlans) {
    chunksOf.set(plan.node, plan.chunks.map((ids) => chunk(ids.map((id) => {
      const c = byId.get(id)!;
      return decodeTerm(c.source.id, c.source.indices, c.source.indices.map((_, k) => k), c.weights, c.target.indices);
    }), plan.rows, plan.tauSeconds)));
  }
  return chunksOf;
}

/**
 * The neurons, sample by sample (spikesInWindow), from their initial voltage at each sequence's
 * start: spike counts per sample and neuron, and each chunk's per-step values on the read steps.
 */
function runNeurons(built: BuiltNetwork, models: ReadonlyMap<string, EnsembleModel>, allChunks: readonly DecodeChunk[], traj: Trajectories): { counts: Map<string, Uint16Array>; reads: number } {
  const T = traj.samples, K = traj.stepsPerSample, dt = built.dtSeconds, steps = T * K;
  const ens = built.ensembles.map((e) => ({
    e, n: e.nNeurons, J: models.get(e.id)!.J, v: new Float64Array(e.nNeurons), count: new Uint16Array(T * e.nNeurons),
  }));
  const ensIndex = new Map(ens.map((s, k) => [s.e.id, k]));
  // Per ensemble and read step of the current sample: the neurons that spiked.
  const buckets = ens.map((s) => ({ ids: new Int32Array(K * s.n), sizes: new Int32Array(K) }));
  // Per chunk term: each source neuron's W column in the term (−1: not in it).
  const chunkTerms = allChunks.map((ch) => ch.terms.map((term) => {
    const s = ens[ensIndex.get(term.ensemble)!];
    const colOf = new Int32Array(s.n).fill(-1);
    term.neurons.forEach((i, c) => (colOf[i] = c));
    const identityRows = term.rowOf.every((r, k) => r === k) && term.rows === ch.rows;
    // A spike adds its column times amplitude/dt: the product taken once here.
    const h = s.e.neuron.amplitude / dt;
    return { term, s, colOf, identityRows, Wt: term.Wt.map((w) => w * h), bucket: buckets[ensIndex.get(term.ensemble)!] };
  }));
  // A chunk of one term whose rows are the chunk's: its per-step sum 0 + Wt[c0] + Wt[c1] + … in
  // spike order on the SIMD row-sum kernel (coefficients 1: the same sums as the loop below).
  const rowSums = chunkTerms.map((terms) => {
    const t = terms.length === 1 && terms[0].identityRows ? terms[0] : undefined;
    const kernel = t ? PackedRowSum.create(t.Wt, t.term.neurons.length, t.term.rows) : null;
    return kernel && t ? { kernel, ones: new Float64Array(t.term.neurons.length).fill(1), list: new Int32Array(t.s.n) } : undefined;
  });
  // Which steps are read for the per-step values: a pseudo-random share, not every n-th step
  // (regular neurons whose period shares a factor with n would be seen always or never).
  const slotSteps = new Int32Array(K);
  const readBelow = Math.min(1, Math.max(PER_STEP_READS / steps, 1 / 64)) * 2 ** 32;
  let strided = 0;
  for (let t = 0; t < T; t++) {
    const first = t % traj.sequenceSamples === 0;
    let slots = 0;
    for (let k = 0; k < K; k++) if (Math.imul(t * K + k, 0x9e3779b1) >>> 0 < readBelow) slotSteps[slots++] = k;
    for (let e = 0; e < ens.length; e++) {
      const s = ens[e], { n, J, v, count } = s, at = t * n, bucket = buckets[e];
      if (first) v.set(s.e.initialVoltage);
      bucket.sizes.fill(0, 0, slots);
      for (let i = 0; i < n; i++) v[i] = spikesInWindow(J[at + i] * dt, K, v[i], i, count, at, slotSteps, slots, bucket.ids, bucket.sizes, n);
    }
    for (let slot = 0; slot < slots; slot++) {
      strided++;
      for (let m = 0; m < allChunks.length; m++) {
        const ch = allChunks[m], y = ch.y;
        const fast = rowSums[m];
        if (fast) {
          const { colOf, s, bucket } = chunkTerms[m][0];
          const ids = bucket.ids, size = bucket.sizes[slot], base = slot * s.n;
          let count = 0;
          for (let q = 0; q < size; q++) {
            const c = colOf[ids[base + q]];
            if (c >= 0) fast.list[count++] = c;
          }
          fast.kernel.sum(fast.list, count, fast.ones, y);
        } else {
          y.fill(0);
          for (const { term, s, colOf, identityRows, Wt, bucket } of chunkTerms[m]) {
            const { rows, rowOf } = term;
            const ids = bucket.ids, size = bucket.sizes[slot], base = slot * s.n;
            for (let q = 0; q < size; q++) {
              const c = colOf[ids[base + q]];
              if (c < 0) continue;
              const o = c * rows;
              if (identityRows) for (let r = 0; r < rows; r++) y[r] += Wt[o + r];
              else for (let r = 0; r < rows; r++) y[rowOf[r]] += Wt[o + r];
            }
          }
        }
        const peak = ch.peakStep, sq = ch.sumSquares;
        for (let r = 0; r < ch.rows; r++) {
          const a = Math.abs(y[r]);
          if (a > peak[r]) peak[r] = a;
          sq[r] += y[r] * y[r];
        }
      }
    }
  }
  return { counts: new Map(ens.map((s) => [s.e.id, s.count])), reads: strided };
}

/** Each neuron's largest input current: max |g·(e·x)| plus FILTERED_SIGMAS of its inputs' ripple. */
function inputCurrentPeaks(built: BuiltNetwork, models: ReadonlyMap<string, EnsembleModel>, ripple: (id: string, a: number) => Float64Array): Map<string, Float64Array> {
  const dt = built.dtSeconds;
  const maxInputCurrent = new Map<string, Float64Array>();
  for (const e of built.ensembles) {
    const n = e.nNeurons, peak = Float64Array.from(models.get(e.id)!.currentPeak);
    // The filtered spikes of other ensembles' neurons ripple around their mean: per input dimension
    // (or per neuron for inputs into .neurons), added to each neuron's current peak.
    const dimVar = new Float64Array(e.dimensions), neuronVar = new Float64Array(n);
    for (const c of built.connections) {
      if (c.source.kind !== "neurons" || c.target.kind === "node" || c.target.id !== e.id) continue;
      const v = ripple(c.source.id, alphaOf(c.synapse, dt)), W = c.weights;
      for (let r = 0; r < W.rows; r++) {
        let s = 0;
        for (let j = 0; j < W.cols; j++) s += W.data[r * W.cols + j] ** 2 * v[c.source.indices[j]];
        const at = c.target.indices[r];
        if (c.target.kind === "ensemble") dimVar[at] += s;
        else neuronVar[at] += s * (c.target.gainScaled ? e.gain[at] ** 2 : 1);
      }
    }
    const E = e.encoders.data, d = e.dimensions;
    for (let i = 0; i < n; i++) {
      let s = neuronVar[i];
      for (let k = 0; k < d; k++) s += e.gain[i] ** 2 * E[i * d + k] ** 2 * dimVar[k];
      peak[i] += FILTERED_SIGMAS * Math.sqrt(s);
    }
    maxInputCurrent.set(e.id, peak);
  }
  return maxInputCurrent;
}

/** max |W·f(x)| per row of every connection from a host node into the chip, over the node's trajectory. */
function nodePeaks(built: BuiltNetwork, traj: Trajectories, hubPlans: readonly HubPlan[]): Map<string, Float64Array> {
  const T = traj.samples;
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
  return nodeConnectionPeak;
}

/**
 * Filtered statistics of one chunk: μ_t = Σ W·rate (per sample, one (T × L)·(L × rows) product)
 * and the rows' ripple σ from each neuron's; the peak is |μ| + FILTERED_SIGMAS·σ.
 */
function filteredStats(ch: DecodeChunk, counts: ReadonlyMap<string, Uint16Array>, countToHz: number, ripple: (id: string, a: number) => Float64Array, built: BuiltNetwork, T: number) {
  const L = ch.terms.reduce((s, t) => s + t.neurons.length, 0), rows = ch.rows;
  const Wc = new Float64Array(L * rows), sigma2 = new Float64Array(rows);
  const terms = ch.terms.map((term) => {
    const e = built.ensembles.find((x) => x.id === term.ensemble)!;
    return { term, n: e.nNeurons, count: counts.get(e.id)!, amp: e.neuron.amplitude * countToHz };
  });
  let col = 0;
  for (const { term } of terms) {
    const v = ripple(term.ensemble, ch.a);
    for (let c = 0; c < term.neurons.length; c++, col++) {
      const i = term.neurons[c];
      for (let r = 0; r < term.rows; r++) {
        const w = term.Wt[c * term.rows + r];
        Wc[col * rows + term.rowOf[r]] += w;
        sigma2[term.rowOf[r]] += w * w * v[i];
      }
    }
  }
  // The rates through W, μ = act·Wc (T × rows), a block of samples at a time in reused buffers
  // (psMNIST's T × L rates were 25 MB of fresh memory per chunk); each μ is the same sum over L.
  const TB = Math.min(T, SAMPLE_BLOCK);
  const act = new Float64Array(TB * L), mu = new Float64Array(TB * rows);
  const peakFiltered = new Float64Array(rows), meanAbs = new Float64Array(rows);
  for (let t0 = 0; t0 < T; t0 += TB) {
    const tb = Math.min(TB, T - t0);
    let at = 0;
    for (const { term, n, count, amp } of terms) {
      for (let t = 0; t < tb; t++) for (let c = 0; c < term.neurons.length; c++) act[t * L + at + c] = count[(t0 + t) * n + term.neurons[c]] * amp;
      at += term.neurons.length;
    }
    mu.fill(0, 0, tb * rows);
    gemm(tb, rows, L, rowMajor(act, L), rowMajor(Wc, rows), mu, 0, rows, 1, true);
    for (let t = 0; t < tb; t++) {
      for (let r = 0, k = t * rows; r < rows; r++, k++) {
        const m = Math.abs(mu[k]);
        if (m > peakFiltered[r]) peakFiltered[r] = m;
        meanAbs[r] += m / T;
      }
    }
  }
  for (let r = 0; r < rows; r++) peakFiltered[r] += FILTERED_SIGMAS * Math.sqrt(sigma2[r]);
  return { peakFiltered, meanAbs };
}
