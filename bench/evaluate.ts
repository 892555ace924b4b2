/**
 * Evaluate throughput (sequences/s) of the imported psdigits LMU on 1 and 2 workers, their ratio
 * (target ≥ 1.7× on 2 cores), and the import time of the psMNIST-size model. Inputs are the test
 * fixtures (the psdigits test set repeated 10×, so thread start-up is a small part of a run).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadNetworkFile } from "../src/api.js";
import { runRange } from "../src/evaluate/pool.js";
import { importTorchModel } from "../src/importers/index.js";
import { readNpy } from "../src/io/arrays.js";
import { compileCellProgram } from "../src/sim/cell.js";

const MODELS = "test/fixtures/models";

export async function evaluateBench(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-bench-"));
  try {
    const t0 = performance.now();
    importTorchModel(join(MODELS, "psmnist-shape", "psmnist-shape-untrained.pt"), join(dir, "psm.yaml"));
    const importSeconds = (performance.now() - t0) / 1000;
    importTorchModel(join(MODELS, "psdigits", "lmu-tanh.pt"), join(dir, "lmu.yaml"));
    const program = compileCellProgram(loadNetworkFile(join(dir, "lmu.yaml")));
    const test = readNpy(gunzipSync(readFileSync(join(MODELS, "psdigits", "test-x.npy.gz"))));
    const [n, steps] = test.shape;
    const repeat = 10;
    const x = new Float64Array(test.data.length * repeat);
    for (let r = 0; r < repeat; r++) x.set(test.data, r * test.data.length);
    // CPU seconds per wall second of the best run: about 1 and 2 on an idle machine; lower
    // means other processes took the cores, and the ratio says more about them than about lmuc.
    const rate = async (workers: number): Promise<{ rate: number; cores: number }> => {
      let best = { rate: 0, cores: 0 };
      for (let k = 0; k < 3; k++) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        await runRange(program, { first: 0, count: n * repeat, steps, x }, workers);
        const wall = (performance.now() - t) / 1000;
        const cpu = process.cpuUsage(c0);
        if ((n * repeat) / wall > best.rate) best = { rate: (n * repeat) / wall, cores: (cpu.user + cpu.system) / 1e6 / wall };
      }
      return best;
    };
    const one = await rate(1);
    const two = await rate(2);
    const row = { sequences: n * repeat, steps, sequences_per_second_1_worker: one.rate, sequences_per_second_2_workers: two.rate, ratio: two.rate / one.rate, cores_used_1_worker: one.cores, cores_used_2_workers: two.cores, psmnist_shape_import_seconds: importSeconds };
    console.log(`evaluate (psdigits lmu-tanh, float, ${n * repeat} sequences of ${steps} steps, best of 3): 1 worker ${one.rate.toFixed(0)} seq/s, 2 workers ${two.rate.toFixed(0)} seq/s, ${row.ratio.toFixed(2)}× (target ≥ 1.7×); cores busy ${one.cores.toFixed(2)} and ${two.cores.toFixed(2)}`);
    console.log(`import psmnist-shape-untrained.pt (order 256, 212 hidden; θ recovered from A and B): ${importSeconds.toFixed(2)} s`);
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
