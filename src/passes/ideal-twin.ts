/**
 * Reference twins of a network, for measuring what neurons cost in accuracy:
 *  - `idealLmuTwin`: every neural LMU replaced by its ideal linear system. Every probe of the
 *    twin shows what the probe would show if the LMU were exact, through the same synapses and
 *    with the same one-step alignment.
 *  - `exactDelayTwin`: additionally every legendre-delay readout replaced by an exact delay line
 *    of the LMU's input (C(r)·m at step n approximates u at step n − 1 − rθ/dt, §12.2), so a
 *    probe shows the ideally delayed input, the task's real target.
 * Both are NetworkIR → NetworkIR and run through the same pipeline as the network itself.
 */
import type { ConnectionIR, LmuIR, NetworkIR, NodeIR } from "../ir/network.js";

export function hasNeuralLmu(net: NetworkIR): boolean {
  return net.lmus.some((l) => l.implementation.kind === "neurons");
}

export function hasDelayReadout(net: NetworkIR): boolean {
  const lmus = new Set(net.lmus.map((l) => l.id));
  return net.connections.some((c) => c.fn.kind === "legendre-delay" && lmus.has(c.from.id));
}

function idealize(net: NetworkIR): LmuIR[] {
  return net.lmus.map((l) => (l.implementation.kind === "ideal" ? l : { ...l, implementation: { kind: "ideal" } }));
}

export function idealLmuTwin(net: NetworkIR): NetworkIR {
  // Probes on an LMU's neurons have no ideal counterpart.
  const neural = new Set(net.lmus.filter((l) => l.implementation.kind === "neurons").map((l) => l.id));
  return { ...net, name: `${net.name} (ideal LMU)`, lmus: idealize(net), probes: net.probes.filter((p) => !(p.target.part === "neurons" && neural.has(p.target.id))) };
}

export function exactDelayTwin(net: NetworkIR): NetworkIR {
  const base = idealLmuTwin(net);
  const lmuById = new Map(base.lmus.map((l) => [l.id, l]));
  const nodes: NodeIR[] = [...base.nodes];
  const connections: ConnectionIR[] = [];
  for (const c of base.connections) {
    const l = lmuById.get(c.from.id);
    if (!l || c.fn.kind !== "legendre-delay") {
      connections.push(c);
      continue;
    }
    const delaySteps = 1 + Math.round(c.fn.delaySeconds / net.dtSeconds);
    const id = `${l.id}.exact-delay-${c.id}`;
    nodes.push({ id, sizeIn: 1, sizeOut: 1, output: { kind: "delay", delaySteps }, role: "exact-delay", ...(c.origin ? { origin: c.origin } : {}) });
    connections.push({ ...c, id: `${c.id}/delay-input`, from: l.input, to: { id, part: "value", text: id }, fn: { kind: "identity" }, transform: { kind: "scalar", value: 1 }, synapse: { kind: "none" } });
    connections.push({ ...c, from: { id, part: "value", text: id }, fn: { kind: "identity" } });
  }
  return { ...base, name: `${net.name} (exact delay)`, nodes, connections };
}
