/** The IR verifiers' learning checks: a pass that breaks a learned connection or its error is caught (LMU9001). */
import { build, loadNetworkText } from "../api.js";
import { verifyBuilt, verifyNetwork } from "./verify.js";

const text = `
nodes:
  one: { output: 1 }
  out: { size_in: 1 }
ensembles:
  ens: { n_neurons: 10, dimensions: 1 }
connections:
  - { id: w, from: ens, to: out, function: zero, learning_rule: { pes: {} } }
  - { from: one, to: w.learning, synapse: null }
`;

describe("learning in the IR verifiers", () => {
  const net = loadNetworkText(text, "net.yaml");
  const built = build(net);

  test("a valid learned network has no problems at either stage", () => {
    expect(verifyNetwork(net)).toEqual([]);
    expect(verifyBuilt(built)).toEqual([]);
  });

  test("an error connection aimed at a connection without a rule is reported at both stages", () => {
    const plain = net.connections.map(({ learningRule: _, ...c }) => c);
    expect(verifyNetwork({ ...net, connections: plain })).toEqual(["error connection c1: 'c0' is not a learned connection"]);
    const unlearned = built.connections.map(({ learning: _, ...c }) => c);
    expect(verifyBuilt({ ...built, connections: unlearned })).toEqual(["error connection c1: 'c0' is not a learned connection"]);
  });

  test("a learned connection that lost its decoders, and an error of the wrong size, are reported", () => {
    const noDecoders = built.connections.map(({ decoders: _, ...c }) => c);
    expect(verifyBuilt({ ...built, connections: noDecoders })).toEqual(["connection c0: a learned connection must decode all neurons of an ensemble"]);
    const e = built.errorConnections![0];
    const wide = { ...e, target: { ...e.target, indices: [0, 1] } };
    expect(verifyBuilt({ ...built, errorConnections: [wide] })).toEqual([
      "error connection c1: error index 1 out of range (1)",
      "error connection c1: weights have 1 rows, the error has 2",
    ]);
  });
});
