// PES compiled to the chip (passes/learning-chip.ts, learning-params.ts): the example's build is
// deterministic, its registers give the float learning rate without saturating the trace, a
// 10 s run from the build on disk learns, and what the chip cannot learn is refused (LMU3103).
// The 100 s accuracy check (chip ≤ 1.2× float) is in learning-accuracy.long.test.ts.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkFile, loadNetworkText } from "../../src/api.js";
import { readBuild, writeBuild } from "../../src/build.js";
import { compileNetwork, type CompileResult } from "../../src/compile.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { HardwareRun } from "../../src/emulator/runner.js";
import { nrmse } from "../../src/compare/metrics.js";
import { loadTarget } from "../../src/target/target.js";

const EXAMPLE = "examples/lmu-delay-pes.yaml";
const loihi1 = loadTarget("loihi1");
let compiled: CompileResult;
let dir: string;

beforeAll(() => {
  compiled = compileNetwork(loadNetworkFile(EXAMPLE), loihi1);
  dir = mkdtempSync(join(tmpdir(), "lmuc-pes-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** NRMSE of y against ref over rows [from, to) (1-D probes). */
const windowNrmse = (y: Float64Array, ref: Float64Array, from: number, to: number): number => nrmse(y.subarray(from, to), ref.subarray(from, to));

test("compiling the example twice writes the same build, byte for byte", () => {
  const again = compileNetwork(loadNetworkFile(EXAMPLE), loihi1);
  const source = { file: EXAMPLE, text: readFileSync(EXAMPLE, "utf8") };
  writeBuild(join(dir, "a"), compiled, loihi1, source);
  writeBuild(join(dir, "b"), again, loihi1, source);
  for (const f of ["cores.bin", "host.json", "report.json", "chip.yaml", "manifest.json"]) {
    expect(readFileSync(join(dir, "b", f)).equals(readFileSync(join(dir, "a", f)))).toBe(true);
  }
});

test("the registers learn at the float rate, and neither the trace nor the error saturates", () => {
  const [l] = compiled.report.learning!;
  expect(compiled.report.learning).toHaveLength(1);
  // The rate's rounding to lrMant·2^lrExp is moved into the host's error scale: exact to 1e-9.
  expect(Math.abs(l.effectiveRate / l.floatRate - 1)).toBeLessThan(1e-9);
  // One spike in every trace update brings the trace to mag/(1 − decay) ≤ 127, the cap: it cannot saturate.
  const mag = l.traceMagInt + l.traceMagFrac / 128;
  expect(mag / (1 - l.traceDecay)).toBeLessThanOrEqual(127);
  expect(mag / (1 - l.traceDecay)).toBeGreaterThan(126); // …and uses its whole range
  // NengoLoihi would need mag = mag0·lr·2^7 with lr pinned at 2^−7 (§6.2); ours keeps lr in the rate registers.
  expect(l.lrMant).toBeGreaterThanOrEqual(4);
  // The error's ±127 covers 1.25× the calibrated peak (0.576 on the first 2 s of the example).
  expect(l.errorMax / l.errorScale).toBeGreaterThan(l.errorPeak);
  expect(compiled.report.warnings.filter((w) => w.code.startsWith("LMU310"))).toEqual([]);
  // Learning core: only the readout, its error channel a host node of the readout's size.
  const core = compiled.chip.cores.find((c) => c.index === l.core)!;
  expect(core.learningGroups![0].errorChannel).toBe(l.errorChannel);
  expect(compiled.host.network.nodes.find((n) => n.id === l.errorChannel)?.sizeOut).toBe(1);
});

const NET = (learned: string, extra = ""): string => `
name: t
nodes:
  stim: { output: { kind: sine, frequency: 1 } }
  out: { size_in: 1 }
  err: { size_in: 1 }
ensembles:
  ens: { n_neurons: 20, dimensions: 1, neuron: spiking-relu }
  post: { n_neurons: 20, dimensions: 1, neuron: spiking-relu }
connections:
  - { from: stim, to: ens }
  - { id: w, from: ens, ${learned} }
  - { from: out, to: err }
  - { from: err, to: w.learning }
${extra}`;

function codes(text: string): string[] {
  try {
    compileNetwork(loadNetworkText(text, "t.yaml"), loihi1);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return e.diagnostics.map((d) => `${d.code} ${d.location?.line ?? "?"}`);
  }
  return [];
}

test("what the chip cannot learn is refused at the learned connection (LMU3103): no pre-synaptic filter, a chip ensemble as post, a filter longer than the trace holds", () => {
  expect(codes(NET("to: out, learning_rule: { pes: { pre_synapse: null } }"))).toEqual(["LMU3103 12"]);
  expect(codes(NET("to: post, learning_rule: { pes: {} }"))).toEqual(["LMU3103 12"]);
  // 5000 steps: more than the trace's 12-bit time constant (4095).
  expect(codes(NET("to: out, learning_rule: { pes: { pre_synapse: 5 } }"))).toEqual(["LMU3103 12"]);
  expect(codes(NET("to: out, learning_rule: { pes: {} }"))).toEqual([]);
});

test("an error computed by a chip ensemble reaches the host from its spikes: 4 s of a 1 Hz sine learned from 0.31 to 0.12 NRMSE", () => {
  const text = `
name: t
nodes:
  stim: { output: { kind: sine, frequency: 1 } }
  out: { size_in: 1 }
ensembles:
  ens: { n_neurons: 50, dimensions: 1, neuron: spiking-relu }
  err: { n_neurons: 50, dimensions: 1, neuron: spiking-relu }
connections:
  - { from: stim, to: ens }
  - { id: w, from: ens, to: out, function: zero, learning_rule: { pes: { learning_rate: 1.0e-3 } } }
  - { from: out, to: err }
  - { from: stim, to: err, transform: -1 }
  - { from: err, to: w.learning }
probes:
  out: out
  stim: stim
`;
  writeBuild(join(dir, "err"), compileNetwork(loadNetworkText(text, "t.yaml"), loihi1), loihi1, { file: "t.yaml" });
  const b = readBuild(join(dir, "err"));
  expect(b.host.placements.map((p) => p.ensemble).sort()).toEqual(["c1/readout", "err"]);
  const run = new HardwareRun(b.chip, b.host, { expectedSteps: 4000 });
  run.run(4000);
  const probes = new Map(run.probeResults().map((p) => [p.id, p]));
  const out = probes.get("out")!.data, stim = probes.get("stim")!.data;
  // Measured: 0.306 (0–1 s) → 0.123 (3–4 s).
  expect(windowNrmse(out, stim, 0, 1000)).toBeGreaterThan(0.25);
  expect(windowNrmse(out, stim, 3000, 4000)).toBeLessThan(0.2);
});

test("a rate the registers cannot hold compiles with LMU3102 at the learned connection, saying what to change", () => {
  const r = compileNetwork(loadNetworkText(NET("to: out, learning_rule: { pes: { learning_rate: 1.0e-12 } }"), "t.yaml"), loihi1).report;
  const w = r.warnings.filter((d) => d.code === "LMU3102");
  expect(w.map((d) => d.location?.line)).toEqual([12]);
  expect(w[0].message).toMatch(/raise learning_rate/);
  expect(r.learning![0].effectiveRate).toBeGreaterThan(1e-12);
});
