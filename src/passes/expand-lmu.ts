/**
 * expand-lmu: replaces every LMU block by plain nodes, ensembles and connections, and folds
 * legendre-delay readouts into transforms. The LMU's id is kept by the object that carries its
 * state (the ideal linear-system node, the single ensemble, or the output passthrough of the
 * per-dimension layout), so user connections and probes need no rewriting beyond that.
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { ConnectionIR, EnsembleIR, Endpoint, LmuIR, NetworkIR, NodeIR, ProbeIR, TransformSpec } from "../ir/network.js";
import { discretize, legendreReadout, lmuMatrices, recurrentMapping } from "../lmu/matrices.js";
import { mat, matmul, type Mat } from "../math/matrix.js";
import { deriveSeed } from "../util/rng.js";

const all = (id: string, text = id): Endpoint => ({ id, part: "value", text });
const at = (id: string, i: number): Endpoint => ({ id, part: "value", indices: [i], text: `${id}[${i}]` });
const IDENTITY: TransformSpec = { kind: "scalar", value: 1 };
const NO_SOLVER = { reg: 0.1, weights: false } as const;

function expandOne(l: LmuIR, dtSeconds: number, nodes: NodeIR[], ensembles: EnsembleIR[], connections: ConnectionIR[]): "node" | "ensemble" {
  const origin = l.origin ? { origin: l.origin } : {};
  const conn = (id: string, from: Endpoint, to: Endpoint, transform: TransformSpec, synapse: ConnectionIR["synapse"], extra: Partial<ConnectionIR> = {}): ConnectionIR => ({
    id: `${l.id}/${id}`,
    from,
    to,
    transform,
    fn: { kind: "identity" },
    synapse,
    solver: NO_SOLVER,
    seed: deriveSeed(l.seed, id),
    ...origin,
    ...extra,
  });
  const impl = l.implementation;
  if (impl.kind === "ideal") {
    const { A, B } = lmuMatrices(l.order, l.thetaSeconds);
    const { Ad, Bd } = discretize(A, B, dtSeconds, l.discretization);
    nodes.push({ id: l.id, sizeIn: 1, sizeOut: l.order, output: { kind: "linear-system", Ad, Bd }, role: "lmu-ideal", ...origin });
    connections.push(conn("input", l.input, all(l.id), IDENTITY, { kind: "none" }));
    return "node";
  }
  const { Arec, Bin } = recurrentMapping(l.order, l.thetaSeconds, dtSeconds, impl.tauSeconds, impl.mapping, l.discretization);
  const tau = { kind: "lowpass", tauSeconds: impl.tauSeconds } as const;
  const t = impl.ensemble;
  const solver = { reg: t.solverReg, weights: false };
  const ensembleOf = (id: string, dims: number, seed: number): EnsembleIR => ({
    id,
    nNeurons: t.nNeurons,
    dimensions: dims,
    neuron: t.neuron,
    radius: t.radius,
    maxRatesHz: t.maxRatesHz,
    intercepts: t.intercepts,
    ...(t.gain && t.bias ? { gain: t.gain, bias: t.bias } : {}),
    encoders: t.encoders,
    evalPoints: t.evalPoints,
    nEvalPoints: t.nEvalPoints ?? 0,
    initialVoltage: t.initialVoltage,
    seed,
    role: "lmu-state",
    ...origin,
  });
  if (impl.layout === "single") {
    ensembles.push(ensembleOf(l.id, l.order, deriveSeed(l.seed, "ensemble")));
    connections.push(conn("input", l.input, all(l.id), { kind: "matrix", values: Bin }, tau));
    connections.push(conn("recurrent", all(l.id), all(l.id), { kind: "matrix", values: Arec }, tau, { solver, ...(t.decoders ? { decoders: t.decoders } : {}) }));
    return "ensemble";
  }
  // per-dimension: in (passthrough) → d ensembles → out (passthrough, carries the LMU's id) → A' → in.
  const inId = `${l.id}.in`;
  nodes.push({ id: inId, sizeIn: l.order, sizeOut: l.order, output: { kind: "passthrough" }, role: "lmu-input", ...origin });
  nodes.push({ id: l.id, sizeIn: l.order, sizeOut: l.order, output: { kind: "passthrough" }, role: "lmu-output", ...origin });
  for (let i = 0; i < l.order; i++) {
    const ensId = `${l.id}.d${i}`;
    ensembles.push(ensembleOf(ensId, 1, deriveSeed(l.seed, `ensemble/${i}`)));
    connections.push(conn(`in${i}`, at(inId, i), all(ensId), IDENTITY, { kind: "none" }));
    connections.push(conn(`out${i}`, all(ensId), at(l.id, i), IDENTITY, { kind: "none" }, { solver, ...(t.decoders ? { decoders: t.decoders } : {}) }));
  }
  connections.push(conn("input", l.input, all(inId), { kind: "matrix", values: Bin }, tau));
  connections.push(conn("recurrent", all(l.id), all(inId), { kind: "matrix", values: Arec }, tau));
  return "node";
}

/** T·C(θ'/θ): the readout is linear, so it becomes part of the transform. */
function foldReadout(c: ConnectionIR, l: LmuIR): ConnectionIR {
  if (c.fn.kind !== "legendre-delay") return c;
  const C = legendreReadout(l.order, c.fn.delaySeconds / l.thetaSeconds);
  const row: Mat = mat(1, l.order, C);
  let values: Mat;
  if (c.transform.kind === "scalar") {
    values = mat(1, l.order, C.map((x) => x * (c.transform as { value: number }).value));
  } else if (c.transform.kind === "matrix") {
    values = matmul(c.transform.values, row);
  } else {
    throw new DiagnosticError([diag("LMU2007", "a random transform cannot be combined with legendre-delay; give the transform explicitly", c.origin)]);
  }
  return { ...c, fn: { kind: "identity" }, transform: { kind: "matrix", values } };
}

export function expandLmus(net: NetworkIR): NetworkIR {
  const nodes = [...net.nodes];
  const ensembles = [...net.ensembles];
  const connections: ConnectionIR[] = [];
  const lmuById = new Map(net.lmus.map((l) => [l.id, l]));
  const becomes = new Map<string, "node" | "ensemble">();
  for (const l of net.lmus) becomes.set(l.id, expandOne(l, net.dtSeconds, nodes, ensembles, connections));
  for (const c of net.connections) {
    const l = lmuById.get(c.from.id);
    connections.push(l ? foldReadout(c, l) : c);
  }
  const probes: ProbeIR[] = net.probes.map((p) => (becomes.get(p.target.id) === "node" && p.attr === "decoded" ? { ...p, attr: "output" } : p));
  return { ...net, nodes, ensembles, lmus: [], connections, probes };
}
