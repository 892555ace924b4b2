/**
 * Issue 3, build folders: writeBuild + readBuild round-trip a compiled lmu-memory exactly; emit →
 * load → emit is byte-identical; a tampered, truncated or missing build and a broken target file
 * are located DiagnosticErrors (never a stack trace or a half-read build); a folder lmuc did not
 * write is never replaced.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkFile } from "../../src/api.js";
import { relocateSource } from "../../src/backends/loihi/build-files.js";
import { emitChip } from "../../src/backends/loihi/emit.js";
import { loadCoresBin } from "../../src/backends/loihi/load.js";
import { readBuild, writeBuild } from "../../src/build.js";
import { chipVerifiedFor, compileNetwork, type CompileResult } from "../../src/compile.js";
import { DiagnosticError, type Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { irReplacer } from "../../src/ir/json.js";
import { loadTarget } from "../../src/target/target.js";

const NET = "examples/lmu-memory.yaml";
const FILES = ["chip.yaml", "cores.bin", "host.json", "manifest.json", "report.json"];
const target = loadTarget("loihi1");

let tmp: string;
let compiled: CompileResult;
let dir: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-build-"));
  compiled = compileNetwork(loadNetworkFile(NET), target);
  dir = join(tmp, "lmu-memory.build");
  writeBuild(dir, compiled, target, { file: NET, text: readFileSync(NET, "utf8") });
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** The diagnostics `fn` throws; fails the test if it throws anything else or nothing. */
function diagnosticsOf(fn: () => unknown): readonly Diagnostic[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostics;
    throw e;
  }
  throw new Error("expected a DiagnosticError, but nothing was thrown");
}

/** A fresh copy of the good build to damage. */
function copyOfBuild(name: string): string {
  const copy = join(tmp, name);
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** Rewrites one file of a build and (optionally) its manifest entry, as a careful forger would. */
function replaceFile(build: string, file: string, bytes: Buffer, fixManifest: boolean): void {
  writeFileSync(join(build, file), bytes);
  if (!fixManifest) return;
  const manifestPath = join(build, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  manifest.files[file] = { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
}

describe("writeBuild + readBuild on lmu-memory", () => {
  test("the folder holds exactly the manifest and the four build files, all listed with their sizes", () => {
    expect(readdirSync(dir).sort()).toEqual(FILES);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    // The network by its file name alone: the bytes do not depend on how its path was spelled.
    expect(manifest).toMatchObject({ format: "lmuc-build/1", target: { name: "loihi1" }, network: { name: "lmu-memory", file: "lmu-memory.yaml" }, cores: compiled.chip.cores.length });
    expect(Object.keys(manifest.files).sort()).toEqual(FILES.filter((f) => f !== "manifest.json"));
    for (const [name, e] of Object.entries(manifest.files as Record<string, { bytes: number }>)) expect(readFileSync(join(dir, name)).length).toBe(e.bytes);
  });

  test("readBuild gives back the compiled chip, host program and report, their source locations naming the network by file name", () => {
    const b = readBuild(dir);
    const stored = relocateSource(compiled, NET, "lmu-memory.yaml");
    expect(b.target.name).toBe("loihi1");
    expect(b.chip).toEqual(stored.chip);
    expect(b.host).toEqual(stored.host);
    expect(b.report).toEqual(JSON.parse(JSON.stringify(stored.report, irReplacer)));
  });

  test("relocateSource renames the network's file in every source location, copying only what holds one", () => {
    const stored = relocateSource(compiled, NET, "lmu-memory.yaml");
    const files = (v: unknown): string[] => JSON.stringify(v, irReplacer).match(/"file":"[^"]*"/g) ?? [];
    // lmu-memory.yaml's blocks, connections and report name it: at least one location each way.
    expect(files(compiled).filter((f) => f === `"file":"${NET}"`).length).toBeGreaterThan(0);
    expect(files(stored)).not.toContain(`"file":"${NET}"`);
    expect(files(stored).length).toBe(files(compiled).length);
    // Synapse rows and axons carry no location: shared, not copied.
    compiled.chip.cores.forEach((core, i) => {
      expect(stored.chip.cores[i].synapseRows).toBe(core.synapseRows);
      expect(stored.chip.cores[i].inputAxons).toBe(core.inputAxons);
    });
    expect(JSON.stringify(relocateSource(compiled, "elsewhere.yaml", "x.yaml"), irReplacer)).toBe(JSON.stringify(compiled, irReplacer));
  });

  test("emit → load → emit is byte-identical: cores.bin and chip.yaml re-emitted from the loaded chip equal the files", () => {
    const b = readBuild(dir);
    const again = emitChip(b.chip, target);
    expect(Buffer.from(again.coresBin).equals(readFileSync(join(dir, "cores.bin")))).toBe(true);
    expect(again.chipYaml).toBe(readFileSync(join(dir, "chip.yaml"), "utf8"));
    // And once more straight from the bytes, without the folder.
    const twice = emitChip(loadCoresBin(again.coresBin, target), target);
    expect(Buffer.from(twice.coresBin).equals(Buffer.from(again.coresBin))).toBe(true);
  });

  test("writing the loaded build again gives a byte-identical folder (all five files, manifest included)", () => {
    const b = readBuild(dir);
    const dir2 = join(tmp, "rewritten.build");
    writeBuild(dir2, { chip: b.chip, host: b.host, report: b.report }, b.target, { file: NET, text: readFileSync(NET, "utf8") });
    for (const f of FILES) expect({ file: f, same: readFileSync(join(dir2, f)).equals(readFileSync(join(dir, f))) }).toEqual({ file: f, same: true });
  });
});

describe("writeBuild re-verifies only chips compileNetwork did not return", () => {
  test("compileNetwork's chip is known verified for its target alone; a changed copy of it is verified and refused (LMU5001), nothing written", () => {
    expect(chipVerifiedFor(compiled.chip, target)).toBe(true);
    expect(chipVerifiedFor(compiled.chip, loadTarget("tiny"))).toBe(false);
    // One core claims more compartments than a Loihi core has.
    const cores = compiled.chip.cores.map((c, i) => (i === 0 ? { ...c, nCompartments: target.limits.compartmentsPerCore + 1 } : c));
    const broken = { ...compiled, chip: { ...compiled.chip, cores } };
    expect(chipVerifiedFor(broken.chip, target)).toBe(false);
    const out = join(tmp, "broken.build");
    expect(diagnosticsOf(() => writeBuild(out, broken, target, { file: NET })).map((d) => d.code)).toContain("LMU5001");
    expect(existsSync(out)).toBe(false);
  });
});

describe("a damaged build folder is a located error, never a partial load", () => {
  test("one byte of cores.bin changed: LMU5003, the manifest's hash no longer matches", () => {
    const bad = copyOfBuild("tampered.build");
    const bytes = readFileSync(join(bad, "cores.bin"));
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    replaceFile(bad, "cores.bin", bytes, false);
    const d = diagnosticsOf(() => readBuild(bad));
    expect(d.map((x) => x.code)).toEqual(["LMU5003"]);
    expect(d[0].message).toContain(`'${join(bad, "cores.bin")}' was modified after the build`);
  });

  test("one byte of cores.bin changed and the manifest forged to match: LMU5004, cores.bin's own checksum catches it", () => {
    const bad = copyOfBuild("forged.build");
    const bytes = readFileSync(join(bad, "cores.bin"));
    bytes[40] ^= 0x10;
    replaceFile(bad, "cores.bin", bytes, true);
    const d = diagnosticsOf(() => readBuild(bad));
    expect(d.map((x) => x.code)).toEqual(["LMU5004"]);
    expect(d[0].message).toContain("checksum mismatch");
  });

  test("host.json cut in half: LMU5003 'truncated'; with the manifest forged to match: LMU5009, host.json is not valid JSON", () => {
    const bad = copyOfBuild("truncated.build");
    const host = readFileSync(join(bad, "host.json"));
    replaceFile(bad, "host.json", host.subarray(0, host.length >> 1), false);
    const d = diagnosticsOf(() => readBuild(bad));
    expect(d.map((x) => x.code)).toEqual(["LMU5003"]);
    expect(d[0].message).toContain(`is truncated: ${host.length >> 1} of ${host.length} bytes`);

    replaceFile(bad, "host.json", host.subarray(0, host.length >> 1), true);
    const d2 = diagnosticsOf(() => readBuild(bad));
    expect(d2.map((x) => x.code)).toEqual(["LMU5009"]);
    expect(d2[0].message).toContain(`${join(bad, "host.json")}: not valid JSON`);
  });

  test("a missing folder, a folder without manifest.json, and a missing listed file are LMU5002 / LMU5002 / LMU5003", () => {
    const missing = join(tmp, "no-such.build");
    expect(diagnosticsOf(() => readBuild(missing))).toMatchObject([{ code: "LMU5002", message: `build folder '${missing}' does not exist` }]);
    const empty = join(tmp, "empty-folder");
    mkdirSync(empty);
    expect(diagnosticsOf(() => readBuild(empty))).toMatchObject([{ code: "LMU5002", message: `'${empty}' is not an lmuc build folder: manifest.json is missing` }]);
    const gone = copyOfBuild("missing-file.build");
    rmSync(join(gone, "report.json"));
    expect(diagnosticsOf(() => readBuild(gone))).toMatchObject([{ code: "LMU5003", message: `'${join(gone, "report.json")}' is missing (listed in manifest.json)` }]);
  });

  test("writeBuild refuses to replace a folder lmuc did not write (LMU5005) and leaves it untouched", () => {
    const mine = join(tmp, "my-notes");
    mkdirSync(mine);
    writeFileSync(join(mine, "notes.txt"), "keep me\n");
    const d = diagnosticsOf(() => writeBuild(mine, compiled, target, { file: NET }));
    expect(d.map((x) => x.code)).toEqual(["LMU5005"]);
    expect(readdirSync(mine)).toEqual(["notes.txt"]);
    expect(readFileSync(join(mine, "notes.txt"), "utf8")).toBe("keep me\n");
    // No temporary folder is left beside it either.
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("a broken target file is a located LMU1010", () => {
  const tiny = readFileSync("targets/tiny.yaml", "utf8");
  const lineOf = (text: string, needle: string): number => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

  test("a missing field: the error names the field and points at its mapping ('limits:')", () => {
    const text = tiny.replace(/^ {2}vth_profiles_per_core:.*\n/m, "");
    expect(text).not.toBe(tiny);
    const file = join(tmp, "missing-field.yaml");
    writeFileSync(file, text);
    const d = diagnosticsOf(() => loadTarget(file));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "LMU1010", message: "'limits' is missing the required field 'vth_profiles_per_core'", location: { file, line: lineOf(text, "limits:") } });
  });

  test("a wrong type: the error names the field and its value at that line", () => {
    const text = tiny.replace(/compartments_per_core: 16 /, 'compartments_per_core: "sixteen" ');
    expect(text).not.toBe(tiny);
    const file = join(tmp, "wrong-type.yaml");
    writeFileSync(file, text);
    const d = diagnosticsOf(() => loadTarget(file));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "LMU1010", message: "'limits.compartments_per_core' must be an integer, got \"sixteen\"", location: { file, line: lineOf(text, "compartments_per_core") } });
  });

  test("an inconsistent target (mesh holds 4 cores, cores_per_chip says 5): located at the mesh mapping", () => {
    const text = tiny.replace(/cores_per_chip: 4 /, "cores_per_chip: 5 ");
    const file = join(tmp, "inconsistent.yaml");
    writeFileSync(file, text);
    const d = diagnosticsOf(() => loadTarget(file));
    expect(d).toMatchObject([{ code: "LMU1010", message: "mesh 2 × 1 tiles of 2 cores holds 4 cores, but limits.cores_per_chip is 5", location: { file, line: lineOf(text, "tiles_x:") } }]);
  });

  test("a target file that does not exist: LMU8001, and the shipped ones load", () => {
    const file = join(tmp, "nope.yaml");
    expect(existsSync(file)).toBe(false);
    expect(diagnosticsOf(() => loadTarget(file))).toMatchObject([{ code: "LMU8001" }]);
    expect(loadTarget("tiny").limits.compartmentsPerCore).toBe(16);
  });
});
