/**
 * Calibration: a short float run that measures what the hardware compiler has to plan for —
 * firing rates (for placement by expected traffic), the largest input current each neuron sees
 * (for the 23-bit current range), and the largest value each host input carries (for the on/off
 * spike encoding's scale). Deterministic: same network, same numbers.
 */
import type { BuiltConnection, BuiltNetwork } from "../ir/built.js";
import type { Mat } from "../math/matrix.js";
import type { HubPlan } from "./decode-hub.js";
import { applyFunction, functionOutputSize } from "../nef/functions.js";
import type { DecodeCalibration, DecodePlan } from "./decode-neurons.js";
import { Simulator } from "../sim/simulator.js";

export interface Calibration {
  readonly steps: number;
  /** Mean firing rate per neuron (Hz), by ensemble id. */
  readonly ratesHz: ReadonlyMap<string, Float64Array>;
  /** max |J − bias| per neuron over the run: the input current the synapses deliver. */
  readonly maxInputCurrent: ReadonlyMap<string, Float64Array>;
  /** For connections from nodes: max |W·f(x)| per output row, by connection id. */
  readonly nodeConnectionPeak: ReadonlyMap<string, Float64Array>;
  /** For chip → chip connections planned through decode neurons (by connection id) and decode hubs (by node id): y = W·a per chunk and row. */
  readonly decoded: ReadonlyMap<string, DecodeCalibration>;
}

export function calibrate(
  built: BuiltNetwork, steps: number, decodePlans: readonly DecodePlan[] = [], hubPlans: readonly HubPlan[] = [],
  /** Progress of the run (steps done, total): psMNIST-size calibrations take seconds. */
  onProgress?: (done: number, total: number) => void,
): Calibration {
  const sim = new Simulator({ ...built, probes: [] }, { expectedSteps: 16 });
  const spikes = new Map(built.ensembles.map((e) => [e.id, new Float64Array(e.nNeurons)]));
  const maxJ = new Map(built.ensembles.map((e) => [e.id, new Float64Array(e.nNeurons)]));
  // A decode hub's own connections are lowered with the hub (on chip): their peaks are never read.
  const hubNodes = new Set(hubPlans.map((p) => p.node));
  const nodeConns = built.connections.filter((c) => c.source.kind === "node" && !hubNodes.has(c.source.id));
  const peaks = new Map(nodeConns.map((c) => [c.id, new Float64Array(c.weights.rows)]));
  const scratch = nodeConns.map((c) => {
    const n = c.source.indices.length;
    const fn = c.source.kind === "node" ? c.source.fn : { kind: "identity" as const };
    return { x: new Float64Array(n), f: new Float64Array(functionOutputSize(fn, n)), fn };
  });
  const views = built.ensembles.map((e) => ({ id: e.id, view: sim.ensembleView(e.id)!, sum: spikes.get(e.id)! }));
  const dt = built.dtSeconds;
  // Values decode blocks will carry: per signal, chunk and row, y = Σ W·a over the chunk's terms.
  // Wt is W transposed (column-major), so a spike's column is read contiguously: the same products
  // summed in the same order as reading W by column.
  const term = (ensemble: string, src: readonly number[], cols: readonly number[], W: Mat, rowOf: ArrayLike<number>): Term => {
    const view = sim.ensembleView(ensemble)!.output;
    const Wt = new Float64Array(W.rows * W.cols);
    for (let r = 0; r < W.rows; r++) for (let col = 0; col < W.cols; col++) Wt[col * W.rows + r] = W.data[r * W.cols + col];
    // When the chunk's columns read ascending neurons, the spiking neurons (ascending) visit
    // them in the same order: the same sums from ~5% of the columns.
    let ascending = true;
    for (let t = 1; t < cols.length && ascending; t++) ascending = src[cols[t]] > src[cols[t - 1]];
    let colAt: Int32Array | null = null;
    if (ascending) {
      colAt = new Int32Array(view.length).fill(-1);
      for (const col of cols) colAt[src[col]] = col;
    }
    return { view, src: Int32Array.from(src), cols: Int32Array.from(cols), Wt, rows: W.rows, rowOf: Int32Array.from(rowOf), active: sim.activeNeurons(ensemble)!, colAt };
  };
  const signal = (key: string, rows: number, tauSeconds: number, chunks: Term[][]) => {
    const tau = Math.max(tauSeconds, 0.005);
    const per = () => chunks.map(() => new Float64Array(rows));
    return { key, chunks, alpha: -Math.expm1(-dt / tau), y: per(), yf: per(), peakFiltered: per(), peakStep: per(), meanAbs: per(), rmsStep: per() };
  };
  const tauOf = (c: BuiltConnection): number => (c.synapse.kind === "lowpass" ? c.synapse.tauSeconds : 0);
  const decodeState = [
    ...decodePlans.map((plan) => {
      const c = built.connections.find((x) => x.id === plan.connection)!;
      const W = plan.weights ?? c.weights;
      const rowOf = Array.from({ length: W.rows }, (_, r) => r);
      return signal(plan.connection, W.rows, tauOf(c), plan.chunks.map((cols) => [term(c.source.id, c.source.indices, cols, W, rowOf)]));
    }),
    ...hubPlans.map((plan) =>
      signal(plan.node, plan.rows, plan.tauSeconds, plan.chunks.map((ids) => ids.map((id) => {
        const c = built.connections.find((x) => x.id === id)!;
        return term(c.source.id, c.source.indices, c.source.indices.map((_, k) => k), c.weights, c.target.indices);
      }))),
    ),
  ];
  // Where the simulator keeps this step's W·f(x) (the same sums recordPeaks would make), its
  // peaks are read from there; otherwise computed again.
  const nodeState = nodeConns.map((c, ci) => ({ c, out: sim.nodeOutputView(c.source.id)!, src: Int32Array.from(c.source.indices), ...scratch[ci], peak: peaks.get(c.id)!, y: sim.connectionOutputView(c.id) }));
  const ensembleState = views.map(({ id, view, sum }) => ({ view, sum, maxJ: maxJ.get(id)! }));
  for (let k = 0; k < steps; k++) {
    sim.step();
    for (const st of decodeState) {
      for (let m = 0; m < st.chunks.length; m++) recordDecoded(st.chunks[m], st.y[m], st.yf[m], st.alpha, st.peakStep[m], st.peakFiltered[m], st.meanAbs[m], st.rmsStep[m], steps);
    }
    for (const { view, sum, maxJ: m } of ensembleState) recordEnsemble(view.J, view.bias, view.output, sum, m);
    for (const { c, out, src, x, f, fn, peak, y } of nodeState) {
      if (y !== undefined) {
        recordAbsPeaks(y, peak);
        continue;
      }
      for (let i = 0; i < src.length; i++) x[i] = out[src[i]];
      applyFunction(fn, x, 0, x.length, f, 0);
      recordPeaks(c.weights, f, peak);
    }
    if (onProgress && ((k + 1) % 100 === 0 || k + 1 === steps)) onProgress(k + 1, steps);
  }
  const ratesHz = new Map<string, Float64Array>();
  for (const e of built.ensembles) {
    // Outputs are amplitude/dt per spike, so the mean output is the rate times the amplitude.
    const sum = spikes.get(e.id)!;
    ratesHz.set(e.id, sum.map((v) => v / steps / e.neuron.amplitude));
  }
  const decoded = new Map(decodeState.map((st) => [st.key, { peakFiltered: st.peakFiltered, peakStep: st.peakStep, meanAbs: st.meanAbs, rmsStep: st.rmsStep.map((x) => x.map(Math.sqrt)) }]));
  return { steps, ratesHz, maxInputCurrent: maxJ, nodeConnectionPeak: peaks, decoded };
}

// The per-step loops are functions of their own: called every step, they are optimized after a
// few steps, where as loops inside calibrate (run once) they waited for on-stack replacement.

/** One step of an ensemble: spike outputs summed (for its rates), the largest |J − bias| per neuron. */
function recordEnsemble(J: Float64Array, bias: Float64Array, output: Float64Array, sum: Float64Array, maxJ: Float64Array): void {
  for (let i = 0; i < J.length; i++) {
    sum[i] += output[i];
    const a = Math.abs(J[i] - bias[i]);
    if (a > maxJ[i]) maxJ[i] = a;
  }
}

/** One step of a connection from a node whose W·f(x) the simulator computed: the largest |y| per row. */
function recordAbsPeaks(y: Float64Array, peak: Float64Array): void {
  for (let r = 0; r < y.length; r++) if (Math.abs(y[r]) > peak[r]) peak[r] = Math.abs(y[r]);
}

/** One step of a connection from a node: the largest |W·f(x)| per output row. */
function recordPeaks(W: Mat, f: Float64Array, peak: Float64Array): void {
  const data = W.data, cols = W.cols;
  for (let r = 0; r < W.rows; r++) {
    let y = 0;
    for (let j = 0; j < cols; j++) y += data[r * cols + j] * f[j];
    if (Math.abs(y) > peak[r]) peak[r] = Math.abs(y);
  }
}

/** One chunk's term: W (transposed) from the columns `cols` of ensemble output `view` (neuron src[col]) into rows rowOf. */
interface Term {
  readonly view: Float64Array;
  readonly src: Int32Array;
  readonly cols: Int32Array;
  readonly Wt: Float64Array;
  readonly rows: number;
  readonly rowOf: Int32Array;
  /** The source ensemble's spiking neurons this step. */
  readonly active: { readonly indices: Int32Array; count(): number };
  /** Per neuron, its column in this term (−1: none); null where cols do not read neurons in ascending order. */
  readonly colAt: Int32Array | null;
}

/** One step of one decode chunk: y = Σ W·a over its terms (columns with a spike only), then its filter and statistics. */
function recordDecoded(
  terms: readonly Term[],
  y: Float64Array, yf: Float64Array, alpha: number, peakStep: Float64Array, peakFiltered: Float64Array, meanAbs: Float64Array, rmsStep: Float64Array, steps: number,
): void {
  y.fill(0);
  for (const { view, src, cols, Wt, rows, rowOf, active, colAt } of terms) {
    if (colAt !== null) {
      // Output is non-zero exactly for the active neurons: the columns the scan below would not skip.
      const indices = active.indices;
      for (let k = 0, count = active.count(); k < count; k++) {
        const i = indices[k], col = colAt[i];
        if (col < 0) continue;
        const a = view[i];
        for (let r = 0, at = col * rows; r < rows; r++) y[rowOf[r]] += Wt[at + r] * a;
      }
      continue;
    }
    for (let t = 0; t < cols.length; t++) {
      const col = cols[t];
      const a = view[src[col]];
      if (a === 0) continue;
      for (let r = 0, at = col * rows; r < rows; r++) y[rowOf[r]] += Wt[at + r] * a;
    }
  }
  for (let r = 0; r < y.length; r++) {
    yf[r] += alpha * (y[r] - yf[r]);
    peakStep[r] = Math.max(peakStep[r], Math.abs(y[r]));
    peakFiltered[r] = Math.max(peakFiltered[r], Math.abs(yf[r]));
    meanAbs[r] += Math.abs(yf[r]) / steps;
    rmsStep[r] += (y[r] * y[r]) / steps;
  }
}
