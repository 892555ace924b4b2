/**
 * psMNIST shape on one chip (issue 14 item 2, issue 12 item 4): examples/psmnist-lmu.yaml with its
 * order-256 memory recurrence on chip (--decode-neurons always, the same build as the default auto)
 * against the same network with the recurrence through the host (--decode-neurons never), measured
 * in the same run: compile time and peak memory in a fresh process, cores and lower bound, emulator steps/s on one core (wall and CPU
 * seconds: on a loaded machine CPU time says more), and how closely the chip tracks the float
 * model's hidden units and memory state over one 784-step sequence. Then the same for the
 * imported psmnist-shape model (pytorch-lmu, untrained) as `lmuc compile` converts and builds it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkObject } from "../src/api.js";
import { readBuild } from "../src/build.js";
import { compareNetwork } from "../src/compare/compare.js";
import { HardwareRun } from "../src/emulator/runner.js";
import { loadTarget } from "../src/target/target.js";
import { psmnistShape } from "./networks.js";
import { trackConversion } from "./psm-track.js";

const STEPS = 784;

/** Steps per wall second and per CPU second of a fresh run of a build (after 100 warm-up steps). */
function emulatorSpeed(buildDir: string, steps: number): { wall: number; cpu: number } {
  const b = readBuild(buildDir);
  const run = new HardwareRun(b.chip, b.host, { expectedSteps: steps + 100 });
  run.run(100);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  run.run(steps);
  const c = process.cpuUsage(c0);
  return { wall: steps / ((performance.now() - t0) / 1000), cpu: steps / ((c.user + c.system) / 1e6) };
}

export function psmnistChipBench(): object {
  console.log("\npsMNIST shape (order-256 per-dimension memory, 212 hidden): recurrence on chip (--decode-neurons always; auto is the same build) vs through the host (never), same run");
  const child = spawnSync(process.execPath, ["dist/bench/compile-one.js", "psmnist-shape"], { encoding: "utf8", maxBuffer: 1 << 24 });
  const compile = child.status === 0 ? (JSON.parse(child.stdout) as { seconds: number; cpuSeconds: number; peakRssMiB: number; cores: number; lowerBound: number }) : undefined;
  if (!compile) console.log(`compile failed: ${child.stderr.split("\n").slice(0, 3).join(" ")}`);
  else console.log(`compile (fresh process): ${compile.seconds.toFixed(1)} s (${compile.cpuSeconds.toFixed(1)} CPU s), peak ${compile.peakRssMiB.toFixed(0)} MiB, ${compile.cores} cores (lower bound ${compile.lowerBound}; targets ≤ 128 cores, < 10 s, < 2 GiB)`);
  const dir = mkdtempSync(join(tmpdir(), "lmuc-psm-"));
  const target = loadTarget("loihi1");
  const rows: object[] = [];
  try {
    for (const mode of ["always", "never"] as const) {
      const build = join(dir, mode);
      const r = compareNetwork(loadNetworkObject(psmnistShape(), "examples/psmnist-lmu.yaml"), target, { steps: STEPS, buildDir: build, source: { file: "examples/psmnist-lmu.yaml" }, decodeNeurons: mode });
      const speed = emulatorSpeed(build, 1000);
      const nrmse = (id: string): number => r.probes.find((p) => p.id === id)!.nrmseEmulatorVsFloat;
      const row = { recurrence: mode === "always" ? "chip" : "host", cores: r.chip.cores, lower_bound: r.chip.lowerBound, steps_per_second: speed.wall, steps_per_cpu_second: speed.cpu, nrmse_hidden_vs_float: nrmse("hidden"), nrmse_state_vs_float: nrmse("state"), nrmse_logits_vs_float: nrmse("logits"), overflows: r.cost.overflows };
      rows.push(row);
      console.log(`recurrence ${row.recurrence.padEnd(4)}: ${String(row.cores).padStart(3)} cores (bound ${row.lower_bound}), emulator ${speed.wall.toFixed(0)} steps/s (${speed.cpu.toFixed(0)} per CPU s; target ≥ 500), hidden NRMSE vs float ${row.nrmse_hidden_vs_float.toFixed(3)}, state ${row.nrmse_state_vs_float.toFixed(3)}, logits ${row.nrmse_logits_vs_float.toFixed(3)}, overflows ${JSON.stringify(r.cost.overflows)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { compile, runs: rows, imported: importedPsmBench() };
}

/**
 * The imported psmnist-shape model (pytorch-lmu, untrained), as `lmuc compile` builds it with the
 * cell's defaults (8 neurons per memory dimension, 20 per hidden unit, for an order-256 memory): compile
 * time, CPU time and peak memory in a fresh process (IMPORTED_COMPILES of them: the target is a
 * reliable < 10 s, so the slowest is reported beside the median), cores and bound, the worst weight loss,
 * emulator steps/s on one core, and how its spiking run (float simulator) tracks the float cell's
 * hidden state over sequence 0 (784 steps; bench/psm-track.ts).
 */
const IMPORTED_COMPILES = 3;

function importedPsmBench(): object {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-psm-imported-"));
  interface Compile { memoryNeurons: number; hiddenNeurons: number; calibration: string; seconds: number; cpuSeconds: number; peakRssMiB: number; cores: number; lowerBound: number; worstLoss: number; buildDir: string }
  const compileIn = (sub: string, ...conversion: string[]): Compile | undefined => {
    mkdirSync(join(dir, sub));
    const child = spawnSync(process.execPath, ["dist/bench/psm-imported-one.js", join(dir, sub), ...conversion], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (child.status !== 0) {
      console.log(`imported psmnist-shape: compile failed: ${child.stderr.split("\n").slice(0, 3).join(" ")}`);
      return undefined;
    }
    return JSON.parse(child.stdout) as Compile;
  };
  try {
    const runs: Compile[] = [];
    for (let r = 0; r < IMPORTED_COMPILES; r++) {
      const run = compileIn(`model${r}`);
      if (!run) return { failed: true };
      runs.push(run);
    }
    const bySeconds = [...runs].sort((a, b) => a.seconds - b.seconds);
    const c = bySeconds[IMPORTED_COMPILES >> 1], slowest = bySeconds[IMPORTED_COMPILES - 1];
    // The baseline in the same run: the simulated calibration the model replaced (~2 min quiet).
    const base = compileIn("simulate", "compiler_calibration=simulate");
    const speed = emulatorSpeed(c.buildDir, 1000);
    const t = trackConversion(join(dir, "model0", "psm.yaml"), undefined, {});
    console.log(`imported psmnist-shape (${c.memoryNeurons} neurons per memory dimension, ${c.hiddenNeurons} per hidden unit, K ${t.K}): compile ${c.seconds.toFixed(1)} s median of ${IMPORTED_COMPILES} fresh processes (${c.cpuSeconds.toFixed(1)} CPU s; all ${runs.map((x) => x.seconds.toFixed(1)).join(", ")} s, slowest ${slowest.seconds.toFixed(1)}), peak ${c.peakRssMiB.toFixed(0)} MiB, ${c.cores} cores (bound ${c.lowerBound}; targets ≤ 128 cores, < 10 s, < 2 GiB), emulator ${speed.wall.toFixed(0)} steps/s (${speed.cpu.toFixed(0)} per CPU s; target ≥ 500); spiking run vs float over ${t.steps} steps: hidden NRMSE ${t.hiddenNrmse.toFixed(3)} (final h ${t.finalHiddenNrmse.toFixed(3)}), logits ${t.logitNrmse.toFixed(3)}`);
    if (base) console.log(`  the same compile with the simulated calibration (compiler_calibration=simulate), same run: ${base.seconds.toFixed(1)} s (${base.cpuSeconds.toFixed(1)} CPU s), ${base.cores} cores, peak ${base.peakRssMiB.toFixed(0)} MiB: the model compiles ${(base.seconds / c.seconds).toFixed(1)}× faster (CPU ${(base.cpuSeconds / c.cpuSeconds).toFixed(1)}×)`);
    const { buildDir: _b, ...compile } = c;
    const baseline = base ? (({ buildDir: _x, ...rest }) => rest)(base) : undefined;
    return { compile, compile_seconds_all: runs.map((x) => x.seconds), compile_seconds_slowest: slowest.seconds, compile_simulated_calibration: baseline, steps_per_second: speed.wall, steps_per_cpu_second: speed.cpu, spiking_tracking: t };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
