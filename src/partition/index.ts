/**
 * partition: QuantizedNetwork → ChipConfig. Distributes every block's compartments over cores so
 * that no core exceeds any limit (compartments, input and output axons, synapse memory,
 * compartment and threshold profiles, synapse formats, one vmin/vmax per core) on as few cores as
 * it can, then places the cores on chips and the mesh so that expected spike traffic × hops is
 * small. It also says where every block's neurons went (placements), for the host program.
 *
 * A part is any set of a block's compartments placed side by side on one core (a block of the
 * configuration per run of consecutive neurons); it gets its own synapse rows, one per pre with a
 * synapse into it, dense up to the row's last synapse or sparse, whichever is smaller. Two
 * planners produce parts and cores; fewest cores wins, then fewest stored rows, then legacy.
 *
 *   memory.ts, rows.ts   resource accounting: parts, rows and what they cost (target/cost.ts)
 *   bound.ts             the lower bound on cores (report)
 *   fill*.ts             the fill planner (variants in a fixed order, until one reaches the bound)
 *   legacy.ts            the legacy planner (equal parts, first fit, largest first)
 *   bins.ts              per-core totals, limit checks, why blocks were cut
 *   place.ts             placement on the mesh by traffic
 *   assemble.ts          the per-core configuration and the placements
 *   report.ts            the report
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { ChipConfig } from "../ir/core.js";
import type { BlockPlacement } from "../ir/host.js";
import type { QGroup, QuantizedNetwork } from "../ir/quantized.js";
import type { Target } from "../target/types.js";
import { assemble } from "./assemble.js";
import { aloneReasons, binProblem, binsOf, countOutputAxons, type Plan } from "./bins.js";
import { lowerBound } from "./bound.js";
import { fillPlan } from "./fill.js";
import { balancedVariants, blockData, fillVariants, type FillPlan, type FillVariant } from "./fill-data.js";
import { legacyPlan } from "./legacy.js";
import { blockNoun, Memory } from "./memory.js";
import { binTraffic, placeOnMesh } from "./place.js";
import { partitionReport, splitsOf, type PartitionReport } from "./report.js";
import { mergeBlocks, unmerge } from "./merge.js";
import { makePart } from "./rows.js";
import { rowSpans, shareIdenticalRows } from "./shared-rows.js";

export type { CoreUsage, PartitionReport } from "./report.js";

export interface PartitionResult {
  readonly chip: ChipConfig;
  readonly report: PartitionReport;
  /** Every block's neurons: which core and compartments they occupy. */
  readonly placements: readonly BlockPlacement[];
}

/** One compartment's fan-in can never be split: it needs an input axon per pre that reaches it (LMU4003). */
function checkFanIn(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target): void {
  const L = target.limits;
  for (const b of q.blocks) {
    const fanIn = new Int32Array(b.n);
    for (const g of incoming.get(b.id)!) {
      const { first, last } = rowSpans(g);
      for (let j = 0; j < g.nPre; j++) for (let i = first[j], base = g.rowBase[j]; i <= last[j]; i++) if (g.wgt[base + i] !== 0) fanIn[i]++;
    }
    let worst = 0;
    for (const f of fanIn) worst = Math.max(worst, f);
    if (worst > L.inputAxonsPerCore) {
      throw new DiagnosticError([diag("LMU4003", `${blockNoun(b)} '${b.id}': neuron ${fanIn.indexOf(worst)} receives ${worst} inputs, but a core has at most ${L.inputAxonsPerCore} input axons`, b.origin)]);
    }
  }
}

/**
 * Fill variants until one reaches the lower bound, each given up once it needs more than
 * `maxCores` cores (a plan at least that good exists); the best is then evened out (the same
 * number of cores with compartments, and heavy compartments, spread evenly, if that fits) so that
 * no core is busier than it has to be.
 */
function bestFill(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target, mem: Memory, bound: number, maxCores: number): FillPlan | undefined {
  const data = blockData(q, incoming, target);
  let fill: { plan: FillPlan; variant: FillVariant } | undefined;
  for (const variant of fillVariants(data, target, bound)) {
    if (fill && fill.plan.cores.length <= bound) break;
    // Only a plan with fewer cores replaces the best so far: a run is stopped once it has as many.
    const plan = fillPlan(data, target, variant, mem, fill ? fill.plan.cores.length - 1 : maxCores);
    if (plan && (!fill || plan.cores.length < fill.plan.cores.length)) fill = { plan, variant };
  }
  if (fill && fill.plan.cores.length > 1) {
    for (const variant of balancedVariants(data, fill.variant, fill.plan.cores.length)) {
      const plan = fillPlan(data, target, variant, mem, fill.plan.cores.length);
      if (plan && plan.cores.length <= fill.plan.cores.length) return plan;
    }
  }
  return fill?.plan;
}

/** Whether every block of the plan is one part (no block was cut). */
function wholeBlocks(plan: Plan): boolean {
  const seen = new Set<string>();
  for (const core of plan) for (const part of core) {
    if (seen.has(part.block.id)) return false;
    seen.add(part.block.id);
  }
  return true;
}

const storedRows = (plan: Plan): number => plan.reduce((s, core) => s + core.reduce((t, p) => t + p.inAxons, 0), 0);

/**
 * The fill plan or the legacy plan: fewest cores, then fewest stored rows (each cut of a block
 * repeats its rows), then legacy. Legacy is planned first because it is cheap: a fill variant is
 * then given up as soon as it needs more cores than legacy (psmnist-shape imported: legacy 79
 * cores in ~0.4 s, the fill variants 98 or more in ~1.6 s when run to the end).
 */
function choosePlan(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target, mem: Memory, bound: number): { plan: Plan; reasons: Map<string, string> } {
  let legacy: ReturnType<typeof legacyPlan>;
  let legacyError: unknown;
  try {
    legacy = legacyPlan(q, incoming, target, mem);
  } catch (e) {
    legacyError = e;
  }
  // Legacy on as few cores as the bound with no block cut cannot be beaten: a fill plan needs as
  // many cores, and each block's rows at least once (a cut repeats rows), so at best it ties, and
  // a tie goes to legacy. The small networks (one block a core) skip the fill variants this way.
  if (legacy && legacy.plan.length <= bound && legacy.reasons.size === 0 && wholeBlocks(legacy.plan)) return legacy;
  const fill = bestFill(q, incoming, target, mem, bound, legacy?.plan.length ?? Infinity);
  if (legacy && (!fill || legacy.plan.length < fill.cores.length || (legacy.plan.length === fill.cores.length && storedRows(legacy.plan) <= fill.rows))) return legacy;
  if (!fill) throw legacyError;
  const plan = fill.cores.map((pieces) => pieces.map(({ s, comps }) => makePart(s.d.b, comps, s.d.groups, mem)));
  return { plan, reasons: aloneReasons(q, incoming, plan, target, mem) };
}

/** Both on by default; off only to show (tests) that they change no sum the chip computes. */
export interface PartitionOptions {
  /** Posts of one decode block with the same registers are partitioned as one block (merge.ts). */
  readonly mergeDecodePosts?: boolean;
  /** Pres of a group with identical rows share one input axon and stored row (shared-rows.ts). */
  readonly shareRows?: boolean;
}

export function partition(quantized: QuantizedNetwork, target: Target, opts: PartitionOptions = {}): PartitionResult {
  const L = target.limits;
  const merged = opts.mergeDecodePosts === false ? { q: quantized, merges: [] } : mergeBlocks(quantized, opts.shareRows !== false);
  const q = opts.shareRows === false ? merged.q : { ...merged.q, groups: merged.q.groups.map((g) => shareIdenticalRows(g)) };
  const mem = new Memory(target);
  const incoming = new Map<string, QGroup[]>(q.blocks.map((b) => [b.id, []]));
  for (const g of q.groups) incoming.get(g.post)!.push(g);
  checkFanIn(q, incoming, target);
  const bound = lowerBound(q, incoming, target);
  const { plan, reasons } = choosePlan(q, incoming, target, mem, bound.value);
  const allParts = plan.flat();
  const targetsOfPre = countOutputAxons(allParts);
  const bins = binsOf(plan, mem);
  for (const [i, bin] of bins.entries()) {
    const problem = binProblem(bin, target);
    if (problem) throw new DiagnosticError([diag("LMU9001", `partition: core ${i} exceeds its ${problem} (a bug in lmuc)`)]);
  }
  const splits = splitsOf(q, allParts, reasons);
  const maxCores = L.coresPerChip * L.chipsPerBoard;
  if (bins.length > maxCores) {
    throw new DiagnosticError([diag("LMU4004", `the network needs ${bins.length} cores but the ${target.name} board has ${maxCores} (${L.chipsPerBoard} chips × ${L.coresPerChip} cores)`)]);
  }
  const placed = placeOnMesh(binTraffic(q, allParts, targetsOfPre, bins.length), bins.length, target);
  const { chip, placements, binsByPosition } = assemble(q, bins, placed.position, mem, target);
  const report = partitionReport(bins, placed.position, binsByPosition, target, bound, placed, splits);
  return { ...unmerge(chip, placements, merged.merges), report };
}
