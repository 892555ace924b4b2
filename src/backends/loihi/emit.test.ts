import fc from "fast-check";
import { createHash } from "node:crypto";
import { randomChip, twoCoreChip } from "../../../test/helpers/chips.js";
import { DiagnosticError, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ChipConfig, CoreConfig } from "../../ir/core.js";
import { loadTarget, type Target } from "../../target/target.js";
import { compartmentGroups, coreFieldWidths, emitChip, WIDTH_ORDER, yamlString } from "./emit.js";
import { loadCoresBin, parseChipYaml } from "./load.js";

const loihi1 = loadTarget("loihi1");
const tiny = loadTarget("tiny");

function diagnosticsOf(f: () => unknown): Diagnostic[] {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return [...e.diagnostics];
  }
  throw new Error("expected a DiagnosticError");
}

function roundTrip(chip: ChipConfig, target: Target): void {
  const { coresBin, chipYaml } = emitChip(chip, target);
  const loaded = loadCoresBin(coresBin, target);
  expect(loaded).toStrictEqual(chip);
  const again = emitChip(loaded, target);
  expect(Buffer.from(again.coresBin).equals(Buffer.from(coresBin))).toBe(true);
  expect(again.chipYaml).toBe(chipYaml);
  expect(parseChipYaml(chipYaml)).toStrictEqual(chip);
}

describe("cores.bin", () => {
  it("hand-built two-core chip: emit → load deep-equals, emit → load → emit is byte-identical", () => {
    roundTrip(twoCoreChip(), loihi1);
  });

  it("is deterministic", () => {
    const a = emitChip(twoCoreChip(), loihi1);
    const b = emitChip(twoCoreChip(), loihi1);
    expect(Buffer.from(a.coresBin).equals(Buffer.from(b.coresBin))).toBe(true);
    expect(a.chipYaml).toBe(b.chipYaml);
  });

  it("header: magic, version, length, target, dt, the width table", () => {
    const { coresBin } = emitChip(twoCoreChip(), loihi1);
    const view = new DataView(coresBin.buffer, coresBin.byteOffset, coresBin.byteLength);
    expect(Buffer.from(coresBin.subarray(0, 4)).toString("latin1")).toBe("LMUC");
    expect(view.getUint16(4, true)).toBe(1);
    expect(view.getUint32(8, true)).toBe(coresBin.length);
    expect(view.getUint32(12, true)).toBe(6);
    expect(Buffer.from(coresBin.subarray(16, 22)).toString()).toBe("loihi1");
    const w = coreFieldWidths(loihi1);
    expect(WIDTH_ORDER.map((k) => w[k])).toEqual([12, 6, 17, 5, 3, 13, 3, 3, 4, 2, 3, 4, 12, 9, 9, 10, 12, 12, 5, 3]);
    const digest = createHash("sha256").update(coresBin.subarray(0, coresBin.length - 32)).digest();
    expect(digest.equals(Buffer.from(coresBin.subarray(coresBin.length - 32)))).toBe(true);
  });

  it("property: load(emit(c)) deep-equals c for random valid chips (loihi1)", () => {
    fc.assert(
      fc.property(fc.gen(), (g) => roundTrip(randomChip(g, loihi1), loihi1)),
      { numRuns: 150 },
    );
  });

  it("property: load(emit(c)) deep-equals c for random valid chips (tiny: full cores, small widths)", () => {
    fc.assert(
      fc.property(fc.gen(), (g) => roundTrip(randomChip(g, tiny, { maxCores: 4, maxAxons: 32, maxRowLength: 16 }), tiny)),
      { numRuns: 150 },
    );
  });

  it("a full-size Loihi 1 core (1024 compartments, 113 dense rows of 1024) round-trips", () => {
    const n = 1024;
    const core: CoreConfig = {
      index: 0,
      chip: 0,
      blocks: [{ label: "big", start: 0, count: n, source: "ensemble big" }],
      nCompartments: n,
      vmin: 0,
      vmax: 2 ** 23 - 1,
      cxProfiles: Array.from({ length: 31 }, (_, k) => ({ decayU: k, decayV: 4095 - k, refractDelay: 1 + k })),
      vthProfiles: [1, 2, 3, 4, 5, 6, 131071],
      cxProfile: Uint8Array.from({ length: n }, (_, c) => c % 31),
      cxVthProfile: Uint8Array.from({ length: n }, (_, c) => c % 7),
      biasMant: Int32Array.from({ length: n }, (_, c) => ((c * 37) % 8191) - 4095),
      biasExp: Uint8Array.from({ length: n }, (_, c) => c % 8),
      synapseFormats: [{ weightBits: 8, isMixed: true, weightExp: -3, compression: "dense", idxBits: 0 }],
      inputAxons: Array.from({ length: 113 }, (_, r) => ({ format: 0, row: r, base: 0 })),
      synapseRows: Array.from({ length: 113 }, (_, r) => ({
        offsets: Int32Array.from({ length: n }, (_, j) => j),
        weights: Int32Array.from({ length: n }, (_, j) => 2 * (((r * 131 + j * 17) % 255) - 127)),
      })),
      outputAxons: Array.from({ length: 4096 }, (_, k) => ({ compartment: k % n, core: 0, axon: k % 113 })),
    };
    const chip: ChipConfig = { format: "lmuc-chip/1", target: "loihi1", dtSeconds: 0.001, cores: [core], inputs: [] };
    const t0 = Date.now();
    const { coresBin } = emitChip(chip, loihi1);
    expect(loadCoresBin(coresBin, loihi1)).toStrictEqual(chip);
    expect(Date.now() - t0).toBeLessThan(10000);
    // 113 × 1024 weights of 9 bits dominate: about 130 KB.
    expect(coresBin.length).toBeGreaterThan((113 * 1024 * 9) / 8);
    expect(coresBin.length).toBeLessThan((113 * 1024 * 9) / 8 + 40000);
  });

  it("emitChip refuses a chip that does not fit the target (LMU5001)", () => {
    const chip = twoCoreChip();
    const bad = { ...chip, cores: [{ ...chip.cores[0], vthProfiles: [0, 255] }, chip.cores[1]] };
    const ds = diagnosticsOf(() => emitChip(bad, loihi1));
    expect(ds[0].code).toBe("LMU5001");
    expect(ds[0].message).toMatch(/core 0 vth profile 0: mantissa 0 is outside 1..131071/);
  });

});

describe("chip.yaml", () => {
  it("shows the hand-built chip readably", () => {
    const { chipYaml } = emitChip(twoCoreChip(), loihi1);
    const lines = chipYaml.split("\n");
    expect(lines.slice(3, 6)).toEqual(["format: lmuc-chip/1", 'target: "loihi1"', "dt: 0.001"]);
    expect(chipYaml).toContain("    placement: { core_in_chip: 0, tile: 0, x: 0, y: 0 }");
    expect(chipYaml).toContain('      - { label: "ens_a", start: 0, count: 4, source: "ensemble a", origin: "net.yaml:12:5", origin_path: "/ensembles/a" }');
    expect(chipYaml).toContain("      - { du: 4094, dv: 200, refract: 3 }   # 0");
    expect(chipYaml).toContain("      - { mant: 2612, vth: 167168 }   # 0");
    expect(chipYaml).toContain("      - { first: 0, count: 2, cx: 0, vth: 0, bias_mant: 3188, bias_exp: 7, bias: 408064 }");
    expect(chipYaml).toContain("      - { weight_bits: 8, mixed: true, weight_exp: -2, compression: sparse, idx_bits: 6 }   # 0");
    expect(chipYaml).toContain("      - { axon: 2, format: 0, row: 1, base: 2 }");
    expect(chipYaml).toContain(["      - row: 0", "        format: 0", "        entries: 4", "        wgt: [254, -254, 2, 0]", "        d: [16256, -16256, 128, 0]"].join("\n"));
    expect(chipYaml).toContain(["        offsets: [2, 0]", "        wgt: [254, -254]", "        d: [4032, -4096]"].join("\n"));
    expect(chipYaml).toContain("        d: [131072, 1966080]"); // 4-bit, exp 7: 16·2^13, 240·2^13
    expect(chipYaml).toContain("    synapse_bits: 128   # of 1048576");
    expect(chipYaml).toContain("      - { compartment: 2, core: 0, axon: 2 }");
    expect(chipYaml).toContain(['  - id: "stim"', "    channels: 2", "    targets:", "      - { channel: 0, core: 0, axon: 0 }"].join("\n"));
  });

  it("summarises rows of very large chips (cores.bin stays complete)", () => {
    const { chipYaml } = emitChip(twoCoreChip(), loihi1, { maxYamlEntries: 9 });
    expect(chipYaml).toContain("# synapse rows are summarised: the chip has 10 synapse entries (over 9); cores.bin holds them all.");
    expect(chipYaml).toContain("      - { row: 0, format: 0, entries: 4 }");
    expect(chipYaml).not.toContain("wgt:");
    expect(diagnosticsOf(() => parseChipYaml(chipYaml))[0].message).toMatch(/cores\[0\]\.synapse_rows\[0\] has no weights \(rows were summarised/);
    expect(emitChip(twoCoreChip(), loihi1, { maxYamlEntries: 10 }).chipYaml).toBe(emitChip(twoCoreChip(), loihi1).chipYaml);
  });

  it("lists registers as columns when runs are short (many heterogeneous compartments)", () => {
    const chip = twoCoreChip();
    const n = 10;
    const core: CoreConfig = {
      ...chip.cores[1],
      nCompartments: n,
      blocks: [{ label: "x", start: 0, count: n, source: "ensemble x" }],
      cxProfile: new Uint8Array(n),
      cxVthProfile: new Uint8Array(n),
      biasMant: Int32Array.from({ length: n }, (_, c) => c - 5),
      biasExp: Uint8Array.from({ length: n }, (_, c) => c % 3),
    };
    const hetero: ChipConfig = { ...chip, cores: [chip.cores[0], core] };
    const { chipYaml } = emitChip(hetero, loihi1);
    expect(chipYaml).toContain(
      [
        "    compartment_columns:   # per compartment: profile, threshold profile, bias = bias_mant·2^bias_exp",
        "      cx: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
        "      vth: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
        "      bias_mant: [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]",
        "      bias_exp: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]",
      ].join("\n"),
    );
    expect(parseChipYaml(chipYaml)).toStrictEqual(hetero);
  });

  it("compartment groups are maximal runs", () => {
    const core = twoCoreChip().cores[0];
    expect(compartmentGroups(core)).toEqual([
      { first: 0, count: 2, cx: 0, vth: 0, biasMant: 3188, biasExp: 7 },
      { first: 2, count: 1, cx: 0, vth: 1, biasMant: -4095, biasExp: 0 },
      { first: 3, count: 1, cx: 1, vth: 1, biasMant: 0, biasExp: 0 },
    ]);
  });

  it("strings are quoted so that YAML reads them back exactly", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(parseChipYaml(`format: lmuc-chip/1\ntarget: ${yamlString(s)}\ndt: 1\ncores: []\ninputs: []\n`).target).toBe(s);
      }),
    );
  });
});
