/**
 * The hardware compiler: NetworkIR → the float passes → the hardware passes (both listed and run
 * in passes/pipeline.ts, each verified) → ChipConfig, plus the host program and the report.
 * `onPass` sees each intermediate IR (for --dump-ir-after).
 */
import { DiagnosticError, type Diagnostic } from "./diagnostics/diagnostic.js";
import { learningNotOnChip } from "./frontend/learning.js";
import { rejectTrainedCells } from "./frontend/cells.js";
import type { ChipConfig } from "./ir/core.js";
import type { HostProgram, NeuronPlacement } from "./ir/host.js";
import type { HwNetwork } from "./ir/hw.js";
import type { NetworkIR } from "./ir/network.js";
import type { QGroup, QuantizedNetwork } from "./ir/quantized.js";
import { chipRateCurve } from "./passes/chip-rates.js";
import type { DecodeNeuronsMode } from "./passes/decode-neurons.js";
import type { CompileReport, ConnectionQuantReport } from "./passes/compile-report.js";
import type { PartitionedNetwork, PlannedNetwork } from "./passes/hw-stages.js";
import { HARDWARE_PASSES as PASS_LIST, runFloatPipeline, runHardwarePipeline, type HardwareIR, type StageIR } from "./passes/pipeline.js";
import type { Target } from "./target/target.js";

export type { HostProgram, NeuronPlacement };
export type { CompileReport, ConnectionQuantReport };

/** Names of the hardware passes, in order (the list itself is in passes/pipeline.ts). */
export const HARDWARE_PASSES: readonly string[] = PASS_LIST.map((p) => p.name);
export type AnyIR = StageIR | HardwareIR;

export interface CompileResult {
  readonly chip: ChipConfig;
  readonly host: HostProgram;
  readonly report: CompileReport;
}

export interface CompileOptions {
  /** Steps of the float calibration run (rates, current peaks, encoder scales). */
  readonly calibrationSteps?: number;
  readonly onPass?: (name: string, ir: AnyIR) => void;
  /**
   * Decoded chip → chip connections through on-chip sigma-delta decode neurons instead of
   * neuron-to-neuron weights: "auto" (default: when the weights cannot fit a core's input axons or
   * need > 4× the synapse memory), "never", "always".
   */
  readonly decodeNeurons?: DecodeNeuronsMode;
}

function groupReport(g: QGroup): ConnectionQuantReport {
  return {
    connections: g.connections, post: g.post, pre: g.pre.kind === "block" ? g.pre.block : g.pre.input,
    weightExp: g.report.weightExp, mantissaBitsUsed: g.report.mantissaBitsUsed, maxRelError: g.report.maxRelError,
    rmsRelError: g.report.rmsRelError, weights: g.report.nonzero, roundedToZero: g.report.roundedToZero, lostMagnitude: g.report.lostMagnitude,
  };
}

export function compileNetwork(network: NetworkIR, target: Target, opts: CompileOptions = {}): CompileResult {
  const notOnChip = learningNotOnChip(network);
  if (notOnChip.length > 0) throw new DiagnosticError(notOnChip);
  rejectTrainedCells(network, "lmuc compile");
  // Decoders of spiking ensembles are solved on the chip's own rate curve (§5.11).
  const floatBuilt = runFloatPipeline(network, opts.onPass, {
    rateCurveFor: (e) => (e.neuron.type === "lif" || e.neuron.type === "spiking-relu" ? chipRateCurve(e.neuron, network.dtSeconds) : undefined),
  });
  const mode = opts.decodeNeurons ?? "auto";
  const ctx = { target, decodeNeurons: mode, calibrationSteps: opts.calibrationSteps ?? Math.round(2 / floatBuilt.dtSeconds) };
  const irs = runHardwarePipeline(floatBuilt, ctx, opts.onPass);
  const plan = irs.get("calibrate") as PlannedNetwork, hw = irs.get("lower") as HwNetwork, q = irs.get("quantize") as QuantizedNetwork;
  const { chip, report: partitionReport, placements: blockPlacements } = irs.get("partition") as PartitionedNetwork;
  const placements: NeuronPlacement[] = hw.toHost.map((id) => ({
    ensemble: id,
    segments: blockPlacements.find((p) => p.block === id)!.segments,
    sigmaV: q.blocks.find((b) => b.id === id)!.scale.sigmaV,
  }));
  const host: HostProgram = { format: "lmuc-host/1", network: hw.host, inputs: hw.inputs.map((i) => ({ id: i.id, channels: i.channels, scale: i.scale })), placements };
  const built = plan.built;
  const hostOnly = built.nodes.map((n) => ({ id: n.id, kind: n.output.kind, why: n.role === "lmu-ideal" ? "ideal LMU (exact linear state): computed on the host" : n.role === "user" ? "node: computed on the host" : `${n.role} passthrough: computed on the host` }));
  const report: CompileReport = {
    network: built.name, target: target.name, neuronsOnChip: q.blocks.reduce((s, b) => s + b.n, 0), hostOnly, partition: partitionReport,
    blocks: q.blockReports, connections: q.groups.map(groupReport), warnings: q.warnings, notes: hw.notes,
    ...(mode !== "never" ? { decodePaths: plan.decodeChoices, decodeHubs: plan.hubChoices } : {}),
  };
  return { chip, host, report };
}
