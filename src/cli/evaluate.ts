/** `lmuc evaluate`: formatting only; the work is in ../evaluate. */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { loadNetworkFile } from "../api.js";
import { formatDiagnostic } from "../diagnostics/diagnostic.js";
import { loadDataset } from "../evaluate/dataset.js";
import { choicesText } from "../evaluate/conversion.js";
import { checkModes, evaluateNetwork, evaluationJson, evaluationShape, presentationRows, type EvaluationDoc, type ModeResult, type Shard } from "../evaluate/evaluate.js";
import { renderEvaluationHtml } from "../evaluate/html.js";
import { parseConversionFlag } from "../frontend/conversion.js";
import type { ConversionOptions } from "../passes/convert-cells.js";
import { mergeEvaluations, readEvaluationFile } from "../evaluate/merge.js";
import { Progress } from "../util/progress.js";
import { writeFileAtomic } from "../io/write.js";
import { positiveInt } from "./options.js";

export interface EvaluateIo {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
}

interface EvaluateOpts {
  inputs?: string;
  labels?: string;
  mode: string;
  workers?: number;
  shard?: Shard;
  out?: string;
  report?: string;
  readout?: string;
  merge?: string[];
  json?: boolean;
  quiet?: boolean;
  presentationSteps?: number[];
  conversion?: string[];
  traceSequences?: number[];
  neuronsPerUnit?: number;
  synapse?: number;
  build?: string;
}

function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new InvalidArgumentError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/8), got '${v}'`);
  return { index, count };
}

/** "10,20,40" → [10, 20, 40]: each a whole number from `min`. */
function intList(flag: string, min: number) {
  return (v: string): number[] => {
    const xs = v.split(",").map((t) => t.trim());
    const out = xs.map((t) => (/^\d+$/.test(t) ? Number(t) : NaN));
    if (out.some((x) => !(x >= min)) || xs.length === 0) throw new InvalidArgumentError(`${flag} takes whole numbers ≥ ${min}, separated by commas (e.g. 10,20,40), got '${v}'`);
    return [...new Set(out)];
  };
}

/** Accuracy against K: one line per K of each spiking mode. */
function sweepLines(doc: EvaluationDoc): string[] {
  if (!doc.presentation_sweep) return [];
  const lines = ["  accuracy against presentation steps K:"];
  for (const row of presentationRows(doc)) {
    lines.push(`    K ${String(row.K).padStart(4)}: ${row.cells.map((c) => `${c.mode} ${(100 * c.result.accuracy).toFixed(2)} % (agreement ${(100 * (c.result.spiking?.agreement ?? 0)).toFixed(1)} %, NRMSE ${(c.result.spiking?.logit_nrmse ?? 0).toFixed(3)})`).join(", ")}`);
  }
  return lines;
}

function summary(doc: EvaluationDoc, source: string, seconds?: number): string {
  const n = doc.shard ? doc.shard.end - doc.shard.first : doc.sequences;
  const lines = [`${source}: ${n} sequences${doc.shard ? ` (shard ${doc.shard.index}/${doc.shard.count}: ${doc.shard.first}..${doc.shard.end - 1} of ${doc.sequences})` : ""}, ${doc.steps} steps${seconds !== undefined ? `, in ${seconds.toFixed(2)} s (${Number((n / Math.max(seconds, 1e-9)).toPrecision(3))} sequences/s)` : ""}`];
  for (const [mode, m] of Object.entries(doc.modes)) {
    lines.push(`  ${mode}: accuracy ${(100 * m.accuracy).toFixed(2)} % (${m.correct}/${m.total})`);
    const sp = m.spiking;
    if (sp) {
      lines.push(`    K ${sp.presentation_steps} steps per sequence step; agreement with float ${(100 * sp.agreement).toFixed(1)} %, logit NRMSE vs float ${sp.logit_nrmse.toFixed(3)}`);
      lines.push(`    per sequence: ${Math.round(sp.spikes_per_sequence)} spikes${sp.synaptic_events_per_sequence > 0 ? `, ${Math.round(sp.synaptic_events_per_sequence)} synaptic events` : ""}${sp.chip_seconds_per_sequence > 0 ? `, chip ${(sp.chip_seconds_per_sequence * 1e3).toFixed(3)} ms and ${(sp.chip_joules_per_sequence * 1e6).toFixed(2)} µJ (modelled)` : ""}`);
      if (sp.cores !== undefined) lines.push(`    cores ${sp.cores} (lower bound ${sp.cores_lower_bound}), memory and hidden units on chip`);
      lines.push(`    conversion: ${choicesText(sp.conversion)}`);
    }
    lines.push(`    recall per class: ${m.per_class.map((c) => `${c.class}: ${c.recall === null ? "-" : `${(100 * c.recall).toFixed(1)}%`}`).join(", ")}`);
  }
  lines.push(...sweepLines(doc));
  return lines.join("\n") + "\n";
}

function jsonSummary(doc: EvaluationDoc, extra: Record<string, unknown>): string {
  const brief = (m: ModeResult) => ({
    accuracy: m.accuracy, correct: m.correct, total: m.total,
    ...(m.spiking ? { presentation_steps: m.spiking.presentation_steps, agreement: m.spiking.agreement, logit_nrmse: m.spiking.logit_nrmse, conversion: m.spiking.conversion } : {}),
  });
  const modes = Object.fromEntries(Object.entries(doc.modes).map(([k, m]) => [k, brief(m)]));
  const sweep = doc.presentation_sweep ? { presentation_sweep: presentationRows(doc).flatMap((r) => r.cells.map((c) => ({ mode: c.mode, presentation_steps: r.K, ...brief(c.result) }))) } : {};
  return JSON.stringify({ ok: true, network: doc.network, sequences: doc.sequences, steps: doc.steps, ...(doc.shard ? { shard: doc.shard } : {}), ...modes, ...sweep, ...extra }, null, 2) + "\n";
}

/** The conversion flags as ConversionOptions fields: the named flags, then each --conversion KEY=VALUE. */
export function conversionFlags(opts: Pick<EvaluateOpts, "presentationSteps" | "neuronsPerUnit" | "synapse" | "conversion">): Partial<ConversionOptions> {
  const flags: Record<string, unknown> = {
    ...(opts.presentationSteps !== undefined ? { presentationSteps: opts.presentationSteps[0] } : {}),
    ...(opts.neuronsPerUnit !== undefined ? { hiddenPerUnit: opts.neuronsPerUnit, memoryPerDimension: opts.neuronsPerUnit } : {}),
    ...(opts.synapse !== undefined ? { synapseSeconds: opts.synapse, readoutSynapseSeconds: opts.synapse } : {}),
  };
  for (const text of opts.conversion ?? []) {
    const c = parseConversionFlag(text, "--conversion");
    flags[c.option] = c.value;
  }
  return flags as Partial<ConversionOptions>;
}

function writeOutputs(doc: EvaluationDoc, opts: EvaluateOpts, labels?: ArrayLike<number>): void {
  // Both are rendered before either is written: a failure leaves neither half-done.
  const json = opts.out ? evaluationJson(doc) : undefined;
  const html = opts.report ? renderEvaluationHtml(doc, labels) : undefined;
  if (opts.out && json) writeFileAtomic(opts.out, json);
  if (opts.report && html) writeFileAtomic(opts.report, html);
}

async function run(io: EvaluateIo, file: string | undefined, opts: EvaluateOpts): Promise<void> {
  if (opts.merge) {
    if (file !== undefined || opts.inputs || opts.labels || opts.shard) throw new InvalidArgumentError("--merge takes only part files (and --out, --report, --json)");
    const doc = mergeEvaluations(opts.merge.map((path) => ({ path, doc: readEvaluationFile(path) })));
    writeOutputs(doc, opts);
    io.out(opts.json ? jsonSummary(doc, { parts: opts.merge.length, ...(opts.out ? { out: opts.out } : {}) }) : summary(doc, `merged ${opts.merge.length} parts`));
    return;
  }
  if (file === undefined) throw new InvalidArgumentError("give a network file (or --merge part files)");
  if (!opts.inputs || !opts.labels) throw new InvalidArgumentError("give the dataset: --inputs X.npy --labels Y.npy");
  const modes = checkModes((opts.mode === "all" ? "float,spiking,chip" : opts.mode).split(",").map((s) => s.trim()).filter((s) => s.length > 0));
  const net = loadNetworkFile(file);
  const shape = evaluationShape(net, opts.readout);
  const data = loadDataset(opts.inputs, opts.labels, shape.inputSize, shape.outputs);
  const progress = opts.quiet || opts.json ? undefined : new Progress({ tty: io.isTty, write: io.err, label: "evaluate" });
  const t0 = performance.now();
  const doc = await evaluateNetwork(net, data, {
    modes,
    workers: opts.workers ?? availableParallelism(),
    ...(opts.shard ? { shard: opts.shard } : {}),
    ...(opts.readout ? { readout: opts.readout } : {}),
    ...(opts.presentationSteps && opts.presentationSteps.length > 1 ? { presentationSweep: opts.presentationSteps } : {}),
    ...(opts.traceSequences ? { traceSequences: opts.traceSequences } : {}),
    spiking: {
      conversion: conversionFlags(opts),
      ...(opts.build ? { buildDir: opts.build } : {}),
    },
    ...(progress ? { onProgress: (done: number, total: number) => progress.update(done, total) } : {}),
    onWarning: (d) => io.err(formatDiagnostic(d) + "\n"),
    ...(opts.quiet || opts.json ? {} : { onNote: (text: string) => io.err(text + "\n") }),
  });
  const seconds = (performance.now() - t0) / 1000;
  writeOutputs(doc, opts, data.labels);
  if (opts.json) io.out(jsonSummary(doc, { seconds, ...(opts.out ? { out: opts.out } : {}) }));
  else {
    io.out(summary(doc, file, seconds));
    for (const p of [opts.out, opts.report]) if (p) io.out(`wrote ${p}\n`);
  }
}

export function addEvaluateCommand(program: Command, io: EvaluateIo): void {
  program
    .command("evaluate")
    .description("run a network with a trained cell over a labelled dataset (state reset per sequence): accuracy, confusion, per-sequence predictions and logits")
    .argument("[network]", "network file with a trained cell and a readout (lmuc import writes one)")
    .option("--inputs <x.npy>", "input sequences, shape [sequences, steps, input dimensions]")
    .option("--labels <y.npy>", "integer class labels, shape [sequences]")
    .option("--mode <modes>", "comma-separated: float, spiking (converted network, float simulator), chip (compiled, emulator), or all", "float")
    .option("--presentation-steps <K,...>", "spiking modes: simulator steps per sequence step; several (10,20,40) run each and report accuracy against K", intList("--presentation-steps", 1))
    .option("--conversion <key=value>", "spiking modes: a conversion choice as the network file's conversion block names it (lists as low:high, e.g. max_rates=200:400); repeatable; overrides the file", (v: string, prev: string[] = []) => [...prev, ...v.split(",").filter((t) => t.trim() !== "")])
    .option("--trace-sequences <i,...>", "spiking modes: dataset indices of the sequences whose per-step logits the report plots (default 0,1,2)", intList("--trace-sequences", 0))
    .option("--neurons-per-unit <n>", "spiking modes: neurons per hidden unit and per memory dimension", positiveInt("--neurons-per-unit"))
    .option("--synapse <seconds>", "spiking modes: synapse time constant of every connection", (v: string) => {
      const x = Number(v);
      if (!(x > 0 && x < 1)) throw new InvalidArgumentError(`--synapse must be a time constant in seconds (0 < τ < 1), got '${v}'`);
      return x;
    })
    .option("--build <dir>", "chip mode: write the compiled build here (default: a temporary folder)")
    .option("--workers <n>", "worker threads (default: the number of cores); results do not depend on it", positiveInt("--workers"))
    .option("--shard <i/n>", "evaluate only the i-th of n equal parts of the dataset (for batch schedulers); combine the parts with --merge", parseShard)
    .option("--merge <parts...>", "combine the --out files of a sharded evaluation into the file of the whole run")
    .option("--readout <id>", "the readout to classify with, when the network has several")
    .option("-o, --out <file.json>", "write predictions, logits, accuracy and confusion as JSON")
    .option("--report <file.html>", "write a self-contained HTML page")
    .option("--json", "print the summary as JSON, keyed by mode")
    .option("-q, --quiet", "no progress output")
    .action((file: string | undefined, opts: EvaluateOpts) => run(io, file, opts));
}
