/**
 * Filtered connections from one node's whole output with the same synapse run as one stacked
 * mat-vec on the SIMD kernel (simulator.ts fuseNodeConnections). Against the per-connection loops
 * (withoutKernels: no kernel, so nothing is fused): a passthrough node of 8 scaled sines feeding two 300-neuron
 * ensembles' neurons through 300 × 8 transforms (600 stacked rows, above the kernel threshold),
 * and a third connection with another synapse (its own group of one, not fused).
 */
import { build, loadNetworkObject, simulate } from "../api.js";
import { withoutKernels } from "../math/kernels.js";
import { Simulator } from "./simulator.js";

const transform = (rows: number, cols: number, seed: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => Math.sin(seed + 0.37 * r + 1.13 * c) * 0.5));

const doc = {
  lmuc: 1, name: "fused", dt: 0.001, seed: 3,
  nodes: {
    wave: { output: { kind: "sine", frequency: 2, amplitude: 0.5 } },
    stim: { size_in: 8 },
  },
  ensembles: {
    a: { n_neurons: 300, dimensions: 1 },
    b: { n_neurons: 300, dimensions: 1 },
  },
  connections: [
    { from: "wave", to: "stim", transform: Array.from({ length: 8 }, (_, k) => [1 - k / 8]), synapse: null },
    { from: "stim", to: "a.neurons", transform: transform(300, 8, 1), synapse: 0.01 },
    { from: "stim", to: "b.neurons", transform: transform(300, 8, 2), synapse: 0.01 },
    { from: "stim", to: "b.neurons", transform: transform(300, 8, 3), synapse: 0.02 },
    { from: "wave", to: "a", synapse: 0.005 },
  ],
  probes: { a: { target: "a", synapse: 0.01 }, b: { target: "b", synapse: 0.01 }, voltage: { target: "b.neurons", attr: "voltage" } },
};

test("two filtered node → neurons connections with one synapse are fused, and every probe value is bit-identical to the unfused loops over 400 steps (0 differ)", () => {
  const built = build(loadNetworkObject(doc, "fused.yaml"));
  // The two 0.01 s connections form one group; the 0.02 s one stays alone (a group of one).
  expect(new Simulator(built).fusedConnections()).toBe(2);
  expect(withoutKernels(() => new Simulator(built).fusedConnections())).toBe(0);
  const fast = simulate(built, 400).probes;
  const plain = withoutKernels(() => simulate(built, 400).probes);
  let differ = 0;
  fast.forEach((p, k) => p.data.forEach((v, i) => {
    if (!Object.is(v, plain[k].data[i])) differ++;
  }));
  // Voltages follow the currents continuously: a fused sum off in its last bit shows here.
  expect(differ).toBe(0);
  // b hears only the fused inputs (and its bias): its decoded value moves, so the comparison is not of silence.
  const b = fast.find((p) => p.id === "b")!.data;
  expect(Math.max(...b) - Math.min(...b)).toBeGreaterThan(0.05);
});
