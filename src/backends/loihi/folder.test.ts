import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { twoCoreChip } from "../../../test/helpers/chips.js";
import { DiagnosticError, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { loadTarget, targetHash } from "../../target/target.js";
import { VERSION } from "../../version.js";
import { emitChip } from "./emit.js";
import { readBuildFolder, writeBuildFolder } from "./folder.js";
import { loadCoresBin } from "./load.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "lmuc-build-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function diagnosticsOf(f: () => unknown): Diagnostic[] {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return [...e.diagnostics];
  }
  throw new Error("expected a DiagnosticError");
}

const sha = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");

function build(dir: string, extra: object = {}): { coresBin: Uint8Array; chipYaml: string } {
  const target = loadTarget("loihi1");
  const out = emitChip(twoCoreChip(), target);
  writeBuildFolder(dir, { "cores.bin": out.coresBin, "chip.yaml": out.chipYaml }, { target: target.name, targetHash: targetHash(target), ...extra });
  return out;
}

describe("writeBuildFolder / readBuildFolder", () => {
  it("writes text given as pieces as their concatenation, hashed as one file (UTF-8 across pieces)", () => {
    const dir = join(root, "pieces");
    const pieces = ["alpha: 1\n", "", "é → ∞\n", "x".repeat(70000), "\n"];
    const whole = pieces.join("");
    const manifest = writeBuildFolder(dir, { "a.txt": pieces, "b.txt": whole }, {});
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe(whole);
    expect(manifest.files["a.txt"]).toEqual({ sha256: sha(whole), bytes: Buffer.byteLength(whole) });
    expect(manifest.files["a.txt"]).toEqual(manifest.files["b.txt"]);
    expect(readBuildFolder(dir).files["a.txt"].toString("utf8")).toBe(whole);
  });

  it("writes the files and a manifest with sizes and hashes; reads them back verified", () => {
    const dir = join(root, "out", "build");
    const { coresBin, chipYaml } = build(dir, { network: "net.yaml" });
    expect(readdirSync(dir).sort()).toEqual(["chip.yaml", "cores.bin", "manifest.json"]);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      format: "lmuc-build/1",
      lmuc: VERSION,
      target: "loihi1",
      network: "net.yaml",
      files: {
        "chip.yaml": { sha256: sha(chipYaml), bytes: Buffer.byteLength(chipYaml) },
        "cores.bin": { sha256: sha(coresBin), bytes: coresBin.length },
      },
    });
    const read = readBuildFolder(dir);
    expect(read.manifest).toEqual(manifest);
    expect(read.files["chip.yaml"].toString("utf8")).toBe(chipYaml);
    expect(loadCoresBin(read.files["cores.bin"], loadTarget("loihi1"))).toStrictEqual(twoCoreChip());
    // nothing left beside it
    expect(readdirSync(join(root, "out"))).toEqual(["build"]);
  });

  it("replaces an existing build folder completely", () => {
    const dir = join(root, "build");
    writeBuildFolder(dir, { "a.txt": "old", "stale.txt": "x" }, {});
    writeBuildFolder(dir, { "a.txt": "new" }, {});
    expect(readdirSync(dir).sort()).toEqual(["a.txt", "manifest.json"]);
    expect(readBuildFolder(dir).files["a.txt"].toString()).toBe("new");
    expect(readdirSync(root)).toEqual(["build"]);
  });

  it("writes into an empty existing folder", () => {
    const dir = join(root, "empty");
    mkdirSync(dir);
    writeBuildFolder(dir, { "a.txt": "x" }, {});
    expect(readBuildFolder(dir).files["a.txt"].toString()).toBe("x");
  });

  it("refuses to replace a folder that is not an lmuc build, and leaves it untouched", () => {
    const dir = join(root, "precious");
    mkdirSync(dir);
    writeFileSync(join(dir, "thesis.tex"), "do not delete");
    const [d] = diagnosticsOf(() => writeBuildFolder(dir, { "a.txt": "x" }, {}));
    expect(d.code).toBe("LMU5005");
    expect(d.message).toMatch(/is not an lmuc build folder \(no readable manifest\.json\)/);
    expect(readdirSync(dir)).toEqual(["thesis.tex"]);
    expect(readdirSync(root)).toEqual(["precious"]);

    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ format: "webpack" }));
    expect(diagnosticsOf(() => writeBuildFolder(dir, { "a.txt": "x" }, {}))[0].message).toMatch(/has a manifest\.json that lmuc did not write \(format "webpack"\)/);
    expect(readdirSync(dir).sort()).toEqual(["manifest.json", "thesis.tex"]);

    const file = join(root, "file");
    writeFileSync(file, "x");
    expect(diagnosticsOf(() => writeBuildFolder(file, { "a.txt": "x" }, {}))[0].message).toMatch(/exists and is not a folder/);
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("leaves nothing half-written when writing fails", () => {
    const dir = join(root, "build");
    build(dir);
    const before = readFileSync(join(dir, "cores.bin"));
    // The parent cannot take a new folder: a file stands where the parent folder would be.
    writeFileSync(join(root, "blocker"), "x");
    const [d] = diagnosticsOf(() => writeBuildFolder(join(root, "blocker", "build"), { "a.txt": "x" }, {}));
    expect(d.code).toBe("LMU8003");
    expect(readdirSync(root).sort()).toEqual(["blocker", "build"]);
    // Failing half-way: the first file is written into the temporary folder, the second cannot be
    // (its name is too long for the file system). The old build stays, no temporary folder remains.
    const [e] = diagnosticsOf(() => writeBuildFolder(dir, { "a.txt": "new", ["b" + "x".repeat(300)]: "x" }, {}));
    expect(e.code).toBe("LMU8003");
    expect(e.message).toMatch(/cannot write build folder .*ENAMETOOLONG/);
    expect(readdirSync(root).sort()).toEqual(["blocker", "build"]);
    expect(readFileSync(join(dir, "cores.bin")).equals(before)).toBe(true);
    expect(readBuildFolder(dir).files["cores.bin"].equals(before)).toBe(true);
  });

  it("rejects bad file names and reserved manifest keys (programming errors)", () => {
    expect(() => writeBuildFolder(join(root, "b"), { "../x": "x" }, {})).toThrow(RangeError);
    expect(() => writeBuildFolder(join(root, "b"), { "manifest.json": "x" }, {})).toThrow(RangeError);
    expect(() => writeBuildFolder(join(root, "b"), { a: "x" }, { files: 1 })).toThrow(/may not set 'files'/);
    expect(existsSync(join(root, "b"))).toBe(false);
  });

  describe("readBuildFolder errors", () => {
    it("missing folder → LMU5002", () => {
      const [d] = diagnosticsOf(() => readBuildFolder(join(root, "nope")));
      expect(d).toMatchObject({ code: "LMU5002", message: `build folder '${join(root, "nope")}' does not exist` });
      expect(d.hint).toMatch(/compile/);
    });

    it("missing manifest → LMU5002", () => {
      mkdirSync(join(root, "x"));
      expect(diagnosticsOf(() => readBuildFolder(join(root, "x")))[0]).toMatchObject({ code: "LMU5002", message: expect.stringMatching(/not an lmuc build folder: manifest\.json is missing/) });
    });

    it("unknown format → LMU5002 saying what this lmuc reads", () => {
      const dir = join(root, "b");
      build(dir);
      const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
      writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...m, format: "lmuc-build/9" }));
      const [d] = diagnosticsOf(() => readBuildFolder(dir));
      expect(d.code).toBe("LMU5002");
      expect(d.message).toMatch(/has build format "lmuc-build\/9"; this lmuc \(0\.1\.0\) reads lmuc-build\/1/);
      expect(d.hint).toMatch(/recompile/);
    });

    it("a tampered byte → LMU5003 naming the file", () => {
      const dir = join(root, "b");
      build(dir);
      const path = join(dir, "cores.bin");
      const bytes = readFileSync(path);
      bytes[50] ^= 0x10;
      writeFileSync(path, bytes);
      const [d] = diagnosticsOf(() => readBuildFolder(dir));
      expect(d).toMatchObject({ code: "LMU5003", message: `'${path}' was modified after the build (sha256 differs from manifest.json)` });
      expect(d.hint).toMatch(/recompile/);
    });

    it("a truncated file → LMU5003 with the sizes", () => {
      const dir = join(root, "b");
      const { coresBin } = build(dir);
      truncateSync(join(dir, "cores.bin"), 100);
      expect(diagnosticsOf(() => readBuildFolder(dir))[0].message).toBe(`'${join(dir, "cores.bin")}' is truncated: 100 of ${coresBin.length} bytes`);
    });

    it("a missing file and a damaged manifest → LMU5003", () => {
      const dir = join(root, "b");
      build(dir);
      rmSync(join(dir, "chip.yaml"));
      expect(diagnosticsOf(() => readBuildFolder(dir))[0]).toMatchObject({ code: "LMU5003", message: `'${join(dir, "chip.yaml")}' is missing (listed in manifest.json)` });
      writeFileSync(join(dir, "manifest.json"), "{ not json");
      expect(diagnosticsOf(() => readBuildFolder(dir))[0]).toMatchObject({ code: "LMU5003", message: expect.stringMatching(/manifest\.json' is not valid JSON/) });
    });
  });
});
