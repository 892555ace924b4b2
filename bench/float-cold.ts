/**
 * The float simulator from a cold start, on the workloads of issue 12's table: each in a fresh
 * process (as `lmuc simulate --steps N` runs), the build (frontend + NEF: eval points, decoder
 * solves) and the first Simulator.run(N) timed separately, JIT warm-up included; 3 reps
 * interleaved, median. Nengo's figures are quoted as RECORDED in issue 12 (2026, 2-core machine),
 * never divided into ours as if measured here.
 */
import { coldRuns, median } from "./cold-runs.js";
import { build, loadNetworkFile, loadNetworkObject } from "../src/api.js";
import { Simulator } from "../src/sim/simulator.js";
import { lmuMemory, psmnistTableShape, stepLmus } from "./networks.js";

/** Issue 12's workloads the float simulator runs (names shared with bench/emulate-cold.ts and compile.ts). */
export const FLOAT_CASES: Record<string, { net: () => object | string; steps: number }> = {
  "lmu-memory q=4, 400 LIF": { net: () => lmuMemory(4, 100), steps: 5000 },
  "lmu-memory q=8, 800 LIF": { net: () => lmuMemory(8, 100), steps: 5000 },
  "lmu-delay q=8": { net: () => "examples/lmu-delay.yaml", steps: 5000 },
  "5 step LMUs, 4000 LIF": { net: () => stepLmus(5, 8, 100), steps: 5000 },
  "psMNIST single-ensemble (2048 LIF)": { net: () => psmnistTableShape("single"), steps: 784 },
  "psMNIST shape, recurrence on chip": { net: () => "examples/psmnist-lmu.yaml", steps: 784 },
};

interface Cold { readonly buildSeconds: number; readonly stepsPerSecond: number; readonly steps: number }

export interface FloatColdRow { readonly name: string; readonly steps: number; readonly build_seconds: number; readonly steps_per_second: number }

export function floatColdBench(reps = 3): FloatColdRow[] {
  const names = Object.keys(FLOAT_CASES);
  const runs = coldRuns<Cold>("dist/bench/float-cold.js", ["--child"], names, reps);
  console.log(`\nfloat simulator, cold (build, then the first Simulator.run of a fresh process; median of ${reps} interleaved)`);
  console.log("workload                              steps  build s  steps/s");
  const out: FloatColdRow[] = [];
  for (const name of names) {
    const rs = runs.get(name)!;
    if (rs.length === 0) continue;
    const row = { name, steps: rs[0].steps, build_seconds: median(rs.map((c) => c.buildSeconds)), steps_per_second: median(rs.map((c) => c.stepsPerSecond)) };
    out.push(row);
    console.log(`${name.padEnd(36)}  ${String(row.steps).padStart(5)}  ${row.build_seconds.toFixed(2).padStart(7)}  ${row.steps_per_second.toFixed(0).padStart(7)}`);
  }
  return out;
}

if (process.argv[1]?.endsWith("float-cold.js") && process.argv[2] === "--child") {
  const c = FLOAT_CASES[process.argv[3]];
  const src = c.net();
  const t0 = performance.now();
  const built = build(typeof src === "string" ? loadNetworkFile(src) : loadNetworkObject(src, "examples/lmu-memory.yaml"));
  const t1 = performance.now();
  new Simulator(built, { expectedSteps: c.steps }).run(c.steps);
  const runSeconds = (performance.now() - t1) / 1000;
  process.stdout.write(JSON.stringify({ buildSeconds: (t1 - t0) / 1000, stepsPerSecond: c.steps / runSeconds, steps: c.steps }) + "\n");
} else if (process.argv[1]?.endsWith("float-cold.js")) {
  floatColdBench(Number(process.argv[2] ?? 3));
}
