/**
 * The `lmuc` command line: commander wiring and output formatting only; the work is in ../api.ts.
 * Exit codes: 0 ok, 1 a check failed, 2 bad input (file, schema, options), 3 internal error.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { build, loadNetworkFile, simulateWithReference, type SimulationReport } from "../api.js";
import { learningCurveJson, learningCurveText } from "../sim/learning-curve.js";
import { DiagnosticError, diagnosticToJson, formatDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { irReplacer } from "../ir/json.js";
import { FLOAT_PASSES, printIR } from "../passes/pipeline.js";
import { compileNetwork, HARDWARE_PASSES, type AnyIR } from "../compile.js";
import { loadTarget } from "../target/target.js";
import { assertOutputPath, writeFileAtomic } from "../io/write.js";
import { phaseProgress } from "./progress-io.js";
import { checkWindow, noteLargeOutput, parseWindow, probeIds, recordedProbes, type RecordedProbe, type RecordOptions } from "./record.js";
import { validateNetwork } from "../passes/hardware-checks.js";
import { VERSION } from "../version.js";
import { assertReadableInput, assertReadableTarget, positiveInt, positiveNumber } from "./options.js";
import { networkProbeValues, resolveSteps } from "./run-length.js";

export const EXIT = { ok: 0, checkFailed: 1, badInput: 2, internal: 3 } as const;

/**
 * The other modules' commands, loaded when the command line needs them: a command loads only its
 * own module (`lmuc compile` does not load import's or evaluate's code; `lmuc validate` and
 * `--version` none of them);
 * help, an unknown command or no command loads every module, so that help lists every command
 * and commander's "did you mean" sees them all. Registered in this order, whichever are loaded.
 */
interface CommandModules {
  readonly hardware?: typeof import("./hardware.js");
  readonly import?: typeof import("./import.js");
  readonly evaluate?: typeof import("./evaluate.js");
}

const OWN_COMMANDS: readonly string[] = ["validate", "ir", "simulate"];
const HARDWARE_COMMANDS: readonly string[] = ["compile", "inspect", "emulate", "compare", "verify"];

async function loadCommandModules(argv: readonly string[]): Promise<CommandModules> {
  const command = argv[2];
  // --version prints before any command runs.
  if (OWN_COMMANDS.includes(command) || ((command === "--version" || command === "-V") && argv.length === 3)) return {};
  if (HARDWARE_COMMANDS.includes(command)) return { hardware: await import("./hardware.js") };
  if (command === "import") return { import: await import("./import.js") };
  if (command === "evaluate") return { evaluate: await import("./evaluate.js") };
  // One at a time: jest's ESM loader fails on concurrent dynamic imports that share a dependency.
  const hardware = await import("./hardware.js");
  const imports = await import("./import.js");
  const evaluate = await import("./evaluate.js");
  return { hardware, import: imports, evaluate };
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

interface Io {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
  /** Progress lines off a terminal (every 5 s); the command line turns them on, in-process callers choose. */
  progressLines?: boolean;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
  progressLines: true,
};

function reportDiagnostics(io: Io, diagnostics: readonly Diagnostic[], json: boolean): void {
  if (json) io.out(JSON.stringify({ ok: false, diagnostics: diagnostics.map(diagnosticToJson) }, null, 2) + "\n");
  else io.err(diagnostics.map(formatDiagnostic).join("\n") + "\n");
}

function fmt(x: number | undefined, digits = 4): string {
  return x === undefined ? "-" : x.toFixed(digits);
}

/** The simulation file: probe data plus accuracy; deterministic (no wall-clock values). */
export function simulationJson(report: SimulationReport, source: string): string {
  const probes: Record<string, unknown> = {};
  for (const p of report.probes) {
    probes[p.id] = p.spikes
      ? { attr: p.attr, rows: p.rows, sample_every: p.sampleEverySteps, spike_steps: p.spikes.spikeSteps, ...(p.spikes.spikeCounts.some((l) => l.some((c) => c !== 1)) ? { spike_counts: p.spikes.spikeCounts } : {}) }
      : { attr: p.attr, shape: [p.rows, p.size], sample_every: p.sampleEverySteps, ...((p as RecordedProbe).firstStep !== undefined ? { first_step: (p as RecordedProbe).firstStep } : {}), data: p.data };
  }
  const accuracy: Record<string, unknown> = {};
  for (const [id, a] of Object.entries(report.accuracy)) {
    accuracy[id] = { ...(a.nrmseVsIdealLmu !== undefined ? { nrmse_vs_ideal_lmu: a.nrmseVsIdealLmu } : {}), ...(a.nrmseVsExactDelay !== undefined ? { nrmse_vs_exact_delay: a.nrmseVsExactDelay } : {}) };
  }
  const doc = { format: "lmuc-simulation/1", lmuc: VERSION, network: report.name, source, dt: report.dtSeconds, steps: report.steps, neurons: report.neurons, probes, accuracy, ...(report.learning ? { learning: report.learning.map(learningCurveJson) } : {}) };
  return JSON.stringify(doc, irReplacer) + "\n";
}

function summaryText(report: SimulationReport, source: string): string {
  const lines = [
    `${source}: simulated ${report.steps} steps (${fmt(report.steps * report.dtSeconds, 3)} s) of '${report.name}', ${report.neurons} neurons, in ${fmt(report.wallSeconds, 2)} s (${Math.round(report.steps / Math.max(report.wallSeconds, 1e-9))} steps/s)`,
  ];
  const rows = report.probes.map((p) => {
    const a = report.accuracy[p.id] ?? {};
    const shape = p.spikes ? `${p.spikes.spikeSteps.length} neurons, ${p.spikes.spikeSteps.reduce((s, l) => s + l.length, 0)} spikes` : `${p.rows}x${p.size}`;
    return [p.id, p.attr, shape, fmt(a.nrmseVsIdealLmu), fmt(a.nrmseVsExactDelay)];
  });
  const header = ["probe", "attr", "recorded", "NRMSE vs ideal LMU", "NRMSE vs exact delay"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => "  " + r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  lines.push(line(header), ...rows.map(line));
  return lines.join("\n") + "\n";
}

/** `lmuc ir`: the IR after each float pass, or after every pass with --target, or after one with --after; text or --json. */
function printIrAfter(file: string, opts: { after?: string; target?: string; json?: boolean }, io: Io): void {
  const passes = [...FLOAT_PASSES.map((p) => p.name), ...HARDWARE_PASSES];
  if (opts.after && !passes.includes(opts.after)) {
    throw new InvalidArgumentError(`unknown pass '${opts.after}' (passes: ${passes.join(", ")})`);
  }
  const dumps: { pass: string; ir: AnyIR }[] = [];
  const keep = (pass: string, ir: AnyIR): void => {
    if (!opts.after || opts.after === pass) dumps.push({ pass, ir });
  };
  const hardware = opts.target !== undefined || (opts.after !== undefined && HARDWARE_PASSES.includes(opts.after));
  if (hardware) compileNetwork(loadNetworkFile(file), loadTarget(opts.target ?? "loihi1"), { onPass: keep });
  else build(loadNetworkFile(file), keep);
  if (opts.json) {
    io.out(JSON.stringify(opts.after ? dumps[0].ir : Object.fromEntries(dumps.map((d) => [d.pass, d.ir])), irReplacer, 1) + "\n");
    return;
  }
  for (const d of dumps) {
    io.out(`// ---- IR after ${d.pass}\n`);
    io.out(printIR(d.ir));
  }
}

function runValidate(file: string, opts: { json?: boolean }, io: Io): void {
  const net = loadNetworkFile(file);
  const { warnings } = validateNetwork(net);
  if (!opts.json && warnings.length > 0) io.err(warnings.map(formatDiagnostic).join("\n") + "\n");
  const summary = {
    ok: true,
    file,
    name: net.name,
    nodes: net.nodes.length,
    ensembles: net.ensembles.length,
    lmus: net.lmus.length,
    connections: net.connections.length,
    probes: net.probes.length,
    ...(warnings.length > 0 ? { warnings: warnings.map(diagnosticToJson) } : {}),
  };
  if (opts.json) io.out(JSON.stringify(summary, null, 2) + "\n");
  else io.out(`ok: ${file}: '${net.name}' with ${summary.nodes} nodes, ${summary.ensembles} ensembles, ${summary.lmus} LMUs, ${summary.connections} connections, ${summary.probes} probes\n`);
}

export function makeProgram(io: Io, modules: CommandModules): Command {
  const program = new Command();
  program
    .name("lmuc")
    .description("Compile Legendre Memory Unit networks to Loihi-style neuromorphic hardware; simulate them with Nengo's semantics.")
    .version(VERSION)
    .exitOverride()
    // Commander's own errors (unknown option, bad option value, missing argument) in the diagnostic format.
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text, write) => write(text.replace(/^error: /, "lmuc: error LMU8002: ")) })
    .showHelpAfterError("(run lmuc --help for usage)");
  // Every command's <network> argument and --target file: refused before reading if special or huge.
  program.hook("preAction", (_program, action) => {
    action.registeredArguments.forEach((arg, i) => {
      if (arg.name() === "network" && typeof action.args[i] === "string") assertReadableInput(action.args[i], "network file");
    });
    const target: unknown = action.opts().target;
    if (typeof target === "string") assertReadableTarget(target);
  });

  program
    .command("validate")
    .description("check a network file (YAML or JSON): format, semantics, and that it builds (gains, decoders)")
    .argument("<network>", "network file (.yaml, .yml or .json)")
    .option("--json", "print the result as JSON")
    .action((file: string, opts: { json?: boolean }) => runValidate(file, opts, io));

  program
    .command("ir")
    .description("print the IR after each pass (stable text, or --json)")
    .argument("<network>", "network file")
    .option("--after <pass>", `only the IR after this pass (${[...FLOAT_PASSES.map((p) => p.name), ...HARDWARE_PASSES].join(", ")}; hardware passes compile for --target)`)
    .option("-t, --target <name>", "with it, the hardware passes too (target name or file; default loihi1 for a hardware --after)")
    .option("--json", "print JSON instead of text")
    .action((file: string, opts: { after?: string; target?: string; json?: boolean }) => printIrAfter(file, opts, io));

  program
    .command("simulate")
    .description("run the float reference simulator (Nengo semantics) and report accuracy against the ideal LMU")
    .argument("<network>", "network file")
    .option("-d, --duration <seconds>", "simulated time in seconds", positiveNumber("--duration"))
    .option("--steps <n>", "number of steps (instead of --duration)", positiveInt("--steps"))
    .option("-o, --out <file>", "write probe data and accuracy as JSON")
    .option("--no-reference", "skip the ideal-LMU and exact-delay reference runs")
    .option("--max-nrmse <x>", "exit 1 if any probe's NRMSE against the ideal exceeds x", positiveNumber("--max-nrmse"))
    .option("--json", "print the summary as JSON")
    .option("--probes <ids>", "with --out: record only these probes (comma-separated ids)")
    .option("--window <start:end>", "with --out: record only this time window, seconds")
    .option("--sample-every <n>", "with --out: record every n-th sample", positiveInt("--sample-every"))
    .option("-q, --quiet", "no progress output")
    .action((file: string, opts: SimulateCliOptions) => runSimulate(file, opts, io));

  modules.hardware?.addHardwareCommands(program, io);
  modules.import?.addImportCommand(program, io);
  modules.evaluate?.addEvaluateCommand(program, io);
  return program;
}

/** `lmuc ir net.yaml | head` closes stdout early: stop quietly instead of dying on EPIPE with a stack trace. */
function quietOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount("error") > 0) continue;
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
}

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  if (io === defaultIo) quietOnBrokenPipe();
  const modules = await loadCommandModules(argv);
  const program = makeProgram(io, modules);
  const json = argv.includes("--json");
  if (argv.length <= 2) {
    // No command: a usage error (exit 2), with the help on stderr so that scripts see nothing on stdout.
    io.err(`lmuc: error LMU8002: no command given\n\n${program.helpInformation()}`);
    return EXIT.badInput;
  }
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    // Only the hardware commands throw CheckFailed (their module defines it).
    if (modules.hardware && e instanceof modules.hardware.CheckFailed) {
      if (e.diagnostics.length > 0) reportDiagnostics(io, e.diagnostics, json);
      return EXIT.checkFailed;
    }
    if (e instanceof DiagnosticError) {
      reportDiagnostics(io, e.diagnostics, json);
      return e.diagnostics.some((d) => d.code === "LMU9001") ? EXIT.internal : EXIT.badInput;
    }
    if (e instanceof InvalidArgumentError) {
      io.err(`lmuc: error LMU8002: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      return EXIT.badInput;
    }
    const err = e as Error;
    io.err(`lmuc: internal error: ${err.message}\n  this is a bug in lmuc; rerun with LMUC_DEBUG=1 for a stack trace and report it\n`);
    if (process.env.LMUC_DEBUG) io.err(`${err.stack ?? ""}\n`);
    return EXIT.internal;
  }
}

type SimulateCliOptions = { duration?: number; steps?: number; out?: string; reference: boolean; maxNrmse?: number; json?: boolean; quiet?: boolean } & RecordOptions;

function runSimulate(file: string, opts: SimulateCliOptions, io: Io): void {
  if (opts.out) assertOutputPath(opts.out);
  if (opts.window !== undefined) parseWindow(opts.window);
  const net = loadNetworkFile(file);
  // The run and its ideal twin hold their probe arrays at the same time.
  const steps = resolveSteps(opts, net.dtSeconds, 1, { valuesPerStep: networkProbeValues(net), copies: opts.reference ? 2 : 1 });
  if (opts.window !== undefined) checkWindow(parseWindow(opts.window), steps, net.dtSeconds);
  if (opts.probes !== undefined) probeIds(opts.probes, net.probes.map((p) => p.id));
  const phase = phaseProgress(io, !!(opts.quiet || opts.json));
  const onProgress = phase ? (done: number, total: number): void => phase("simulate", done, total) : undefined;
  const report = simulateWithReference(net, steps, { reference: opts.reference, ...(phase && onProgress ? { onProgress, onReferenceProgress: (kind: string, d: number, t: number) => phase(`simulate ${kind}`, d, t), onSolve: (d: number, t: number) => phase("build", d, t) } : {}) });
  for (const p of report.probes) {
    const bad = p.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) io.err(`${file}: warning: probe '${p.id}' diverged: non-finite value at recorded row ${Math.floor(bad / p.size)} (check transforms and gains)\n`);
  }
  if (opts.out) {
    writeFileAtomic(opts.out, simulationJson({ ...report, probes: recordedProbes(report.probes, opts, steps, net.dtSeconds) }, file));
    noteLargeOutput(opts.out, io.err);
  }
  if (opts.json) {
    io.out(JSON.stringify({ ok: true, network: report.name, steps: report.steps, neurons: report.neurons, wall_seconds: report.wallSeconds, steps_per_second: report.steps / report.wallSeconds, accuracy: report.accuracy, ...(report.learning ? { learning: report.learning.map(learningCurveJson) } : {}), ...(opts.out ? { out: opts.out } : {}) }, null, 2) + "\n");
  } else {
    io.out(summaryText(report, file));
    for (const c of report.learning ?? []) io.out(learningCurveText(c, report.steps * report.dtSeconds));
    if (opts.out) io.out(`wrote ${opts.out}\n`);
  }
  if (opts.maxNrmse !== undefined) {
    const worst = Object.entries(report.accuracy).flatMap(([id, a]) => [a.nrmseVsIdealLmu, a.nrmseVsExactDelay].filter((x): x is number => x !== undefined).map((x) => ({ id, x })));
    const bad = worst.filter((w) => w.x > opts.maxNrmse!);
    if (bad.length > 0) {
      io.err(`check failed: NRMSE above ${opts.maxNrmse}: ${bad.map((b) => `${b.id} ${b.x.toFixed(4)}`).join(", ")}\n`);
      throw new Exit(EXIT.checkFailed);
    }
  }
}
