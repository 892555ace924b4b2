/**
 * build-nef: draws every random quantity (seeded per object and quantity), derives gains and
 * biases, normalizes encoders, scales eval points by the radius, solves decoders (LstsqL2, as
 * Nengo) and turns every connection into one run-time weight matrix. NetworkIR → BuiltNetwork.
 */
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BuiltConnection, BuiltEnsemble, BuiltErrorConnection, BuiltNetwork, BuiltProbe, BuiltProbeTarget, BuiltSource, BuiltTarget, SolveReport } from "../ir/built.js";
import type { ConnectionIR, EnsembleIR, FunctionSpec, MatrixSpec, NetworkIR, NodeIR, TransformSpec, VectorSpec } from "../ir/network.js";
import { mat, matmul, transpose, type Mat } from "../math/matrix.js";
import { applyFunction, describeFunction, functionOutputSize } from "../nef/functions.js";
import { sample } from "../nef/samplers.js";
import { activities, solveLstsqL2, SolverError, type SolveScratch } from "../nef/solver.js";
import { gainBias, NeuronParamError } from "../neurons/models.js";
import { deriveSeed, Rng } from "../util/rng.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function drawVector(spec: VectorSpec, n: number, seed: number, label: string): Float64Array {
  if (spec.kind === "explicit") return spec.values;
  return sample(spec.dist, n, 1, new Rng(deriveSeed(seed, label))).data;
}

function drawMatrix(spec: MatrixSpec, rows: number, cols: number, seed: number, label: string): Mat {
  if (spec.kind === "explicit") return spec.values;
  return sample(spec.dist, rows, cols, new Rng(deriveSeed(seed, label)));
}

function buildEnsemble(e: EnsembleIR): BuiltEnsemble {
  const n = e.nNeurons;
  const d = e.dimensions;
  let gain: Float64Array, bias: Float64Array;
  if (e.gain && e.bias) {
    gain = e.gain;
    bias = e.bias;
  } else {
    const maxRates = drawVector(e.maxRatesHz, n, e.seed, "max_rates");
    const intercepts = drawVector(e.intercepts, n, e.seed, "intercepts");
    try {
      ({ gain, bias } = gainBias(e.neuron, maxRates, intercepts));
    } catch (err) {
      if (err instanceof NeuronParamError) throw new DiagnosticError([diag("LMU2005", `ensemble '${e.id}': ${err.message}`, e.origin)]);
      throw err;
    }
  }
  for (let i = 0; i < n; i++) {
    if (!(gain[i] > 0) || !Number.isFinite(gain[i]) || !Number.isFinite(bias[i])) {
      throw new DiagnosticError([diag("LMU2005", `ensemble '${e.id}': neuron ${i} has gain ${gain[i]} and bias ${bias[i]}; gains must be positive and finite (an intercept at or above 1 gives this)`, e.origin)]);
    }
  }
  const raw = drawMatrix(e.encoders, n, d, e.seed, "encoders");
  const encoders = mat(n, d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += raw.data[i * d + j] * raw.data[i * d + j];
    norm = Math.sqrt(norm);
    if (!(norm > 0)) throw new DiagnosticError([diag("LMU2005", `ensemble '${e.id}': encoder ${i} is zero and cannot be normalized`, e.origin)]);
    for (let j = 0; j < d; j++) encoders.data[i * d + j] = raw.data[i * d + j] / norm;
  }
  const unit = drawMatrix(e.evalPoints, e.nEvalPoints, d, e.seed, "eval_points");
  const evalPoints = mat(unit.rows, d);
  for (let k = 0; k < unit.data.length; k++) evalPoints.data[k] = unit.data[k] * e.radius;
  const initialVoltage = drawVector(e.initialVoltage, n, e.seed, "initial_voltage");
  return { id: e.id, nNeurons: n, dimensions: d, neuron: e.neuron, radius: e.radius, gain, bias, encoders, evalPoints, initialVoltage, role: e.role, ...(e.origin ? { origin: e.origin } : {}) };
}

function transformMatrix(t: TransformSpec, rows: number, cols: number, seed: number): Mat {
  if (t.kind === "matrix") return t.values;
  if (t.kind === "dist") {
    const m = sample(t.dist, rows * cols, 1, new Rng(deriveSeed(seed, "transform")));
    return mat(rows, cols, m.data);
  }
  const m = mat(rows, cols);
  for (let i = 0; i < rows; i++) m.data[i * cols + i] = t.value;
  return m;
}

/** Rates a neuron type produces for input current J (Hz); replaces the model's own rate curve when given. */
export type RateCurveFor = (ens: BuiltEnsemble) => ((J: number) => number) | undefined;

/** One decoder solve from an ensemble: the function of which dimensions, its regularization and eval points. */
interface SolveSpec {
  readonly fn: FunctionSpec;
  readonly indices: readonly number[];
  readonly reg: number;
  /** The connection's own eval points (radius-scaled); undefined: the ensemble's. */
  readonly evalPoints: Mat | undefined;
  /** Which eval points: "ens", or the connection's ("conn:<id>"); activities are shared per key. */
  readonly evalKey: string;
}

interface Solved {
  readonly decoders: Mat;
  readonly report: SolveReport;
}

const solveKey = (ensId: string, s: SolveSpec): string =>
  `${ensId}|${describeFunction(s.fn)}|${s.fn.kind === "tabulated" ? JSON.stringify(s.fn) : ""}|${s.indices.join(",")}|${s.reg}|${s.evalKey}`;

/** The solve of a decoded connection from ensemble `pre` (its `from` is not `.neurons` and it has no explicit decoders). */
function connectionSolve(c: ConnectionIR, pre: BuiltEnsemble): SolveSpec {
  return {
    fn: c.fn, indices: c.from.indices ?? range(pre.dimensions), reg: c.solver.reg,
    evalPoints: c.evalPoints ? scaled(c.evalPoints, pre.radius) : undefined, evalKey: c.evalPoints ? `conn:${c.id}` : "ens",
  };
}

const probeSolve = (e: BuiltEnsemble, reg: number): SolveSpec => ({ fn: { kind: "identity" }, indices: range(e.dimensions), reg, evalPoints: undefined, evalKey: "ens" });

/** The solves each ensemble's decoded connections and probes will ask for (buildConnection's and the probes'), by ensemble, once each. */
function solvesOf(net: NetworkIR, ensById: ReadonlyMap<string, BuiltEnsemble>): Map<string, SolveSpec[]> {
  const byKey = new Map<string, Map<string, SolveSpec>>();
  const add = (e: BuiltEnsemble, spec: SolveSpec): void => {
    const m = byKey.get(e.id) ?? byKey.set(e.id, new Map()).get(e.id)!;
    m.set(solveKey(e.id, spec), spec);
  };
  for (const c of net.connections) {
    const pre = ensById.get(c.from.id);
    if (pre && c.from.part !== "neurons" && !c.decoders) add(pre, connectionSolve(c, pre));
  }
  for (const p of net.probes) {
    const e = ensById.get(p.target.id);
    if (e && p.target.part !== "neurons" && !p.decoders) add(e, probeSolve(e, p.solver.reg));
  }
  return new Map([...byKey].map(([id, m]) => [id, [...m.values()]]));
}

/**
 * Solves and caches decoders; activities are the expensive part and are shared between solves.
 * An ensemble's first solve does all its planned ones (`planned`: solvesOf), so its activity
 * matrices can be let go at once and their storage reused by the next ensemble's: five 800-neuron
 * ensembles touched 5 × 16 MB of fresh memory, ~0.2 s of page faults on the bench VM. A solve
 * not planned (an error connection's) computes its activities again.
 */
class DecoderCache {
  /** Activity matrices by ensemble id and eval-point key. */
  private readonly acts = new Map<string, Map<string, Mat>>();
  private readonly solves = new Map<string, Solved>();
  /** Ensembles whose planned solves are done. */
  private readonly done = new Set<string>();
  /** The storage of activity matrices let go, for the next (none while one uses it). */
  private spare: Float64Array | undefined;
  /** The solves' Gram storage, passed from one to the next (see SolveScratch). */
  private readonly scratch: SolveScratch = {};
  constructor(private readonly rateCurveFor?: RateCurveFor, private readonly planned?: ReadonlyMap<string, readonly SolveSpec[]>) {}

  solve(ens: BuiltEnsemble, spec: SolveSpec, origin: ConnectionIR["origin"]): Solved {
    const planned = this.planned?.get(ens.id);
    if (planned && !this.done.has(ens.id)) {
      this.done.add(ens.id);
      for (const s of planned) {
        // A failing solve is left for its own connection, which raises the diagnostic in network order.
        try {
          this.solveOnce(ens, s, undefined);
        } catch (e) {
          if (!(e instanceof DiagnosticError)) throw e;
        }
      }
      for (const A of this.acts.get(ens.id)?.values() ?? []) {
        const storage = new Float64Array(A.data.buffer);
        if (!this.spare || storage.length > this.spare.length) this.spare = storage;
      }
      this.acts.delete(ens.id);
    }
    return this.solveOnce(ens, spec, origin);
  }

  private solveOnce(ens: BuiltEnsemble, spec: SolveSpec, origin: ConnectionIR["origin"]): Solved {
    const key = solveKey(ens.id, spec);
    const hit = this.solves.get(key);
    if (hit) return hit;
    const { fn, indices, reg, evalKey } = spec;
    const P = spec.evalPoints ?? ens.evalPoints;
    const acts = this.acts.get(ens.id) ?? this.acts.set(ens.id, new Map()).get(ens.id)!;
    let A = acts.get(evalKey);
    if (!A) {
      const storage = this.spare;
      this.spare = undefined;
      // With a rate curve, the current J comes from the same projection as Nengo's; only the rate curve differs.
      A = activities(this.rateCurveFor?.(ens) ?? ens.neuron, P, ens.encoders, ens.gain, ens.bias, ens.radius, storage);
      acts.set(evalKey, A);
    }
    const dIn = indices.length;
    const dF = functionOutputSize(fn, dIn);
    const Y = mat(P.rows, dF);
    const xs = new Float64Array(dIn);
    const row = new Float64Array(dF);
    for (let k = 0; k < P.rows; k++) {
      for (let j = 0; j < dIn; j++) xs[j] = P.data[k * P.cols + indices[j]];
      applyFunction(fn, xs, 0, dIn, row, 0);
      Y.data.set(row, k * dF);
    }
    let result;
    try {
      result = solveLstsqL2(A, Y, reg, this.scratch);
    } catch (err) {
      if (err instanceof SolverError) throw new DiagnosticError([diag("LMU2008", `decoders from '${ens.id}': ${err.message} (no neuron fires at any eval point; check max_rates and intercepts)`, origin)]);
      throw err;
    }
    const out = { decoders: result.decoders, report: { function: describeFunction(fn), reg, nEvalPoints: P.rows, rmses: Array.from(result.rmses), explicit: false } };
    this.solves.set(key, out);
    return out;
  }
}

function buildConnection(c: ConnectionIR, nodes: Map<string, NodeIR>, ens: Map<string, BuiltEnsemble>, cache: DecoderCache): BuiltConnection {
  const preEns = ens.get(c.from.id);
  const postEns = ens.get(c.to.id);
  const preNode = nodes.get(c.from.id);
  const postNode = nodes.get(c.to.id);
  const fromSize = preEns ? (c.from.part === "neurons" ? preEns.nNeurons : preEns.dimensions) : preNode!.sizeOut;
  const fromIdx = c.from.indices ?? range(fromSize);
  const toSize = postEns ? (c.to.part === "neurons" ? postEns.nNeurons : postEns.dimensions) : postNode!.sizeIn;
  const toIdx = c.to.indices ?? range(toSize);
  const dF = functionOutputSize(c.fn, fromIdx.length);
  const T = transformMatrix(c.transform, toIdx.length, dF, c.seed);
  const origin = c.origin ? { origin: c.origin } : {};
  let target: BuiltTarget = postEns
    ? c.to.part === "neurons"
      ? { kind: "neurons", id: c.to.id, indices: toIdx, gainScaled: true }
      : { kind: "ensemble", id: c.to.id, indices: toIdx }
    : { kind: "node", id: c.to.id, indices: toIdx };
  if (preNode) {
    const source: BuiltSource = { kind: "node", id: c.from.id, indices: fromIdx, fn: c.fn };
    return { id: c.id, source, target, weights: T, synapse: c.synapse, ...origin };
  }
  const pre = preEns!;
  if (c.from.part === "neurons") {
    return { id: c.id, source: { kind: "neurons", id: pre.id, indices: fromIdx }, target, weights: T, synapse: c.synapse, ...origin };
  }
  let D: Mat, report: SolveReport;
  if (c.decoders) {
    D = c.decoders;
    report = { function: describeFunction(c.fn), reg: c.solver.reg, nEvalPoints: 0, rmses: [], explicit: true };
  } else {
    ({ decoders: D, report } = cache.solve(pre, connectionSolve(c, pre), c.origin));
  }
  let W = matmul(T, transpose(D)); // (|to| × d_f)·(d_f × n)
  let valueTransform: Mat | undefined = T;
  if (c.solver.weights && postEns) {
    // Full weights: S_post[:, toIdx]·T·Dᵀ with S = (gain/radius) ⊙ E; the gain is inside, not applied again.
    const S = mat(postEns.nNeurons, toIdx.length);
    for (let i = 0; i < postEns.nNeurons; i++) {
      const g = postEns.gain[i] / postEns.radius;
      for (let j = 0; j < toIdx.length; j++) S.data[i * toIdx.length + j] = g * postEns.encoders.data[i * postEns.dimensions + toIdx[j]];
    }
    W = matmul(S, W);
    valueTransform = undefined; // the full-weight matrix no longer factors through the value
    target = { kind: "neurons", id: postEns.id, indices: range(postEns.nNeurons), gainScaled: false };
  }
  const learning = c.learningRule ? { learning: c.learningRule } : {};
  return { id: c.id, source: { kind: "neurons", id: pre.id, indices: range(pre.nNeurons) }, target, weights: W, synapse: c.synapse, decoders: D, ...(valueTransform ? { transform: valueTransform } : {}), solve: report, ...learning, ...origin };
}

/** An error connection is built like one into a node of the learned connection's output size. */
function buildErrorConnection(c: ConnectionIR, learned: BuiltConnection | undefined, nodes: Map<string, NodeIR>, ens: Map<string, BuiltEnsemble>, cache: DecoderCache): BuiltErrorConnection {
  if (!learned?.learning) throw new Error(`error connection ${c.id}: '${c.to.id}' is not a learned connection (the frontend should have rejected it)`);
  const size = learned.weights.rows;
  const sink: NodeIR = { id: c.to.id, sizeIn: size, sizeOut: size, output: { kind: "passthrough" }, role: "user" };
  const withSink = new Map(nodes).set(c.to.id, sink);
  const b = buildConnection(c, withSink, ens, cache);
  return { ...b, target: { kind: "learning", id: learned.id, indices: b.target.indices } };
}

function scaled(P: Mat, radius: number): Mat {
  const out = mat(P.rows, P.cols);
  for (let i = 0; i < P.data.length; i++) out.data[i] = P.data[i] * radius;
  return out;
}

export interface BuildNefOptions {
  readonly rateCurveFor?: RateCurveFor;
  /** Called after each connection's decoders are solved (done, total): progress of a long build. */
  readonly onProgress?: (done: number, total: number) => void;
}

export function buildNef(net: NetworkIR, opts: BuildNefOptions = {}): BuiltNetwork {
  if (net.lmus.length > 0) throw new Error("build-nef runs after expand-lmu");
  const diagnostics: Diagnostic[] = [];
  const guard = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (e instanceof DiagnosticError) {
        diagnostics.push(...e.diagnostics);
        return undefined;
      }
      throw e;
    }
  };
  const ensembles: BuiltEnsemble[] = [];
  for (const e of net.ensembles) {
    const b = guard(() => buildEnsemble(e));
    if (b) ensembles.push(b);
  }
  if (diagnostics.length) throw new DiagnosticError(diagnostics);
  const ensById = new Map(ensembles.map((e) => [e.id, e]));
  const nodeById = new Map(net.nodes.map((n) => [n.id, n]));
  const cache = new DecoderCache(opts.rateCurveFor, solvesOf(net, ensById));
  const connections: BuiltConnection[] = [];
  for (const c of net.connections) {
    const b = guard(() => buildConnection(c, nodeById, ensById, cache));
    if (b) connections.push(b);
    opts.onProgress?.(connections.length, net.connections.length);
  }
  const learnedById = new Map(connections.filter((c) => c.learning).map((c) => [c.id, c]));
  const errorConnections: BuiltErrorConnection[] = [];
  for (const c of net.errorConnections ?? []) {
    const b = guard(() => buildErrorConnection(c, learnedById.get(c.to.id), nodeById, ensById, cache));
    if (b) errorConnections.push(b);
  }
  const probes: BuiltProbe[] = [];
  for (const p of net.probes) {
    const b = guard((): BuiltProbe => {
      const e = ensById.get(p.target.id);
      const origin = p.origin ? { origin: p.origin } : {};
      const base = { id: p.id, attr: p.attr, synapse: p.synapse, sampleEverySteps: p.sampleEverySteps, ...origin };
      if (!e) {
        const node = nodeById.get(p.target.id)!;
        const indices = p.target.indices ?? range(node.sizeOut);
        return { ...base, target: { kind: "node", id: node.id, indices }, size: indices.length };
      }
      if (p.target.part === "neurons") {
        const indices = p.target.indices ?? range(e.nNeurons);
        return { ...base, target: { kind: "neurons", id: e.id, indices }, size: indices.length };
      }
      const indices = p.target.indices ?? range(e.dimensions);
      let D: Mat, solve: SolveReport | undefined;
      if (p.decoders) {
        D = p.decoders;
      } else {
        ({ decoders: D, report: solve } = cache.solve(e, probeSolve(e, p.solver.reg), p.origin));
      }
      const W = mat(indices.length, e.nNeurons);
      for (let r = 0; r < indices.length; r++) for (let i = 0; i < e.nNeurons; i++) W.data[r * e.nNeurons + i] = D.data[i * D.cols + indices[r]];
      const target: BuiltProbeTarget = { kind: "decoded", id: e.id, weights: W, ...(solve ? { solve } : {}) };
      return { ...base, target, size: indices.length };
    });
    if (b) probes.push(b);
  }
  if (diagnostics.length) throw new DiagnosticError(diagnostics);
  return { stage: "built", name: net.name, dtSeconds: net.dtSeconds, seed: net.seed, file: net.file, nodes: net.nodes, ensembles, connections, probes, ...(net.errorConnections ? { errorConnections } : {}) };
}
