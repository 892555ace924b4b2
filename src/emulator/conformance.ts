/**
 * Adapter from the `lmuc-conformance/1` vectors (shared/conformance/README.md) to the emulator,
 * and the exact comparison they demand: spikes of every step, the u/v traces and the final
 * states must be identical, with no tolerance.
 */
import { LearningChecker, loadLearning, type JsonReaders, type LearningCase } from "./conformance-learning.js";
import { Emulator, type InputSpikes } from "./engine.js";
import { ReplayLearningRandom } from "./learning.js";
import type { EmuAxonRow, EmuModel, EmuSynapseGroup } from "./model.js";
import { validateModel } from "./model.js";

export const CONFORMANCE_FORMAT = "lmuc-conformance/1";

/** The features beyond the base semantics that this emulator implements (a vector's `requires`). */
export const IMPLEMENTED_FEATURES: readonly string[] = ["learning"];

/** A vector whose `requires` lists a feature this emulator does not implement: refused, not run. */
export class ConformanceUnsupportedError extends Error {
  constructor(readonly feature: string) {
    super(`$.requires: the vector requires the feature ${JSON.stringify(feature)}, which this emulator does not implement (it implements: ${IMPLEMENTED_FEATURES.join(", ")})`);
    this.name = "ConformanceUnsupportedError";
  }
}

/** A vector that is not `lmuc-conformance/1` or has a malformed field; `path` is a JSON path ($.a[3].b). */
export class ConformanceFormatError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = "ConformanceFormatError";
  }
}

/** What the reference recorded. Traces are row-major [step − 1][k] over `traced`. */
export interface ConformanceExpected {
  /** Per step (index step − 1): the compartments that spiked, ascending. */
  spikes: Int32Array[];
  spikeCounts: Int32Array;
  traced: Int32Array;
  uTrace: Int32Array;
  vTrace: Int32Array;
  finalU: Int32Array;
  finalV: Int32Array;
}

export interface ConformanceCase {
  name: string;
  description: string;
  model: EmuModel;
  steps: number;
  /** Host spikes by the step they are delivered in. */
  inputSpikes: Map<number, InputSpikes[]>;
  expected: ConformanceExpected;
  /** PES learning (vectors with a `learning` section). */
  learning?: LearningCase;
}

export type MismatchQuantity = "spike" | "u" | "v" | "final_u" | "final_v" | "trace" | "weight" | "final_weight";

export interface ConformanceMismatch {
  step: number;
  /** The compartment; for a weight its readout compartment; −1 for a trace. */
  compartment: number;
  quantity: MismatchQuantity;
  /** For learning mismatches: the learning group (index in learning.groups) and its input axon. */
  group?: number;
  axon?: number;
  /** For "spike": 1 if the compartment should have spiked, else 0. */
  expected: number;
  got: number;
}

export interface ConformanceResult {
  name: string;
  pass: boolean;
  firstMismatch?: ConformanceMismatch;
  steps: number;
  /** Learning vectors: the trace and weight updates compared (one per group and epoch step). */
  learningUpdates?: { traces: number; weights: number };
  /** Wall time of the emulation and comparison (not of loading). */
  seconds: number;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new ConformanceFormatError(path, `expected an object, got ${describe(v)}`);
  return v;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ConformanceFormatError(path, `expected an array, got ${describe(v)}`);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string") throw new ConformanceFormatError(path, `expected a string, got ${describe(v)}`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new ConformanceFormatError(path, `expected a boolean, got ${describe(v)}`);
  return v;
}

function int(v: unknown, path: string, lo = INT32_MIN, hi = INT32_MAX): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new ConformanceFormatError(path, `expected an integer, got ${describe(v)}`);
  if (v < lo || v > hi) throw new ConformanceFormatError(path, `${v} is outside ${lo}..${hi}`);
  return v;
}

function num(v: unknown, path: string, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ConformanceFormatError(path, `expected a number, got ${describe(v)}`);
  if (v < lo || v > hi) throw new ConformanceFormatError(path, `${v} is outside ${lo}..${hi}`);
  return v;
}

function intArray(v: unknown, path: string, length?: number, lo = INT32_MIN, hi = INT32_MAX): Int32Array {
  const a = arr(v, path);
  if (length !== undefined && a.length !== length) throw new ConformanceFormatError(path, `expected ${length} entries, got ${a.length}`);
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    // Checked inline rather than through int() to keep loading the big vectors quick.
    if (typeof x !== "number" || !Number.isInteger(x) || x < lo || x > hi) int(x, `${path}[${i}]`, lo, hi);
    out[i] = x as number;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

const readers: JsonReaders = {
  obj,
  arr,
  int,
  num,
  intArray,
  fail: (path, detail) => {
    throw new ConformanceFormatError(path, detail);
  },
};

/** The `requires` list: refuses (ConformanceUnsupportedError) a feature this emulator does not implement. */
function checkRequires(root: Record<string, unknown>): Set<string> {
  if (root.requires === undefined) return new Set();
  const features = arr(root.requires, "$.requires").map((f, i) => str(f, `$.requires[${i}]`));
  for (const f of features) if (!IMPLEMENTED_FEATURES.includes(f)) throw new ConformanceUnsupportedError(f);
  return new Set(features);
}

/**
 * Parse and check a vector; every problem is a ConformanceFormatError naming its JSON path, and a
 * vector requiring an unimplemented feature is a ConformanceUnsupportedError.
 */
export function loadConformance(json: unknown): ConformanceCase {
  const root = obj(json, "$");
  if (root.format !== CONFORMANCE_FORMAT) {
    throw new ConformanceFormatError("$.format", `expected "${CONFORMANCE_FORMAT}", got ${describe(root.format)}`);
  }
  const requires = checkRequires(root);
  const name = str(root.name, "$.name");
  const description = root.description === undefined ? "" : str(root.description, "$.description");
  const steps = int(root.steps, "$.steps", 0);

  const cxJson = obj(root.compartments, "$.compartments");
  const n = int(cxJson.count, "$.compartments.count", 0);
  const cxArray = (key: string, lo?: number, hi?: number): Int32Array => intArray(cxJson[key], `$.compartments.${key}`, n, lo, hi);
  const compartments = {
    count: n,
    decayU: cxArray("decay_u", 0, 4095),
    decayV: cxArray("decay_v", 0, 4095),
    vth: cxArray("vth", 0),
    bias: cxArray("bias"),
    vmin: cxArray("vmin", INT32_MIN, 0),
    vmax: cxArray("vmax", 0),
    refractDelay: cxArray("refract_delay", 1, 63),
  };

  const blocks = arr(root.blocks, "$.blocks").map((b, i) => {
    const p = `$.blocks[${i}]`;
    const o = obj(b, p);
    const start = int(o.start, `${p}.start`, 0, n);
    const count = int(o.count, `${p}.count`, 0, n - start);
    return { label: str(o.label, `${p}.label`), start, count, core: -1 };
  });

  const inputs = arr(root.inputs, "$.inputs").map((x, i) => {
    const o = obj(x, `$.inputs[${i}]`);
    return { label: str(o.label, `$.inputs[${i}].label`), count: int(o.count, `$.inputs[${i}].count`, 0) };
  });

  const learnedFlags: boolean[] = [];
  const synapses: EmuSynapseGroup[] = arr(root.synapses, "$.synapses").map((s, gi) => {
    const p = `$.synapses[${gi}]`;
    const o = obj(s, p);
    learnedFlags.push(o.learning === undefined ? false : bool(o.learning, `${p}.learning`));
    const axons = arr(o.axons, `${p}.axons`).map((a, ai): EmuAxonRow | null => {
      if (a === null) return null;
      const ap = `${p}.axons[${ai}]`;
      const ao = obj(a, ap);
      const targets = intArray(ao.targets, `${ap}.targets`, undefined, 0, n - 1);
      const weights = intArray(ao.weights, `${ap}.weights`, targets.length);
      return { targets, weights };
    });
    return {
      label: str(o.label, `${p}.label`),
      block: int(o.block, `${p}.block`, 0, blocks.length - 1),
      weightExp: int(o.weight_exp, `${p}.weight_exp`),
      weightBits: int(o.weight_bits, `${p}.weight_bits`),
      isMixed: bool(o.is_mixed, `${p}.is_mixed`),
      axons,
    };
  });

  const routes = arr(root.routes, "$.routes").map((r, ri) => {
    const p = `$.routes[${ri}]`;
    const o = obj(r, p);
    const source = o.source;
    if (source !== "block" && source !== "input") throw new ConformanceFormatError(`${p}.source`, `expected "block" or "input", got ${describe(source)}`);
    const index = int(o.index, `${p}.index`, 0, (source === "block" ? blocks.length : inputs.length) - 1);
    const synapse = int(o.synapse, `${p}.synapse`, 0, synapses.length - 1);
    const sources = source === "block" ? blocks[index].count : inputs[index].count;
    const axonOf = intArray(o.axon_of, `${p}.axon_of`, sources, -1, synapses[synapse].axons.length - 1);
    return { source: source as "block" | "input", index, synapse, axonOf };
  });

  const inputSpikes = readInputSpikes(root, steps, inputs);

  const model: EmuModel = { compartments, blocks, synapses, routes, inputs, delaySlots: 1 };
  let learning: LearningCase | undefined;
  if (root.learning !== undefined || learnedFlags.includes(true)) {
    if (!requires.has("learning")) throw new ConformanceFormatError("$.requires", `the vector has learning (a "learning" section or a learned synapse group) but does not list "learning" in requires`);
    learning = loadLearning(readers, root, steps, synapses, learnedFlags, blocks);
    model.learning = learning.groups;
  } else if (requires.has("learning")) {
    throw new ConformanceFormatError("$.learning", `requires lists "learning" but the vector has no learning section`);
  }
  // Index ranges were checked above with JSON paths; this catches what is left (overlapping blocks...).
  const problems = validateModel(model, { hardware: false, maxProblems: 5 });
  if (problems.length > 0) throw new ConformanceFormatError("$", `the network is inconsistent: ${problems.join("; ")}`);

  const expected = readExpected(root, steps, n);
  return { name, description, model, steps, inputSpikes, expected, ...(learning === undefined ? {} : { learning }) };
}

/** `input_spikes`, grouped by the step they are delivered in. */
function readInputSpikes(root: Record<string, unknown>, steps: number, inputs: { count: number }[]): Map<number, InputSpikes[]> {
  const inputSpikes = new Map<number, InputSpikes[]>();
  arr(root.input_spikes, "$.input_spikes").forEach((e, i) => {
    const p = `$.input_spikes[${i}]`;
    const t = arr(e, p);
    if (t.length !== 3) throw new ConformanceFormatError(p, `expected [step, input, [channels...]], got ${t.length} entries`);
    const step = int(t[0], `${p}[0]`, 1, Math.max(1, steps));
    const input = int(t[1], `${p}[1]`, 0, inputs.length - 1);
    const channels = intArray(t[2], `${p}[2]`, undefined, 0, inputs[input].count - 1);
    const list = inputSpikes.get(step);
    if (list === undefined) inputSpikes.set(step, [{ input, channels }]);
    else list.push({ input, channels });
  });
  return inputSpikes;
}

/** `expected`: spikes per step, the traced u/v and the final states, checked against steps and n. */
function readExpected(root: Record<string, unknown>, steps: number, n: number): ConformanceExpected {
  const ex = obj(root.expected, "$.expected");
  const spikes: Int32Array[] = Array.from({ length: steps }, () => new Int32Array(0));
  arr(ex.spikes, "$.expected.spikes").forEach((e, i) => {
    const p = `$.expected.spikes[${i}]`;
    const t = arr(e, p);
    if (t.length !== 2) throw new ConformanceFormatError(p, `expected [step, [compartments...]], got ${t.length} entries`);
    const step = int(t[0], `${p}[0]`, 1, steps);
    // Sorted so the comparison can merge it with the emulator's ascending list.
    spikes[step - 1] = intArray(t[1], `${p}[1]`, undefined, 0, n - 1).sort();
  });
  const spikeCounts = intArray(ex.spike_counts, "$.expected.spike_counts", steps, 0, n);
  for (let t = 0; t < steps; t++) {
    if (spikes[t].length !== spikeCounts[t]) {
      throw new ConformanceFormatError(`$.expected.spike_counts[${t}]`, `says ${spikeCounts[t]} spikes in step ${t + 1} but expected.spikes lists ${spikes[t].length}`);
    }
  }
  const traced = intArray(ex.traced, "$.expected.traced", undefined, 0, n - 1);
  const trace = (key: "u_trace" | "v_trace"): Int32Array => {
    const rows = arr(ex[key], `$.expected.${key}`);
    if (rows.length !== steps) throw new ConformanceFormatError(`$.expected.${key}`, `expected ${steps} rows (one per step), got ${rows.length}`);
    const out = new Int32Array(steps * traced.length);
    rows.forEach((row, t) => out.set(intArray(row, `$.expected.${key}[${t}]`, traced.length), t * traced.length));
    return out;
  };
  const expected: ConformanceExpected = {
    spikes,
    spikeCounts,
    traced,
    uTrace: trace("u_trace"),
    vTrace: trace("v_trace"),
    finalU: intArray(ex.final_u, "$.expected.final_u", n),
    finalV: intArray(ex.final_v, "$.expected.final_v", n),
  };
  return expected;
}

function isCase(v: unknown): v is ConformanceCase {
  return isObject(v) && isObject(v.model) && isObject(v.expected) && v.inputSpikes instanceof Map;
}

/** The smallest compartment in exactly one of two ascending lists, or −1 when they are equal. */
function firstSpikeDifference(expected: Int32Array, got: Int32Array, gotCount: number): number {
  let i = 0;
  let j = 0;
  while (i < expected.length && j < gotCount) {
    if (expected[i] === got[j]) {
      i++;
      j++;
    } else return Math.min(expected[i], got[j]);
  }
  if (i < expected.length) return expected[i];
  if (j < gotCount) return got[j];
  return -1;
}

/**
 * Run a vector (raw JSON or an already loaded case) and compare exactly. The first mismatch is
 * the earliest step; within a step spikes are compared first, then u, then v of the traced
 * compartments; final states last.
 */
export function runConformance(vector: unknown): ConformanceResult {
  const c = isCase(vector) ? vector : loadConformance(vector);
  const t0 = performance.now();
  const emu = new Emulator(c.model, { overflow: "wrap", ...(c.learning === undefined ? {} : { learningRandom: new ReplayLearningRandom(c.learning.random) }) });
  const learning = c.learning !== undefined && emu.learning !== null ? new LearningChecker(c.learning, emu.learning) : null;
  const { expected, steps } = c;
  const traced = expected.traced;
  const k = traced.length;
  const done = (firstMismatch?: ConformanceMismatch): ConformanceResult => ({
    name: c.name,
    pass: firstMismatch === undefined,
    ...(firstMismatch === undefined ? {} : { firstMismatch }),
    steps: emu.stepCount,
    ...(emu.learning === null ? {} : { learningUpdates: { traces: emu.learning.traceUpdates, weights: emu.learning.weightUpdates } }),
    seconds: (performance.now() - t0) / 1000,
  });

  for (let step = 1; step <= steps; step++) {
    learning?.writeErrors(step);
    emu.step(c.inputSpikes.get(step));
    const got = emu.spikedLastStep();
    const want = expected.spikes[step - 1];
    const diff = firstSpikeDifference(want, got.indices, got.count);
    if (diff >= 0) {
      const expectedSpike = want.includes(diff) ? 1 : 0;
      return done({ step, compartment: diff, quantity: "spike", expected: expectedSpike, got: 1 - expectedSpike });
    }
    const row = (step - 1) * k;
    for (let j = 0; j < k; j++) {
      const cx = traced[j];
      if (emu.u[cx] !== expected.uTrace[row + j]) return done({ step, compartment: cx, quantity: "u", expected: expected.uTrace[row + j], got: emu.u[cx] });
    }
    for (let j = 0; j < k; j++) {
      const cx = traced[j];
      if (emu.v[cx] !== expected.vTrace[row + j]) return done({ step, compartment: cx, quantity: "v", expected: expected.vTrace[row + j], got: emu.v[cx] });
    }
    const learned = learning?.check(step);
    if (learned !== undefined) return done(learned);
  }
  for (let i = 0; i < c.model.compartments.count; i++) {
    if (emu.u[i] !== expected.finalU[i]) return done({ step: steps, compartment: i, quantity: "final_u", expected: expected.finalU[i], got: emu.u[i] });
  }
  for (let i = 0; i < c.model.compartments.count; i++) {
    if (emu.v[i] !== expected.finalV[i]) return done({ step: steps, compartment: i, quantity: "final_v", expected: expected.finalV[i], got: emu.v[i] });
  }
  const finalWeights = learning?.checkFinal(steps);
  if (finalWeights !== undefined) return done(finalWeights);
  return done();
}
