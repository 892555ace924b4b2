/**
 * One compile of the imported psmnist-shape model (pytorch-lmu, untrained: order 256, θ 784, 212
 * hidden) in its own process, as `lmuc compile` makes it, so peak memory belongs to that compile
 * alone: `node dist/bench/psm-imported-one.js DIR [MEMORY HIDDEN]` imports the test fixture into
 * DIR, with its 2 input sequences as the calibration, and compiles it to DIR/build with the cell's
 * defaults (8 neurons per memory dimension, 20 per hidden unit, the model calibration) or MEMORY
 * and HIDDEN neurons, and any --conversion KEY=VALUE given (compiler_calibration=simulate: the
 * float run the model replaced, the compile-time baseline).
 * Prints one JSON line.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadNetworkFile } from "../src/api.js";
import { readTrainedRecord, runCompileTrained } from "../src/cli/compile-trained.js";
import { readBuildSummary } from "../src/build.js";
import { importTorchModel } from "../src/importers/index.js";
import { peakRssMiB } from "./cold-runs.js";

export const PSM_FIXTURE = "test/fixtures/models/psmnist-shape";

/** The fixture imported into `dir` (psm.yaml, its weight files and psm-x.npy, the calibration). */
export function importPsmnistShape(dir: string): string {
  const x = join(dir, "psm-x.npy");
  writeFileSync(x, gunzipSync(readFileSync(join(PSM_FIXTURE, "psmnist-shape-untrained.x.npy.gz"))));
  const yaml = join(dir, "psm.yaml");
  importTorchModel(join(PSM_FIXTURE, "psmnist-shape-untrained.pt"), yaml, { calibrationInputs: x });
  return yaml;
}

if (process.argv[1]?.endsWith("psm-imported-one.js")) {
  const [dir, ...rest] = process.argv.slice(2);
  const [memory, hidden] = rest.filter((a) => !a.includes("="));
  const yaml = importPsmnistShape(dir);
  const out = join(dir, "build");
  const t0 = performance.now();
  const sizes = memory && hidden ? [`memory_neurons_per_dimension=${Number(memory)}`, `hidden_neurons_per_unit=${Number(hidden)}`] : [];
  const conversion = [...sizes, ...rest.filter((a) => a.includes("="))];
  runCompileTrained(yaml, loadNetworkFile(yaml), { target: "loihi1", out, quiet: true, conversion }, { out: () => {}, err: () => {} }, () => "");
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage();
  const built = readBuildSummary(out), report = built.report;
  const worstLoss = Math.max(0, ...report.connections.map((c) => c.lostMagnitude));
  const options = (readTrainedRecord(built)?.options ?? {}) as Record<string, unknown>;
  process.stdout.write(JSON.stringify({ memoryNeurons: options.memoryPerDimension, hiddenNeurons: options.hiddenPerUnit, calibration: options.compilerCalibration, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: peakRssMiB(), cores: report.partition.cores, lowerBound: report.partition.lowerBound, worstLoss, buildDir: out }) + "\n");
}
