/**
 * A network without an LMU gets references (issue 13): the target a probe states with
 * `reference:` (recorded through the probe's own synapse and sampling), and the network with every
 * ensemble computing its functions exactly ("ideal functions", Nengo's Direct mode).
 */
import { loadNetworkText } from "../api.js";
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { idealFunctionTwin } from "./references.js";
import { NET } from "../../test/helpers/reference-net.js";

test("reference: located errors (LMU8010) for a neuron population, a size mismatch and a spike probe", () => {
  const bad = NET + "  p1: { target: b, reference: a.neurons }\n  p2: { target: b, reference: pair }\n  p3: { target: a.neurons, reference: stim }\n";
  let err: unknown;
  try {
    loadNetworkText(bad, "bad.yaml");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DiagnosticError);
  const ds = (err as DiagnosticError).diagnostics.map((d) => `${d.code} ${d.location?.line}:${d.location?.column} ${d.message}`);
  // Lines 20-22 of the text (it starts with a blank line), each at its reference's value.
  expect(ds).toEqual([
    "LMU8010 20:31 reference 'a.neurons' is a neuron population; give a node, ensemble or LMU value (e.g. 'a')",
    "LMU8010 21:31 reference 'pair' has 2 dimensions, the probe 1; slice one of them (e.g. 'pair[0:1]') so they match",
    "LMU8010 22:39 a spikes probe has no reference value; give 'reference' to a probe of a decoded value or a node's output",
  ]);
});

test("the ideal-functions twin: ensembles become passthrough nodes, decoded probes their outputs; none with learning or .neurons connections", () => {
  const twin = idealFunctionTwin(loadNetworkText(NET, "square-chain.yaml"))!;
  expect(twin.ensembles).toEqual([]);
  expect(twin.nodes.filter((n) => n.id === "a" || n.id === "b").map((n) => [n.id, n.output.kind, n.sizeIn])).toEqual([["a", "passthrough", 1], ["b", "passthrough", 1]]);
  expect(twin.probes.find((p) => p.id === "b")!.attr).toBe("output");
  expect(idealFunctionTwin(loadNetworkText(NET.replace("{ from: a, to: b, function: square }", "{ from: a.neurons, to: b, transform: { dist: uniform, low: -0.01, high: 0.01 } }"), "n.yaml"))).toBeUndefined();
});
