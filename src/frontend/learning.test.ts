/** PES in the network format: what a learned network converts to, and each bad combination as a located error. */
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { loadNetworkText } from "./index.js";

const load = (text: string) => loadNetworkText(text, "net.yaml");

function errorsOf(text: string): DiagnosticError["diagnostics"] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostics;
    throw e;
  }
  throw new Error("expected the network to be rejected");
}

/** A learned network; `conns` replaces the connection list (its first connection is on line 16). */
const net = (conns: string, extraNodes = "") => `nodes:
  stim: { output: { kind: sine, frequency: 1 } }
  out: { size_in: 1 }
  target: { size_in: 1, delay: 0.5 }
  err: { size_in: 1, until: 8 }
  two: { size_in: 2 }
${extraNodes}ensembles:
  ens: { n_neurons: 20, dimensions: 1 }
lmus:
  mem: { input: stim, order: 2, theta: 1 }
connections:
  - { from: stim, to: ens }
  - { from: stim, to: target, synapse: null }
  - { from: target, to: err, transform: -1, synapse: null }
  - { from: out, to: err, synapse: null }
${conns}`;

const learned = `  - { id: readout, from: ens, to: out, function: zero, learning_rule: { pes: { learning_rate: 2.0e-4 } } }\n`;

describe("a learned network", () => {
  const ir = load(net(learned + "  - { from: err, to: readout.learning, synapse: null }\n"));

  test("the learned connection carries PES with its rate and Nengo's default pre-synapse, 5 ms", () => {
    const c = ir.connections.find((k) => k.learningRule)!;
    expect(c.id).toBe("c4");
    expect(c.learningRule).toEqual({ kind: "pes", learningRate: 2e-4, preSynapse: { kind: "lowpass", tauSeconds: 0.005 } });
    expect(c.fn).toEqual({ kind: "zero", size: 1 });
  });

  test("the error connection is listed apart, aimed at the learned connection's IR id", () => {
    expect(ir.connections).toHaveLength(5);
    expect(ir.errorConnections).toHaveLength(1);
    expect(ir.errorConnections![0]).toMatchObject({ from: { id: "err" }, to: { id: "c4", text: "readout.learning" }, synapse: { kind: "none" } });
  });

  test("until gates a node at 8 s and delay 0.5 s is a 500-step delay line (dt 1 ms)", () => {
    const byId = Object.fromEntries(ir.nodes.map((n) => [n.id, n]));
    expect(byId.err.untilSeconds).toBe(8);
    expect(byId.target.output).toEqual({ kind: "delay", delaySteps: 500 });
  });

  test("the issue's spelling '<from>-><to>.learning' names the same connection", () => {
    const alt = load(net(learned + "  - { from: err, to: ens->out.learning, synapse: null }\n"));
    expect(alt.errorConnections![0].to.id).toBe("c4");
  });
});

describe("bad combinations are located errors", () => {
  const one = (conns: string, extraNodes = "") => {
    const ds = errorsOf(net(conns, extraNodes));
    expect(ds).toHaveLength(1);
    return ds[0];
  };

  test("PES from a node: LMU2201 at the connection's from, and no second error for its error connection", () => {
    const d = one("  - { id: bad, from: stim, to: out, learning_rule: { pes: {} } }\n  - { from: err, to: bad.learning }\n");
    expect(d.code).toBe("LMU2201");
    expect(d.message).toMatch(/'stim' is a node/);
    expect(d.location?.line).toBe(16);
  });

  test("PES on a neuron→neuron connection (from .neurons): LMU2201", () => {
    const d = one("  - { from: ens.neurons, to: ens.neurons, transform: 0, learning_rule: { pes: {} } }\n");
    expect(d.code).toBe("LMU2201");
    expect(d.message).toMatch(/neuron-to-neuron/);
  });

  test("PES with full weights (solver weights: true): LMU2201", () => {
    const d = one("  - { from: ens, to: ens, solver: { weights: true }, learning_rule: { pes: {} } }\n");
    expect(d.code).toBe("LMU2201");
  });

  test("PES from an LMU: LMU2201", () => {
    expect(one("  - { from: mem, to: two, learning_rule: { pes: {} } }\n").code).toBe("LMU2201");
  });

  test("an error of the wrong dimension: LMU2203 naming both sizes", () => {
    const d = one(learned + "  - { from: two, to: readout.learning }\n");
    expect(d.code).toBe("LMU2203");
    expect(d.message).toMatch(/1 output dimension.*gives 2/);
    expect(d.location?.line).toBe(17);
  });

  test("an error into a connection without a learning rule: LMU2202", () => {
    const d = one("  - { id: plain, from: ens, to: out }\n  - { from: err, to: plain.learning }\n");
    expect(d.code).toBe("LMU2202");
    expect(d.message).toMatch(/no learning_rule/);
  });

  test("an error into an unknown connection: LMU2202", () => {
    expect(one(learned + "  - { from: err, to: readuot.learning }\n").code).toBe("LMU2202");
  });

  test("two learning rules on one connection: LMU2204", () => {
    expect(one("  - { from: ens, to: out, learning_rule: [{ pes: {} }, { pes: {} }] }\n").code).toBe("LMU2204");
  });

  test("two connections with one id: LMU2205", () => {
    expect(one(learned + "  - { id: readout, from: ens, to: 'two[0]' }\n").code).toBe("LMU2205");
  });

  test("until on a node that produces a signal, and a delay that is not whole steps: LMU2206", () => {
    expect(one("", "  gated: { output: 1, until: 3 }\n").code).toBe("LMU2206");
    expect(one("", "  late: { size_in: 1, delay: 0.0005 }\n").code).toBe("LMU2206");
  });

  test("an error straight from an LMU: LMU2207", () => {
    expect(one("  - { id: r2, from: ens, to: two, function: { zero: 2 }, learning_rule: { pes: {} } }\n  - { from: mem, to: r2.learning }\n").code).toBe("LMU2207");
  });

  test("a learning rule that is not PES is a schema error (LMU1002) naming the unknown rule", () => {
    const ds = errorsOf(net("  - { from: ens, to: out, learning_rule: { bcm: {} } }\n"));
    expect(ds.map((d) => d.code)).toEqual(["LMU1002", "LMU1002"]);
    expect(ds[1].message).toMatch(/unknown field 'bcm'.*accepted: pes/);
  });
});
