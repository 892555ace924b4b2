/**
 * `lmuc verify` rebuilds a Nengo network vector from the file's own fields: changing a field
 * changes the network it builds, and a field it cannot honour is refused by name (issue 8: it used
 * to hard-code the neuron type, 8 dimensions, synapse 0.1, probe synapse 0.01 and radius 1).
 */
import { loadFixture } from "../../test/helpers/fixtures.js";
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { loadNetworkObject } from "../frontend/index.js";
import { delayNetwork, lmuMemoryNetwork, verifyReference } from "./reference.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DiagnosticError) return `${e.diagnostics[0].code} ${e.diagnostics[0].message}`;
    throw e;
  }
  throw new Error("expected a refusal");
}

/** Columns [0, k) of a row-major [rows, cols] array (and rows [0, k) when `square`). */
function leading(a: { shape: number[]; data: number[] }, k: number, square = false): { shape: number[]; data: number[] } {
  const [rows, cols] = a.shape.length === 1 ? [a.shape[0], 1] : a.shape;
  const keepRows = square ? k : rows;
  const data: number[] = [];
  for (let i = 0; i < keepRows; i++) for (let j = 0; j < Math.min(k, cols); j++) data.push(a.data[i * cols + j]);
  return { shape: [keepRows, Math.min(k, cols)], data };
}

describe("net-lmu-memory: the network comes from the file's fields", () => {
  test("a probe synapse of 0.05 s in the file builds a 0.05 s probe, and the stored output (made with 0.01 s) then no longer matches", () => {
    const json = loadFixture("reference/net-lmu-memory.json.gz") as Json;
    json.probe.synapse = { Lowpass: 0.05 };
    const net = loadNetworkObject(lmuMemoryNetwork(json, json.variants[0], true, 0));
    expect(net.probes.find((p) => p.id === "decoded")!.synapse).toEqual({ kind: "lowpass", tauSeconds: 0.05 });
    const failed = verifyReference(json).checks.filter((c) => !c.pass).map((c) => c.what);
    // Both variants' decoded probes move; the spike trains do not depend on the probe.
    expect(failed).toEqual(["lif: decoded probe (stored decoders)", "rectified_linear: decoded probe (stored decoders)"]);
  });

  test("the neuron type and its parameters come from each variant", () => {
    const json = loadFixture("reference/net-lmu-memory.json.gz") as Json;
    json.variants[0].neuron.tau_rc = 0.05;
    const lif = loadNetworkObject(lmuMemoryNetwork(json, json.variants[0], true, 0)).ensembles[0];
    expect(lif.neuron).toEqual({ type: "lif", tauRcSeconds: 0.05, tauRefSeconds: 0.002, minVoltage: 0, amplitude: 1 });
    const relu = loadNetworkObject(lmuMemoryNetwork(json, json.variants[1], true, 1)).ensembles[0];
    expect(relu.neuron).toEqual({ type: "relu", amplitude: 1 });
  });

  test("an unknown neuron type is refused by name, not simulated as another type", () => {
    const json = loadFixture("reference/net-lmu-memory.json.gz") as Json;
    json.variants[1].neuron = { type: "Izhikevich", amplitude: 1 };
    expect(refusal(() => verifyReference(json))).toBe("LMU1012 reference vector field variants[1].neuron.type: 'Izhikevich' is not a neuron type lmuc simulates (LIF, LIFRate, RectifiedLinear, SpikingRectifiedLinear)");
  });

  test("a synapse other than Lowpass, a missing LIF parameter and missing initial voltages are refused by name", () => {
    const json = loadFixture("reference/net-lmu-memory.json.gz") as Json;
    json.recurrent_connection.synapse = { Alpha: 0.1 };
    expect(refusal(() => verifyReference(json))).toBe('LMU1012 reference vector field recurrent_connection.synapse: {"Alpha":0.1} is not a synapse lmuc simulates (Lowpass or null)');
    const json2 = loadFixture("reference/net-lmu-memory.json.gz") as Json;
    delete json2.variants[0].neuron.tau_ref;
    expect(refusal(() => verifyReference(json2))).toBe("LMU1012 reference vector field variants[0].neuron.tau_ref: missing (Nengo's default is not assumed)");
    const json3 = loadFixture("reference/net-lmu-memory.json.gz") as Json;
    delete json3.variants[0].initial_voltage;
    expect(refusal(() => verifyReference(json3))).toMatch(/^LMU1012 reference vector field variants\[0\]\.initial_voltage: missing/);
  });
});

describe("net-delay: the network comes from the file's fields", () => {
  test("radius, synapses and neuron parameters are the file's", () => {
    const json = loadFixture("reference/net-delay.json.gz") as Json;
    json.ensemble.radius = 2;
    json.recurrent_connection.synapse = { Lowpass: 0.05 };
    json.readout_connection.synapse = null;
    json.probe.synapse = { Lowpass: 0.02 };
    json.ensemble.neuron.min_voltage = -1;
    const net = loadNetworkObject(delayNetwork(json));
    expect(net.ensembles[0].radius).toBe(2);
    expect(net.ensembles[0].neuron).toMatchObject({ type: "lif", minVoltage: -1 });
    expect(net.connections.map((c) => c.synapse)).toEqual([
      { kind: "lowpass", tauSeconds: 0.1 },
      { kind: "lowpass", tauSeconds: 0.05 },
      { kind: "none" },
    ]);
    expect(net.probes[0].synapse).toEqual({ kind: "lowpass", tauSeconds: 0.02 });
  });

  test("an order-4 vector (the first 4 state dimensions of the order-8 one) builds a 4-dimensional ensemble, not 8", () => {
    const json = loadFixture("reference/net-delay.json.gz") as Json;
    json.lmu.order = 4;
    json.ensemble.dimensions = 4;
    json.ensemble.encoders = leading(json.ensemble.encoders, 4);
    json.ensemble.eval_points = leading(json.ensemble.eval_points, 4);
    json.decoders = leading(json.decoders, 4);
    json.input_connection.transform = { shape: [4, 1], data: json.input_connection.transform.data.slice(0, 4) };
    json.recurrent_connection.transform = leading(json.recurrent_connection.transform, 4, true);
    json.readout_connection.transform = leading(json.readout_connection.transform, 4);
    const net = loadNetworkObject(delayNetwork(json));
    expect(net.ensembles[0].dimensions).toBe(4);
    expect(net.ensembles[0].encoders.kind === "explicit" && net.ensembles[0].encoders.values.cols).toBe(4);
    expect(net.connections[1].transform.kind === "matrix" && [net.connections[1].transform.values.rows, net.connections[1].transform.values.cols]).toEqual([4, 4]);
  });

  test("a readout function other than identity is refused by name", () => {
    const json = loadFixture("reference/net-delay.json.gz") as Json;
    json.readout_connection.function = "square";
    expect(refusal(() => verifyReference(json))).toBe("LMU1012 reference vector field readout_connection.function: 'square' is not a function lmuc can rebuild here (identity)");
  });
});

test("the unit vectors refuse an unknown neuron type by name instead of stepping it as spiking ReLU", () => {
  const json = loadFixture("reference/lif-spiking.json.gz") as Json;
  json.cases[2].neuron.type = "AdaptiveLIF";
  expect(refusal(() => verifyReference(json))).toMatch(/^LMU1012 reference vector field cases\[2\]\.neuron\.type: 'AdaptiveLIF' is not a neuron type/);
});
