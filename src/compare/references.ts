/**
 * References for networks without an LMU (issue 13): what a probe should show when nothing in
 * the network is an LMU with an ideal twin.
 *  - a probe's stated `reference:` (a node, ensemble or LMU value of its size) is recorded by a
 *    hidden probe through the same synapse and sampling, so the two are aligned as the probe is;
 *  - `idealFunctionTwin`: every ensemble replaced by a passthrough node, so each decoded
 *    connection computes its function exactly (Nengo's Direct mode): the network's ideal.
 */
import type { NetworkIR, NodeIR, ProbeIR } from "../ir/network.js";

/** Probe ids compare adds to record each probe's stated reference. */
export const REFERENCE_PROBE_PREFIX = "__reference__";

/** The network plus one hidden probe per stated reference (same synapse and sampling as the probe). */
export function withReferenceProbes(network: NetworkIR): NetworkIR {
  const nodes = new Set(network.nodes.map((n) => n.id));
  const extra: ProbeIR[] = network.probes.flatMap((p) =>
    p.reference
      ? [{ id: `${REFERENCE_PROBE_PREFIX}${p.id}`, target: p.reference, attr: nodes.has(p.reference.id) ? "output" : "decoded", synapse: p.synapse, sampleEverySteps: p.sampleEverySteps, solver: p.solver, ...(p.origin ? { origin: p.origin } : {}) } satisfies ProbeIR]
      : [],
  );
  return extra.length ? { ...network, probes: [...network.probes, ...extra] } : network;
}

/**
 * The network with every ensemble computing exactly, or undefined where that has no meaning: a
 * network with an LMU (its ideal twin is the reference), learning (nothing to be ideal about),
 * connections into or out of `.neurons`, or explicit decoders (no function to compute).
 */
export function idealFunctionTwin(network: NetworkIR): NetworkIR | undefined {
  if (network.ensembles.length === 0 || network.lmus.length > 0 || (network.errorConnections ?? []).length > 0) return undefined;
  const ens = new Set(network.ensembles.map((e) => e.id));
  const neurons = (ep: { id: string; part: string }) => ens.has(ep.id) && ep.part === "neurons";
  if (network.connections.some((c) => c.learningRule || neurons(c.from) || neurons(c.to) || (ens.has(c.from.id) && c.decoders))) return undefined;
  const asNodes: NodeIR[] = network.ensembles.map((e) => ({ id: e.id, sizeIn: e.dimensions, sizeOut: e.dimensions, output: { kind: "passthrough" }, role: "user", ...(e.origin ? { origin: e.origin } : {}) }));
  // Probes of spikes or voltages have no ideal; decoded values become the node's output.
  const probes = network.probes.filter((p) => !neurons(p.target)).map((p) => (ens.has(p.target.id) ? { ...p, attr: "output" as const } : p));
  return { ...network, name: `${network.name} (ideal functions)`, nodes: [...network.nodes, ...asNodes], ensembles: [], probes };
}
