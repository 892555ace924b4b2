/**
 * The TypeScript API: load a network, build it, simulate it. The CLI is a thin layer over this.
 */
import type { BuiltNetwork } from "./ir/built.js";
import type { NetworkIR } from "./ir/network.js";
import { runFloatPipeline, type StageIR } from "./passes/pipeline.js";
import { Simulator, type ProbeResult } from "./sim/simulator.js";

export { loadNetworkFile, loadNetworkObject, loadNetworkText } from "./frontend/index.js";
export type { BuiltNetwork, NetworkIR, ProbeResult };

export function build(network: NetworkIR, onPass?: (name: string, ir: StageIR) => void): BuiltNetwork {
  return runFloatPipeline(network, onPass);
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
