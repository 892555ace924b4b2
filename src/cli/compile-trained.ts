/**
 * `lmuc compile` of a network with a trained cell: the cell is converted to spiking populations
 * scaled to its calibration inputs (the cell's `calibration:` block, or --inputs) with the same
 * choices `lmuc evaluate --mode chip` resolves (defaults < the file's `conversion:` block <
 * flags), compiled, and written with a record of what it was made from (conversion.json), so that
 * `evaluate --mode chip --build DIR` loads it instead of compiling again. Formatting only; the work
 * is in evaluate/chip-build.ts.
 */
import { join } from "node:path";
import type { BuildSummary } from "../build.js";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { cellCalibration, RECORD_FILE, writeChipBuild, type TrainedBuildRecord } from "../evaluate/chip-build.js";
import { choicesText, resolveConversion } from "../evaluate/conversion.js";
import { evaluationShape, programSha256 } from "../evaluate/evaluate.js";
import { trainedCellFix } from "../frontend/cells.js";
import { irReplacer } from "../ir/json.js";
import type { NetworkIR } from "../ir/network.js";
import { assertParentIsFolder } from "../io/write.js";
import { conversionFlags } from "./evaluate.js";

export interface TrainedCompileOptions {
  target: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  dumpIrAfter?: string;
  inputs?: string;
  conversion?: string[];
  presentationSteps?: number;
  neuronsPerUnit?: number;
  synapse?: number;
}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** The lines `compile` and `inspect` add for a trained cell's build: its conversion and what its input node holds. */
export function trainedLines(r: TrainedBuildRecord): string[] {
  return [
    `  trained cell '${r.cell}' (readout ${r.readout}) converted to spiking populations: K ${r.presentation_steps} simulator steps per sequence step, decode neurons ${r.decode_neurons}`,
    `  calibrated on ${r.calibration.sequences} input sequence${r.calibration.sequences === 1 ? "" : "s"} of ${r.calibration.steps} steps (sha256 ${r.calibration.inputs_sha256.slice(0, 16)}…): ranges from all, compiler calibration run on the first ${r.calibration.compiler_sequences}`,
    `  conversion: ${choicesText(r.choices)}`,
    `  input node x holds ${r.x_node}; lmuc evaluate --mode chip --build <this folder> presents each sequence into it`,
  ];
}

/** The record of a trained build (readBuild verified it against the manifest with the other files). */
export function readTrainedRecord(b: Pick<BuildSummary, "otherFiles">): TrainedBuildRecord | undefined {
  const bytes = b.otherFiles[RECORD_FILE];
  return bytes ? (JSON.parse(Buffer.from(bytes).toString("utf8")) as TrainedBuildRecord) : undefined;
}

export function runCompileTrained(file: string, net: NetworkIR, opts: TrainedCompileOptions, io: Io, summary: (b: BuildSummary, dir: string) => string): void {
  if (opts.dumpIrAfter) throw new DiagnosticError([diag("LMU8002", `--dump-ir-after: '${net.name}' has a trained cell, which is converted before the passes run; lmuc ir shows the passes of networks without one`)]);
  const program = evaluationShape(net);
  const cell = net.cells!.find((c) => c.id === net.readouts!.find((r) => r.id === program.readoutId)!.from)!;
  const calibration = cellCalibration(cell, program.inputSize, opts.inputs);
  if (!calibration) throw new DiagnosticError([diag("LMU7040", `lmuc compile needs calibration inputs for trained cell '${cell.id}' (${cell.kind}, ${cell.hiddenSize} hidden units): ${trainedCellFix(cell.id, "lmuc compile")}`, cell.origin)]);
  const flags = conversionFlags({ ...opts, ...(opts.presentationSteps !== undefined ? { presentationSteps: [opts.presentationSteps] } : { presentationSteps: undefined }) });
  const { options, choices } = resolveConversion(cell, flags, "chip");
  const dir = opts.out ?? join("out", net.name);
  assertParentIsFolder(dir);
  const request = { net, program, networkSha256: programSha256(program), calibration, options, choices, spiking: { target: opts.target } };
  if (!opts.quiet && !opts.json) io.err(`converting trained cell '${cell.id}' (calibration: ${calibration.source}, K ${options.presentationSteps}) and compiling…\n`);
  const t0 = performance.now();
  const b = writeChipBuild(dir, request).build!;
  const seconds = (performance.now() - t0) / 1000;
  const record = readTrainedRecord(b)!;
  if (opts.json) {
    io.out(JSON.stringify({ ok: true, out: dir, seconds, report: b.report, conversion: record }, irReplacer, 1) + "\n");
    return;
  }
  io.out(summary(b, dir));
  io.out(trainedLines(record).join("\n") + "\n");
  io.out(`compiled in ${seconds.toFixed(1)} s\n`);
}
