/**
 * partition: QuantizedNetwork → ChipConfig. Distributes every block's compartments over cores so
 * that no core exceeds any limit (compartments, input and output axons, synapse memory,
 * compartment and threshold profiles, synapse formats, one vmin/vmax per core) on as few cores as
 * it can, then places the cores on chips and the mesh so that expected spike traffic × hops is
 * small (greedy by traffic, then pairwise swaps). Placement never changes results, only cost.
 *
 * A part is any set of a block's compartments placed side by side on one core (a block of the
 * configuration per run of consecutive neurons); it gets its own synapse rows, one per pre with a
 * synapse into it, dense up to the row's last synapse or sparse, whichever is smaller. Two
 * planners produce parts and cores; fewest cores wins, then fewest stored rows, then legacy.
 *
 * - fill (variants in a fixed order, until one reaches the lower bound): cores are filled one
 *   after another. "Heavy" blocks (many rows, which every cut repeats) come first, as pieces taken
 *   in order from the block and as large as still fit every limit (binary search on the size).
 *   Then "light" blocks are poured into the compartments left, cut wherever a core is full: next
 *   the block adding the fewest new threshold profiles; when no block's rest fits the core's
 *   threshold profiles, only compartments whose thresholds it can take (so a part may hold
 *   non-adjacent neurons). Each core's pieces are laid out in the order, among those tried, with
 *   the fewest synapse bits: a dense row needs its part to start within the compartment-base
 *   range, past it every row is sparse. Variants set the heavy order (block order, or densest
 *   columns first, which gathers compartments whose rows are mostly zeros into parts where those
 *   rows are sparse and cheap), how many heavy compartments a core takes (as many as fit, or the
 *   heavy total spread over the lower bound's cores, leaving synapse memory for light pieces)
 *   and the longest heavy piece (unlimited, or the row length storing most entries per bit:
 *   several such pieces hold more of a dense block than one long piece). Output axons depend on
 *   how the targets end up cut: a variant is rerun with the part counts it produced until they
 *   fit. The winning variant is then evened out (compartments, and heavy compartments, spread
 *   over its cores) when that needs no more cores, so no core is busier than it has to be.
 * - legacy: each block split into the fewest equal contiguous parts that fit a core alone, packed
 *   first fit, largest first.
 *
 * The lower bound (report) is Σ over vmin/vmax classes (which cannot share a core) of the largest
 * per-resource bound, each of which no configuration can beat: compartments; synapse memory, each
 * non-zero weight row stored at the fewest bits any chunking of its synapses allows (§3.4 with the
 * 8-bit weights this compiler emits; a row cut into pieces can take fewer bits than whole, so a
 * row's unsplit cost is not a bound); input axons, one per non-zero row; output axons, one per
 * (pre compartment, connection it has a synapse in); distinct threshold values, compartment
 * profiles and weight exponents over their per-core table sizes.
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { ChipConfig, CompartmentProfile, CoreBlock, CoreConfig, HostInput, InputAxon, OutputAxon, SynapseFormat, SynapseRow } from "../ir/core.js";
import { synapseRowBits } from "../ir/verify-core.js";
import type { Target } from "../target/target.js";
import type { QBlock, QGroup, QuantizedNetwork } from "./quantize.js";

/** How reports name a block: the user's ensemble, or a decode block the compiler added. */
function blockNoun(b: QBlock): string {
  return b.integrator ? "decode block" : "ensemble";
}

interface Row {
  /** Offsets from the part's first compartment. */
  readonly offsets: Int32Array;
  readonly weights: Int32Array;
  readonly dense: boolean;
  readonly weightExp: number;
}

interface Part {
  readonly block: QBlock;
  /** The block's compartments in this part, in their order on the core: at localStart, localStart + 1, … */
  readonly comps: Int32Array;
  /** For each incoming group, one row per pre (null: no synapse in this part). */
  readonly rows: { readonly group: QGroup; readonly rows: (Row | null)[] }[];
  readonly inAxons: number;
  outAxons: number;
  core: number;
  localStart: number;
}

export interface CoreUsage {
  readonly core: number;
  readonly chip: number;
  readonly compartments: number;
  readonly inputAxons: number;
  readonly outputAxons: number;
  readonly synapseBits: number;
  readonly blocks: readonly string[];
}

export interface PartitionReport {
  readonly cores: number;
  readonly chips: number;
  /** No valid configuration has fewer cores (see the file comment for how it is computed). */
  readonly lowerBound: number;
  readonly lowerBoundBy: string;
  readonly usage: readonly CoreUsage[];
  readonly totals: { readonly compartments: number; readonly inputAxons: number; readonly outputAxons: number; readonly synapseBits: number };
  /** Σ expected spike messages/s × hops between cores, before and after swap refinement. */
  readonly trafficCostInitial: number;
  readonly trafficCost: number;
  readonly splits: readonly { readonly block: string; readonly parts: number; readonly reason: string }[];
}

const denseFormat = (weightExp: number): SynapseFormat => ({ weightBits: 8, isMixed: true, weightExp, compression: "dense", idxBits: 0 });

function idxBitsFor(maxOffset: number, target: Target): number {
  for (const b of target.widths.idxBitsOptions) if (b > 0 && maxOffset < 2 ** b) return b;
  return target.widths.idxBitsOptions[target.widths.idxBitsOptions.length - 1];
}

function sparseFormat(weightExp: number, maxOffset: number, target: Target): SynapseFormat {
  return { weightBits: 8, isMixed: true, weightExp, compression: "sparse", idxBits: idxBitsFor(maxOffset, target) };
}

const iotaFrom = (start: number, n: number): Int32Array => {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = start + i;
  return a;
};

/**
 * The synapse-memory cost model of a target, with the lookups the planners repeat cached: index
 * bits for a largest offset, bits of a row of n entries (dense, or sparse with given index bits),
 * and a number naming each synapse format the way the assembly (step 3) tells them apart.
 */
class Memory {
  readonly baseMax: number;
  private readonly idxCache: Int8Array;
  private readonly denseFmt: SynapseFormat;
  private readonly sparseFmts = new Map<number, SynapseFormat>();
  private readonly expMin: number;
  private readonly iotas = new Map<number, Int32Array>();

  constructor(readonly target: Target) {
    this.baseMax = target.limits.compartmentBase.max;
    this.idxCache = new Int8Array(1 << 16).fill(-1);
    this.denseFmt = denseFormat(0);
    for (const b of target.widths.idxBitsOptions) this.sparseFmts.set(b, { weightBits: 8, isMixed: true, weightExp: 0, compression: "sparse", idxBits: b });
    this.expMin = target.widths.weightExp.min;
  }

  idxBits(maxOffset: number): number {
    if (maxOffset >= this.idxCache.length) return idxBitsFor(maxOffset, this.target);
    let b = this.idxCache[maxOffset];
    if (b < 0) b = this.idxCache[maxOffset] = idxBitsFor(maxOffset, this.target);
    return b;
  }

  rowBits(entries: number, dense: boolean, idxBits: number): number {
    return synapseRowBits(entries, dense ? this.denseFmt : this.sparseFmts.get(idxBits)!, this.target);
  }

  /** 0, 1, …, n − 1, shared by every dense row of length n (rows are never written to). */
  iota(n: number): Int32Array {
    let a = this.iotas.get(n);
    if (!a) this.iotas.set(n, (a = iotaFrom(0, n)));
    return a;
  }

  formatKey(weightExp: number, dense: boolean, idxBits: number): number {
    return weightExp - this.expMin + 64 * (dense ? 0 : 1 + idxBits);
  }
}

/** Whether comps is s, s + 1, …, s + n − 1. */
function isRange(comps: Int32Array): boolean {
  for (let t = 1; t < comps.length; t++) if (comps[t] !== comps[0] + t) return false;
  return true;
}

/** Scratch for rowExtent (partitioning is single-threaded; this keeps the row scans allocation-free). */
const extent = new Int32Array(2);

/** Synapses of one pre's row over the compartments `comps` → out[0] (count) and out[1] (position of the last, −1 if none). */
function rowExtent(w: Int32Array, base: number, comps: Int32Array, range: boolean, out: Int32Array): void {
  let count = 0, last = -1;
  if (range) {
    for (let t = 0, i = base + (comps.length > 0 ? comps[0] : 0); t < comps.length; t++, i++) {
      if (w[i] !== 0) {
        count++;
        last = t;
      }
    }
  } else {
    for (let t = 0; t < comps.length; t++) {
      if (w[base + comps[t]] !== 0) {
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
function rowsFor(g: QGroup, comps: Int32Array, idxBits: number, mem: Memory): (Row | null)[] {
  const out: (Row | null)[] = [];
  const size = comps.length;
  const range = isRange(comps);
  const s0 = size > 0 ? comps[0] : 0;
  const w = g.wgt;
  for (let j = 0; j < g.nPre; j++) {
    const base = j * g.nPost;
    rowExtent(w, base, comps, range, extent);
    const count = extent[0], last = extent[1];
    if (count === 0) {
      out.push(null);
      continue;
    }
    const len = last + 1;
    if (denseIsSmaller(len, count, idxBits)) {
      const weights = range ? w.slice(base + s0, base + s0 + len) : Int32Array.from(comps.subarray(0, len), (c) => w[base + c]);
      out.push({ offsets: mem.iota(len), weights, dense: true, weightExp: g.rowExp[j] });
      continue;
    }
    const offsets = new Int32Array(count), weights = new Int32Array(count);
    let k = 0;
    for (let t = 0; t < size; t++) {
      const v = w[base + comps[t]];
      if (v !== 0) {
        offsets[k] = t;
        weights[k++] = v;
      }
    }
    out.push({ offsets, weights, dense: false, weightExp: g.rowExp[j] });
  }
  return out;
}

/** A row reaching `len` compartments with `count` synapses is stored dense (8-bit entries) rather than sparse (8 + idxBits). */
const denseIsSmaller = (len: number, count: number, idxBits: number): boolean => len * 8 <= count * (8 + idxBits);

function makePart(b: QBlock, comps: Int32Array, groups: readonly QGroup[], mem: Memory): Part {
  const idx = mem.idxBits(comps.length);
  const rows = groups.map((g) => ({ group: g, rows: rowsFor(g, comps, idx, mem) }));
  let inAxons = 0;
  for (const r of rows) for (const x of r.rows) if (x) inAxons++;
  return { block: b, comps, rows, inAxons, outAxons: 0, core: -1, localStart: 0 };
}

/** Stored rows, synapse bits and synapse formats of a part at local start 0, counted without building its rows. */
function partNeeds(groups: readonly QGroup[], comps: Int32Array, mem: Memory): { inAxons: number; bits: number; formats: number } {
  const size = comps.length;
  const idx = mem.idxBits(size);
  const range = isRange(comps);
  const s0 = size > 0 ? comps[0] : 0;
  let inAxons = 0, bits = 0;
  const formats = new Set<number>();
  for (const g of groups) {
    const w = g.wgt;
    for (let j = 0; j < g.nPre; j++) {
      const base = j * g.nPost;
      let count = 0, last = -1;
      for (let t = 0; t < size; t++) {
        if (w[range ? base + s0 + t : base + comps[t]] !== 0) {
          count++;
          last = t;
        }
      }
      if (count === 0) continue;
      inAxons++;
      const dense = denseIsSmaller(last + 1, count, idx);
      bits += mem.rowBits(dense ? last + 1 : count, dense, idx);
      formats.add(dense ? mem.formatKey(g.rowExp[j], true, 0) : mem.formatKey(g.rowExp[j], false, idx));
    }
  }
  return { inAxons, bits, formats: formats.size };
}

/** Synapse bits of a part's rows when its first compartment sits at `localStart` on its core. */
function partBits(p: Pick<Part, "rows" | "comps">, localStart: number, mem: Memory): number {
  const size = p.comps.length;
  const past = localStart > mem.baseMax;
  const idx = mem.idxBits(past ? localStart - mem.baseMax + size : size);
  let bits = 0;
  for (const { rows } of p.rows) for (const r of rows) if (r) bits += mem.rowBits(r.offsets.length, r.dense && !past, idx);
  return bits;
}

/**
 * The synapse formats a part's rows take when its first compartment sits at `localStart`, keyed as
 * the assembly tells formats apart (exponent, compression, index bits): dense rows become sparse
 * past the compartment-base limit, and sparse formats with different index bits are distinct.
 */
function partFormats(p: Pick<Part, "rows" | "comps">, localStart: number, mem: Memory): Set<number> {
  const size = p.comps.length;
  const past = localStart > mem.baseMax;
  const idx = mem.idxBits(past ? localStart - mem.baseMax + size : size);
  const out = new Set<number>();
  for (const { rows } of p.rows) for (const r of rows) if (r) out.add(r.dense && !past ? mem.formatKey(r.weightExp, true, 0) : mem.formatKey(r.weightExp, false, idx));
  return out;
}

const cxKeyOf = (b: QBlock): string => `${b.decayU}/${b.decayV}/${b.refractDelay}`;

function distinctIn(values: Int32Array, comps: Int32Array): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < comps.length; i++) s.add(values[comps[i]]);
  return s;
}

/** Cores, each a list of parts in local order. */
type Plan = Part[][];

interface Bin {
  parts: Part[];
  compartments: number;
  inAxons: number;
  outAxons: number;
  bits: number;
  cx: Set<string>;
  vth: Set<number>;
  formats: Set<number>;
  vmin: number;
  vmax: number;
}

/**
 * Output axons: one per (compartment, target part whose row for it is stored). Sets each part's
 * outAxons and returns, per pre block, the (part, group index) pairs it feeds.
 */
function countOutputAxons(parts: readonly Part[]): Map<string, { part: Part; groupIndex: number }[]> {
  const targetsOfPre = new Map<string, { part: Part; groupIndex: number }[]>();
  for (const p of parts) {
    p.rows.forEach(({ group }, gi) => {
      if (group.pre.kind !== "block") return;
      const list = targetsOfPre.get(group.pre.block) ?? [];
      list.push({ part: p, groupIndex: gi });
      targetsOfPre.set(group.pre.block, list);
    });
  }
  for (const p of parts) {
    let out = 0;
    for (const { part, groupIndex } of targetsOfPre.get(p.block.id) ?? []) {
      const rows = part.rows[groupIndex].rows;
      for (let t = 0; t < p.comps.length; t++) if (rows[p.comps[t]]) out++;
    }
    p.outAxons = out;
  }
  return targetsOfPre;
}

/** Sets core and localStart of every part of the plan and totals each core's use. */
function binsOf(plan: Plan, mem: Memory): Bin[] {
  return plan.map((parts, core) => {
    const bin: Bin = { parts, compartments: 0, inAxons: 0, outAxons: 0, bits: 0, cx: new Set(), vth: new Set(), formats: new Set(), vmin: parts[0].block.vmin, vmax: parts[0].block.vmax };
    for (const p of parts) {
      p.core = core;
      p.localStart = bin.compartments;
      bin.bits += partBits(p, p.localStart, mem);
      for (const f of partFormats(p, p.localStart, mem)) bin.formats.add(f);
      for (const v of distinctIn(p.block.vthMant, p.comps)) bin.vth.add(v);
      bin.cx.add(cxKeyOf(p.block));
      bin.compartments += p.comps.length;
      bin.inAxons += p.inAxons;
      bin.outAxons += p.outAxons;
    }
    return bin;
  });
}

/** The first limit a core breaks, or undefined. */
function binProblem(bin: Bin, target: Target): string | undefined {
  const L = target.limits;
  if (bin.compartments > L.compartmentsPerCore) return "compartments";
  if (bin.inAxons > L.inputAxonsPerCore) return "input axons";
  if (bin.outAxons > L.outputAxonsPerCore) return "output axons";
  if (bin.bits > L.synapseBitsPerCore) return "synapse memory";
  if (bin.cx.size > L.cxProfilesPerCore) return "compartment profiles";
  if (bin.vth.size > L.vthProfilesPerCore) return "threshold profiles";
  if (bin.formats.size > L.synapseFormatsPerCore) return "synapse formats";
  if (bin.parts.some((p) => p.block.vmin !== bin.vmin || p.block.vmax !== bin.vmax)) return "vmin/vmax";
  return undefined;
}

/** fmin[n]: the fewest synapse bits any chunking of n row entries takes (8-bit weights, §3.4). */
function minRowBits(maxEntries: number, target: Target): Float64Array {
  const m = target.synapseMemory;
  const b = 8 + m.delayBits + m.tagBits;
  const chunk = (k: number): number => Math.ceil((k * b + m.formatIdBits + m.countBits) / m.wordBits) * m.wordBits;
  const f = new Float64Array(maxEntries + 1);
  for (let n = 1; n <= maxEntries; n++) {
    let best = Infinity;
    for (let k = 1; k <= Math.min(n, m.chunkEntries); k++) best = Math.min(best, chunk(k) + f[n - k]);
    f[n] = best;
  }
  return f;
}

/** The row length (≤ one chunk) that stores the most entries per bit; the longest of the ties. */
function bestChunkLength(target: Target): number {
  const m = target.synapseMemory;
  const b = 8 + m.delayBits + m.tagBits;
  let best = 1, ratio = 0;
  for (let k = 1; k <= m.chunkEntries; k++) {
    const r = k / (Math.ceil((k * b + m.formatIdBits + m.countBits) / m.wordBits) * m.wordBits);
    if (r >= ratio) [best, ratio] = [k, r];
  }
  return best;
}

function lowerBound(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target): { value: number; by: string } {
  const L = target.limits;
  interface ClassTotals { compartments: number; bits: number; inAxons: number; outAxons: number; vth: Set<number>; cx: Set<string>; exps: Set<number> }
  const classes = new Map<string, ClassTotals>();
  const classOf = (b: QBlock): ClassTotals => {
    const key = `${b.vmin}/${b.vmax}`;
    let c = classes.get(key);
    if (!c) classes.set(key, (c = { compartments: 0, bits: 0, inAxons: 0, outAxons: 0, vth: new Set(), cx: new Set(), exps: new Set() }));
    return c;
  };
  const blockById = new Map(q.blocks.map((b) => [b.id, b]));
  const maxPost = Math.max(0, ...q.groups.map((g) => g.nPost));
  const fmin = minRowBits(maxPost, target);
  for (const b of q.blocks) {
    const c = classOf(b);
    c.compartments += b.n;
    for (const v of b.vthMant) c.vth.add(v);
    if (b.n > 0) c.cx.add(cxKeyOf(b));
    for (const g of incoming.get(b.id)!) {
      for (let j = 0; j < g.nPre; j++) {
        let nnz = 0;
        for (let i = j * g.nPost, e = i + g.nPost; i < e; i++) if (g.wgt[i] !== 0) nnz++;
        if (nnz === 0) continue;
        c.bits += fmin[nnz];
        c.inAxons++;
        c.exps.add(g.rowExp[j]);
        // A pre compartment with a synapse in g needs an output axon of its own core for it.
        if (g.pre.kind === "block") classOf(blockById.get(g.pre.block)!).outAxons++;
      }
    }
  }
  let value = 0, by = "compartments", largest = -1;
  for (const c of classes.values()) {
    const bounds: [number, string][] = [
      [Math.ceil(c.compartments / L.compartmentsPerCore), "compartments"],
      [Math.ceil(c.bits / L.synapseBitsPerCore), "synapse memory"],
      [Math.ceil(c.inAxons / L.inputAxonsPerCore), "input axons"],
      [Math.ceil(c.outAxons / L.outputAxonsPerCore), "output axons"],
      [Math.ceil(c.vth.size / L.vthProfilesPerCore), "threshold profiles"],
      [Math.ceil(c.cx.size / L.cxProfilesPerCore), "compartment profiles"],
      [Math.ceil(c.exps.size / L.synapseFormatsPerCore), "synapse formats"],
    ];
    const [v, name] = bounds.reduce((a, x) => (x[0] > a[0] ? x : a));
    value += v;
    if (v > largest) [largest, by] = [v, name];
  }
  if (classes.size > 1) by = `${by} (${classes.size} vmin/vmax classes, which cannot share a core)`;
  return { value: Math.max(1, value), by };
}

export function partition(q: QuantizedNetwork, target: Target): { chip: ChipConfig; report: PartitionReport } {
  const L = target.limits;
  const mem = new Memory(target);
  const incoming = new Map<string, QGroup[]>(q.blocks.map((b) => [b.id, []]));
  for (const g of q.groups) incoming.get(g.post)!.push(g);

  for (const b of q.blocks) {
    // One compartment's fan-in can never be split: it needs an input axon per pre that reaches it.
    const fanIn = new Int32Array(b.n);
    for (const g of incoming.get(b.id)!) for (let j = 0; j < g.nPre; j++) for (let i = 0; i < b.n; i++) if (g.wgt[j * g.nPost + i] !== 0) fanIn[i]++;
    let worst = 0;
    for (const f of fanIn) worst = Math.max(worst, f);
    if (worst > L.inputAxonsPerCore) {
      throw new DiagnosticError([diag("LMU4003", `${blockNoun(b)} '${b.id}': neuron ${fanIn.indexOf(worst)} receives ${worst} inputs, but a core has at most ${L.inputAxonsPerCore} input axons`, b.origin)]);
    }
  }

  const { value: lowerBoundValue, by: lowerBoundBy } = lowerBound(q, incoming, target);

  // 1. Plan. Fill variants until one reaches the lower bound; that plan is then evened out (the
  //    same number of cores with compartments, and heavy compartments, spread evenly, if that
  //    fits) so that no core is busier than it has to be. The legacy planner runs too. Fewest
  //    cores wins, then fewest stored rows (each cut of a block repeats its rows), then legacy.
  const data = blockData(q, incoming, target);
  let fill: { plan: FillPlan; variant: FillVariant } | undefined;
  for (const variant of fillVariants(data, target, lowerBoundValue)) {
    if (fill && fill.plan.cores.length <= lowerBoundValue) break;
    const plan = fillPlan(data, target, variant, mem);
    if (plan && (!fill || plan.cores.length < fill.plan.cores.length)) fill = { plan, variant };
  }
  if (fill && fill.plan.cores.length > 1) {
    for (const variant of balancedVariants(data, fill.variant, fill.plan.cores.length)) {
      const plan = fillPlan(data, target, variant, mem);
      if (plan && plan.cores.length <= fill.plan.cores.length) {
        fill = { plan, variant };
        break;
      }
    }
  }
  let best: { plan: Plan; reasons?: Map<string, string> } | undefined;
  try {
    const legacy = legacyPlan(q, incoming, target, mem);
    const rows = legacy.plan.reduce((s, core) => s + core.reduce((t, p) => t + p.inAxons, 0), 0);
    const cores = legacy.plan.length, fillCores = fill?.plan.cores.length ?? Infinity;
    if (cores < fillCores || (cores === fillCores && rows <= fill!.plan.rows)) best = legacy;
  } catch (e) {
    if (!fill) throw e;
  }
  best ??= { plan: fill!.plan.cores.map((pieces) => pieces.map(({ s, comps }) => makePart(s.d.b, comps, s.d.groups, mem))) };
  const reasons = best.reasons ?? aloneReasons(q, incoming, best.plan, target, mem);
  const plan = best.plan;
  const allParts = plan.flat();
  const targetsOfPre = countOutputAxons(allParts);
  const bins = binsOf(plan, mem);
  for (const [i, bin] of bins.entries()) {
    const problem = binProblem(bin, target);
    if (problem) throw new DiagnosticError([diag("LMU9001", `partition: core ${i} exceeds its ${problem} (a bug in lmuc)`)]);
  }
  const partsPerBlock = new Map<string, number>();
  for (const p of allParts) partsPerBlock.set(p.block.id, (partsPerBlock.get(p.block.id) ?? 0) + 1);
  const splits: PartitionReport["splits"][number][] = [];
  for (const b of q.blocks) {
    const k = partsPerBlock.get(b.id) ?? 0;
    if (k > 1) splits.push({ block: b.id, parts: k, reason: reasons.get(b.id) ?? "packing" });
  }
  const maxCores = L.coresPerChip * L.chipsPerBoard;
  if (bins.length > maxCores) {
    throw new DiagnosticError([diag("LMU4004", `the network needs ${bins.length} cores but the ${target.name} board has ${maxCores} (${L.chipsPerBoard} chips × ${L.coresPerChip} cores)`)]);
  }

  // 2. Placement: expected messages/s between bins, then positions on the mesh.
  const rateOf = new Map<string, Float64Array>(q.blocks.map((b) => [b.id, b.ratesHz]));
  const nb = bins.length;
  const traffic = new Float64Array(nb * nb);
  for (const p of allParts) {
    const rates = rateOf.get(p.block.id)!;
    for (const { part, groupIndex } of targetsOfPre.get(p.block.id) ?? []) {
      const rows = part.rows[groupIndex].rows;
      let t = 0;
      for (let k = 0; k < p.comps.length; k++) if (rows[p.comps[k]]) t += rates[p.comps[k]];
      if (p.core !== part.core) {
        traffic[p.core * nb + part.core] += t;
        traffic[part.core * nb + p.core] += t;
      }
    }
  }
  const cpt = target.mesh.coresPerTile, tx = target.mesh.tilesX;
  const meshHops = (a: number, b: number): number => {
    const ca = Math.floor(a / L.coresPerChip), cb = Math.floor(b / L.coresPerChip);
    const la = a % L.coresPerChip, lb = b % L.coresPerChip;
    const ta = Math.floor(la / cpt), tb = Math.floor(lb / cpt);
    // Chip-to-chip links are slower than any on-chip route; count a chip crossing as a mesh diameter.
    const chipPenalty = ca === cb ? 0 : tx + target.mesh.tilesY;
    return Math.abs((ta % tx) - (tb % tx)) + Math.abs(Math.floor(ta / tx) - Math.floor(tb / tx)) + chipPenalty;
  };
  const hopTable = new Float64Array(nb * nb);
  for (let a = 0; a < nb; a++) for (let b = 0; b < nb; b++) hopTable[a * nb + b] = meshHops(a, b);
  const hops = (a: number, b: number): number => hopTable[a * nb + b];
  // Greedy order: start from the busiest bin, then always the bin with most traffic to those placed.
  const position = new Int32Array(nb).fill(-1);
  const placedOrder: number[] = [];
  const toPlaced = new Float64Array(nb);
  while (placedOrder.length < nb) {
    let pick = -1, bestScore = -1;
    for (let i = 0; i < nb; i++) {
      if (position[i] >= 0) continue;
      let score = 0;
      if (placedOrder.length === 0) for (let j = 0; j < nb; j++) score += traffic[i * nb + j];
      else score = toPlaced[i];
      if (score > bestScore) {
        pick = i;
        bestScore = score;
      }
    }
    position[pick] = placedOrder.length;
    placedOrder.push(pick);
    for (let i = 0; i < nb; i++) toPlaced[i] += traffic[i * nb + pick];
  }
  const cost = (): number => {
    let c = 0;
    for (let i = 0; i < nb; i++) for (let j = i + 1; j < nb; j++) if (traffic[i * nb + j] > 0) c += traffic[i * nb + j] * hops(position[i], position[j]);
    return c;
  };
  const trafficCostInitial = cost();
  // Pairwise swaps, each priced by the change in the two swapped bins' terms only.
  const neighbours: number[][] = Array.from({ length: nb }, (_, i) => {
    const list: number[] = [];
    for (let j = 0; j < nb; j++) if (j !== i && traffic[i * nb + j] > 0) list.push(j);
    return list;
  });
  let current = trafficCostInitial;
  for (let pass = 0; pass < 4 && nb <= 512; pass++) {
    let improved = false;
    for (let i = 0; i < nb; i++) {
      for (let j = i + 1; j < nb; j++) {
        const pi = position[i], pj = position[j];
        let delta = 0;
        for (const k of neighbours[i]) if (k !== j) delta += traffic[i * nb + k] * (hops(pj, position[k]) - hops(pi, position[k]));
        for (const k of neighbours[j]) if (k !== i) delta += traffic[j * nb + k] * (hops(pi, position[k]) - hops(pj, position[k]));
        if (delta < -1e-9) {
          position[i] = pj;
          position[j] = pi;
          current += delta;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  current = cost();

  // 3. Assemble the per-core configuration.
  const coreOfBin = (bin: number): number => position[bin];
  const axonCount = new Int32Array(nb);
  const coreRows: SynapseRow[][] = bins.map(() => []);
  const coreAxons: InputAxon[][] = bins.map(() => []);
  const coreFormats: SynapseFormat[][] = bins.map(() => []);
  const formatIndex = (bin: number, f: SynapseFormat): number => {
    const list = coreFormats[bin];
    const k = list.findIndex((x) => x.weightExp === f.weightExp && x.compression === f.compression && x.idxBits === f.idxBits && x.weightBits === f.weightBits && x.isMixed === f.isMixed);
    if (k >= 0) return k;
    list.push(f);
    return list.length - 1;
  };
  /** For each (pre block, pre compartment) and each (input, channel): the (core, axon) pairs it drives. */
  const outOfBlock = new Map<string, OutputAxon[][]>(q.blocks.map((b) => [b.id, Array.from({ length: b.n }, () => [])]));
  const outOfInput = new Map<string, { core: number; axon: number }[][]>(q.inputs.map((i) => [i.id, Array.from({ length: i.channels }, () => [])]));
  // Deterministic axon numbering: bins in position order, parts in local order, groups, pres.
  const binsByPosition = [...bins.keys()].sort((a, b) => position[a] - position[b]);
  const baseLimit = mem.baseMax;
  for (const bin of binsByPosition) {
    for (const p of bins[bin].parts) {
      const size = p.comps.length;
      for (const { group, rows } of p.rows) {
        rows.forEach((r, j) => {
          if (!r) return;
          const dense = r.dense && p.localStart <= baseLimit;
          const base = dense ? p.localStart : Math.min(p.localStart, baseLimit);
          const shift = p.localStart - base;
          const fmt = dense ? denseFormat(r.weightExp) : sparseFormat(r.weightExp, shift + size, target);
          const rowIndex = coreRows[bin].length;
          coreRows[bin].push({ offsets: shift === 0 ? r.offsets : r.offsets.map((o) => o + shift), weights: r.weights });
          const axon = axonCount[bin]++;
          coreAxons[bin].push({ format: formatIndex(bin, fmt), row: rowIndex, base });
          if (group.pre.kind === "block") outOfBlock.get(group.pre.block)![j].push({ compartment: -1, core: coreOfBin(bin), axon });
          else outOfInput.get(group.pre.input)![j].push({ core: coreOfBin(bin), axon });
        });
      }
    }
  }
  const cores: CoreConfig[] = binsByPosition.map((bin) => {
    const b = bins[bin];
    const n = b.compartments;
    const cxProfiles: CompartmentProfile[] = [];
    const vthProfiles: number[] = [];
    const cxProfile = new Uint8Array(n), cxVthProfile = new Uint8Array(n), biasMant = new Int32Array(n), biasExp = new Uint8Array(n);
    const blocks: CoreBlock[] = [];
    const outputAxons: OutputAxon[] = [];
    for (const p of b.parts) {
      const blk = p.block;
      let ci = cxProfiles.findIndex((c) => c.decayU === blk.decayU && c.decayV === blk.decayV && c.refractDelay === blk.refractDelay);
      if (ci < 0) ci = cxProfiles.push({ decayU: blk.decayU, decayV: blk.decayV, refractDelay: blk.refractDelay }) - 1;
      for (let i = 0; i < p.comps.length; i++) {
        const c = p.localStart + i;
        const neuron = p.comps[i];
        const mant = blk.vthMant[neuron];
        let vi = vthProfiles.indexOf(mant);
        if (vi < 0) vi = vthProfiles.push(mant) - 1;
        cxProfile[c] = ci;
        cxVthProfile[c] = vi;
        biasMant[c] = blk.biasMant[neuron];
        biasExp[c] = blk.biasExp[neuron];
        for (const o of outOfBlock.get(blk.id)![neuron]) outputAxons.push({ compartment: c, core: o.core, axon: o.axon });
      }
      // One block per run of consecutive neurons ("id" when it is the whole ensemble, else "id[s:e]").
      for (let i = 0; i < p.comps.length; ) {
        let e = i + 1;
        while (e < p.comps.length && p.comps[e] === p.comps[e - 1] + 1) e++;
        const s0 = p.comps[i], count = e - i;
        blocks.push({ label: count === blk.n ? blk.id : `${blk.id}[${s0}:${s0 + count}]`, start: p.localStart + i, count, source: `${blockNoun(blk)} ${blk.id}`, ...(blk.origin ? { origin: blk.origin } : {}) });
        i = e;
      }
    }
    const index = position[bin];
    return {
      index, chip: Math.floor(index / L.coresPerChip), blocks, nCompartments: n, vmin: b.vmin, vmax: b.vmax, cxProfiles, vthProfiles,
      cxProfile, cxVthProfile, biasMant, biasExp, synapseFormats: coreFormats[bin], inputAxons: coreAxons[bin], synapseRows: coreRows[bin], outputAxons,
    };
  });
  const inputs: HostInput[] = q.inputs.map((i) => ({
    id: i.id,
    channels: i.channels,
    targets: outOfInput.get(i.id)!.flatMap((list, channel) => list.map((t) => ({ channel, core: t.core, axon: t.axon }))),
  }));
  const chip: ChipConfig = { format: "lmuc-chip/1", target: target.name, dtSeconds: q.dtSeconds, cores, inputs };

  // 4. Report: usage per core and the lower bound.
  const usage: CoreUsage[] = binsByPosition.map((bin) => ({ core: position[bin], chip: Math.floor(position[bin] / L.coresPerChip), compartments: bins[bin].compartments, inputAxons: bins[bin].inAxons, outputAxons: bins[bin].outAxons, synapseBits: bins[bin].bits, blocks: bins[bin].parts.map((p) => p.block.id) }));
  const totals = usage.reduce((t, u) => ({ compartments: t.compartments + u.compartments, inputAxons: t.inputAxons + u.inputAxons, outputAxons: t.outputAxons + u.outputAxons, synapseBits: t.synapseBits + u.synapseBits }), { compartments: 0, inputAxons: 0, outputAxons: 0, synapseBits: 0 });
  const report: PartitionReport = { cores: cores.length, chips: Math.max(1, ...cores.map((c) => c.chip + 1)), lowerBound: lowerBoundValue, lowerBoundBy, usage, totals, trafficCostInitial, trafficCost: current, splits };
  return { chip, report };
}

/** Why a block has several parts: the first limit the whole block breaks on a core of its own, else "packing". */
function aloneReasons(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, plan: Plan, target: Target, mem: Memory): Map<string, string> {
  const L = target.limits;
  const count = new Map<string, number>();
  for (const p of plan.flat()) count.set(p.block.id, (count.get(p.block.id) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const b of q.blocks) {
    if ((count.get(b.id) ?? 0) < 2) continue;
    const whole = partNeeds(incoming.get(b.id)!, iotaFrom(0, b.n), mem);
    const reason = b.n > L.compartmentsPerCore ? "compartments" : whole.inAxons > L.inputAxonsPerCore ? "input axons" : whole.bits > L.synapseBitsPerCore ? "synapse memory"
      : new Set(b.vthMant).size > L.vthProfilesPerCore ? "threshold profiles" : whole.formats > L.synapseFormatsPerCore ? "synapse formats" : "packing";
    out.set(b.id, reason);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fill planner.

/**
 * The order heavy pieces are taken in: block order, or densest columns (compartments with the most
 * synapses) first, which puts compartments whose rows are mostly zeros into the same parts, where
 * those rows are stored sparse and cheap.
 */
type HeavyOrder = "index" | "density";

interface FillVariant {
  readonly order: HeavyOrder;
  /** Heavy compartments a core takes at most while light blocks remain. */
  readonly heavyPerCore: number;
  /** Largest heavy piece. */
  readonly pieceCap: number;
  /** Compartments a core takes at most. */
  readonly coreCap: number;
}

/** What the fill planner needs to know of a block, computed once for all variants. */
interface BlockData {
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
 * prefix counts of its non-zero weights along that order: row r has counts[r·(n+1) + e] −
 * counts[r·(n+1) + s] synapses in the piece order[s..e).
 */
interface OrderData {
  readonly order: Int32Array;
  readonly rowExp: Int8Array;
  readonly counts: Int32Array;
  /** Row r's synapse positions along the order, ascending: positions[rowStart[r] .. rowStart[r + 1]). */
  readonly positions: Int32Array;
  readonly rowStart: Int32Array;
}

function heavyOrder(d: BlockData, kind: HeavyOrder): OrderData {
  const known = d.orders.get(kind);
  if (known) return known;
  const n = d.b.n, n1 = n + 1;
  const rows: { g: QGroup; j: number }[] = [];
  const colNnz = new Int32Array(n);
  for (const g of d.groups) {
    for (let j = 0; j < g.nPre; j++) {
      let any = false;
      for (let i = 0, base = j * g.nPost; i < n; i++) {
        if (g.wgt[base + i] !== 0) {
          colNnz[i]++;
          any = true;
        }
      }
      if (any) rows.push({ g, j });
    }
  }
  const order = iotaFrom(0, n);
  if (kind === "density") order.sort((a, b) => colNnz[b] - colNnz[a] || a - b);
  const rowExp = new Int8Array(rows.length), counts = new Int32Array(rows.length * n1), rowStart = new Int32Array(rows.length + 1);
  let nnz = 0;
  for (const c of colNnz) nnz += c;
  const positions = new Int32Array(nnz);
  let k = 0;
  rows.forEach(({ g, j }, r) => {
    rowExp[r] = g.rowExp[j];
    rowStart[r] = k;
    const at = r * n1, base = j * g.nPost;
    for (let t = 0; t < n; t++) {
      const nz = g.wgt[base + order[t]] !== 0;
      counts[at + t + 1] = counts[at + t] + (nz ? 1 : 0);
      if (nz) positions[k++] = t;
    }
  });
  rowStart[rows.length] = k;
  const out = { order, rowExp, counts, positions, rowStart };
  d.orders.set(kind, out);
  return out;
}

/** A block is heavy when a cut duplicates more input axons than this (1/64 of a core's). */
const heavyRows = (target: Target): number => Math.max(1, Math.floor(target.limits.inputAxonsPerCore / 64));

function blockData(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target): BlockData[] {
  const L = target.limits;
  const threshold = heavyRows(target);
  const fmin = minRowBits(Math.max(0, ...q.groups.map((g) => g.nPost)), target);
  const outGroups = new Map<string, { post: string; nz: Uint8Array }[]>(q.blocks.map((b) => [b.id, []]));
  const rowNnz = new Map<QGroup, Int32Array>();
  for (const g of q.groups) {
    const nnz = new Int32Array(g.nPre);
    for (let j = 0; j < g.nPre; j++) {
      let c = 0;
      for (let i = j * g.nPost, e = i + g.nPost; i < e; i++) if (g.wgt[i] !== 0) c++;
      nnz[j] = c;
    }
    rowNnz.set(g, nnz);
    if (g.pre.kind === "block") outGroups.get(g.pre.block)!.push({ post: g.post, nz: Uint8Array.from(nnz, (c) => (c > 0 ? 1 : 0)) });
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

function fillVariants(data: readonly BlockData[], target: Target, lowerBoundValue: number): FillVariant[] {
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
function balancedVariants(data: readonly BlockData[], v: FillVariant, cores: number): FillVariant[] {
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

interface BlockState {
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

interface Piece {
  readonly s: BlockState;
  readonly comps: Int32Array;
  /** Stored rows (input axons). */
  readonly rows: number;
}

/** A fill plan before its rows are built: each core's pieces in local order. */
interface FillPlan {
  readonly cores: readonly (readonly Piece[])[];
  readonly rows: number;
}

/** A piece with what it costs wherever it sits on a core. */
interface PieceCost extends Piece {
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

interface CoreState {
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

/**
 * For each pre compartment of each block, how many of the pieces' rows it feeds (its output
 * axons, as countOutputAxons would count them once the pieces are parts).
 */
function pieceOutputAxons(cores: readonly (readonly Piece[])[], data: readonly BlockData[]): Map<string, Int32Array> {
  const perPre = new Map<string, Int32Array>(data.map((d) => [d.b.id, new Int32Array(d.b.n)]));
  for (const pieces of cores) {
    for (const { s, comps } of pieces) {
      const d = s.d;
      const range = isRange(comps);
      for (const gi of d.blockGroups) {
        const g = d.groups[gi];
        const cnt = perPre.get((g.pre as { block: string }).block)!;
        for (let j = 0; j < g.nPre; j++) {
          const base = j * g.nPost;
          let any = false;
          if (range) {
            for (let i = base + comps[0], e = i + comps.length; i < e && !any; i++) any = g.wgt[i] !== 0;
          } else for (let t = 0; t < comps.length && !any; t++) any = g.wgt[base + comps[t]] !== 0;
          if (any) cnt[j]++;
        }
      }
    }
  }
  return perPre;
}

/**
 * Runs one fill variant, rerunning it while the output axons it expected (from the part counts of
 * the previous run) fall short of what its pieces need. Undefined when it cannot place everything.
 */
function fillPlan(data: readonly BlockData[], target: Target, variant: FillVariant, mem: Memory): FillPlan | undefined {
  const L = target.limits;
  const states: BlockState[] = data.map((d) => ({ d, estOut: new Float64Array(d.b.n), taken: new Uint8Array(d.b.n), left: d.b.n, cursor: 0, vthLeft: new Map() }));
  const expected = new Map<string, number>(data.map((d) => [d.b.id, d.minParts]));
  for (let attempt = 0; attempt < 6; attempt++) {
    for (const s of states) {
      s.estOut.fill(0);
      for (const { post, nz } of s.d.outGroups) {
        const e = expected.get(post)!;
        for (let j = 0; j < nz.length; j++) if (nz[j]) s.estOut[j] += e;
      }
    }
    const cores = fillOnce(states, target, mem, variant);
    if (!cores) return undefined;
    const outs = pieceOutputAxons(cores, data);
    const over = cores.some((pieces) => {
      let out = 0;
      for (const { s, comps } of pieces) {
        const cnt = outs.get(s.d.b.id)!;
        for (let t = 0; t < comps.length; t++) out += cnt[comps[t]];
      }
      return out > L.outputAxonsPerCore;
    });
    if (!over) return { cores, rows: cores.reduce((a, pieces) => a + pieces.reduce((b, p) => b + p.rows, 0), 0) };
    let changed = false;
    const count = new Map<string, number>();
    for (const pieces of cores) for (const { s } of pieces) count.set(s.d.b.id, (count.get(s.d.b.id) ?? 0) + 1);
    for (const [id, k] of count) {
      if (k > expected.get(id)!) {
        expected.set(id, k);
        changed = true;
      }
    }
    if (!changed) return undefined;
  }
  return undefined;
}

/** One pass of the fill: the pieces of each core, in local order; undefined if some compartment cannot be placed. */
function fillOnce(states: BlockState[], target: Target, mem: Memory, variant: FillVariant): Piece[][] | undefined {
  const L = target.limits;
  const CX = Math.min(L.compartmentsPerCore, variant.coreCap);
  for (const s of states) {
    s.taken.fill(0);
    s.left = s.d.b.n;
    s.cursor = 0;
    s.vthLeft = new Map();
    for (const v of s.d.b.vthMant) s.vthLeft.set(v, (s.vthLeft.get(v) ?? 0) + 1);
  }
  const heavy = states.filter((s) => s.d.heavy);
  const light = states.filter((s) => !s.d.heavy);
  const orderOf = new Map(heavy.map((s) => [s, heavyOrder(s.d, variant.order)]));
  const maxRows = Math.max(0, ...states.map((s) => s.d.groups.reduce((a, g) => a + g.nPre, 0)));
  // Scratch: the stored rows of a candidate piece.
  const scLen = new Int32Array(maxRows), scCount = new Int32Array(maxRows), scExp = new Int8Array(maxRows);

  /**
   * Fills the scratch rows of piece `comps` of s; returns how many rows it stores. A heavy piece
   * (`at`: its first position in the block's order) is counted from the prefix counts.
   */
  const pieceRows = (s: BlockState, comps: Int32Array, at?: number): number => {
    const size = comps.length;
    let k = 0;
    const od = orderOf.get(s);
    if (od && at !== undefined) {
      const n1 = s.d.b.n + 1, rows = od.rowExp.length, counts = od.counts, positions = od.positions, rowStart = od.rowStart;
      for (let r = 0; r < rows; r++) {
        const upTo = counts[r * n1 + at + size];
        const c = upTo - counts[r * n1 + at];
        if (c === 0) continue;
        scLen[k] = positions[rowStart[r] + upTo - 1] - at + 1;
        scCount[k] = c;
        scExp[k++] = od.rowExp[r];
      }
      return k;
    }
    const range = isRange(comps);
    for (const g of s.d.groups) {
      const w = g.wgt, nPost = g.nPost;
      for (let j = 0; j < g.nPre; j++) {
        const base = j * nPost;
        rowExtent(w, base, comps, range, extent);
        const c = extent[0], last = extent[1];
        if (c === 0) continue;
        scLen[k] = last + 1;
        scCount[k] = c;
        scExp[k++] = g.rowExp[j];
      }
    }
    return k;
  };
  const pieceCost = (s: BlockState, comps: Int32Array, at?: number): PieceCost => {
    const k = pieceRows(s, comps, at);
    const size = comps.length;
    const idx = mem.idxBits(size);
    const rowLen = scLen.slice(0, k), rowCount = scCount.slice(0, k), rowExp = scExp.slice(0, k), rowDense = new Uint8Array(k);
    let bits = 0;
    const formats = new Set<number>();
    for (let r = 0; r < k; r++) {
      const dense = denseIsSmaller(rowLen[r], rowCount[r], idx);
      rowDense[r] = dense ? 1 : 0;
      bits += mem.rowBits(dense ? rowLen[r] : rowCount[r], dense, idx);
      formats.add(dense ? mem.formatKey(rowExp[r], true, 0) : mem.formatKey(rowExp[r], false, idx));
    }
    let out = 0;
    for (let t = 0; t < size; t++) out += s.estOut[comps[t]];
    return { s, comps, rows: k, out, early: { bits, formats }, late: new Map(), rowLen, rowCount, rowExp, rowDense };
  };
  /** Bits and formats of p when it starts at local compartment ls. */
  const costAt = (p: PieceCost, ls: number): { readonly bits: number; readonly formats: Set<number> } => {
    if (ls <= mem.baseMax) return p.early;
    const idx = mem.idxBits(ls - mem.baseMax + p.comps.length);
    let c = p.late.get(idx);
    if (!c) {
      let bits = 0;
      const formats = new Set<number>();
      for (let r = 0; r < p.rowLen.length; r++) {
        bits += mem.rowBits(p.rowDense[r] ? p.rowLen[r] : p.rowCount[r], false, idx);
        formats.add(mem.formatKey(p.rowExp[r], false, idx));
      }
      p.late.set(idx, (c = { bits, formats }));
    }
    return c;
  };
  /**
   * The local order of `pieces` with the fewest synapse bits among those tried (as given; by size,
   * so more pieces start within reach of their own base; every order of up to 5 pieces) that
   * keeps to the core's synapse formats; undefined when none does or bits run out.
   */
  const arrange = (pieces: PieceCost[]): PieceCost[] | undefined => {
    const evaluate = (order: readonly PieceCost[]): { bits: number; ok: boolean } => {
      let ls = 0, bits = 0;
      const formats = new Set<number>();
      for (const p of order) {
        const c = costAt(p, ls);
        bits += c.bits;
        for (const f of c.formats) formats.add(f);
        ls += p.comps.length;
      }
      return { bits, ok: bits <= L.synapseBitsPerCore && formats.size <= L.synapseFormatsPerCore };
    };
    // All pieces but the last within reach of the base as given: every row as cheap as it gets.
    let reach = 0;
    for (let i = 0; i < pieces.length - 1; i++) reach += pieces[i].comps.length;
    if (reach <= mem.baseMax) return evaluate(pieces).ok ? pieces : undefined;
    const orders: PieceCost[][] = [pieces, [...pieces].sort((a, b) => a.comps.length - b.comps.length)];
    if (pieces.length <= 5) {
      const permute = (done: PieceCost[], rest: PieceCost[]): void => {
        if (rest.length === 0) orders.push(done);
        else rest.forEach((p, i) => permute([...done, p], [...rest.slice(0, i), ...rest.slice(i + 1)]));
      };
      permute([], pieces);
    }
    let best: PieceCost[] | undefined, bestBits = Infinity;
    for (const order of orders) {
      const { bits, ok } = evaluate(order);
      if (ok && bits < bestBits) [best, bestBits] = [order, bits];
    }
    return best;
  };
  const compatible = (core: CoreState, s: BlockState): boolean =>
    (core.pieces.length === 0 || (core.vmin === s.d.b.vmin && core.vmax === s.d.b.vmax)) && (core.cx.has(s.d.cxKey) || core.cx.size < L.cxProfilesPerCore);

  /** The core's local order with piece `comps` of s added, or undefined if it does not fit (every limit, output axons as expected). */
  const fits = (core: CoreState, s: BlockState, comps: Int32Array, at?: number): { piece: PieceCost; arranged: PieceCost[] } | undefined => {
    const m = comps.length;
    if (core.n + m > CX || !compatible(core, s)) return undefined;
    const vth = s.d.b.vthMant;
    const seen = new Set<number>();
    for (let t = 0; t < m; t++) {
      const v = vth[comps[t]];
      if (!core.vth.has(v) && !seen.has(v)) {
        seen.add(v);
        if (core.vth.size + seen.size > L.vthProfilesPerCore) return undefined;
      }
    }
    let out = 0;
    for (let t = 0; t < m; t++) out += s.estOut[comps[t]];
    if (core.outAxons + out > L.outputAxonsPerCore) return undefined;
    const piece = pieceCost(s, comps, at);
    if (core.inAxons + piece.rows > L.inputAxonsPerCore) return undefined;
    const arranged = arrange([...core.arranged, piece]);
    return arranged ? { piece, arranged } : undefined;
  };
  /** The longest prefix of `list`, at most cap long, that fits the core (binary search: the limits grow with the piece). */
  const maxFit = (core: CoreState, s: BlockState, list: Int32Array, cap: number, at?: number): number => {
    if (cap <= 0) return 0;
    if (fits(core, s, list.subarray(0, cap), at)) return cap;
    if (!fits(core, s, list.subarray(0, 1), at)) return 0;
    let lo = 1, hi = cap;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fits(core, s, list.subarray(0, mid), at)) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const add = (core: CoreState, s: BlockState, comps: Int32Array, at?: number): void => {
    const { piece, arranged } = fits(core, s, comps.slice(), at)!;
    if (core.pieces.length === 0) [core.vmin, core.vmax] = [s.d.b.vmin, s.d.b.vmax];
    core.pieces.push(piece);
    core.arranged = arranged;
    core.cx.add(s.d.cxKey);
    core.inAxons += piece.rows;
    core.outAxons += piece.out;
    core.n += comps.length;
    for (let t = 0; t < comps.length; t++) {
      const c = comps[t], v = s.d.b.vthMant[c];
      core.vth.add(v);
      s.taken[c] = 1;
      const left = s.vthLeft.get(v)! - 1;
      if (left === 0) s.vthLeft.delete(v);
      else s.vthLeft.set(v, left);
    }
    s.left -= comps.length;
    if (at !== undefined) s.cursor = at + comps.length;
    else while (s.cursor < s.d.b.n && s.taken[s.cursor]) s.cursor++;
  };

  /** The light block to pour next and which of its threshold values the core can take (undefined: all). */
  const chooseLight = (core: CoreState, skip: Set<BlockState>): { s: BlockState; allowed?: Set<number> } | undefined => {
    // Fewest new threshold profiles among the blocks whose rest fits the core's profiles; then a
    // block already cut (to keep the parts few), then network order.
    let pick: BlockState | undefined, pickFresh = Infinity, pickStarted = false;
    for (const s of light) {
      if (s.left === 0 || skip.has(s) || !compatible(core, s)) continue;
      let fresh = 0;
      for (const v of s.vthLeft.keys()) if (!core.vth.has(v)) fresh++;
      if (core.vth.size + fresh > L.vthProfilesPerCore) continue;
      const started = s.left < s.d.b.n;
      if (fresh < pickFresh || (fresh === pickFresh && started && !pickStarted)) [pick, pickFresh, pickStarted] = [s, fresh, started];
    }
    if (pick) return { s: pick };
    // No block's rest fits: the block with most compartments whose thresholds the core has or can
    // still take (the free profiles going to that block's most common new values).
    const free = L.vthProfilesPerCore - core.vth.size;
    let bestCount = 0, bestAllowed: Set<number> | undefined;
    for (const s of light) {
      if (s.left === 0 || skip.has(s) || !compatible(core, s)) continue;
      const fresh = [...s.vthLeft].filter(([v]) => !core.vth.has(v)).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const allowed = new Set(core.vth);
      for (const [v] of fresh.slice(0, Math.max(0, free))) allowed.add(v);
      let count = 0;
      for (const [v, c] of s.vthLeft) if (allowed.has(v)) count += c;
      if (count > bestCount) [pick, bestCount, bestAllowed] = [s, count, allowed];
    }
    return pick ? { s: pick, allowed: bestAllowed } : undefined;
  };

  const cores: Piece[][] = [];
  let remaining = states.reduce((a, s) => a + s.d.b.n, 0);
  while (remaining > 0) {
    const core: CoreState = { pieces: [], arranged: [], n: 0, inAxons: 0, outAxons: 0, cx: new Set(), vth: new Set(), vmin: 0, vmax: 0 };
    // Heavy pieces first (the local order is settled by arrange); each taken from the block's order
    // at its first unplaced compartment.
    const heavyCap = light.some((s) => s.left > 0) ? variant.heavyPerCore : Infinity;
    let heavyHere = 0;
    for (const s of heavy) {
      while (s.left > 0 && heavyHere < heavyCap && core.n < CX) {
        const cap = Math.min(s.left, variant.pieceCap, heavyCap - heavyHere, CX - core.n);
        const order = orderOf.get(s)!.order;
        const m = maxFit(core, s, order.subarray(s.cursor, s.cursor + cap), cap, s.cursor);
        if (m === 0) break;
        add(core, s, order.subarray(s.cursor, s.cursor + m), s.cursor);
        heavyHere += m;
      }
      if (heavyHere >= heavyCap || core.n >= CX) break;
    }
    // Then light blocks poured into what is left.
    const skip = new Set<BlockState>();
    while (core.n < CX) {
      const choice = chooseLight(core, skip);
      if (!choice) break;
      const { s, allowed } = choice;
      const room = CX - core.n;
      const list = new Int32Array(Math.min(room, s.left));
      let len = 0;
      for (let c = s.cursor; c < s.d.b.n && len < list.length; c++) if (!s.taken[c] && (!allowed || allowed.has(s.d.b.vthMant[c]))) list[len++] = c;
      const m = maxFit(core, s, list, len);
      if (m === 0) skip.add(s);
      else add(core, s, list.subarray(0, m));
    }
    if (core.n === 0) return undefined;
    remaining -= core.n;
    cores.push(core.arranged.map(({ s, comps, rows }) => ({ s, comps, rows })));
  }
  return cores;
}

// ---------------------------------------------------------------------------------------------
// The legacy planner: the fewest equal contiguous parts that fit a core alone, first fit largest first.

function legacyPlan(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target, mem: Memory): { plan: Plan; reasons: Map<string, string> } {
  const L = target.limits;
  const makeParts = (b: QBlock, k: number, groups: QGroup[]): Part[] => {
    const size = Math.ceil(b.n / k);
    const parts: Part[] = [];
    for (let s = 0; s < b.n; s += size) parts.push(makePart(b, iotaFrom(s, Math.min(size, b.n - s)), groups, mem));
    return parts;
  };
  const partsOf = new Map<string, Part[]>();
  const kOf = new Map<string, number>();
  const reasonOf = new Map<string, string>();
  const splitBlock = (b: QBlock, kMin: number): void => {
    const groups = incoming.get(b.id)!;
    let k = Math.max(kMin, Math.ceil(b.n / L.compartmentsPerCore));
    // The first per-core limit some of the k parts exceeds on a core of its own, or undefined when
    // all fit. Threshold profiles and synapse formats count too: packing can only add to them.
    const overLimit = (): { reason: string; comps: Int32Array; formats: number } | undefined => {
      const size = Math.ceil(b.n / k);
      for (let s = 0; s < b.n; s += size) {
        const comps = iotaFrom(s, Math.min(size, b.n - s));
        const needs = partNeeds(groups, comps, mem);
        const reason = comps.length > L.compartmentsPerCore ? "compartments" : needs.inAxons > L.inputAxonsPerCore ? "input axons" : needs.bits > L.synapseBitsPerCore ? "synapse memory"
          : distinctIn(b.vthMant, comps).size > L.vthProfilesPerCore ? "threshold profiles" : needs.formats > L.synapseFormatsPerCore ? "synapse formats" : undefined;
        if (reason) return { reason, comps, formats: needs.formats };
      }
      return undefined;
    };
    let problem = overLimit();
    const first = problem?.reason;
    for (; problem !== undefined; problem = overLimit()) {
      if (k >= b.n) {
        const limit = problem.reason === "synapse formats" ? `${L.synapseFormatsPerCore} synapse formats (neuron ${problem.comps[0]}'s inputs need ${problem.formats})` : `synapse memory (${L.synapseBitsPerCore} bits)`;
        const hint = b.integrator ? "the decode neurons of this connection need more than one core offers; --decode-neurons never lowers it to neuron-to-neuron weights instead" : undefined;
        throw new DiagnosticError([diag("LMU4003", `${blockNoun(b)} '${b.id}': even one compartment per core exceeds the core's ${limit}`, b.origin, hint ? { hint } : {})]);
      }
      k = Math.min(b.n, k + Math.max(1, Math.floor(k / 4)));
    }
    if (!reasonOf.has(b.id) && k > 1) reasonOf.set(b.id, first ?? "compartments");
    kOf.set(b.id, k);
    partsOf.set(b.id, makeParts(b, k, groups));
  };
  for (const b of q.blocks) splitBlock(b, 1);

  // Output axons: a part over the limit is split further (fewer compartments per part) until all fit.
  let allParts: Part[] = [];
  for (let round = 0; ; round++) {
    allParts = [...partsOf.values()].flat();
    countOutputAxons(allParts);
    const over = new Map<string, number>();
    for (const p of allParts) if (p.outAxons > L.outputAxonsPerCore) over.set(p.block.id, Math.max(over.get(p.block.id) ?? 0, p.outAxons / L.outputAxonsPerCore));
    if (over.size === 0) break;
    for (const [id, factor] of over) {
      const b = q.blocks.find((x) => x.id === id)!;
      const k = kOf.get(id)!;
      if (k >= b.n || round > 40) {
        throw new DiagnosticError([diag("LMU4003", `${blockNoun(b)} '${id}': a single neuron drives more targets than a core's ${L.outputAxonsPerCore} output axons`, b.origin, { hint: "reduce the ensemble's fan-out" })]);
      }
      reasonOf.set(id, "output axons");
      splitBlock(b, Math.min(b.n, Math.max(k + 1, Math.ceil(k * factor))));
    }
  }

  // Pack: largest first, into the core (among those where everything fits) whose threshold
  // profiles grow least.
  interface LBin { parts: Part[]; compartments: number; inAxons: number; outAxons: number; bits: number; cx: Set<string>; vth: Set<number>; formats: Set<number>; vmin: number; vmax: number }
  const bins: LBin[] = [];
  const order = [...allParts].sort((a, b) => b.comps.length - a.comps.length || b.inAxons - a.inAxons || (a.block.id < b.block.id ? -1 : a.block.id > b.block.id ? 1 : a.comps[0] - b.comps[0]));
  for (const p of order) {
    const cxKey = cxKeyOf(p.block);
    const pv = distinctIn(p.block.vthMant, p.comps);
    let pick: { bin: LBin; bits: number; cx: Set<string>; vth: Set<number>; formats: Set<number>; grow: number } | undefined;
    for (const bin of bins) {
      if (bin.vmin !== p.block.vmin || bin.vmax !== p.block.vmax) continue;
      if (bin.compartments + p.comps.length > L.compartmentsPerCore || bin.inAxons + p.inAxons > L.inputAxonsPerCore || bin.outAxons + p.outAxons > L.outputAxonsPerCore) continue;
      const bits = partBits(p, bin.compartments, mem);
      if (bin.bits + bits > L.synapseBitsPerCore) continue;
      const cx = new Set([...bin.cx, cxKey]), vth = new Set([...bin.vth, ...pv]);
      const formats = new Set([...bin.formats, ...partFormats(p, bin.compartments, mem)]);
      if (cx.size <= L.cxProfilesPerCore && vth.size <= L.vthProfilesPerCore && formats.size <= L.synapseFormatsPerCore) {
        const grow = vth.size - bin.vth.size;
        if (!pick || grow < pick.grow) pick = { bin, bits, cx, vth, formats, grow };
        if (grow === 0) break;
      }
    }
    if (pick) {
      const { bin, bits, cx, vth, formats } = pick;
      Object.assign(bin, { compartments: bin.compartments + p.comps.length, inAxons: bin.inAxons + p.inAxons, outAxons: bin.outAxons + p.outAxons, bits: bin.bits + bits, cx, vth, formats });
      bin.parts.push(p);
    } else {
      bins.push({ parts: [p], compartments: p.comps.length, inAxons: p.inAxons, outAxons: p.outAxons, bits: partBits(p, 0, mem), cx: new Set([cxKey]), vth: pv, formats: partFormats(p, 0, mem), vmin: p.block.vmin, vmax: p.block.vmax });
    }
  }
  const reasons = new Map<string, string>();
  for (const [id, k] of kOf) if (k > 1) reasons.set(id, reasonOf.get(id) ?? "synapse memory");
  return { plan: bins.map((b) => b.parts), reasons };
}
