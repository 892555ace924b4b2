/**
 * `lmuc evaluate`: a network with a trained cell over a labelled dataset, sequence by sequence
 * with the state reset between sequences, in one or more modes: `float` (the cell's equations),
 * `spiking` (the converted network on the float simulator) and `chip` (its build on the
 * emulator; modes.ts prepares both). The result document is
 * deterministic (no paths, times or worker counts in it), so a run split into shards and merged
 * is byte-identical to the same run in one piece.
 */
import { createHash } from "node:crypto";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { NetworkIR } from "../ir/network.js";
import { compileCellProgram, type CellProgram } from "../sim/cell.js";
import { VERSION } from "../version.js";
import type { Dataset } from "./dataset.js";
import { runRange } from "./pool.js";
import { ACTIVITY_COLUMNS } from "./chunks.js";
import { prepareSpikingJob, type SpikingOptions } from "./modes.js";

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

export interface SpikingSummary {
  readonly presentation_steps: number;
  /** Fraction of sequences whose prediction equals float's. */
  readonly agreement: number;
  /** sqrt(Σ(logits − float)²) / sqrt(Σ float²) over every sequence and class. */
  readonly logit_nrmse: number;
  readonly spikes_per_sequence: number;
  readonly synaptic_events_per_sequence: number;
  /** Chip mode: modelled chip time (s) and energy (J) per sequence (emulator cost model). */
  readonly chip_seconds_per_sequence: number;
  readonly chip_joules_per_sequence: number;
  readonly cores?: number;
  readonly cores_lower_bound?: number;
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

function argmax(v: Float64Array, off: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (v[off + k] > v[off + best]) best = k;
  return best;
}

export interface EvaluateOptions {
  readonly modes: readonly EvalMode[];
  readonly workers: number;
  readonly shard?: Shard;
  readonly readout?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly spiking?: SpikingOptions;
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

function spikingSummary(K: number, raw: { logits: Float64Array; activity: Float64Array }, float: Float64Array, count: number, outputs: number, cores?: { used: number; lowerBound: number }): SpikingSummary {
  let agree = 0, se = 0, sr = 0;
  for (let i = 0; i < count; i++) {
    if (argmax(raw.logits, i * outputs, outputs) === argmax(float, i * outputs, outputs)) agree++;
    for (let k = i * outputs; k < (i + 1) * outputs; k++) {
      se += (raw.logits[k] - float[k]) ** 2;
      sr += float[k] ** 2;
    }
  }
  const mean = (col: number): number => {
    let s = 0;
    for (let i = 0; i < count; i++) s += raw.activity[i * ACTIVITY_COLUMNS + col];
    return count > 0 ? s / count : 0;
  };
  return {
    presentation_steps: K, agreement: count > 0 ? agree / count : 0, logit_nrmse: sr > 0 ? Math.sqrt(se / sr) : 0,
    spikes_per_sequence: mean(0), synaptic_events_per_sequence: mean(1), chip_seconds_per_sequence: mean(2) * 1e-9, chip_joules_per_sequence: mean(3) * 1e-12,
    ...(cores ? { cores: cores.used, cores_lower_bound: cores.lowerBound } : {}),
  };
}

export async function evaluateNetwork(net: NetworkIR, data: Dataset, opts: EvaluateOptions): Promise<EvaluationDoc> {
  const program = evaluationShape(net, opts.readout);
  const { first, end } = shardRange(data.sequences, opts.shard);
  const count = end - first;
  const modes: Partial<Record<EvalMode, ModeResult>> = {};
  const totalWork = count * opts.modes.length;
  const shape = { inputSize: program.inputSize, outputs: program.outputs };
  const range = { first, count, steps: data.steps, x: data.x };
  let before = 0;
  let floatLogits: Float64Array | undefined;
  // Float first: the spiking modes are compared with it.
  const order = [...opts.modes].sort((a, b) => EVAL_MODES.indexOf(a) - EVAL_MODES.indexOf(b));
  for (const mode of order) {
    const progress = (done: number): void => opts.onProgress?.(before + done, totalWork);
    let raw: { logits: Float64Array; activity: Float64Array };
    let extra: SpikingSummary | undefined;
    if (mode === "float") {
      raw = await runRange({ kind: "float", program }, shape, range, opts.workers, progress);
      floatLogits = raw.logits;
    } else {
      floatLogits ??= (await runRange({ kind: "float", program }, shape, range, opts.workers)).logits;
      const prepared = prepareSpikingJob(mode, net, program, data, opts.spiking);
      raw = await runRange(prepared.job, shape, range, opts.workers, progress);
      extra = spikingSummary(prepared.presentationSteps, raw, floatLogits, count, program.outputs, prepared.cores);
    }
    before += count;
    const logits: number[][] = [];
    const predictions: number[] = [];
    for (let i = 0; i < count; i++) {
      logits.push(Array.from(raw.logits.subarray(i * program.outputs, (i + 1) * program.outputs)));
      predictions.push(argmax(raw.logits, i * program.outputs, program.outputs));
    }
    const scored = scoreMode(data.labels, first, predictions, logits, program.outputs);
    modes[mode] = extra ? { ...scored, spiking: extra } : scored;
  }
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
    classes: program.outputs,
    ...(opts.shard ? { shard: { index: opts.shard.index, count: opts.shard.count, first, end } } : {}),
    modes,
  };
}

export function evaluationJson(doc: EvaluationDoc): string {
  return JSON.stringify(doc) + "\n";
}
