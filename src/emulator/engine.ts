/**
 * The bit-accurate integer emulator (hardware-model.md §2.9, §3.5, §3.7; conformance README steps
 * 1–10). Everything later (compiled configurations, `lmuc emulate`, `lmuc verify`) runs on it.
 *
 * The constructor flattens the model (rows.ts builds the tables) into CSR arrays: every spike source (a compartment, or a
 * channel of a host input) owns a contiguous list of segments, one per route that maps it to an
 * axon, and each segment points at its axon row, stored once. A step costs O(compartments +
 * spikes × fan-out) with no Map lookups and no allocation.
 *
 * Rows come in two forms. A dense row (the common case: decoded weights reach consecutive
 * compartments) is a span of consecutive targets t0 .. t0 + len − 1 with one weight per target
 * (zero where the row has no entry, summed where it has several) and one delay; delivering it is
 * q[t0 + i] += w[i]. Any other row (scattered
 * targets, mixed delays) is a slice of a (target, weight[, delay]) table. Both give the same q:
 * every term is an integer, so float64 sums are exact whatever their order. Synaptic operations
 * are always counted from the row's real entries, never from the padding. With the WebAssembly
 * kernel (deliver.ts, the default) one call per step delivers every spike of a list: the per-row
 * JavaScript → WebAssembly calls and the float64 weight streams were most of a large build's step.
 *
 * PES learning (learning.ts) runs between delivery and the compartment update, only for models
 * with learning groups; without them the step does exactly what it did before learning existed.
 */
import { Q_BITS, U_BITS, CURRENT_DECAY_OFFSET, DECAY_DENOM, decayToward0, wrapBits } from "./arith.js";
import {
  EmulatorOverflowError,
  overflowMessage,
  type ActivityCounts,
  type ActivityRule,
  type EmulatorOptions,
  type InputSpikes,
  type OverflowCounts,
  type OverflowPolicy,
  type OverflowQuantity,
} from "./engine-types.js";
import { LearningEngine, SeededLearningRandom } from "./learning.js";
import { type EmuModel, validateModel } from "./model.js";
import { CX_BIAS, CX_KU, CX_KV, CX_R, CX_REFRACT, CX_U, CX_V, CX_VMAX, CX_VMIN, CX_VTH } from "./deliver.js";
import { JsDelivery } from "./js-delivery.js";
import { buildPlacement, buildTables, type DeliveryKernel } from "./rows.js";

export {
  EmulatorOverflowError,
  type ActivityCounts,
  type ActivityRule,
  type DeliveryMode,
  type EmulatorOptions,
  type InputSpikes,
  type OverflowCounts,
  type OverflowPolicy,
  type OverflowQuantity,
} from "./engine-types.js";


/** q must lie in [−2^21, 2^21) or it wraps (and counts as an overflow). */
const Q_HALF = 2 ** Q_BITS;
/** u and u + bias must lie in [−2^23, 2^23) or they wrap. */
const U_HALF = 2 ** U_BITS;
// ActivityRule as small integers so the hot loop branches on a number, not a string.
const ACT_SPEC = 0;
const ACT_INPUT = 1;
const ACT_ALL = 2;

export class Emulator {
  readonly model: EmuModel;
  readonly overflowPolicy: OverflowPolicy;
  readonly activityRule: ActivityRule;

  private readonly n: number;
  // Decay factor numerators, precomputed: k_u = 4095 − du, k_v = 4096 − dv.
  private readonly kU: Float64Array;
  private readonly kV: Float64Array;
  private readonly vth: Int32Array;
  private readonly bias: Int32Array;
  private readonly vmin: Int32Array;
  private readonly vmax: Int32Array;
  private readonly refractDelay: Int32Array;

  private readonly uState: Int32Array;
  private readonly vState: Int32Array;
  private readonly rState: Int32Array;
  /**
   * Dendritic accumulator ring, slot-major (slot s holds [s·n, s·n + n)). float64 so the sum is
   * exact however many inputs arrive, which makes overflow detection exact too; with no delays it
   * has one slot. It lives at byte 0 of the kernel's memory when there is a kernel.
   */
  private readonly qRing: Float64Array;
  private readonly slots: number;

  // Spike sources: compartments 0..n−1, then the channels of each input in order.
  private readonly inputBase: Int32Array;
  private readonly inputCount: Int32Array;
  /** The WebAssembly delivery kernel (q at byte 0 of its memory), or null: rows are then added in JavaScript. */
  private readonly kernel: DeliveryKernel | null;
  /** Delivery in JavaScript (without the kernel). */
  private readonly js: JsDelivery;

  // Compartment update runs: maximal ranges of consecutive compartments on one core.
  private readonly runStart: Int32Array;
  private readonly runEnd: Int32Array;
  private readonly runCore: Int32Array;
  private readonly cxCore: Int32Array;

  /** Spikes of the last step (delivered in the next one), ascending, and their count. */
  private spikeBuf: Int32Array;
  private spikeCount = 0;
  /** Where the current step writes its spikes; swapped with spikeBuf at the end of the step. */
  private spareSpikeBuf: Int32Array;
  private stepNo = 0;
  /** Spike count while updateOne runs (the kernel's overflow path). */
  private spikeTail = 0;

  private readonly activityCode: number;
  private readonly counts: ActivityCounts;
  private readonly overflowStep: OverflowCounts = { q: 0, u: 0, uBias: 0 };
  private readonly overflowTotal: OverflowCounts = { q: 0, u: 0, uBias: 0 };
  private readonly maxWarnings: number;
  /** Overflow messages kept under the "warn" policy (the first maxWarnings). */
  readonly warnings: string[] = [];

  /** How the rows were stored: dense spans, general rows, and whether the SIMD kernel adds the dense ones. */
  readonly rowForms: { readonly dense: number; readonly general: number; readonly packed: number; readonly simd: boolean };

  /** Cumulative synaptic entries delivered since construction or reset(). */
  totalSynapticEvents = 0;
  /** Cumulative spikes since construction or reset(). */
  totalSpikes = 0;

  /** The PES learning engine, or null for a model without learning groups (then nothing runs for it). */
  readonly learning: LearningEngine | null;

  private readonly probeU: Int32Array;
  private readonly probeV: Int32Array;
  private traceU: Int32Array;
  private traceV: Int32Array;
  private traceSteps = 0;

  constructor(model: EmuModel, opts: EmulatorOptions = {}) {
    const problems = validateModel(model, { hardware: false, maxProblems: 10 });
    if (problems.length > 0) throw new RangeError(`the emulator cannot run this model:\n  ${problems.join("\n  ")}`);
    this.model = model;
    this.overflowPolicy = opts.overflow ?? "wrap";
    this.activityRule = opts.activity ?? "spec";
    this.activityCode = this.activityRule === "spec" ? ACT_SPEC : this.activityRule === "input" ? ACT_INPUT : ACT_ALL;
    this.maxWarnings = opts.maxWarnings ?? 16;

    const cx = model.compartments;
    const n = (this.n = cx.count);
    this.kU = new Float64Array(n);
    this.kV = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.kU[i] = DECAY_DENOM - CURRENT_DECAY_OFFSET - cx.decayU[i];
      this.kV[i] = DECAY_DENOM - cx.decayV[i];
    }
    this.vth = cx.vth.slice();
    this.bias = cx.bias.slice();
    this.vmin = cx.vmin.slice();
    this.vmax = cx.vmax.slice();
    this.refractDelay = cx.refractDelay.slice();
    const { rows, sources } = buildTables(model, opts.delivery ?? "auto");
    this.kernel = rows.kernel;
    // With the kernel, u, v and r and the update's parameters live in its memory (as i32).
    const kcx = this.kernel?.cx;
    this.uState = kcx?.[CX_U] ?? new Int32Array(n);
    this.vState = kcx?.[CX_V] ?? new Int32Array(n);
    this.rState = kcx?.[CX_R] ?? new Int32Array(n);
    if (kcx !== undefined) {
      kcx[CX_KU].set(this.kU);
      kcx[CX_KV].set(this.kV);
      kcx[CX_BIAS].set(this.bias);
      kcx[CX_VMIN].set(this.vmin);
      kcx[CX_VMAX].set(this.vmax);
      kcx[CX_VTH].set(this.vth);
      kcx[CX_REFRACT].set(this.refractDelay);
    }
    // With the kernel the spike buffers live in its memory: it reads the last step's spikes in place.
    this.spikeBuf = this.kernel?.spikeA ?? new Int32Array(n);
    this.spareSpikeBuf = this.kernel?.spikeB ?? new Int32Array(n);

    this.slots = rows.slots;
    this.qRing = rows.qRing;
    this.rowForms = rows.rowForms;

    const placement = buildPlacement(model);
    const coreCount = placement.coreCount;
    this.cxCore = placement.cxCore;
    this.runStart = placement.runStart;
    this.runEnd = placement.runEnd;
    this.runCore = placement.runCore;

    this.inputBase = sources.inputBase;
    this.inputCount = sources.inputCount;

    const routeCount = model.routes.length;
    const compartments = new Int32Array(coreCount);
    for (let i = 0; i < n; i++) compartments[this.cxCore[i]]++;
    this.counts = {
      coreCount,
      synOps: new Int32Array(coreCount),
      compartments,
      active: new Int32Array(coreCount),
      spikes: new Int32Array(coreCount),
      messages: new Int32Array(coreCount),
      routeMessages: this.kernel?.routeMessages ?? new Int32Array(routeCount),
      routeSynOps: this.kernel?.routeSynOps ?? new Int32Array(routeCount),
      routeFromCore: Int32Array.from(model.routes, (r) => (r.source === "block" ? Math.max(model.blocks[r.index].core, 0) : -1)),
      routeToCore: Int32Array.from(model.routes, (r) => Math.max(model.blocks[model.synapses[r.synapse].block].core, 0)),
    };
    this.js = new JsDelivery(rows, sources, n, this.counts.routeMessages, this.counts.routeSynOps);

    const learned = (model.learning ?? []).length > 0;
    const random = opts.learningRandom ?? new SeededLearningRandom(opts.learningSeed ?? 0);
    this.learning = learned ? new LearningEngine(model, rows, sources, random, coreCount) : null;
    if (this.learning !== null) this.counts.learnOps = this.learning.synapseUpdates;

    this.probeU = opts.probe?.u?.slice() ?? new Int32Array(0);
    this.probeV = opts.probe?.v?.slice() ?? new Int32Array(0);
    for (const [name, idx] of [["u", this.probeU], ["v", this.probeV]] as const) {
      for (const c of idx) if (c < 0 || c >= n) throw new RangeError(`probe.${name}: compartment ${c} is outside 0..${n - 1}`);
    }
    const capacity = Math.max(1, opts.probe?.capacitySteps ?? 64);
    this.traceU = new Int32Array(this.probeU.length * capacity);
    this.traceV = new Int32Array(this.probeV.length * capacity);
  }

  /** Number of steps run so far; the next step() is step stepCount + 1. */
  get stepCount(): number {
    return this.stepNo;
  }

  /** Current u of every compartment (a live view: it changes on the next step). */
  get u(): Int32Array {
    return this.uState;
  }

  /** Current v of every compartment (a live view). */
  get v(): Int32Array {
    return this.vState;
  }

  /** Refractory countdown of every compartment (a live view). */
  get refractory(): Int32Array {
    return this.rState;
  }

  /** Compartments that spiked in the last step, ascending; a view valid until the next step. */
  spikedLastStep(): { indices: Int32Array; count: number } {
    return { indices: this.spikeBuf.subarray(0, this.spikeCount), count: this.spikeCount };
  }

  /** How many compartments spiked in the last step (spikedLastStep().count, without allocating). */
  get spikeCountLastStep(): number {
    return this.spikeCount;
  }

  /**
   * The buffer behind spikedLastStep(): its first spikeCountLastStep entries are the last step's
   * spikes, ascending; the rest is stale. Valid until the next step (buffers alternate).
   */
  get spikeBufferLastStep(): Int32Array {
    return this.spikeBuf;
  }

  /** Overflows of the last step (always counted, whatever the policy). */
  get overflowCounts(): Readonly<OverflowCounts> {
    return this.overflowStep;
  }

  /** Overflows since construction or reset(). */
  get overflowTotals(): Readonly<OverflowCounts> {
    return this.overflowTotal;
  }

  /** Activity of the last step, for the cost model; rewritten in place by every step. */
  get activity(): Readonly<ActivityCounts> {
    return this.counts;
  }

  /** Probed u and v, row-major [step][probe index], for every step since construction or reset(). */
  probeTrace(): { steps: number; u: Int32Array; v: Int32Array } {
    return {
      steps: this.traceSteps,
      u: this.traceU.subarray(0, this.traceSteps * this.probeU.length),
      v: this.traceV.subarray(0, this.traceSteps * this.probeV.length),
    };
  }

  /** Back to the initial state (u, v, counters, pending spikes all zero; step 0). */
  reset(): void {
    this.uState.fill(0);
    this.vState.fill(0);
    this.rState.fill(0);
    this.qRing.fill(0);
    this.kernel?.acc.fill(0);
    this.spikeCount = 0;
    this.stepNo = 0;
    this.traceSteps = 0;
    this.totalSpikes = 0;
    this.totalSynapticEvents = 0;
    this.overflowStep.q = this.overflowStep.u = this.overflowStep.uBias = 0;
    this.overflowTotal.q = this.overflowTotal.u = this.overflowTotal.uBias = 0;
    this.warnings.length = 0;
    this.learning?.reset();
  }

  /**
   * One step (§2.9, conformance README 1–10). `inputSpikes` are the host spikes delivered in this
   * step (they reach q now); spikes of the previous step arrive through the block routes.
   */
  step(inputSpikes?: readonly InputSpikes[]): void {
    const stepNo = ++this.stepNo;
    const counts = this.counts;
    counts.routeMessages.fill(0);
    counts.routeSynOps.fill(0);
    this.overflowStep.q = this.overflowStep.u = this.overflowStep.uBias = 0;

    // A. Delivery. With delays, step n writes slot (n + d) mod slots and consumes slot n mod slots.
    const slot = stepNo % this.slots;
    if (inputSpikes !== undefined) {
      for (let b = 0; b < inputSpikes.length; b++) {
        const { input, channels } = inputSpikes[b];
        // (x | 0) === x: x is an integer (for the x ≥ 0 below 2^31 that pass the range checks).
        if (!(input >= 0 && input < this.inputBase.length && (input | 0) === input)) {
          throw this.inputError(stepNo, inputSpikes[b]);
        }
        const base = this.inputBase[input];
        const count = this.inputCount[input];
        const used = inputSpikes[b].count ?? channels.length;
        if (!(used >= 0 && used <= channels.length && (used | 0) === used)) {
          throw this.inputError(stepNo, inputSpikes[b]);
        }
        const kernel = this.kernel;
        if (kernel !== null) {
          // Sources into the kernel's list, delivered in order in batches (the same adds, in the
          // same order, as one at a time); what was listed before a bad channel is delivered.
          const list = kernel.inputList;
          let m = 0;
          for (let c = 0; c < used; c++) {
            const ch = channels[c];
            if (!(ch >= 0 && ch < count && (ch | 0) === ch)) {
              this.deliverList(list.byteOffset, m, slot);
              throw this.inputError(stepNo, inputSpikes[b], ch);
            }
            list[m++] = base + ch;
            if (m === list.length) {
              this.deliverList(list.byteOffset, m, slot);
              m = 0;
            }
          }
          this.deliverList(list.byteOffset, m, slot);
          continue;
        }
        for (let c = 0; c < used; c++) {
          const ch = channels[c];
          if (!(ch >= 0 && ch < count && (ch | 0) === ch)) {
            throw this.inputError(stepNo, inputSpikes[b], ch);
          }
          this.js.deliver(base + ch, slot);
        }
      }
    }
    const prev = this.spikeBuf;
    if (this.kernel !== null) this.deliverList(prev.byteOffset, this.spikeCount, slot);
    else for (let k = 0, m = this.spikeCount; k < m; k++) this.js.deliver(prev[k], slot);

    // B. Learning: marks from this step's deliveries, then trace and weight updates (§2.9 step 4).
    const learning = this.learning;
    if (learning !== null) {
      if (inputSpikes !== undefined) learning.markInputs(inputSpikes, this.inputBase);
      learning.markSpikes(prev, this.spikeCount);
      learning.update(stepNo);
    }

    // C. Compartment update.
    this.updateCompartments(stepNo, slot * this.n);

    // Per-core folding of the per-route counts (routes are few; this keeps the hot loop lean).
    counts.synOps.fill(0);
    counts.messages.fill(0);
    const routeCount = counts.routeMessages.length;
    let synTotal = 0;
    for (let r = 0; r < routeCount; r++) {
      const syn = counts.routeSynOps[r];
      synTotal += syn;
      counts.synOps[counts.routeToCore[r]] += syn;
      const from = counts.routeFromCore[r];
      if (from >= 0) counts.messages[from] += counts.routeMessages[r];
    }
    this.totalSynapticEvents += synTotal;
    this.totalSpikes += this.spikeCount;

    // D. Observation.
    this.recordProbes();
  }

  /**
   * What is wrong with host spikes that step() refused. The messages are built here rather than in
   * step(): with them inline, V8 (Node 20) compiled step() to code that allocated on every
   * delivered channel.
   */
  private inputError(stepNo: number, spikes: InputSpikes, channel?: number): RangeError {
    const { input, channels } = spikes;
    if (!(input >= 0 && input < this.inputBase.length && Number.isInteger(input))) {
      return new RangeError(`step ${stepNo}: input ${input} does not exist (model has ${this.inputBase.length})`);
    }
    if (channel === undefined) return new RangeError(`step ${stepNo}: input ${input} has count ${spikes.count} but ${channels.length} channels`);
    return new RangeError(`step ${stepNo}: channel ${channel} of input ${input} is outside 0..${this.inputCount[input] - 1}`);
  }

  /** The kernel delivers `count` sources listed at byte `listByte` of its memory (deliver.ts). */
  private deliverList(listByte: number, count: number, slot: number): void {
    const k = this.kernel!;
    if (count > 0) k.deliver(listByte, count, slot, k.segPtrByte, k.msgByte, k.synByte, this.slots, this.n, k.entTByte, k.entWByte, k.entDByte, k.accByte);
  }

  private updateCompartments(stepNo: number, qOffset: number): void {
    const q = this.qRing;
    const uArr = this.uState;
    const vArr = this.vState;
    const rArr = this.rState;
    const kU = this.kU;
    const kV = this.kV;
    const bias = this.bias;
    const vmin = this.vmin;
    const vmax = this.vmax;
    const vth = this.vth;
    const refractDelay = this.refractDelay;
    const active = this.counts.active;
    const spikesPerCore = this.counts.spikes;
    const activityCode = this.activityCode;
    // Module constants as locals: optimized code reloads (and TDZ-checks) module bindings on every use.
    const qHalf = Q_HALF;
    const uHalf = U_HALF;
    const actSpec = ACT_SPEC;
    const actInput = ACT_INPUT;

    const spikes = this.spareSpikeBuf;
    let spikeCount = 0;

    active.fill(0);
    spikesPerCore.fill(0);
    const kernel = this.kernel;
    for (let run = 0, runs = this.runStart.length; run < runs; run++) {
      const end = this.runEnd[run];
      let activeHere = 0;
      const firstSpike = spikeCount;
      if (kernel !== null) {
        // The kernel updates the run; it stops before a compartment that overflows, which the
        // JavaScript loop below then updates alone (the same code as without the kernel).
        let i = this.runStart[run];
        for (;;) {
          const stop = kernel.update(i, end, qOffset * 8, spikes.byteOffset, spikeCount, activityCode, kernel.cxByte, kernel.cxStride, kernel.outByte, kernel.accByte + qOffset * 4);
          spikeCount = kernel.out[0];
          activeHere += kernel.out[1];
          if (stop >= end) break;
          i = stop + 1;
          this.spikeTail = spikeCount;
          activeHere += this.updateOne(stepNo, stop, qOffset, spikes);
          spikeCount = this.spikeTail;
        }
        const core = this.runCore[run];
        active[core] += activeHere;
        spikesPerCore[core] += spikeCount - firstSpike;
        continue;
      }
      for (let i = this.runStart[run]; i < end; i++) {
        // 6. The slot is consumed and zeroed for its next use.
        let qi = q[qOffset + i];
        q[qOffset + i] = 0;
        if (qi < -qHalf || qi >= qHalf) qi = this.overflow(stepNo, i, "q", qi);
        // 7. u ← wrap_23(decay(u, 4095 − du) + q).
        let u = decayToward0(uArr[i], kU[i]) + qi;
        if (u < -uHalf || u >= uHalf) u = this.overflow(stepNo, i, "u", u);
        uArr[i] = u;
        // 8. w ← wrap_23(u + bias); u itself keeps no bias.
        let w = u + bias[i];
        if (w < -uHalf || w >= uHalf) w = this.overflow(stepNo, i, "uBias", w);
        // 9–10. v ← clip(decay(v, 4096 − dv) + w, vmin, vmax): saturates, never wraps.
        const vOld = vArr[i];
        let v = decayToward0(vOld, kV[i]) + w;
        if (v < vmin[i]) v = vmin[i];
        else if (v > vmax[i]) v = vmax[i];
        // 11. Refractory compartments are held at 0 (u keeps integrating).
        const rOld = rArr[i];
        if (rOld > 0) v = 0;
        // 12–13. Strict threshold; reset to 0 (never v − vth), r = R then counts down at once.
        let r = rOld;
        let spiked = false;
        if (v > vth[i]) {
          v = 0;
          r = refractDelay[i];
          spikes[spikeCount++] = i;
          spiked = true;
        }
        rArr[i] = r > 0 ? r - 1 : 0;
        vArr[i] = v;
        if (activityCode === actSpec) {
          if (qi !== 0 || spiked || rOld > 0 || u !== 0 || v !== vOld) activeHere++;
        } else if (activityCode === actInput) {
          if (qi !== 0 || spiked) activeHere++;
        } else {
          activeHere++;
        }
      }
      const core = this.runCore[run];
      active[core] += activeHere;
      spikesPerCore[core] += spikeCount - firstSpike;
    }
    // This step's spikes become the ones delivered next step.
    this.spareSpikeBuf = this.spikeBuf;
    this.spikeBuf = spikes;
    this.spikeCount = spikeCount;
  }

  /**
   * Compartment i alone, in JavaScript (the kernel's overflow path): the loop body of
   * updateCompartments. Appends a spike at spikes[spikeTail]; returns 1 if it counts as active.
   */
  private updateOne(stepNo: number, i: number, qOffset: number, spikes: Int32Array): number {
    const q = this.qRing;
    const qHalf = Q_HALF;
    const uHalf = U_HALF;
    // With the kernel, q is the float64 slot plus the int32 accumulator's (both exact integers).
    const acc = this.kernel!.acc;
    let qi = q[qOffset + i] + acc[qOffset + i];
    q[qOffset + i] = 0;
    acc[qOffset + i] = 0;
    if (qi < -qHalf || qi >= qHalf) qi = this.overflow(stepNo, i, "q", qi);
    let u = decayToward0(this.uState[i], this.kU[i]) + qi;
    if (u < -uHalf || u >= uHalf) u = this.overflow(stepNo, i, "u", u);
    this.uState[i] = u;
    let w = u + this.bias[i];
    if (w < -uHalf || w >= uHalf) w = this.overflow(stepNo, i, "uBias", w);
    const vOld = this.vState[i];
    let v = decayToward0(vOld, this.kV[i]) + w;
    if (v < this.vmin[i]) v = this.vmin[i];
    else if (v > this.vmax[i]) v = this.vmax[i];
    const rOld = this.rState[i];
    if (rOld > 0) v = 0;
    let r = rOld;
    let spiked = false;
    if (v > this.vth[i]) {
      v = 0;
      r = this.refractDelay[i];
      spikes[this.spikeTail++] = i;
      spiked = true;
    }
    this.rState[i] = r > 0 ? r - 1 : 0;
    this.vState[i] = v;
    const code = this.activityCode;
    if (code === ACT_SPEC) return qi !== 0 || spiked || rOld > 0 || u !== 0 || v !== vOld ? 1 : 0;
    if (code === ACT_INPUT) return qi !== 0 || spiked ? 1 : 0;
    return 1;
  }

  /** The rare path: count, report per policy, and return the wrapped value. */
  private overflow(stepNo: number, compartment: number, quantity: OverflowQuantity, value: number): number {
    this.overflowStep[quantity]++;
    this.overflowTotal[quantity]++;
    if (this.overflowPolicy === "error") throw new EmulatorOverflowError(stepNo, compartment, quantity, value);
    if (this.overflowPolicy === "warn" && this.warnings.length < this.maxWarnings) {
      this.warnings.push(overflowMessage(stepNo, compartment, quantity, value));
    }
    return wrapBits(value, quantity === "q" ? Q_BITS : U_BITS);
  }

  private recordProbes(): void {
    const nu = this.probeU.length;
    const nv = this.probeV.length;
    if (nu === 0 && nv === 0) return;
    const t = this.traceSteps;
    // Doubling keeps growth amortized: O(log steps) allocations over a whole run.
    if ((t + 1) * nu > this.traceU.length || (t + 1) * nv > this.traceV.length) {
      const grow = (old: Int32Array, width: number): Int32Array => {
        const next = new Int32Array(Math.max(old.length * 2, (t + 1) * width));
        next.set(old);
        return next;
      };
      this.traceU = grow(this.traceU, nu);
      this.traceV = grow(this.traceV, nv);
    }
    for (let k = 0; k < nu; k++) this.traceU[t * nu + k] = this.uState[this.probeU[k]];
    for (let k = 0; k < nv; k++) this.traceV[t * nv + k] = this.vState[this.probeV[k]];
    this.traceSteps = t + 1;
  }
}
