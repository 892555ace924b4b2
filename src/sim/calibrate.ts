/**
 * Calibration: a short float run that measures what the hardware compiler has to plan for —
 * firing rates (for placement by expected traffic), the largest input current each neuron sees
 * (for the 23-bit current range), and the largest value each host input carries (for the on/off
 * spike encoding's scale). Deterministic: same network, same numbers.
 */
import type { BuiltNetwork } from "../ir/built.js";
import { applyFunction, functionOutputSize } from "../nef/functions.js";
import { Simulator } from "./simulator.js";

export interface Calibration {
  readonly steps: number;
  /** Mean firing rate per neuron (Hz), by ensemble id. */
  readonly ratesHz: ReadonlyMap<string, Float64Array>;
  /** max |J − bias| per neuron over the run: the input current the synapses deliver. */
  readonly maxInputCurrent: ReadonlyMap<string, Float64Array>;
  /** For connections from nodes: max |W·f(x)| per output row, by connection id. */
  readonly nodeConnectionPeak: ReadonlyMap<string, Float64Array>;
}

export function calibrate(built: BuiltNetwork, steps: number): Calibration {
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
  for (let k = 0; k < steps; k++) {
    sim.step();
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
  return { steps, ratesHz, maxInputCurrent: maxJ, nodeConnectionPeak: peaks };
}
