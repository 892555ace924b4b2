/**
 * Evaluate throughput (sequences/s) of the imported psdigits LMU on 1 and 2 workers and their
 * ratio (target ≥ 1.7× on 2 cores), each from a cold process as a user's run starts (JIT warm-up
 * and worker start-up included), 3 interleaved repetitions, medians; and the import time of the
 * psMNIST-size model. Inputs are the test fixtures (the psdigits test set repeated 10×).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importTorchModel } from "../src/importers/index.js";
import { median } from "./cold-runs.js";

const MODELS = "test/fixtures/models";
const REPEAT = 10;

interface ColdRun {
  readonly sequences: number;
  readonly steps: number;
  readonly seconds: number;
  readonly cores: number;
}

function coldRun(workers: number): ColdRun {
  const r = spawnSync(process.execPath, ["dist/bench/evaluate-one.js", String(workers), String(REPEAT)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`evaluate bench child failed: ${r.stderr.split("\n").slice(0, 3).join(" ")}`);
  return JSON.parse(r.stdout) as ColdRun;
}


export async function evaluateBench(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-bench-"));
  try {
    const t0 = performance.now();
    importTorchModel(join(MODELS, "psmnist-shape", "psmnist-shape-untrained.pt"), join(dir, "psm.yaml"));
    const importSeconds = (performance.now() - t0) / 1000;
    const runs: Record<1 | 2, ColdRun[]> = { 1: [], 2: [] };
    for (let k = 0; k < 3; k++) for (const w of [1, 2] as const) runs[w].push(coldRun(w));
    const { sequences, steps } = runs[1][0]!;
    const rate = (w: 1 | 2): number => sequences / median(runs[w].map((r) => r.seconds));
    // CPU seconds per wall second: about 1 and 2 on an idle machine; lower means other
    // processes took the cores, and the ratio says more about them than about lmuc.
    const cores = (w: 1 | 2): number => median(runs[w].map((r) => r.cores));
    const one = rate(1);
    const two = rate(2);
    const row = { sequences, steps, sequences_per_second_1_worker: one, sequences_per_second_2_workers: two, ratio: two / one, cores_used_1_worker: cores(1), cores_used_2_workers: cores(2), psmnist_shape_import_seconds: importSeconds };
    console.log(`evaluate (psdigits lmu-tanh, float, ${sequences} sequences of ${steps} steps, cold process each, median of 3): 1 worker ${one.toFixed(0)} seq/s, 2 workers ${two.toFixed(0)} seq/s, ${row.ratio.toFixed(2)}× (target ≥ 1.7×); cores busy ${cores(1).toFixed(2)} and ${cores(2).toFixed(2)}`);
    console.log(`import psmnist-shape-untrained.pt (order 256, 212 hidden; θ recovered from A and B): ${importSeconds.toFixed(2)} s`);
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
