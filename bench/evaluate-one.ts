/**
 * One cold evaluate run in its own process, as a user's `lmuc evaluate --workers N` would start:
 * import and compile the psdigits LMU, then time the first pass over the test set (repeated so
 * that a run lasts a few seconds). Worker threads start inside the timed part, as they do for
 * a user; module loading of this process does not.
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
const workers = Number(process.argv[2]);
const repeat = Number(process.argv[3]);

const dir = mkdtempSync(join(tmpdir(), "lmuc-bench-"));
try {
  importTorchModel(join(MODELS, "psdigits", "lmu-tanh.pt"), join(dir, "lmu.yaml"));
  const program = compileCellProgram(loadNetworkFile(join(dir, "lmu.yaml")));
  const test = readNpy(gunzipSync(readFileSync(join(MODELS, "psdigits", "test-x.npy.gz"))));
  const [n, steps] = test.shape;
  const x = new Float64Array(test.data.length * repeat);
  for (let r = 0; r < repeat; r++) x.set(test.data, r * test.data.length);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await runRange({ kind: "float", program }, { inputSize: program.inputSize, outputs: program.outputs }, { first: 0, count: n * repeat, steps, x }, workers);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ workers, sequences: n * repeat, steps, seconds: wall, cores: (cpu.user + cpu.system) / 1e6 / wall }) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
