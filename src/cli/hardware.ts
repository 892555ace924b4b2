/** `lmuc compile | inspect | emulate | compare | verify`: formatting only; the work is elsewhere. */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Command, InvalidArgumentError, Option } from "commander";
import { loadNetworkFile } from "../api.js";
import { BUILD_FILES, TRAINED_RECORD_FILE } from "../backends/loihi/build-files.js";
import { readBuild, writeBuild, type LoadedBuild } from "../build.js";
import { compileNetwork, HARDWARE_PASSES, type CompileReport } from "../compile.js";
import { diag, DiagnosticError, formatDiagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
// compare, the emulator and verify are loaded by the commands that run them (compile needs none: ~30 fewer modules to load).
import type { ConformanceMismatch } from "../emulator/conformance.js";
import type { EmulatorOverflowError } from "../emulator/engine.js";
import { irReplacer } from "../ir/json.js";
import { positiveInt, positiveNumber } from "./options.js";
import { learningLines } from "./learning.js";
import { builtProbeValues, formatBytes, networkProbeValues, resolveSteps } from "./run-length.js";
import { assertOutputPath, assertParentIsFolder, writeFileAtomic } from "../io/write.js";
import { DECODE_NEURON_MODES, type DecodeNeuronsMode } from "../passes/decode-neurons.js";
import { FLOAT_PASSES, printIR } from "../passes/pipeline.js";
import { loadTarget } from "../target/target.js";
import { compareText, headroomWarnings, placementText } from "./hardware-text.js";
import type { TrainedCompileOptions } from "./compile-trained.js";
import { phaseProgress } from "./progress-io.js";
import { checkWindow, noteLargeOutput, parseWindow, probeIds, recordedProbes, type RecordedProbe, type RecordOptions } from "./record.js";

export interface HwIo {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
  progressLines?: boolean;
}

/** Thrown to end a command with exit code 1 (a check failed) after its output was printed; `diagnostics` say which check. */
export class CheckFailed extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[] = []) {
    super("check failed");
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const finite = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);
/** A headroom factor; unbounded where nothing can fill the register (report.json then omits it). */
const times = (x: number | null | undefined, digits: number): string => (finite(x) ? `${x.toFixed(digits)}×` : "unbounded");

function decodeMode(value: string): DecodeNeuronsMode {
  if (!(DECODE_NEURON_MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${DECODE_NEURON_MODES.join(", ")}`);
  return value as DecodeNeuronsMode;
}
const DECODE_HELP = "decoded chip → chip connections and LMU recurrences through on-chip decode neurons: auto (default: when the weights do not fit, cost > 4× the memory or more cores; every LMU recurrence that fits one chip), never, always";

/** What a worst-case headroom below 1× means: q can wrap only if that much of the input arrives in one step. */
function headroomMeaning(worst: number | null | undefined, typical: number | null | undefined): string {
  if (!finite(worst) || worst >= 1) return "";
  const risk = finite(typical) && typical < 2 ? "; little headroom at the calibrated rates: watch the q overflow count (emulate --stats, compare)" : "";
  return ` (q, 21 bits, can wrap only if over ${(100 * worst).toFixed(0)}% of the input's weight arrives in one step${risk})`;
}

/** The report's summary, and with `dir` the line saying what was written there (a trained build's conversion.json among `otherFiles`). */
export function compileSummary(r: CompileReport, dir?: string, otherFiles: readonly string[] = []): string {
  const p = r.partition;
  const lines = [
    `${r.network} → ${r.target}: ${r.neuronsOnChip} neurons on ${p.cores} core${p.cores === 1 ? "" : "s"} (${p.chips} chip${p.chips === 1 ? "" : "s"}); lower bound ${p.lowerBound} cores (${p.lowerBoundBy})${p.cores <= p.lowerBound ? ", optimal" : `, ${pct(p.cores / p.lowerBound - 1)} above`}`,
  ];
  for (const s of p.splits) lines.push(`  split ${s.block} into ${s.parts} parts (${s.reason})`);
  lines.push("  core  chip  compartments  input axons  output axons  synapse memory  blocks");
  for (const u of p.usage) {
    lines.push(`  ${String(u.core).padStart(4)}  ${String(u.chip).padStart(4)}  ${String(u.compartments).padStart(12)}  ${String(u.inputAxons).padStart(11)}  ${String(u.outputAxons).padStart(12)}  ${(u.synapseBits / 8192).toFixed(1).padStart(11)} KiB  ${[...new Set(u.blocks)].join(", ")}`);
  }
  const worst = r.connections.reduce<CompileReport["connections"][number] | undefined>((w, c) => (!w || c.lostMagnitude > w.lostMagnitude ? c : w), undefined);
  if (worst) lines.push(`  worst weight loss: ${pct(worst.lostMagnitude)} of connection ${worst.connections.join(",")} (${worst.pre} → ${worst.post}) rounds to zero (limit 5%: beyond it compile re-scales or refuses, LMU3004)`);
  lines.push("  quantization (per connection): exponent range, max and RMS weight error (of the largest weight), weights rounded to zero");
  for (const c of r.connections) {
    lines.push(`    ${c.connections.join(",")} ${c.pre} → ${c.post}: exp ≤ ${c.weightExp}, max ${pct(c.maxRelError)}, rms ${pct(c.rmsRelError)}, ${c.roundedToZero}/${c.weights} to zero (${pct(c.lostMagnitude)} of weight)`);
  }
  for (const b of r.blocks) {
    lines.push(`  block ${b.block}: du ${b.decayU}, dv ${b.decayV}, vth ≤ ${b.vth} (headroom ${times(b.thresholdHeadroom, 2)}), ${finite(b.accumulatorHeadroomExpected) || finite(b.accumulatorHeadroomWorstCase) ? `accumulator headroom ${times(b.accumulatorHeadroomExpected, 1)} typical, ${times(b.accumulatorHeadroomWorstCase, 2)} worst case${headroomMeaning(b.accumulatorHeadroomWorstCase, b.accumulatorHeadroomExpected)}` : "no input (its accumulator cannot wrap)"}`);
  }
  for (const d of r.decodePaths ?? []) {
    lines.push(`  ${d.connection} ${d.pre} → ${d.post}: ${d.path === "decode-neurons" ? `decode neurons (${d.decodeCompartments} compartments in ${d.decodeBlocks} block${d.decodeBlocks === 1 ? "" : "s"})` : "neuron-to-neuron weights"}: ${d.why}`);
  }
  for (const h of r.decodeHubs ?? []) lines.push(`  LMU ${h.node} recurrence: ${h.path === "chip" ? "on chip (decode hub)" : "through the host"}: ${h.why}`);
  lines.push(...learningLines(r));
  for (const h of r.hostOnly) lines.push(`  on the host: ${h.id} (${h.why})`);
  for (const n of r.notes) lines.push(`  note: ${n.message}`);
  for (const w of r.warnings) lines.push(formatDiagnostic(w).replace(/^/gm, "  "));
  if (dir) lines.push(`wrote ${dir} (${["manifest.json", ...BUILD_FILES, ...otherFiles].join(", ")})`);
  return lines.join("\n") + "\n";
}

/** Largest vector file `verify` reads, before and after gunzip (the biggest shipped vector is ~2 MiB gzipped). */
const MAX_VECTOR_BYTES = 256 * 1024 ** 2;

function readJsonMaybeGz(file: string): unknown {
  let buf: Buffer;
  try {
    // Refused by its size before reading: /dev/zero or a huge file would otherwise be read whole.
    const st = statSync(file);
    if (!st.isFile()) throw new DiagnosticError([diag("LMU8001", `cannot read '${file}': not a regular file`)]);
    if (st.size > MAX_VECTOR_BYTES) throw new DiagnosticError([diag("LMU8001", `cannot read '${file}': ${formatBytes(st.size)} is larger than a vector may be (${formatBytes(MAX_VECTOR_BYTES)})`)]);
    buf = readFileSync(file);
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    throw new DiagnosticError([diag("LMU8001", `cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)]);
  }
  try {
    const text = file.endsWith(".gz") || (buf[0] === 0x1f && buf[1] === 0x8b) ? gunzipSync(buf, { maxOutputLength: MAX_VECTOR_BYTES }).toString("utf8") : buf.toString("utf8");
    return JSON.parse(text);
  } catch (e) {
    throw new DiagnosticError([diag("LMU8004", `'${file}' is not (gzipped) JSON: ${(e as Error).message.split("\n")[0]}`)]);
  }
}

/** Compartment `global` (numbered core by core, as the emulator does) → its core, block and source. */
function whereIs(global: number, b: LoadedBuild): { text: string; origin?: SourceLocation } {
  let first = 0;
  for (const core of b.chip.cores) {
    const local = global - first;
    first += core.nCompartments;
    if (local >= core.nCompartments) continue;
    const block = core.blocks.find((bl) => local >= bl.start && local < bl.start + bl.count);
    const text = `core ${core.index}, compartment ${local}${block ? ` = ${block.label}[${local - block.start}] (${block.source})` : ""}`;
    return block?.origin ? { text, origin: block.origin } : { text };
  }
  return { text: `compartment ${global}` };
}

/** An overflow under `--overflow error`: the user's check failed (exit 1), located at the block's source. */
function overflowDiagnostic(e: EmulatorOverflowError, b: LoadedBuild): Diagnostic {
  const where = whereIs(e.compartment, b);
  // e.message names the step, the register (q, u or u + bias), the emulator's compartment and the range.
  return diag("LMU6001", `${b.dir}: ${e.message} (${where.text})`, where.origin);
}

export function addHardwareCommands(program: Command, io: HwIo): void {
  program
    .command("compile")
    .description("compile a network to a hardware configuration (build folder)")
    .argument("<network>", "network file")
    .option("-t, --target <name>", "target name (targets/NAME.yaml) or a target file", "loihi1")
    .option("-o, --out <dir>", "build folder to write (default out/<network name>)")
    .option("--dump-ir-after <pass>", `print the IR after a pass (${[...FLOAT_PASSES.map((p) => p.name), ...HARDWARE_PASSES].join(", ")}) and stop`)
    .option("--json", "print the compile report as JSON")
    .option("--decode-neurons <mode>", DECODE_HELP, decodeMode, "auto" as DecodeNeuronsMode)
    .option("-q, --quiet", "no progress output")
    .option("--inputs <x.npy>", "trained cells: calibration inputs [sequences, steps, inputs] (overrides the cell's calibration block)")
    .option("--presentation-steps <K>", "trained cells: simulator steps per sequence step", positiveInt("--presentation-steps"))
    .option("--neurons-per-unit <n>", "trained cells: neurons per hidden unit and per memory dimension", positiveInt("--neurons-per-unit"))
    .option("--conversion <key=value>", "trained cells: a conversion choice as the file's conversion block names it (lists as low:high); repeatable; overrides the file", (v: string, prev: string[] = []) => [...prev, ...v.split(",").filter((s) => s.trim() !== "")])
    .action(async (file: string, opts: CompileCliOptions, cmd: Command) => runCompile(file, { ...opts, decodeNeuronsGiven: cmd.getOptionValueSource("decodeNeurons") === "cli" }, io));

  program
    .command("inspect")
    .description("show what a build folder holds: cores, utilisation, quantization, placement")
    .argument("<build>", "build folder written by lmuc compile")
    .option("--json", "print as JSON")
    .action(async (dir: string, opts: { json?: boolean }) => runInspect(dir, opts, io));

  program
    .command("emulate")
    .description("run a build folder on the bit-accurate chip emulator with its host program")
    .argument("<build>", "build folder written by lmuc compile")
    .option("-d, --duration <seconds>", "simulated time", positiveNumber("--duration"))
    .option("--steps <n>", "number of steps", positiveInt("--steps"))
    .option("-o, --out <file>", "write probe data and statistics as JSON")
    .option("--stats", "print per-core time and energy per step")
    .addOption(new Option("--overflow <policy>", "wrap (as the chip), warn, or error (exit 1 at the first overflow)").choices(["wrap", "warn", "error"]).default("warn"))
    .option("--json", "print the summary as JSON")
    .option("--probes <ids>", "with --out: record only these probes (comma-separated ids)")
    .option("--window <start:end>", "with --out: record only this time window, seconds")
    .option("--sample-every <n>", "with --out: record every n-th sample", positiveInt("--sample-every"))
    .option("-q, --quiet", "no progress output")
    .action((dir: string, opts: EmulateCliOptions) => runEmulate(dir, opts, io));

  program
    .command("compare")
    .description("compile, emulate and float-simulate a network on the same inputs; report accuracy and cost")
    .argument("<network>", "network file")
    .option("-t, --target <name>", "target name or file", "loihi1")
    .option("-d, --duration <seconds>", "simulated time (default 2 s)", positiveNumber("--duration"))
    .option("--steps <n>", "number of steps", positiveInt("--steps"))
    .option("--report <file>", "write the HTML report here (report.json beside it)", "out/report.html")
    .option("--build <dir>", "build folder to write and emulate from (default: beside the report)")
    .option("--max-nrmse <x>", "exit 1 if the emulator's NRMSE (vs ideal, else vs float) exceeds x", positiveNumber("--max-nrmse"))
    .option("--window <start:end>", "the time window the report shows at full resolution, seconds (default: the last second)")
    .option("--json", "print the report summary as JSON")
    .option("--decode-neurons <mode>", DECODE_HELP, decodeMode, "auto" as DecodeNeuronsMode)
    .option("-q, --quiet", "no progress output")
    .action((file: string, opts: CompareCliOptions) => runCompare(file, opts, io));

  program
    .command("verify")
    .description("check the emulator against a conformance vector (lmuc-conformance/1), or the float simulator against a Nengo reference vector")
    .argument("<vector>", "a .json or .json.gz vector")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: { json?: boolean }) => {
      const json = readJsonMaybeGz(file);
      const format = (json as { format?: unknown })?.format;
      if (format === "lmuc-conformance/1") {
        const { ConformanceFormatError, ConformanceUnsupportedError, runConformance } = await import("../emulator/conformance.js");
        let result;
        try {
          result = runConformance(json);
        } catch (e) {
          if (e instanceof ConformanceFormatError) throw new DiagnosticError([diag("LMU8004", `${file}: ${e.message}`)]);
          if (e instanceof ConformanceUnsupportedError) throw new DiagnosticError([diag("LMU6101", `${file}: ${e.message}`)]);
          throw e;
        }
        if (opts.json) io.out(JSON.stringify(result, null, 1) + "\n");
        else if (result.pass) {
          const learned = result.learningUpdates === undefined ? "" : ` (with ${result.learningUpdates.traces} trace and ${result.learningUpdates.weights} weight updates)`;
          io.out(`PASS ${file}: ${result.name}${learned}, ${result.steps} steps bit-exact\n`);
        }
        else {
          io.out(`FAIL ${file}: ${result.name}: first mismatch at ${mismatchPlace(result.firstMismatch!)}\n`);
        }
        if (!result.pass) throw new CheckFailed();
        return;
      }
      const { verifyReference } = await import("../verify/reference.js");
      const result = verifyReference(json);
      if (result.checks.length === 0) {
        throw new DiagnosticError([diag("LMU8004", `${file}: not a vector lmuc knows: expected format "lmuc-conformance/1" or a Nengo reference vector (lmu-matrices, neuron-tuning, lif-spiking, decoders, net-lmu-memory, net-delay)`)]);
      }
      if (opts.json) io.out(JSON.stringify(result, null, 1) + "\n");
      else {
        io.out(`${result.pass ? "PASS" : "FAIL"} ${file} (${result.kind}, float simulator)\n`);
        for (const c of result.checks) io.out(`  ${c.pass ? "ok  " : "FAIL"} ${c.what}: ${c.detail}\n`);
      }
      if (!result.pass) throw new CheckFailed();
    });
}

/** Where a conformance run first diverged: learning mismatches name group, step and axon. */
function mismatchPlace(m: ConformanceMismatch): string {
  const values = `expected ${m.expected}, got ${m.got}`;
  if (m.group === undefined) return `step ${m.step}, compartment ${m.compartment}, ${m.quantity}: ${values}`;
  const readout = m.quantity === "trace" ? "" : `, readout compartment ${m.compartment}`;
  return `learning group ${m.group}, step ${m.step}, axon ${m.axon}${readout}, ${m.quantity}: ${values}`;
}

interface CompareCliOptions {
  target: string;
  duration?: number;
  steps?: number;
  report: string;
  build?: string;
  maxNrmse?: number;
  window?: string;
  json?: boolean;
  decodeNeurons: DecodeNeuronsMode;
  quiet?: boolean;
}

async function runCompare(file: string, opts: CompareCliOptions, io: HwIo): Promise<void> {
  for (const out of [opts.report, opts.report.replace(/\.html?$/, "") + ".json"]) assertOutputPath(out);
  if (opts.build) assertParentIsFolder(opts.build);
  const window = opts.window !== undefined ? parseWindow(opts.window) : undefined;
  const target = loadTarget(opts.target);
  const net = loadNetworkFile(file);
  // Emulator, float simulator and the ideal twin hold their probe arrays at the same time.
  const steps = resolveSteps(opts, net.dtSeconds, 2, { valuesPerStep: networkProbeValues(net), copies: 3 });
  if (window) checkWindow(window, steps, net.dtSeconds);
  const onProgress = phaseProgress(io, !!(opts.quiet || opts.json));
  const buildDir = opts.build ?? join(opts.report.replace(/[^/]*$/, "") || ".", `${net.name}.build`);
  // One dynamic import at a time: jest's ESM loader fails on two at once that share a dependency.
  const { compareNetwork } = await import("../compare/compare.js");
  const { renderReportHtml } = await import("../compare/html.js");
  const report = compareNetwork(net, target, {
    steps, buildDir, source: { file, text: readFileSync(file, "utf8") }, decodeNeurons: opts.decodeNeurons,
    ...(opts.maxNrmse !== undefined ? { maxNrmse: opts.maxNrmse } : {}), ...(onProgress ? { onProgress } : {}), ...(window ? { window } : {}),
  });
  const jsonPath = opts.report.replace(/\.html?$/, "") + ".json";
  writeFileAtomic(jsonPath, JSON.stringify(report, irReplacer, 1) + "\n");
  writeFileAtomic(opts.report, renderReportHtml(report));
  if (opts.json) io.out(JSON.stringify({ ok: report.check?.passed ?? true, report: jsonPath, html: opts.report, probes: report.probes.map(({ traces: _t, heat: _h, window: _w, sliding: _s, ...rest }) => rest), cost: { ...report.cost, perCore: undefined, traffic: undefined }, ...(report.learning ? { learning: report.learning } : {}) }, irReplacer, 1) + "\n");
  else io.out(compareText(file, report, target.name, buildDir, jsonPath, opts.report));
  for (const w of headroomWarnings(report)) io.err(formatDiagnostic(w) + "\n");
  if (report.check && !report.check.passed) {
    io.err(`check failed: emulator NRMSE ${report.check.worst.toFixed(4)} exceeds --max-nrmse ${report.check.maxNrmse}\n`);
    throw new CheckFailed();
  }
}

type EmulateCliOptions = { duration?: number; steps?: number; out?: string; stats?: boolean; overflow: string; json?: boolean; quiet?: boolean } & RecordOptions;

async function runEmulate(dir: string, opts: EmulateCliOptions, io: HwIo): Promise<void> {
  if (opts.out) assertOutputPath(opts.out);
  if (opts.window !== undefined) parseWindow(opts.window);
  const b = readBuild(dir);
  const steps = resolveSteps(opts, b.chip.dtSeconds, 1, { valuesPerStep: builtProbeValues(b.host.network.probes), copies: 1 });
  if (opts.window !== undefined) checkWindow(parseWindow(opts.window), steps, b.chip.dtSeconds);
  if (opts.probes !== undefined) probeIds(opts.probes, b.host.network.probes.map((p) => p.id));
  const { HardwareRun } = await import("../emulator/runner.js");
  const { EmulatorOverflowError } = await import("../emulator/engine.js");
  const run = new HardwareRun(b.chip, b.host, { overflow: opts.overflow as "wrap" | "warn" | "error", expectedSteps: steps });
  const p = phaseProgress(io, !!(opts.quiet || opts.json));
  try {
    run.run(steps, p ? (d, t) => p("emulate", d, t) : undefined);
  } catch (e) {
    if (e instanceof EmulatorOverflowError) throw new CheckFailed([overflowDiagnostic(e, b)]);
    throw e;
  }
  const stats = run.stats();
  if (opts.out) {
    const probes = recordedProbes(run.probeResults(), opts, steps, b.chip.dtSeconds);
    const first = (pr: RecordedProbe) => (pr.firstStep !== undefined ? { first_step: pr.firstStep } : {});
    const doc = {
      format: "lmuc-emulation/1", build: dir, network: b.report.network, target: b.target.name, dt: b.chip.dtSeconds, steps,
      probes: Object.fromEntries(probes.map((pr) => [pr.id, pr.spikes ? { attr: pr.attr, rows: pr.rows, spike_steps: pr.spikes.spikeSteps } : { attr: pr.attr, shape: [pr.rows, pr.size], ...(pr.sampleEverySteps !== 1 ? { sample_every: pr.sampleEverySteps } : {}), ...first(pr), data: pr.data }])),
      stats: { ...stats, wallSeconds: undefined },
    };
    writeFileAtomic(opts.out, JSON.stringify(doc, irReplacer) + "\n");
    noteLargeOutput(opts.out, io.err);
  }
  if (opts.json) {
    io.out(JSON.stringify({ ok: true, steps, stats }, irReplacer, 1) + "\n");
  } else {
    io.out(`${dir}: emulated ${steps} steps on ${stats.cores} cores in ${stats.wallSeconds.toFixed(2)} s (${Math.round(steps / Math.max(stats.wallSeconds, 1e-9))} steps/s, ${(stats.synapticEvents / Math.max(stats.wallSeconds, 1e-9)).toExponential(2)} synaptic events/s)\n`);
    io.out(`  chip (modelled, Loihi 1 figures): ${(stats.stepNsMean / 1000).toFixed(2)} µs per step (max ${(stats.stepNsMax / 1000).toFixed(2)}), ${(stats.energyPjMean / 1000).toFixed(1)} nJ per step, ${stats.spikes} spikes, ${stats.synapticEvents} synaptic events\n`);
    const o = stats.overflows;
    if (o.q + o.u + o.uBias > 0) io.err(`${dir}: warning: overflows wrapped: q ${o.q}, u ${o.u}, u+bias ${o.uBias}\n`);
    const L = run.emulator.learning;
    if (L) io.out(`  learning: ${L.groupCount} group${L.groupCount === 1 ? "" : "s"}, ${L.traceUpdates} trace and ${L.weightUpdates} weight updates, ${run.clippedErrors} errors clipped, ${L.lostTraceSpikes} trace spikes lost\n`);
    if (opts.stats) {
      io.out("  core  ns/step   pJ/step   synaptic events  spikes\n");
      for (const c of stats.perCore) io.out(`  ${String(c.core).padStart(4)}  ${c.nsMean.toFixed(0).padStart(7)}  ${c.pjMean.toFixed(0).padStart(8)}  ${String(c.synapticEvents).padStart(15)}  ${String(c.spikes).padStart(6)}\n`);
    }
    if (opts.out) io.out(`wrote ${opts.out}\n`);
  }
}

type CompileCliOptions = { target: string; out?: string; dumpIrAfter?: string; json?: boolean; decodeNeurons: DecodeNeuronsMode; decodeNeuronsGiven?: boolean; quiet?: boolean } & Omit<TrainedCompileOptions, "target" | "out" | "dumpIrAfter" | "json" | "quiet">;

/** A trained cell's conversion (and evaluate's modules it needs) loads only for networks that have one. */
const trainedModule = (): Promise<typeof import("./compile-trained.js")> => import("./compile-trained.js");
const hasTrainedRecord = (b: LoadedBuild): boolean => TRAINED_RECORD_FILE in b.otherFiles;

async function runCompile(file: string, opts: CompileCliOptions, io: HwIo): Promise<void> {
  const passes = [...FLOAT_PASSES.map((p) => p.name), ...HARDWARE_PASSES];
  if (opts.dumpIrAfter && !passes.includes(opts.dumpIrAfter)) throw new InvalidArgumentError(`unknown pass '${opts.dumpIrAfter}' (passes: ${passes.join(", ")})`);
  const target = loadTarget(opts.target);
  const net = loadNetworkFile(file);
  // A trained cell is converted first, as evaluate --mode chip does (decode neurons always).
  if (net.cells && net.cells.length > 0 && opts.decodeNeuronsGiven && opts.decodeNeurons !== "always") throw new InvalidArgumentError(`--decode-neurons ${opts.decodeNeurons}: a trained cell is compiled with decode neurons always, as lmuc evaluate --mode chip builds it (so that evaluate --build can load it)`);
  if (net.cells && net.cells.length > 0) return (await trainedModule()).runCompileTrained(file, net, opts, io, (b, dir) => compileSummary(b.report, dir, Object.keys(b.otherFiles)));
  const trainedOnly = (["inputs", "presentationSteps", "neuronsPerUnit", "conversion"] as const).find((k) => opts[k] !== undefined);
  if (trainedOnly) throw new InvalidArgumentError(`--${trainedOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to networks with a trained cell; '${net.name}' has none`);
  let dumped = false;
  const progress = phaseProgress(io, !!(opts.quiet || opts.json || opts.dumpIrAfter));
  let passesDone = 0;
  const passCount = passes.length;
  const result = compileNetwork(net, target, {
    decodeNeurons: opts.decodeNeurons,
    ...(progress ? { onProgress: progress } : {}),
    onPass: (name, ir) => {
      progress?.("compile", Math.min(++passesDone, passCount), passCount);
      if (name !== opts.dumpIrAfter || dumped) return;
      dumped = true;
      // The same stable text as `lmuc ir --after`, hardware passes included.
      io.out(opts.json || !("stage" in ir) ? JSON.stringify(ir, irReplacer, 1) + "\n" : printIR(ir));
    },
  });
  if (opts.dumpIrAfter) return;
  const dir = opts.out ?? join("out", net.name);
  assertParentIsFolder(dir);
  writeBuild(dir, result, target, { file, text: readFileSync(file, "utf8") });
  if (opts.json) io.out(JSON.stringify({ ok: true, out: dir, report: result.report }, irReplacer, 1) + "\n");
  else io.out(compileSummary(result.report, dir));
}

async function runInspect(dir: string, opts: { json?: boolean }, io: HwIo): Promise<void> {
  const b = readBuild(dir);
  const trainedCli = hasTrainedRecord(b) ? await trainedModule() : undefined;
  if (opts.json) {
    const trained = trainedCli?.readTrainedRecord(b);
    io.out(JSON.stringify({ ok: true, manifest: b.manifest, report: b.report, ...(trained ? { conversion: trained } : {}) }, irReplacer, 1) + "\n");
    return;
  }
  io.out(`${dir}: lmuc ${String(b.manifest.lmuc)}, target ${b.target.name}, ${b.chip.cores.length} cores, all ${Object.keys(b.manifest.files).length} files verified\n`);
  io.out(compileSummary(b.report));
  for (const line of learningLines({ ...b.report, learning: [] }, b.chip)) io.out(line + "\n");
  io.out(placementText(b));
  const trained = trainedCli?.readTrainedRecord(b);
  if (trained && trainedCli) io.out(trainedCli.trainedLines(trained).join("\n") + "\n");
}
