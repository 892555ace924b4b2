/**
 * The IR between the float pipeline and lowering: the built network (decode hubs' input nodes
 * folded) with the hardware plans made so far. Each planning pass returns a new PlannedNetwork
 * with one more field filled; nothing is changed in place. Also the IR after partition.
 */
import type { BuiltNetwork } from "../ir/built.js";
import type { ChipConfig } from "../ir/core.js";
import type { BlockPlacement } from "../ir/host.js";
import { printChip } from "../ir/print-hw.js";
import { num } from "../ir/print.js";
import { verifyBuilt } from "../ir/verify.js";
import type { PartitionReport } from "../partition/index.js";
import type { Calibration } from "./calibrate.js";
import type { HubChoice, HubPlan } from "./decode-hub.js";
import type { DecodeNeuronsMode, DecodePathChoice, DecodePlan } from "./decode-neurons.js";
import type { PoleCorrection } from "./lower.js";

export interface PlannedNetwork {
  /** decode-hubs → "hubs-planned", decode-paths → "paths-planned", pole-correction → "pole-corrected", calibrate → "calibrated". */
  readonly stage: "hubs-planned" | "paths-planned" | "pole-corrected" | "calibrated";
  readonly built: BuiltNetwork;
  readonly mode: DecodeNeuronsMode;
  readonly hubs: readonly HubPlan[];
  readonly hubChoices: readonly HubChoice[];
  /** Decode plans; after pole-correction each carries the weights its path will carry. */
  readonly decodePlans: readonly DecodePlan[];
  readonly decodeChoices: readonly DecodePathChoice[];
  readonly poles?: PoleCorrection;
  readonly calibration?: Calibration;
}

/** After partition: the chip configuration, where every block's neurons went, and the report. */
export interface PartitionedNetwork {
  readonly stage: "partitioned";
  readonly chip: ChipConfig;
  readonly placements: readonly BlockPlacement[];
  readonly report: PartitionReport;
}

/** What a planned network must satisfy at its stage; [] when it does. */
export function verifyPlanned(p: PlannedNetwork): string[] {
  const problems = verifyBuilt(p.built);
  const ids = new Set(p.built.connections.map((c) => c.id));
  for (const plan of p.decodePlans) {
    if (!ids.has(plan.connection)) problems.push(`decode plan for unknown connection '${plan.connection}'`);
    if (plan.chunks.length === 0) problems.push(`decode plan for '${plan.connection}' has no chunks`);
  }
  for (const h of p.hubs) if (!p.built.nodes.some((n) => n.id === h.node)) problems.push(`decode hub for unknown node '${h.node}'`);
  const after = ["pole-corrected", "calibrated"].includes(p.stage);
  if (after && !p.poles) problems.push(`${p.stage} network without its pole correction`);
  if (after && p.decodePlans.some((d) => !d.weights)) problems.push("a decode plan without its pole-corrected weights");
  if (p.stage === "calibrated") {
    const cal = p.calibration;
    if (!cal) problems.push("calibrated network without a calibration");
    else for (const key of [...p.decodePlans.map((d) => d.connection), ...p.hubs.map((h) => h.node)]) if (!cal.decoded.has(key)) problems.push(`no calibration of decode path '${key}'`);
  }
  return problems;
}

/** Stable text of a planned network: the plans, one line each, and the calibration's summary. */
export function printPlanned(p: PlannedNetwork): string {
  const lines = [`planned '${p.built.name}' stage ${p.stage} decode-neurons ${p.mode}`];
  for (const c of p.hubChoices) lines.push(`  hub ${c.node}: ${c.path} (${c.why})`);
  for (const h of p.hubs) lines.push(`  hub-plan node ${h.node} rows ${h.rows} chunks ${h.chunks.length} tau ${num(h.tauSeconds)}`);
  for (const c of p.decodeChoices) lines.push(`  path ${c.connection} ${c.pre} -> ${c.post}: ${c.path} (neuron path ${c.neuronPathBits} bits, decode path ${c.decodePathBits} bits, fan-in ${c.fanIn})`);
  for (const d of p.decodePlans) lines.push(`  decode-plan ${d.connection} chunks ${d.chunks.map((c) => c.length).join("+")}${d.weights ? ` weights ${d.weights.rows}x${d.weights.cols}` : ""}`);
  if (p.poles) lines.push(`  pole-correction ${p.poles.connections.length} connections, ${p.poles.rowMix.size} inputs mixed`);
  const cal = p.calibration;
  if (cal) {
    lines.push(`  calibration ${cal.steps} steps`);
    for (const [id, rates] of cal.ratesHz) {
      let sum = 0, peak = 0;
      for (const r of rates) sum += r;
      for (const j of cal.maxInputCurrent.get(id) ?? []) peak = Math.max(peak, j);
      lines.push(`    ensemble ${id} mean rate ${num(sum / Math.max(1, rates.length))} Hz, peak input current ${num(peak)}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Stable text of the IR after partition: the chip's cores, then where each block's neurons went. */
export function printPartitioned(p: PartitionedNetwork): string {
  const lines = [`partitioned: ${p.report.cores} cores (lower bound ${p.report.lowerBound}, by ${p.report.lowerBoundBy}), traffic cost ${num(p.report.trafficCost)}`];
  for (const b of p.placements) {
    lines.push(`placement ${b.block}: ${b.segments.map((s) => `neurons ${s.neuronStart}..${s.neuronStart + s.count - 1} on core ${s.core} at ${s.localStart}`).join("; ")}`);
  }
  return printChip(p.chip) + lines.join("\n") + "\n";
}
