/** Networks generated for benchmarks (kept out of examples/: they are sized for measurement). */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** examples/lmu-memory.yaml at another order and size (single ensemble; eval points capped for the solve). */
export function lmuMemory(order: number, neuronsPerDimension: number, layout: "single" | "per-dimension" = "single"): object {
  const doc = parse(readFileSync("examples/lmu-memory.yaml", "utf8")) as { name: string; lmus: { mem: { order: number; implementation: Record<string, unknown> } }; probes: Record<string, unknown> };
  doc.name = `lmu-memory-o${order}-n${order * neuronsPerDimension}`;
  doc.lmus.mem.order = order;
  doc.lmus.mem.implementation.n_neurons_per_dimension = neuronsPerDimension;
  doc.lmus.mem.implementation.layout = layout;
  // Per-dimension LMUs have no single population whose spikes could be probed.
  if (layout === "per-dimension") delete doc.probes.spikes;
  // Nengo's default (2·n points) makes the 6400-neuron solve a 12800×6400 Gram matrix; 1500
  // points keep the decoders well determined (m·d ≫ n is not needed for a rate-based solve).
  if (order * neuronsPerDimension > 2000) doc.lmus.mem.implementation.n_eval_points = 1500;
  return doc;
}

/**
 * Issue 12's "5 step LMUs, 4000 LIF" row: `count` independent order-`order` LMU memories (one
 * ensemble of `neuronsPerDimension`·order LIF each, as examples/lmu-memory.yaml), each driven by
 * a unit step at its own time (0.1 s apart), every state probed. 5 × order 8 × 100 = 4000 LIF.
 */
export function stepLmus(count: number, order: number, neuronsPerDimension: number): object {
  const base = lmuMemory(order, neuronsPerDimension) as { lmus: { mem: Record<string, unknown> } };
  const nodes: Record<string, unknown> = {};
  const lmus: Record<string, unknown> = {};
  const probes: Record<string, unknown> = {};
  for (let k = 0; k < count; k++) {
    nodes[`step${k}`] = { output: { kind: "step", time: (k + 1) / 10, before: 0, after: 1 } };
    lmus[`mem${k}`] = { ...base.lmus.mem, input: `step${k}`, theta: 0.5 };
    probes[`state${k}`] = { target: `mem${k}`, synapse: 0.01 };
  }
  return { lmuc: 1, name: `step-lmus-${count}x${order * neuronsPerDimension}`, dt: 0.001, seed: 12, nodes, lmus, probes };
}

/**
 * A generated network of `ensembles` × `neurons` 1-D LIF ensembles: a chain of `chained` dense
 * decoded connections (neurons² synapses each) and a constant input into every ensemble.
 * 100 × 1000 with 10 chained gives 100k neurons and 10M synapses.
 */
export function large(ensembles: number, neurons: number, chained: number): object {
  const ens: Record<string, unknown> = {};
  const connections: unknown[] = [];
  for (let k = 0; k < ensembles; k++) {
    ens[`e${k}`] = { n_neurons: neurons, dimensions: 1, n_eval_points: 200, seed: k + 1 };
    connections.push({ from: "drive", to: `e${k}`, transform: 0.5, synapse: 0.005 });
  }
  for (let k = 0; k < chained; k++) connections.push({ from: `e${k}`, to: `e${k + 1}`, synapse: 0.005 });
  return { name: `large-${ensembles * neurons}`, seed: 3, nodes: { drive: { output: { kind: "sine", frequency: 2, amplitude: 0.8 } } }, ensembles: ens, connections };
}

/**
 * psMNIST shape: examples/psmnist-lmu.yaml (NengoDL's psMNIST topology at full size: an order-256
 * per-dimension LMU memory, θ = 784 steps, and 212 hidden LIF units reading it) with the memory's
 * state and the hidden units' filtered activity probed, so a chip run can be compared with the
 * float model. On chip its recurrence runs through a decode hub.
 */
export function psmnistShape(): object {
  const doc = parse(readFileSync("examples/psmnist-lmu.yaml", "utf8")) as { name: string; probes: Record<string, unknown> };
  doc.name = "psmnist-shape";
  doc.probes.state = { target: "memory" };
  doc.probes.hidden = { target: "hidden.neurons", attr: "output", synapse: 0.05 };
  return doc;
}

/**
 * The psMNIST shape of issue 12's table: examples/psmnist-lmu.yaml with its order-256 memory in
 * 2048 LIF (8 per dimension), as one 256-d ensemble ("single") or one ensemble per dimension.
 */
export function psmnistTableShape(layout: "single" | "per-dimension" = "single"): object {
  const doc = parse(readFileSync("examples/psmnist-lmu.yaml", "utf8")) as { name: string; lmus: { memory: { implementation: Record<string, unknown> } } };
  doc.name = `psmnist-shape-${layout}`;
  doc.lmus.memory.implementation.layout = layout;
  doc.lmus.memory.implementation.n_neurons_per_dimension = 8;
  return doc;
}

/** One recurrent ensemble of `neurons` LIF in `dims` dimensions with `evalPoints` eval points (issue 12's decoder-solve case). */
export function recurrentEnsemble(neurons: number, dims: number, evalPoints: number): object {
  return {
    name: `recurrent-${neurons}`, dt: 0.001, seed: 12,
    nodes: { stim: { output: { kind: "sine", frequency: 2, amplitude: 0.5 } } },
    ensembles: { big: { n_neurons: neurons, dimensions: dims, n_eval_points: evalPoints, seed: 3 } },
    connections: [{ from: "stim", to: "big[0]", synapse: 0.005 }, { from: "big", to: "big", synapse: 0.1 }],
  };
}
