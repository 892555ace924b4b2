/**
 * What \`lmuc compile\` reports about a build (report.json): per-block and per-connection
 * quantization, the partition, the decode paths chosen, warnings and notes. Types only, here
 * rather than in compile.ts so the backends that write and read report.json need not import
 * the compiler driver.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { HwNetwork } from "../ir/hw.js";
import type { BlockReport } from "../ir/quantized.js";
import type { PartitionReport } from "../partition/index.js";
import type { HubChoice } from "./decode-hub.js";
import type { DecodePathChoice } from "./decode-neurons.js";
import type { LearningReport } from "./learning-chip.js";

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
  /** Per PES learned connection on the chip: its learning core and the registers chosen (learning-params.ts). */
  readonly learning?: readonly LearningReport[];
}
