/**
 * The whole float path (frontend → expand-lmu → build-nef → simulator) against Nengo's own runs
 * of the reference networks, with the comparisons of the reference README.
 */
import { build, loadNetworkObject, simulate } from "../../src/api.js";
import { loadFixture, type StoredArray } from "../helpers/fixtures.js";

const lmuMemory = loadFixture("reference/net-lmu-memory.json.gz");
const delayNet = loadFixture("reference/net-delay.json.gz");

const shaped = (a: StoredArray) => ({ shape: a.shape, data: a.data });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function nrmse(y: ArrayLike<number>, ideal: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (y[i] - ideal[i]) ** 2;
    den += ideal[i] ** 2;
  }
  return Math.sqrt(num) / Math.sqrt(den);
}

type Variant = { name: string; neuron: any; gain: StoredArray; bias: StoredArray; decoders: StoredArray; probe_decoded: StoredArray; initial_voltage?: StoredArray; spike_steps?: number[][]; nrmse_vs_ideal: number };

function memoryNetworkExplicit(v: Variant, storedDecoders: boolean) {
  const ens = lmuMemory.ensemble;
  const neuron = v.name === "lif" ? { type: "lif", tau_rc: 0.02, tau_ref: 0.002 } : "relu";
  return {
    name: `net-lmu-memory-${v.name}`,
    dt: lmuMemory.dt,
    nodes: { input: { output: { kind: "data", values: shaped(lmuMemory.input.u) } } },
    ensembles: {
      ens: {
        n_neurons: ens.n_neurons,
        dimensions: ens.dimensions,
        neuron,
        encoders: shaped(ens.encoders),
        gain: shaped(v.gain),
        bias: shaped(v.bias),
        eval_points: shaped(ens.eval_points),
        ...(v.initial_voltage ? { initial_voltage: shaped(v.initial_voltage) } : {}),
      },
    },
    connections: [
      { from: "input", to: "ens", transform: shaped(lmuMemory.input_connection.transform), synapse: 0.1 },
      { from: "ens", to: "ens", transform: shaped(lmuMemory.recurrent_connection.transform), synapse: 0.1, ...(storedDecoders ? { decoders: shaped(v.decoders) } : {}) },
    ],
    probes: {
      decoded: { target: "ens", synapse: 0.01, ...(storedDecoders ? { decoders: shaped(v.decoders) } : {}) },
      spikes: { target: "ens.neurons", attr: "spikes" },
    },
  };
}

/** The same network written as an LMU block: the expansion must produce the same transforms. */
function memoryNetworkAsLmu(v: Variant) {
  const ens = lmuMemory.ensemble;
  return {
    name: "net-lmu-memory-block",
    dt: lmuMemory.dt,
    nodes: { input: { output: { kind: "data", values: shaped(lmuMemory.input.u) } } },
    lmus: {
      mem: {
        input: "input",
        order: 4,
        theta: 1.0,
        implementation: {
          kind: "neurons",
          mapping: "continuous",
          synapse: 0.1,
          n_neurons: ens.n_neurons,
          neuron: v.name === "lif" ? "lif" : "relu",
          encoders: shaped(ens.encoders),
          gain: shaped(v.gain),
          bias: shaped(v.bias),
          eval_points: shaped(ens.eval_points),
          ...(v.initial_voltage ? { initial_voltage: shaped(v.initial_voltage) } : {}),
        },
      },
    },
    probes: { decoded: { target: "mem", synapse: 0.01 }, spikes: { target: "mem.neurons", attr: "spikes" } },
  };
}

function run(network: object, steps: number) {
  const result = simulate(build(loadNetworkObject(network)), steps);
  return Object.fromEntries(result.probes.map((p) => [p.id, p]));
}

describe("net-lmu-memory.json (order-4 LMU in 200 neurons, continuous mapping, τ = 0.1)", () => {
  const lif: Variant = lmuMemory.variants.find((v: Variant) => v.name === "lif");
  const relu: Variant = lmuMemory.variants.find((v: Variant) => v.name === "rectified_linear");
  const steps = lmuMemory.n_steps as number;

  test("rectified_linear with stored decoders: probe within abs 1e-9 (Nengo vs an independent implementation: 7e-16)", () => {
    const p = run(memoryNetworkExplicit(relu, true), steps);
    expect(p.decoded.rows).toBe(steps);
    expect(maxAbsDiff(p.decoded.data, relu.probe_decoded.data)).toBeLessThanOrEqual(1e-9);
  });

  test("rectified_linear with re-solved decoders: probe within abs 1e-7, NRMSE 0.1113 within 1e-9 relative", () => {
    const p = run(memoryNetworkExplicit(relu, false), steps);
    expect(maxAbsDiff(p.decoded.data, relu.probe_decoded.data)).toBeLessThanOrEqual(1e-7);
    const e = nrmse(p.decoded.data, lmuMemory.ideal.probe_filtered.data);
    expect(Math.abs(e - relu.nrmse_vs_ideal)).toBeLessThanOrEqual(1e-9 * relu.nrmse_vs_ideal + 1e-7);
  });

  test("lif with stored decoders: all 33123 spikes identical, probe within abs 1e-9, NRMSE 0.2478", () => {
    const p = run(memoryNetworkExplicit(lif, true), steps);
    expect(p.spikes.spikes!.spikeSteps).toEqual(lif.spike_steps);
    expect(p.spikes.spikes!.spikeSteps.reduce((s, l) => s + l.length, 0)).toBe(33123);
    expect(maxAbsDiff(p.decoded.data, lif.probe_decoded.data)).toBeLessThanOrEqual(1e-9);
    const e = nrmse(p.decoded.data, lmuMemory.ideal.probe_filtered.data);
    expect(Math.abs(e - lif.nrmse_vs_ideal)).toBeLessThanOrEqual(1e-9 * lif.nrmse_vs_ideal);
  });

  test("lif as an LMU block with re-solved decoders: identical spikes, probe within abs 1e-7", () => {
    const p = run(memoryNetworkAsLmu(lif), steps);
    expect(p.spikes.spikes!.spikeSteps).toEqual(lif.spike_steps);
    expect(maxAbsDiff(p.decoded.data, lif.probe_decoded.data)).toBeLessThanOrEqual(1e-7);
  });

  test("ideal LMU block reproduces ideal.state to 1e-9 and the probe filter ideal.probe_filtered to 1e-9", () => {
    const p = run(
      {
        nodes: { input: { output: { kind: "data", values: shaped(lmuMemory.input.u) } } },
        lmus: { mem: { input: "input", order: 4, theta: 1.0, implementation: "ideal" } },
        probes: { state: "mem", filtered: { target: "mem", synapse: 0.01 } },
      },
      steps,
    );
    expect(maxAbsDiff(p.state.data, lmuMemory.ideal.state.data)).toBeLessThanOrEqual(1e-9);
    expect(maxAbsDiff(p.filtered.data, lmuMemory.ideal.probe_filtered.data)).toBeLessThanOrEqual(1e-9);
  });
});

describe("net-delay.json (order-8 LMU in 400 LIF neurons, readout of u(t − 0.5) into a passthrough node)", () => {
  const steps = delayNet.n_steps as number;
  const ens = delayNet.ensemble;
  const network = (stored: boolean, asBlock: boolean) => {
    const ensParams = {
      n_neurons: ens.n_neurons,
      neuron: "lif",
      encoders: shaped(ens.encoders),
      gain: shaped(ens.gain),
      bias: shaped(ens.bias),
      eval_points: shaped(ens.eval_points),
      initial_voltage: shaped(ens.initial_voltage),
    };
    const common = {
      dt: delayNet.dt,
      nodes: { input: { output: { kind: "data", values: shaped(delayNet.input.u) } }, readout: { size_in: 1 } },
      probes: { out: { target: "readout" }, spikes: { target: asBlock ? "mem.neurons" : "ens.neurons" } },
    };
    if (asBlock) {
      return {
        ...common,
        lmus: { mem: { input: "input", order: 8, theta: 1.0, implementation: { kind: "neurons", mapping: "continuous", synapse: 0.1, ...ensParams } } },
        connections: [{ from: "mem", to: "readout", function: { "legendre-delay": 0.5 }, synapse: 0.01 }],
      };
    }
    return {
      ...common,
      ensembles: { ens: { ...ensParams, dimensions: 8 } },
      connections: [
        { from: "input", to: "ens", transform: shaped(delayNet.input_connection.transform), synapse: 0.1 },
        { from: "ens", to: "ens", transform: shaped(delayNet.recurrent_connection.transform), synapse: 0.1, ...(stored ? { decoders: shaped(delayNet.decoders) } : {}) },
        { from: "ens", to: "readout", transform: shaped(delayNet.readout_C), synapse: 0.01, ...(stored ? { decoders: shaped(delayNet.decoders) } : {}) },
      ],
    };
  };

  test("stored weights: output within abs 1e-9 (measured 2e-16), NRMSE vs delayed input 0.3435 within 1e-9 relative", () => {
    const p = run(network(true, false), steps);
    expect(maxAbsDiff(p.out.data, delayNet.output.data)).toBeLessThanOrEqual(1e-9);
    const e = nrmse(p.out.data, delayNet.ideal.delayed_input_filtered.data);
    expect(Math.abs(e - delayNet.results.nrmse_vs_ideal_delay)).toBeLessThanOrEqual(1e-9 * delayNet.results.nrmse_vs_ideal_delay);
  });

  test("re-solved decoders, written as an LMU block with a legendre-delay readout: output within abs 1e-7", () => {
    const p = run(network(false, true), steps);
    expect(maxAbsDiff(p.out.data, delayNet.output.data)).toBeLessThanOrEqual(1e-7);
  });
});
