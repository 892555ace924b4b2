/**
 * `npm run bench`: float-simulator throughput (steps/s, neuron-updates/s) on the LMU examples,
 * each against a baseline measured in the same run on the same network (the simulator in naive
 * mode: dense W·a every step, no event-driven delivery), and against Nengo's reference simulator
 * as stated for this kind of machine (an 800-neuron order-8 LMU at 5–10k steps/s).
 * Results go to stdout and out/bench.json.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { build, loadNetworkFile, loadNetworkObject, type BuiltNetwork } from "../src/api.js";
import { writeFileAtomic } from "../src/io/write.js";
import { Simulator } from "../src/sim/simulator.js";
import { spawnSync } from "node:child_process";
import { compileNetwork } from "../src/compile.js";
import { HardwareRun } from "../src/emulator/runner.js";
import { loadTarget } from "../src/target/target.js";
import { lmuMemory } from "./networks.js";
import { learningBench } from "./learning.js";
import { evaluateBench } from "./evaluate.js";
import { evaluateChipBench } from "./evaluate-chip.js";
import { psmnistChipBench } from "./psmnist-chip.js";
import { linalgBench } from "./linalg.js";
import { emulatorColdBench } from "./emulate-cold.js";
import { compileColdBench } from "./compile.js";
import { floatColdBench } from "./float-cold.js";
import { issue12Table } from "./issue12-table.js";

interface Case {
  readonly name: string;
  readonly built: BuiltNetwork;
  readonly steps: number;
  readonly buildSeconds: number;
}

const NENGO_STEPS_PER_SECOND = { low: 5000, high: 10000, network: "800-neuron order-8 LMU" };

function lmuMemoryOfOrder(order: number): object {
  const doc = parse(readFileSync("examples/lmu-memory.yaml", "utf8")) as { name: string; lmus: { mem: { order: number } } };
  doc.name = `lmu-memory-order${order}`;
  doc.lmus.mem.order = order;
  return doc;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, (performance.now() - t0) / 1000];
}

function makeCase(name: string, load: () => ReturnType<typeof loadNetworkFile>, steps: number): Case {
  const [built, buildSeconds] = timed(() => build(load()));
  return { name, built, steps, buildSeconds };
}

/** Best of `repeats` runs after a warm-up, in steps per second. */
function throughput(built: BuiltNetwork, steps: number, naive: boolean, repeats = 3): number {
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const sim = new Simulator(built, { expectedSteps: steps + 500, naive });
    sim.run(Math.min(500, steps));
    const [, seconds] = timed(() => sim.run(steps));
    best = Math.max(best, steps / seconds);
  }
  return best;
}

const neurons = (b: BuiltNetwork): number => b.ensembles.reduce((s, e) => s + e.nNeurons, 0);

async function main(): Promise<void> {
  const cases: Case[] = [
    makeCase("lmu-memory order 4 (100/dim)", () => loadNetworkObject(lmuMemoryOfOrder(4), "examples/lmu-memory.yaml"), 20000),
    makeCase("lmu-memory order 16 (100/dim)", () => loadNetworkObject(lmuMemoryOfOrder(16), "examples/lmu-memory.yaml"), 5000),
    makeCase("lmu-delay order 8 (800 LIF)", () => loadNetworkFile("examples/lmu-delay.yaml"), 20000),
    makeCase("psmnist-lmu", () => loadNetworkFile("examples/psmnist-lmu.yaml"), 3000),
  ];
  const rows = cases.map((c) => {
    const fast = throughput(c.built, c.steps, false);
    const base = throughput(c.built, c.steps, true);
    const n = neurons(c.built);
    return { name: c.name, neurons: n, build_seconds: c.buildSeconds, steps_per_second: fast, neuron_updates_per_second: fast * n, baseline_steps_per_second: base, speedup_vs_baseline: fast / base };
  });
  const header = ["network", "neurons", "build s", "steps/s", "neuron-updates/s", "baseline steps/s", "× baseline"];
  const table = rows.map((r) => [r.name, String(r.neurons), r.build_seconds.toFixed(2), r.steps_per_second.toFixed(0), r.neuron_updates_per_second.toExponential(2), r.baseline_steps_per_second.toFixed(0), r.speedup_vs_baseline.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (t: string[]): string => t.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log("float simulator throughput (best of 3 after warm-up; baseline = same simulator with dense W·a)");
  console.log(line(header));
  for (const t of table) console.log(line(t));
  const delay = rows.find((r) => r.name.startsWith("lmu-delay"))!;
  console.log(
    `${delay.name}: ${delay.steps_per_second.toFixed(0)} steps/s; Nengo's reference simulator on the ${NENGO_STEPS_PER_SECOND.network} is stated at ` +
      `${NENGO_STEPS_PER_SECOND.low / 1000}–${NENGO_STEPS_PER_SECOND.high / 1000}k steps/s on this machine kind (not measured here, so no ratio)`,
  );
  const compile = compileBench();
  const emulator = emulatorBench();
  const learning = learningBench();
  const evaluate = { ...(await evaluateBench()), chip_mode: await evaluateChipBench() };
  const psmnistChip = psmnistChipBench();
  const linalg = linalgBench();
  const emulatorCold = emulatorColdBench();
  const compileCold = compileColdBench();
  const floatCold = floatColdBench();
  const issue12 = issue12Table(floatCold, emulatorCold, compileCold as { workloads?: readonly object[] });
  writeFileAtomic("out/bench.json", JSON.stringify({ float_simulator: rows, nengo_reference_steps_per_second: NENGO_STEPS_PER_SECOND, compile, emulator, learning, evaluate, psmnist_chip: psmnistChip, linalg, emulator_cold: emulatorCold, compile_cold: compileCold, float_cold: floatCold, issue12_table: issue12 }, null, 2) + "\n");
  console.log("wrote out/bench.json");
}


/** Compile time and peak memory, each case in its own process (target: large case < 30 s, < 4 GB). */
function compileBench(): object[] {
  console.log("\ncompiler (each case in a fresh process; peak RSS of that process)");
  console.log("case                          neurons   synapses  cores  lower bound  seconds  peak MiB");
  const out: object[] = [];
  for (const c of ["examples/lmu-delay.yaml", "examples/psmnist-lmu.yaml", "large", "large-n2n"]) {
    const r = spawnSync(process.execPath, ["dist/bench/compile-one.js", c], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.log(`${c}: failed: ${r.stderr.split("\n").slice(0, 3).join(" ")}`);
      continue;
    }
    const m = JSON.parse(r.stdout) as { case: string; seconds: number; peakRssMiB: number; neurons: number; synapses: number; cores: number; lowerBound: number };
    out.push(m);
    const label = c === "large" ? "generated 100 × 1000 LIF" : c === "large-n2n" ? "  same, neuron-to-neuron" : c;
    console.log(`${label.padEnd(28)}  ${String(m.neurons).padStart(7)}  ${String(m.synapses).padStart(9)}  ${String(m.cores).padStart(5)}  ${String(m.lowerBound).padStart(11)}  ${m.seconds.toFixed(1).padStart(7)}  ${m.peakRssMiB.toFixed(0).padStart(8)}`);
  }
  return out;
}

/**
 * nengo-loihi's emulator as stated elsewhere (a 400-neuron order-4 LMU at ~1250 steps/s, ~1e6
 * compartment-updates/s): printed beside our figures, never divided into them, since it was not
 * measured in this run (bench/emulate-cold.ts quotes issue 12's recorded table the same way).
 */
const NENGO_LOIHI = { stepsPerSecond: 1250, compartmentUpdatesPerSecond: 1e6 };

/** Steps per second of a fresh hardware run after a warm-up, and its synaptic events per second. */
function emulatorThroughput(compiled: ReturnType<typeof compileNetwork>, steps: number, delivery: "auto" | "sparse"): { stepsPerSecond: number; eventsPerSecond: number } {
  const run = new HardwareRun(compiled.chip, compiled.host, { expectedSteps: steps + 100, overflow: "wrap", delivery });
  run.run(Math.min(100, steps));
  const before = run.stats();
  const t0 = performance.now();
  run.run(steps);
  const seconds = (performance.now() - t0) / 1000;
  const after = run.stats();
  return { stepsPerSecond: steps / seconds, eventsPerSecond: (after.synapticEvents - before.synapticEvents) / seconds };
}

function emulatorBench(): object[] {
  const target = loadTarget("loihi1");
  console.log("\nchip emulator with its host program (best of 3 after warm-up; baselines: the emulator with every row through");
  console.log("the general (target, weight) loop instead of the dense SIMD kernel, and the float simulator, same network, same run)");
  console.log("network                       neurons  cores  steps/s  synaptic events/s  compartment-updates/s  general-path steps/s  float steps/s");
  const cases: [string, () => object | string, number][] = [
    ["lmu-memory order 4, 400", () => lmuMemory(4, 100), 4000],
    ["lmu-memory order 4, 1600", () => lmuMemory(4, 400), 1000],
    // One 6400-neuron ensemble would need 6400 input axons per neuron with neuron-to-neuron
    // weights (the limit is 4096); per-dimension ensembles keep each fan-in at 1600.
    ["lmu-memory order 4, 6400 (per-dim)", () => lmuMemory(4, 1600, "per-dimension"), 300],
    ["psmnist-lmu", () => "examples/psmnist-lmu.yaml", 1000],
  ];
  const out: object[] = [];
  for (const [name, make, steps] of cases) {
    const src = make();
    let result, net;
    try {
      net = typeof src === "string" ? loadNetworkFile(src) : loadNetworkObject(src, "examples/lmu-memory.yaml");
      result = compileNetwork(net, target, { calibrationSteps: 500 });
    } catch (e) {
      console.log(`${name}: does not compile: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    let best = { stepsPerSecond: 0, eventsPerSecond: 0 };
    let general = 0;
    for (let r = 0; r < 3; r++) {
      const t = emulatorThroughput(result, steps, "auto");
      if (t.stepsPerSecond > best.stepsPerSecond) best = t;
      general = Math.max(general, emulatorThroughput(result, steps, "sparse").stepsPerSecond);
    }
    const neuronsOnChip = result.report.neuronsOnChip;
    const { stepsPerSecond, eventsPerSecond: events } = best;
    const floatSps = throughput(build(net), Math.min(steps, 2000), false, 1);
    const row = { name, neurons: neuronsOnChip, cores: result.chip.cores.length, steps_per_second: stepsPerSecond, synaptic_events_per_second: events, compartment_updates_per_second: stepsPerSecond * neuronsOnChip, general_path_steps_per_second: general, float_steps_per_second: floatSps };
    out.push(row);
    console.log(`${name.padEnd(28)}  ${String(neuronsOnChip).padStart(7)}  ${String(row.cores).padStart(5)}  ${stepsPerSecond.toFixed(0).padStart(7)}  ${events.toExponential(2).padStart(17)}  ${row.compartment_updates_per_second.toExponential(2).padStart(21)}  ${general.toFixed(0).padStart(20)}  ${floatSps.toFixed(0).padStart(13)}`);
  }
  console.log(`nengo-loihi's emulator as stated elsewhere, not measured here (so no ratio): ${NENGO_LOIHI.stepsPerSecond} steps/s and ${NENGO_LOIHI.compartmentUpdatesPerSecond.toExponential(0)} compartment-updates/s on the 400-neuron order-4 LMU`);
  return out;
}

await main();
