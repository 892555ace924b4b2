/**
 * The TypeScript API: load a network, build it, simulate it. The CLI is a thin layer over this.
 */
import { rejectTrainedCells } from "./frontend/cells.js";
import type { BuiltNetwork } from "./ir/built.js";
import type { NetworkIR } from "./ir/network.js";
import { runFloatPipeline, type StageIR } from "./passes/pipeline.js";
import { nrmse } from "./compare/metrics.js";
import { exactDelayTwin, hasDelayReadout, hasNeuralLmu, idealLmuTwin } from "./passes/ideal-twin.js";
import { Simulator, type ProbeResult } from "./sim/simulator.js";
import { learningCurve, learningPairs, untrainedTwin, type LearningCurve } from "./sim/learning-curve.js";

export { loadNetworkFile, loadNetworkObject, loadNetworkText } from "./frontend/index.js";
export type { BuiltNetwork, NetworkIR, ProbeResult };

/** `onSolve(done, total)`: after each connection's decoders are solved (a long build's progress). */
export function build(network: NetworkIR, onPass?: (name: string, ir: StageIR) => void, onSolve?: (done: number, total: number) => void): BuiltNetwork {
  return runFloatPipeline(network, onPass, onSolve ? { onProgress: onSolve } : {});
}

export interface SimulationResult {
  readonly name: string;
  readonly dtSeconds: number;
  readonly steps: number;
  readonly probes: readonly ProbeResult[];
}

/** Runs `steps` steps (Nengo runs round(T/dt) steps for T seconds). */
export function simulate(built: BuiltNetwork, steps: number, onProgress?: (done: number, total: number) => void): SimulationResult {
  const sim = new Simulator(built, { expectedSteps: steps });
  sim.run(steps, onProgress);
  return { name: built.name, dtSeconds: built.dtSeconds, steps, probes: sim.probeResults() };
}

export function stepsFor(durationSeconds: number, dtSeconds: number): number {
  return Math.round(durationSeconds / dtSeconds);
}

export interface ProbeAccuracy {
  /** NRMSE against the same network with every neural LMU made ideal. */
  readonly nrmseVsIdealLmu?: number;
  /** NRMSE against the same network with legendre readouts replaced by exact delays. */
  readonly nrmseVsExactDelay?: number;
}

export interface SimulationReport extends SimulationResult {
  readonly accuracy: Readonly<Record<string, ProbeAccuracy>>;
  readonly neurons: number;
  readonly wallSeconds: number;
  /** Learned connections whose error is `post − target`: windowed NRMSE, untrained vs trained. */
  readonly learning?: readonly LearningCurve[];
}

/**
 * Simulates a network and, where it has neural LMUs or delay readouts, its ideal twins on the
 * same inputs, and reports each probe's NRMSE against them.
 */
export function simulateWithReference(
  network: NetworkIR,
  steps: number,
  opts: { reference?: boolean; onProgress?: (done: number, total: number) => void; onReferenceProgress?: (reference: string, done: number, total: number) => void; onSolve?: (done: number, total: number) => void } = {},
): SimulationReport {
  rejectTrainedCells(network, "lmuc simulate");
  const built = build(network, undefined, opts.onSolve);
  const t0 = performance.now();
  const result = simulate(built, steps, opts.onProgress);
  const wallSeconds = (performance.now() - t0) / 1000;
  const accuracy: Record<string, ProbeAccuracy> = {};
  const compareWith = (twin: NetworkIR, key: keyof ProbeAccuracy): void => {
    const kind = key === "nrmseVsIdealLmu" ? "ideal LMU" : "exact delay";
    const ref = simulate(build(twin), steps, opts.onReferenceProgress ? (d, t) => opts.onReferenceProgress!(kind, d, t) : undefined);
    const refById = new Map(ref.probes.map((p) => [p.id, p]));
    for (const p of result.probes) {
      const r = refById.get(p.id);
      if (!r || p.spikes || r.data.length !== p.data.length) continue;
      // NRMSE is relative to the reference's energy: undefined while the reference is all zero
      // (e.g. a run shorter than the delay it reads out).
      if (!r.data.some((v) => v !== 0)) continue;
      accuracy[p.id] = { ...accuracy[p.id], [key]: nrmse(p.data, r.data) };
    }
  };
  if (opts.reference !== false) {
    if (hasNeuralLmu(network)) compareWith(idealLmuTwin(network), "nrmseVsIdealLmu");
    if (hasDelayReadout(network)) compareWith(exactDelayTwin(network), "nrmseVsExactDelay");
  }
  const pairs = opts.reference !== false ? learningPairs(network) : [];
  const untrained = pairs.length > 0 ? simulate(build(untrainedTwin(network)), steps).probes : [];
  const learning = pairs.map((p) => learningCurve(p, result.probes, untrained, built.dtSeconds)).filter((c): c is LearningCurve => c !== undefined);
  return { ...result, accuracy, neurons: built.ensembles.reduce((s, e) => s + e.nNeurons, 0), wallSeconds, ...(learning.length > 0 ? { learning } : {}) };
}
