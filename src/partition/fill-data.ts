/**
 * The fill planner's inputs: what it knows of each block (computed once for all variants), the
 * orders heavy blocks are taken in, and the variants it tries.
 */
import { rowNonzeros, type QGroup, type QuantizedNetwork, type QBlock } from "../ir/quantized.js";
import { bestChunkLength, minRowBitsTable } from "../target/cost.js";
import type { Target } from "../target/types.js";
import { cxKeyOf, iotaFrom } from "./memory.js";
import { lowerBoundIn, rowSpans } from "./shared-rows.js";

export { lowerBoundIn };

/**
 * The order heavy pieces are taken in: block order, or densest columns (compartments with the most
 * synapses) first, which puts compartments whose rows are mostly zeros into the same parts, where
 * those rows are stored sparse and cheap.
 */
export type HeavyOrder = "index" | "density";

export interface FillVariant {
  readonly order: HeavyOrder;
  /** Heavy compartments a core takes at most while light blocks remain. */
  readonly heavyPerCore: number;
  /** Largest heavy piece. */
  readonly pieceCap: number;
  /** Compartments a core takes at most. */
  readonly coreCap: number;
}

/** What the fill planner needs to know of a block, computed once for all variants. */
export interface BlockData {
  readonly b: QBlock;
  readonly groups: readonly QGroup[];
  /** Many stored rows, which every cut repeats: it goes first in a core, in pieces as large as fit, taken in a fixed order. */
  readonly heavy: boolean;
  readonly cxKey: string;
  /** Outgoing on-chip groups and, per group, which compartments have a synapse in it. */
  readonly outGroups: readonly { readonly post: string; readonly nz: Uint8Array }[];
  /** Incoming groups from on-chip blocks (index into groups), for counting output axons. */
  readonly blockGroups: readonly number[];
  /** The fewest parts its compartments or synapse memory allow (first guess of its part count). */
  readonly minParts: number;
  /** Heavy blocks: the orders computed so far (see heavyOrder). */
  readonly orders: Map<HeavyOrder, OrderData>;
}

/**
 * A heavy block's compartments in the order its pieces are taken, and for each row with a synapse,
 * the positions of its non-zero weights along that order, ascending: row r has as many synapses
 * in the piece order[s..e) as positions[rowStart[r] .. rowStart[r + 1]) has values in [s, e)
 * (found by binary search; prefix counts over every row and position took rows × n memory).
 * Rows with a synapse in at least 1/16 of the block's compartments also keep prefix counts
 * (counts[countsAt[r] + t]: synapses at positions < t), which answer without a search, at most
 * 16 × the positions' memory.
 */
export interface OrderData {
  readonly order: Int32Array;
  readonly rowExp: Int8Array;
  readonly positions: Int32Array;
  readonly rowStart: Int32Array;
  /**
   * The rows by their first position (byFirst), those first positions ascending (firstSorted),
   * and the widest span of any row (last − first): only rows whose first position lies in
   * [s − widest, e) can reach the piece [s, e), so a piece's rows are found without a scan of all
   * of them (the psMNIST hub has ~5000 rows, each reaching 8 of its 2048 compartments).
   */
  readonly byFirst: Int32Array;
  readonly firstSorted: Int32Array;
  readonly widest: number;
  readonly countsAt: Int32Array;
  /** 16-bit where a count fits (a block of < 65536 compartments): psMNIST's two orders' counts were 33 MB of fresh memory in 32 bits. */
  readonly counts: Uint16Array | Int32Array;
}

/** Prefix counts of the dense rows (see OrderData): where each row's start in counts (−1: none), and the counts. */
function denseRowCounts(positions: Int32Array, rowStart: Int32Array, n: number): { countsAt: Int32Array; counts: Uint16Array | Int32Array } {
  const rows = rowStart.length - 1;
  const countsAt = new Int32Array(rows).fill(-1);
  let size = 0;
  for (let r = 0; r < rows; r++) {
    if ((rowStart[r + 1] - rowStart[r]) * 16 < n) continue;
    countsAt[r] = size;
    size += n + 1;
  }
  const counts = n < 65536 ? new Uint16Array(size) : new Int32Array(size);
  for (let r = 0; r < rows; r++) {
    const off = countsAt[r];
    if (off < 0) continue;
    let c = 0, p = rowStart[r];
    for (let t = 0; t <= n; t++) {
      counts[off + t] = c;
      while (p < rowStart[r + 1] && positions[p] === t) {
        c++;
        p++;
      }
    }
  }
  return { countsAt, counts };
}

/** A heavy block's rows in index order: each row's synapse positions (its columns, ascending), start and exponent (counted first, so the positions take exactly their memory). */
function indexPositions(d: BlockData): { order: Int32Array; rowExp: Int8Array; positions: Int32Array; rowStart: Int32Array } {
  let nnz = 0, rows = 0;
  for (const g of d.groups) {
    const { first, last } = rowSpans(g);
    for (let j = 0; j < g.nPre; j++) {
      if (first[j] > last[j]) continue;
      rows++;
      nnz += rowNonzeros(g, j);
    }
  }
  const positions = new Int32Array(nnz), rowExp = new Int8Array(rows), rowStart = new Int32Array(rows + 1);
  let k = 0, r = 0;
  for (const g of d.groups) {
    const { first, last } = rowSpans(g);
    for (let j = 0; j < g.nPre; j++) {
      if (first[j] > last[j]) continue;
      rowExp[r] = g.rowExp[j];
      rowStart[r++] = k;
      for (let i = first[j], base = g.rowBase[j]; i <= last[j]; i++) if (g.wgt[base + i] !== 0) positions[k++] = i;
    }
  }
  rowStart[rows] = k;
  return { order: iotaFrom(0, d.b.n), rowExp, positions, rowStart };
}

/**
 * The density order from the index order's positions (no second scan of the weights): columns by
 * synapse count, most first, then by index; each row's positions mapped into that order, ascending.
 * Rows are dealt their positions column by column in the new order (a counting sort through each
 * column's rows), so no row is sorted: linear in the synapses (psMNIST's memory has millions).
 */
function densityPositions(index: OrderData, n: number): { order: Int32Array; rowExp: Int8Array; positions: Int32Array; rowStart: Int32Array } {
  const P = index.positions, rowStart = index.rowStart, rows = rowStart.length - 1;
  const colNnz = new Int32Array(n);
  for (let k = 0; k < P.length; k++) colNnz[P[k]]++;
  const order = iotaFrom(0, n).sort((a, b) => colNnz[b] - colNnz[a] || a - b);
  // Each column's rows (a row holds a column at most once).
  const colStart = new Int32Array(n + 1);
  for (let c = 0; c < n; c++) colStart[c + 1] = colStart[c] + colNnz[c];
  const next = colStart.slice(0, n), rowsOfCol = new Int32Array(P.length);
  for (let r = 0; r < rows; r++) for (let k = rowStart[r]; k < rowStart[r + 1]; k++) rowsOfCol[next[P[k]]++] = r;
  const positions = new Int32Array(P.length), cursor = rowStart.slice(0, rows);
  for (let t = 0; t < n; t++) {
    const c = order[t];
    for (let k = colStart[c]; k < colStart[c + 1]; k++) positions[cursor[rowsOfCol[k]]++] = t;
  }
  return { order, rowExp: index.rowExp, positions, rowStart };
}

export function heavyOrder(d: BlockData, kind: HeavyOrder): OrderData {
  const known = d.orders.get(kind);
  if (known) return known;
  const n = d.b.n;
  const { order, rowExp, positions, rowStart } = kind === "index" ? indexPositions(d) : densityPositions(heavyOrder(d, "index"), n);
  const rows = rowExp.length;
  const byFirst = iotaFrom(0, rows);
  let widest = 0;
  for (let r = 0; r < rows; r++) widest = Math.max(widest, positions[rowStart[r + 1] - 1] - positions[rowStart[r]]);
  byFirst.sort((a, b) => positions[rowStart[a]] - positions[rowStart[b]] || a - b);
  const firstSorted = Int32Array.from(byFirst, (r) => positions[rowStart[r]]);
  const out = { order, rowExp, positions, rowStart, byFirst, firstSorted, widest, ...denseRowCounts(positions, rowStart, n) };
  d.orders.set(kind, out);
  return out;
}

/**
 * The stored rows of the heavy piece order[at .. at + size): per row reaching it, its dense length
 * (to its last synapse in the piece), its synapse count and its exponent, into len, count and exp
 * from index 0; returns how many. Only rows starting in [at − widest, at + size) can reach the
 * piece. The rows come in order of their first position: a piece's cost sums over its rows and
 * collects their formats in a set, so the order does not matter.
 */
export function heavyPieceRows(od: OrderData, at: number, size: number, len: Int32Array, count: Int32Array, exp: Int8Array): number {
  const positions = od.positions, rowStart = od.rowStart, end = at + size, byFirst = od.byFirst;
  const from = lowerBoundIn(od.firstSorted, 0, byFirst.length, at - od.widest), to = lowerBoundIn(od.firstSorted, from, byFirst.length, end);
  let k = 0;
  for (let t = from; t < to; t++) {
    const r = byFirst[t];
    const s0 = rowStart[r], s1 = rowStart[r + 1];
    const off = od.countsAt[r];
    if (off >= 0) {
      const before = od.counts[off + at], upTo = od.counts[off + end];
      if (upTo === before) continue;
      len[k] = positions[s0 + upTo - 1] - at + 1;
      count[k] = upTo - before;
      exp[k++] = od.rowExp[r];
      continue;
    }
    // Rows whose synapses all lie outside the piece are skipped without a search.
    if (s0 === s1 || positions[s0] >= end || positions[s1 - 1] < at) continue;
    const lo = positions[s0] >= at ? s0 : lowerBoundIn(positions, s0, s1, at);
    const hi = positions[s1 - 1] < end ? s1 : lowerBoundIn(positions, lo, s1, end);
    if (hi === lo) continue;
    len[k] = positions[hi - 1] - at + 1;
    count[k] = hi - lo;
    exp[k++] = od.rowExp[r];
  }
  return k;
}

/** A block is heavy when a cut duplicates more input axons than this (1/64 of a core's). */
const heavyRows = (target: Target): number => Math.max(1, Math.floor(target.limits.inputAxonsPerCore / 64));

export function blockData(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target): BlockData[] {
  const L = target.limits;
  const threshold = heavyRows(target);
  const fmin = minRowBitsTable(Math.max(0, ...q.groups.map((g) => g.nPost)), target);
  const outGroups = new Map<string, { post: string; nz: Uint8Array }[]>(q.blocks.map((b) => [b.id, []]));
  const rowNnz = new Map<QGroup, Int32Array>();
  for (const g of q.groups) {
    const nnz = new Int32Array(g.nPre);
    for (let j = 0; j < g.nPre; j++) nnz[j] = rowNonzeros(g, j);
    rowNnz.set(g, nnz);
    if (g.pre.kind !== "block") continue;
    const nz = g.rowOfPre ? Uint8Array.from(g.rowOfPre, (j) => (j >= 0 && nnz[j] > 0 ? 1 : 0)) : Uint8Array.from(nnz, (c) => (c > 0 ? 1 : 0));
    outGroups.get(g.pre.block)!.push({ post: g.post, nz });
  }
  return q.blocks.map((b) => {
    const groups = incoming.get(b.id)!;
    let rows = 0, bits = 0;
    for (const g of groups) {
      for (const c of rowNnz.get(g)!) {
        if (c > 0) rows++;
        bits += fmin[c];
      }
    }
    const heavy = rows > threshold;
    const minParts = Math.max(1, Math.ceil(b.n / L.compartmentsPerCore), Math.ceil(bits / L.synapseBitsPerCore));
    const blockGroups = groups.flatMap((g, gi) => (g.pre.kind === "block" ? [gi] : []));
    return { b, groups, heavy, cxKey: cxKeyOf(b), outGroups: outGroups.get(b.id)!, blockGroups, minParts, orders: new Map() };
  });
}

export function fillVariants(data: readonly BlockData[], target: Target, lowerBoundValue: number): FillVariant[] {
  let heavy = 0, light = 0;
  for (const d of data) {
    if (d.heavy) heavy += d.b.n;
    else light += d.b.n;
  }
  const cap = bestChunkLength(target), coreCap = target.limits.compartmentsPerCore;
  const variants: FillVariant[] = [];
  for (const order of heavy > 0 ? (["index", "density"] as const) : (["index"] as const)) {
    variants.push({ order, heavyPerCore: Infinity, pieceCap: Infinity, coreCap });
    if (heavy > 0) variants.push({ order, heavyPerCore: Infinity, pieceCap: cap, coreCap });
    if (heavy > 0 && light > 0) {
      const spread = Math.ceil(heavy / lowerBoundValue);
      variants.push({ order, heavyPerCore: spread, pieceCap: Infinity, coreCap }, { order, heavyPerCore: spread, pieceCap: cap, coreCap });
    }
  }
  return variants;
}

/** Variants of `v` that spread compartments (then heavy compartments too) evenly over `cores` cores. */
export function balancedVariants(data: readonly BlockData[], v: FillVariant, cores: number): FillVariant[] {
  let heavy = 0, total = 0;
  for (const d of data) {
    total += d.b.n;
    if (d.heavy) heavy += d.b.n;
  }
  const coreCap = Math.min(v.coreCap, Math.ceil(total / cores));
  const out: FillVariant[] = [{ ...v, coreCap }];
  const spread = Math.ceil(heavy / cores);
  if (heavy > 0 && spread < v.heavyPerCore) out.push({ ...v, heavyPerCore: spread, coreCap });
  return out;
}

// The fill's working state.

export interface BlockState {
  readonly d: BlockData;
  /** Per compartment: output axons it is expected to need (Σ over its groups of the target's expected part count). */
  readonly estOut: Float64Array;
  readonly taken: Uint8Array;
  left: number;
  /** Light blocks: first compartment not yet placed. Heavy blocks: position in their order of the first not yet placed. */
  cursor: number;
  /** Compartments not yet placed, per threshold value. */
  vthLeft: Map<number, number>;
}

export interface Piece {
  readonly s: BlockState;
  readonly comps: Int32Array;
  /** Stored rows (input axons). */
  readonly rows: number;
}

/** A fill plan before its rows are built: each core's pieces in local order. */
export interface FillPlan {
  readonly cores: readonly (readonly Piece[])[];
  readonly rows: number;
}

/** A piece with what it costs wherever it sits on a core. */
export interface PieceCost extends Piece {
  /** Expected output axons. */
  readonly out: number;
  /** Synapse bits and formats when it starts at or below the compartment-base limit (dense rows stay dense). */
  readonly early: { readonly bits: number; readonly formats: Set<number> };
  /** The same past that limit (every row sparse), by index bits; filled in when first needed. */
  readonly late: Map<number, { readonly bits: number; readonly formats: Set<number> }>;
  /** Its stored rows: dense length (to the last synapse), synapses, weight exponent, dense or not. */
  readonly rowLen: Int32Array;
  readonly rowCount: Int32Array;
  readonly rowExp: Int8Array;
  readonly rowDense: Uint8Array;
}

export interface CoreState {
  /** In the order they were added. */
  pieces: PieceCost[];
  /** The same pieces in local order: the arrangement with the fewest synapse bits found. */
  arranged: PieceCost[];
  n: number;
  inAxons: number;
  outAxons: number;
  cx: Set<string>;
  vth: Set<number>;
  vmin: number;
  vmax: number;
}

