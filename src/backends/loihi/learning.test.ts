// Learning groups in the configuration on disk: the pes-small conformance vector, rewritten as a
// two-core ChipConfig (pre ensemble on core 0, learned readout on core 1), survives cores.bin and
// chip.yaml unchanged, and the loaded configuration, run by the emulator through chipToModel,
// learns exactly as the vector recorded (so the file holds everything learning needs). A chip
// without learning groups is written exactly as before (no flag, no section).
import { loadFixture } from "../../../test/helpers/fixtures.js";
import { twoCoreChip } from "../../../test/helpers/chips.js";
import { DiagnosticError } from "../../diagnostics/diagnostic.js";
import { loadConformance } from "../../emulator/conformance.js";
import { Emulator } from "../../emulator/engine.js";
import { chipToModel } from "../../emulator/from-chip.js";
import { ReplayLearningRandom } from "../../emulator/learning.js";
import type { ChipConfig, CoreConfig, SynapseFormat } from "../../ir/core.js";
import { loadTarget } from "../../target/target.js";
import { emitChip } from "./emit.js";
import { FLAG_LEARNING } from "./learning.js";
import { loadCoresBin, parseChipYaml } from "./load.js";

const loihi1 = loadTarget("loihi1");

/** bias = m·2^e with the smallest e (|m| ≤ 4095). */
function splitBias(b: number): [number, number] {
  for (let e = 0; e <= 7; e++) if (b % 2 ** e === 0 && Math.abs(b / 2 ** e) <= 4095) return [b / 2 ** e, e];
  throw new Error(`bias ${b} is not representable`);
}

/** The vector's block `block` as a core: profiles deduplicated, registers split into mantissa/exponent. */
function coreOf(json: any, block: number, index: number): Omit<CoreConfig, "synapseFormats" | "inputAxons" | "synapseRows" | "outputAxons"> {
  const b = json.blocks[block];
  const cx = json.compartments;
  const profiles: string[] = [];
  const vths: number[] = [];
  const cxProfile = new Uint8Array(b.count);
  const cxVthProfile = new Uint8Array(b.count);
  const biasMant = new Int32Array(b.count);
  const biasExp = new Uint8Array(b.count);
  for (let k = 0; k < b.count; k++) {
    const g = b.start + k;
    const key = `${cx.decay_u[g]},${cx.decay_v[g]},${cx.refract_delay[g]}`;
    if (!profiles.includes(key)) profiles.push(key);
    cxProfile[k] = profiles.indexOf(key);
    if (!vths.includes(cx.vth[g] / 64)) vths.push(cx.vth[g] / 64);
    cxVthProfile[k] = vths.indexOf(cx.vth[g] / 64);
    [biasMant[k], biasExp[k]] = splitBias(cx.bias[g]);
  }
  return {
    index,
    chip: 0,
    blocks: [{ label: b.label.slice(0, 40), start: 0, count: b.count, source: `conformance block ${block}` }],
    nCompartments: b.count,
    vmin: cx.vmin[b.start],
    vmax: cx.vmax[b.start],
    cxProfiles: profiles.map((p) => p.split(",").map(Number)).map(([decayU, decayV, refractDelay]) => ({ decayU, decayV, refractDelay })),
    vthProfiles: vths,
    cxProfile,
    cxVthProfile,
    biasMant,
    biasExp,
  };
}

/** pes-small as a ChipConfig: host input → core 0 (50 LIF), core 0 → core 1's 50 learned axons → 2 readouts. */
function pesSmallChip(json: any): ChipConfig {
  const [encoders, decoders] = json.synapses;
  const dense = (exp: number): SynapseFormat => ({ weightBits: 8, isMixed: true, weightExp: exp, compression: "dense", idxBits: 0 });
  const rowsOf = (syn: any, start: number) =>
    syn.axons.map((a: any) => ({ offsets: Int32Array.from(a.targets, (_: number, j: number) => j), weights: Int32Array.from(a.weights, (d: number) => d / 2 ** (6 + syn.weight_exp)), base: a.targets[0] - start }));
  const encRows = rowsOf(encoders, 0);
  const decRows = rowsOf(decoders, json.blocks[1].start);
  const blockRoute = json.routes.find((r: any) => r.source === "block");
  const inputRoute = json.routes.find((r: any) => r.source === "input");
  const g = json.learning.groups[0];
  const core0: CoreConfig = {
    ...coreOf(json, 0, 0),
    synapseFormats: [dense(encoders.weight_exp)],
    inputAxons: encRows.map((r: any, k: number) => ({ format: 0, row: k, base: r.base })),
    synapseRows: encRows.map((r: any) => ({ offsets: r.offsets, weights: r.weights })),
    outputAxons: Array.from(blockRoute.axon_of as number[], (axon, compartment) => ({ compartment, core: 1, axon })),
  };
  const core1: CoreConfig = {
    ...coreOf(json, 1, 1),
    synapseFormats: [dense(decoders.weight_exp)],
    inputAxons: decRows.map((r: any, k: number) => ({ format: 0, row: k, base: r.base })),
    synapseRows: decRows.map((r: any) => ({ offsets: r.offsets, weights: r.weights })),
    outputAxons: [],
    learningGroups: [
      {
        label: "pes",
        firstAxon: 0,
        nAxons: g.n_axons,
        readoutStart: g.readout_start - json.blocks[1].start,
        dims: g.dims,
        errorChannel: "error",
        errorScale: g.pes_error_scale,
        errorMax: g.error_max,
        profile: { traceEpochSteps: g.train_epoch, learnEpochExp: g.learn_epoch_k, traceTauSteps: g.trace_tau, traceDecay: g.trace_decay, traceMagInt: g.trace_mag_int, traceMagFrac: g.trace_mag_frac, lrMant: g.lr_int, lrExp: g.lr_exp },
      },
    ],
  };
  const inputs = [{ id: "stim", channels: json.inputs[0].count, targets: Array.from(inputRoute.axon_of as number[], (axon, channel) => ({ channel, core: 0, axon })) }];
  return { format: "lmuc-chip/1", target: "loihi1", dtSeconds: 0.001, cores: [core0, core1], inputs, learningEngine: { traceBits: 7, learnFrac: g.learn_frac, overflowBits: g.overflow_bits } };
}

describe("learning groups on disk", () => {
  const json = loadFixture("conformance/pes-small.json.gz") as any;
  const chip = pesSmallChip(json);

  test("cores.bin and chip.yaml round-trip a chip with a learning group exactly", () => {
    const { coresBin, chipYaml } = emitChip(chip, loihi1);
    expect(new DataView(coresBin.buffer, coresBin.byteOffset).getUint16(6, true)).toBe(FLAG_LEARNING);
    const loaded = loadCoresBin(coresBin, loihi1);
    expect(loaded).toStrictEqual(chip);
    expect(Buffer.from(emitChip(loaded, loihi1).coresBin).equals(Buffer.from(coresBin))).toBe(true);
    expect(chipYaml).toMatch(/learning_groups:/);
    expect(chipYaml).toMatch(/trace_decay: 0\.6703200460356393/);
    expect(parseChipYaml(chipYaml)).toStrictEqual(chip);
  });

  test("the loaded configuration learns bit for bit as the vector recorded (250 weight updates, final weights)", () => {
    const loaded = loadCoresBin(emitChip(chip, loihi1).coresBin, loihi1);
    const layout = chipToModel(loaded);
    expect(layout.learningGroups).toEqual([{ errorChannel: "error", errorScale: 100, errorMax: 127, dims: 1 }]);
    const c = loadConformance(json);
    const emu = new Emulator(layout.model, { learningRandom: new ReplayLearningRandom(c.learning!.random) });
    const errors = c.learning!.errors[0];
    for (let t = 1; t <= c.steps; t++) {
      emu.learning!.setError(0, errors.subarray(t - 1, t));
      emu.step(c.inputSpikes.get(t));
      // Compartment numbering is the vector's (core 0 = block 0, core 1 = block 1), so spikes compare directly.
      expect(Array.from(emu.spikedLastStep().indices)).toEqual(Array.from(c.expected.spikes[t - 1]));
    }
    expect(emu.learning!.weightUpdates).toBe(250);
    const final = json.expected.learning[0].final_weights as number[][];
    for (let a = 0; a < final.length; a++) for (let j = 0; j < 2; j++) expect(emu.learning!.weight(0, a, j)).toBe(final[a][j]);
    expect(Array.from(emu.u)).toEqual(Array.from(c.expected.finalU));
  });

  test("a chip without learning groups is written without the flag or any section", () => {
    const { coresBin } = emitChip(twoCoreChip(), loihi1);
    expect(new DataView(coresBin.buffer, coresBin.byteOffset).getUint16(6, true)).toBe(0);
    expect(loadCoresBin(coresBin, loihi1).learningEngine).toBeUndefined();
  });

  test("invalid learning groups are refused with LMU5001 naming the group", () => {
    const bad: ChipConfig = { ...chip, cores: [chip.cores[0], { ...chip.cores[1], learningGroups: [{ ...chip.cores[1].learningGroups![0], nAxons: 51, profile: { ...chip.cores[1].learningGroups![0].profile, traceMagInt: 200 } }] }] };
    let caught: unknown;
    try {
      emitChip(bad, loihi1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    const messages = (caught as DiagnosticError).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^LMU5001 core 1 learning group 0 \(pes\): traceMagInt 200 does not fit 7-bit unsigned/));
    expect(messages).toContainEqual(expect.stringMatching(/^LMU5001 core 1 learning group 0 \(pes\): axons 0\.\.50 are outside the core's 50 input axons/));
  });
});
