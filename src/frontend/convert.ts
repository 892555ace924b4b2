/**
 * Validated document → NetworkIR. Resolves defaults, endpoints and slices, data files and sizes;
 * reports semantic errors (unknown references, dimension mismatches, absurd sizes, algebraic
 * loops) with the location of the offending field. Draws nothing at random.
 * The shared machinery is in converter-base.ts, node outputs in nodes.ts.
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { deriveSeed } from "../util/rng.js";
import type {
  ConnectionIR,
  Endpoint,
  EnsembleIR,
  LmuEnsembleTemplate,
  LmuIR,
  NetworkIR,
  NodeIR,
  ProbeAttr,
  ProbeIR,
  TransformSpec,
} from "../ir/network.js";
import { ConverterBase, LIMITS, type Obj, type ObjectInfo } from "./converter-base.js";
import { zohCost } from "./cost.js";
import { nodeIR } from "./nodes.js";
import { errorConnections, isLearningEndpoint, learningRule } from "./learning.js";
import { convertTrainedSections } from "./cells.js";
import type { JsonPath } from "./source.js";
import { checkedDistribution, isDistribution, readMatrix, type Ctx } from "./values.js";

export { defaultEvalPointCount, editDistance, LIMITS } from "./converter-base.js";

class Converter extends ConverterBase {
  ensemble(id: string, o: Obj, path: JsonPath): EnsembleIR {
    const n = o.n_neurons as number;
    const d = o.dimensions as number;
    this.checkNeuronCount(n, [...path, "n_neurons"]);
    if (d > LIMITS.dimensions) this.error("LMU2004", `dimensions ${d} is out of range (at most ${LIMITS.dimensions})`, [...path, "dimensions"]);
    if (n * d > LIMITS.matrixEntries) this.error("LMU2004", `an encoder matrix of ${n}×${d} is too large`, [...path, "dimensions"]);
    const neuron = this.neuron(o.neuron, [...path, "neuron"]);
    const common = this.ensembleCommon(o, path, n, d, neuron);
    return {
      id,
      nNeurons: n,
      dimensions: d,
      neuron,
      ...common,
      seed: (o.seed as number | undefined) ?? deriveSeed(this.seed, `ensemble/${id}`),
      role: "user",
      origin: this.loc(path, true),
    };
  }

  node(id: string, o: Obj, path: JsonPath): NodeIR {
    return nodeIR(this, id, o, path);
  }

  // ---------------------------------------------------------------- LMUs

  lmuInfo(id: string, o: Obj, path: JsonPath): ObjectInfo {
    const order = o.order as number;
    if (order > LIMITS.lmuOrder) this.error("LMU2004", `order ${order} is out of range (at most ${LIMITS.lmuOrder})`, [...path, "order"]);
    if ((o.discretization ?? "zoh") === "zoh") this.charge(zohCost(order), [...path, "order"], "use a lower order (or discretization: euler)");
    // A neural LMU with the single layout is one ensemble, so `id.neurons` can be probed or connected.
    const implRaw = o.implementation;
    const impl = (typeof implRaw === "string" ? { kind: implRaw } : implRaw ?? { kind: "ideal" }) as Obj;
    const single = impl.kind === "neurons" && (impl.layout ?? "single") === "single";
    const neurons = single ? ((impl.n_neurons as number | undefined) ?? ((impl.n_neurons_per_dimension as number | undefined) ?? 100) * order) : 0;
    return { kind: "lmu", valueSize: order, neurons, acceptsInput: false, inputSize: 1, evalPoints: 0, path };
  }

  lmu(id: string, o: Obj, path: JsonPath): LmuIR {
    const order = o.order as number;
    const thetaSeconds = o.theta as number;
    if (thetaSeconds < this.dtSeconds) this.error("LMU2009", `theta ${thetaSeconds} s is shorter than one step (dt = ${this.dtSeconds} s)`, [...path, "theta"]);
    const input = this.endpoint(o.input as string, [...path, "input"], "source");
    if (input.ep.part === "neurons") this.error("LMU2007", "an LMU's input is a value, not neurons", [...path, "input"]);
    if (input.size !== 1) this.error("LMU2002", `an LMU memorizes a scalar signal, but '${input.ep.text}' has ${input.size} dimensions; slice it (e.g. ${input.ep.id}[0]) or use one LMU per channel`, [...path, "input"]);
    if (input.ep.id === id) this.error("LMU2003", "an LMU cannot take its own state as input", [...path, "input"]);
    const implRaw = o.implementation ?? "ideal";
    const impl: Obj = typeof implRaw === "string" ? { kind: implRaw } : (implRaw as Obj);
    const ipath = [...path, "implementation"];
    const seed = (o.seed as number | undefined) ?? deriveSeed(this.seed, `lmu/${id}`);
    const base = { id, order, thetaSeconds, discretization: ((o.discretization as string | undefined) ?? "zoh") as "zoh" | "euler", input: input.ep, seed, origin: this.loc(path, true) };
    if (impl.kind === "ideal") {
      const extra = Object.keys(impl).filter((k) => k !== "kind");
      if (extra.length > 0) this.error("LMU2009", `'${extra[0]}' applies only to the neurons implementation`, [...ipath, extra[0]], true);
      return { ...base, implementation: { kind: "ideal" } };
    }
    const layout = ((impl.layout as string | undefined) ?? "single") as "single" | "per-dimension";
    const dimsPer = layout === "single" ? order : 1;
    const ensembles = layout === "single" ? 1 : order;
    if (impl.n_neurons !== undefined && impl.n_neurons_per_dimension !== undefined) this.error("LMU2009", "give n_neurons or n_neurons_per_dimension, not both", [...ipath, "n_neurons_per_dimension"], true);
    const nPer = impl.n_neurons !== undefined
      ? layout === "single" ? (impl.n_neurons as number) : Math.ceil((impl.n_neurons as number) / order)
      : ((impl.n_neurons_per_dimension as number | undefined) ?? 100) * dimsPer;
    if (impl.n_neurons !== undefined && layout === "per-dimension" && (impl.n_neurons as number) % order !== 0) {
      this.error("LMU2009", `n_neurons ${String(impl.n_neurons)} does not split evenly over ${order} per-dimension ensembles; use n_neurons_per_dimension`, [...ipath, "n_neurons"]);
    }
    for (let i = 0; i < ensembles; i++) this.checkNeuronCount(nPer, [...ipath, impl.n_neurons !== undefined ? "n_neurons" : "n_neurons_per_dimension"]);
    if (nPer * dimsPer > LIMITS.matrixEntries) this.error("LMU2004", `an encoder matrix of ${nPer}×${dimsPer} is too large`, ipath);
    const neuron = this.neuron(impl.neuron, [...ipath, "neuron"]);
    const common = this.ensembleCommon(impl, ipath, nPer, dimsPer, neuron);
    const solver = this.solver(impl.solver);
    const decoders = impl.decoders !== undefined ? readMatrix(this.ctx, impl.decoders, [...ipath, "decoders"], nPer, dimsPer, "decoders") : undefined;
    if (!decoders) {
      this.checkEntries(common.nEvalPoints, nPer, "solving the LMU's decoders needs an activity matrix that", ipath, "use fewer neurons per ensemble, set n_eval_points, or give decoders");
      this.chargeSolve(common.nEvalPoints, nPer, ensembles, ipath, "use fewer neurons per ensemble, set n_eval_points, or give decoders");
      this.lmuSolves.set(id, { evalPoints: common.nEvalPoints, neurons: nPer, ensembles });
    }
    const template: LmuEnsembleTemplate = { nNeurons: nPer, neuron, ...common, solverReg: solver.reg, ...(decoders ? { decoders } : {}) };
    const tauSeconds = (impl.synapse as number | undefined) ?? 0.1;
    return {
      ...base,
      implementation: { kind: "neurons", layout, mapping: ((impl.mapping as string | undefined) ?? "discrete") as "continuous" | "discrete", tauSeconds, ensemble: template },
    };
  }

  // ---------------------------------------------------------------- connections and probes

  connection(index: number, o: Obj, path: JsonPath, lmus: Map<string, { order: number; thetaSeconds: number }>): ConnectionIR {
    const from = this.endpoint(o.from as string, [...path, "from"], "source");
    const to = this.endpoint(o.to as string, [...path, "to"], "target");
    const fn = this.functionSpec(o.function, [...path, "function"]);
    const lmu = from.info.kind === "lmu" ? { id: from.ep.id, ...lmus.get(from.ep.id)! } : undefined;
    if (from.ep.part === "neurons" && fn.kind !== "identity") this.error("LMU2007", "a connection from .neurons applies only a transform; a function needs a decoded connection (drop .neurons)", [...path, "function"]);
    const dF = this.functionOutputSize(fn, from.size, [...path, "function"], lmu);
    const dPost = to.size;
    const tpath = [...path, "transform"];
    let transform: TransformSpec;
    const t = o.transform;
    if (t === undefined || typeof t === "number") {
      const value = (t as number | undefined) ?? 1;
      if (dF !== dPost) {
        this.error("LMU2002", `'${from.ep.text}'${fn.kind === "identity" ? "" : ` through ${fn.kind}`} gives ${dF} dimensions but '${to.ep.text}' takes ${dPost}; give a ${dPost}×${dF} transform or slice an end`, t === undefined ? [...path, "to"] : tpath);
      }
      transform = { kind: "scalar", value };
    } else if (isDistribution(t)) {
      transform = { kind: "dist", dist: checkedDistribution(this.ctx, t, tpath, 1, "transform entry"), rows: dPost, cols: dF };
    } else {
      const via = fn.kind === "identity" ? "" : ` through ${fn.kind}`;
      const why = `${dPost} row${dPost === 1 ? "" : "s"} for the ${dPost} dimension${dPost === 1 ? "" : "s"} of '${to.ep.text}', ${dF} column${dF === 1 ? "" : "s"} for the ${dF} of '${from.ep.text}'${via}`;
      transform = { kind: "matrix", values: readMatrix(this.ctx, t, tpath, dPost, dF, "transform", why) };
    }
    // Every transform, a scalar one too, is built as a dense |to| × |function output| matrix.
    this.checkEntries(dPost, dF, "the transform", t === undefined ? [...path, "to"] : tpath, "connect fewer dimensions or neurons");
    const synapse = this.synapse(o.synapse, { kind: "lowpass", tauSeconds: 0.005 });
    const solver = this.solver(o.solver);
    const decoded = from.info.kind === "ensemble" && from.ep.part === "value";
    if (from.info.kind === "lmu" && from.ep.part === "value") this.chargeLmuRead(from.ep.id, [...path, "from"]);
    if (decoded) {
      if (o.decoders === undefined && o.eval_points === undefined) {
        this.checkEntries(from.info.evalPoints, from.info.neurons, `decoding from '${from.ep.id}' needs an activity matrix (eval points × neurons) that`, [...path, "from"], `use fewer neurons in '${from.ep.id}', set its n_eval_points, or give decoders`);
        this.chargeSolve(from.info.evalPoints, from.info.neurons, 1, [...path, "from"], `use fewer neurons in '${from.ep.id}', set its n_eval_points, or give decoders`);
      }
      this.checkEntries(dPost, from.info.neurons, "the decoded weights", [...path, "from"], `use fewer neurons in '${from.ep.id}'`);
      if (solver.weights && to.info.kind === "ensemble") this.checkEntries(to.info.neurons, from.info.neurons, "the full weight matrix (solver weights: true)", [...path, "solver"], "use decoded weights (weights: false)");
    }
    if (solver.weights && !(decoded && to.info.kind === "ensemble" && to.ep.part === "value")) {
      this.error("LMU2007", "solver weights: true needs an ensemble-to-ensemble decoded connection", [...path, "solver"]);
    }
    if ((o.decoders !== undefined || o.eval_points !== undefined) && !decoded) {
      this.error("LMU2007", "decoders and eval_points apply only to connections from an ensemble's decoded value", [...path, o.decoders !== undefined ? "decoders" : "eval_points"], true);
    }
    const preN = from.info.neurons;
    const dims = from.size;
    const decoders = o.decoders !== undefined ? readMatrix(this.ctx, o.decoders, [...path, "decoders"], preN, dF, "decoders") : undefined;
    const evalPoints = o.eval_points !== undefined ? readMatrix(this.ctx, o.eval_points, [...path, "eval_points"], undefined, from.info.valueSize, "eval_points") : undefined;
    void dims;
    return {
      id: `c${index}`,
      from: from.ep,
      to: to.ep,
      transform,
      fn,
      synapse,
      solver,
      ...(decoders ? { decoders } : {}),
      ...(evalPoints ? { evalPoints } : {}),
      seed: (o.seed as number | undefined) ?? deriveSeed(this.seed, `connection/${index}`),
      ...learningRule(this, o, path, from, solver.weights),
      origin: this.loc(path),
    };
  }

  /** `reference:` of a probe: the value it should show, a node/ensemble/LMU value of the probe's size (LMU8010 otherwise). */
  probeReference(text: string, attr: ProbeAttr, size: number, path: JsonPath): Endpoint {
    if (attr === "spikes" || attr === "voltage") this.error("LMU8010", `a ${attr} probe has no reference value; give 'reference' to a probe of a decoded value or a node's output`, path);
    const ref = this.endpoint(text, path, "probe");
    if (ref.ep.part === "neurons") this.error("LMU8010", `reference '${text}' is a neuron population; give a node, ensemble or LMU value (e.g. '${ref.ep.id}')`, path);
    if (ref.size !== size) this.error("LMU8010", `reference '${text}' has ${ref.size} dimension${ref.size === 1 ? "" : "s"}, the probe ${size}; slice one of them (e.g. '${ref.ep.id}[0:${size}]') so they match`, path);
    return ref.ep;
  }

  probe(id: string, x: unknown, path: JsonPath): ProbeIR {
    const o: Obj = typeof x === "string" ? { target: x } : (x as Obj);
    const target = this.endpoint(o.target as string, typeof x === "string" ? path : [...path, "target"], "probe");
    const kind = target.info.kind;
    const dflt: ProbeAttr = target.ep.part === "neurons" ? "spikes" : kind === "node" ? "output" : "decoded";
    const attr = (o.attr as ProbeAttr | undefined) ?? dflt;
    const bad = (why: string): never => this.error("LMU2010", why, [...path, "attr"]);
    if (target.ep.part === "neurons") {
      if (attr !== "spikes" && attr !== "voltage" && attr !== "output") bad(`a probe on .neurons records spikes, output or voltage, not ${attr}`);
    } else if (kind === "node") {
      if (attr !== "output") bad(`a node probe records its output, not ${attr}`);
    } else if (attr !== "decoded") {
      bad(`a probe on '${target.ep.id}' records its decoded value; probe '${target.ep.id}.neurons' for ${attr}`);
    }
    let sampleEverySteps = 1;
    if (o.sample_every !== undefined) {
      const ratio = (o.sample_every as number) / this.dtSeconds;
      sampleEverySteps = Math.round(ratio);
      if (sampleEverySteps < 1 || Math.abs(ratio - sampleEverySteps) > 1e-9 * ratio) {
        this.error("LMU2011", `sample_every ${String(o.sample_every)} s is not a whole number of steps (dt = ${this.dtSeconds} s)`, [...path, "sample_every"]);
      }
    }
    if (o.decoders !== undefined && !(kind === "ensemble" && attr === "decoded")) this.error("LMU2010", "decoders apply only to decoded probes on ensembles", [...path, "decoders"], true);
    const decoders = o.decoders !== undefined ? readMatrix(this.ctx, o.decoders, [...path, "decoders"], target.info.neurons, target.info.valueSize, "decoders") : undefined;
    if (kind === "lmu" && attr === "decoded") this.chargeLmuRead(target.ep.id, typeof x === "string" ? path : [...path, "target"]);
    if (kind === "ensemble" && attr === "decoded" && !decoders) {
      this.checkEntries(target.info.evalPoints, target.info.neurons, `decoding '${target.ep.id}' needs an activity matrix (eval points × neurons) that`, typeof x === "string" ? path : [...path, "target"], `use fewer neurons in '${target.ep.id}', set its n_eval_points, or probe '${target.ep.id}.neurons'`);
      this.chargeSolve(target.info.evalPoints, target.info.neurons, 1, typeof x === "string" ? path : [...path, "target"], `use fewer neurons in '${target.ep.id}', set its n_eval_points, or probe '${target.ep.id}.neurons'`);
    }
    const reference = o.reference !== undefined ? this.probeReference(o.reference as string, attr, target.size, [...path, "reference"]) : undefined;
    return {
      id,
      target: target.ep,
      attr,
      ...(reference ? { reference } : {}),
      synapse: this.synapse(o.synapse, { kind: "none" }),
      sampleEverySteps,
      solver: this.solver(o.solver),
      ...(decoders ? { decoders } : {}),
      origin: this.loc(path, true),
    };
  }
}


/** The whole conversion; throws DiagnosticError with every independent problem found. */
export function convert(ctx: Ctx, value: unknown, name: string): NetworkIR {
  const doc = value as Obj;
  const c = new Converter(ctx, doc);
  const section = (k: string): [string, Obj][] => Object.entries((doc[k] as Obj | undefined) ?? {}) as [string, Obj][];

  // Pass 1: every object's id and sizes, so references can be resolved in any order.
  const seen = new Map<string, JsonPath>();
  const declare = (id: string, path: JsonPath): boolean => {
    const prev = seen.get(id);
    if (prev) {
      c.report(diag("LMU1004", `'${id}' is declared twice (as ${String(prev[0]).replace(/s$/, "")} and ${String(path[0]).replace(/s$/, "")})`, c.loc(path, true), { related: [{ message: "first declared here", location: c.loc(prev, true) }] }));
      return false;
    }
    seen.set(id, path);
    return true;
  };
  const nodes: NodeIR[] = [];
  for (const [id, o] of section("nodes")) {
    if (!declare(id, ["nodes", id])) continue;
    const node = c.guard(() => c.node(id, o, ["nodes", id]));
    if (node) {
      nodes.push(node);
      c.objects.set(id, { kind: "node", valueSize: node.sizeOut, neurons: 0, acceptsInput: node.sizeIn > 0, inputSize: node.sizeIn, evalPoints: 0, path: ["nodes", id] });
    }
  }
  const ensembles: EnsembleIR[] = [];
  for (const [id, o] of section("ensembles")) {
    if (!declare(id, ["ensembles", id])) continue;
    const ens = c.guard(() => c.ensemble(id, o, ["ensembles", id]));
    if (ens) {
      ensembles.push(ens);
      c.objects.set(id, { kind: "ensemble", valueSize: ens.dimensions, neurons: ens.nNeurons, acceptsInput: true, inputSize: ens.dimensions, evalPoints: ens.nEvalPoints, path: ["ensembles", id] });
    }
  }
  const lmuShapes = new Map<string, { order: number; thetaSeconds: number }>();
  for (const [id, o] of section("lmus")) {
    if (!declare(id, ["lmus", id])) continue;
    const info = c.guard(() => c.lmuInfo(id, o, ["lmus", id]));
    if (info) {
      c.objects.set(id, info);
      lmuShapes.set(id, { order: o.order as number, thetaSeconds: o.theta as number });
    }
  }
  if (c.diagnostics.length > 0) throw new DiagnosticError(c.diagnostics);

  // Pass 2: everything that refers to other objects.
  const lmus: LmuIR[] = [];
  for (const [id, o] of section("lmus")) {
    const l = c.guard(() => c.lmu(id, o, ["lmus", id]));
    if (l) lmus.push(l);
  }
  const connections: ConnectionIR[] = [];
  const errorIndices: number[] = [];
  ((doc.connections as Obj[] | undefined) ?? []).forEach((o, i) => {
    if (isLearningEndpoint(o.to)) return void errorIndices.push(i);
    const conn = c.guard(() => c.connection(i, o, ["connections", i], lmuShapes));
    if (conn) connections.push(conn);
  });
  const errors = errorConnections(c, (doc.connections as Obj[] | undefined) ?? [], errorIndices, connections, lmuShapes, (d) => c.diagnostics.push(...d));
  const probes: ProbeIR[] = [];
  for (const [id, o] of section("probes")) {
    const p = c.guard(() => c.probe(id, o, ["probes", id]));
    if (p) probes.push(p);
  }
  const trained = c.guard(() => convertTrainedSections(ctx, doc, declare));
  if (c.diagnostics.length === 0) {
    const loop = findAlgebraicLoop(connections);
    if (loop) {
      c.report(
        diag("LMU2003", `algebraic loop: ${loop.map((k) => `${k.from.text} → ${k.to.text}`).join(", ")} all have synapse: null, so each needs the other's value in the same step`, loop[0].origin, {
          related: loop.slice(1).map((k) => ({ message: `part of the loop: ${k.from.text} → ${k.to.text}`, ...(k.origin ? { location: k.origin } : {}) })),
        }),
      );
    }
  }
  if (c.diagnostics.length > 0) throw new DiagnosticError(c.diagnostics);
  return {
    stage: "network",
    name: (doc.name as string | undefined) ?? name,
    dtSeconds: c.dtSeconds,
    seed: c.seed,
    file: ctx.src.file,
    nodes,
    ensembles,
    lmus,
    connections,
    probes,
    ...(errors.length > 0 ? { errorConnections: errors } : {}),
    ...trained,
  };
}

/** A cycle made only of synapse-free connections (Nengo rejects these: "Input graph has cycles"). */
export function findAlgebraicLoop(connections: readonly ConnectionIR[]): ConnectionIR[] | undefined {
  const out = new Map<string, ConnectionIR[]>();
  for (const k of connections) {
    if (k.synapse.kind !== "none") continue;
    const list = out.get(k.from.id) ?? [];
    list.push(k);
    out.set(k.from.id, list);
  }
  const state = new Map<string, 1 | 2>();
  const stack: ConnectionIR[] = [];
  const visit = (id: string): ConnectionIR[] | undefined => {
    state.set(id, 1);
    for (const k of out.get(id) ?? []) {
      stack.push(k);
      const s = state.get(k.to.id);
      if (s === 1) {
        const start = stack.findIndex((e) => e.from.id === k.to.id);
        return stack.slice(start);
      }
      if (s === undefined) {
        const found = visit(k.to.id);
        if (found) return found;
      }
      stack.pop();
    }
    state.set(id, 2);
    return undefined;
  };
  for (const id of [...out.keys()].sort()) {
    if (state.get(id) === undefined) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return undefined;
}
