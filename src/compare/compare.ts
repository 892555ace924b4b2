/**
 * `lmuc compare`: compile a network, write the build and load it back FROM DISK (so the emulator
 * runs only what the configuration holds), emulate it with its host program, simulate the same
 * network in float and its ideal twin on the same inputs, and measure what the hardware costs.
 */
import { build, simulate, type SimulationResult } from "../api.js";
import { readBuild, writeBuild } from "../build.js";
import { compileNetwork } from "../compile.js";
import type { DecodeNeuronsMode } from "../passes/decode-neurons.js";
import { HardwareRun } from "../emulator/runner.js";
import type { NetworkIR } from "../ir/network.js";
import { exactDelayTwin, hasDelayReadout, hasNeuralLmu, idealLmuTwin } from "../passes/ideal-twin.js";
import type { ProbeResult } from "../sim/simulator.js";
import type { Target } from "../target/target.js";
import { VERSION } from "../version.js";
import { nrmse } from "./metrics.js";
import { learningComparison } from "./learning-panel.js";
import { learningPairs, untrainedTwin } from "../sim/learning-curve.js";
import type { CompareReport, CoreCost, ProbeComparison, SpikeComparison } from "./report-types.js";

const MAX_PLOT_SAMPLES = 800;
const MAX_PLOT_DIMS = 4;
const RASTER_NEURONS = 24;

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

function series(p: ProbeResult, dims: number, stride: number): number[][] {
  const out: number[][] = [];
  for (let d = 0; d < dims; d++) {
    const s: number[] = [];
    for (let r = 0; r < p.rows; r += stride) s.push(Number(p.data[r * p.size + d].toPrecision(5)));
    out.push(s);
  }
  return out;
}

export interface CompareOptions {
  readonly steps: number;
  readonly buildDir: string;
  readonly source: { file: string; text?: string };
  readonly maxNrmse?: number;
  readonly decodeNeurons?: DecodeNeuronsMode;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export function compareNetwork(network: NetworkIR, target: Target, opts: CompareOptions): CompareReport {
  const steps = opts.steps;
  const compiled = compileNetwork(network, target, opts.decodeNeurons ? { decodeNeurons: opts.decodeNeurons } : {});
  writeBuild(opts.buildDir, compiled, target, opts.source);
  const loaded = readBuild(opts.buildDir);
  const run = new HardwareRun(loaded.chip, loaded.host, { expectedSteps: steps });
  run.run(steps, opts.onProgress ? (d, t) => opts.onProgress!("emulate", d, t) : undefined);
  const emu = new Map(run.probeResults().map((p) => [p.id, p]));
  const floatRun = simulate(build(network), steps, opts.onProgress ? (d, t) => opts.onProgress!("simulate", d, t) : undefined);
  let ideal: SimulationResult | undefined, idealKind: string | undefined;
  if (hasNeuralLmu(network)) {
    ideal = simulate(build(idealLmuTwin(network)), steps);
    idealKind = "ideal LMU";
  } else if (hasDelayReadout(network)) {
    ideal = simulate(build(exactDelayTwin(network)), steps);
    idealKind = "exact delay";
  }
  // Learning curves need the same network with nothing learned (float) as the "before".
  const untrained = learningPairs(network).length > 0 ? simulate(build(untrainedTwin(network)), steps).probes : undefined;
  const learning = untrained ? learningComparison(network, { float: floatRun.probes, chip: run.probeResults(), untrained }) : [];
  const idealById = new Map((ideal?.probes ?? []).map((p) => [p.id, p]));
  const stride = Math.max(1, Math.ceil(steps / MAX_PLOT_SAMPLES));
  const dt = network.dtSeconds;
  const probes: ProbeComparison[] = [];
  const spikes: SpikeComparison[] = [];
  for (const f of floatRun.probes) {
    const e = emu.get(f.id);
    if (!e) continue;
    if (f.spikes && e.spikes) {
      const n = f.spikes.spikeSteps.length;
      const count = (lists: number[][]): number => lists.reduce((s, l) => s + l.length, 0);
      const pick = Array.from({ length: Math.min(RASTER_NEURONS, n) }, (_, k) => Math.floor((k * n) / Math.min(RASTER_NEURONS, n)));
      spikes.push({
        ensemble: f.id,
        neurons: n,
        meanRateFloatHz: count(f.spikes.spikeSteps) / (n * steps * dt),
        meanRateEmulatorHz: count(e.spikes.spikeSteps) / (n * steps * dt),
        raster: pick.map((i) => ({ neuron: i, float: f.spikes!.spikeSteps[i].filter((s) => s < MAX_PLOT_SAMPLES * 2), emulator: e.spikes!.spikeSteps[i].filter((s) => s < MAX_PLOT_SAMPLES * 2) })),
      });
      continue;
    }
    if (f.data.length !== e.data.length) continue;
    const i = idealById.get(f.id);
    const useIdeal = i && i.data.length === f.data.length && i.data.some((v) => v !== 0);
    const dims = Math.min(MAX_PLOT_DIMS, f.size);
    const t: number[] = [];
    for (let r = 0; r < f.rows; r += stride) t.push(Number(((r + 1) * f.sampleEverySteps * dt).toPrecision(6)));
    probes.push({
      id: f.id,
      attr: f.attr,
      size: f.size,
      ...(useIdeal ? { nrmseFloatVsIdeal: nrmse(f.data, i.data), nrmseEmulatorVsIdeal: nrmse(e.data, i.data), idealKind: idealKind! } : {}),
      nrmseEmulatorVsFloat: nrmse(e.data, f.data),
      correlation: correlation(e.data, f.data),
      traces: { t, float: series(f, dims, stride), emulator: series(e, dims, stride), ...(useIdeal ? { ideal: series(i, dims, stride) } : {}) },
    });
  }
  const stats = run.stats();
  const L = target.limits;
  const perCore: CoreCost[] = loaded.report.partition.usage.map((u) => {
    const s = stats.perCore.find((c) => c.core === u.core);
    return {
      core: u.core, chip: u.chip, compartments: u.compartments, inputAxons: u.inputAxons, outputAxons: u.outputAxons, synapseBits: u.synapseBits,
      utilisation: { compartments: u.compartments / L.compartmentsPerCore, inputAxons: u.inputAxons / L.inputAxonsPerCore, outputAxons: u.outputAxons / L.outputAxonsPerCore, synapseBits: u.synapseBits / L.synapseBitsPerCore },
      nsPerStep: s?.nsMean ?? 0, pjPerStep: s?.pjMean ?? 0, synapticEvents: s?.synapticEvents ?? 0, spikes: s?.spikes ?? 0,
    };
  });
  const worst = Math.max(0, ...probes.map((p) => p.nrmseEmulatorVsIdeal ?? p.nrmseEmulatorVsFloat));
  return {
    format: "lmuc-compare/1",
    lmuc: VERSION,
    network: network.name,
    source: opts.source.file,
    target: target.name,
    dtSeconds: dt,
    steps,
    chip: { cores: loaded.chip.cores.length, lowerBound: loaded.report.partition.lowerBound, chips: loaded.report.partition.chips, neuronsOnChip: loaded.report.neuronsOnChip, build: opts.buildDir },
    probes,
    spikes,
    cost: {
      stepNsMean: stats.stepNsMean, stepNsMax: stats.stepNsMax, energyPjMean: stats.energyPjMean, realTimeFactor: stats.stepNsMean * 1e-9 / dt,
      synapticEvents: stats.synapticEvents, overflows: stats.overflows, perCore,
    },
    ...(learning.length > 0 ? { learning } : {}),
    ...(opts.maxNrmse !== undefined ? { check: { maxNrmse: opts.maxNrmse, passed: worst <= opts.maxNrmse, worst } } : {}),
  };
}
