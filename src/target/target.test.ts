import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { packageRoot } from "../util/paths.js";
import { canonicalTargetJson, coreTile, listTargets, loadTarget, loadTargetText, targetHash } from "./target.js";

const loihiText = readFileSync(join(packageRoot(), "targets", "loihi1.yaml"), "utf8");

function diagnosticsOf(f: () => unknown): Diagnostic[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DiagnosticError);
    return [...(e as DiagnosticError).diagnostics];
  }
  throw new Error("expected a DiagnosticError");
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((l) => l.includes(needle)) + 1;
}

describe("loadTarget", () => {
  it("loads loihi1 with the spec's figures", () => {
    const t = loadTarget("loihi1");
    expect(t.name).toBe("loihi1");
    expect(t.file).toBe(join(packageRoot(), "targets", "loihi1.yaml"));
    expect(t.limits).toEqual({
      compartmentsPerCore: 1024,
      inputAxonsPerCore: 4096,
      outputAxonsPerCore: 4096,
      synapseBitsPerCore: 1048576,
      cxProfilesPerCore: 31,
      vthProfilesPerCore: 7,
      synapseFormatsPerCore: 15,
      refractDelay: { min: 1, max: 63 },
      delaySlots: 1,
      compartmentBase: { min: 0, max: 255 },
      coresPerChip: 128,
      chipsPerBoard: 32,
    });
    expect(t.mesh).toEqual({ tilesX: 8, tilesY: 4, coresPerTile: 4 });
    expect(t.widths).toMatchObject({ decayBits: 12, vthMantBits: 17, vthExp: 6, biasMantBits: 13, biasExpBits: 3, weightFieldBits: 9, qBits: 21, uBits: 23, vBits: 23, weightShift: 6 });
    expect(t.widths.weightBitsOptions).toEqual([0, 1, 2, 3, 4, 5, 6, 8]);
    expect(t.widths.idxBitsOptions).toEqual([0, 6, 7, 8, 9, 10, 11, 12]);
    expect(t.widths.weightExp).toEqual({ min: -7, max: 7 });
    expect(t.synapseMemory).toEqual({ chunkEntries: 64, formatIdBits: 4, countBits: 6, wordBits: 64, delayBits: 0, tagBits: 0 });
    expect(t.cost).toMatchObject({ synOpPj: 23.6, synOpNs: 3.5, cxActiveNs: 8.4, cxInactiveNs: 5.3, spikeTileNs: 2.1, hopEwNs: 4.1, hopNsNs: 6.5, barrierMinNs: 113, barrierMaxNs: 465, barrierMaxTiles: 32, chipHopNs: 0, chipHopPj: 0, chipHopModelled: false });
  });

  it("loads the tiny test target, by name and by path", () => {
    const t = loadTarget("tiny");
    expect(t.limits).toMatchObject({ compartmentsPerCore: 16, inputAxonsPerCore: 32, outputAxonsPerCore: 32, synapseBitsPerCore: 4096, coresPerChip: 4, chipsPerBoard: 2 });
    const byPath = loadTarget(join(packageRoot(), "targets", "tiny.yaml"));
    expect(targetHash(byPath)).toBe(targetHash(t));
    expect(listTargets()).toEqual(expect.arrayContaining(["loihi1", "tiny"]));
  });

  it("targetHash: sha256 of canonical JSON, independent of key order, file and comments", () => {
    const a = loadTarget("loihi1");
    const b = loadTargetText("# a comment\n" + loihiText.replace(/ +# .*$/gm, ""), "elsewhere.yaml");
    expect(targetHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(targetHash(b)).toBe(targetHash(a));
    expect(canonicalTargetJson(a)).not.toContain('"file"');
    expect(targetHash(loadTargetText(loihiText.replace("syn_op_pj: 23.6", "syn_op_pj: 23.7"), "x.yaml"))).not.toBe(targetHash(a));
  });

  it("a missing field is an LMU1010 located at the mapping that lacks it", () => {
    const text = loihiText.replace(/^ {2}vth_mant_bits:.*\n/m, "");
    const [d, ...rest] = diagnosticsOf(() => loadTargetText(text, "t.yaml"));
    expect(rest).toEqual([]);
    expect(d.code).toBe("LMU1010");
    expect(d.message).toBe("'widths' is missing the required field 'vth_mant_bits'");
    expect(d.location).toMatchObject({ file: "t.yaml", line: lineOf(text, "widths:"), column: 1 });
  });

  it("a wrong type is located at the value", () => {
    const text = loihiText.replace("decay_bits: 12", "decay_bits: twelve");
    const [d] = diagnosticsOf(() => loadTargetText(text, "t.yaml"));
    expect(d.code).toBe("LMU1010");
    expect(d.message).toBe("'widths.decay_bits' must be an integer, got \"twelve\"");
    expect(d.location).toMatchObject({ line: lineOf(text, "decay_bits: twelve"), column: 15 });
  });

  it("unknown fields, out-of-range values and the wrong format are reported, in file order", () => {
    const text = loihiText.replace("format: lmuc-target/1", "format: lmuc-target/2").replace("tiles_x: 8", "tile_x: 8").replace("cx_profiles_per_core: 31", "cx_profiles_per_core: 0");
    const ds = diagnosticsOf(() => loadTargetText(text, "t.yaml"));
    expect(ds.every((d) => d.code === "LMU1010")).toBe(true);
    const msgs = ds.map((d) => `${d.location?.line}: ${d.message}`);
    expect(msgs).toEqual([
      `${lineOf(text, "format:")}: 'format' must be "lmuc-target/1", got "lmuc-target/2"`,
      `${lineOf(text, "cx_profiles_per_core")}: 'limits.cx_profiles_per_core' must be >= 1, got 0`,
      `${lineOf(text, "mesh:")}: 'mesh' is missing the required field 'tiles_x'`,
      `${lineOf(text, "tile_x")}: unknown field 'tile_x' in 'mesh' (accepted: tiles_x, tiles_y, cores_per_tile)`,
    ]);
  });

  it("inconsistent figures are located too", () => {
    const text = loihiText.replace("cores_per_chip: 128", "cores_per_chip: 100").replace("refract_delay: { min: 1, max: 63 }", "refract_delay: { min: 1, max: 64 }");
    const ds = diagnosticsOf(() => loadTargetText(text, "t.yaml"));
    expect(ds.map((d) => [d.location?.line, d.message])).toEqual([
      [lineOf(text, "refract_delay:"), "'limits.refract_delay.max' 64 does not fit widths.refract_delay_bits = 6"],
      [lineOf(text, "mesh:") + 1, "mesh 8 × 4 tiles of 4 cores holds 128 cores, but limits.cores_per_chip is 100"],
    ]);
  });

  it("YAML errors, empty files, NaN, unknown names and unreadable paths", () => {
    expect(diagnosticsOf(() => loadTargetText("name: [", "t.yaml"))[0].code).toBe("LMU1001");
    const [empty] = diagnosticsOf(() => loadTargetText("# nothing\n", "t.yaml"));
    expect(empty).toMatchObject({ code: "LMU1010", message: "the target file is empty: expected a target mapping" });
    const [nan] = diagnosticsOf(() => loadTargetText(loihiText.replace("syn_op_pj: 23.6", "syn_op_pj: .nan"), "t.yaml"));
    expect(nan.code).toBe("LMU1003");
    const [unknown] = diagnosticsOf(() => loadTarget("loihi7"));
    expect(unknown.code).toBe("LMU1010");
    expect(unknown.message).toMatch(/unknown target 'loihi7' \(available: .*loihi1.*tiny/);
    const [missing] = diagnosticsOf(() => loadTarget("./no/such/target.yaml"));
    expect(missing.code).toBe("LMU8001");
    expect(missing.message).toContain("ENOENT");
  });

  it("reads a user target file from a path", () => {
    const dir = mkdtempSync(join(tmpdir(), "lmuc-target-"));
    try {
      const file = join(dir, "mine.yaml");
      writeFileSync(file, loihiText.replace("name: loihi1", "name: mine"));
      const t = loadTarget(file);
      expect(t.name).toBe("mine");
      expect(t.file).toBe(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("coreTile follows §7.2 (tile = ⌊c/4⌋, x = tile mod 8, y = ⌊tile/8⌋)", () => {
    const t = loadTarget("loihi1");
    expect(coreTile(0, t)).toEqual({ tile: 0, x: 0, y: 0 });
    expect(coreTile(5, t)).toEqual({ tile: 1, x: 1, y: 0 });
    expect(coreTile(37, t)).toEqual({ tile: 9, x: 1, y: 1 });
    expect(coreTile(127, t)).toEqual({ tile: 31, x: 7, y: 3 });
  });
});
