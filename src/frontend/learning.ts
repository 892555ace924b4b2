/**
 * Online learning in the network format: a PES rule on a decoded connection from an ensemble,
 * error connections into it (`to: <connection id>.learning`, or `to: <from>-><to>.learning`
 * with the learned connection's endpoints as written), and the node fields an error path needs:
 * `until` (output 0 from then on: learning off) and `delay` (Nengo's IdealDelay, for targets).
 * Hooks called from convert.ts; every problem is a located diagnostic.
 */
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ConnectionIR, NetworkIR, Endpoint, ErrorConnectionIR, FunctionSpec, LearningRuleIR, NodeOutput, Synapse } from "../ir/network.js";
import type { JsonPath } from "./source.js";

type Obj = Record<string, unknown>;

/** Nengo's PES defaults. */
const DEFAULT_LEARNING_RATE = 1e-4;
const DEFAULT_PRE_SYNAPSE: Synapse = { kind: "lowpass", tauSeconds: 0.005 };

/** What these hooks need from the converter (structural, so convert.ts exports nothing new). */
export interface LearningHost {
  readonly dtSeconds: number;
  error(code: Diagnostic["code"], message: string, path: JsonPath, key?: boolean): never;
  endpoint(text: string, path: JsonPath, role: "source" | "target" | "probe"): { ep: Endpoint; info: { kind: "node" | "ensemble" | "lmu" }; size: number };
  synapse(x: unknown, dflt: Synapse): Synapse;
  functionOutputSize(fn: FunctionSpec, sizeIn: number, path: JsonPath, lmu: undefined): number;
  functionSpec(x: unknown, path: JsonPath): FunctionSpec;
  connection(index: number, o: Obj, path: JsonPath, lmus: Map<string, { order: number; thetaSeconds: number }>): ConnectionIR;
}

const LEARNING_ENDPOINT = /^(.+)\.learning(\[[^\]]*\])?$/;

/** True when a connection's `to` names a learned connection's error input. */
export function isLearningEndpoint(to: unknown): boolean {
  return typeof to === "string" && LEARNING_ENDPOINT.test(to);
}

/** `until` and `delay` on a node with size_in; returns the node's output and its gate time. */
export function nodeTimeFields(host: Pick<LearningHost, "dtSeconds" | "error">, o: Obj, path: JsonPath, output: NodeOutput, sizeIn: number): { output: NodeOutput; untilSeconds?: number } {
  for (const k of ["until", "delay"]) {
    if (o[k] !== undefined && sizeIn === 0) host.error("LMU2206", `'${k}' applies to a node with size_in (it acts on the node's input); this node produces a signal`, [...path, k], true);
  }
  let out = output;
  if (o.delay !== undefined) {
    if (output.kind !== "passthrough") host.error("LMU2206", "'delay' applies to a passthrough node (no function); delay first, then apply the function in another node", [...path, "delay"], true);
    const steps = (o.delay as number) / host.dtSeconds;
    const delaySteps = Math.round(steps);
    if (delaySteps < 1 || Math.abs(steps - delaySteps) > 1e-9 * steps) {
      host.error("LMU2206", `delay ${String(o.delay)} s is not a whole number (≥ 1) of steps of dt = ${host.dtSeconds} s`, [...path, "delay"]);
    }
    out = { kind: "delay", delaySteps };
  }
  if (o.until === undefined) return { output: out };
  if (out.kind === "delay") host.error("LMU2206", "'until' and 'delay' do not combine in one node; gate in the node that receives the delayed signal", [...path, "until"], true);
  return { output: out, untilSeconds: o.until as number };
}

/** The learning rule of a connection (`learning_rule`), checked against the connection's ends. */
export function learningRule(host: LearningHost, o: Obj, path: JsonPath, from: { ep: Endpoint; info: { kind: string } }, solverWeights: boolean): { learningRule?: LearningRuleIR } {
  if (o.learning_rule === undefined) return {};
  const lpath = [...path, "learning_rule"];
  const rules = Array.isArray(o.learning_rule) ? (o.learning_rule as Obj[]) : [o.learning_rule as Obj];
  if (rules.length !== 1) host.error("LMU2204", `a connection learns with one rule, got ${rules.length}; lmuc supports one PES rule per connection (split the output into two connections to learn twice)`, lpath);
  if (from.info.kind !== "ensemble") {
    host.error("LMU2201", `PES learns decoders, so it needs a connection from an ensemble; '${from.ep.id}' is ${from.info.kind === "node" ? "a node" : "an LMU (connect its state through an ensemble)"}`, [...path, "from"]);
  }
  if (from.ep.part === "neurons") host.error("LMU2201", `PES on a connection from '${from.ep.text}' would learn neuron-to-neuron weights; lmuc learns decoders: connect from '${from.ep.id}' (its decoded value)`, [...path, "from"]);
  if (from.ep.indices) host.error("LMU2201", `PES learns decoders of the whole ensemble; connect from '${from.ep.id}' without a slice and select inputs with the function`, [...path, "from"]);
  if (solverWeights) host.error("LMU2201", "PES learns decoders; solver weights: true has none (drop weights: true)", [...path, "solver"]);
  const pes = (rules[0].pes ?? {}) as Obj;
  return { learningRule: { kind: "pes", learningRate: (pes.learning_rate as number | undefined) ?? DEFAULT_LEARNING_RATE, preSynapse: host.synapse(pes.pre_synapse, DEFAULT_PRE_SYNAPSE) } };
}

/**
 * Error connections: each `[index, raw]` is resolved against the learned connections. The error's
 * size must be the learned connection's output size (Nengo: the rule's size_in = size_out).
 */
export function errorConnections(
  host: LearningHost,
  raws: readonly Obj[],
  errors: readonly number[],
  learned: readonly ConnectionIR[],
  lmus: Map<string, { order: number; thetaSeconds: number }>,
  report: (d: readonly Diagnostic[]) => void,
): ErrorConnectionIR[] {
  const { names: byName, failed } = connectionNames(host, raws, learned, report);
  const out: ErrorConnectionIR[] = [];
  for (const i of errors) {
    const o = raws[i];
    const path: JsonPath = ["connections", i];
    // Its learned connection already has an error of its own: one report is enough.
    if (failed.has(LEARNING_ENDPOINT.exec(String(o.to))?.[1] ?? "")) continue;
    try {
      out.push(errorConnection(host, o, i, path, byName, lmus));
    } catch (e) {
      if (e instanceof DiagnosticError) report(e.diagnostics);
      else throw e;
    }
  }
  return out;
}

/** Explicit ids and `from->to` spellings of every connection that was converted. */
function connectionNames(host: LearningHost, raws: readonly Obj[], converted: readonly ConnectionIR[], report: (d: readonly Diagnostic[]) => void): { names: Map<string, ConnectionIR | "ambiguous">; failed: Set<string> } {
  const byIr = new Map(converted.map((c) => [c.id, c]));
  const names = new Map<string, ConnectionIR | "ambiguous">();
  const failed = new Set<string>();
  const idPaths = new Map<string, number>();
  raws.forEach((o, i) => {
    const c = byIr.get(`c${i}`);
    if (typeof o.id === "string") {
      const prev = idPaths.get(o.id);
      if (prev !== undefined) {
        try {
          host.error("LMU2205", `connection id '${o.id}' is used twice (first by connection ${prev}); give each connection its own id`, ["connections", i, "id"]);
        } catch (e) {
          if (!(e instanceof DiagnosticError)) throw e;
          report(e.diagnostics);
        }
      }
      idPaths.set(o.id, i);
      if (c) names.set(o.id, c);
    }
    const arrow = `${String(o.from)}->${String(o.to)}`;
    if (c) names.set(arrow, names.has(arrow) ? "ambiguous" : c);
    else if (!isLearningEndpoint(o.to)) {
      failed.add(arrow);
      if (typeof o.id === "string") failed.add(o.id);
    }
  });
  return { names, failed };
}

function errorConnection(host: LearningHost, o: Obj, index: number, path: JsonPath, byName: Map<string, ConnectionIR | "ambiguous">, lmus: Map<string, { order: number; thetaSeconds: number }>): ErrorConnectionIR {
  const text = o.to as string;
  const m = LEARNING_ENDPOINT.exec(text)!;
  const tpath = [...path, "to"];
  if (m[2] !== undefined) host.error("LMU2203", `'${text}': a learning rule takes the whole error; slice the error's source instead`, tpath);
  if (o.learning_rule !== undefined) host.error("LMU2202", "an error connection carries a signal into a learning rule; it cannot learn itself", [...path, "learning_rule"], true);
  const name = m[1];
  const learned = byName.get(name);
  if (learned === "ambiguous") host.error("LMU2202", `several connections are written '${name}'; give the learned one an id and target '<id>.learning'`, tpath);
  if (!learned) {
    const known = [...byName.keys()].filter((k) => !k.includes("->"));
    host.error("LMU2202", `'${name}' is not a connection (give the learned connection 'id: ${name}', or write '<from>-><to>.learning' as its ends are written${known.length ? `; connection ids: ${known.slice(0, 8).join(", ")}` : ""})`, tpath);
  }
  if (!learned.learningRule) host.error("LMU2202", `connection '${name}' has no learning_rule, so there is nothing for an error to drive (add learning_rule: {pes: {...}} to it)`, tpath);
  const from = host.endpoint(o.from as string, [...path, "from"], "source");
  if (from.info.kind === "lmu") host.error("LMU2207", `an error signal comes from a node or an ensemble; route LMU '${from.ep.id}' through a passthrough node`, [...path, "from"]);
  const post = host.endpoint(learned.to.text, tpath, "target");
  if (o.transform === undefined || typeof o.transform === "number") {
    const fn = host.functionSpec(o.function, [...path, "function"]);
    const dF = host.functionOutputSize(fn, from.size, [...path, "function"], undefined);
    if (dF !== post.size) {
      host.error("LMU2203", `the error must have the learned connection's ${post.size} output dimension${post.size === 1 ? "" : "s"} ('${learned.to.text}'), but '${from.ep.text}'${fn.kind === "identity" ? "" : ` through ${fn.kind}`} gives ${dF}; slice the source or give a ${post.size}×${dF} transform`, [...path, "from"]);
    }
  }
  // Converted as if it targeted the learned connection's post (same size), then re-aimed.
  const c = host.connection(index, { ...o, to: learned.to.text }, path, lmus);
  return { ...c, to: { id: learned.id, part: "value", text } };
}
