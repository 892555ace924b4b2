/**
 * Issue 3 (compile): every example compiles for loihi1 into a configuration the verifier accepts,
 * every on-chip neuron sits in exactly one compartment, core counts stay near the lower bound, the
 * two networks nengo-loihi fails on compile, and the tiny target forces splitting and packing
 * while every core stays within every tiny limit; a network that cannot fit is a located LMU4003.
 *
 * Compiles run in-process (about 1 s each; psmnist 2 s, the 1500-neuron ensemble 4 s).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadNetworkFile, loadNetworkText } from "../../src/api.js";
import { emitCoresBin } from "../../src/backends/loihi/emit.js";
import { loadCoresBin } from "../../src/backends/loihi/load.js";
import { compileNetwork, type CompileOptions } from "../../src/compile.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import type { ChipConfig } from "../../src/ir/core.js";
import { coreSynapseBits, verifyChip } from "../../src/ir/verify-core.js";
import { recurrentEnsemble } from "../helpers/networks.js";
import { compile, expectEachNeuronPlacedOnce, type Compiled } from "../helpers/compile.js";
import { loadTarget, type Target } from "../../src/target/target.js";

const loihi1 = loadTarget("loihi1");
const tiny = loadTarget("tiny");

/** Per-core usage measured on the configuration itself, independently of verifyChip. */
function expectWithinLimits(chip: ChipConfig, target: Target): void {
  const L = target.limits;
  const perChip = new Map<number, number>();
  for (const c of chip.cores) {
    const usage = {
      core: c.index,
      compartments: c.nCompartments <= L.compartmentsPerCore,
      inputAxons: c.inputAxons.length <= L.inputAxonsPerCore,
      outputAxons: c.outputAxons.length <= L.outputAxonsPerCore,
      synapseBits: coreSynapseBits(c, target) <= L.synapseBitsPerCore,
      cxProfiles: c.cxProfiles.length <= L.cxProfilesPerCore,
      vthProfiles: c.vthProfiles.length <= L.vthProfilesPerCore,
      synapseFormats: c.synapseFormats.length <= L.synapseFormatsPerCore,
    };
    expect(usage).toEqual({ core: c.index, compartments: true, inputAxons: true, outputAxons: true, synapseBits: true, cxProfiles: true, vthProfiles: true, synapseFormats: true });
    perChip.set(c.chip, (perChip.get(c.chip) ?? 0) + 1);
  }
  for (const n of perChip.values()) expect(n).toBeLessThanOrEqual(L.coresPerChip);
  expect(chip.cores.length).toBeLessThanOrEqual(L.coresPerChip * L.chipsPerBoard);
}

const allExamples = readdirSync("examples")
  .filter((f) => f.endsWith(".yaml"))
  .sort();
/** Examples that learn online: checked on their own (their learning core is not in the core-count table). */
const learning = allExamples.filter((f) => loadNetworkFile(join("examples", f)).connections.some((c) => c.learningRule));
const examples = allExamples.filter((f) => !learning.includes(f));

/**
 * Cores vs the partition's lower bound when this test was written (cores, lower bound). The
 * assertion is cores ≤ 1.1·bound + 1, not the exact numbers, so a better partitioner still passes.
 * psmnist is above its bound because 256 small blocks share 11 threshold values among them and a
 * core holds 7 threshold profiles; the bound counts only compartments, axons and synapse memory.
 */
const RECORDED: Record<string, [cores: number, lowerBound: number]> = {
  "lmu-delay.yaml": [6, 6],
  "lmu-memory.yaml": [2, 2],
  "lmu-steps.yaml": [2, 2],
  "psmnist-lmu.yaml": [7, 6],
};
/**
 * psmnist-lmu is compiled here with its recurrence through the host (--decode-neurons never): its
 * default build puts the order-256 recurrence on chip (61 cores, bound 18, ~12 s to compile),
 * which test/hardware/psmnist-chip.long.test.ts and decode-neurons.long.test.ts check.
 */
const OPTIONS: Record<string, CompileOptions> = { "psmnist-lmu.yaml": { decodeNeurons: "never" } };

test("the example that learns compiles its learned readout to a learning core of its own (test/hardware/learning-compile.test.ts checks it learns)", () => {
  expect(learning).toEqual(["lmu-delay-pes.yaml"]);
  const { chip, report } = compileNetwork(loadNetworkFile(join("examples", learning[0])), loihi1);
  const learningCores = chip.cores.filter((c) => (c.learningGroups ?? []).length > 0);
  // One group: 1000 pre neurons' axons onto 2 readouts (+ and − of the 1-D output).
  expect(learningCores.map((c) => [c.learningGroups!.length, c.learningGroups![0].nAxons, c.nCompartments])).toEqual([[1, 1000, 2]]);
  expectWithinLimits(chip, loihi1);
  // The learning core shares with nothing, so the bound counts it: 1 core of compartments + 1.
  expect([report.partition.cores, report.partition.lowerBound, report.partition.lowerBoundBy]).toEqual([2, 2, "compartments + 1 learning core"]);
});

describe("every example compiles for loihi1", () => {
  const results = new Map<string, Compiled>();

  test("the four examples are the ones the core-count table records", () => {
    expect(examples).toEqual(Object.keys(RECORDED).sort());
  });

  describe.each(examples)("%s", (file) => {
    const [cores, bound] = RECORDED[file] ?? [NaN, NaN];
    const get = (): Compiled => {
      if (!results.has(file)) results.set(file, compile(loadNetworkFile(join("examples", file)), loihi1, OPTIONS[file]));
      return results.get(file)!;
    };

    test("compiles without printing anything; verifyChip finds no problem; warnings only, no errors", () => {
      const r = get();
      expect(r.printed).toBe("");
      expect(verifyChip(r.chip, loihi1)).toEqual([]);
      expect(r.chip.target).toBe("loihi1");
      expect(r.report.warnings.filter((w) => w.severity !== "warning")).toEqual([]);
      expectWithinLimits(r.chip, loihi1);
    });

    test("every compartment of every on-chip ensemble is placed exactly once", () => {
      expectEachNeuronPlacedOnce(get());
    });

    // cores.bin is the authoritative configuration; chip.yaml (a view of it) and a field-by-field
    // comparison of the loaded ChipConfig are checked for lmu-memory in build.test.ts and for the
    // golden network in golden.test.ts.
    test("emit → load → emit is byte-identical (cores.bin)", () => {
      const first = emitCoresBin(get().chip, loihi1);
      const loaded = loadCoresBin(first, loihi1);
      expect(loaded.cores.map((c) => c.nCompartments)).toEqual(get().chip.cores.map((c) => c.nCompartments));
      expect(Buffer.from(emitCoresBin(loaded, loihi1)).equals(Buffer.from(first))).toBe(true);
    });

    test(`cores ≥ lower bound and ≤ 1.1·bound + 1 (recorded: ${cores} cores vs lower bound ${bound})`, () => {
      const p = get().report.partition;
      expect(p.cores).toBe(get().chip.cores.length);
      expect(p.cores).toBeGreaterThanOrEqual(p.lowerBound);
      expect(p.cores).toBeLessThanOrEqual(Math.floor(1.1 * p.lowerBound + 1));
    });
  });
});

/** nengo-loihi case 1: an LMU whose ensemble has 200 neurons per dimension (order 4: 800 LIF neurons). */
const LMU_200_PER_DIM = `
lmuc: 1
name: lmu-200-per-dim
dt: 0.001
seed: 4
nodes:
  stim:
    output: { kind: white-noise, period: 10, high: 2, rms: 0.4, seed: 5 }
lmus:
  mem:
    input: stim
    order: 4
    theta: 1.0
    implementation:
      kind: neurons
      layout: single
      mapping: discrete
      synapse: 0.1
      n_neurons_per_dimension: 200
      neuron: lif
probes:
  state: { target: mem, synapse: 0.01 }
`;

describe("the two networks nengo-loihi fails on compile, with their reports", () => {
  test("an order-4 LMU with 200 neurons per dimension: 800 neurons + 32 decode compartments, valid, cores ≤ 1.1·bound + 1 (recorded: 1 vs 1; with neuron-to-neuron weights 5 vs 4 and 4.5% of the recurrent weight rounding to zero), no warnings", () => {
    const r = compile(loadNetworkText(LMU_200_PER_DIM, "lmu-200.yaml"), loihi1);
    expect(r.printed).toBe("");
    // The 800×800 recurrent weights cost 6× the synapse memory of decode neurons (4 rows × 4
    // levels × on/off = 32 compartments), so the default ("auto") takes them.
    expect(r.report.decodePaths).toMatchObject([{ path: "decode-neurons", decodeCompartments: 32 }]);
    expect(r.report.neuronsOnChip).toBe(832);
    expect(verifyChip(r.chip, loihi1)).toEqual([]);
    // Through decode neurons no recurrent weight is too small to store: nothing to warn about.
    expect(r.report.warnings).toEqual([]);
    const p = r.report.partition;
    expect(p.cores).toBeGreaterThanOrEqual(p.lowerBound);
    expect(p.cores).toBeLessThanOrEqual(Math.floor(1.1 * p.lowerBound + 1));
    // The report says what every connection lost to quantization.
    expect(r.report.connections.length).toBeGreaterThanOrEqual(2);
    for (const c of r.report.connections) expect(c.maxRelError).toBeLessThan(0.5);
    expectEachNeuronPlacedOnce(r);
  });
});

/**
 * For the tiny target (16 compartments, 32 input/output axons, 4096 synapse bits, 2 threshold
 * profiles, 3 synapse formats per core; 2 chips × 4 cores): 24 LIF neurons fed by a node, feeding
 * 8 more. Fan-in stays ≤ 32 (2 encoder channels; 24 pres into the second ensemble).
 */
const TINY_NET = `
lmuc: 1
name: tiny-split
dt: 0.001
seed: 3
nodes:
  stim:
    output: { kind: white-noise, period: 2, high: 5, rms: 0.3, seed: 2 }
ensembles:
  a:
    n_neurons: 24
    dimensions: 1
    neuron: lif
  b:
    n_neurons: 8
    dimensions: 1
    neuron: lif
connections:
  - { from: stim, to: a, synapse: 0.05 }
  - { from: a, to: b, synapse: 0.05 }
probes:
  value: { target: b, synapse: 0.01 }
`;

describe("the tiny target forces splitting and packing", () => {
  test("24 + 8 neurons: ensemble 'a' is split, parts share cores, ≥ 2 cores, every core within every tiny limit", () => {
    const r = compile(loadNetworkText(TINY_NET, "tiny-split.yaml"), tiny);
    expect(r.printed).toBe("");
    expect(verifyChip(r.chip, tiny)).toEqual([]);
    expectWithinLimits(r.chip, tiny);
    expectEachNeuronPlacedOnce(r);
    // 24 compartments > 16 per core, and a's neurons span more threshold values than 2 profiles.
    expect(r.chip.cores.length).toBeGreaterThanOrEqual(2);
    expect(r.report.partition.splits.some((s) => s.block === "a")).toBe(true);
    // Packing: some core holds more than one part.
    expect(r.chip.cores.some((c) => c.blocks.length > 1)).toBe(true);
    // Routing across cores: a's parts send spikes to the core holding b.
    const bCore = r.chip.cores.find((c) => c.blocks.some((b) => b.source === "ensemble b"))!;
    const senders = r.chip.cores.filter((c) => c.outputAxons.some((o) => o.core === bCore.index));
    expect(senders.length).toBeGreaterThanOrEqual(2);
  });

  test("a 40-neuron recurrent ensemble with neuron-to-neuron weights cannot fit: LMU4003 naming the ensemble at its location (fan-in 41 > 32 input axons: 40 pres, two sharing an axon, + 2 encoder channels)", () => {
    const net = loadNetworkText(recurrentEnsemble(40, "too-wide"), "too-wide.yaml");
    let error: unknown;
    try {
      compile(net, tiny, { decodeNeurons: "never" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    const d = (error as DiagnosticError).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "LMU4003", severity: "error", location: { file: "too-wide.yaml", line: 10, column: 3 } });
    // 40 recurrent pres + 2 encoder channels reach every neuron; two of the pres have identical
    // quantized rows and share one input axon (partition/shared-rows.ts), so 41 axons.
    expect(d[0].message).toBe("ensemble 'big': neuron 0 receives 41 inputs, but a core has at most 32 input axons");
  });

  /**
   * Before the partitioner counted threshold profiles and synapse formats when splitting, parts
   * with more than tiny's 2 profiles or 3 formats reached the verifier: LMU9001, "a bug in lmuc".
   * Now each either compiles into a valid configuration or is a located LMU4003 / LMU4004.
   * Outcomes when written: recurrent-8 → LMU4003 (its input rows need more weight exponents than a
   * core's 3 synapse formats); recurrent-16 → LMU4004 (more than 8 cores); 40 neurons from a node →
   * 8 cores; small-lmu → LMU4004 (10 cores). Per-row weight exponents make recurrent blocks need
   * many formats; tiny's 3 rarely hold them.
   */
  test.each([
    ["recurrent-8", () => loadNetworkText(recurrentEnsemble(8, "recurrent-8"), "recurrent-8.yaml")],
    ["recurrent-16", () => loadNetworkText(recurrentEnsemble(16, "recurrent-16"), "recurrent-16.yaml")],
    ["forty-from-a-node", () => loadNetworkText(TINY_NET.replace("n_neurons: 24", "n_neurons: 40").replace(/ {2}b:[\s\S]*?neuron: lif\n/, "").replace(/ {2}- \{ from: a, to: b.*\n/, "").replace("target: b,", "target: a,"), "forty.yaml")],
    ["small-lmu (golden)", () => loadNetworkFile("test/golden/small-lmu.yaml")],
  ])("%s on tiny: a valid configuration or a located LMU4003/LMU4004, never an internal error", (_name, load) => {
    let r: Compiled | undefined;
    try {
      r = compile(load(), tiny);
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticError);
      for (const d of (e as DiagnosticError).diagnostics) {
        expect(["LMU4003", "LMU4004"]).toContain(d.code);
        if (d.code === "LMU4003") expect(d.location).toBeDefined();
      }
      return;
    }
    expect(r.printed).toBe("");
    expect(verifyChip(r.chip, tiny)).toEqual([]);
    expectWithinLimits(r.chip, tiny);
    expectEachNeuronPlacedOnce(r);
  });

  test("the same network fits loihi1 (4096 input axons): one core", () => {
    const r = compile(loadNetworkText(recurrentEnsemble(40, "too-wide"), "too-wide.yaml"), loihi1);
    expect(r.chip.cores).toHaveLength(1);
    expect(verifyChip(r.chip, loihi1)).toEqual([]);
  });
});
