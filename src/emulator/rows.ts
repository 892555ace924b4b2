/**
 * The emulator's delivery tables, built once from the model (engine.ts runs them every step).
 *
 * Every axon row is stored once. A dense row (the common case: decoded weights reach consecutive
 * compartments) is a span of consecutive targets t0 .. t0 + len − 1 with one weight per target
 * (zero where the row has no entry, summed where it has several) and one delay; it is added by a
 * WebAssembly SIMD kernel (row-add.ts) or a JavaScript loop. Any other row (scattered targets,
 * mixed delays) is a slice of a (target, weight[, delay]) table. Both give the same q: every term
 * is an integer, so float64 sums are exact whatever their order.
 *
 * Spike sources (compartments 0..n−1, then the channels of each host input in order) own a
 * contiguous list of segments in CSR form, one per route that maps the source to an axon; each
 * segment points at its row.
 *
 * Rows of a learned synapse group are always dense over the group's readout span, whatever the
 * delivery mode: the learning engine then rewrites their weights in place (learning.ts).
 */
import type { DeliveryMode } from "./engine-types.js";
import type { EmuModel } from "./model.js";
import { loadRowAdd, rowAddAvailable, type RowAdd } from "./row-add.js";

/**
 * A row with targets spanning `span` compartments and `entries` entries is stored dense when
 * span ≤ DENSE_SPAN_RATIO · entries: the SIMD kernel adds ~6 padded doubles in the time the
 * general loop takes for one (target, weight) entry, so padding up to 4× still pays. Without the
 * kernel only (nearly) gap-free rows are worth it.
 */
const DENSE_SPAN_RATIO = 4;
const DENSE_SPAN_RATIO_JS = 1.25;

export interface RowTables {
  /** Row id of axon a of synapse group g: rowIds[g][a], −1 for an unused axon. */
  readonly rowIds: Int32Array[];
  /** Delay ring length actually needed: 1 unless some weight has a delay. */
  readonly slots: number;
  /** Dendritic accumulator ring, slot-major; in the kernel's memory (byte 0) when there is a kernel. */
  readonly qRing: Float64Array;
  /** Synaptic entries of each row (what the cost model counts). */
  readonly rowEntries: Int32Array;
  /** Dense rows: offset of the weights in denseWeight, or −1 for a general row. */
  readonly rowDense: Int32Array;
  readonly rowT0: Int32Array;
  readonly rowLength: Int32Array;
  readonly rowDelay: Int32Array;
  /** General rows: the slice [begin, end) of the entry table. */
  readonly rowBegin: Int32Array;
  readonly rowEnd: Int32Array;
  readonly denseWeight: Float64Array;
  /** Byte address of denseWeight in the kernel's memory. */
  readonly denseByte: number;
  readonly rowAdd: RowAdd | null;
  readonly entTarget: Int32Array;
  readonly entWeight: Int32Array;
  /** Per-entry delay, or null when every delay is 0 (the fast path). */
  readonly entDelay: Int32Array | null;
  readonly rowForms: { readonly dense: number; readonly general: number; readonly simd: boolean };
}

type Span = [t0: number, length: number] | null;

/** The readout span of each learned synapse group (by synapse index). */
function learnedSpans(model: EmuModel): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const L of model.learning ?? []) out.set(L.synapse, [L.readoutStart, 2 * L.dims]);
  return out;
}

/** Flatten every axon row of the model (see the module comment). */
export function buildRows(model: EmuModel, delivery: DeliveryMode): RowTables {
  const n = model.compartments.count;
  const learned = learnedSpans(model);
  const rowIds: Int32Array[] = [];
  let generalEntries = 0;
  let denseLength = 0;
  let rows = 0;
  let anyDelay = false;
  const spanRatio = delivery === "auto" && rowAddAvailable() ? DENSE_SPAN_RATIO : DENSE_SPAN_RATIO_JS;
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
  model.synapses.forEach((g, gi) => {
    const ids = new Int32Array(g.axons.length).fill(-1);
    const learnedSpan = learned.get(gi);
    g.axons.forEach((row, a) => {
      if (row === null) return;
      ids[a] = rows++;
      const span = learnedSpan ?? denseSpan(row);
      spans.push(span);
      if (span === null) generalEntries += row.targets.length;
      else denseLength += span[1];
      if (row.delays !== undefined && row.delays.some((d) => d !== 0)) anyDelay = true;
    });
    rowIds.push(ids);
  });
  const slots = anyDelay ? model.delaySlots : 1;

  // Storage: q and the dense weights in the kernel's memory (q first, weights 16-byte aligned).
  const qLength = n * slots;
  const denseByte = Math.ceil((qLength * 8) / 16) * 16;
  const kernel = delivery === "auto" && denseLength > 0 ? loadRowAdd(denseByte + denseLength * 8) : null;
  const qRing = kernel !== null ? new Float64Array(kernel.memory.buffer, 0, qLength) : new Float64Array(qLength);
  const denseWeight = kernel !== null ? new Float64Array(kernel.memory.buffer, denseByte, denseLength) : new Float64Array(denseLength);
  const denseRows = spans.filter((x) => x !== null).length;
  const t: RowTables = {
    rowIds,
    slots,
    qRing,
    rowEntries: new Int32Array(rows),
    rowDense: new Int32Array(rows).fill(-1),
    rowT0: new Int32Array(rows),
    rowLength: new Int32Array(rows),
    rowDelay: new Int32Array(rows),
    rowBegin: new Int32Array(rows),
    rowEnd: new Int32Array(rows),
    denseWeight,
    denseByte,
    rowAdd: kernel?.addF64 ?? null,
    entTarget: new Int32Array(generalEntries),
    entWeight: new Int32Array(generalEntries),
    entDelay: anyDelay ? new Int32Array(generalEntries) : null,
    rowForms: { dense: denseRows, general: rows - denseRows, simd: kernel !== null },
  };
  fillRows(model, t, spans);
  return t;
}

/** Second pass of buildRows: copy every row into its dense span or its slice of the entry table. */
function fillRows(model: EmuModel, t: RowTables, spans: Span[]): void {
  let e = 0;
  let dense = 0;
  model.synapses.forEach((g, gi) => {
    g.axons.forEach((row, a) => {
      if (row === null) return;
      const id = t.rowIds[gi][a];
      t.rowEntries[id] = row.targets.length;
      const span = spans[id];
      if (span !== null) {
        const [t0, length] = span;
        t.rowDense[id] = dense;
        t.rowT0[id] = t0;
        t.rowLength[id] = length;
        t.rowDelay[id] = row.delays !== undefined ? row.delays[0] : 0;
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
