/**
 * The hardware compiler: NetworkIR → the float passes → the hardware passes (both listed and run
 * in passes/pipeline.ts, each verified) → ChipConfig, plus the host program and the report.
 * `onPass` sees each intermediate IR (for --dump-ir-after).
 */
import { DiagnosticError, type Diagnostic } from "./diagnostics/diagnostic.js";
import { rejectTrainedCells } from "./frontend/cells.js";
import type { ChipConfig } from "./ir/core.js";
import { asExternal } from "./ir/built.js";
import type { HostProgram, NeuronPlacement } from "./ir/host.js";
import type { HwNetwork } from "./ir/hw.js";
import type { NetworkIR } from "./ir/network.js";
import type { QGroup, QuantizedNetwork } from "./ir/quantized.js";
import { chipRateCurve } from "./passes/chip-rates.js";
import type { DecodeNeuronsMode } from "./passes/decode-neurons.js";
import type { CompileReport, ConnectionQuantReport } from "./passes/compile-report.js";
import { attachLearning, planLearning } from "./passes/learning-chip.js";
import { verifyLearning } from "./backends/loihi/learning.js";
import { verifyChip } from "./ir/verify-core.js";
import { check } from "./passes/pipeline.js";
import type { PartitionedNetwork, PlannedNetwork } from "./passes/hw-stages.js";
import { HARDWARE_PASSES as PASS_LIST, runFloatPipeline, runHardwarePipeline, type Calibrator, type HardwareIR, type StageIR } from "./passes/pipeline.js";
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
   * neuron-to-neuron weights: "auto" (default: when the weights cannot fit a core's input axons,
   * need > 4× the synapse memory or more cores of it; LMU recurrences that fit one chip), "never", "always".
   */
  readonly decodeNeurons?: DecodeNeuronsMode;
  /** Calibrates instead of the float run of calibrationSteps (trained cells: a rate model of the cell's own float run). */
  readonly calibrator?: Calibrator;
  /** Progress inside the long passes: phase "solve decoders" (connections) and "calibrate" (steps). */
  readonly onProgress?: (phase: string, done: number, total: number) => void;
}

function groupReport(g: QGroup): ConnectionQuantReport {
  return {
    connections: g.connections, post: g.post, pre: g.pre.kind === "block" ? g.pre.block : g.pre.input,
    weightExp: g.report.weightExp, mantissaBitsUsed: g.report.mantissaBitsUsed, maxRelError: g.report.maxRelError,
    rmsRelError: g.report.rmsRelError, weights: g.report.nonzero, roundedToZero: g.report.roundedToZero, lostMagnitude: g.report.lostMagnitude,
  };
}

/**
 * The partition report with the learning cores' usage added. Each learned connection gets a core
 * of its own (its learning profile and readouts share it with nothing), so each adds one to the
 * lower bound as well.
 */
function withUsage(r: PartitionedNetwork["report"], usage: PartitionedNetwork["report"]["usage"], learningCores: number): PartitionedNetwork["report"] {
  const totals = usage.reduce((t, u) => ({ compartments: t.compartments + u.compartments, inputAxons: t.inputAxons + u.inputAxons, outputAxons: t.outputAxons + u.outputAxons, synapseBits: t.synapseBits + u.synapseBits }), { compartments: 0, inputAxons: 0, outputAxons: 0, synapseBits: 0 });
  return {
    ...r, cores: usage.length, chips: Math.max(r.chips, ...usage.map((u) => u.chip + 1)), usage, totals,
    lowerBound: r.lowerBound + learningCores, lowerBoundBy: `${r.lowerBoundBy} + ${learningCores} learning core${learningCores === 1 ? "" : "s"}`,
  };
}

/**
 * Chips compileNetwork returned, with the target each was verified against (the partition pass's
 * verifier, and for learning cores verifyChip and verifyLearning): writeBuild need not verify
 * them again before emitting (psMNIST: ~0.1 s). Anything else a caller builds is verified there.
 */
const verifiedChips = new WeakMap<ChipConfig, Target>();
export const chipVerifiedFor = (chip: ChipConfig, target: Target): boolean => verifiedChips.get(chip) === target;

export function compileNetwork(network: NetworkIR, target: Target, opts: CompileOptions = {}): CompileResult {
  rejectTrainedCells(network, "lmuc compile");
  // Decoders of spiking ensembles are solved on the chip's own rate curve (§5.11).
  const progress = opts.onProgress;
  const floatBuilt = runFloatPipeline(network, opts.onPass, {
    rateCurveFor: (e) => (e.neuron.type === "lif" || e.neuron.type === "spiking-relu" ? chipRateCurve(e.neuron, network.dtSeconds) : undefined),
    ...(progress ? { onProgress: (d: number, t: number) => progress("solve decoders", d, t) } : {}),
  });
  const mode = opts.decodeNeurons ?? "auto";
  const ctx = {
    target, decodeNeurons: mode, calibrationSteps: opts.calibrationSteps ?? Math.round(2 / floatBuilt.dtSeconds),
    ...(progress ? { onCalibrateProgress: (d: number, t: number) => progress("calibrate", d, t) } : {}),
    ...(opts.calibrator ? { calibrator: opts.calibrator } : {}),
  };
  // Learned connections: registers chosen on a float run before the chip is built (LMU3103 refuses early).
  const onChip = (e: { neuron: { type: string } }): boolean => e.neuron.type === "lif" || e.neuron.type === "spiking-relu";
  const learningWarnings: Diagnostic[] = [];
  const learned = planLearning(floatBuilt, target, ctx.calibrationSteps, onChip, learningWarnings);
  const irs = runHardwarePipeline(floatBuilt, ctx, opts.onPass);
  const plan = irs.get("calibrate") as PlannedNetwork, hw = irs.get("lower") as HwNetwork, q = irs.get("quantize") as QuantizedNetwork;
  const partitioned = irs.get("partition") as PartitionedNetwork;
  const { placements: blockPlacements } = partitioned;
  const L = attachLearning(partitioned.chip, blockPlacements, hw.host, learned, target, partitioned.report.usage);
  const chip = L.chip;
  // The learning cores are checked as every pass's output is (LMU9001 on a bug).
  if (learned.length > 0) check("learning", [...verifyChip(chip, target), ...verifyLearning(chip, target)]);
  verifiedChips.set(chip, target);
  const partitionReport = learned.length > 0 ? withUsage(partitioned.report, L.usage, L.usage.length - partitioned.report.usage.length) : partitioned.report;
  // A chip ensemble only the learned connection read needs no spikes on the host any more.
  const stillRead = (id: string): boolean => L.host.connections.some((c) => c.source.kind === "neurons" && c.source.id === id) || L.host.probes.some((p) => p.target.id === id);
  // …and an error computed from a chip ensemble's spikes needs them there (lower does not see error connections).
  const onHost = new Set(L.host.ensembles.map((e) => e.id));
  const errorSources = [...new Set(L.host.connections.filter((c) => c.source.kind === "neurons" && !onHost.has(c.source.id)).map((c) => c.source.id))];
  const toHost = [...hw.toHost, ...errorSources].filter(stillRead);
  const placements: NeuronPlacement[] = toHost.map((id) => ({
    ensemble: id,
    segments: blockPlacements.find((p) => p.block === id)!.segments,
    sigmaV: q.blocks.find((b) => b.id === id)!.scale.sigmaV,
  }));
  placements.push(...L.readouts);
  const hostEnsembles = [...L.host.ensembles, ...errorSources.map((id) => asExternal(plan.built.ensembles.find((e) => e.id === id)!))];
  const hostNet = { ...L.host, ensembles: hostEnsembles.filter((e) => !e.external || stillRead(e.id) || L.readouts.some((r) => r.ensemble === e.id)) };
  const host: HostProgram = { format: "lmuc-host/1", network: hostNet, inputs: hw.inputs.map((i) => ({ id: i.id, channels: i.channels, scale: i.scale })), placements };
  const built = plan.built;
  const hostOnly = built.nodes.map((n) => ({ id: n.id, kind: n.output.kind, why: n.role === "lmu-ideal" ? "ideal LMU (exact linear state): computed on the host" : n.role === "user" ? "node: computed on the host" : `${n.role} passthrough: computed on the host` }));
  const report: CompileReport = {
    network: built.name, target: target.name, neuronsOnChip: q.blocks.reduce((s, b) => s + b.n, 0), hostOnly, partition: partitionReport,
    blocks: q.blockReports, connections: q.groups.map(groupReport), warnings: [...q.warnings, ...learningWarnings], notes: hw.notes,
    ...(L.reports.length > 0 ? { learning: L.reports } : {}),
    ...(mode !== "never" ? { decodePaths: plan.decodeChoices, decodeHubs: plan.hubChoices } : {}),
  };
  return { chip, host, report };
}
