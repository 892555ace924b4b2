/**
 * `lmuc compare`: compile a network, write the build and load it back FROM DISK (so the emulator
 * runs only what the configuration holds), emulate it with its host program, simulate the same
 * network in float and its ideal twins on the same inputs, and measure what the hardware costs.
 */
import { build, simulate, type SimulationResult } from "../api.js";
import { readBuild, writeBuild, type LoadedBuild } from "../build.js";
import { compileNetwork, HARDWARE_PASSES } from "../compile.js";
import type { DecodeNeuronsMode } from "../passes/decode-neurons.js";
import { CostBreakdown, type CostBreakdownResult } from "../emulator/cost-breakdown.js";
import { HardwareRun } from "../emulator/runner.js";
import type { NetworkIR, ProbeIR } from "../ir/network.js";
import { FLOAT_PASSES } from "../passes/pipeline.js";
import { exactDelayTwin, hasDelayReadout, hasNeuralLmu, idealLmuTwin } from "../passes/ideal-twin.js";
import type { ProbeResult } from "../sim/simulator.js";
import type { Target } from "../target/target.js";
import { VERSION } from "../version.js";
import { nrmse } from "./metrics.js";
import { learningComparison } from "./learning-panel.js";
import { learningPairs, untrainedTwin } from "../sim/learning-curve.js";
import type { CompareReport, CoreCost, ProbeComparison, ProbeReference, SpikeComparison } from "./report-types.js";
import { spikeComparison } from "./spikes.js";
import { HEAT_MIN_DIMS, heatMap, lineDims, slidingNrmse, traceSet, traceWindow } from "./traces.js";
import { tuningComparison } from "./tuning.js";
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { idealFunctionTwin, REFERENCE_PROBE_PREFIX, withReferenceProbes } from "./references.js";

/** Static power per chip measured on Pohoiki Springs (hardware-model.md §7.1: 3.34 W per 32 chips). */
const STATIC_WATTS_PER_CHIP = 3.34 / 32;
/** Probe ids compare adds to record spikes of ensembles the network does not probe. */
const RASTER_PROBE_PREFIX = "__raster__";

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export interface CompareOptions {
  readonly steps: number;
  readonly buildDir: string;
  readonly source: { file: string; text?: string };
  readonly maxNrmse?: number;
  readonly decodeNeurons?: DecodeNeuronsMode;
  /** The window shown at full resolution, seconds (default: the last second of the run, or all of it if shorter). */
  readonly window?: { readonly startSeconds: number; readonly endSeconds: number };
  /** Progress of each phase: "compile" (passes), "compile: solve decoders" and "build …" (connections solved), "compile: calibrate", "emulate", "simulate float", "simulate ideal LMU", "simulate exact delay" (steps). */
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** The network plus a spike probe on every spiking ensemble it does not already probe (for rasters). */
function withRasterProbes(network: NetworkIR): NetworkIR {
  const probed = new Set(network.probes.filter((p) => p.attr === "spikes").map((p) => p.target.id));
  const spiking = (type: string) => type === "lif" || type === "spiking-relu";
  const ids = [
    ...network.ensembles.filter((e) => spiking(e.neuron.type)).map((e) => e.id),
    ...network.lmus.filter((l) => l.implementation.kind === "neurons" && l.implementation.layout === "single" && spiking(l.implementation.ensemble.neuron.type)).map((l) => l.id),
  ].filter((id) => !probed.has(id));
  const extra: ProbeIR[] = ids.map((id) => ({
    id: `${RASTER_PROBE_PREFIX}${id}`, target: { id, part: "neurons", text: `${id}.neurons` }, attr: "spikes", synapse: { kind: "none" }, sampleEverySteps: 1, solver: { reg: 0.1, weights: false },
  }));
  return extra.length ? { ...network, probes: [...network.probes, ...extra] } : network;
}

/** Runs the emulator step by step, summing the activity by cause for the cost breakdown. */
function emulate(loaded: LoadedBuild, steps: number, onProgress?: (done: number, total: number) => void): { run: HardwareRun; breakdown: CostBreakdownResult } {
  const run = new HardwareRun(loaded.chip, loaded.host, { expectedSteps: steps });
  const activity = run.emulator.activity;
  const acc = new CostBreakdown(activity, loaded.chip.cores.map((c) => c.index));
  const every = Math.max(1, Math.floor(steps / 100));
  for (let k = 0; k < steps; k++) {
    run.step();
    acc.add(activity);
    if (onProgress && ((k + 1) % every === 0 || k + 1 === steps)) onProgress(k + 1, steps);
  }
  return { run, breakdown: acc.result(activity) };
}

interface References {
  readonly runs: { readonly kind: string; readonly probes: Map<string, ProbeResult> }[];
}

/** build() reported as phase `phase`, counted in connections whose decoders are solved (the long part). */
function buildWithProgress(network: NetworkIR, phase: string, onProgress: CompareOptions["onProgress"]) {
  return build(network, undefined, onProgress ? (d, t) => onProgress(phase, d, t) : undefined);
}

function references(network: NetworkIR, steps: number, onProgress: CompareOptions["onProgress"]): References {
  const runs: References["runs"] = [];
  const add = (kind: string, twin: NetworkIR) => {
    const r: SimulationResult = simulate(buildWithProgress(twin, `build ${kind}`, onProgress), steps, onProgress ? (d, t) => onProgress(`simulate ${kind}`, d, t) : undefined);
    runs.push({ kind, probes: new Map(r.probes.map((p) => [p.id, p])) });
  };
  if (hasNeuralLmu(network)) add("ideal LMU", idealLmuTwin(network));
  if (hasDelayReadout(network)) add("exact delay", exactDelayTwin(network));
  const direct = idealFunctionTwin(network);
  if (direct) {
    try {
      add("ideal functions", direct);
    } catch (e) {
      // A network the exact twin cannot run (e.g. a loop that only neurons' state breaks) has no such reference.
      if (!(e instanceof DiagnosticError)) throw e;
    }
  }
  return { runs };
}

function probeComparison(f: ProbeResult, e: ProbeResult, refs: References, dt: number, window: { startSeconds: number; endSeconds: number }, stated?: { kind: string; p: ProbeResult }): ProbeComparison {
  // The reference the file states for this probe comes first: it is what the user said the probe should show.
  const usable: { kind: string; p: ProbeResult }[] = stated && stated.p.data.length === f.data.length && stated.p.data.some((v) => v !== 0) ? [stated] : [];
  for (const r of refs.runs) {
    const p = r.probes.get(f.id);
    // NRMSE is relative to the reference's energy: undefined while it is all zero (e.g. a run shorter than its delay).
    if (!p || p.data.length !== f.data.length || !p.data.some((v) => v !== 0)) continue;
    // A probe the twins do not differ on (the LMU state, the input) is measured against the first only.
    if (usable.some((u) => u.p.data.every((v, i) => v === p.data[i]))) continue;
    usable.push({ kind: r.kind, p });
  }
  const list: ProbeReference[] = usable.map((u) => ({ kind: u.kind, nrmseFloat: nrmse(f.data, u.p.data), nrmseEmulator: nrmse(e.data, u.p.data) }));
  const first = usable[0];
  const { dims, selection } = lineDims(f, e);
  return {
    id: f.id,
    attr: f.attr,
    size: f.size,
    ...(first ? { nrmseFloatVsIdeal: list[0].nrmseFloat, nrmseEmulatorVsIdeal: list[0].nrmseEmulator, idealKind: first.kind, references: list } : {}),
    nrmseEmulatorVsFloat: nrmse(e.data, f.data),
    correlation: correlation(e.data, f.data),
    traces: traceSet(f, e, first?.p, dims, selection, dt),
    ...(f.size >= HEAT_MIN_DIMS ? { heat: heatMap(f, e, first?.p, dt) } : {}),
    window: traceWindow(f, e, first?.p, dims, window.startSeconds, window.endSeconds, dt),
    sliding: slidingNrmse(f, e, first?.p, first?.kind, dt),
  };
}

function perCoreCosts(loaded: LoadedBuild, run: HardwareRun, breakdown: CostBreakdownResult, target: Target): CoreCost[] {
  const stats = run.stats();
  const L = target.limits;
  return loaded.report.partition.usage.map((u) => {
    const s = stats.perCore.find((c) => c.core === u.core);
    const b = breakdown.perCore.find((c) => c.core === u.core);
    const at = breakdown.placement.find((p) => p.core === u.core);
    return {
      core: u.core, chip: u.chip, compartments: u.compartments, inputAxons: u.inputAxons, outputAxons: u.outputAxons, synapseBits: u.synapseBits,
      utilisation: { compartments: u.compartments / L.compartmentsPerCore, inputAxons: u.inputAxons / L.inputAxonsPerCore, outputAxons: u.outputAxons / L.outputAxonsPerCore, synapseBits: u.synapseBits / L.synapseBitsPerCore },
      nsPerStep: s?.nsMean ?? 0, pjPerStep: s?.pjMean ?? 0, synapticEvents: s?.synapticEvents ?? 0, spikes: s?.spikes ?? 0,
      ...(b ? { nsByCause: b.ns, pjByCause: b.pj } : {}),
      ...(at ? { tile: at.tile, x: at.x, y: at.y } : {}),
      blocks: [...new Set(u.blocks)],
    };
  });
}

/** The full-resolution window: as asked, else the last second of the run (all of it when shorter). */
function windowOf(opts: CompareOptions, steps: number, dt: number): { startSeconds: number; endSeconds: number } {
  const end = steps * dt;
  if (opts.window) return { startSeconds: Math.max(0, opts.window.startSeconds), endSeconds: Math.min(end, opts.window.endSeconds) };
  return { startSeconds: Number(Math.max(0, end - 1).toFixed(9)), endSeconds: end };
}

export function compareNetwork(userNetwork: NetworkIR, target: Target, opts: CompareOptions): CompareReport {
  const steps = opts.steps;
  const dt = userNetwork.dtSeconds;
  const network = withReferenceProbes(withRasterProbes(userNetwork));
  const progress = opts.onProgress;
  const passCount = FLOAT_PASSES.length + HARDWARE_PASSES.length;
  let passesDone = 0;
  progress?.("compile", 0, passCount);
  const compiled = compileNetwork(network, target, {
    ...(opts.decodeNeurons ? { decodeNeurons: opts.decodeNeurons } : {}),
    ...(progress ? { onPass: () => progress("compile", Math.min(++passesDone, passCount), passCount), onProgress: (phase: string, d: number, t: number) => progress(`compile: ${phase}`, d, t) } : {}),
  });
  writeBuild(opts.buildDir, compiled, target, opts.source);
  const loaded = readBuild(opts.buildDir);
  const { run, breakdown } = emulate(loaded, steps, progress ? (d, t) => progress("emulate", d, t) : undefined);
  const emu = new Map(run.probeResults().map((p) => [p.id, p]));
  const built = buildWithProgress(network, "build float", progress);
  const floatRun = simulate(built, steps, progress ? (d, t) => progress("simulate float", d, t) : undefined);
  const refs = references(network, steps, progress);
  const window = windowOf(opts, steps, dt);
  // Learning curves need the same network with nothing learned (float) as the "before".
  const untrained = learningPairs(network).length > 0 ? simulate(buildWithProgress(untrainedTwin(network), "build untrained", progress), steps, progress ? (d, t) => progress("simulate untrained", d, t) : undefined).probes : undefined;
  const learning = untrained ? learningComparison(network, { float: floatRun.probes, chip: run.probeResults(), untrained }) : [];
  const probes: ProbeComparison[] = [];
  const spikes: SpikeComparison[] = [];
  const floatById = new Map(floatRun.probes.map((p) => [p.id, p]));
  for (const f of floatRun.probes) {
    const e = emu.get(f.id);
    if (!e || f.id.startsWith(REFERENCE_PROBE_PREFIX)) continue;
    if (f.spikes && e.spikes) {
      const id = f.id.startsWith(RASTER_PROBE_PREFIX) ? `${f.id.slice(RASTER_PROBE_PREFIX.length)}.neurons` : f.id;
      spikes.push(spikeComparison(id, f, e, steps, dt, window));
      continue;
    }
    if (f.data.length !== e.data.length) continue;
    const ref = userNetwork.probes.find((p) => p.id === f.id)?.reference;
    const stated = ref ? floatById.get(`${REFERENCE_PROBE_PREFIX}${f.id}`) : undefined;
    probes.push(probeComparison(f, e, refs, dt, window, ref && stated ? { kind: `target ${ref.text}`, p: stated } : undefined));
  }
  const stats = run.stats();
  const tuning = tuningComparison(built.ensembles, spikes.map((s) => s.ensemble.replace(/\.neurons$/, "")).concat(built.ensembles.map((e) => e.id)), dt);
  const worst = Math.max(0, ...probes.map((p) => p.nrmseEmulatorVsIdeal ?? p.nrmseEmulatorVsFloat));
  return {
    format: "lmuc-compare/1",
    lmuc: VERSION,
    network: userNetwork.name,
    source: opts.source.file,
    target: target.name,
    dtSeconds: dt,
    steps,
    chip: { cores: loaded.chip.cores.length, lowerBound: loaded.report.partition.lowerBound, chips: loaded.report.partition.chips, neuronsOnChip: loaded.report.neuronsOnChip, build: opts.buildDir },
    probes,
    spikes,
    ...(tuning ? { tuning } : {}),
    cost: {
      stepNsMean: stats.stepNsMean, stepNsMax: stats.stepNsMax, energyPjMean: stats.energyPjMean, realTimeFactor: stats.stepNsMean * 1e-9 / dt,
      synapticEvents: stats.synapticEvents, overflows: stats.overflows, perCore: perCoreCosts(loaded, run, breakdown, target),
      barrierNs: breakdown.barrierNs, staticWattsPerChip: STATIC_WATTS_PER_CHIP,
      traffic: breakdown.traffic.map((t) => ({ from: t.from, to: t.to, messagesPerStep: t.messagesPerStep, hops: t.hopsEw + t.hopsNs + t.chipHops })),
    },
    quantization: {
      connections: loaded.report.connections,
      headroom: loaded.report.blocks.map((b) => ({
        block: b.block,
        ...(Number.isFinite(b.accumulatorHeadroomWorstCase) ? { worstCase: b.accumulatorHeadroomWorstCase } : {}),
        ...(Number.isFinite(b.accumulatorHeadroomExpected) ? { typical: b.accumulatorHeadroomExpected } : {}),
      })),
    },
    ...(learning.length > 0 ? { learning } : {}),
    ...(opts.maxNrmse !== undefined ? { check: { maxNrmse: opts.maxNrmse, passed: worst <= opts.maxNrmse, worst } } : {}),
  };
}
