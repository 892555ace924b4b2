/**
 * The PES learning engine of the emulator (hardware-model.md §6.3–§6.5; conformance README
 * "Semantics of learning in step t", L1–L3). It runs inside a step after spike delivery and before
 * the compartment update, so q of step t was summed with the weights as they stood at the start
 * of step t, and a weight changed in step t is first delivered in step t + 1.
 *
 * - L1 marks: every spike delivered to a learned synapse group marks its input axon (host input
 *   spikes, block spikes, axons with no targets alike); a second spike on a marked axon before
 *   the next trace update is lost (counted in `lostTraceSpikes`, as nengo-loihi warns).
 * - L2 traces, in steps t with t mod trainEpoch = 0: y = traceDecay·x (float64), + traceMag if
 *   marked, x = SR(y, U, traceMax); marks cleared.
 * - L3 weights, in steps t with t mod learnEpoch = 0, from the error register E' the host wrote
 *   for step t (setError): see `updateWeights`.
 *
 * Every trace and every weight entry takes its own U at every update (even when it cannot
 * matter), all trace U of a step first (group by group, axon order), then all weight U (group by
 * group, axon-major, then readout compartment): nengo-loihi's order, which the recorded
 * sequences of the conformance vectors follow.
 *
 * The weights live in the emulator's dense row storage (rows.ts keeps learned rows dense over the
 * readout span), so delivery needs no learning-specific path and costs the same with learning
 * off; a model without learning groups never constructs this class.
 */
import { Rng } from "../util/rng.js";
import type { InputSpikes } from "./engine-types.js";
import type { EmuLearningGroup, EmuModel } from "./model.js";
import type { RowTables, SourceTables } from "./rows.js";

/** A source of uniform U in [0, 1) for stochastic rounding, asked in the order described above. */
export interface LearningRandom {
  /** out[0 .. count): one U per axon of `group` for its trace update in `step`. */
  traceU(group: number, step: number, out: Float64Array, count: number): void;
  /** out[0 .. count): one U per (axon, readout compartment), axon-major, for the weight update. */
  weightU(group: number, step: number, out: Float64Array, count: number): void;
  /** Back to the start of the sequence (Emulator.reset). */
  reset(): void;
}

/**
 * lmuc's own generator for compiled runs: one xoshiro128** stream (util/rng.ts, 53-bit doubles
 * from two 32-bit outputs) seeded with `seed`, consumed in the order above: so a seed and a model
 * give the same learned weights on every machine. The runner derives the seed as
 * deriveSeed(learningSeed, "pes-stochastic-rounding") (default learningSeed 0). It does not
 * reproduce nengo-loihi's MT19937 stream; the conformance vectors pin those values instead.
 */
export class SeededLearningRandom implements LearningRandom {
  private rng: Rng;
  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }
  traceU(_group: number, _step: number, out: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) out[i] = this.rng.uniform();
  }
  weightU(_group: number, _step: number, out: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) out[i] = this.rng.uniform();
  }
  reset(): void {
    this.rng = new Rng(this.seed);
  }
}

/** Recorded U of one group and kind: the update steps in order, and `width` values per step, row-major. */
export interface RecordedU {
  readonly steps: Int32Array;
  readonly width: number;
  readonly values: Float64Array;
}

/** A recorded U sequence ran out or does not match the updates the emulator makes. */
export class LearningRandomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LearningRandomError";
  }
}

/** Replays recorded U (a conformance vector's u_trace / u_weight), checking step and width. */
export class ReplayLearningRandom implements LearningRandom {
  private readonly tracePos: Int32Array;
  private readonly weightPos: Int32Array;
  constructor(private readonly groups: readonly { readonly trace: RecordedU; readonly weight: RecordedU }[]) {
    this.tracePos = new Int32Array(groups.length);
    this.weightPos = new Int32Array(groups.length);
  }
  traceU(group: number, step: number, out: Float64Array, count: number): void {
    this.take("trace", this.groups[group]?.trace, this.tracePos, group, step, out, count);
  }
  weightU(group: number, step: number, out: Float64Array, count: number): void {
    this.take("weight", this.groups[group]?.weight, this.weightPos, group, step, out, count);
  }
  reset(): void {
    this.tracePos.fill(0);
    this.weightPos.fill(0);
  }
  private take(kind: string, rec: RecordedU | undefined, pos: Int32Array, group: number, step: number, out: Float64Array, count: number): void {
    const k = pos[group];
    if (rec === undefined || k >= rec.steps.length || rec.steps[k] !== step || rec.width !== count) {
      const next = rec === undefined ? "none recorded for this group" : k < rec.steps.length ? `the next recorded is for step ${rec.steps[k]}, ${rec.width} values` : "the recording has ended";
      throw new LearningRandomError(`learning group ${group}: the ${kind} update of step ${step} needs ${count} U values, but ${next}`);
    }
    for (let i = 0; i < count; i++) out[i] = rec.values[k * count + i];
    pos[group] = k + 1;
  }
}

/** SR(y, U, cap) = sign(y)·min(⌊|y|⌋ + [frac(|y|) > U], cap) (README; the comparison is strict). */
export function stochasticRound(y: number, u: number, cap: number): number {
  const a = y < 0 ? -y : y;
  const f = Math.floor(a);
  let r = a - f > u ? f + 1 : f;
  if (r > cap) r = cap;
  return y < 0 ? -r : r;
}

/** Per-group constants, precomputed so the update loops do no exponentiation. */
interface GroupPlan {
  readonly spec: EmuLearningGroup;
  readonly axonBase: number;
  readonly nAxons: number;
  readonly width: number;
  readonly errorBase: number;
  /** 2^(learnFrac + lrExp − overflowBits), 2^(learnFrac − realWeightExp), 2^−(learnFrac + shiftBits), 2^(realWeightExp + shiftBits). */
  readonly prodScale: number;
  readonly accScale: number;
  readonly yScale: number;
  readonly weightUnit: number;
  /** Core of the readout block (for the cost model's learning updates). */
  readonly core: number;
}

export class LearningEngine {
  private readonly plans: GroupPlan[];
  /** Traces 0..traceMax, one per learned axon, groups concatenated. */
  private readonly trace: Int32Array;
  private readonly marked: Uint8Array;
  /** Offset of each learned axon's weights in the dense row storage. */
  private readonly weightAt: Int32Array;
  private readonly initialWeights: Float64Array;
  private readonly error: Int32Array;
  /** Learned axons each spike source marks: markAxon[markPtr[s] .. markPtr[s + 1]). */
  private readonly markPtr: Int32Array;
  private readonly markAxon: Int32Array;
  private readonly uBuf: Float64Array;
  private readonly weights: Float64Array;
  /** Spikes lost on already-marked axons since construction or reset(). */
  lostTraceSpikes = 0;
  /** Trace and weight updates made (one per group and epoch step). */
  traceUpdates = 0;
  weightUpdates = 0;
  /** Synapse updates of the last step, per core (cost model L_k, §7.3); rewritten every step. */
  readonly synapseUpdates: Int32Array;

  constructor(
    model: EmuModel,
    rows: RowTables,
    sources: SourceTables,
    readonly random: LearningRandom,
    coreCount: number,
  ) {
    const groups = model.learning ?? [];
    let axons = 0;
    let dims = 0;
    let maxU = 0;
    const rowLearnAxon = new Int32Array(rows.rowEntries.length).fill(-1);
    this.plans = groups.map((L) => {
      const nAxons = model.synapses[L.synapse].axons.length;
      const width = 2 * L.dims;
      const ids = rows.rowIds[L.synapse];
      for (let a = 0; a < nAxons; a++) rowLearnAxon[ids[a]] = axons + a;
      const plan: GroupPlan = {
        spec: L,
        axonBase: axons,
        nAxons,
        width,
        errorBase: dims,
        prodScale: 2 ** (L.learnFrac + L.lrExp - L.overflowBits),
        accScale: 2 ** (L.learnFrac - L.realWeightExp),
        yScale: 2 ** -(L.learnFrac + L.shiftBits),
        weightUnit: 2 ** (L.realWeightExp + L.shiftBits),
        core: Math.max(0, model.blocks[model.synapses[L.synapse].block].core),
      };
      axons += nAxons;
      dims += L.dims;
      maxU = Math.max(maxU, nAxons * width);
      return plan;
    });
    this.trace = new Int32Array(axons);
    this.marked = new Uint8Array(axons);
    this.error = new Int32Array(dims);
    this.uBuf = new Float64Array(maxU);
    this.weights = rows.denseWeight;
    this.weightAt = new Int32Array(axons);
    groups.forEach((L, g) => {
      const ids = rows.rowIds[L.synapse];
      for (let a = 0; a < this.plans[g].nAxons; a++) this.weightAt[this.plans[g].axonBase + a] = rows.rowDense[ids[a]];
    });
    this.initialWeights = rows.denseWeight.slice();
    this.synapseUpdates = new Int32Array(coreCount);

    // Marks: the segments of each source that reach a learned row, as global learned-axon indices.
    const { segPtr, segRow } = sources;
    const nSources = segPtr.length - 1;
    this.markPtr = new Int32Array(nSources + 1);
    const list: number[] = [];
    for (let s = 0; s < nSources; s++) {
      for (let k = segPtr[s]; k < segPtr[s + 1]; k++) {
        const row = segRow[k];
        if (row >= 0 && rowLearnAxon[row] >= 0) list.push(rowLearnAxon[row]);
      }
      this.markPtr[s + 1] = list.length;
    }
    this.markAxon = Int32Array.from(list);
  }

  get groupCount(): number {
    return this.plans.length;
  }

  /** The error register of `group` for the coming step(s): d integers E' (the host writes it before the step). */
  setError(group: number, values: ArrayLike<number>): void {
    const p = this.plans[group];
    if (p === undefined) throw new RangeError(`learning group ${group} does not exist (model has ${this.plans.length})`);
    if (values.length !== p.spec.dims) throw new RangeError(`learning group ${group}: error needs ${p.spec.dims} entries, got ${values.length}`);
    for (let j = 0; j < values.length; j++) {
      const e = values[j];
      if (!Number.isInteger(e) || Math.abs(e) > 2 ** 20) throw new RangeError(`learning group ${group}: error[${j}] = ${e} is not an integer register value`);
      this.error[p.errorBase + j] = e;
    }
  }

  /** The traces of `group` (a live view, one per input axon). */
  traces(group: number): Int32Array {
    const p = this.plans[group];
    return this.trace.subarray(p.axonBase, p.axonBase + p.nAxons);
  }

  /** The weight of axon `axon`, readout compartment j (as it reaches q). */
  weight(group: number, axon: number, j: number): number {
    const p = this.plans[group];
    return this.weights[this.weightAt[p.axonBase + axon] + j];
  }

  /** L1 for host spikes (already validated by the delivery loop). */
  markInputs(inputSpikes: readonly InputSpikes[], inputBase: Int32Array): void {
    for (let b = 0; b < inputSpikes.length; b++) {
      const { input, channels } = inputSpikes[b];
      const base = inputBase[input];
      const used = inputSpikes[b].count ?? channels.length;
      for (let c = 0; c < used; c++) this.mark(base + channels[c]);
    }
  }

  /** L1 for compartment spikes of the previous step. */
  markSpikes(spikes: Int32Array, count: number): void {
    for (let k = 0; k < count; k++) this.mark(spikes[k]);
  }

  private mark(source: number): void {
    const marked = this.marked;
    for (let k = this.markPtr[source], end = this.markPtr[source + 1]; k < end; k++) {
      const a = this.markAxon[k];
      if (marked[a] !== 0) this.lostTraceSpikes++;
      else marked[a] = 1;
    }
  }

  /** L2 then L3 for step `step` (all trace U of the step are drawn before any weight U). */
  update(step: number): void {
    this.synapseUpdates.fill(0);
    const plans = this.plans;
    for (let g = 0; g < plans.length; g++) if (step % plans[g].spec.trainEpoch === 0) this.updateTraces(g, step);
    for (let g = 0; g < plans.length; g++) if (step % plans[g].spec.learnEpoch === 0) this.updateWeights(g, step);
  }

  private updateTraces(g: number, step: number): void {
    const p = this.plans[g];
    const { traceDecay, traceMag, traceMax } = p.spec;
    const u = this.uBuf;
    this.random.traceU(g, step, u, p.nAxons);
    const trace = this.trace;
    const marked = this.marked;
    for (let a = 0; a < p.nAxons; a++) {
      const i = p.axonBase + a;
      // Two float64 operations, in this order (no fused multiply-add), as the reference does.
      let y = traceDecay * trace[i];
      if (marked[i] !== 0) y = y + traceMag;
      // SR(y, U, traceMax) for y ≥ 0, inlined (see stochasticRound).
      const f = Math.floor(y);
      const r = y - f > u[a] ? f + 1 : f;
      trace[i] = r > traceMax ? traceMax : r;
      marked[i] = 0;
    }
    this.traceUpdates++;
  }

  /**
   * L3: with e_j = −E'_j for j < d and +E'_{j−d} for j ≥ d,
   *   prod = sh(x_a·e_j·lrInt, learnFrac + lrExp − overflowBits)
   *   acc  = sh(w_aj, learnFrac − realWeightExp) + prod
   *   w_aj = SR(acc·2^−(learnFrac + shiftBits), U, weightMax) · 2^(realWeightExp + shiftBits)
   * sh(x, s) = ⌊x·2^s⌋ is exact in float64 (a power-of-two scale of an integer below 2^53), and
   * so is every product here.
   */
  private updateWeights(g: number, step: number): void {
    const p = this.plans[g];
    const { dims, lrInt, weightMax } = p.spec;
    const width = p.width;
    const u = this.uBuf;
    this.random.weightU(g, step, u, p.nAxons * width);
    const w = this.weights;
    const err = this.error;
    const { prodScale, accScale, yScale, weightUnit, errorBase } = p;
    for (let a = 0; a < p.nAxons; a++) {
      const x = this.trace[p.axonBase + a];
      const off = this.weightAt[p.axonBase + a];
      const ub = a * width;
      for (let j = 0; j < width; j++) {
        const e = j < dims ? -err[errorBase + j] : err[errorBase + j - dims];
        const prod = Math.floor(x * e * lrInt * prodScale);
        const y = (Math.floor(w[off + j] * accScale) + prod) * yScale;
        // SR(y, U, weightMax), inlined (see stochasticRound); a rounding to zero stores +0.
        const mag = y < 0 ? -y : y;
        const f = Math.floor(mag);
        let r = mag - f > u[ub + j] ? f + 1 : f;
        if (r > weightMax) r = weightMax;
        w[off + j] = r === 0 ? 0 : (y < 0 ? -r : r) * weightUnit;
      }
    }
    this.synapseUpdates[p.core] += p.nAxons * width;
    this.weightUpdates++;
  }

  /** Back to the initial traces and weights, no marks, the U sequence from its start. */
  reset(): void {
    this.trace.fill(0);
    this.marked.fill(0);
    this.error.fill(0);
    this.lostTraceSpikes = this.traceUpdates = this.weightUpdates = 0;
    this.synapseUpdates.fill(0);
    this.weights.set(this.initialWeights);
    this.random.reset();
  }
}
