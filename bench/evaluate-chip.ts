/**
 * Evaluation throughput in chip mode: the psdigits LMUFFT converted, compiled once to a build
 * folder, and run on the chip emulator with its host program, sequence by sequence (one
 * HardwareRun per thread, reset between sequences), on 1 and 2 worker threads over the same
 * sequences. The ratio is the figure to read, with the cores the process got (cpu time / wall
 * time): on a loaded machine both threads share less than two cores and the ratio says little;
 * sequences per CPU-second then show what the second thread costs. The logits of both runs must
 * be identical.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadNetworkFile } from "../src/api.js";
import { prepareSpikingJob } from "../src/evaluate/modes.js";
import { runRange } from "../src/evaluate/pool.js";
import type { Dataset } from "../src/evaluate/dataset.js";
import { importTorchModel } from "../src/importers/index.js";
import { readNpy } from "../src/io/arrays.js";
import { compileCellProgram } from "../src/sim/cell.js";

const MODELS = "test/fixtures/models/psdigits";
/** Small enough for a bench run of ~1 min on a loaded machine; large enough that a thread's start-up (~0.5 s) is not the run. */
const SEQUENCES = 16;
const CONVERSION = { presentationSteps: 20, hiddenPerUnit: 20, memoryPerDimension: 20 };

export async function evaluateChipBench(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-bench-chip-"));
  try {
    importTorchModel(join(MODELS, "lmufft-relu.pt"), join(dir, "fft.yaml"));
    const net = loadNetworkFile(join(dir, "fft.yaml"));
    const program = compileCellProgram(net);
    const x = readNpy(gunzipSync(readFileSync(join(MODELS, "test-x.npy.gz"))));
    const y = readNpy(gunzipSync(readFileSync(join(MODELS, "test-y.npy.gz"))));
    const [n, steps] = x.shape as [number, number];
    const data: Dataset = { sequences: n, steps, dimensions: 1, x: Float64Array.from(x.data), labels: Int32Array.from(y.data, Number), inputsSha256: "", labelsSha256: "" };
    const t0 = performance.now();
    const prepared = prepareSpikingJob("chip", net, program, data, { conversion: CONVERSION, buildDir: join(dir, "build") });
    const compileSeconds = (performance.now() - t0) / 1000;
    const shape = { inputSize: 1, outputs: program.outputs };
    const timed = async (workers: number): Promise<{ seconds: number; logits: Float64Array; coresBusy: number }> => {
      const t = performance.now();
      const cpu = process.cpuUsage();
      const r = await runRange(prepared.job, shape, { first: 0, count: SEQUENCES, steps, x: data.x }, workers);
      const seconds = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      return { seconds, logits: r.logits, coresBusy: (used.user + used.system) / 1e6 / seconds };
    };
    const one = await timed(1);
    const two = await timed(2);
    const same = one.logits.every((v, i) => v === two.logits[i]);
    const row = {
      sequences: SEQUENCES, steps, presentation_steps: CONVERSION.presentationSteps, cores: prepared.cores?.used, cores_lower_bound: prepared.cores?.lowerBound, compile_seconds: compileSeconds,
      sequences_per_second_1_worker: SEQUENCES / one.seconds, sequences_per_second_2_workers: SEQUENCES / two.seconds, ratio: one.seconds / two.seconds, cores_busy_1_worker: one.coresBusy, cores_busy_2_workers: two.coresBusy,
      // Sequences per CPU-second: what the threads cost, whatever share of the cores the machine gave them.
      sequences_per_cpu_second_1_worker: SEQUENCES / one.seconds / one.coresBusy, sequences_per_cpu_second_2_workers: SEQUENCES / two.seconds / two.coresBusy, identical_logits: same,
    };
    console.log(
      `evaluate chip mode (psdigits lmufft-relu, K ${CONVERSION.presentationSteps}, ${CONVERSION.hiddenPerUnit} neurons per unit, ${row.cores} cores (bound ${row.cores_lower_bound}), compiled in ${compileSeconds.toFixed(1)} s): ` +
        `1 worker ${row.sequences_per_second_1_worker.toFixed(2)} seq/s, 2 workers ${row.sequences_per_second_2_workers.toFixed(2)} seq/s, ${row.ratio.toFixed(2)}× (cores busy ${one.coresBusy.toFixed(2)} and ${two.coresBusy.toFixed(2)}: a loaded machine lowers the ratio; per CPU-second ${row.sequences_per_cpu_second_1_worker.toFixed(2)} and ${row.sequences_per_cpu_second_2_workers.toFixed(2)}); logits identical: ${same}`,
    );
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
