/**
 * The chip build of a trained cell, as `lmuc compile` and `lmuc evaluate --mode chip` both make
 * it: the cell converted with the resolved choices, scaled to its calibration inputs, compiled
 * by prepareSpikingJob (modes.ts) — so both commands give the same bytes for the same inputs and
 * choices — plus `conversion.json`, a record of what the build was made from (network weights,
 * choices, calibration inputs' sha256, target, lmuc version), listed and hashed in the manifest
 * like every build file. `evaluate --build DIR` loads a build whose record matches instead of
 * compiling again; a build made from anything else is stale and is compiled again, with a
 * warning naming what differs (LMU7042).
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseReportJson, TRAINED_RECORD_FILE } from "../backends/loihi/build-files.js";
import { readBuildFolder } from "../backends/loihi/folder.js";
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { conversionKey } from "../frontend/conversion.js";
import type { ConversionValue, NetworkIR, TrainedCellIR } from "../ir/network.js";
import { averageSteps, type ConversionOptions } from "../passes/convert-cells.js";
import type { CellProgram } from "../sim/cell.js";
import { loadTarget, targetHash } from "../target/target.js";
import { VERSION } from "../version.js";
import type { ConversionChoice } from "./conversion.js";
import { loadInputs, type Dataset, type InputSequences } from "./dataset.js";
import { prepareSpikingJob, type PreparedJob, type SpikingOptions } from "./modes.js";

export const RECORD_FILE = TRAINED_RECORD_FILE;
export const RECORD_FORMAT = "lmuc-trained-build/1";
/** Sequences the compiler's calibration run sees when the caller does not say (modes.ts's default). */
const COMPILER_SEQUENCES = 4;

/** The input sequences a conversion is scaled to, and where they came from. */
export interface Calibration {
  /** Labels are not read: the conversion uses inputs only. */
  readonly data: Dataset;
  /** Human words for messages: `flag --inputs x.npy`, `file test-x.npy (first 20 sequences)`, `the evaluation inputs`. */
  readonly source: string;
}

function sequencesOf(all: InputSequences, count: number | undefined): Dataset {
  const n = Math.min(count ?? all.sequences, all.sequences);
  const x = n === all.sequences ? all.x : all.x.subarray(0, n * all.steps * all.dimensions);
  // Which sequences were used is part of the identity: the same file cut differently calibrates differently.
  const sha = n === all.sequences ? all.inputsSha256 : createHash("sha256").update(`${all.inputsSha256}:${n}`).digest("hex");
  return { sequences: n, steps: all.steps, dimensions: all.dimensions, x, labels: new Int32Array(0), inputsSha256: sha, labelsSha256: "" };
}

/**
 * The calibration of `cell`: a flag's inputs file wins over the cell's `calibration:` block,
 * which wins over `evaluation` (evaluate's own inputs). Undefined when there is none of them.
 * A bad calibration file is an error at the block's line (LMU7041).
 */
export function cellCalibration(cell: TrainedCellIR, inputSize: number, flagInputs?: string, evaluation?: Dataset): Calibration | undefined {
  if (flagInputs !== undefined) return { data: sequencesOf(loadInputs(flagInputs, inputSize), undefined), source: `--inputs ${flagInputs}` };
  const block = cell.calibration;
  if (block) {
    let all: InputSequences;
    try {
      all = loadInputs(block.inputsFile, inputSize);
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      throw new DiagnosticError(e.diagnostics.map((d) => diag("LMU7041", `cells.${cell.id}.calibration: ${d.message}`, block.origin)));
    }
    if (block.sequences !== undefined && block.sequences > all.sequences) {
      throw new DiagnosticError([diag("LMU7041", `cells.${cell.id}.calibration asks for ${block.sequences} sequences; '${block.inputs}' holds ${all.sequences}`, block.origin)]);
    }
    return { data: sequencesOf(all, block.sequences), source: `${block.inputs}${block.sequences !== undefined ? ` (first ${block.sequences} sequences)` : ""} (network file)` };
  }
  return evaluation ? { data: evaluation, source: "the evaluation inputs" } : undefined;
}

/** What a trained build was made from: two builds with equal records are the same bytes. */
export interface TrainedBuildRecord {
  readonly format: typeof RECORD_FORMAT;
  readonly lmuc: string;
  readonly network: string;
  readonly cell: string;
  readonly readout: string;
  /** evaluate.ts programSha256: the weights the logits come from. */
  readonly network_sha256: string;
  readonly target: { readonly name: string; readonly sha256: string };
  readonly decode_neurons: string;
  readonly calibration: { readonly inputs_sha256: string; readonly sequences: number; readonly steps: number; readonly compiler_sequences: number };
  readonly presentation_steps: number;
  readonly options: Readonly<Record<string, ConversionValue>>;
  /** Each choice with where it came from (for `lmuc inspect`; not compared). */
  readonly choices: readonly ConversionChoice[];
  /** What the build's `x` data node holds (what `lmuc emulate` runs). */
  readonly x_node: string;
}

export interface ChipBuildRequest {
  readonly net: NetworkIR;
  readonly program: CellProgram;
  readonly networkSha256: string;
  readonly calibration: Calibration;
  readonly options: ConversionOptions;
  readonly choices: readonly ConversionChoice[];
  /** Target, compiler calibration sequences, decode-neuron policy (buildDir is ignored: see chipBuild). */
  readonly spiking?: SpikingOptions;
}

export function buildRecord(r: ChipBuildRequest): TrainedBuildRecord {
  const target = loadTarget(r.spiking?.target ?? "loihi1");
  const cal = r.calibration.data;
  const C = Math.min(r.spiking?.calibrationSequences ?? COMPILER_SEQUENCES, cal.sequences);
  const K = r.options.presentationSteps;
  return {
    format: RECORD_FORMAT,
    lmuc: VERSION,
    network: r.net.name,
    cell: r.net.readouts?.find((x) => x.id === r.program.readoutId)?.from ?? "",
    readout: r.program.readoutId,
    network_sha256: r.networkSha256,
    target: { name: target.name, sha256: targetHash(target) },
    decode_neurons: r.spiking?.decodeNeurons ?? "always",
    calibration: { inputs_sha256: cal.inputsSha256, sequences: cal.sequences, steps: cal.steps, compiler_sequences: C },
    presentation_steps: K,
    options: r.options as unknown as Record<string, ConversionValue>,
    choices: r.choices,
    x_node: `the first ${C} calibration sequence${C === 1 ? "" : "s"} (${cal.steps} steps each, every step held ${K} simulator steps: ${C * cal.steps * K} steps)`,
  };
}

/** What differs between a stored record and the wanted one, in words; empty when the build can be reused. */
export function recordDifferences(stored: TrainedBuildRecord, wanted: TrainedBuildRecord): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (stored.format !== wanted.format) return [`record format ${String(stored.format)}`];
  if (stored.lmuc !== wanted.lmuc) out.push(`lmuc ${stored.lmuc}, now ${wanted.lmuc}`);
  if (stored.network !== wanted.network || stored.cell !== wanted.cell || stored.readout !== wanted.readout) out.push(`network ${stored.network} (cell ${stored.cell}, readout ${stored.readout}), now ${wanted.network} (cell ${wanted.cell}, readout ${wanted.readout})`);
  if (stored.network_sha256 !== wanted.network_sha256) out.push("the cell's or readout's weights");
  if (!same(stored.target, wanted.target)) out.push(`target ${stored.target?.name}, now ${wanted.target.name}${stored.target?.name === wanted.target.name ? " (its file changed)" : ""}`);
  if (stored.decode_neurons !== wanted.decode_neurons) out.push(`decode neurons ${stored.decode_neurons}, now ${wanted.decode_neurons}`);
  const sc = stored.calibration ?? ({} as Partial<TrainedBuildRecord["calibration"]>);
  const wc = wanted.calibration;
  if (sc.inputs_sha256 !== wc.inputs_sha256) out.push(`calibration inputs (${sc.sequences} sequences of ${sc.steps} steps, sha256 ${String(sc.inputs_sha256).slice(0, 12)}…; now ${wc.sequences} of ${wc.steps}, ${wc.inputs_sha256.slice(0, 12)}…)`);
  else if (sc.compiler_sequences !== wc.compiler_sequences) out.push(`compiler calibration sequences ${sc.compiler_sequences}, now ${wc.compiler_sequences}`);
  const keys = [...new Set([...Object.keys(stored.options ?? {}), ...Object.keys(wanted.options)])].sort();
  for (const k of keys) {
    const a = stored.options?.[k], b = wanted.options[k];
    if (!same(a, b)) out.push(`${conversionKey(k)} ${JSON.stringify(a)}, now ${JSON.stringify(b)}`);
  }
  return out;
}

/** The record a build folder holds, or why it holds none (not a build, another network's build, a build from before records). */
export function readRecord(dir: string): { record: TrainedBuildRecord; cores: { used: number; lowerBound: number } } | { why: string } | undefined {
  let folder;
  try {
    folder = readBuildFolder(dir);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    // Nothing there (or not a build): compile into it; writeBuildFolder refuses what it may not replace.
    if (e.diagnostics.every((d) => d.code === "LMU5002")) return undefined;
    return { why: `it is damaged (${e.diagnostics[0].message})` };
  }
  const bytes = folder.files[RECORD_FILE];
  if (!bytes) return { why: `it holds a build without ${RECORD_FILE} (not a trained cell's chip build, or from an older lmuc)` };
  let record: TrainedBuildRecord;
  try {
    record = JSON.parse(Buffer.from(bytes).toString("utf8")) as TrainedBuildRecord;
  } catch {
    return { why: `its ${RECORD_FILE} is not JSON` };
  }
  const report = folder.files["report.json"] ? parseReportJson(folder.files["report.json"], join(dir, "report.json")) : undefined;
  if (!report) return { why: "it has no report.json" };
  return { record, cores: { used: report.partition.cores, lowerBound: report.partition.lowerBound } };
}

function recordJson(r: TrainedBuildRecord): string {
  return JSON.stringify(r, null, 1) + "\n";
}

/**
 * Compiles the chip build into `dir`, atomically: the build and its record in one
 * writeBuildFolder (a reader sees the old build or the new one, never a build without its record).
 */
export function writeChipBuild(dir: string, r: ChipBuildRequest): PreparedJob {
  const record = buildRecord(r);
  const { buildDir: _ignored, ...spiking } = r.spiking ?? {};
  return prepareSpikingJob("chip", r.net, r.program, r.calibration.data, { ...spiking, conversion: r.options, buildDir: dir, extraFiles: { [RECORD_FILE]: recordJson(record) } });
}

/** A stale build is compiled again: this is the warning that says so. */
function staleWarning(dir: string, why: string): Diagnostic {
  return diag("LMU7042", `'${dir}' ${why}: compiling it again`, undefined, { severity: "warning" });
}

/**
 * evaluate --mode chip: the build in `dir` when its record matches (compiled once, loaded from
 * disk), else a new one written there (with `onWarning` told why an existing one was stale).
 * Without `dir`, a new build in a temporary folder.
 */
export function chipBuild(dir: string | undefined, r: ChipBuildRequest, evaluationSteps: number, onWarning?: (d: Diagnostic) => void): PreparedJob & { reused: boolean } {
  const K = r.options.presentationSteps;
  const target = dir ?? join(mkdtempSync(join(tmpdir(), "lmuc-evaluate-")), "build");
  const found = dir ? readRecord(dir) : undefined;
  if (found && "record" in found) {
    const wanted = buildRecord(r);
    const diffs = recordDifferences(found.record, wanted);
    if (diffs.length === 0) {
      const c = found.record.calibration;
      // The x node holds the compiler's calibration rows; a sequence is presented into the first steps·K of them.
      if (c.compiler_sequences * c.steps < evaluationSteps) {
        throw new DiagnosticError([diag("LMU7041", `'${dir}': its input node holds ${c.compiler_sequences * c.steps} sequence steps (calibration sequences of ${c.steps} steps); the evaluation's sequences have ${evaluationSteps}`)]);
      }
      const job = { kind: "chip" as const, buildDir: dir!, presentationSteps: K, averageSteps: averageSteps(r.options) };
      return { job, presentationSteps: K, cores: { ...found.cores, buildDir: dir! }, reused: true };
    }
    onWarning?.(staleWarning(dir!, `holds a build made differently (${diffs.join("; ")})`));
  } else if (found) onWarning?.(staleWarning(dir!, found.why));
  return { ...writeChipBuild(target, r), reused: false };
}
