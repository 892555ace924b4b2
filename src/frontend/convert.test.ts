/** The frontend's semantics: defaults, shorthands, references and the locations it records. */
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { defaultEvalPointCount } from "./convert.js";
import { loadNetworkText } from "./index.js";

const load = (text: string) => loadNetworkText(text, "net.yaml");

/** The diagnostics a text produces (fails the test if it loads). */
function errorsOf(text: string): DiagnosticError["diagnostics"] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostics;
    throw e;
  }
  throw new Error("expected the network to be rejected");
}

const small = `
lmuc: 1
nodes:
  stim:
    output: 0.5
ensembles:
  a:
    n_neurons: 100
    dimensions: 1
    neuron: lif
  b: { n_neurons: 200, dimensions: 4 }
connections:
  - { from: stim, to: a }
  - { from: a, to: "b[0]" }
probes:
  a: { target: a }
  b_spikes: { target: b.neurons }
`;

describe("defaults", () => {
  const net = load(small);

  test("dt is 0.001 s, the seed 0 and the name the file's base name when the file gives none", () => {
    expect(net.dtSeconds).toBe(0.001);
    expect(net.seed).toBe(0);
    expect(net.name).toBe("net");
    expect(net.file).toBe("net.yaml");
  });

  test("a connection's synapse defaults to Lowpass(0.005), as in Nengo", () => {
    expect(net.connections.map((c) => c.synapse)).toEqual([
      { kind: "lowpass", tauSeconds: 0.005 },
      { kind: "lowpass", tauSeconds: 0.005 },
    ]);
  });

  test("a probe has no synapse unless given one, and records decoded values (ensemble) or spikes (.neurons)", () => {
    const byId = Object.fromEntries(net.probes.map((p) => [p.id, p]));
    expect(byId.a).toMatchObject({ synapse: { kind: "none" }, attr: "decoded", sampleEverySteps: 1 });
    expect(byId.b_spikes).toMatchObject({ synapse: { kind: "none" }, attr: "spikes", target: { id: "b", part: "neurons" } });
  });

  test("synapse: null is no synapse, a number a lowpass time constant, {lowpass} the same", () => {
    const n = load(`
nodes:
  s: { output: 1 }
  p: { size_in: 1 }
connections:
  - { from: s, to: p, synapse: null }
  - { from: s, to: p, synapse: 0 }
  - { from: s, to: p, synapse: { lowpass: 0.02 } }
`);
    expect(n.connections.map((c) => c.synapse)).toEqual([{ kind: "none" }, { kind: "lowpass", tauSeconds: 0 }, { kind: "lowpass", tauSeconds: 0.02 }]);
  });

  test.each([
    [100, 1, 750], // 500·d = 500 is clipped up to 750
    [200, 4, 2000], // 500·d = 2000
    [400, 8, 2500], // 500·d = 4000 is clipped down to 2500
    [2000, 1, 4000], // 2·n wins
  ])("Nengo's eval point count for n=%i, d=%i is max(clip(500d, 750, 2500), 2n) = %i", (n, d, expected) => {
    expect(defaultEvalPointCount(n, d)).toBe(expected);
    const ens = load(`ensembles:\n  e: { n_neurons: ${n}, dimensions: ${d} }\n`).ensembles[0];
    expect(ens.nEvalPoints).toBe(expected);
  });

  test("an explicit n_eval_points or eval_points count overrides the default", () => {
    const n = load(`
ensembles:
  a: { n_neurons: 100, dimensions: 1, n_eval_points: 123 }
  b: { n_neurons: 100, dimensions: 2, eval_points: [[0, 0], [1, 0], [0, 1]] }
`);
    expect(n.ensembles.map((e) => e.nEvalPoints)).toEqual([123, 3]);
  });

  test("the neuron shorthand 'lif' and an omitted neuron are both LIF with tau_rc 0.02 s and tau_ref 0.002 s", () => {
    const [a, b] = net.ensembles;
    expect(a.neuron).toMatchObject({ type: "lif", tauRcSeconds: 0.02, tauRefSeconds: 0.002 });
    expect(b.neuron).toMatchObject({ type: "lif", tauRcSeconds: 0.02, tauRefSeconds: 0.002 });
  });

  test("Nengo's default tuning: max rates U(200, 400) Hz, intercepts U(-1, 0.9), radius 1", () => {
    const a = net.ensembles[0];
    expect(a.maxRatesHz).toEqual({ kind: "dist", dist: { dist: "uniform", low: 200, high: 400 } });
    expect(a.intercepts).toEqual({ kind: "dist", dist: { dist: "uniform", low: -1, high: 0.9 } });
    expect(a.radius).toBe(1);
  });
});

describe("references and LMUs", () => {
  const lmuNet = (layout: string) => `
lmuc: 1
nodes:
  stim: { output: { kind: sine, frequency: 1 } }
lmus:
  mem:
    input: stim
    order: 4
    theta: 0.5
    implementation: { kind: neurons, layout: ${layout}, n_neurons_per_dimension: 50 }
probes:
  spikes: { target: mem.neurons }
  state: mem
`;

  test("an LMU keeps its id, and 'id.neurons' names its one population when the layout is single", () => {
    const net = load(lmuNet("single"));
    expect(net.lmus.map((l) => l.id)).toEqual(["mem"]);
    expect(net.lmus[0]).toMatchObject({ order: 4, thetaSeconds: 0.5, discretization: "zoh", input: { id: "stim", part: "value" } });
    const spikes = net.probes.find((p) => p.id === "spikes")!;
    expect(spikes).toMatchObject({ target: { id: "mem", part: "neurons" }, attr: "spikes" });
    const impl = net.lmus[0].implementation;
    expect(impl.kind === "neurons" && impl.ensemble.nNeurons).toBe(200);
  });

  test("with layout per-dimension there is no single population, so 'id.neurons' is an error at the probe target", () => {
    const d = errorsOf(lmuNet("per-dimension"));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "LMU2007", location: { file: "net.yaml", line: 12, column: 21 } });
    expect(d[0].message).toContain("LMU 'mem' has no single neuron population");
  });

  test("a slice on an endpoint resolves to explicit indices", () => {
    const net = load(small);
    expect(net.connections[1].to).toEqual({ id: "b", part: "value", indices: [0], text: "b[0]" });
    expect(net.connections[0].to.indices).toBeUndefined();
  });

  test("objects can be referenced before they are declared, and every independent error is reported", () => {
    const d = errorsOf(`
connections:
  - { from: a, to: nowhere }
  - { from: elsewhere, to: a }
ensembles:
  a: { n_neurons: 10, dimensions: 1 }
`);
    expect(d.map((x) => [x.code, x.message])).toEqual([
      ["LMU2001", "unknown id 'nowhere' (known: a)"],
      ["LMU2001", "unknown id 'elsewhere' (known: a)"],
    ]);
  });
});

describe("locations point at the YAML that defined each object", () => {
  const net = load(small);

  test("ensembles, nodes and probes point at their key; connections at their list item", () => {
    expect(net.nodes[0].origin).toMatchObject({ file: "net.yaml", line: 4, column: 3 });
    expect(net.ensembles.map((e) => [e.origin?.line, e.origin?.column])).toEqual([
      [7, 3],
      [11, 3],
    ]);
    expect(net.connections.map((c) => [c.origin?.line, c.origin?.column])).toEqual([
      [13, 5],
      [14, 5],
    ]);
    expect(net.probes.map((p) => [p.origin?.line, p.origin?.column])).toEqual([
      [16, 3],
      [17, 3],
    ]);
  });

  test("an error in a value points at that value, with its JSON path", () => {
    const d = errorsOf(`lmuc: 1
ensembles:
  a:
    n_neurons: 10
    dimensions: 2
    encoders: [[1, 0], [0, 1]]
`);
    expect(d[0]).toMatchObject({ code: "LMU2002", location: { file: "net.yaml", line: 6, column: 15, path: "/ensembles/a/encoders" } });
    expect(d[0].message).toBe("encoders has shape [2, 2], expected [10, 2]");
  });

  test("JSON input gets the same locations as YAML", () => {
    const d = (() => {
      try {
        loadNetworkText('{\n  "lmuc": 1,\n  "ensembles": {\n    "a": { "n_neurons": -1, "dimensions": 1 }\n  }\n}\n', "net.json");
      } catch (e) {
        return (e as DiagnosticError).diagnostics;
      }
      throw new Error("expected an error");
    })();
    expect(d[0]).toMatchObject({ code: "LMU1002", location: { file: "net.json", line: 4, column: 25 } });
  });
});
