/** partition's report: cores against the lower bound, per-core use, why blocks were cut, traffic cost. */
import type { QuantizedNetwork } from "../ir/quantized.js";
import type { Target } from "../target/types.js";
import type { Bin } from "./bins.js";
import type { Part } from "./memory.js";

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
  /** No valid configuration has fewer cores (see partition/bound.ts for how it is computed). */
  readonly lowerBound: number;
  readonly lowerBoundBy: string;
  readonly usage: readonly CoreUsage[];
  readonly totals: { readonly compartments: number; readonly inputAxons: number; readonly outputAxons: number; readonly synapseBits: number };
  /** Σ expected spike messages/s × hops between cores, before and after swap refinement. */
  readonly trafficCostInitial: number;
  readonly trafficCost: number;
  readonly splits: readonly { readonly block: string; readonly parts: number; readonly reason: string }[];
}

/** Blocks cut into several parts, in network order, with why (reasons from the planner; "packing" when it gave none). */
export function splitsOf(q: QuantizedNetwork, allParts: readonly Part[], reasons: Map<string, string>): PartitionReport["splits"][number][] {
  const partsPerBlock = new Map<string, number>();
  for (const p of allParts) partsPerBlock.set(p.block.id, (partsPerBlock.get(p.block.id) ?? 0) + 1);
  const splits: PartitionReport["splits"][number][] = [];
  for (const b of q.blocks) {
    const k = partsPerBlock.get(b.id) ?? 0;
    if (k > 1) splits.push({ block: b.id, parts: k, reason: reasons.get(b.id) ?? "packing" });
  }
  return splits;
}

export function partitionReport(
  bins: readonly Bin[], position: Int32Array, binsByPosition: readonly number[], target: Target,
  bound: { value: number; by: string }, traffic: { trafficCostInitial: number; trafficCost: number }, splits: PartitionReport["splits"],
): PartitionReport {
  const perChip = target.limits.coresPerChip;
  const usage: CoreUsage[] = binsByPosition.map((bin) => ({ core: position[bin], chip: Math.floor(position[bin] / perChip), compartments: bins[bin].compartments, inputAxons: bins[bin].inAxons, outputAxons: bins[bin].outAxons, synapseBits: bins[bin].bits, blocks: bins[bin].parts.map((p) => p.block.id) }));
  const totals = usage.reduce((t, u) => ({ compartments: t.compartments + u.compartments, inputAxons: t.inputAxons + u.inputAxons, outputAxons: t.outputAxons + u.outputAxons, synapseBits: t.synapseBits + u.synapseBits }), { compartments: 0, inputAxons: 0, outputAxons: 0, synapseBits: 0 });
  const chips = Math.max(1, ...usage.map((u) => u.chip + 1));
  return { cores: usage.length, chips, lowerBound: bound.value, lowerBoundBy: bound.by, usage, totals, trafficCostInitial: traffic.trafficCostInitial, trafficCost: traffic.trafficCost, splits };
}
