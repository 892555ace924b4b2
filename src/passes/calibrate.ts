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
  const nodeConns = built.connections.filter((c) => c.source.kind === "node");
  const peaks = new Map(nodeConns.map((c) => [c.id, new Float64Array(c.weights.rows)]));
  const scratch = nodeConns.map((c) => {
    const n = c.source.indices.length;
    const fn = c.source.kind === "node" ? c.source.fn : { kind: "identity" as const };
    return { x: new Float64Array(n), f: new Float64Array(functionOutputSize(fn, n)), fn };
  });
  const views = built.ensembles.map((e) => ({ id: e.id, view: sim.ensembleView(e.id)!, sum: spikes.get(e.id)! }));
  const dt = built.dtSeconds;
  // Values decode blocks will carry: per signal, chunk and row, y = Σ W·a over the chunk's terms.
  interface Term { view: Float64Array; src: readonly number[]; cols: readonly number[]; W: Mat; rowOf: readonly number[] }
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
      const view = sim.ensembleView(c.source.id)!.output;
      return signal(plan.connection, W.rows, tauOf(c), plan.chunks.map((cols) => [{ view, src: c.source.indices, cols, W, rowOf: Array.from({ length: W.rows }, (_, r) => r) }]));
    }),
    ...hubPlans.map((plan) =>
      signal(plan.node, plan.rows, plan.tauSeconds, plan.chunks.map((ids) => ids.map((id) => {
        const c = built.connections.find((x) => x.id === id)!;
        return { view: sim.ensembleView(c.source.id)!.output, src: c.source.indices, cols: c.source.indices.map((_, k) => k), W: c.weights, rowOf: c.target.indices };
      }))),
    ),
  ];
  for (let k = 0; k < steps; k++) {
    sim.step();
    for (const st of decodeState) {
      st.chunks.forEach((terms, m) => {
        const y = st.y[m].fill(0);
        for (const { view, src, cols, W, rowOf } of terms) {
          for (const col of cols) {
            const a = view[src[col]];
            if (a === 0) continue;
            for (let r = 0; r < W.rows; r++) y[rowOf[r]] += W.data[r * W.cols + col] * a;
          }
        }
        const yf = st.yf[m];
        for (let r = 0; r < y.length; r++) {
          yf[r] += st.alpha * (y[r] - yf[r]);
          st.peakStep[m][r] = Math.max(st.peakStep[m][r], Math.abs(y[r]));
          st.peakFiltered[m][r] = Math.max(st.peakFiltered[m][r], Math.abs(yf[r]));
          st.meanAbs[m][r] += Math.abs(yf[r]) / steps;
          st.rmsStep[m][r] += (y[r] * y[r]) / steps;
        }
      });
    }
    for (const { id, view, sum } of views) {
      const m = maxJ.get(id)!;
      for (let i = 0; i < view.J.length; i++) {
        sum[i] += view.output[i];
        const a = Math.abs(view.J[i] - view.bias[i]);
        if (a > m[i]) m[i] = a;
      }
    }
    nodeConns.forEach((c, ci) => {
      const out = sim.nodeOutputView(c.source.id)!;
      const { x, f, fn } = scratch[ci];
      c.source.indices.forEach((src, i) => (x[i] = out[src]));
      applyFunction(fn, x, 0, x.length, f, 0);
      const W = c.weights, peak = peaks.get(c.id)!;
      for (let r = 0; r < W.rows; r++) {
        let y = 0;
        for (let j = 0; j < W.cols; j++) y += W.data[r * W.cols + j] * f[j];
        if (Math.abs(y) > peak[r]) peak[r] = Math.abs(y);
      }
    });
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
