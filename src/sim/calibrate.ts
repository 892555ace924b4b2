/**
 * Calibration: a short float run that measures what the hardware compiler has to plan for —
 * firing rates (for placement by expected traffic), the largest input current each neuron sees
 * (for the 23-bit current range), and the largest value each host input carries (for the on/off
 * spike encoding's scale). Deterministic: same network, same numbers.
 */
import type { BuiltNetwork } from "../ir/built.js";
import { applyFunction, functionOutputSize } from "../nef/functions.js";
import type { DecodeCalibration, DecodePlan } from "../passes/decode-neurons.js";
import { Simulator } from "./simulator.js";

export interface Calibration {
  readonly steps: number;
  /** Mean firing rate per neuron (Hz), by ensemble id. */
  readonly ratesHz: ReadonlyMap<string, Float64Array>;
  /** max |J − bias| per neuron over the run: the input current the synapses deliver. */
  readonly maxInputCurrent: ReadonlyMap<string, Float64Array>;
  /** For connections from nodes: max |W·f(x)| per output row, by connection id. */
  readonly nodeConnectionPeak: ReadonlyMap<string, Float64Array>;
  /** For chip → chip connections planned through decode neurons: peaks of y = W·a per chunk and row, by connection id. */
  readonly decoded: ReadonlyMap<string, DecodeCalibration>;
}

export function calibrate(built: BuiltNetwork, steps: number, decodePlans: readonly DecodePlan[] = []): Calibration {
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
  const decodeState = decodePlans.map((plan) => {
    const c = built.connections.find((x) => x.id === plan.connection)!;
    const tau = Math.max(c.synapse.kind === "lowpass" ? c.synapse.tauSeconds : 0, 0.005);
    const rows = c.weights.rows;
    const per = () => plan.chunks.map(() => new Float64Array(rows));
    return { plan, c, W: plan.weights ?? c.weights, alpha: -Math.expm1(-dt / tau), view: sim.ensembleView(c.source.id)!, y: per(), yf: per(), peakFiltered: per(), peakStep: per(), meanAbs: per(), rmsStep: per() };
  });
  for (let k = 0; k < steps; k++) {
    sim.step();
    for (const st of decodeState) {
      const W = st.W, src = st.c.source.indices, out = st.view.output;
      st.plan.chunks.forEach((cols, m) => {
        const y = st.y[m].fill(0);
        for (const col of cols) {
          const a = out[src[col]];
          if (a === 0) continue;
          for (let r = 0; r < W.rows; r++) y[r] += W.data[r * W.cols + col] * a;
        }
        const yf = st.yf[m];
        for (let r = 0; r < W.rows; r++) {
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
  }
  const ratesHz = new Map<string, Float64Array>();
  for (const e of built.ensembles) {
    // Outputs are amplitude/dt per spike, so the mean output is the rate times the amplitude.
    const sum = spikes.get(e.id)!;
    ratesHz.set(e.id, sum.map((v) => v / steps / e.neuron.amplitude));
  }
  const decoded = new Map(decodeState.map((st) => [st.plan.connection, { peakFiltered: st.peakFiltered, peakStep: st.peakStep, meanAbs: st.meanAbs, rmsStep: st.rmsStep.map((x) => x.map(Math.sqrt)) }]));
  return { steps, ratesHz, maxInputCurrent: maxJ, nodeConnectionPeak: peaks, decoded };
}
