/**
 * The emulator's delivery tables, built once from the model (engine.ts runs them every step).
 *
 * Every axon row is stored once. A dense row (the common case: decoded weights reach consecutive
 * compartments) is a span of consecutive targets t0 .. t0 + len − 1 with one weight per target
 * (zero where the row has no entry, summed where it has several) and one delay. Any other row
 * (scattered targets, mixed delays) is a slice of a (target, weight[, delay]) table. Both give the
 * same q: every term is an integer, so float64 sums are exact whatever their order.
 *
 * With delivery "auto" and WebAssembly SIMD, everything lives in the delivery kernel's memory
 * (deliver.ts): dense rows whose weights are 8- or 16-bit mantissas times one power of two are
 * stored packed (in the order spikes read them), the others as float64, and each source's
 * segments as records the kernel reads in order. Otherwise JavaScript loops deliver.
 *
 * Spike sources (compartments 0..n−1, then the channels of each host input in order) own a
 * contiguous list of segments in CSR form, one per route that maps the source to an axon; each
 * segment points at its row.
 *
 * Rows of a learned synapse group are always dense over the group's readout span, whatever the
 * delivery mode: the learning engine then rewrites their weights in place (learning.ts).
 */
import type { DeliveryMode } from "./engine-types.js";
import { CX_ARRAYS, KIND_ACC16, KIND_ACC8, KIND_F64, KIND_GENERAL, KIND_I16, KIND_I8, KIND_NONE, SEGMENT_BYTES, deliverAvailable, loadDeliver, packing, type DeliverFn, type UpdateFn } from "./deliver.js";
import type { EmuAxonRow, EmuModel } from "./model.js";

/**
 * A row with targets spanning `span` compartments and `entries` entries is stored dense when
 * span ≤ DENSE_SPAN_RATIO · entries: the SIMD kernel adds ~6 padded doubles in the time the
 * general loop takes for one (target, weight) entry, so padding up to 4× still pays. Without the
 * kernel only (nearly) gap-free rows are worth it.
 */
const DENSE_SPAN_RATIO = 4;
const DENSE_SPAN_RATIO_JS = 1.25;
/** Host-input sources the kernel's input list holds before the engine flushes it. */
const INPUT_LIST_MAX = 65536;

/**
 * The WebAssembly delivery kernel bound to its memory (deliver.ts), with the byte addresses of
 * its tables and views of the memory the engine reads and writes.
 */
export interface DeliveryKernel {
  readonly deliver: DeliverFn;
  readonly segPtrByte: number;
  readonly msgByte: number;
  readonly synByte: number;
  readonly entTByte: number;
  readonly entWByte: number;
  readonly entDByte: number;
  /** Per-route counters the kernel increments (the engine's ActivityCounts arrays). */
  readonly routeMessages: Int32Array;
  readonly routeSynOps: Int32Array;
  /** The engine's two spike buffers (n entries each): the kernel reads the last step's in place. */
  readonly spikeA: Int32Array;
  readonly spikeB: Int32Array;
  /** Host-input sources (inputBase + channel) of a step, delivered in batches. */
  readonly inputList: Int32Array;
  /** The int32 accumulator ring (slot-major like q; its slot is added to q's when consumed) and its byte address. */
  readonly acc: Int32Array;
  readonly accByte: number;
  /** Segments of compartment sources whose packed rows go to the accumulator (0 when a bound forbids it). */
  readonly accSegments: number;
  /** The compartment update (deliver.ts update()), its CX_* arrays (`cxStride` bytes apart from `cxByte`) and its two result i32s. */
  readonly update: UpdateFn;
  readonly cxByte: number;
  readonly cxStride: number;
  readonly cx: Int32Array[];
  readonly outByte: number;
  readonly out: Int32Array;
}

export interface RowTables {
  /** Row id of axon a of synapse group g: rowIds[g][a], −1 for an unused axon. */
  readonly rowIds: Int32Array[];
  /** Delay ring length actually needed: 1 unless some weight has a delay. */
  readonly slots: number;
  /** Dendritic accumulator ring, slot-major; in the kernel's memory (byte 0) when there is a kernel. */
  readonly qRing: Float64Array;
  /** Synaptic entries of each row (what the cost model counts). */
  readonly rowEntries: Int32Array;
  /**
   * Dense rows: offset of the weights in denseWeight, or −1 for a general row. With the kernel,
   * only float64 rows (learned rows among them) have weights here; packed rows are −1 too and
   * live in the kernel's memory only (the kernel, never the JavaScript loops, delivers then).
   */
  readonly rowDense: Int32Array;
  readonly rowT0: Int32Array;
  readonly rowLength: Int32Array;
  readonly rowDelay: Int32Array;
  /** General rows: the slice [begin, end) of the entry table. */
  readonly rowBegin: Int32Array;
  readonly rowEnd: Int32Array;
  readonly denseWeight: Float64Array;
  readonly entTarget: Int32Array;
  readonly entWeight: Int32Array;
  /** Per-entry delay, or null when every delay is 0 (the fast path). */
  readonly entDelay: Int32Array | null;
  /** Dense and general rows; `packed` of the dense ones are stored as int8/int16 mantissas for the kernel (`simd`). */
  readonly rowForms: { readonly dense: number; readonly general: number; readonly packed: number; readonly simd: boolean };
  /** The WebAssembly delivery kernel, or null: the engine then delivers in JavaScript. */
  readonly kernel: DeliveryKernel | null;
}

type Span = [t0: number, length: number] | null;

/** The readout span of each learned synapse group (by synapse index). */
function learnedSpans(model: EmuModel): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const L of model.learning ?? []) out.set(L.synapse, [L.readoutStart, 2 * L.dims]);
  return out;
}

/** How every row is stored (first pass): its span, kind and shift, and the storage sizes. */
interface RowPlan {
  readonly rowIds: Int32Array[];
  readonly spans: Span[];
  /** deliver.ts KIND_*: float64 dense, int8/int16-packed dense, or general. */
  readonly kind: Int8Array;
  readonly shift: Int8Array;
  readonly rows: number;
  readonly slots: number;
  readonly anyDelay: boolean;
  readonly denseLength: number;
  readonly packedBytes: number;
  readonly generalEntries: number;
  readonly maxSpan: number;
}

/** A row's dense weights over its span (entries at one target summed), into `out`. */
function spanWeights(row: { targets: Int32Array; weights: Int32Array }, t0: number, length: number, out: Float64Array): Float64Array {
  const w = out.subarray(0, length);
  w.fill(0);
  for (let k = 0; k < row.targets.length; k++) w[row.targets[k] - t0] += row.weights[k];
  return w;
}

function planRows(model: EmuModel, delivery: DeliveryMode, kernel: boolean): RowPlan {
  const learned = learnedSpans(model);
  const rowIds: Int32Array[] = [];
  let rows = 0;
  let anyDelay = false;
  const spanRatio = kernel ? DENSE_SPAN_RATIO : DENSE_SPAN_RATIO_JS;
  const denseSpan = (row: { targets: Int32Array; delays?: Int32Array }): Span => {
    const t = row.targets;
    if (delivery === "sparse" || t.length === 0) return null;
    const d = row.delays;
    if (d !== undefined) for (let k = 1; k < d.length; k++) if (d[k] !== d[0]) return null;
    let lo = t[0];
    let hi = t[0];
    for (let k = 1; k < t.length; k++) {
      if (t[k] < lo) lo = t[k];
      else if (t[k] > hi) hi = t[k];
    }
    const span = hi - lo + 1;
    return span <= spanRatio * t.length ? [lo, span] : null;
  };
  const spans: Span[] = [];
  const kinds: number[] = [];
  const shifts: number[] = [];
  let denseLength = 0;
  let packedBytes = 0;
  let generalEntries = 0;
  let maxSpan = 0;
  let scratch = new Float64Array(64);
  model.synapses.forEach((g, gi) => {
    const ids = new Int32Array(g.axons.length).fill(-1);
    const learnedSpan = learned.get(gi);
    g.axons.forEach((row, a) => {
      if (row === null) return;
      ids[a] = rows++;
      const span = learnedSpan ?? denseSpan(row);
      spans.push(span);
      let kind = KIND_GENERAL;
      let shift = 0;
      if (span !== null) {
        kind = KIND_F64;
        const length = span[1];
        maxSpan = Math.max(maxSpan, length);
        if (kernel && learnedSpan === undefined) {
          if (scratch.length < length) scratch = new Float64Array(length);
          ({ kind, shift } = packing(spanWeights(row, span[0], length, scratch)));
        }
        if (kind === KIND_F64) denseLength += length;
        // An int16 row may need one byte to align it.
        else packedBytes += kind === KIND_I8 ? length : 2 * length + 1;
      } else {
        generalEntries += row.targets.length;
      }
      kinds.push(kind);
      shifts.push(shift);
      if (row.delays !== undefined && row.delays.some((d) => d !== 0)) anyDelay = true;
    });
    rowIds.push(ids);
  });
  return {
    rowIds,
    spans,
    kind: Int8Array.from(kinds),
    shift: Int8Array.from(shifts),
    rows,
    slots: anyDelay ? model.delaySlots : 1,
    anyDelay,
    denseLength,
    packedBytes,
    generalEntries,
    maxSpan,
  };
}

/** Bytes rounded up to a multiple of 16. */
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Byte layout of the kernel's memory (see deliver.ts). */
function kernelLayout(model: EmuModel, plan: RowPlan, sources: SourceTables) {
  const n = model.compartments.count;
  const routes = model.routes.length;
  const segments = sources.segRow.length;
  const nSources = sources.segPtr.length - 1;
  const inputChannels = model.inputs.reduce((s, i) => s + i.count, 0);
  const inputCap = Math.max(1, Math.min(INPUT_LIST_MAX, inputChannels));
  let at = 0;
  const take = (bytes: number): number => {
    const here = at;
    at += align16(bytes);
    return here;
  };
  const layout = {
    q: take(n * plan.slots * 8),
    acc: take(n * plan.slots * 4),
    dense: take(plan.denseLength * 8),
    seg: take(segments * SEGMENT_BYTES),
    segPtr: take((nSources + 1) * 4),
    msg: take(routes * 4),
    syn: take(routes * 4),
    entT: take(plan.generalEntries * 4),
    entW: take(plan.generalEntries * 4),
    entD: take(plan.anyDelay ? plan.generalEntries * 4 : 0),
    spikeA: take(n * 4),
    spikeB: take(n * 4),
    input: take(inputCap * 4),
    inputCap,
    cx: take(CX_ARRAYS * align16(n * 4)),
    cxStride: align16(n * 4),
    out: take(16),
    packed: take(plan.packedBytes + 16),
    bytes: 0,
  };
  layout.bytes = at;
  return layout;
}

/**
 * Flatten every axon row of the model and the spike sources' segments (see the module comment);
 * with delivery "auto" and WebAssembly SIMD, into the delivery kernel's memory.
 */
export function buildTables(model: EmuModel, delivery: DeliveryMode): { rows: RowTables; sources: SourceTables } {
  const wanted = delivery === "auto" && deliverAvailable();
  let plan = planRows(model, delivery, wanted);
  const sources = buildSources(model, plan.rowIds);
  let layout: ReturnType<typeof kernelLayout> | null = null;
  let loaded: ReturnType<typeof loadDeliver> = null;
  if (wanted) {
    layout = kernelLayout(model, plan, sources);
    loaded = loadDeliver(layout.bytes);
    // Row ids do not depend on the plan, so the sources stay valid.
    if (loaded === null) plan = planRows(model, delivery, false);
  }
  const n = model.compartments.count;
  const qLength = n * plan.slots;
  const mem = loaded?.memory.buffer;
  const L = loaded !== null ? layout : null;
  const { rows: rowCount, generalEntries } = plan;
  const denseRows = plan.spans.filter((x) => x !== null).length;
  const t: RowTables = {
    rowIds: plan.rowIds,
    slots: plan.slots,
    qRing: mem && L ? new Float64Array(mem, L.q, qLength) : new Float64Array(qLength),
    rowEntries: new Int32Array(rowCount),
    rowDense: new Int32Array(rowCount).fill(-1),
    rowT0: new Int32Array(rowCount),
    rowLength: new Int32Array(rowCount),
    rowDelay: new Int32Array(rowCount),
    rowBegin: new Int32Array(rowCount),
    rowEnd: new Int32Array(rowCount),
    denseWeight: mem && L ? new Float64Array(mem, L.dense, plan.denseLength) : new Float64Array(plan.denseLength),
    entTarget: mem && L ? new Int32Array(mem, L.entT, generalEntries) : new Int32Array(generalEntries),
    entWeight: mem && L ? new Int32Array(mem, L.entW, generalEntries) : new Int32Array(generalEntries),
    entDelay: plan.anyDelay ? (mem && L ? new Int32Array(mem, L.entD, generalEntries) : new Int32Array(generalEntries)) : null,
    rowForms: { dense: denseRows, general: rowCount - denseRows, packed: loaded !== null ? plan.kind.filter((k) => k === KIND_I8 || k === KIND_I16).length : 0, simd: loaded !== null },
    kernel:
      loaded !== null && L !== null && mem !== undefined
        ? {
            deliver: loaded.deliver,
            segPtrByte: L.segPtr,
            msgByte: L.msg,
            synByte: L.syn,
            entTByte: L.entT,
            entWByte: L.entW,
            entDByte: L.entD,
            routeMessages: new Int32Array(mem, L.msg, model.routes.length),
            routeSynOps: new Int32Array(mem, L.syn, model.routes.length),
            spikeA: new Int32Array(mem, L.spikeA, n),
            spikeB: new Int32Array(mem, L.spikeB, n),
            inputList: new Int32Array(mem, L.input, L.inputCap),
            acc: new Int32Array(mem, L.acc, qLength),
            accByte: L.acc,
            accSegments: 0,
            update: loaded.update,
            cxByte: L.cx,
            cxStride: L.cxStride,
            cx: Array.from({ length: CX_ARRAYS }, (_, k) => new Int32Array(mem, L.cx + k * L.cxStride, n)),
            outByte: L.out,
            out: new Int32Array(mem, L.out, 2),
          }
        : null,
  };
  fillRows(model, t, plan);
  if (mem !== undefined && L !== null && t.kernel !== null) {
    const accSegments = fillKernel(model, t, plan, sources, mem, L);
    return { rows: { ...t, kernel: { ...t.kernel, accSegments } }, sources };
  }
  return { rows: t, sources };
}

/** Second pass: copy every row into its dense span (float64 rows) or its slice of the entry table. */
function fillRows(model: EmuModel, t: RowTables, plan: RowPlan): void {
  let e = 0;
  let dense = 0;
  model.synapses.forEach((g, gi) => {
    g.axons.forEach((row, a) => {
      if (row === null) return;
      const id = t.rowIds[gi][a];
      t.rowEntries[id] = row.targets.length;
      const span = plan.spans[id];
      if (span !== null) {
        const [t0, length] = span;
        t.rowT0[id] = t0;
        t.rowLength[id] = length;
        t.rowDelay[id] = row.delays !== undefined ? row.delays[0] : 0;
        if (plan.kind[id] !== KIND_F64) return;
        t.rowDense[id] = dense;
        for (let k = 0; k < row.targets.length; k++) t.denseWeight[dense + row.targets[k] - t0] += row.weights[k];
        dense += length;
      } else {
        t.rowBegin[id] = e;
        t.entTarget.set(row.targets, e);
        t.entWeight.set(row.weights, e);
        if (t.entDelay !== null && row.delays !== undefined) t.entDelay.set(row.delays, e);
        e += row.targets.length;
        t.rowEnd[id] = e;
      }
    });
  });
}

/**
 * The kernel's segment records and packed rows. Packed rows are laid out in the order sources
 * reach them (source by source, segment by segment), so one spike's rows are one stream.
 */
function fillKernel(model: EmuModel, t: RowTables, plan: RowPlan, sources: SourceTables, mem: ArrayBuffer, L: NonNullable<ReturnType<typeof kernelLayout>>): number {
  const rowOf: (EmuAxonRow | null)[] = [];
  model.synapses.forEach((g, gi) => g.axons.forEach((row, a) => {
    if (row !== null) rowOf[t.rowIds[gi][a]] = row;
  }));
  const rowByte = new Int32Array(plan.rows).fill(-1);
  const p8 = new Int8Array(mem, L.packed, plan.packedBytes);
  const p16 = new Int16Array(mem, L.packed, Math.floor(plan.packedBytes / 2));
  let packedAt = 0;
  const scratch = new Float64Array(Math.max(1, plan.maxSpan));
  const seg = new Int32Array(mem, L.seg, sources.segRow.length * (SEGMENT_BYTES / 4));
  const { segPtr, segRoute, segRow } = sources;
  // Packed rows that compartments drive may go to the int32 accumulator when no step can take a
  // sum out of the i32 range: a compartment spikes at most once per step and each of its
  // segments adds its row once to one slot before that slot is consumed, so the sum of |w| over
  // all such segments bounds every accumulator entry. (Host inputs may repeat a channel within a
  // step, so their rows always go to q.)
  const n = model.compartments.count;
  const bound = new Float64Array(n);
  const segEnd = segPtr[n];
  for (let k = 0; k < segEnd; k++) {
    const r = segRow[k];
    if (r < 0 || (plan.kind[r] !== KIND_I8 && plan.kind[r] !== KIND_I16)) continue;
    const row = rowOf[r]!;
    for (let e = 0; e < row.targets.length; e++) bound[row.targets[e]] += Math.abs(row.weights[e]);
  }
  let maxBound = 0;
  for (let i = 0; i < n; i++) if (bound[i] > maxBound) maxBound = bound[i];
  const useAcc = maxBound <= 2 ** 31 - 1;
  let accSegments = 0;
  for (let k = 0; k < segRow.length; k++) {
    const r = segRow[k];
    const o = k * (SEGMENT_BYTES / 4);
    seg[o] = segRoute[k];
    if (r < 0) {
      seg[o + 1] = KIND_NONE;
      continue;
    }
    const kind = plan.kind[r];
    seg[o + 1] = kind;
    seg[o + 5] = t.rowEntries[r];
    if (kind === KIND_GENERAL) {
      seg[o + 2] = t.rowBegin[r];
      seg[o + 3] = t.rowEnd[r];
      continue;
    }
    seg[o + 2] = t.rowT0[r];
    seg[o + 4] = t.rowLength[r];
    seg[o + 7] = t.rowDelay[r];
    if (kind === KIND_F64) {
      seg[o + 3] = L.dense + t.rowDense[r] * 8;
      continue;
    }
    const shift = plan.shift[r];
    seg[o + 6] = shift;
    if (useAcc && k < segEnd) {
      seg[o + 1] = kind === KIND_I8 ? KIND_ACC8 : KIND_ACC16;
      accSegments++;
    }
    if (rowByte[r] < 0) {
      // Packed at first use, 2-byte aligned for int16 mantissas.
      if (kind === KIND_I16 && packedAt % 2 !== 0) packedAt++;
      rowByte[r] = L.packed + packedAt;
      const w = spanWeights(rowOf[r]!, t.rowT0[r], t.rowLength[r], scratch);
      const unit = 2 ** shift;
      if (kind === KIND_I8) {
        for (let i = 0; i < w.length; i++) p8[packedAt + i] = w[i] / unit;
        packedAt += w.length;
      } else {
        for (let i = 0; i < w.length; i++) p16[packedAt / 2 + i] = w[i] / unit;
        packedAt += 2 * w.length;
      }
    }
    seg[o + 3] = rowByte[r];
  }
  const ptr = new Int32Array(mem, L.segPtr, segPtr.length);
  for (let s = 0; s < segPtr.length; s++) ptr[s] = L.seg + segPtr[s] * SEGMENT_BYTES;
  return accSegments;
}

export interface SourceTables {
  /** First source index of each host input's channels (compartments are sources 0..n−1). */
  readonly inputBase: Int32Array;
  readonly inputCount: Int32Array;
  /** Segments of source s: segPtr[s] .. segPtr[s + 1] − 1. */
  readonly segPtr: Int32Array;
  readonly segRoute: Int32Array;
  /** The axon row of each segment; −1 for an unused axon (a message that adds nothing). */
  readonly segRow: Int32Array;
}

/** The CSR of spike sources → segments (one per route that gives the source an axon). */
export function buildSources(model: EmuModel, rowIds: Int32Array[]): SourceTables {
  const n = model.compartments.count;
  const inputBase = new Int32Array(model.inputs.length);
  const inputCount = new Int32Array(model.inputs.length);
  let sources = n;
  model.inputs.forEach((inp, i) => {
    inputBase[i] = sources;
    inputCount[i] = inp.count;
    sources += inp.count;
  });
  const sourceOf = (routeIndex: number, local: number): number => {
    const r = model.routes[routeIndex];
    return r.source === "block" ? model.blocks[r.index].start + local : inputBase[r.index] + local;
  };
  const segCount = new Int32Array(sources + 1);
  model.routes.forEach((r, ri) => {
    for (let i = 0; i < r.axonOf.length; i++) if (r.axonOf[i] >= 0) segCount[sourceOf(ri, i) + 1]++;
  });
  const segPtr = new Int32Array(sources + 1);
  for (let s = 0; s < sources; s++) segPtr[s + 1] = segPtr[s] + segCount[s + 1];
  const total = segPtr[sources];
  const segRoute = new Int32Array(total);
  const segRow = new Int32Array(total);
  const fill = segPtr.slice(0, sources);
  model.routes.forEach((r, ri) => {
    const ids = rowIds[r.synapse];
    for (let i = 0; i < r.axonOf.length; i++) {
      const a = r.axonOf[i];
      if (a < 0) continue;
      const k = fill[sourceOf(ri, i)]++;
      segRoute[k] = ri;
      // An unused axon (null row) still carries a message; it just adds nothing.
      segRow[k] = ids[a];
    }
  });
  return { inputBase, inputCount, segPtr, segRoute, segRow };
}

/** Core of every compartment, and the update runs: maximal ranges of consecutive compartments on one core. */
export function buildPlacement(model: EmuModel): { coreCount: number; cxCore: Int32Array; runStart: Int32Array; runEnd: Int32Array; runCore: Int32Array } {
  const n = model.compartments.count;
  const cxCore = new Int32Array(n);
  let coreCount = 1;
  for (const b of model.blocks) {
    const core = b.core < 0 ? 0 : b.core;
    coreCount = Math.max(coreCount, core + 1);
    cxCore.fill(core, b.start, b.start + b.count);
  }
  const runs: [number, number, number][] = [];
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && cxCore[j] === cxCore[i]) j++;
    runs.push([i, j, cxCore[i]]);
    i = j;
  }
  return {
    coreCount,
    cxCore,
    runStart: Int32Array.from(runs, (r) => r[0]),
    runEnd: Int32Array.from(runs, (r) => r[1]),
    runCore: Int32Array.from(runs, (r) => r[2]),
  };
}
