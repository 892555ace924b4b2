/**
 * The converter's shared machinery: located errors, limits, neuron models, ensemble parameters,
 * functions, endpoints, synapses and solvers. convert.ts builds the network's objects on top of it.
 */
import { diag, DiagnosticError, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
import type { Distribution } from "../nef/samplers.js";
import type { NeuronModel } from "../neurons/models.js";
import type { Endpoint, FunctionSpec, SolverSpec, Synapse } from "../ir/network.js";
import { fmtBytes, fmtSeconds, scatteredCost, solveCost, type Cost } from "./cost.js";
import { parseEndpoint, resolveSlice, SliceError } from "./endpoint.js";
import type { JsonPath } from "./source.js";
import { isDistribution, matrixSpec, readVector, vectorSpec, type Ctx } from "./values.js";

/** Sizes beyond these are certainly a typo, and would exhaust memory before anything useful happens. */
export const LIMITS = {
  neuronsPerEnsemble: 1_000_000,
  neuronsPerNetwork: 10_000_000,
  dimensions: 65_536,
  lmuOrder: 4_096,
  evalPoints: 1_000_000,
  /** Entries of one dense matrix (transform, decoders): 2^27 doubles = 1 GiB. */
  matrixEntries: 1 << 27,
} as const;

export type Obj = Record<string, unknown>;

export interface ObjectInfo {
  readonly kind: "node" | "ensemble" | "lmu";
  readonly valueSize: number;
  readonly neurons: number;
  /** Nodes with size_in, and ensembles, accept connections. */
  readonly acceptsInput: boolean;
  readonly inputSize: number;
  /** Eval points of an ensemble: the rows of its activity matrix when something decodes from it. */
  readonly evalPoints: number;
  readonly path: JsonPath;
}

const DEFAULT_LIF: NeuronModel = { type: "lif", tauRcSeconds: 0.02, tauRefSeconds: 0.002, minVoltage: 0, amplitude: 1 };
const DEFAULT_MAX_RATES: Distribution = { dist: "uniform", low: 200, high: 400 };
const DEFAULT_INTERCEPTS: Distribution = { dist: "uniform", low: -1, high: 0.9 };
const DEFAULT_ENCODERS: Distribution = { dist: "scattered-hypersphere", surface: true };
const DEFAULT_EVAL_POINTS: Distribution = { dist: "scattered-hypersphere", surface: false };
const DEFAULT_SOLVER: SolverSpec = { reg: 0.1, weights: false };

/** Nengo's default eval point count: max(clip(500·d, 750, 2500), 2·n). */
export function defaultEvalPointCount(nNeurons: number, dimensions: number): number {
  return Math.max(Math.min(Math.max(500 * dimensions, 750), 2500), 2 * nNeurons);
}

export class ConverterBase {
  readonly diagnostics: Diagnostic[] = [];
  readonly objects = new Map<string, ObjectInfo>();
  readonly seed: number;
  readonly dtSeconds: number;
  totalNeurons = 0;
  /** Estimated seconds of build and simulation work so far (cost.ts). */
  totalSeconds = 0;
  /** Decoder solves of neural LMUs (per ensemble) by LMU id, charged again for every decoded reader. */
  readonly lmuSolves = new Map<string, { evalPoints: number; neurons: number; ensembles: number }>();

  constructor(
    readonly ctx: Ctx,
    readonly doc: Obj,
  ) {
    this.seed = (doc.seed as number | undefined) ?? 0;
    this.dtSeconds = (doc.dt as number | undefined) ?? 0.001;
  }

  loc(path: JsonPath, key = false): SourceLocation {
    return this.ctx.src.locate(path, key);
  }

  error(code: Diagnostic["code"], message: string, path: JsonPath, key = false): never {
    throw new DiagnosticError([diag(code, message, this.loc(path, key))]);
  }

  /** Collect an error and continue, so one run reports every independent problem. */
  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof DiagnosticError) {
        this.diagnostics.push(...e.diagnostics);
        return undefined;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- neurons and ensembles

  neuron(x: unknown, path: JsonPath): NeuronModel {
    if (x === undefined) return DEFAULT_LIF;
    const o: Obj = typeof x === "string" ? { type: x } : (x as Obj);
    const type = o.type as NeuronModel["type"];
    const amplitude = (o.amplitude as number | undefined) ?? 1;
    const only = (fields: string[]): void => {
      for (const k of Object.keys(o)) {
        if (k !== "type" && !fields.includes(k)) this.error("LMU2005", `'${k}' does not apply to ${type} neurons (they take ${fields.join(", ") || "no parameters"})`, [...path, k], true);
      }
    };
    switch (type) {
      case "lif":
        only(["tau_rc", "tau_ref", "min_voltage", "amplitude"]);
        return { type, tauRcSeconds: (o.tau_rc as number | undefined) ?? 0.02, tauRefSeconds: (o.tau_ref as number | undefined) ?? 0.002, minVoltage: (o.min_voltage as number | undefined) ?? 0, amplitude };
      case "lif-rate":
        only(["tau_rc", "tau_ref", "amplitude"]);
        return { type, tauRcSeconds: (o.tau_rc as number | undefined) ?? 0.02, tauRefSeconds: (o.tau_ref as number | undefined) ?? 0.002, amplitude };
      case "relu":
      case "spiking-relu":
        only(["amplitude"]);
        return { type, amplitude };
    }
  }

  /** A dense matrix the build would allocate; refuse it before it exhausts memory. */
  checkEntries(rows: number, cols: number, what: string, path: JsonPath, advice: string): void {
    if (rows * cols > LIMITS.matrixEntries) {
      this.error("LMU2004", `${what} would be a ${rows}×${cols} matrix (${(rows * cols).toExponential(2)} entries, more than the ${LIMITS.matrixEntries.toLocaleString("en-US")} lmuc builds); ${advice}`, path);
    }
  }

  /**
   * Refuses work estimated above the budget, on its own or added to what the network already
   * needs, at the field that asks for it; `advice` says how to ask for less.
   */
  charge(cost: Cost, path: JsonPath, advice: string): void {
    if (cost.bytes > LIMITS.matrixEntries * 8) {
      this.error("LMU2004", `${cost.what} needs ${fmtBytes(cost.bytes)} in one array, more than the ${fmtBytes(LIMITS.matrixEntries * 8)} lmuc allocates; ${advice}`, path);
    }
    this.totalSeconds += cost.seconds;
    const budget = this.ctx.budgetSeconds;
    if (cost.seconds > budget) {
      this.error("LMU2004", `${cost.what} would take about ${fmtSeconds(cost.seconds)}, more than the ${budget} s of work lmuc accepts from a network; ${advice}`, path);
    }
    if (this.totalSeconds > budget) {
      this.error("LMU2004", `with ${cost.what} the network would take about ${fmtSeconds(this.totalSeconds)} to build, more than the ${budget} s of work lmuc accepts from a network; ${advice}`, path);
    }
  }

  /** Charges one decoder solve: every decoded connection and probe solves its own. */
  chargeSolve(evalPoints: number, neurons: number, ensembles: number, path: JsonPath, advice: string): void {
    this.charge(solveCost(evalPoints, neurons, ensembles), path, advice);
  }

  /** A decoded read of LMU `id`'s state: one more solve on each of its ensembles, if it is neural. */
  chargeLmuRead(id: string, path: JsonPath): void {
    const s = this.lmuSolves.get(id);
    if (s) this.chargeSolve(s.evalPoints, s.neurons, s.ensembles, path, `use fewer neurons per ensemble in LMU '${id}' or set its n_eval_points`);
  }

  checkNeuronCount(n: number, path: JsonPath): void {
    if (n > LIMITS.neuronsPerEnsemble) {
      this.error("LMU2004", `n_neurons ${n} is out of range: an ensemble has at most ${LIMITS.neuronsPerEnsemble.toLocaleString("en-US")} neurons`, path);
    }
    this.totalNeurons += n;
    if (this.totalNeurons > LIMITS.neuronsPerNetwork) {
      this.error("LMU2004", `the network would have ${this.totalNeurons} neurons, more than the ${LIMITS.neuronsPerNetwork.toLocaleString("en-US")} lmuc builds`, path);
    }
  }

  ensembleCommon(o: Obj, path: JsonPath, n: number, d: number, neuron: NeuronModel) {
    const maxRatesHz = vectorSpec(this.ctx, o.max_rates, [...path, "max_rates"], n, "max_rates", DEFAULT_MAX_RATES);
    const intercepts = vectorSpec(this.ctx, o.intercepts, [...path, "intercepts"], n, "intercepts", DEFAULT_INTERCEPTS);
    if ((o.gain === undefined) !== (o.bias === undefined)) {
      this.error("LMU2005", "give gain and bias together (or neither, to derive them from max_rates and intercepts)", [...path, o.gain === undefined ? "bias" : "gain"], true);
    }
    const gain = o.gain !== undefined ? this.explicitVector(o.gain, [...path, "gain"], n, "gain") : undefined;
    const bias = o.bias !== undefined ? this.explicitVector(o.bias, [...path, "bias"], n, "bias") : undefined;
    const encoders = matrixSpec(this.ctx, o.encoders, [...path, "encoders"], n, d, "encoders", DEFAULT_ENCODERS);
    const evalRaw = o.eval_points;
    const evalPoints = matrixSpec(this.ctx, evalRaw, [...path, "eval_points"], undefined, d, "eval_points", DEFAULT_EVAL_POINTS);
    let nEvalPoints = (o.n_eval_points as number | undefined) ?? (isDistribution(evalRaw) && typeof evalRaw.count === "number" ? evalRaw.count : defaultEvalPointCount(n, d));
    if (evalPoints.kind === "explicit") nEvalPoints = evalPoints.values.rows;
    if (nEvalPoints > LIMITS.evalPoints) this.error("LMU2004", `${nEvalPoints} eval points is out of range (at most ${LIMITS.evalPoints})`, [...path, "n_eval_points"]);
    if (d >= 2 && encoders.kind === "dist" && encoders.dist.dist === "scattered-hypersphere") {
      this.charge(scatteredCost(n, d, "encoders"), [...path, o.encoders === undefined ? "dimensions" : "encoders"], "use fewer dimensions, or give encoders: {dist: uniform-hypersphere, surface: true}");
    }
    if (d >= 2 && evalPoints.kind === "dist" && evalPoints.dist.dist === "scattered-hypersphere") {
      this.charge(scatteredCost(nEvalPoints, d, "eval points"), [...path, evalRaw === undefined ? "dimensions" : "eval_points"], "use fewer dimensions or n_eval_points, or give eval_points: {dist: uniform-hypersphere}");
    }
    const spikingState = neuron.type === "lif" || neuron.type === "spiking-relu";
    const initialVoltage = o.initial_voltage !== undefined
      ? vectorSpec(this.ctx, o.initial_voltage, [...path, "initial_voltage"], n, "initial_voltage", { dist: "uniform", low: 0, high: 1 })
      : spikingState
        ? ({ kind: "dist", dist: { dist: "uniform", low: 0, high: 1 } } as const)
        : ({ kind: "explicit", values: new Float64Array(n) } as const);
    const radius = (o.radius as number | undefined) ?? 1;
    return { maxRatesHz, intercepts, ...(gain && bias ? { gain, bias } : {}), encoders, evalPoints, nEvalPoints, initialVoltage, radius };
  }

  explicitVector(x: unknown, path: JsonPath, n: number, what: string): Float64Array {
    if (isDistribution(x)) this.error("LMU2005", `${what} must be given explicitly (a number or a list), not as a distribution`, path);
    return readVector(this.ctx, x, path, n, what);
  }

  // ---------------------------------------------------------------- functions, endpoints

  functionSpec(x: unknown, path: JsonPath): FunctionSpec {
    if (x === undefined || x === "identity") return { kind: "identity" };
    if (x === "square") return { kind: "square" };
    if (x === "product") return { kind: "product" };
    if (x === "zero") return { kind: "zero", size: 1 };
    const o = x as Obj;
    if (o.zero !== undefined) return { kind: "zero", size: o.zero as number };
    if (o["legendre-delay"] !== undefined) return { kind: "legendre-delay", delaySeconds: o["legendre-delay"] as number };
    const t = o.tabulated as Obj;
    const xs = t.x as number[];
    const yRaw = t.y as number[] | number[][];
    const ys = yRaw.map((r) => (typeof r === "number" ? [r] : r));
    if (ys.length !== xs.length) this.error("LMU2002", `tabulated has ${xs.length} x values but ${ys.length} y values`, [...path, "tabulated", "y"]);
    for (let i = 1; i < xs.length; i++) if (!(xs[i] > xs[i - 1])) this.error("LMU2007", "tabulated x values must be strictly increasing", [...path, "tabulated", "x", i]);
    const w = ys[0].length;
    ys.forEach((r, i) => {
      if (r.length !== w) this.error("LMU2002", `tabulated y row ${i} has ${r.length} entries, row 0 has ${w}`, [...path, "tabulated", "y", i]);
    });
    return { kind: "tabulated", xs, ys };
  }

  /** Output size of a function applied to an input of `sizeIn`; `lmu` is set when reading an LMU's state. */
  functionOutputSize(fn: FunctionSpec, sizeIn: number, path: JsonPath, lmu: { id: string; order: number; thetaSeconds: number } | undefined): number {
    switch (fn.kind) {
      case "identity":
      case "square":
        return sizeIn;
      case "product":
        if (sizeIn < 2) this.error("LMU2002", `'product' multiplies the components of its input, which needs at least 2, got ${sizeIn}`, path);
        return 1;
      case "zero":
        return fn.size;
      case "tabulated":
        if (sizeIn !== 1) this.error("LMU2002", `a tabulated function takes a 1-D input, got ${sizeIn} dimensions (slice the source, e.g. x[0])`, path);
        return fn.ys[0].length;
      case "legendre-delay":
        if (!lmu) this.error("LMU2007", "legendre-delay reads an LMU's memory: the connection must start at an LMU", path);
        if (sizeIn !== lmu.order) this.error("LMU2002", `legendre-delay needs the whole LMU state (${lmu.order} dimensions); remove the slice on '${lmu.id}'`, path);
        if (fn.delaySeconds > lmu.thetaSeconds) {
          this.error("LMU2009", `legendre-delay ${fn.delaySeconds} s is longer than the window of LMU '${lmu.id}' (theta = ${lmu.thetaSeconds} s), which remembers only its last theta seconds; use a delay from 0 to ${lmu.thetaSeconds} s or a longer theta`, path);
        }
        return 1;
    }
  }

  endpoint(text: string, path: JsonPath, role: "source" | "target" | "probe"): { ep: Endpoint; info: ObjectInfo; size: number } {
    let raw;
    try {
      raw = parseEndpoint(text);
    } catch (e) {
      return this.error("LMU2006", (e as Error).message, path);
    }
    const info = this.objects.get(raw.id);
    if (!info) {
      const known = [...this.objects.keys()];
      const near = known.find((k) => k.toLowerCase() === raw.id.toLowerCase()) ?? known.find((k) => editDistance(k, raw.id) <= 2);
      return this.error("LMU2001", `unknown id '${raw.id}'${near ? ` (did you mean '${near}'?)` : known.length ? ` (known: ${known.slice(0, 8).join(", ")})` : ""}`, path);
    }
    if (raw.part === "neurons" && info.neurons === 0) {
      this.error("LMU2007", info.kind === "lmu" ? `LMU '${raw.id}' has no single neuron population (only the neurons implementation with layout: single has one)` : `'${raw.id}' is a node; only ensembles have .neurons`, path);
    }
    let full: number;
    if (raw.part === "neurons") full = info.neurons;
    else if (role === "target") {
      if (info.kind === "lmu") this.error("LMU2007", `an LMU's input is set by its 'input' field; connect to '${raw.id}' there`, path);
      if (!info.acceptsInput) this.error("LMU2007", `node '${raw.id}' produces a signal and takes no input; give it size_in to make it a passthrough node`, path);
      full = info.inputSize;
    } else full = info.valueSize;
    let indices: number[] | undefined;
    try {
      indices = raw.slice === undefined ? undefined : resolveSlice(raw.slice, full);
    } catch (e) {
      if (e instanceof SliceError) return this.error("LMU2006", `'${text}': ${e.message}`, path);
      throw e;
    }
    return { ep: { id: raw.id, part: raw.part, ...(indices ? { indices } : {}), text }, info, size: indices ? indices.length : full };
  }

  synapse(x: unknown, dflt: Synapse): Synapse {
    if (x === undefined) return dflt;
    if (x === null) return { kind: "none" };
    if (typeof x === "number") return { kind: "lowpass", tauSeconds: x };
    return { kind: "lowpass", tauSeconds: (x as Obj).lowpass as number };
  }

  solver(x: unknown): SolverSpec {
    if (x === undefined) return DEFAULT_SOLVER;
    const o = x as Obj;
    return { reg: (o.reg as number | undefined) ?? 0.1, weights: (o.weights as boolean | undefined) ?? false };
  }

}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}
