import fc from "fast-check";
import { randomChip, twoCoreChip } from "../../test/helpers/chips.js";
import { loadTarget } from "../target/target.js";
import type { ChipConfig, CoreConfig, SynapseFormat } from "./core.js";
import { coreLocalIds, coreSynapseBits, effectiveWeight, effectiveWeightsInto, synapseRowBits, verifyChip, vmaxCode, vminCode } from "./verify-core.js";

const loihi1 = loadTarget("loihi1");
const tiny = loadTarget("tiny");

const dense8: SynapseFormat = { weightBits: 8, isMixed: true, weightExp: 0, compression: "dense", idxBits: 0 };

/** The two-core chip with core `i` replaced by `f(core)`. */
function withCore(i: number, f: (c: CoreConfig) => Partial<CoreConfig>): ChipConfig {
  const chip = twoCoreChip();
  return { ...chip, cores: chip.cores.map((c, k) => (k === i ? { ...c, ...f(c) } : c)) };
}

describe("synaptic memory cost (§3.4)", () => {
  it("dense 8-bit rows of 1, 10, 63, 64, 65, 100, 1024 entries", () => {
    expect([0, 1, 10, 63, 64, 65, 100, 1024].map((n) => synapseRowBits(n, dense8, loihi1))).toEqual([0, 64, 128, 576, 576, 640, 896, 9216]);
  });

  it("a sparse 36-entry row with 6-bit indices costs 576", () => {
    expect(synapseRowBits(36, { weightBits: 8, isMixed: true, weightExp: 0, compression: "sparse", idxBits: 6 }, loihi1)).toBe(576);
  });

  it("113 dense axons × 1024 targets fit one core's 1,048,576 bits; 114 do not (§3.4)", () => {
    expect(113 * synapseRowBits(1024, dense8, loihi1)).toBeLessThanOrEqual(loihi1.limits.synapseBitsPerCore);
    expect(114 * synapseRowBits(1024, dense8, loihi1)).toBeGreaterThan(loihi1.limits.synapseBitsPerCore);
  });

  it("a core counts each row once, in the format of its axons", () => {
    const chip = twoCoreChip();
    // core 0: row 0 (4 dense 8-bit entries, shared by two axons) 64 + row 1 (2 entries) 64
    expect(coreSynapseBits(chip.cores[0], loihi1)).toBe(128);
    // core 1: sparse 2 × (8 + 6) + 10 → 64; dense 4-bit 2 × 4 + 10 → 64
    expect(coreSynapseBits(chip.cores[1], loihi1)).toBe(128);
  });
});

describe("register helpers", () => {
  it("effectiveWeight: D = shl(sh(Wgt, e), 6), floor-shifted per synapse (§3.2, §3.3)", () => {
    expect(effectiveWeight(254, 0, loihi1)).toBe(16256);
    expect(effectiveWeight(254, -6, loihi1)).toBe(192);
    expect(effectiveWeight(-254, -6, loihi1)).toBe(-256);
    expect(effectiveWeight(254, 4, loihi1)).toBe(260096);
    expect(effectiveWeight(-200, -2, loihi1)).toBe(-3200);
    // The row form gives effectiveWeight's value for every field and exponent.
    const wgts = Int32Array.from({ length: 509 }, (_, k) => k - 254);
    const row = new Float64Array(wgts.length);
    for (let e = -8; e <= 7; e++) {
      effectiveWeightsInto(wgts, e, loihi1, row);
      expect(Array.from(row)).toEqual(Array.from(wgts, (x) => effectiveWeight(x, e, loihi1)));
    }
  });

  it("vmin and vmax codes", () => {
    expect(vminCode(0, loihi1)).toBe(0);
    expect(vminCode(-(2 ** 23) + 1, loihi1)).toBe(23);
    expect(vminCode(-(2 ** 24) + 1, loihi1)).toBe(-1);
    expect(vminCode(-5, loihi1)).toBe(-1);
    expect(vmaxCode(511, loihi1)).toBe(0);
    expect(vmaxCode(2 ** 23 - 1, loihi1)).toBe(7);
    expect(vmaxCode(2 ** 10 - 1, loihi1)).toBe(-1);
  });

  it("coreLocalIds ranks cores within their chip", () => {
    const chip = twoCoreChip();
    const three = { ...chip, cores: [...chip.cores, { ...chip.cores[0], index: 2, chip: 0 }] };
    expect(coreLocalIds(three)).toEqual([0, 0, 1]);
  });
});

describe("verifyChip", () => {
  it("accepts the hand-built two-core chip", () => {
    expect(verifyChip(twoCoreChip(), loihi1)).toEqual([]);
  });

  it("property: the random-chip generator makes valid chips (loihi1 and tiny)", () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        expect(verifyChip(randomChip(g, loihi1), loihi1)).toEqual([]);
        const t = randomChip(g, tiny);
        expect(verifyChip(t, tiny)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  const cases: [string, () => ChipConfig, RegExp][] = [
    ["wrong target", () => ({ ...twoCoreChip(), target: "loihi2" }), /built for target 'loihi2', not 'loihi1'/],
    ["bad dt", () => ({ ...twoCoreChip(), dtSeconds: 0 }), /dtSeconds must be a positive finite number/],
    ["core index order", () => withCore(1, () => ({ index: 5 })), /cores\[1\] has index 5/],
    ["chip out of board", () => withCore(1, () => ({ chip: 32 })), /core 1: chip 32 is outside 0..31/],
    ["du too wide", () => withCore(0, (c) => ({ cxProfiles: [{ ...c.cxProfiles[0], decayU: 4096 }, c.cxProfiles[1]] })), /cx profile 0: decayU 4096 is outside 0..4095/],
    ["refractDelay 0", () => withCore(0, (c) => ({ cxProfiles: [{ ...c.cxProfiles[0], refractDelay: 0 }, c.cxProfiles[1]] })), /refractDelay 0 is outside 1..63/],
    ["vth mantissa too wide", () => withCore(1, () => ({ vthProfiles: [131072] })), /mantissa 131072 is outside 1..131071/],
    ["bias mantissa", () => withCore(0, (c) => ({ biasMant: Int32Array.from([4096, 0, 0, 0]) })), /compartment 0: bias mantissa 4096 is outside ±4095/],
    ["bias exponent", () => withCore(0, () => ({ biasExp: Uint8Array.from([8, 0, 0, 0]) })), /bias exponent 8 is outside 0..7/],
    ["too many cx profiles", () => withCore(1, () => ({ cxProfiles: Array.from({ length: 32 }, () => ({ decayU: 0, decayV: 0, refractDelay: 1 })) })), /32 compartment profiles; the target allows 31/],
    ["too many vth profiles", () => withCore(1, () => ({ vthProfiles: [1, 2, 3, 4, 5, 6, 7, 8] })), /8 threshold profiles; the target allows 7/],
    ["profile index", () => withCore(1, () => ({ cxVthProfile: Uint8Array.from([0, 1, 0]) })), /compartment 1: threshold profile 1 does not exist/],
    ["array length", () => withCore(1, () => ({ biasExp: Uint8Array.from([0, 0]) })), /biasExp has 2 entries for 3 compartments/],
    ["too many compartments", () => withCore(1, () => ({ nCompartments: 1025 })), /1025 compartments; the target allows 1024/],
    ["vmin", () => withCore(0, () => ({ vmin: -100 })), /vmin -100 is not −2\^k \+ 1/],
    ["vmax", () => withCore(0, () => ({ vmax: 1000 })), /vmax 1000 is not/],
    ["block gap", () => withCore(1, (c) => ({ blocks: [c.blocks[0]] })), /core 1: compartment 2 belongs to no block/],
    ["block overlap", () => withCore(1, (c) => ({ blocks: [c.blocks[0], { ...c.blocks[1], start: 1, count: 2 }] })), /compartment 1 belongs to 2 blocks/],
    ["block outside", () => withCore(1, (c) => ({ blocks: [c.blocks[0], { ...c.blocks[1], count: 5 }] })), /block 1 \('decode:b'\): compartments 2..6 are outside 0..2/],
    ["weight bits 7", () => withCore(0, () => ({ synapseFormats: [{ ...dense8, weightBits: 7 }] })), /weightBits 7 is not one of 0, 1, 2, 3, 4, 5, 6, 8/],
    ["weight exp 8", () => withCore(0, () => ({ synapseFormats: [{ ...dense8, weightExp: 8 }] })), /weightExp 8 is outside -7..7/],
    ["idx bits 5", () => withCore(1, (c) => ({ synapseFormats: [{ ...c.synapseFormats[0], idxBits: 5 }, c.synapseFormats[1]] })), /idxBits 5 is not one of/],
    ["dense idx bits", () => withCore(0, () => ({ synapseFormats: [{ ...dense8, idxBits: 6 }] })), /a dense format has idxBits 0/],
    ["axon row", () => withCore(0, (c) => ({ inputAxons: [...c.inputAxons, { format: 0, row: 9, base: 0 }] })), /input axon 3: row 9 does not exist/],
    ["axon format", () => withCore(0, (c) => ({ inputAxons: [...c.inputAxons, { format: 3, row: 0, base: 0 }] })), /input axon 3: format 3 does not exist/],
    ["axon base", () => withCore(0, (c) => ({ inputAxons: [c.inputAxons[0], c.inputAxons[1], { ...c.inputAxons[2], base: 256 }] })), /compartment base 256 is outside 0..255/],
    ["axon reach", () => withCore(0, (c) => ({ inputAxons: [c.inputAxons[0], { ...c.inputAxons[1], base: 1 }, c.inputAxons[2]] })), /input axon 1: base 1 \+ offset 3 reaches compartment 4, but the core has 4/],
    ["weight width", () => withCore(0, (c) => ({ synapseRows: [c.synapseRows[0], { offsets: Int32Array.from([0, 1]), weights: Int32Array.from([256, 0]) }] })), /weight 256 does not fit the 9-bit signed field/],
    ["weight low bits", () => withCore(0, (c) => ({ synapseRows: [c.synapseRows[0], { offsets: Int32Array.from([0, 1]), weights: Int32Array.from([3, 0]) }] })), /weight 3 must be a multiple of 2 \(format 0: 8 bits, mixed sign\)/],
    ["4-bit weights", () => withCore(1, (c) => ({ synapseRows: [c.synapseRows[0], { offsets: Int32Array.from([0, 1]), weights: Int32Array.from([16, 8]) }] })), /weight 8 must be a multiple of 16/],
    ["dense offsets", () => withCore(0, (c) => ({ synapseRows: [c.synapseRows[0], { offsets: Int32Array.from([1, 0]), weights: Int32Array.from([2, 2]) }] })), /dense format 0 needs offsets 0, 1, 2, …, but entry 0 has offset 1/],
    ["sparse offset", () => withCore(1, (c) => ({ synapseRows: [{ offsets: Int32Array.from([3]), weights: Int32Array.from([2]) }, c.synapseRows[1]] })), /entry 0: offset 3 is outside 0..2/],
    ["row lengths", () => withCore(1, (c) => ({ synapseRows: [{ offsets: Int32Array.from([0]), weights: Int32Array.from([2, 2]) }, c.synapseRows[1]] })), /1 offsets but 2 weights/],
    ["unused row", () => withCore(1, (c) => ({ synapseRows: [...c.synapseRows, c.synapseRows[0]] })), /core 1 row 2: no input axon uses this row/],
    ["row in two formats", () => withCore(1, (c) => ({ inputAxons: [...c.inputAxons, { format: 1, row: 0, base: 0 }] })), /uses row 0 in format 1, but another axon uses it in format 0/],
    ["output compartment", () => withCore(1, () => ({ outputAxons: [{ compartment: 3, core: 0, axon: 0 }] })), /output axon 0: compartment 3 is outside 0..2/],
    ["output core", () => withCore(1, () => ({ outputAxons: [{ compartment: 0, core: 2, axon: 0 }] })), /target core 2 does not exist/],
    ["output axon", () => withCore(1, () => ({ outputAxons: [{ compartment: 0, core: 0, axon: 3 }] })), /core 0 has no input axon 3 \(it has 3\)/],
    ["input target", () => ({ ...twoCoreChip(), inputs: [{ id: "x", channels: 1, targets: [{ channel: 1, core: 1, axon: 2 }] }] }), /channel 1 is outside 0..0/],
    ["input axon", () => ({ ...twoCoreChip(), inputs: [{ id: "x", channels: 1, targets: [{ channel: 0, core: 1, axon: 2 }] }] }), /core 1 has no input axon 2/],
    ["duplicate input", () => ({ ...twoCoreChip(), inputs: [...twoCoreChip().inputs, ...twoCoreChip().inputs] }), /host input 1 \('stim'\): duplicate id/],
    ["lone surrogate", () => withCore(0, (c) => ({ blocks: [{ ...c.blocks[0], label: "\ud800" }] })), /label must be a well-formed string/],
  ];
  it.each(cases)("rejects: %s", (_name, make, message) => {
    const problems = verifyChip(make(), loihi1);
    expect(problems.join("\n")).toMatch(message);
  });

  it("input and output axon limits, synapse memory and cores per chip (tiny target)", () => {
    const core: CoreConfig = {
      ...twoCoreChip().cores[0],
      inputAxons: Array.from({ length: 33 }, () => ({ format: 0, row: 0, base: 0 })),
      outputAxons: Array.from({ length: 33 }, () => ({ compartment: 0, core: 0, axon: 0 })),
      // 65 dense rows × 64 bits = 4160 bits > 4096
      synapseRows: Array.from({ length: 65 }, () => ({ offsets: Int32Array.from([0]), weights: Int32Array.from([2]) })),
    };
    const axons = Array.from({ length: 65 }, (_, r) => ({ format: 0, row: r, base: 0 }));
    const chip: ChipConfig = {
      format: "lmuc-chip/1",
      target: "tiny",
      dtSeconds: 0.001,
      cores: Array.from({ length: 5 }, (_, i) => ({ ...core, index: i, chip: 0, inputAxons: axons })),
      inputs: [],
    };
    const text = verifyChip(chip, tiny).join("\n");
    expect(text).toMatch(/core 0: 65 input axons; the target allows 32/);
    expect(text).toMatch(/core 0: 33 output axons; the target allows 32/);
    expect(text).toMatch(/core 0: synapse rows need 4160 bits of synaptic memory; the target has 4096/);
    expect(text).toMatch(/chip 0 has 5 cores; the target allows 4/);
  });

  it("caps repeated problems of one kind and counts the rest", () => {
    const chip = withCore(0, () => ({ biasExp: Uint8Array.from([9, 9, 9, 9]) }));
    const problems = verifyChip(chip, loihi1);
    expect(problems.filter((p) => /bias exponent 9/.test(p))).toHaveLength(3);
    expect(problems).toContain("biasExp: 1 more like the above");
  });
});
