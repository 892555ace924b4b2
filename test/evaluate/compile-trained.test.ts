/**
 * `lmuc compile` and `lmuc inspect` of an imported (trained) LMU, and `evaluate --mode chip
 * --build DIR` loading that build (issue 14). Small on purpose, to stay fast in npm test: the
 * psdigits fixtures, 2 calibration sequences, K 4, 6 neurons per unit (accuracy is not the point
 * here: chip-accuracy.test.ts has the floor). Builds and evaluations run in their own process, as
 * a user runs them (bin/lmuc.js, built by npm test); the refusals run in-process.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { npyBytes } from "../../src/importers/write-network.js";
import { readNpy } from "../../src/io/arrays.js";
import { expectCleanError, lmuc } from "../helpers/cli.js";

const MODELS = "test/fixtures/models/psdigits";
const SEQUENCES = 2;
/** Small conversion: every compile here takes ~1–2 s. */
const SMALL = ["--presentation-steps", "4", "--neurons-per-unit", "6"];

let dir: string;
const at = (...p: string[]): string => join(dir, ...p);

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/lmuc.js", ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): string {
  const r = cli(...args);
  if (r.status !== 0) throw new Error(`lmuc ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Every file of a build folder, by name. */
function folderBytes(d: string): Record<string, string> {
  return Object.fromEntries(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f)).toString("base64")]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lmuc-compile-trained-"));
  const x = readNpy(gunzipSync(readFileSync(join(MODELS, "test-x.npy.gz"))));
  const y = readNpy(gunzipSync(readFileSync(join(MODELS, "test-y.npy.gz"))));
  const steps = x.shape[1];
  mkdirSync(at("data"));
  writeFileSync(at("data", "x.npy"), npyBytes([SEQUENCES, steps, 1], Float64Array.from(x.data.subarray(0, SEQUENCES * steps)), true));
  writeFileSync(at("data", "y.npy"), npyBytes([SEQUENCES], Float64Array.from(y.data.subarray(0, SEQUENCES)), false));
  for (const [model, name] of [["lmufft-relu", "fft"], ["lmu-tanh", "tanh"]]) {
    expect((await lmuc("import", join(MODELS, `${model}.pt`), "-o", at("nets", `${name}.yaml`))).code).toBe(0);
  }
  // The same tanh network with its calibration inputs named in the file (as import --calibration-inputs writes it).
  expect((await lmuc("import", join(MODELS, "lmu-tanh.pt"), "-o", at("nets", "tanh-cal.yaml"), "--calibration-inputs", at("data", "x.npy"))).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("without calibration inputs: LMU7040 at the cell, exit 2, nothing written", () => {
  test.each(["fft", "tanh"])("%s", async (name) => {
    const r = await lmuc("compile", at("nets", `${name}.yaml`), "-o", at("out", `refused-${name}`));
    expect(r.code).toBe(2);
    expectCleanError(r);
    // The cell `lmu:` is on line 10 of an imported network file, indented 2.
    expect(r.err).toContain(`${name}.yaml:10:3: error LMU7040`);
    expect(r.err).toContain("calibration: { inputs: x.npy }");
    expect(r.err).toContain("--inputs X.npy");
    expect(existsSync(at("out", `refused-${name}`))).toBe(false);
  });
});

test("trained-cell flags where they do not apply: exit 2 with what to change", async () => {
  const never = await lmuc("compile", at("nets", "fft.yaml"), "-o", at("out", "never"), "--inputs", at("data", "x.npy"), "--decode-neurons", "never");
  expect(never.code).toBe(2);
  expect(never.err).toContain("--decode-neurons never: a trained cell is compiled with decode neurons always");
  const plain = await lmuc("compile", "examples/lmu-memory.yaml", "-o", at("out", "plain"), "--inputs", at("data", "x.npy"));
  expect(plain.code).toBe(2);
  expect(plain.err).toContain("--inputs applies to networks with a trained cell; 'lmu-memory' has none");
  expect(existsSync(at("out", "never")) || existsSync(at("out", "plain"))).toBe(false);
});

test("a calibration block naming a missing file, or more sequences than it holds: LMU7041 at the block, exit 2", async () => {
  const text = readFileSync(at("nets", "tanh-cal.yaml"), "utf8");
  const line = text.split("\n").findIndex((l) => l.includes("calibration:")) + 1;
  writeFileSync(at("nets", "tanh-missing.yaml"), text.replace('"../data/x.npy"', '"../data/nope.npy"'));
  const missing = await lmuc("compile", at("nets", "tanh-missing.yaml"), "-o", at("out", "missing"));
  expect(missing.code).toBe(2);
  expectCleanError(missing);
  expect(missing.err).toMatch(new RegExp(`tanh-missing\\.yaml:${line}:\\d+: error LMU7041: calibration inputs '\\.\\./data/nope\\.npy': no such file`));
  writeFileSync(at("nets", "tanh-many.yaml"), text.replace('"../data/x.npy" }', '"../data/x.npy", sequences: 5 }'));
  const many = await lmuc("compile", at("nets", "tanh-many.yaml"), "-o", at("out", "many"));
  expect(many.code).toBe(2);
  expect(many.err).toContain(`tanh-many.yaml:${line}:5: error LMU7041: cells.lmu.calibration asks for 5 sequences; '../data/x.npy' holds ${SEQUENCES}`);
  expect(existsSync(at("out", "missing")) || existsSync(at("out", "many"))).toBe(false);
});

test("lmufft: compile --inputs, inspect shows the conversion; evaluate --build loads it (same accuracy, same bytes as its own build); a stale one is compiled again", () => {
  const out = ok("compile", at("nets", "fft.yaml"), "-o", at("out", "fft"), "--inputs", at("data", "x.npy"), ...SMALL, "-q");
  expect(out).toMatch(/fft → loihi1: \d+ neurons on \d+ cores \(1 chip\); lower bound \d+ cores/);
  expect(out).toContain("worst weight loss:");
  expect(out).toContain("presentation_steps 4 (flag), hidden_neurons_per_unit 6 (flag)");
  const inspect = ok("inspect", at("out", "fft"));
  expect(inspect).toContain("all 5 files verified");
  expect(inspect).toContain("worst weight loss:");
  expect(inspect).toContain(`calibrated on ${SEQUENCES} input sequences of 64 steps`);
  expect(inspect).toContain("chip_neurons true (mode), presentation_steps 4 (flag)");
  expect(inspect).toContain(`input node x holds the first ${SEQUENCES} calibration sequences (64 steps each, every step held 4 simulator steps: ${SEQUENCES * 64 * 4} steps)`);
  // The build runs as it stands: its x node holds the calibration sequences.
  expect(ok("emulate", at("out", "fft"), "--steps", "64", "-q")).toContain("emulated 64 steps");

  const evaluate = (build: string, ...more: string[]) => cli("evaluate", at("nets", "fft.yaml"), "--inputs", at("data", "x.npy"), "--labels", at("data", "y.npy"), "--mode", "chip", "--workers", "1", "--build", build, ...SMALL, ...more);
  const before = folderBytes(at("out", "fft"));
  const loaded = evaluate(at("out", "fft"), "--out", at("loaded.json"));
  expect(loaded.status).toBe(0);
  expect(loaded.stderr).toContain(`chip: loaded the build in ${at("out", "fft")}`);
  expect(folderBytes(at("out", "fft"))).toEqual(before);
  const own = evaluate(at("out", "fft-evaluate"), "--out", at("own.json"));
  expect(own.status).toBe(0);
  expect(own.stderr).toContain("chip: compiled");
  // compile and evaluate make the same build from the same inputs and choices, and it gives the same evaluation.
  expect(folderBytes(at("out", "fft-evaluate"))).toEqual(before);
  expect(readFileSync(at("loaded.json"), "utf8")).toBe(readFileSync(at("own.json"), "utf8"));

  const stale = evaluate(at("out", "fft"), "--conversion", "presentation_steps=5", "--quiet");
  expect(stale.status).toBe(0);
  expect(stale.stderr).toContain("warning LMU7042");
  expect(stale.stderr).toContain("presentation_steps 4, now 5");
  expect(JSON.parse(readFileSync(at("out", "fft", "conversion.json"), "utf8")).presentation_steps).toBe(5);
}, 120_000);

test("lmu-tanh: compile from the file's calibration block (import --calibration-inputs wrote it)", () => {
  // Determinism of a build across processes: the lmufft test's compile and evaluate builds are byte-identical.
  // K from the file's conversion block this time (the flags set it in the lmufft test).
  const text = readFileSync(at("nets", "tanh-cal.yaml"), "utf8");
  const lines = text.split("\n");
  const calLine = lines.findIndex((l) => l.includes("calibration:"));
  lines.splice(calLine + 1, 0, "    conversion: { presentation_steps: 4 }");
  writeFileSync(at("nets", "tanh-cal.yaml"), lines.join("\n"));
  const out = ok("compile", at("nets", "tanh-cal.yaml"), "-o", at("out", "tanh"), "--neurons-per-unit", "6", "-q");
  expect(out).toContain(`presentation_steps 4 (file ${calLine + 2}:39)`);
  expect(out).toMatch(/tanh-cal → loihi1: \d+ neurons on \d+ cores \(1 chip\); lower bound \d+ cores/);
  expect(out).toContain(`calibrated on ${SEQUENCES} input sequences of 64 steps`);
  expect(out).toContain("wrote " + at("out", "tanh") + " (manifest.json, chip.yaml, cores.bin, host.json, report.json, conversion.json)");
}, 120_000);

test("compiler_calibration model: calibrated from the cell's own float run, recorded as the flag set it, the same bytes from two compiles; a bad value is exit 2", async () => {
  const model = ["--inputs", at("data", "x.npy"), ...SMALL, "--conversion", "compiler_calibration=model", "-q"];
  const out = ok("compile", at("nets", "fft.yaml"), "-o", at("out", "fft-model"), ...model);
  expect(out).toContain("compiler_calibration model (flag)");
  ok("compile", at("nets", "fft.yaml"), "-o", at("out", "fft-model-2"), ...model);
  expect(folderBytes(at("out", "fft-model-2"))).toEqual(folderBytes(at("out", "fft-model")));
  expect(JSON.parse(readFileSync(at("out", "fft-model", "conversion.json"), "utf8")).options.compilerCalibration).toBe("model");
  // The simulated calibration measures other peaks, so the registers differ.
  ok("compile", at("nets", "fft.yaml"), "-o", at("out", "fft-simulate"), "--inputs", at("data", "x.npy"), ...SMALL, "-q");
  expect(readFileSync(at("out", "fft-simulate", "cores.bin")).equals(readFileSync(at("out", "fft-model", "cores.bin")))).toBe(false);
  const bad = await lmuc("compile", at("nets", "fft.yaml"), "-o", at("out", "fft-bad"), "--inputs", at("data", "x.npy"), "--conversion", "compiler_calibration=fast");
  expect(bad.code).toBe(2);
  expectCleanError(bad);
  expect(bad.err).toContain("'compiler_calibration' must be one of simulate, model");
  expect(existsSync(at("out", "fft-bad"))).toBe(false);
}, 120_000);
