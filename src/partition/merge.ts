/**
 * Merged blocks: the ensembles a decode block (a decode hub) feeds are lowered one block each, and
 * every (pre compartment, block it reaches) pair then needs its own input axon, stored row and
 * output axon. For the per-dimension psMNIST memory that is 257 output axons per hub compartment
 * (2048 × 257 = 526k, 128 cores of output axons alone). Posts of one decode block with the same
 * registers (decays, refractory, vmin/vmax) are therefore partitioned as one block: a hub
 * compartment sends one spike per core to one row spanning every member on that core.
 *
 * A row has one weight exponent, so a pre's entries into the merged block are grouped by the
 * exponent quantize chose for them: one group per exponent, no weight changes. Nothing is
 * re-quantized; the chip computes the same sums. After assembly the configuration and placements
 * are expressed in the members again (unmerge).
 */
import type { ChipConfig, CoreBlock } from "../ir/core.js";
import type { BlockPlacement, PlacementSegment } from "../ir/host.js";
import { packRows, type QBlock, type QGroup, type QuantizedNetwork } from "../ir/quantized.js";
import { blockNoun } from "./memory.js";
import { identicalRows, mayShareRows, rowSpans } from "./shared-rows.js";

export interface Merge {
  readonly id: string;
  readonly members: readonly { readonly block: QBlock; readonly start: number }[];
}

const registerKey = (b: QBlock): string => `${b.decayU}/${b.decayV}/${b.refractDelay}/${b.vmin}/${b.vmax}`;

/** Sets of blocks to merge: per decode block, its non-decode posts with one register key (at least 2). */
function mergeSets(q: QuantizedNetwork): QBlock[][] {
  const byId = new Map(q.blocks.map((b) => [b.id, b]));
  const taken = new Set<string>();
  const sets: QBlock[][] = [];
  for (const h of q.blocks) {
    if (!h.integrator) continue;
    const byKey = new Map<string, QBlock[]>();
    for (const g of q.groups) {
      if (g.pre.kind !== "block" || g.pre.block !== h.id) continue;
      const post = byId.get(g.post)!;
      if (post.integrator || taken.has(post.id)) continue;
      const list = byKey.get(registerKey(post)) ?? [];
      if (!list.includes(post)) list.push(post);
      byKey.set(registerKey(post), list);
    }
    for (const list of byKey.values()) {
      if (list.length < 2) continue;
      for (const b of list) taken.add(b.id);
      sets.push(list);
    }
  }
  return sets;
}

function concat<T extends Int32Array | Uint8Array | Float64Array>(parts: readonly T[], make: (n: number) => T): T {
  const out = make(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

function mergedBlock(id: string, members: readonly QBlock[]): QBlock {
  const b0 = members[0];
  const s0 = b0.scale;
  return {
    id, n: members.reduce((s, b) => s + b.n, 0), decayU: b0.decayU, decayV: b0.decayV, refractDelay: b0.refractDelay, vmin: b0.vmin, vmax: b0.vmax,
    vthMant: concat(members.map((b) => b.vthMant), (n) => new Int32Array(n)),
    biasMant: concat(members.map((b) => b.biasMant), (n) => new Int32Array(n)),
    biasExp: concat(members.map((b) => b.biasExp), (n) => new Uint8Array(n)),
    ratesHz: concat(members.map((b) => b.ratesHz), (n) => new Float64Array(n)),
    scale: {
      ...s0,
      scaleClass: concat(members.map((b) => b.scale.scaleClass), (n) => new Uint8Array(n)),
      sigmaU: concat(members.map((b) => b.scale.sigmaU), (n) => new Float64Array(n)),
      sigmaV: concat(members.map((b) => b.scale.sigmaV), (n) => new Float64Array(n)),
      sigmaW: concat(members.map((b) => b.scale.sigmaW), (n) => new Float64Array(n)),
    },
    ...(b0.origin ? { origin: b0.origin } : {}),
  };
}

/** Where a block's compartments went: its merged block and offset there (itself at 0 when not merged). */
type Where = { readonly id: string; readonly offset: number; readonly n: number };

/**
 * One layer of a merged group being filled: a row per pre, allocated at its first stored field
 * (most pres of a wide merge reach one layer only) over that pre's window only — the columns any
 * of the merged groups can write for it: row r's field at column c is rows[r][c − lo[r]].
 */
interface Layer {
  readonly e: number;
  readonly rows: (Int16Array | null)[];
  nonzero: number;
  readonly first: Int32Array;
  readonly last: Int32Array;
}

/**
 * A filled layer as a group, its rows' spans packed. With `share`, identical rows are merged here
 * (shared-rows.ts, the same rows and order as shareIdenticalRows of the whole layer would give):
 * the per-dimension psMNIST memory's 5120 pres × 2048 hub compartments in 6 exponent layers were
 * 250 MB of mostly zeros as dense arrays.
 */
function layerGroup(m: Layer, lo: Int32Array, base: Omit<QGroup, "wgt" | "rowBase" | "spanFirst" | "spanLast" | "rowExp" | "weightExp" | "report">, report: QGroup["report"], share: boolean): QGroup {
  const { nPre, nPost } = base;
  const fieldsOf = (j: number): Int16Array => m.rows[j]!, baseOf = (j: number): number => -lo[j];
  const shared = share && mayShareRows(base)
    ? identicalRows({ nPre, rowExp: new Int8Array(nPre).fill(m.e), first: m.first, last: m.last, fieldsOf, baseOf })
    : undefined;
  // Only each row's span is stored (a merged memory neuron's row into the psMNIST hub spans 8 of 2048 columns).
  const rows = shared ? shared.kept : Int32Array.from({ length: nPre }, (_, j) => j);
  return {
    ...base, ...(shared ? { nPre: shared.kept.length, rowOfPre: shared.rowOfPre } : {}), weightExp: m.e, rowExp: new Int8Array(rows.length).fill(m.e),
    ...packRows(rows, m.first, m.last, nPost, fieldsOf, baseOf), report: { ...report, nonzero: m.nonzero },
  };
}

/** The groups between the same (merged) pre and post as one group per row exponent (identical rows shared with `share`). */
function mergeGroups(list: readonly QGroup[], pre: Where, post: Where, preOf: (g: QGroup) => Where, postOf: (g: QGroup) => Where, share: boolean): QGroup[] {
  // One layer per (exponent, repeat): two groups into the same cells (two connections between the
  // same blocks) go to separate layers rather than adding stored fields.
  // Each layer's row spans are kept as it is filled (rows of merged groups reach a few columns of a
  // wide post, and every later scan of their rows stays within these spans).
  const layers = new Map<string, Layer>();
  const layerOf = new Map<number, Layer>();
  const nPre = pre.n, nPost = post.n;
  // Each pre's window: the union of its row spans over the groups (in merged columns). A layer's
  // row is allocated over it, not over all nPost columns: the merged memory's rows into the
  // psMNIST hub span 8 of 2048 columns, and zero-filling full rows was most of the merge's time.
  const lo = new Int32Array(nPre).fill(nPost), hi = new Int32Array(nPre).fill(-1);
  const spansOf = list.map((g) => rowSpans(g));
  list.forEach((g, k) => {
    const po = preOf(g).offset, qo = postOf(g).offset, { first, last } = spansOf[k];
    for (let j = 0; j < g.nPre; j++) {
      if (first[j] > last[j]) continue;
      lo[po + j] = Math.min(lo[po + j], qo + first[j]);
      hi[po + j] = Math.max(hi[po + j], qo + last[j]);
    }
  });
  // Rows are cut from slabs (one allocation per 64 typical rows, not per row).
  let slab = new Int16Array(0), used = 0;
  const rowOf = (n: number): Int16Array => {
    if (used + n > slab.length) [slab, used] = [new Int16Array(Math.max(64 * n, 4096)), 0];
    return slab.subarray(used, (used += n));
  };
  list.forEach((g, k) => {
    const po = preOf(g).offset, qo = postOf(g).offset;
    // Every stored field of row j lies within its span: the scans below skip the zeros around it.
    const spans = spansOf[k];
    for (let j = 0; j < g.nPre; j++) {
      const e = g.rowExp[j];
      const src = g.rowBase[j];
      const first = spans.first[j], last = spans.last[j];
      // Column qo + i of the merged row is at qo + i − lo in its window.
      const at = qo - lo[po + j];
      let m;
      for (let layer = 0; ; layer++) {
        // Looked up by number (no key string per row); the string key names and orders the layers.
        const num = (e + 128) * 65536 + layer;
        m = layerOf.get(num);
        if (!m) {
          m = { e, rows: new Array<Int16Array | null>(nPre).fill(null), nonzero: 0, first: new Int32Array(nPre).fill(nPost), last: new Int32Array(nPre).fill(-1) };
          layers.set(`${e}/${layer}`, m);
          layerOf.set(num, m);
        }
        // Groups from one pre into different members use disjoint columns; a second group into the same cells needs its own layer.
        const row = m.rows[po + j];
        let clash = false;
        if (row) for (let i = first; i <= last && !clash; i++) clash = g.wgt[src + i] !== 0 && row[at + i] !== 0;
        if (!clash) break;
      }
      if (first > last) continue;
      // No clash: every nonzero written lands in an empty cell, so the layer's count grows by one each.
      const row = (m.rows[po + j] ??= rowOf(hi[po + j] - lo[po + j] + 1));
      for (let i = first; i <= last; i++) {
        const x = g.wgt[src + i];
        if (x !== 0) {
          row[at + i] = x;
          m.nonzero++;
          const col = qo + i, r = po + j;
          if (col < m.first[r]) m.first[r] = col;
          if (col > m.last[r]) m.last[r] = col;
        }
      }
    }
  });
  const connections = [...new Set(list.flatMap((g) => g.connections))];
  const g0 = list[0];
  return [...layers.entries()].sort((a, b) => a[1].e - b[1].e || (a[0] < b[0] ? -1 : 1)).map(([key, m]) => {
    const base = {
      id: layers.size === 1 ? `${pre.id}->${post.id}` : `${pre.id}->${post.id}@${key}`, pre: g0.pre.kind === "block" ? { kind: "block" as const, block: pre.id } : g0.pre, post: post.id,
      nPre, nPost, connections, ...(g0.origin ? { origin: g0.origin } : {}),
    };
    // Reports stay with quantize's per-connection groups; this one only carries the sums.
    return layerGroup(m, lo, base, g0.report, share);
  });
}

/** The network with every merge set as one block, and the merges (for unmerge); `shareRows`: merged groups' identical rows shared as they are built. */
export function mergeBlocks(q: QuantizedNetwork, shareRows = false): { q: QuantizedNetwork; merges: Merge[] } {
  const sets = mergeSets(q);
  if (sets.length === 0) return { q, merges: [] };
  const where = new Map<string, Where>();
  const merges: Merge[] = [];
  const mergedOf = new Map<string, QBlock>();
  for (const members of sets) {
    const id = `${members[0].id}..${members[members.length - 1].id}`;
    let at = 0;
    const m = mergedBlock(id, members);
    merges.push({ id, members: members.map((b) => ({ block: b, start: (at += b.n) - b.n })) });
    at = 0;
    for (const b of members) where.set(b.id, { id, offset: (at += b.n) - b.n, n: m.n });
    mergedOf.set(id, m);
  }
  const blocks: QBlock[] = [];
  for (const b of q.blocks) {
    const w = where.get(b.id);
    if (!w) blocks.push(b);
    else if (w.offset === 0) blocks.push(mergedOf.get(w.id)!);
  }
  const preOf = (g: QGroup): Where => (g.pre.kind === "block" ? where.get(g.pre.block) : undefined) ?? { id: g.pre.kind === "block" ? g.pre.block : g.pre.input, offset: 0, n: g.nPre };
  const postOf = (g: QGroup): Where => where.get(g.post) ?? { id: g.post, offset: 0, n: g.nPost };
  // Groups touching a merged block, bucketed by (pre, post) after merging, in first-seen order.
  const buckets = new Map<string, QGroup[]>();
  const groups: (QGroup | string)[] = [];
  for (const g of q.groups) {
    const pre = preOf(g), post = postOf(g);
    if (pre.n === g.nPre && post.n === g.nPost && pre.offset === 0 && post.offset === 0 && !where.has(g.post) && !(g.pre.kind === "block" && where.has(g.pre.block))) {
      groups.push(g);
      continue;
    }
    const key = `${g.pre.kind}:${pre.id}\u0000${post.id}`;
    const list = buckets.get(key);
    if (list) list.push(g);
    else {
      buckets.set(key, [g]);
      groups.push(key);
    }
  }
  const out = groups.flatMap((x) => {
    if (typeof x !== "string") return [x];
    const list = buckets.get(x)!;
    return mergeGroups(list, preOf(list[0]), postOf(list[0]), preOf, postOf, shareRows);
  });
  return { q: { ...q, blocks, groups: out }, merges };
}

/** Core blocks and placements in terms of the members again. */
export function unmerge(chip: ChipConfig, placements: readonly BlockPlacement[], merges: readonly Merge[]): { chip: ChipConfig; placements: BlockPlacement[] } {
  if (merges.length === 0) return { chip, placements: [...placements] };
  const byId = new Map(merges.map((m) => [m.id, m]));
  const memberSegments = new Map<string, PlacementSegment[]>();
  const out: BlockPlacement[] = [];
  for (const p of placements) {
    const m = byId.get(p.block);
    if (!m) {
      out.push(p);
      continue;
    }
    for (const { block, start } of m.members) {
      const segs: PlacementSegment[] = [];
      for (const s of p.segments) {
        const lo = Math.max(s.neuronStart, start), hi = Math.min(s.neuronStart + s.count, start + block.n);
        if (lo < hi) segs.push({ core: s.core, localStart: s.localStart + (lo - s.neuronStart), count: hi - lo, neuronStart: lo - start });
      }
      memberSegments.set(block.id, segs);
      out.push({ block: block.id, segments: segs });
    }
  }
  const cores = chip.cores.map((c) => {
    if (!c.blocks.some((b) => byId.has(b.source.slice(b.source.indexOf(" ") + 1)))) return c;
    const blocks: CoreBlock[] = [];
    for (const b of c.blocks) {
      const m = byId.get(b.source.slice(b.source.indexOf(" ") + 1));
      if (!m) {
        blocks.push(b);
        continue;
      }
      for (const { block } of m.members) {
        for (const s of memberSegments.get(block.id)!) {
          if (s.core !== c.index || s.localStart < b.start || s.localStart >= b.start + b.count) continue;
          blocks.push({ label: s.count === block.n ? block.id : `${block.id}[${s.neuronStart}:${s.neuronStart + s.count}]`, start: s.localStart, count: s.count, source: `${blockNoun(block)} ${block.id}`, ...(block.origin ? { origin: block.origin } : {}) });
        }
      }
    }
    blocks.sort((x, y) => x.start - y.start);
    return { ...c, blocks };
  });
  return { chip: { ...chip, cores }, placements: out };
}
