/**
 * PES timing in the float simulator on a one-neuron network (where every number can be written
 * down), and the learning curve `lmuc simulate` prints, on a shortened run of the PES example.
 */
import { build, loadNetworkFile, loadNetworkText, simulate, simulateWithReference, stepsFor } from "../api.js";
import { learningPairs } from "./learning-curve.js";
import { lowpassCoefficients } from "./synapse.js";

/** One rectified-linear neuron at a constant 100 Hz learns from a constant error of 1 (κ = 1, dt = 1 ms). */
function oneNeuron(synapse: string, preSynapse: string): Float64Array {
  const text = `
dt: 0.001
nodes:
  one: { output: 1 }
  out: { size_in: 1 }
ensembles:
  ens: { n_neurons: 1, dimensions: 1, neuron: relu, gain: [1], bias: [100], encoders: [[1]] }
connections:
  - { id: w, from: ens, to: out, function: zero, decoders: [[0]], synapse: ${synapse}, learning_rule: { pes: { learning_rate: 1, pre_synapse: ${preSynapse} } } }
  - { from: one, to: w.learning, synapse: null }
probes:
  out: out
`;
  return simulate(build(loadNetworkText(text, "one.yaml")), 4).probes[0].data;
}

describe("PES timing (float-semantics.md §12a)", () => {
  // α = −κ·dt/n = −0.001; each step adds α·e·s_pre = −0.001·1·100 to the weight.
  const delta = -0.001 * 1 * 100;

  test("activity in step n changes the weight used from step n+1: with no synapse the output moves at step 2", () => {
    const w1 = delta, w2 = w1 + delta, w3 = w2 + delta;
    expect(Array.from(oneNeuron("null", "null"))).toEqual([0, w1 * 100, w2 * 100, w3 * 100]);
  });

  test("through a connection synapse (0: one step) the output moves from step n+2", () => {
    const w1 = delta, w2 = w1 + delta;
    expect(Array.from(oneNeuron("0", "null"))).toEqual([0, 0, w1 * 100, w2 * 100]);
  });

  test("the pre-synaptic filter includes the step's own activity ('set' mode): s_1 = b·100, not 0", () => {
    const { a, b } = lowpassCoefficients(0.005, 0.001);
    const s1 = b * 100, s2 = a * s1 + b * 100;
    const w1 = -0.001 * 1 * s1, w2 = w1 + -0.001 * 1 * s2;
    expect(Array.from(oneNeuron("null", "0.005"))).toEqual([0, w1 * 100, w2 * 100, expect.any(Number)]);
  });
});

describe("the learning curve of examples/lmu-delay-pes.yaml, shortened", () => {
  const net = loadNetworkFile("examples/lmu-delay-pes.yaml");

  test("the pair is found from the error wiring: 'out' against 'target', learning off at the error node's until", () => {
    expect(learningPairs(net)).toEqual([{ connectionId: "c1", text: "ens → out", learningRate: 2e-4, outputProbe: "out", targetProbe: "target", offSeconds: 80 }]);
    // Without a probe on the target there is nothing to compare against.
    expect(learningPairs({ ...net, probes: net.probes.filter((p) => p.id !== "target") })).toEqual([]);
  });

  test("20 s with learning off from 16 s: the trained readout's NRMSE is at least 1.4× below the untrained one (measured 1.58×)", () => {
    const short = { ...net, nodes: net.nodes.map((n) => (n.id === "err" ? { ...n, untilSeconds: 16 } : n)) };
    const report = simulateWithReference(short, stepsFor(20, net.dtSeconds));
    const c = report.learning![0];
    expect(c.windows).toHaveLength(10);
    expect(c.afterFromSeconds).toBeCloseTo(15.999, 9);
    // The untrained readout (function zero) outputs exactly 0: NRMSE 1.
    expect(c.nrmseUntrained).toBe(1);
    expect(c.nrmseTrained).toBeLessThan(c.nrmseUntrained / 1.4);
  });
});
