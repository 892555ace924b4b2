/**
 * Shared input axons: pre compartments of one group whose stored rows are identical (same
 * weights, same exponent) can send their spikes to one input axon of the target core instead of
 * one each (hardware-model §3.6: a spike message names the axon; several compartments may name
 * the same one, and each message delivers the row). The sum is unchanged: every spike of every
 * pre still delivers the row once. A sigma-delta decode row's L on levels carry one row and its L
 * off levels another, so its 2·L input axons and stored rows become 2: for the per-dimension
 * psMNIST memory that is 4× less synapse memory and input axons in every memory core.
 */
import { packRows, type QGroup } from "../ir/quantized.js";

/** Pre compartment k's row in g (−1: none). */
export const rowOfPre = (g: QGroup, k: number): number => (g.rowOfPre ? g.rowOfPre[k] : k);

const presCache = new WeakMap<QGroup, Int32Array[]>();

/** The pre compartments of each row of g (row j alone: [j]). */
export function presOfRow(g: QGroup): Int32Array[] {
  let out = presCache.get(g);
  if (out) return out;
  if (!g.rowOfPre) out = Array.from({ length: g.nPre }, (_, j) => Int32Array.of(j));
  else {
    const lists: number[][] = Array.from({ length: g.nPre }, () => []);
    g.rowOfPre.forEach((r, k) => {
      if (r >= 0) lists[r].push(k);
    });
    out = lists.map((l) => Int32Array.from(l));
  }
  presCache.set(g, out);
  return out;
}

/**
 * A group's rows as sharing reads them: row j's stored fields are fieldsOf(j)[baseOf(j) + i] for
 * post compartment i, non-zero only within first[j]..last[j] (first > last: an empty row). A
 * QGroup is one array (wgt at rowBase); merge.ts's layers keep a separate array per non-empty row.
 */
export interface RowSource {
  readonly nPre: number;
  readonly rowExp: Int8Array;
  readonly first: Int32Array;
  readonly last: Int32Array;
  readonly fieldsOf: (j: number) => Int16Array;
  readonly baseOf: (j: number) => number;
}

/** FNV-1a over a row's exponent, span and stored fields within its span. */
function rowHash(src: RowSource, j: number, first: number, last: number): number {
  let h = 0x811c9dc5 ^ (src.rowExp[j] & 0xff);
  h = Math.imul(h ^ first, 0x01000193);
  h = Math.imul(h ^ last, 0x01000193);
  const w = src.fieldsOf(j);
  for (let i = src.baseOf(j) + first, e = src.baseOf(j) + last + 1; i < e; i++) {
    h ^= w[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function sameRow(src: RowSource, a: number, b: number, first: number, last: number): boolean {
  if (src.rowExp[a] !== src.rowExp[b]) return false;
  const wa = src.fieldsOf(a), wb = src.fieldsOf(b), x = src.baseOf(a), y = src.baseOf(b);
  for (let i = first; i <= last; i++) if (wa[x + i] !== wb[y + i]) return false;
  return true;
}

/**
 * Which rows of `src` are kept (non-empty, the first of each set of identical rows, in order) and
 * each pre's row among them (−1: an empty row); undefined when no two non-empty rows are identical.
 */
export function identicalRows(src: RowSource): { kept: number[]; rowOfPre: Int32Array } | undefined {
  const buckets = new Map<number, number[]>();
  const canonical = new Int32Array(src.nPre).fill(-1);
  let duplicates = 0;
  const { first, last } = src;
  for (let j = 0; j < src.nPre; j++) {
    if (first[j] > last[j]) continue;
    const h = rowHash(src, j, first[j], last[j]);
    const list = buckets.get(h);
    const same = list?.find((k) => first[k] === first[j] && last[k] === last[j] && sameRow(src, k, j, first[j], last[j]));
    if (same !== undefined) {
      canonical[j] = same;
      duplicates++;
    } else {
      canonical[j] = j;
      if (list) list.push(j);
      else buckets.set(h, [j]);
    }
  }
  if (duplicates === 0) return undefined;
  // Rows in the order of their first pre; zero rows are dropped (they were never stored).
  const rowOfPre = new Int32Array(src.nPre).fill(-1);
  const kept: number[] = [];
  for (let j = 0; j < src.nPre; j++) {
    if (canonical[j] === j) rowOfPre[j] = kept.push(j) - 1;
  }
  for (let j = 0; j < src.nPre; j++) if (canonical[j] >= 0 && canonical[j] !== j) rowOfPre[j] = rowOfPre[canonical[j]];
  return { kept, rowOfPre };
}

/** Whether sharing applies to g at all (learning: groups whose weights the chip rewrites per axon must keep an axon per pre). */
export const mayShareRows = (g: Pick<QGroup, "rowOfPre" | "pre" | "nPre">, learning = false): boolean => !(learning || g.rowOfPre || g.pre.kind !== "block" || g.nPre < 2);

/**
 * The group with identical rows merged (rowOfPre set), or the group itself when no two non-empty
 * rows are identical, so networks without such rows compile to the same bytes as before.
 * `learning`: groups whose weights the chip rewrites per axon must keep an axon per pre.
 */
export function shareIdenticalRows(g: QGroup, learning = false): QGroup {
  if (!mayShareRows(g, learning)) return g;
  const { spanFirst: first, spanLast: last } = g;
  const shared = identicalRows({ nPre: g.nPre, rowExp: g.rowExp, first, last, fieldsOf: () => g.wgt, baseOf: (j) => g.rowBase[j] });
  if (!shared) return g;
  const { kept, rowOfPre } = shared;
  return { ...g, nPre: kept.length, ...packRows(kept, first, last, g.nPost, () => g.wgt, (j) => g.rowBase[j]), rowExp: Int8Array.from(kept, (j) => g.rowExp[j]), rowOfPre };
}

/**
 * Per row of g, its first and last post compartment with a stored weight (first > last: none).
 * Rows of merged and decode groups reach a small span of a wide post (a memory neuron's row
 * reaches its own hub row's 8 compartments of 2048), so scans over a piece skip rows whose span
 * misses it.
 */
export const rowSpans = (g: QGroup): { first: Int32Array; last: Int32Array } => ({ first: g.spanFirst, last: g.spanLast });

/** Whether row j of g can have a weight among the compartments lo..hi (a piece's smallest and largest). */
export const rowMayReach = (spans: { first: Int32Array; last: Int32Array }, j: number, lo: number, hi: number): boolean => spans.first[j] <= hi && spans.last[j] >= lo;

/** The first index in sorted a[from .. to) whose value is ≥ x (to if none). */
export function lowerBoundIn(a: Int32Array, from: number, to: number, x: number): number {
  let lo = from, hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** g's non-empty rows by their first compartment (byFirst), those firsts ascending, and the widest span. */
interface RowIndex { readonly byFirst: Int32Array; readonly firstSorted: Int32Array; readonly widest: number }
const indexCache = new WeakMap<QGroup, RowIndex>();

function rowIndex(g: QGroup): RowIndex {
  let x = indexCache.get(g);
  if (x) return x;
  const { first, last } = rowSpans(g);
  const rows: number[] = [];
  let widest = 0;
  for (let j = 0; j < g.nPre; j++) {
    if (first[j] > last[j]) continue;
    rows.push(j);
    widest = Math.max(widest, last[j] - first[j]);
  }
  const byFirst = Int32Array.from(rows).sort((a, b) => first[a] - first[b] || a - b);
  indexCache.set(g, (x = { byFirst, firstSorted: Int32Array.from(byFirst, (j) => first[j]), widest }));
  return x;
}

/**
 * The rows of g that can reach compartments lo..hi: rows[from .. to) (only rows starting within the
 * widest span before lo; each still to be checked with rowMayReach). Scans over a part visit these
 * instead of every row: a part of the psMNIST hub is reached by a few hundred of its ~5000 rows.
 */
export function candidateRows(g: QGroup, lo: number, hi: number): { rows: Int32Array; from: number; to: number } {
  const x = rowIndex(g);
  const from = lowerBoundIn(x.firstSorted, 0, x.byFirst.length, lo - x.widest);
  return { rows: x.byFirst, from, to: lowerBoundIn(x.firstSorted, from, x.byFirst.length, hi + 1) };
}
