/**
 * `lmuc evaluate`: a network with a trained cell over a labelled dataset, sequence by sequence
 * with the state reset between sequences, in one or more modes: `float` (the cell's equations),
 * `spiking` (the converted network on the float simulator) and `chip` (its build on the
 * emulator; modes.ts prepares both). The result document is
 * deterministic (no paths, times or worker counts in it), so a run split into shards and merged
 * is byte-identical to the same run in one piece.
 */
import { createHash } from "node:crypto";
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { NetworkIR } from "../ir/network.js";
import { compileCellProgram, type CellProgram } from "../sim/cell.js";
import { VERSION } from "../version.js";
import type { Dataset } from "./dataset.js";
import { runRange } from "./pool.js";
import { resolveConversion } from "./conversion.js";
import { chipBuild, cellCalibration, RECORD_FILE } from "./chip-build.js";
import { prepareSpikingJob, type SpikingOptions } from "./modes.js";
import { argmax, sequenceStats, summarize, type SpikingSummary } from "./summary.js";

export const EVAL_MODES = ["float", "spiking", "chip"] as const;
export type EvalMode = (typeof EVAL_MODES)[number];

/** What each mode runs; undefined = not available yet, with the reason. */
const MODE_RUNNERS: Record<EvalMode, { available: true } | { available: false; why: string }> = {
  float: { available: true },
  spiking: { available: true },
  chip: { available: true },
};

export function checkModes(modes: readonly string[]): EvalMode[] {
  for (const m of modes) {
    if (!(EVAL_MODES as readonly string[]).includes(m)) throw new DiagnosticError([diag("LMU8002", `unknown evaluation mode '${m}' (modes: ${EVAL_MODES.join(", ")})`)]);
    const r = MODE_RUNNERS[m as EvalMode];
    if (!r.available) throw new DiagnosticError([diag("LMU7031", `mode '${m}' is not available yet: ${r.why}; available: ${EVAL_MODES.filter((x) => MODE_RUNNERS[x].available).join(", ")}`)]);
  }
  return [...new Set(modes as EvalMode[])];
}

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export interface ModeResult {
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  /** confusion[label][prediction]. */
  readonly confusion: number[][];
  readonly per_class: { class: number; total: number; correct: number; recall: number | null }[];
  readonly predictions: number[];
  readonly logits: number[][];
  /** Spiking modes: how they compare with float on the same sequences, and what they cost. */
  readonly spiking?: SpikingSummary;
}

export type { SpikingSummary };

/** The spiking modes at one more presentation time K (the first K given is `modes`). */
export interface SweepEntry {
  readonly presentation_steps: number;
  readonly modes: Partial<Record<EvalMode, ModeResult>>;
}

/** Per-step logits of one sequence ([steps][classes]) in each mode, read as its final logits are. */
export interface LogitTrace {
  readonly sequence: number;
  readonly label: number;
  readonly modes: Partial<Record<EvalMode, number[][]>>;
}

export interface EvaluationDoc {
  readonly format: "lmuc-evaluation/1";
  readonly lmuc: string;
  readonly network: string;
  readonly network_sha256: string;
  readonly inputs_sha256: string;
  readonly labels_sha256: string;
  readonly sequences: number;
  readonly steps: number;
  readonly input_dimensions: number;
  readonly classes: number;
  /** Present in the part files of a sharded run only. */
  readonly shard?: { index: number; count: number; first: number; end: number };
  readonly modes: Partial<Record<EvalMode, ModeResult>>;
  /** With several --presentation-steps: the spiking modes at the second and later K. */
  readonly presentation_sweep?: SweepEntry[];
  /** Spiking modes: logit traces of a few sequences, float vs spiking vs chip. */
  readonly traces?: LogitTrace[];
}

export function shardRange(sequences: number, shard: Shard | undefined): { first: number; end: number } {
  if (!shard) return { first: 0, end: sequences };
  return { first: Math.floor(((shard.index - 1) * sequences) / shard.count), end: Math.floor((shard.index * sequences) / shard.count) };
}

/** Identifies the weights the logits came from, whatever the files were called. */
export function programSha256(p: CellProgram): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([p.inputSize, p.hidden, p.order, p.outputs, p.tanh, p.reluU, p.uBias]));
  for (const a of [p.A, p.B, p.ex, p.eh, p.em, p.Wx, p.Wh, p.Wm, p.hBias, p.readoutWeight, p.readoutBias]) {
    h.update(String(a.length));
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest("hex");
}

/** Accuracy, confusion and per-class recall of predictions for labels[first .. first + n). */
export function scoreMode(labels: Int32Array, first: number, predictions: number[], logits: number[][], classes: number): ModeResult {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  predictions.forEach((p, i) => confusion[labels[first + i]][p]++);
  return fromConfusion(confusion, predictions, logits);
}

/** The scores of a confusion matrix: the same numbers whether it was counted in one run or summed over shards. */
export function fromConfusion(confusion: number[][], predictions: number[], logits: number[][]): ModeResult {
  const per_class = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return { class: c, total, correct: row[c], recall: total > 0 ? row[c] / total : null };
  });
  const correct = per_class.reduce((a, c) => a + c.correct, 0);
  const total = per_class.reduce((a, c) => a + c.total, 0);
  return { accuracy: total > 0 ? correct / total : 0, correct, total, confusion, per_class, predictions, logits };
}

export interface EvaluateOptions {
  readonly modes: readonly EvalMode[];
  readonly workers: number;
  readonly shard?: Shard;
  readonly readout?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly spiking?: SpikingOptions;
  /** Several K: the spiking modes run at each; the first is `modes`, the rest `presentation_sweep`. */
  readonly presentationSweep?: readonly number[];
  /** Dataset indices of the sequences whose logit traces go to `traces` (default the first 3). */
  readonly traceSequences?: readonly number[];
  /** Warnings that do not stop the run (a stale --build folder compiled again: LMU7042). */
  readonly onWarning?: (d: Diagnostic) => void;
  /** Where the chip build came from (loaded or compiled): for stderr, never the document. */
  readonly onNote?: (text: string) => void;
}

/** The network's input size and classes, checked: evaluate needs one input, one cell, one readout. */
export function evaluationShape(net: NetworkIR, readout?: string): CellProgram {
  const where = { file: net.file, line: 1, column: 1 };
  if (!net.cells || net.cells.length === 0 || !net.readouts || net.readouts.length === 0) {
    throw new DiagnosticError([diag("LMU7020", `'${net.name}' has no trained cell with a readout to evaluate; import one with lmuc import model.pt -o net.yaml`, where)]);
  }
  if (readout === undefined && net.readouts.length > 1) {
    throw new DiagnosticError([diag("LMU7020", `'${net.name}' has ${net.readouts.length} readouts (${net.readouts.map((r) => r.id).join(", ")}); choose one with --readout`, where)]);
  }
  if (readout !== undefined && !net.readouts.some((r) => r.id === readout)) {
    throw new DiagnosticError([diag("LMU8002", `--readout ${readout}: the network has readouts ${net.readouts.map((r) => r.id).join(", ")}`)]);
  }
  return compileCellProgram(net, readout);
}

/** The logits of a run as the document stores them: one list per sequence, and the predictions. */
function scoreRaw(logits: Float64Array, labels: Int32Array, first: number, count: number, outputs: number): ModeResult {
  const rows: number[][] = [];
  const predictions: number[] = [];
  for (let i = 0; i < count; i++) {
    rows.push(Array.from(logits.subarray(i * outputs, (i + 1) * outputs)));
    predictions.push(argmax(logits, i * outputs, outputs));
  }
  return scoreMode(labels, first, predictions, rows, outputs);
}

/** Traced sequences, 0-based in the range: the requested dataset indices that fall in it. */
function tracedInRange(requested: readonly number[] | undefined, first: number, end: number): number[] {
  return [...new Set(requested ?? [0, 1, 2])].filter((i) => i >= first && i < end).sort((a, b) => a - b).map((i) => i - first);
}

function traceRows(traces: Float64Array, slot: number, steps: number, outputs: number): number[][] {
  return Array.from({ length: steps }, (_, t) => Array.from(traces.subarray((slot * steps + t) * outputs, (slot * steps + t + 1) * outputs)));
}

interface RunContext {
  readonly net: NetworkIR;
  readonly program: CellProgram;
  readonly data: Dataset;
  readonly opts: EvaluateOptions;
  readonly range: { first: number; count: number; steps: number; x: Float64Array };
  readonly shape: { inputSize: number; outputs: number };
}

/** One spiking mode at one K: convert (with the choices resolved), run, score against float. */
async function runSpikingMode(c: RunContext, mode: "spiking" | "chip", K: number | undefined, primary: boolean, float: Float64Array, traced: number[], progress: (done: number) => void): Promise<{ result: ModeResult; traces: Float64Array }> {
  const { net, program, data, opts, range } = c;
  const readout = net.readouts!.find((r) => r.id === program.readoutId);
  const cell = net.cells!.find((x) => x.id === readout?.from);
  const flags = { ...opts.spiking?.conversion, ...(K !== undefined ? { presentationSteps: K } : {}) };
  const { options, choices } = resolveConversion(cell, flags, mode);
  // Only the first K's chip build goes to --build (or is loaded from it); the others to temporary folders.
  const { buildDir, ...rest } = opts.spiking ?? {};
  // The cell's calibration block, when it has one, else the evaluation's inputs (all of them, so every shard converts alike).
  const calibration = cellCalibration(cell!, program.inputSize, undefined, data)!;
  const prepared =
    mode === "chip"
      ? chipBuild(primary ? buildDir : undefined, { net, program, networkSha256: programSha256(program), calibration, options, choices, spiking: rest }, data.steps, opts.onWarning)
      : prepareSpikingJob(mode, net, program, calibration.data, { ...rest, conversion: options });
  if (primary) opts.onNote?.(`${mode}: conversion scaled to ${calibration.source} (${calibration.data.sequences} sequences)`);
  if ("reused" in prepared) opts.onNote?.(prepared.reused ? `chip: loaded the build in ${buildDir} (its ${RECORD_FILE} matches this network, choices and calibration)` : `chip: compiled ${prepared.cores?.used} cores into ${prepared.cores?.buildDir}`);
  const raw = await runRange(prepared.job, c.shape, { ...range, traceSequences: traced }, opts.workers, progress);
  const stats = sequenceStats(raw.logits, float, raw.activity, range.count, program.outputs);
  const scored = scoreRaw(raw.logits, data.labels, range.first, range.count, program.outputs);
  return { result: { ...scored, spiking: summarize(prepared.presentationSteps, stats, choices, prepared.cores) }, traces: raw.traces };
}

export async function evaluateNetwork(net: NetworkIR, data: Dataset, opts: EvaluateOptions): Promise<EvaluationDoc> {
  const program = evaluationShape(net, opts.readout);
  const { first, end } = shardRange(data.sequences, opts.shard);
  const count = end - first;
  const outputs = program.outputs;
  const c: RunContext = { net, program, data, opts, range: { first, count, steps: data.steps, x: data.x }, shape: { inputSize: program.inputSize, outputs } };
  const spikingModes = EVAL_MODES.filter((m): m is "spiking" | "chip" => m !== "float" && opts.modes.includes(m));
  const sweep: readonly (number | undefined)[] = opts.presentationSweep && opts.presentationSweep.length > 0 ? opts.presentationSweep : [undefined];
  const outside = (opts.traceSequences ?? []).filter((i) => i >= data.sequences);
  if (outside.length > 0) throw new DiagnosticError([diag("LMU8002", `--trace-sequences ${outside.join(",")}: the dataset has sequences 0..${data.sequences - 1}`)]);
  const traced = spikingModes.length > 0 ? tracedInRange(opts.traceSequences, first, end) : [];
  const totalWork = count * ((opts.modes.includes("float") ? 1 : 0) + spikingModes.length * sweep.length);
  let before = 0;
  const progress = (done: number): void => opts.onProgress?.(before + done, totalWork);
  const modes: Partial<Record<EvalMode, ModeResult>> = {};
  const traceModes: Partial<Record<EvalMode, Float64Array>> = {};
  // Float first: the spiking modes are compared with it.
  const float = await runRange({ kind: "float", program }, c.shape, { ...c.range, traceSequences: traced }, opts.workers, opts.modes.includes("float") ? progress : undefined);
  if (opts.modes.includes("float")) {
    modes.float = scoreRaw(float.logits, data.labels, first, count, outputs);
    before += count;
  }
  traceModes.float = float.traces;
  const later: SweepEntry[] = sweep.slice(1).map((K) => ({ presentation_steps: K!, modes: {} }));
  for (const mode of spikingModes) {
    for (let j = 0; j < sweep.length; j++) {
      const r = await runSpikingMode(c, mode, sweep[j], j === 0, float.logits, j === 0 ? traced : [], progress);
      before += count;
      if (j === 0) {
        modes[mode] = r.result;
        traceModes[mode] = r.traces;
      } else later[j - 1].modes[mode] = r.result;
    }
  }
  const traces: LogitTrace[] = traced.map((i, slot) => ({
    sequence: first + i,
    label: data.labels[first + i],
    modes: Object.fromEntries(Object.entries(traceModes).map(([m, t]) => [m, traceRows(t, slot, data.steps, outputs)])),
  }));
  return {
    format: "lmuc-evaluation/1",
    lmuc: VERSION,
    network: net.name,
    network_sha256: programSha256(program),
    inputs_sha256: data.inputsSha256,
    labels_sha256: data.labelsSha256,
    sequences: data.sequences,
    steps: data.steps,
    input_dimensions: data.dimensions,
    classes: outputs,
    ...(opts.shard ? { shard: { index: opts.shard.index, count: opts.shard.count, first, end } } : {}),
    modes,
    ...(later.length > 0 ? { presentation_sweep: later } : {}),
    ...(spikingModes.length > 0 ? { traces } : {}),
  };
}

/** Accuracy against K: one row per K (the first from `modes`, the rest from the sweep), one cell per spiking mode. */
export function presentationRows(doc: EvaluationDoc): { K: number; cells: { mode: EvalMode; result: ModeResult }[] }[] {
  const cellsOf = (modes: Partial<Record<EvalMode, ModeResult>>) => (Object.entries(modes) as [EvalMode, ModeResult][]).filter(([, m]) => m.spiking).map(([mode, result]) => ({ mode, result }));
  const first = cellsOf(doc.modes);
  if (first.length === 0) return [];
  return [{ K: first[0].result.spiking!.presentation_steps, cells: first }, ...(doc.presentation_sweep ?? []).map((e) => ({ K: e.presentation_steps, cells: cellsOf(e.modes) }))];
}

export function evaluationJson(doc: EvaluationDoc): string {
  return JSON.stringify(doc) + "\n";
}
