/**
 * Issues 3 and 4 through the command line (`main(argv, io)`, as test/cli/cli.test.ts does):
 * compile → inspect → emulate on lmu-memory; verify against every conformance vector; compare
 * against the float simulator and the ideal LMU; and the bad inputs: a damaged or missing build
 * folder, a corrupted or foreign vector, a broken target file, a network that cannot fit. Exit
 * codes: 0 ok, 1 a check failed, 2 bad input. Runs stay short (200 emulated steps, 3 s compare).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { expectCleanError, lmuc } from "../helpers/cli.js";
import type { CompareReport } from "../../src/compare/report-types.js";


const NET = "examples/lmu-memory.yaml";
const CONFORMANCE = join("test", "fixtures", "conformance");
const vectors = readdirSync(CONFORMANCE)
  .filter((f) => f.endsWith(".json.gz"))
  .sort();
const readVector = (file: string): any => JSON.parse(gunzipSync(readFileSync(join(CONFORMANCE, file))).toString("utf8"));

let tmp: string;
let build: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-hw-cli-"));
  build = join(tmp, "mem.build");
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A copy of the compiled build to damage. */
function copyOfBuild(name: string): string {
  const copy = join(tmp, name);
  cpSync(build, copy, { recursive: true });
  return copy;
}

describe("compile → inspect → emulate on lmu-memory", () => {
  test("compile: exit 0, a summary with cores vs lower bound, and the build folder with its five files", async () => {
    const r = await lmuc("compile", NET, "-o", build);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lmu-memory → loihi1: 432 neurons on \d+ cores? \(1 chip\); lower bound \d+ cores/);
    expect(r.out).toContain(`wrote ${build} (manifest.json, chip.yaml, cores.bin, host.json, report.json)`);
    expect(readdirSync(build).sort()).toEqual(["chip.yaml", "cores.bin", "host.json", "manifest.json", "report.json"]);
  });

  test("inspect: exit 0, every file verified, the same cores as the compile report", async () => {
    const r = await lmuc("inspect", build);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(build, "manifest.json"), "utf8"));
    expect(r.out).toContain(`${build}: lmuc ${manifest.lmuc}, target loihi1, ${manifest.cores} cores, all 4 files verified`);
    const j = await lmuc("inspect", build, "--json");
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ ok: true, manifest: { format: "lmuc-build/1", cores: manifest.cores }, report: { network: "lmu-memory", partition: { cores: manifest.cores } } });
  });

  test("emulate --steps 200 --stats: exit 0, 200 steps, one stats row per core", async () => {
    const cores = JSON.parse(readFileSync(join(build, "manifest.json"), "utf8")).cores as number;
    const r = await lmuc("emulate", build, "--steps", "200", "--stats");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${build}: emulated 200 steps on ${cores} cores`);
    expect(r.out).toMatch(/chip \(modelled, Loihi 1 figures\): [\d.]+ µs per step/);
    const table = r.out.split("\n").filter((l) => /^\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+$/.test(l));
    expect(table).toHaveLength(cores);
  });

  test("emulate --out: the probe file has format lmuc-emulation/1 and the decoded state for each step", async () => {
    const out = join(tmp, "emulation.json");
    const r = await lmuc("emulate", build, "--steps", "50", "--out", out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc).toMatchObject({ format: "lmuc-emulation/1", network: "lmu-memory", target: "loihi1", steps: 50 });
    expect(doc.probes.state.shape).toEqual([50, 4]);
    expect(doc.probes.state.data.every(Number.isFinite)).toBe(true);
  });
});

describe("a damaged or missing build folder: exit 2, one located message, no stack trace, nothing written", () => {
  const damage: [string, (dir: string) => void, RegExp][] = [
    ["one byte of cores.bin changed", (d) => {
      const bytes = readFileSync(join(d, "cores.bin"));
      bytes[bytes.length >> 1] ^= 0x04;
      writeFileSync(join(d, "cores.bin"), bytes);
    }, /error LMU5003: '.*cores\.bin' was modified after the build/],
    ["cores.bin truncated to 100 bytes", (d) => truncateSync(join(d, "cores.bin"), 100), /error LMU5003: '.*cores\.bin' is truncated: 100 of \d+ bytes/],
    ["host.json deleted", (d) => rmSync(join(d, "host.json")), /error LMU5003: '.*host\.json' is missing \(listed in manifest\.json\)/],
    ["manifest.json is not JSON", (d) => writeFileSync(join(d, "manifest.json"), "{ not json"), /error LMU5003: '.*manifest\.json' is not valid JSON/],
  ];

  test.each(damage)("inspect with %s", async (what, spoil, message) => {
    const dir = copyOfBuild(`inspect-${what.replace(/\W+/g, "-")}`);
    spoil(dir);
    const before = readdirSync(dir).sort();
    const r = await lmuc("inspect", dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(new RegExp(`^lmuc: ${message.source}`));
    expectCleanError(r);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  test.each(damage)("emulate with %s", async (what, spoil, message) => {
    const dir = copyOfBuild(`emulate-${what.replace(/\W+/g, "-")}`);
    spoil(dir);
    const out = join(tmp, `emulate-${what.replace(/\W+/g, "-")}.json`);
    const r = await lmuc("emulate", dir, "--steps", "10", "--out", out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expectCleanError(r);
    expect(existsSync(out)).toBe(false);
  });

  test("a missing folder and a plain file: LMU5002 for inspect and emulate", async () => {
    const missing = join(tmp, "no-such.build");
    for (const cmd of ["inspect", "emulate"]) {
      const r = await lmuc(cmd, missing);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`^lmuc: error LMU5002: build folder '${missing.replace(/[.]/g, "\\.")}' does not exist`));
      expectCleanError(r);
    }
    const file = join(tmp, "not-a-folder.txt");
    writeFileSync(file, "hello\n");
    const r = await lmuc("inspect", file);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error LMU5002: ");
    expect(r.err).toContain("is not a folder");
    expectCleanError(r);
  });
});

describe("compile bad input: exit 2, a located message, nothing written", () => {
  test("a target file with a missing field: LMU1010 at file:line:col", async () => {
    const text = readFileSync("targets/tiny.yaml", "utf8").replace(/^ {2}synapse_formats_per_core:.*\n/m, "");
    const targetFile = join(tmp, "broken-target.yaml");
    writeFileSync(targetFile, text);
    const out = join(tmp, "broken-target.build");
    const r = await lmuc("compile", NET, "-t", targetFile, "-o", out);
    expect(r.code).toBe(2);
    const line = text.split("\n").findIndex((l) => l.startsWith("limits:")) + 1;
    expect(r.err).toMatch(new RegExp(`^${targetFile.replace(/[.]/g, "\\.")}:${line}:1: error LMU1010: 'limits' is missing the required field 'synapse_formats_per_core'`));
    expectCleanError(r);
    expect(existsSync(out)).toBe(false);
  });

  test("a network that cannot fit the tiny target (fan-in 40 > 32 input axons: 40 recurrent pres and 2 encoder channels, two pairs of pres with identical quantized rows sharing an axon): LMU4003 at the ensemble", async () => {
    const net = join(tmp, "too-wide.yaml");
    writeFileSync(net, [
      "lmuc: 1",
      "name: too-wide",
      "nodes:",
      "  stim: { output: 0.5 }",
      "ensembles:",
      "  wide: { n_neurons: 40, dimensions: 1 }",
      "connections:",
      "  - { from: stim, to: wide, synapse: 0.1 }",
      "  - { from: wide, to: wide, synapse: 0.1 }",
      "",
    ].join("\n"));
    const out = join(tmp, "too-wide.build");
    const r = await lmuc("compile", net, "-t", "tiny", "-o", out, "--decode-neurons", "never");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.split("\n")[0]).toBe(`${net}:6:3: error LMU4003: ensemble 'wide': neuron 0 receives 40 inputs, but a core has at most 32 input axons`);
    expectCleanError(r);
    // By default the recurrence goes through decode neurons, whose input weights need more
    // synapse formats than the tiny core's 3: still a located LMU4003 (at the connection), exit 2.
    const auto = await lmuc("compile", net, "-t", "tiny", "-o", out);
    expect(auto.code).toBe(2);
    expect(auto.err.split("\n")[0]).toMatch(new RegExp(`^${net.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:9:5: error LMU4003: `));
    expectCleanError(auto);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.startsWith(".too-wide"))).toEqual([]);
  });

  test("an output folder that is not an lmuc build is refused (LMU5005) and left as it was", async () => {
    const mine = join(tmp, "precious");
    mkdirSync(mine);
    writeFileSync(join(mine, "thesis.tex"), "\\documentclass{article}\n");
    const r = await lmuc("compile", NET, "-o", mine);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lmuc: error LMU5005: /);
    expectCleanError(r);
    expect(readdirSync(mine)).toEqual(["thesis.tex"]);
  });
});

describe("verify: the emulator against the nengo-loihi conformance vectors", () => {
  test("there are the seven vectors of issue 4 and the two PES vectors of issue 11", () => {
    expect(vectors).toHaveLength(9);
  });

  test.each(vectors)("%s: PASS, exit 0", async (file) => {
    const path = join(CONFORMANCE, file);
    const r = await lmuc("verify", path);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^PASS ${path.replace(/[.]/g, "\\.")}: .+, \\d+ steps bit-exact\\n$`));
  });

  test("one expected spike removed (tuning-lif): FAIL at that step and compartment, exit 1", async () => {
    const v = readVector("tuning-lif.json.gz");
    // The first recorded spike: step s, compartment c. Drop it from the expected spikes.
    const [step, list] = v.expected.spikes[0] as [number, number[]];
    const c = list.shift()!;
    v.expected.spike_counts[step - 1]--;
    const file = join(tmp, "tuning-lif-corrupted.json");
    writeFileSync(file, JSON.stringify(v));
    const r = await lmuc("verify", file);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`FAIL ${file}: ${v.name}: first mismatch at step ${step}, compartment ${c}, spike: expected 0, got 1\n`);
    expectCleanError(r);
  });

  test("a vector of another format: exit 2 with LMU8004, whether the format is unknown or the vector malformed", async () => {
    const other = join(tmp, "other-format.json");
    writeFileSync(other, JSON.stringify({ format: "lmuc-conformance/2", name: "from the future" }));
    const r = await lmuc("verify", other);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lmuc: error LMU8004: .*not a vector lmuc knows/);
    expectCleanError(r);

    const v = readVector("chain.json.gz");
    delete v.expected;
    const malformed = join(tmp, "malformed.json");
    writeFileSync(malformed, JSON.stringify(v));
    const m = await lmuc("verify", malformed);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/^lmuc: error LMU8004: .*\$\.expected/);
    expectCleanError(m);

    const notJson = join(tmp, "not-json.json");
    writeFileSync(notJson, "this is not json");
    const n = await lmuc("verify", notJson);
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/^lmuc: error LMU8004: /);
    expectCleanError(n);
  });
});

describe("compare on lmu-memory", () => {
  test("--duration 3 --max-nrmse 10: exit 0; report.html and report.json (lmuc-compare/1); emulator NRMSE vs ideal ≤ 1.2 × float's", async () => {
    const html = join(tmp, "cmp", "report.html");
    const r = await lmuc("compare", NET, "--duration", "3", "--report", html, "--max-nrmse", "10");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(html, "utf8")).toMatch(/^<!DOCTYPE html>/);
    const report = JSON.parse(readFileSync(join(tmp, "cmp", "report.json"), "utf8")) as CompareReport;
    expect(report).toMatchObject({ format: "lmuc-compare/1", network: "lmu-memory", target: "loihi1", steps: 3000, check: { maxNrmse: 10, passed: true } });
    expect(report.chip.cores).toBeGreaterThanOrEqual(report.chip.lowerBound);
    const state = report.probes.find((p) => p.id === "state")!;
    expect(state.idealKind).toBe("ideal LMU");
    // Measured when written (3000 steps): float 0.1017, emulator 0.1080 (1.06×); 5000 steps: 0.1002 vs 0.1085.
    expect(state.nrmseFloatVsIdeal).toBeLessThan(0.2);
    expect(state.nrmseEmulatorVsIdeal!).toBeLessThanOrEqual(1.2 * state.nrmseFloatVsIdeal!);
    expect(state.correlation).toBeGreaterThan(0.9);
    // The build it emulated was written beside the report and reads back.
    expect((await lmuc("inspect", join(tmp, "cmp", "lmu-memory.build"))).code).toBe(0);
  }, 60_000);

  test("--max-nrmse 1e-6 (no spiking network meets it): exit 1 and 'check failed', the reports still written", async () => {
    const html = join(tmp, "cmp-strict", "report.html");
    const r = await lmuc("compare", NET, "--steps", "300", "--report", html, "--max-nrmse", "1e-6");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^check failed: emulator NRMSE \d\.\d{4} exceeds --max-nrmse 0\.000001\n$/);
    expectCleanError(r);
    const report = JSON.parse(readFileSync(join(tmp, "cmp-strict", "report.json"), "utf8")) as CompareReport;
    expect(report.format).toBe("lmuc-compare/1");
    expect(report.check).toMatchObject({ maxNrmse: 1e-6, passed: false });
  }, 60_000);
});
