/**
 * Row extents: which of a group's rows a part stores, and how (dense up to the last synapse, or
 * sparse), and what that costs, counted with or without building the rows.
 */
import { fieldAt, type QBlock, type QGroup } from "../ir/quantized.js";
import type { Memory, Part, Row } from "./memory.js";
import { candidateRows, rowMayReach, rowSpans } from "./shared-rows.js";

/** Whether comps is s, s + 1, …, s + n − 1. */
export function isRange(comps: Int32Array): boolean {
  for (let t = 1; t < comps.length; t++) if (comps[t] !== comps[0] + t) return false;
  return true;
}

/** Scratch for rowExtent (partitioning is single-threaded; this keeps the row scans allocation-free). */
export const extent = new Int32Array(2);

/**
 * Synapses of row j of g over the compartments `comps` → out[0] (count) and out[1] (position of
 * the last, −1 if none). Only the row's span is read: outside it the row has no field.
 */
export function rowExtent(g: QGroup, j: number, comps: Int32Array, range: boolean, out: Int32Array): void {
  const w = g.wgt, base = g.rowBase[j], f = g.spanFirst[j], l = g.spanLast[j];
  let count = 0, last = -1;
  if (range) {
    const c0 = comps.length > 0 ? comps[0] : 0;
    for (let i = Math.max(c0, f), end = Math.min(c0 + comps.length - 1, l); i <= end; i++) {
      if (w[base + i] !== 0) {
        count++;
        last = i - c0;
      }
    }
  } else {
    for (let t = 0; t < comps.length; t++) {
      const c = comps[t];
      if (c >= f && c <= l && w[base + c] !== 0) {
        count++;
        last = t;
      }
    }
  }
  out[0] = count;
  out[1] = last;
}

/**
 * Rows of group g restricted to the post compartments `comps` (in that order on the core). A row
 * is stored dense (zeros included, no indices) up to its last non-zero entry when that takes
 * fewer bits than listing its non-zero entries with their indices; otherwise sparse. Rows with no
 * non-zero entry are not stored at all.
 */
export function rowsFor(g: QGroup, comps: Int32Array, idxBits: number, mem: Memory): (Row | null)[] {
  const out: (Row | null)[] = new Array<Row | null>(g.nPre).fill(null);
  const size = comps.length;
  const range = isRange(comps);
  const s0 = size > 0 ? comps[0] : 0;
  const spans = rowSpans(g);
  const lo = size === 0 ? 0 : range ? s0 : Math.min(...comps), hi = size === 0 ? -1 : range ? s0 + size - 1 : Math.max(...comps);
  // Rows that cannot reach lo..hi stay null without being visited.
  const { rows, from, to } = candidateRows(g, lo, hi);
  for (let t = from; t < to; t++) {
    const j = rows[t];
    if (!rowMayReach(spans, j, lo, hi)) continue;
    rowExtent(g, j, comps, range, extent);
    const count = extent[0], last = extent[1];
    if (count === 0) continue;
    const len = last + 1;
    if (denseIsSmaller(len, count, idxBits)) {
      const weights = new Int32Array(len);
      for (let t = 0; t < len; t++) weights[t] = fieldAt(g, j, range ? s0 + t : comps[t]);
      out[j] = { offsets: mem.iota(len), weights, dense: true, weightExp: g.rowExp[j] };
      continue;
    }
    const offsets = new Int32Array(count), weights = new Int32Array(count);
    let k = 0;
    for (let t = 0; t < size; t++) {
      const v = fieldAt(g, j, comps[t]);
      if (v !== 0) {
        offsets[k] = t;
        weights[k++] = v;
      }
    }
    out[j] = { offsets, weights, dense: false, weightExp: g.rowExp[j] };
  }
  return out;
}

/** A row reaching `len` compartments with `count` synapses is stored dense (8-bit entries) rather than sparse (8 + idxBits). */
export const denseIsSmaller = (len: number, count: number, idxBits: number): boolean => len * 8 <= count * (8 + idxBits);

/**
 * A part of b over `comps`: what the planners weigh (stored rows, their entries and formats) from
 * one scan of the weights, the rows themselves built only when read. Legacy makes ~430 parts of
 * psMNIST's blocks and the plan keeps none of them when the fill planner wins; building every row
 * of each (an object and a copy of its weights) was ~250 of legacy's ~600 ms.
 */
export function makePart(b: QBlock, comps: Int32Array, groups: readonly QGroup[], mem: Memory): Part {
  const r = storedRows(groups, comps, mem);
  return new LazyPart(b, comps, groups, r.stored, r.rowEntries, r.rowDense, r.rowExp, mem);
}

/** What a part over `comps` stores, from one scan of the rows that can reach it (makePart, partNeeds). */
function storedRows(groups: readonly QGroup[], comps: Int32Array, mem: Memory): Pick<Part, "stored" | "rowEntries" | "rowDense" | "rowExp"> {
  const size = comps.length;
  const idx = mem.idxBits(size);
  const range = isRange(comps);
  const s0 = size > 0 ? comps[0] : 0;
  const lo = size === 0 ? 0 : range ? s0 : Math.min(...comps), hi = size === 0 ? -1 : range ? s0 + size - 1 : Math.max(...comps);
  const stored: Uint8Array[] = [];
  let cap = 0;
  const spans = groups.map((g) => {
    const c = candidateRows(g, lo, hi);
    cap += c.to - c.from;
    return c;
  });
  const rowEntries = new Int32Array(cap), rowDense = new Uint8Array(cap), rowExp = new Int8Array(cap);
  let n = 0;
  groups.forEach((g, gi) => {
    const has = new Uint8Array(g.nPre);
    stored.push(has);
    const reach = rowSpans(g);
    const { rows, from, to } = spans[gi];
    for (let t = from; t < to; t++) {
      const j = rows[t];
      if (!rowMayReach(reach, j, lo, hi)) continue;
      rowExtent(g, j, comps, range, extent);
      const count = extent[0];
      if (count === 0) continue;
      const dense = denseIsSmaller(extent[1] + 1, count, idx);
      has[j] = 1;
      rowEntries[n] = dense ? extent[1] + 1 : count;
      rowDense[n] = dense ? 1 : 0;
      rowExp[n++] = g.rowExp[j];
    }
  });
  return { stored, rowEntries: rowEntries.subarray(0, n), rowDense: rowDense.subarray(0, n), rowExp: rowExp.subarray(0, n) };
}

class LazyPart implements Part {
  private built: Part["rows"] | undefined;
  outAxons = 0;
  core = -1;
  localStart = 0;
  constructor(
    readonly block: QBlock,
    readonly comps: Int32Array,
    readonly groups: readonly QGroup[],
    readonly stored: readonly Uint8Array[],
    readonly rowEntries: Int32Array,
    readonly rowDense: Uint8Array,
    readonly rowExp: Int8Array,
    private readonly mem: Memory,
  ) {}

  get inAxons(): number {
    return this.rowEntries.length;
  }

  get rows(): Part["rows"] {
    if (this.built === undefined) {
      const idx = this.mem.idxBits(this.comps.length);
      this.built = this.groups.map((g) => ({ group: g, rows: rowsFor(g, this.comps, idx, this.mem) }));
    }
    return this.built;
  }
}

/** Stored rows, synapse bits and synapse formats of a part at local start 0, counted without building its rows. */
export function partNeeds(groups: readonly QGroup[], comps: Int32Array, mem: Memory): { inAxons: number; bits: number; formats: number } {
  const p = { comps, ...storedRows(groups, comps, mem) };
  return { inAxons: p.rowEntries.length, bits: partBits(p, 0, mem), formats: partFormats(p, 0, mem).size };
}

type PartRowCosts = Pick<Part, "comps" | "rowEntries" | "rowDense" | "rowExp">;

/** A part's bits and formats per (past the compartment-base limit, index bits): the legacy packer asks for every core it tries the part on. */
interface PartCosts { readonly bits: Map<number, number>; readonly formats: Map<number, Set<number>> }
const costCache = new WeakMap<PartRowCosts, PartCosts>();

function partCosts(p: PartRowCosts): PartCosts {
  let c = costCache.get(p);
  if (!c) costCache.set(p, (c = { bits: new Map(), formats: new Map() }));
  return c;
}

/** Synapse bits of a part's rows when its first compartment sits at `localStart` on its core. */
export function partBits(p: PartRowCosts, localStart: number, mem: Memory): number {
  const size = p.comps.length;
  const past = localStart > mem.baseMax;
  const idx = mem.idxBits(past ? localStart - mem.baseMax + size : size);
  const c = partCosts(p), key = (past ? 1024 : 0) + idx;
  let bits = c.bits.get(key);
  if (bits === undefined) {
    bits = 0;
    for (let r = 0; r < p.rowEntries.length; r++) bits += mem.rowBits(p.rowEntries[r], p.rowDense[r] === 1 && !past, idx);
    c.bits.set(key, bits);
  }
  return bits;
}

/**
 * The synapse formats a part's rows take when its first compartment sits at `localStart`, keyed as
 * the assembly tells formats apart (exponent, compression, index bits): dense rows become sparse
 * past the compartment-base limit, and sparse formats with different index bits are distinct.
 */
export function partFormats(p: PartRowCosts, localStart: number, mem: Memory): Set<number> {
  const size = p.comps.length;
  const past = localStart > mem.baseMax;
  const idx = mem.idxBits(past ? localStart - mem.baseMax + size : size);
  const c = partCosts(p), key = (past ? 1024 : 0) + idx;
  let out = c.formats.get(key);
  if (!out) {
    out = new Set<number>();
    for (let r = 0; r < p.rowEntries.length; r++) out.add(p.rowDense[r] === 1 && !past ? mem.formatKey(p.rowExp[r], true, 0) : mem.formatKey(p.rowExp[r], false, idx));
    c.formats.set(key, out);
  }
  // A copy: callers may add to it.
  return new Set(out);
}
