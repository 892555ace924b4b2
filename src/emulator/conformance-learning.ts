/**
 * The learning part of `lmuc-conformance/1` (conformance README "Learning (PES)"): the groups in
 * `learning.groups`, the host's integer errors, the recorded U of every update, and what the
 * reference's traces and weights were after each update. Everything is read from the vector's own
 * fields (dims, n_axons, epochs, trace_mag, rates, weight formats), never assumed.
 */
import type { LearningEngine, RecordedU } from "./learning.js";
import type { EmuLearningGroup, EmuSynapseGroup } from "./model.js";

/** Index arguments and JSON-path errors come from conformance.ts (one set of helpers for the format). */
export interface JsonReaders {
  obj(v: unknown, path: string): Record<string, unknown>;
  arr(v: unknown, path: string): unknown[];
  int(v: unknown, path: string, lo?: number, hi?: number): number;
  num(v: unknown, path: string, lo: number, hi: number): number;
  intArray(v: unknown, path: string, length?: number, lo?: number, hi?: number): Int32Array;
  fail(path: string, detail: string): never;
}

/** Updates recorded for one group: the steps, and `width` integers per step, row-major. */
export interface RecordedUpdates {
  readonly steps: Int32Array;
  readonly width: number;
  readonly values: Int32Array;
}

export interface LearningCase {
  readonly groups: EmuLearningGroup[];
  /** Per group: errors[t − 1] (d entries) is the error register during step t, row-major [steps][d]. */
  readonly errors: Int32Array[];
  readonly random: { readonly trace: RecordedU; readonly weight: RecordedU }[];
  readonly expected: { readonly traces: RecordedUpdates; readonly weights: RecordedUpdates; readonly finalWeights: Int32Array }[];
}

/** `[[t, values], …]` with strictly increasing steps in 1..steps; values flattened by `row`. */
function updates<T extends Int32Array | Float64Array>(
  r: JsonReaders,
  v: unknown,
  path: string,
  steps: number,
  width: number,
  make: (n: number) => T,
  row: (x: unknown, p: string, out: T, at: number) => void,
): { steps: Int32Array; values: T } {
  const list = r.arr(v, path);
  const at = new Int32Array(list.length);
  const values = make(list.length * width);
  list.forEach((e, k) => {
    const p = `${path}[${k}]`;
    const pair = r.arr(e, p);
    if (pair.length !== 2) r.fail(p, `expected [step, values], got ${pair.length} entries`);
    at[k] = r.int(pair[0], `${p}[0]`, 1, steps);
    if (k > 0 && at[k] <= at[k - 1]) r.fail(`${p}[0]`, `steps must increase: ${at[k]} follows ${at[k - 1]}`);
    row(pair[1], `${p}[1]`, values, k * width);
  });
  return { steps: at, values };
}

/** One U per entry, each in [0, 1); `perAxon` > 0 reads [[U…] per axon] (weights). */
function uRow(r: JsonReaders, nAxons: number, perAxon: number) {
  return (x: unknown, p: string, out: Float64Array, at: number): void => {
    const rows = r.arr(x, p);
    if (rows.length !== nAxons) r.fail(p, `expected ${nAxons} entries (one per axon), got ${rows.length}`);
    rows.forEach((ax, a) => {
      if (perAxon === 0) out[at + a] = r.num(ax, `${p}[${a}]`, 0, 1);
      else {
        const us = r.arr(ax, `${p}[${a}]`);
        if (us.length !== perAxon) r.fail(`${p}[${a}]`, `expected ${perAxon} U values (one per readout compartment), got ${us.length}`);
        us.forEach((u, j) => (out[at + a * perAxon + j] = r.num(u, `${p}[${a}][${j}]`, 0, 1)));
      }
    });
  };
}

/** Integers per axon ([x…]) or per axon and readout ([[w…] per axon]). */
function intRow(r: JsonReaders, nAxons: number, perAxon: number, lo: number, hi: number) {
  return (x: unknown, p: string, out: Int32Array, at: number): void => {
    const rows = r.arr(x, p);
    if (rows.length !== nAxons) r.fail(p, `expected ${nAxons} entries (one per axon), got ${rows.length}`);
    rows.forEach((ax, a) => {
      if (perAxon === 0) out[at + a] = r.int(ax, `${p}[${a}]`, lo, hi);
      else out.set(r.intArray(ax, `${p}[${a}]`, perAxon, lo, hi), at + a * perAxon);
    });
  };
}

/** `at` must be epoch, 2·epoch, … up to `steps`. */
function epochSteps(r: JsonReaders, at: Int32Array, epoch: number, steps: number, path: string): void {
  const want = Math.floor(steps / epoch);
  if (at.length !== want) r.fail(path, `expected ${want} entries (one per step t ≤ ${steps} with t mod ${epoch} = 0), got ${at.length}`);
  at.forEach((t, k) => {
    if (t !== (k + 1) * epoch) r.fail(`${path}[${k}][0]`, `expected step ${(k + 1) * epoch} (every ${epoch} steps), got ${t}`);
  });
}

/** The learning group's parameters, checked against its synapse group and block. */
function groupSpec(r: JsonReaders, o: Record<string, unknown>, p: string, synapses: EmuSynapseGroup[], blocks: { start: number; count: number }[]): EmuLearningGroup {
  const synapse = r.int(o.synapse, `${p}.synapse`, 0, synapses.length - 1);
  const g = synapses[synapse];
  const block = r.int(o.block, `${p}.block`, 0, blocks.length - 1);
  if (block !== g.block) r.fail(`${p}.block`, `${block} is not the block of synapses[${synapse}] (${g.block})`);
  const dims = r.int(o.dims, `${p}.dims`, 1, 2 ** 20);
  const b = blocks[block];
  const readoutStart = r.int(o.readout_start, `${p}.readout_start`, b.start, b.start + b.count - 2 * dims);
  const nAxons = r.int(o.n_axons, `${p}.n_axons`, 0);
  if (nAxons !== g.axons.length) r.fail(`${p}.n_axons`, `${nAxons} differs from the ${g.axons.length} axons of synapses[${synapse}]`);
  const trainEpoch = r.int(o.train_epoch, `${p}.train_epoch`, 1);
  const learnEpoch = r.int(o.learn_epoch, `${p}.learn_epoch`, 1);
  if (o.learn_epoch_k !== undefined) {
    const k = r.int(o.learn_epoch_k, `${p}.learn_epoch_k`, 0, 30);
    if (learnEpoch !== trainEpoch * 2 ** k) r.fail(`${p}.learn_epoch`, `${learnEpoch} is not train_epoch·2^learn_epoch_k = ${trainEpoch * 2 ** k}`);
  }
  const small = (key: string, lo = -64, hi = 64): number => r.int(o[key], `${p}.${key}`, lo, hi);
  const spec: EmuLearningGroup = {
    label: g.label,
    synapse,
    readoutStart,
    dims,
    trainEpoch,
    learnEpoch,
    traceDecay: r.num(o.trace_decay, `${p}.trace_decay`, 0, 1),
    traceMag: r.num(o.trace_mag, `${p}.trace_mag`, 0, 2 ** 20),
    traceMax: small("trace_max", 0, 2 ** 20),
    lrInt: small("lr_int", -(2 ** 20), 2 ** 20),
    lrExp: small("lr_exp"),
    learnFrac: small("learn_frac"),
    overflowBits: small("overflow_bits"),
    realWeightExp: small("real_weight_exp"),
    shiftBits: small("shift_bits"),
    weightMax: small("weight_max", 0, 2 ** 20),
  };
  if (o.trace_mag_int !== undefined && o.trace_mag_frac !== undefined) {
    const whole = small("trace_mag_int", 0, 2 ** 20) + small("trace_mag_frac", 0, 127) / 128;
    if (whole !== spec.traceMag) r.fail(`${p}.trace_mag`, `${spec.traceMag} differs from trace_mag_int + trace_mag_frac/128 = ${whole}`);
  }
  if (learnEpoch % trainEpoch !== 0) r.fail(`${p}.learn_epoch`, `${learnEpoch} is not a multiple of train_epoch ${trainEpoch}`);
  return spec;
}

/** Reads `learning` and `expected.learning`; marks the learned synapse groups' flags as checked. */
export function loadLearning(
  r: JsonReaders,
  root: Record<string, unknown>,
  steps: number,
  synapses: EmuSynapseGroup[],
  learnedFlags: boolean[],
  blocks: { start: number; count: number }[],
): LearningCase {
  const L = r.obj(root.learning, "$.learning");
  const groupsJson = r.arr(L.groups, "$.learning.groups");
  const exJson = r.arr(r.obj(root.expected, "$.expected").learning, "$.expected.learning");
  if (exJson.length !== groupsJson.length) r.fail("$.expected.learning", `expected ${groupsJson.length} entries (one per learning group), got ${exJson.length}`);
  const out: LearningCase = { groups: [], errors: [], random: [], expected: [] };
  const seen = new Set<number>();
  groupsJson.forEach((gj, gi) => {
    const p = `$.learning.groups[${gi}]`;
    const o = r.obj(gj, p);
    const spec = groupSpec(r, o, p, synapses, blocks);
    if (!learnedFlags[spec.synapse]) r.fail(`${p}.synapse`, `synapses[${spec.synapse}] is not marked "learning": true`);
    if (seen.has(spec.synapse)) r.fail(`${p}.synapse`, `synapses[${spec.synapse}] is learned by two groups`);
    seen.add(spec.synapse);
    const nAxons = synapses[spec.synapse].axons.length;
    const width = 2 * spec.dims;
    const errRows = r.arr(o.errors, `${p}.errors`);
    if (errRows.length !== steps) r.fail(`${p}.errors`, `expected ${steps} rows (one per step), got ${errRows.length}`);
    const errors = new Int32Array(steps * spec.dims);
    errRows.forEach((e, t) => errors.set(r.intArray(e, `${p}.errors[${t}]`, spec.dims, -(2 ** 20), 2 ** 20), t * spec.dims));
    const f64 = (n: number): Float64Array => new Float64Array(n);
    const i32 = (n: number): Int32Array => new Int32Array(n);
    const uT = updates(r, o.u_trace, `${p}.u_trace`, steps, nAxons, f64, uRow(r, nAxons, 0));
    const uW = updates(r, o.u_weight, `${p}.u_weight`, steps, nAxons * width, f64, uRow(r, nAxons, width));
    // The recorded U must cover exactly the updates the epochs imply, so replay can never run dry.
    epochSteps(r, uT.steps, spec.trainEpoch, steps, `${p}.u_trace`);
    epochSteps(r, uW.steps, spec.learnEpoch, steps, `${p}.u_weight`);
    const ep = `$.expected.learning[${gi}]`;
    const ex = r.obj(exJson[gi], ep);
    const traces = updates(r, ex.traces, `${ep}.traces`, steps, nAxons, i32, intRow(r, nAxons, 0, 0, spec.traceMax));
    const wLimit = spec.weightMax * 2 ** (spec.realWeightExp + spec.shiftBits);
    const weights = updates(r, ex.weights, `${ep}.weights`, steps, nAxons * width, i32, intRow(r, nAxons, width, -wLimit, wLimit));
    const finalWeights = new Int32Array(nAxons * width);
    intRow(r, nAxons, width, -(2 ** 31), 2 ** 31 - 1)(ex.final_weights, `${ep}.final_weights`, finalWeights, 0);
    out.groups.push(spec);
    out.errors.push(errors);
    out.random.push({ trace: { steps: uT.steps, width: nAxons, values: uT.values }, weight: { steps: uW.steps, width: nAxons * width, values: uW.values } });
    out.expected.push({ traces: { ...traces, width: nAxons }, weights: { ...weights, width: nAxons * width }, finalWeights });
  });
  learnedFlags.forEach((f, s) => {
    if (f && !seen.has(s)) r.fail(`$.synapses[${s}].learning`, `synapses[${s}] is marked "learning": true but no learning group uses it`);
  });
  return out;
}

/** The learning mismatch fields of a ConformanceMismatch (conformance.ts). */
export interface LearningMismatch {
  step: number;
  compartment: number;
  quantity: "trace" | "weight" | "final_weight";
  group: number;
  axon: number;
  expected: number;
  got: number;
}

/** Compares the learning engine with the recorded updates, step by step (the first mismatch wins). */
export class LearningChecker {
  private readonly tracePos: Int32Array;
  private readonly weightPos: Int32Array;
  constructor(
    private readonly c: LearningCase,
    private readonly engine: LearningEngine,
  ) {
    this.tracePos = new Int32Array(c.groups.length);
    this.weightPos = new Int32Array(c.groups.length);
  }

  /** The host's error registers for step t (written before the step runs). */
  writeErrors(step: number): void {
    this.c.groups.forEach((g, gi) => this.engine.setError(gi, this.c.errors[gi].subarray((step - 1) * g.dims, step * g.dims)));
  }

  /** After step t: the traces and weights the vector recorded for t, if any. */
  check(step: number): LearningMismatch | undefined {
    for (let g = 0; g < this.c.groups.length; g++) {
      const ex = this.c.expected[g];
      const kt = this.tracePos[g];
      if (kt < ex.traces.steps.length && ex.traces.steps[kt] === step) {
        this.tracePos[g]++;
        const got = this.engine.traces(g);
        for (let a = 0; a < got.length; a++) {
          const want = ex.traces.values[kt * got.length + a];
          if (got[a] !== want) return { step, compartment: -1, quantity: "trace", group: g, axon: a, expected: want, got: got[a] };
        }
      }
      const kw = this.weightPos[g];
      if (kw < ex.weights.steps.length && ex.weights.steps[kw] === step) {
        this.weightPos[g]++;
        const m = this.compareWeights(g, step, ex.weights.values.subarray(kw * ex.weights.width, (kw + 1) * ex.weights.width), "weight");
        if (m !== undefined) return m;
      }
    }
    return undefined;
  }

  /** After the last step: the final weights of every group. */
  checkFinal(step: number): LearningMismatch | undefined {
    for (let g = 0; g < this.c.groups.length; g++) {
      const m = this.compareWeights(g, step, this.c.expected[g].finalWeights, "final_weight");
      if (m !== undefined) return m;
    }
    return undefined;
  }

  private compareWeights(g: number, step: number, want: Int32Array, quantity: "weight" | "final_weight"): LearningMismatch | undefined {
    const spec = this.c.groups[g];
    const width = 2 * spec.dims;
    for (let k = 0; k < want.length; k++) {
      const a = Math.floor(k / width);
      const j = k - a * width;
      const got = this.engine.weight(g, a, j);
      if (got !== want[k]) return { step, compartment: spec.readoutStart + j, quantity, group: g, axon: a, expected: want[k], got };
    }
    return undefined;
  }
}
