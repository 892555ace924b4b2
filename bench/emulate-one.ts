/**
 * One cold emulator run in its own process, as a user's `lmuc emulate --steps N` sees it: the
 * network is compiled first (not timed), then the first HardwareRun.run(N) of the process is
 * timed, JIT warm-up included. Prints steps/s and synaptic events/s as JSON.
 */
import { loadNetworkFile, loadNetworkObject } from "../src/api.js";
import { compileNetwork } from "../src/compile.js";
import { HardwareRun } from "../src/emulator/runner.js";
import { loadTarget } from "../src/target/target.js";
import { lmuMemory, stepLmus } from "./networks.js";

/** The workloads of issue 12's table, by name. */
export const EMULATE_CASES: Record<string, { net: () => object | string; steps: number; decodeNeurons?: "always" }> = {
  "lmu-memory q=4, 400 LIF": { net: () => lmuMemory(4, 100), steps: 5000 },
  "lmu-memory q=8, 800 LIF": { net: () => lmuMemory(8, 100), steps: 5000 },
  "lmu-delay q=8": { net: () => "examples/lmu-delay.yaml", steps: 5000 },
  "lmu-steps (8 × 250 ReLU)": { net: () => "examples/lmu-steps.yaml", steps: 5000 },
  "5 step LMUs, 4000 LIF": { net: () => stepLmus(5, 8, 100), steps: 5000 },
  // The table's single-ensemble psMNIST build is refused at compile now (LMU3004: its weights lose
  // > 5 % on the chip's grid); the psMNIST example with its recurrence on chip stands in for it.
  "psMNIST shape, recurrence on chip": { net: () => "examples/psmnist-lmu.yaml", steps: 784 },
};

if (process.argv[1]?.endsWith("emulate-one.js")) {
  const name = process.argv[2];
  const c = EMULATE_CASES[name];
  const src = c.net();
  const net = typeof src === "string" ? loadNetworkFile(src) : loadNetworkObject(src, "examples/lmu-memory.yaml");
  const compiled = compileNetwork(net, loadTarget("loihi1"), c.decodeNeurons ? { decodeNeurons: c.decodeNeurons } : {});
  const t0 = performance.now();
  const run = new HardwareRun(compiled.chip, compiled.host, { expectedSteps: c.steps, overflow: "wrap" });
  run.run(c.steps);
  const seconds = (performance.now() - t0) / 1000;
  const events = run.stats().synapticEvents;
  process.stdout.write(JSON.stringify({ case: name, steps: c.steps, seconds, stepsPerSecond: c.steps / seconds, eventsPerSecond: events / seconds, neurons: compiled.report.neuronsOnChip }) + "\n");
}
