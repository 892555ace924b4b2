/**
 * On-chip decode neurons (src/passes/decode-neurons.ts): decoded chip → chip connections lowered
 * through multi-level sigma-delta on/off compartments instead of neuron-to-neuron weights, chosen
 * per connection by synapse memory ("auto", the default) or forced with CompileOptions.decodeNeurons
 * / --decode-neurons never|always.
 *
 * Measured (10 s, loihi1, state NRMSE vs the ideal LMU, emulator ÷ float): lmu-memory 1.01× with
 * decode neurons, 1.05× with neuron-to-neuron weights; lmu-delay state 1.13× vs 1.19×, delayed
 * output 1.20× vs 1.32× (the decode path's extra step is compensated in the recurrence).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkFile, loadNetworkText } from "../../src/api.js";
import { compileSummary } from "../../src/cli/hardware.js";
import { compareNetwork } from "../../src/compare/compare.js";
import { HardwareRun } from "../../src/emulator/runner.js";
import { compileNetwork } from "../../src/compile.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { verifyChip } from "../../src/ir/verify-core.js";
import { loadTarget } from "../../src/target/target.js";
import { runFloatPipeline } from "../../src/passes/pipeline.js";
import { planHubs } from "../../src/passes/decode-hub.js";
import { recurrentEnsemble } from "../helpers/networks.js";

const loihi1 = loadTarget("loihi1");

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "lmuc-decode-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("lmu-memory with decode neurons always", () => {
  test("compiles, verifies, reports the path per connection, and its emulated state is within 1.2× the float model's NRMSE vs the ideal LMU (measured over 2000 steps: 0.108 vs float 0.113)", () => {
    const net = loadNetworkFile("examples/lmu-memory.yaml");
    const r = compileNetwork(net, loihi1, { decodeNeurons: "always" });
    expect(verifyChip(r.chip, loihi1)).toEqual([]);
    const paths = r.report.decodePaths!;
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((p) => p.path === "decode-neurons" && p.decodeBlocks === 1)).toBe(true);
    // 4-D recurrence: 4 rows × 4 levels × on/off = 32 decode compartments beside the 400 LIF neurons.
    expect(r.report.neuronsOnChip).toBe(400 + paths.reduce((s, p) => s + p.decodeCompartments!, 0));
    expect(compileSummary(r.report)).toMatch(/decode neurons \(32 compartments in 1 block\): --decode-neurons always/);

    const report = compareNetwork(net, loihi1, { steps: 2000, buildDir: join(dir, "mem"), source: { file: "examples/lmu-memory.yaml" }, decodeNeurons: "always" });
    const state = report.probes.find((p) => p.id === "state")!;
    expect(Number.isFinite(state.nrmseEmulatorVsIdeal)).toBe(true);
    expect(state.nrmseEmulatorVsIdeal!).toBeLessThan(1.2 * state.nrmseFloatVsIdeal!);
    expect(report.cost.overflows).toEqual({ q: 0, u: 0, uBias: 0 });
  }, 60_000);

  test("auto: lmu-memory's 400×400 recurrent weights need > 4× the decode path's synapse memory, so it takes decode neurons and says why", () => {
    const r = compileNetwork(loadNetworkFile("examples/lmu-memory.yaml"), loihi1, { decodeNeurons: "auto" });
    const paths = r.report.decodePaths!;
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) {
      expect(p.path).toBe("decode-neurons");
      expect(p.neuronPathBits).toBeGreaterThan(4 * p.decodePathBits);
      expect(p.why).toMatch(/synapse memory of decode neurons/);
    }
  });

  test("auto (the default) keeps neuron-to-neuron weights where they fit and are cheap (a 50-neuron recurrent ensemble); never reports nothing", () => {
    const net = loadNetworkText(recurrentEnsemble(50, "recurrent-50"), "recurrent-50.yaml");
    const r = compileNetwork(net, loihi1, { decodeNeurons: "auto" });
    expect(r.report.decodePaths).toHaveLength(1);
    expect(r.report.decodePaths![0]).toMatchObject({ path: "neurons", fanIn: 50 });
    expect(r.report.decodePaths![0].why).toMatch(/^fits/);
    expect(r.report.neuronsOnChip).toBe(50);
    expect(compileSummary(r.report)).toMatch(/big → big: neuron-to-neuron weights: fits/);
    expect(JSON.stringify(compileNetwork(net, loihi1).chip)).toBe(JSON.stringify(r.chip));
    const never = compileNetwork(net, loihi1, { decodeNeurons: "never" });
    expect(never.report.decodePaths).toBeUndefined();
    expect(JSON.stringify(never.chip)).toBe(JSON.stringify(r.chip));
  });
});

describe("a recurrent 1-D ensemble of 2000 neurons on a target with 1024 input axons per core", () => {
  const narrowTarget = () => {
    const file = join(dir, "loihi1-1024-axons.yaml");
    const text = readFileSync("targets/loihi1.yaml", "utf8").replace(/input_axons_per_core:\s*\d+/, "input_axons_per_core: 1024");
    expect(text).toMatch(/input_axons_per_core: 1024/);
    writeFileSync(file, text);
    return loadTarget(file);
  };

  test("never: refused, first because its neuron-to-neuron weights would lose more than 5% to rounding (LMU3004; before the loss limit: LMU4003, fan-in 2000 > 1024); auto: compiles through two decode blocks of 1000 inputs each", () => {
    const target = narrowTarget();
    expect(target.limits.inputAxonsPerCore).toBe(1024);
    const net = loadNetworkText(recurrentEnsemble(2000, "recurrent-2000"), "recurrent-2000.yaml");
    let error: unknown;
    try {
      compileNetwork(net, target, { decodeNeurons: "never" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostics.map((d) => d.code)).toEqual(["LMU3004"]);
    expect((error as DiagnosticError).diagnostics[0].message).toMatch(/connection \S+ into 'big' would lose \d+\.\d% of its weight to rounding/);

    const r = compileNetwork(net, target, { decodeNeurons: "auto" });
    expect(verifyChip(r.chip, target)).toEqual([]);
    const [p] = r.report.decodePaths!;
    expect(p).toMatchObject({ pre: "big", post: "big", path: "decode-neurons", fanIn: 2000, decodeBlocks: 2, decodeCompartments: 16 });
    expect(p.why).toMatch(/fan-in 2000 exceeds 1024 input axons/);
    expect(r.report.neuronsOnChip).toBe(2016);
    for (const u of r.report.partition.usage) expect(u.inputAxons).toBeLessThanOrEqual(1024);
  }, 120_000);
});

describe("decode hubs: per-dimension LMU recurrences on chip", () => {
  test("lmu-steps (order 8, 250 neurons per dimension): the recurrence stays on chip through one hub of 64 decode compartments; the shifted outputs' NRMSE is within 1.3× float (measured over 2000 steps: 1.16×; through the host 3.8×)", () => {
    const net = loadNetworkFile("examples/lmu-steps.yaml");
    const r = compileNetwork(net, loihi1);
    expect(verifyChip(r.chip, loihi1)).toEqual([]);
    expect(r.report.decodeHubs).toMatchObject([{ node: "mem", path: "chip", decodeBlocks: 1, decodeCompartments: 64 }]);
    expect(r.report.neuronsOnChip).toBe(2000 + 64);
    expect(compileSummary(r.report)).toMatch(/LMU mem recurrence: on chip \(decode hub\)/);
    // Nothing chip → host → chip is left: the host only decodes for probes and the output node.
    expect(r.report.notes.some((n) => /travel chip → host → chip/.test(n.message))).toBe(false);

    const report = compareNetwork(net, loihi1, { steps: 2000, buildDir: join(dir, "steps"), source: { file: "examples/lmu-steps.yaml" } });
    const shifted = report.probes.find((p) => p.id === "shifted")!;
    expect(shifted.nrmseEmulatorVsIdeal!).toBeLessThan(1.3 * shifted.nrmseFloatVsIdeal!);
    expect(report.cost.overflows).toEqual({ q: 0, u: 0, uBias: 0 });
  }, 120_000);

  test("psmnist-lmu (order 256): auto (the default) keeps its recurrence on chip, estimated at 24 cores of synapse memory (≤ 128, one chip), and says why; never reports nothing", () => {
    const net = loadNetworkFile("examples/psmnist-lmu.yaml");
    // The policy is decided on the float build (decode-hubs is the first hardware pass): no full compile needed.
    const built = runFloatPipeline(net);
    const auto = planHubs(built, loihi1, "auto");
    expect(auto.choices).toHaveLength(1);
    expect(auto.choices[0]).toMatchObject({ node: "memory", path: "chip", decodeBlocks: 1, decodeCompartments: 2 * 256 * 4 });
    expect(auto.choices[0].why).toMatch(/estimated 24\.\d cores of synapse memory ≤ 128, one chip/);
    expect(auto.plans).toHaveLength(1);
    expect(planHubs(built, loihi1, "never").choices).toEqual([]);
    // The same hub on a target with 16 cores per chip would not fit one chip: through the host.
    const small = { ...loihi1, limits: { ...loihi1.limits, coresPerChip: 16 } };
    expect(planHubs(built, small, "auto").choices[0]).toMatchObject({ path: "host" });
    expect(planHubs(built, small, "auto").choices[0].why).toMatch(/would need 24 cores of synapse memory \(> 16, one chip\)/);
  }, 120_000);
});

test("a decode hub draining a backlog cannot wrap its targets' currents: lmu-steps with LIF ensembles runs its input step without an overflow (it wrapped u at step 59 before decode-fed blocks got headroom for all levels firing)", () => {
  const text = readFileSync("examples/lmu-steps.yaml", "utf8").replace("neuron: spiking-relu", "neuron: lif");
  expect(text).toMatch(/neuron: lif/);
  const r = compileNetwork(loadNetworkText(text, "lmu-steps-lif.yaml"), loihi1, { calibrationSteps: 500 });
  expect(r.report.decodeHubs?.[0].path).toBe("chip");
  const run = new HardwareRun(r.chip, r.host, { expectedSteps: 300, overflow: "error" });
  run.run(300);
  expect(run.emulator.overflowTotals).toEqual({ q: 0, u: 0, uBias: 0 });
}, 60_000);
