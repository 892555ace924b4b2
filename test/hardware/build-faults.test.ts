/**
 * Issue 8, build folders: a build is corrupted in every way the issue lists, each once as a
 * careless edit (hashes left stale) and once as a careful one (the manifest's size and sha256
 * fixed up to match), and `lmuc inspect` and `lmuc emulate` must both answer exit 2 with one
 * useful message, never exit 3, a silent run, a hang or a read of /dev/zero. Also: a build of a
 * network with no inputs inspects cleanly, and a build's bytes do not depend on how the network's
 * path was spelled.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUILD_FILES, parseHostJson } from "../../src/backends/loihi/build-files.js";
import { MAX_BUILD_FILE_BYTES, MAX_MANIFEST_BYTES } from "../../src/backends/loihi/folder.js";
import { loadCoresBin } from "../../src/backends/loihi/load.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { HardwareRun } from "../../src/emulator/runner.js";
import { loadTarget } from "../../src/target/target.js";
import { expectCleanError, lmuc } from "../helpers/cli.js";

const NET = "examples/lmu-memory.yaml";
let tmp: string;
let good: string;
let copies = 0;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-build-faults-"));
  good = join(tmp, "good.build");
  expect((await lmuc("compile", NET, "-o", good)).code).toBe(0);
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function copyOfBuild(): string {
  const dir = join(tmp, `fault-${++copies}.build`);
  cpSync(good, dir, { recursive: true });
  return dir;
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

function editManifest(dir: string, edit: (m: any) => void): void {
  const path = join(dir, "manifest.json");
  const m = JSON.parse(readFileSync(path, "utf8"));
  edit(m);
  writeFileSync(path, JSON.stringify(m, null, 2) + "\n");
}

/** Replaces a build file; with `fixHashes`, also its manifest entry, as a careful hand edit would. */
function replaceFile(dir: string, name: string, bytes: Uint8Array, fixHashes: boolean): void {
  writeFileSync(join(dir, name), bytes);
  if (fixHashes) editManifest(dir, (m) => (m.files[name] = { sha256: sha256(bytes), bytes: bytes.length }));
}

/** Edits a JSON build file in place (or replaces it with what `edit` returns; raw bytes as they are). */
function editJson(dir: string, name: string, edit: (j: any) => unknown, fixHashes: boolean): void {
  const j = JSON.parse(readFileSync(join(dir, name), "utf8"));
  const replaced = edit(j);
  replaceFile(dir, name, Buffer.isBuffer(replaced) ? replaced : Buffer.from(JSON.stringify(replaced ?? j) + "\n"), fixHashes);
}

/** inspect and emulate both: exit 2, nothing on stdout, the expected code and message on stderr. */
async function expectRefused(dir: string, code: string, message: string | RegExp): Promise<void> {
  for (const args of [["inspect", dir], ["emulate", dir, "--steps", "10"]]) {
    const r = await lmuc(...args);
    expectCleanError(r);
    expect({ args: args[0], code: r.code, out: r.out }).toEqual({ args: args[0], code: 2, out: "" });
    expect(r.err).toContain(`error ${code}:`);
    if (typeof message === "string") expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
  }
}

test("the good build inspects and emulates (exit 0): the faults below are what make the difference", async () => {
  expect((await lmuc("inspect", good)).code).toBe(0);
  expect((await lmuc("emulate", good, "--steps", "10")).code).toBe(0);
});

describe.each(BUILD_FILES)("%s deleted", (name) => {
  test("with its manifest entry left: LMU5003, missing", async () => {
    const dir = copyOfBuild();
    rmSync(join(dir, name));
    await expectRefused(dir, "LMU5003", `'${join(dir, name)}' is missing (listed in manifest.json)`);
  });

  test("and removed from the manifest too: LMU5007, the build is incomplete (not 'all 3 files verified')", async () => {
    const dir = copyOfBuild();
    rmSync(join(dir, name));
    editManifest(dir, (m) => delete m.files[name]);
    await expectRefused(dir, "LMU5007", `'${dir}' is incomplete: manifest.json does not list ${name} (a build has chip.yaml, cores.bin, host.json, report.json)`);
  });
});

/** Hand edits of the JSON files: stale hashes → LMU5003; fixed-up hashes → LMU5009 at the JSON path. */
const NOT_JSON = Buffer.from("{ this is not json\n");
const jsonEdits: { what: string; file: string; edit: (j: any) => unknown; message: string }[] = [
  { what: "report.json replaced by {}", file: "report.json", edit: () => ({}), message: "report.json: at /: must have required property 'network'" },
  { what: "report.json: a headroom as a string", file: "report.json", edit: (j) => void (j.blocks[0].accumulatorHeadroomExpected = "93.9"), message: 'report.json: at /blocks/0/accumulatorHeadroomExpected: must be number (got "93.9")' },
  { what: "report.json: partition.usage a number", file: "report.json", edit: (j) => void (j.partition.usage = 3), message: "report.json: at /partition/usage: must be array (got 3)" },
  { what: "host.json: dt 0", file: "host.json", edit: (j) => void (j.network.dtSeconds = 0), message: "host.json: at /network/dtSeconds: must be > 0 (got 0)" },
  { what: "host.json: a number as a string (the seed)", file: "host.json", edit: (j) => void (j.network.seed = "4"), message: 'host.json: at /network/seed: must be integer (got "4")' },
  { what: "host.json: a neuron count as a string", file: "host.json", edit: (j) => void (j.network.ensembles[1].nNeurons = "400"), message: 'host.json: at /network/ensembles/1/nNeurons: must be integer (got "400")' },
  { what: "host.json: a placement on core −1", file: "host.json", edit: (j) => void (j.placements[0].segments[0].core = -1), message: "host.json: at /placements/0/segments/0/core: must be >= 0 (got -1)" },
  { what: "host.json: network.nodes a string", file: "host.json", edit: (j) => void (j.network.nodes = "stim"), message: 'host.json: at /network/nodes: must be array (got "stim")' },
  { what: "host.json: a typed array as a plain list", file: "host.json", edit: (j) => void (j.placements[0].sigmaV = j.placements[0].sigmaV.$f64), message: "host.json: at /placements/0/sigmaV: must be object (got a list)" },
  { what: "host.json: a placement on a core cores.bin does not have", file: "host.json", edit: (j) => void (j.placements[0].segments[0].core = 99), message: "host.json: at /placements/0/segments/0/core: core 99 is not in cores.bin" },
  { what: "host.json: a placement past the ensemble's neurons", file: "host.json", edit: (j) => void (j.placements[0].segments[0].neuronStart = 390), message: "host.json: at /placements/0/segments/0: neurons 390..789 are past 'mem''s 400" },
  { what: "host.json: dt unlike the chip's", file: "host.json", edit: (j) => void (j.network.dtSeconds = 0.002), message: "host.json: at /network/dtSeconds: 0.002 s, but cores.bin runs at 0.001 s" },
  { what: "host.json: a matrix with too few values", file: "host.json", edit: (j) => void j.network.connections[0].weights.data.$f64.pop(), message: "host.json: at /network/connections/0/weights: a 4×1 matrix needs 4 values, it has 3" },
  { what: "host.json: a gain array one short", file: "host.json", edit: (j) => void j.network.ensembles[0].gain.$f64.pop(), message: "host.json: ensemble 'mem/input/encoder': per-neuron arrays must have 8 entries" },
  // A chip ensemble the host only reads has no gains (asExternal), or all of them (builds written before): one is neither.
  { what: "host.json: a chip ensemble with one gain", file: "host.json", edit: (j) => void j.network.ensembles[1].gain.$f64.push(1), message: "host.json: ensemble 'mem': per-neuron arrays must have 400 entries" },
  { what: "host.json: input channels unlike the chip's", file: "host.json", edit: (j) => void (j.inputs[0].channels = 6), message: "host.json: at /inputs/0/channels: 6, but 'mem/input/encoder' has 8 neurons and cores.bin 8 channels" },
  { what: "host.json: not JSON", file: "host.json", edit: () => NOT_JSON, message: "host.json: not valid JSON (" },
];

describe.each(jsonEdits)("$what", ({ file, edit, message }) => {
  test("hashes left stale: LMU5003, modified after the build", async () => {
    const dir = copyOfBuild();
    editJson(dir, file, edit, false);
    await expectRefused(dir, "LMU5003", new RegExp(`'${join(dir, file).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' (was modified after the build|is truncated|has \\d+ bytes; the manifest says)`));
  });

  test("hashes fixed up: LMU5009 with the JSON path and what is wrong", async () => {
    const dir = copyOfBuild();
    editJson(dir, file, edit, true);
    await expectRefused(dir, "LMU5009", `${dir}/${message}`);
  });
});

describe("files that must not be read: refused by stat before reading (LMU5008)", () => {
  test("cores.bin a symlink to /dev/zero, with the manifest's entry left or 'fixed' to any size", async () => {
    for (const fix of [false, true]) {
      const dir = copyOfBuild();
      rmSync(join(dir, "cores.bin"));
      symlinkSync("/dev/zero", join(dir, "cores.bin"));
      if (fix) editManifest(dir, (m) => (m.files["cores.bin"] = { sha256: sha256(new Uint8Array(1 << 20)), bytes: 1 << 20 }));
      await expectRefused(dir, "LMU5008", `'${join(dir, "cores.bin")}' is not a regular file (a device, pipe or socket); build files are regular files`);
    }
  });

  test("manifest.json a symlink to /dev/zero", async () => {
    const dir = copyOfBuild();
    rmSync(join(dir, "manifest.json"));
    symlinkSync("/dev/zero", join(dir, "manifest.json"));
    await expectRefused(dir, "LMU5008", `'${join(dir, "manifest.json")}' is not a regular file`);
  });

  test(`cores.bin a sparse file past the ${MAX_BUILD_FILE_BYTES / 1024 ** 2} MiB cap, its size 'fixed' in the manifest`, async () => {
    const dir = copyOfBuild();
    const huge = MAX_BUILD_FILE_BYTES + 1;
    truncateSync(join(dir, "cores.bin"), huge);
    editManifest(dir, (m) => (m.files["cores.bin"] = { sha256: "0".repeat(64), bytes: huge }));
    await expectRefused(dir, "LMU5008", `'${join(dir, "cores.bin")}' has ${huge} bytes, more than a build file may have (${MAX_BUILD_FILE_BYTES}); it was not read`);
  });

  test(`manifest.json past the ${MAX_MANIFEST_BYTES / 1024 ** 2} MiB cap`, async () => {
    const dir = copyOfBuild();
    truncateSync(join(dir, "manifest.json"), MAX_MANIFEST_BYTES + 1);
    await expectRefused(dir, "LMU5008", `'${join(dir, "manifest.json")}' has ${MAX_MANIFEST_BYTES + 1} bytes`);
  });

  test("host.json a folder", async () => {
    const dir = copyOfBuild();
    rmSync(join(dir, "host.json"));
    mkdirSync(join(dir, "host.json"));
    await expectRefused(dir, "LMU5008", `'${join(dir, "host.json")}' is not a regular file (a folder)`);
  });

  test("a manifest whose target is a path (loadTarget would read it): LMU5002", async () => {
    const dir = copyOfBuild();
    editManifest(dir, (m) => (m.target.name = "/dev/zero"));
    await expectRefused(dir, "LMU5002", 'manifest.json names target "/dev/zero", which is not a target name');
  });

  test("a manifest entry with a negative size: LMU5003, an invalid entry", async () => {
    const dir = copyOfBuild();
    editManifest(dir, (m) => (m.files["chip.yaml"].bytes = -1));
    await expectRefused(dir, "LMU5003", "has an invalid entry for 'chip.yaml'");
  });
});

describe("a network with no inputs (issue 8: inspect crashed on its Infinity headroom written as null)", () => {
  test("compile → inspect: exit 0; report.json holds no null; the block is reported as having no input", async () => {
    const net = join(tmp, "lone.yaml");
    writeFileSync(net, "name: lone\nensembles: {e: {n_neurons: 10, dimensions: 1}}\nprobes: {p: e}\n");
    const dir = join(tmp, "lone.build");
    expect((await lmuc("compile", net, "-o", dir)).code).toBe(0);
    const report = readFileSync(join(dir, "report.json"), "utf8");
    expect(report).not.toContain("null");
    // The unbounded headrooms are left out, not written as something JSON cannot hold.
    expect(JSON.parse(report).blocks[0]).not.toHaveProperty("accumulatorHeadroomWorstCase");
    const r = await lmuc("inspect", dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${dir}: lmuc 0.1.0, target loihi1, 1 cores, all 4 files verified`);
    expect(r.out).toMatch(/block e: du \d+, dv \d+, vth ≤ \d+ \(headroom [\d.]+×\), no input \(its accumulator cannot wrap\)/);
    expect((await lmuc("emulate", dir, "--steps", "10")).code).toBe(0);
  });
});

test("the same network spelled three ways (relative, absolute, with ..) gives byte-identical builds", async () => {
  const spellings = [NET, resolve(NET), join("examples", "..", NET)];
  const dirs = spellings.map((_, i) => join(tmp, `spelled-${i}.build`));
  for (let i = 0; i < spellings.length; i++) expect((await lmuc("compile", spellings[i], "-o", dirs[i])).code).toBe(0);
  const files = readdirSync(dirs[0]).sort();
  expect(files).toEqual(["chip.yaml", "cores.bin", "host.json", "manifest.json", "report.json"]);
  for (const d of dirs.slice(1)) for (const f of files) expect({ f, same: readFileSync(join(d, f)).equals(readFileSync(join(dirs[0], f))) }).toEqual({ f, same: true });
  expect(JSON.parse(readFileSync(join(dirs[0], "manifest.json"), "utf8")).network.file).toBe("lmu-memory.yaml");
});

describe("seeded mutations of host.json (as if edited by hand, hashes fixed up)", () => {
  /** mulberry32: a small seeded generator, so every run mutates the same way. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const REPLACEMENTS: unknown[] = [0, -1, 1e308, -1e308, 0.5, -0.5, 2 ** 31, 1e9, "x", "4", null, true, [], {}, [1, 2], { $f64: [] }];

  // Seed 1 reaches a node size of 1e9 at mutation 111: 'Invalid typed array length' (exit 3) before host.schema.json bounded sizes.
  test("300 mutations: each is refused with LMU5009 or loads and runs 20 steps; none escapes as another error or takes over 2 s", () => {
    const text = readFileSync(join(good, "host.json"), "utf8");
    const chip = loadCoresBin(readFileSync(join(good, "cores.bin")), loadTarget("loihi1"));
    const random = rng(1);
    const outcomes = { refused: 0, ran: 0 };
    for (let n = 0; n < 300; n++) {
      const doc = JSON.parse(text);
      // A random path into the document: at each level a random key or element, stopping at random.
      let parent: any = doc;
      let key: string | number = "network";
      for (let depth = 0; depth < 12; depth++) {
        const keys: (string | number)[] = Array.isArray(parent) ? parent.map((_: unknown, i: number) => i) : Object.keys(parent);
        if (keys.length === 0) break;
        key = keys[Math.floor(random() * keys.length)];
        const child = parent[key];
        if (typeof child !== "object" || child === null || random() < 0.25) break;
        parent = child;
      }
      if (random() < 0.2 && !Array.isArray(parent)) delete parent[key];
      else parent[key] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
      const started = performance.now();
      try {
        const host = parseHostJson(Buffer.from(JSON.stringify(doc)), "host.json", chip);
        new HardwareRun(chip, host, { expectedSteps: 20 }).run(20);
        outcomes.ran++;
      } catch (e) {
        if (!(e instanceof DiagnosticError)) throw new Error(`mutation ${n} (${String(key)} → ${JSON.stringify(parent[key])}) escaped as ${String(e)}`);
        expect(e.diagnostics.every((d) => d.code === "LMU5009")).toBe(true);
        outcomes.refused++;
      }
      expect(performance.now() - started).toBeLessThan(2000);
    }
    // Most mutations break the program; some touch what a run does not depend on (an origin's line).
    expect(outcomes.refused + outcomes.ran).toBe(300);
    expect(outcomes.refused).toBeGreaterThan(150);
  });
});
