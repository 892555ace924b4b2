/**
 * The jobs of the spiking modes: convert the trained cell once (scaled to the ranges its float
 * run takes over the whole dataset's inputs, so every shard converts identically), then either
 * build it for the float simulator (`spiking`) or compile it once to a build folder that every
 * thread loads from disk (`chip`).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileNetwork } from "../compile.js";
import { writeBuildSummary, type BuildSummary } from "../build.js";
import type { NetworkIR } from "../ir/network.js";
import { mat } from "../math/matrix.js";
import { chipRateCurve } from "../passes/chip-rates.js";
import type { DecodeNeuronsMode } from "../passes/decode-neurons.js";
import { calibrate } from "../passes/calibrate.js";
import { calibrateFromModel, modelCalibrates } from "../passes/calibrate-model.js";
import { averageSteps, convertCells, convertedTrajectories, defaultConversion, type ConversionOptions } from "../passes/convert-cells.js";
import { runFloatPipeline, type Calibrator } from "../passes/pipeline.js";
import { cellRanges, type CellRecord } from "../sim/cell-ranges.js";
import type { CellProgram } from "../sim/cell.js";
import { loadTarget } from "../target/target.js";
import type { EvalJob } from "./chunks.js";
import type { Dataset } from "./dataset.js";

export interface SpikingOptions {
  readonly conversion?: Partial<ConversionOptions>;
  /** Where chip mode writes its build (default: a new temporary folder). */
  readonly buildDir?: string;
  readonly target?: string;
  /** Sequences shown to the compiler's calibration run (rates, current peaks). */
  readonly calibrationSequences?: number;
  /** Solve decoders on the chip IF staircase (default; the float calibration runs the same chip neurons). */
  readonly chipCurveDecoders?: boolean;
  /**
   * Chip mode: decode-neuron policy of the compiler. Default always: the memory's and hidden
   * units' decoded connections through sigma-delta decode rows (lmufft: 17 cores against 57 with
   * neuron-to-neuron weights, and the emulator several times faster).
   */
  readonly decodeNeurons?: DecodeNeuronsMode;
  /** Chip mode: more files written with the build, in the same atomic write (its record). */
  readonly extraFiles?: Readonly<Record<string, string>>;
}

export interface PreparedJob {
  readonly job: EvalJob;
  readonly presentationSteps: number;
  /** Chip mode: cores used and their lower bound. */
  readonly cores?: { used: number; lowerBound: number; buildDir: string };
  /** Chip mode: the build as written (what readBuildSummary would read back). */
  readonly build?: BuildSummary;
}

export function prepareSpikingJob(mode: "spiking" | "chip", net: NetworkIR, program: CellProgram, data: Dataset, opts: SpikingOptions = {}): PreparedJob {
  // Chip builds always run the chip's neurons; the spiking mode may too (to tell the chip's
  // neurons from the rest of the chip apart), with decoders on the same staircase.
  const cell = net.cells?.find((c) => c.id === net.readouts?.[0]?.from);
  const o: ConversionOptions = { ...defaultConversion(cell), ...opts.conversion, chipNeurons: mode === "chip" || (opts.conversion?.chipNeurons ?? false) };
  const K = o.presentationSteps;
  // The compiler calibrates on the first sequences (inputs only), presented as they will be run;
  // its model calibration reads their states from the ranges' run.
  const C = Math.min(opts.calibrationSequences ?? 4, data.sequences);
  const record: CellRecord | undefined = mode === "chip" && o.compilerCalibration === "model" ? { sequences: C, m: new Float64Array(C * data.steps * program.order), hPrev: new Float64Array(C * data.steps * program.hidden) } : undefined;
  const ranges = cellRanges(program, data.x, 0, data.sequences, data.steps, record);
  const d = program.inputSize;
  if (mode === "spiking") {
    const rate = o.chipNeurons ? { rate: chipRateCurve({ type: o.neuron, amplitude: 1 }, net.dtSeconds) } : {};
    const conv = convertCells(net, { ranges, xRows: mat(data.steps * K, d), ...rate }, o);
    return { job: { kind: "spiking", built: runFloatPipeline(conv), presentationSteps: K, averageSteps: averageSteps(o) }, presentationSteps: K };
  }
  const xRows = mat(C * data.steps * K, d);
  for (let s = 0; s < C; s++) {
    for (let t = 0; t < data.steps; t++) {
      for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) xRows.data[((s * data.steps + t) * K + k) * d + j] = data.x[(s * data.steps + t) * d + j];
    }
  }
  const neuron = { type: o.neuron, amplitude: 1 } as const;
  const conv = convertCells(net, { ranges, xRows, forChip: true, ...(opts.chipCurveDecoders === false ? {} : { rate: chipRateCurve(neuron, net.dtSeconds) }) }, o);
  const target = loadTarget(opts.target ?? "loihi1");
  // The model calibration reads the float cell over the same first C sequences the simulation
  // would run; neurons it does not model (neuron: relu, rates) are calibrated by that simulation.
  const calibrator: Calibrator | undefined = record
    ? (built, plans, hubs) => modelCalibrates(built)
      ? calibrateFromModel(built, convertedTrajectories(program, data.x, record, data.steps, ranges, o), plans, hubs)
      : calibrate(built, C * data.steps * K, plans, hubs)
    : undefined;
  const compiled = compileNetwork(conv, target, { calibrationSteps: C * data.steps * K, decodeNeurons: opts.decodeNeurons ?? "always", ...(calibrator ? { calibrator } : {}) });
  const dir = opts.buildDir ?? join(mkdtempSync(join(tmpdir(), "lmuc-evaluate-")), "build");
  const build = writeBuildSummary(dir, compiled, target, { file: net.file }, opts.extraFiles);
  const part = compiled.report.partition;
  return { job: { kind: "chip", buildDir: dir, presentationSteps: K, averageSteps: averageSteps(o) }, presentationSteps: K, cores: { used: part.cores, lowerBound: part.lowerBound, buildDir: dir }, build };
}
