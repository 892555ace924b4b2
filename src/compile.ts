/**
 * The hardware compiler: NetworkIR → (float passes) → calibrate → lower → quantize → partition
 * → ChipConfig, plus the host program and the reports. Every stage is verified; `onPass` sees
 * each intermediate IR (for --dump-ir-after).
 */
import { rejectTrainedCells } from "./frontend/cells.js";
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import type { BuiltNetwork } from "./ir/built.js";
import type { ChipConfig } from "./ir/core.js";
import type { HwNetwork } from "./ir/hw.js";
import type { NetworkIR } from "./ir/network.js";
import { verifyChip } from "./ir/verify-core.js";
import { verifyBuilt } from "./ir/verify.js";
import { chipRateCurve } from "./passes/chip-rates.js";
import { planHubs, type HubChoice } from "./passes/decode-hub.js";
import { chooseDecodePaths, type DecodeNeuronsMode, type DecodePathChoice } from "./passes/decode-neurons.js";
import { correctPoles, lower } from "./passes/lower.js";
import { partition, type PartitionReport } from "./passes/partition.js";
import { check, runFloatPipeline, type StageIR } from "./passes/pipeline.js";
import { quantize, type BlockReport, type QGroup, type QuantizedNetwork } from "./passes/quantize.js";
import { calibrate } from "./sim/calibrate.js";
import type { Target } from "./target/target.js";

export const HARDWARE_PASSES = ["calibrate", "lower", "quantize", "partition"] as const;
export type AnyIR = StageIR | HwNetwork | QuantizedNetwork | ChipConfig;

/** Where each on-chip ensemble's neurons sit: segments of (core, first local compartment, count, first neuron). */
export interface NeuronPlacement {
  readonly ensemble: string;
  readonly segments: readonly { readonly core: number; readonly localStart: number; readonly count: number; readonly neuronStart: number }[];
  /** Per neuron: integer voltage units per float voltage unit, to read voltages back. */
  readonly sigmaV: Float64Array;
}

export interface HostProgram {
  readonly format: "lmuc-host/1";
  /** The host part: nodes, encoder ensembles, external (chip) ensembles, decoding connections, probes. */
  readonly network: BuiltNetwork;
  /** Host ensembles whose spikes are sent to the chip's input of the same id. */
  readonly inputs: readonly { readonly id: string; readonly channels: number; readonly scale: Float64Array }[];
  /** Chip ensembles whose spikes (and voltages) the host reads. */
  readonly placements: readonly NeuronPlacement[];
}

export interface ConnectionQuantReport {
  readonly connections: readonly string[];
  readonly post: string;
  readonly pre: string;
  readonly weightExp: number;
  readonly mantissaBitsUsed: number;
  readonly maxRelError: number;
  readonly rmsRelError: number;
  readonly weights: number;
  readonly roundedToZero: number;
  readonly lostMagnitude: number;
}

export interface CompileReport {
  readonly network: string;
  readonly target: string;
  readonly neuronsOnChip: number;
  readonly hostOnly: readonly { readonly id: string; readonly kind: string; readonly why: string }[];
  readonly partition: PartitionReport;
  readonly blocks: readonly BlockReport[];
  readonly connections: readonly ConnectionQuantReport[];
  readonly warnings: readonly Diagnostic[];
  readonly notes: HwNetwork["notes"];
  /** Per decoded chip → chip connection: neuron-to-neuron weights or decode neurons, and why (absent with decodeNeurons "never"). */
  readonly decodePaths?: readonly DecodePathChoice[];
  /** Per per-dimension LMU: recurrence on chip through a decode hub, or through the host, and why (absent with decodeNeurons "never"). */
  readonly decodeHubs?: readonly HubChoice[];
}

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
  rejectTrainedCells(network, "lmuc compile");
  // Decoders of spiking ensembles are solved on the chip's own rate curve (§5.11).
  const floatBuilt = runFloatPipeline(network, opts.onPass, {
    rateCurveFor: (e) => (e.neuron.type === "lif" || e.neuron.type === "spiking-relu" ? chipRateCurve(e.neuron, network.dtSeconds) : undefined),
  });
  const steps = opts.calibrationSteps ?? Math.round(2 / floatBuilt.dtSeconds);
  const mode = opts.decodeNeurons ?? "auto";
  // Per-dimension LMUs keep their recurrence on chip through decode hubs (their `in` node folded).
  const hubs = planHubs(floatBuilt, target, mode);
  const built = hubs.built;
  check("decode-hubs", verifyBuilt(built));
  opts.onPass?.("decode-hubs", built);
  const decode = chooseDecodePaths(built, target, mode);
  // Decode neurons are sized by the values they will carry: those of the pole-corrected weights.
  const corrected = correctPoles(built.connections, new Map(built.ensembles.map((e) => [e.id, e])), built.dtSeconds, new Set(decode.plans.map((p) => p.connection)));
  const plans = decode.plans.map((p) => ({ ...p, weights: corrected.connections.find((c) => c.id === p.connection)!.weights }));
  const cal = calibrate(built, steps, plans, hubs.plans);
  opts.onPass?.("calibrate", built);
  const hw = lower(built, cal, plans, hubs.plans);
  opts.onPass?.("lower", hw);
  const q = quantize(hw);
  opts.onPass?.("quantize", q);
  const { chip, report: partitionReport } = partition(q, target);
  check("partition", verifyChip(chip, target));
  opts.onPass?.("partition", chip);

  const placements: NeuronPlacement[] = hw.toHost.map((id) => {
    const segments: NeuronPlacement["segments"][number][] = [];
    for (const core of chip.cores) {
      for (const b of core.blocks) {
        if (b.source !== `ensemble ${id}`) continue;
        const m = /\[(\d+):/.exec(b.label);
        segments.push({ core: core.index, localStart: b.start, count: b.count, neuronStart: m ? Number(m[1]) : 0 });
      }
    }
    segments.sort((a, b) => a.neuronStart - b.neuronStart);
    return { ensemble: id, segments, sigmaV: q.blocks.find((b) => b.id === id)!.scale.sigmaV };
  });
  const host: HostProgram = { format: "lmuc-host/1", network: hw.host, inputs: hw.inputs.map((i) => ({ id: i.id, channels: i.channels, scale: i.scale })), placements };
  const hostOnly = built.nodes.map((n) => ({ id: n.id, kind: n.output.kind, why: n.role === "lmu-ideal" ? "ideal LMU (exact linear state): computed on the host" : n.role === "user" ? "node: computed on the host" : `${n.role} passthrough: computed on the host` }));
  const report: CompileReport = {
    network: built.name, target: target.name, neuronsOnChip: q.blocks.reduce((s, b) => s + b.n, 0), hostOnly, partition: partitionReport,
    blocks: q.blockReports, connections: q.groups.map(groupReport), warnings: q.warnings, notes: hw.notes,
    ...(mode !== "never" ? { decodePaths: decode.choices, decodeHubs: hubs.choices } : {}),
  };
  return { chip, host, report };
}
