/**
 * Validated document → NetworkIR. Resolves defaults, endpoints and slices, data files and sizes;
 * reports semantic errors (unknown references, dimension mismatches, absurd sizes, algebraic
 * loops) with the location of the offending field. Draws nothing at random.
 */
import { diag, DiagnosticError, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
import type { Mat } from "../math/matrix.js";
import type { Distribution } from "../nef/samplers.js";
import type { NeuronModel } from "../neurons/models.js";
import { deriveSeed } from "../util/rng.js";
import type {
  ConnectionIR,
  EnsembleIR,
  Endpoint,
  FunctionSpec,
  LmuEnsembleTemplate,
  LmuIR,
  NetworkIR,
  NodeIR,
  NodeOutput,
  ProbeAttr,
  ProbeIR,
  SolverSpec,
  Synapse,
  TransformSpec,
} from "../ir/network.js";
import { convertTrainedSections } from "./cells.js";
import { parseEndpoint, resolveSlice, SliceError } from "./endpoint.js";
import type { JsonPath } from "./source.js";
import { isDistribution, matrixSpec, readArray, readMatrix, readVector, toDistribution, vectorSpec, type Ctx } from "./values.js";

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

type Obj = Record<string, unknown>;

interface ObjectInfo {
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

class Converter {
  readonly diagnostics: Diagnostic[] = [];
  readonly objects = new Map<string, ObjectInfo>();
  readonly seed: number;
  readonly dtSeconds: number;
  totalNeurons = 0;

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

  // ---------------------------------------------------------------- nodes

  nodeOutput(o: Obj, path: JsonPath, id: string): { output: NodeOutput; sizeIn: number; sizeOut: number } {
    const sizeIn = (o.size_in as number | undefined) ?? 0;
    if (o.output !== undefined && o.size_in !== undefined) {
      this.error("LMU2007", "a node has either an output (a signal of time) or size_in (it transforms its input), not both", [...path, "size_in"], true);
    }
    if (o.function !== undefined && o.size_in === undefined) {
      this.error("LMU2007", "a node with a function needs size_in (the size of the input it applies the function to)", [...path, "function"], true);
    }
    if (o.output === undefined) {
      if (o.size_in === undefined) this.error("LMU1002", `node '${id}' needs an output (a signal) or size_in (a passthrough or function node)`, path, true);
      if (o.function === undefined) return { output: { kind: "passthrough" }, sizeIn, sizeOut: sizeIn };
      const fn = this.functionSpec(o.function, [...path, "function"]);
      const sizeOut = this.functionOutputSize(fn, sizeIn, [...path, "function"], undefined);
      return { output: { kind: "function", fn }, sizeIn, sizeOut };
    }
    const out = o.output;
    const opath = [...path, "output"];
    const vec = (x: unknown): number[] => (x === undefined ? [] : typeof x === "number" ? [x] : (x as number[]));
    if (typeof out === "number" || Array.isArray(out)) {
      const value = vec(out);
      if (value.length === 0) this.error("LMU2002", "a constant output needs at least one value", opath);
      return { output: { kind: "constant", value }, sizeIn: 0, sizeOut: value.length };
    }
    const oo = out as Obj;
    const sameSize = (names: string[]): number => {
      const sizes = names.map((k) => ({ k, n: vec(oo[k]).length })).filter((s) => s.n > 1);
      const size = sizes.length > 0 ? sizes[0].n : 1;
      for (const s of sizes) if (s.n !== size) this.error("LMU2002", `'${s.k}' has ${s.n} values but '${sizes[0].k}' has ${size}`, [...opath, s.k]);
      return size;
    };
    const broadcast = (x: unknown, n: number, dflt: number): number[] => {
      const v = vec(x);
      if (v.length === 0) return new Array<number>(n).fill(dflt);
      if (v.length === 1) return new Array<number>(n).fill(v[0]);
      return v;
    };
    switch (oo.kind as string) {
      case "constant": {
        const value = vec(oo.value);
        return { output: { kind: "constant", value }, sizeIn: 0, sizeOut: value.length };
      }
      case "step": {
        const n = sameSize(["before", "after"]);
        return { output: { kind: "step", timeSeconds: oo.time as number, before: broadcast(oo.before, n, 0), after: broadcast(oo.after, n, 1) }, sizeIn: 0, sizeOut: n };
      }
      case "sine": {
        const n = sameSize(["amplitude", "offset"]);
        return { output: { kind: "sine", frequencyHz: oo.frequency as number, amplitude: broadcast(oo.amplitude, n, 1), phaseRadians: (oo.phase as number | undefined) ?? 0, offset: broadcast(oo.offset, n, 0) }, sizeIn: 0, sizeOut: n };
      }
      case "piecewise": {
        const times = oo.times as number[];
        const raw = oo.values as number[] | number[][];
        const values = raw.map((r) => (typeof r === "number" ? [r] : r));
        if (values.length !== times.length) this.error("LMU2002", `piecewise has ${times.length} times but ${values.length} values`, [...opath, "values"]);
        for (let i = 1; i < times.length; i++) if (!(times[i] > times[i - 1])) this.error("LMU2011", "piecewise times must be strictly increasing", [...opath, "times", i]);
        const n = values[0].length;
        values.forEach((v, i) => {
          if (v.length !== n) this.error("LMU2002", `piecewise value ${i} has ${v.length} entries, the first has ${n}`, [...opath, "values", i]);
        });
        return { output: { kind: "piecewise", timesSeconds: times, values, interpolation: (oo.interpolation as "zero" | "linear" | undefined) ?? "zero" }, sizeIn: 0, sizeOut: n };
      }
      case "white-noise": {
        const dims = (oo.dimensions as number | undefined) ?? 1;
        const period = oo.period as number;
        if (period / this.dtSeconds > 1e8) this.error("LMU2004", `a white-noise period of ${period} s is ${Math.round(period / this.dtSeconds)} steps; at most 1e8 are generated`, [...opath, "period"]);
        return {
          output: {
            kind: "white-noise",
            periodSeconds: period,
            highHz: oo.high as number,
            rms: (oo.rms as number | undefined) ?? 0.5,
            seed: (oo.seed as number | undefined) ?? deriveSeed(this.seed, `node/${id}/white-noise`),
            ...(oo.y0 !== undefined ? { y0: oo.y0 as number } : {}),
          },
          sizeIn: 0,
          sizeOut: dims,
        };
      }
      case "data": {
        const arr = readArray(this.ctx, oo.values, [...opath, "values"]);
        const values: Mat = arr.shape.length === 1 ? { rows: arr.shape[0], cols: 1, data: arr.data } : { rows: arr.shape[0], cols: arr.shape[1], data: arr.data };
        if (values.rows === 0 || values.cols === 0) this.error("LMU2002", "data has no samples", [...opath, "values"]);
        const source = typeof oo.values === "object" && oo.values !== null && "file" in (oo.values as Obj) ? String((oo.values as Obj).file) : "inline";
        return { output: { kind: "data", values, afterEnd: (oo.after_end as "repeat" | "hold" | "zero" | undefined) ?? "repeat", source }, sizeIn: 0, sizeOut: values.cols };
      }
    }
    return this.error("LMU1002", "unknown output kind", opath);
  }

  node(id: string, o: Obj, path: JsonPath): NodeIR {
    const { output, sizeIn, sizeOut } = this.nodeOutput(o, path, id);
    return { id, sizeIn, sizeOut, output, role: "user", origin: this.loc(path, true) };
  }

  // ---------------------------------------------------------------- functions, endpoints

  functionSpec(x: unknown, path: JsonPath): FunctionSpec {
    if (x === undefined || x === "identity") return { kind: "identity" };
    if (x === "square") return { kind: "square" };
    if (x === "product") return { kind: "product" };
    const o = x as Obj;
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

  // ---------------------------------------------------------------- LMUs

  lmuInfo(id: string, o: Obj, path: JsonPath): ObjectInfo {
    const order = o.order as number;
    if (order > LIMITS.lmuOrder) this.error("LMU2004", `order ${order} is out of range (at most ${LIMITS.lmuOrder})`, [...path, "order"]);
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
    if (!decoders) this.checkEntries(common.nEvalPoints, nPer, "solving the LMU's decoders needs an activity matrix that", ipath, "use fewer neurons per ensemble, set n_eval_points, or give decoders");
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
      transform = { kind: "dist", dist: toDistribution(t), rows: dPost, cols: dF };
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
    if (decoded) {
      if (o.decoders === undefined && o.eval_points === undefined) {
        this.checkEntries(from.info.evalPoints, from.info.neurons, `decoding from '${from.ep.id}' needs an activity matrix (eval points × neurons) that`, [...path, "from"], `use fewer neurons in '${from.ep.id}', set its n_eval_points, or give decoders`);
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
      origin: this.loc(path),
    };
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
    if (kind === "ensemble" && attr === "decoded" && !decoders) {
      this.checkEntries(target.info.evalPoints, target.info.neurons, `decoding '${target.ep.id}' needs an activity matrix (eval points × neurons) that`, typeof x === "string" ? path : [...path, "target"], `use fewer neurons in '${target.ep.id}', set its n_eval_points, or probe '${target.ep.id}.neurons'`);
    }
    return {
      id,
      target: target.ep,
      attr,
      synapse: this.synapse(o.synapse, { kind: "none" }),
      sampleEverySteps,
      solver: this.solver(o.solver),
      ...(decoders ? { decoders } : {}),
      origin: this.loc(path, true),
    };
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
  ((doc.connections as Obj[] | undefined) ?? []).forEach((o, i) => {
    const conn = c.guard(() => c.connection(i, o, ["connections", i], lmuShapes));
    if (conn) connections.push(conn);
  });
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
