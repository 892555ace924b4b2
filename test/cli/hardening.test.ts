/**
 * Issue 8, the command line: run lengths beyond what a run can hold, contradictory run options,
 * output paths under a file, an overflow under `--overflow error`, a huge or special vector file,
 * and `lmuc` with no arguments. Each is a short message with the right exit code (2 bad input,
 * 1 the user's check failed), never exit 3, a stack trace or `Invalid typed array length`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBuild, writeBuild } from "../../src/build.js";
import { MAX_PROBE_BYTES, MAX_STEPS } from "../../src/cli/run-length.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { writeFileAtomic } from "../../src/io/write.js";
import { expectCleanError, lmuc, type Run } from "../helpers/cli.js";

const NET = "examples/lmu-memory.yaml";
let tmp: string;
let build: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-cli-hard-"));
  build = join(tmp, "mem.build");
  expect((await lmuc("compile", NET, "-o", build)).code).toBe(0);
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A bad-input exit: code 2, one diagnostic of `code`, nothing on stdout. */
function expectUsageError(r: Run, code: string): void {
  expectCleanError(r);
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
  expect(r.err).toContain(`error ${code}:`);
}

describe("run lengths are checked before anything is allocated (LMU8005, exit 2)", () => {
  test("the limits: 1e8 steps, 2 GiB of probe values", () => {
    expect(MAX_STEPS).toBe(1e8);
    expect(MAX_PROBE_BYTES).toBe(2 * 1024 ** 3);
  });

  test("emulate --duration 1e12: 1e15 steps at dt 1 ms, over the limit; what its 4 probe values per step would cost", async () => {
    const r = await lmuc("emulate", build, "--duration", "1e12");
    expectUsageError(r, "LMU8005");
    // lmu-memory probes its 4-dimensional state: 1e15 × 4 × 8 bytes = 3.2e16 bytes = 28.4 PiB.
    expect(r.err).toContain("--duration 1000000000000 is 1e15 steps at dt = 0.001 s; a run takes at most 1e8 steps; its probe arrays would need 28.4 PiB (1e15 steps × 4 values × 8 bytes)");
    expect(r.err).not.toContain("Invalid typed array length");
  });

  test("emulate --steps 1e15: the same limit, said in steps", async () => {
    const r = await lmuc("emulate", build, "--steps", "1e15");
    expectUsageError(r, "LMU8005");
    expect(r.err).toContain("--steps 1000000000000000: a run takes at most 1e8 steps; its probe arrays would need 28.4 PiB");
  });

  test("compare --duration 1e12: counted for its three runs (emulator, float, ideal twin)", async () => {
    const r = await lmuc("compare", NET, "--duration", "1e12", "--report", join(tmp, "never.html"));
    expectUsageError(r, "LMU8005");
    expect(r.err).toContain("its probe arrays would need 85.3 PiB (1e15 steps × 4 values × 8 bytes × 3 runs)");
    expect(existsSync(join(tmp, "never.html"))).toBe(false);
  });

  test("emulate --steps 1e8: within the step limit, but 1e8 × 4 values × 8 bytes = 2.98 GiB of probe arrays is over 2 GiB", async () => {
    const r = await lmuc("emulate", build, "--steps", "1e8");
    expectUsageError(r, "LMU8005");
    expect(r.err).toContain("its probe arrays would need 2.98 GiB (1e8 steps × 4 values × 8 bytes), more than the 2.00 GiB a run may record");
  });

  test("simulate --steps 5e7 with its reference run: 2 × 5e7 × 4 × 8 bytes = 2.98 GiB, refused before building", async () => {
    const r = await lmuc("simulate", NET, "--steps", "5e7");
    expectUsageError(r, "LMU8005");
    expect(r.err).toContain("(5e7 steps × 4 values × 8 bytes × 2 runs)");
  });

  test("a duration shorter than one step is a usage error (LMU8002), for every command", async () => {
    for (const args of [["emulate", build], ["simulate", NET], ["compare", NET]]) {
      const r = await lmuc(...args, "--duration", "0.0001");
      expectUsageError(r, "LMU8002");
      expect(r.err).toContain("--duration 0.0001 is less than one step (dt = 0.001 s)");
    }
  });

  test("--duration and --steps together are refused by emulate and compare as by simulate (one parser)", async () => {
    for (const args of [["emulate", build], ["simulate", NET], ["compare", NET, "--report", join(tmp, "both.html")]]) {
      const r = await lmuc(...args, "--duration", "1", "--steps", "5");
      expectUsageError(r, "LMU8002");
      expect(r.err).toContain("give --duration or --steps, not both");
    }
    expect(existsSync(join(tmp, "both.html"))).toBe(false);
  });
});

describe("an output path under a file: LMU8003, exit 2, before the run and with nothing written", () => {
  let blocker: string;
  beforeAll(() => {
    blocker = join(tmp, "a-file");
    writeFileSync(blocker, "not a folder\n");
  });

  test("emulate --out FILE/x.json", async () => {
    const r = await lmuc("emulate", build, "--steps", "10", "--out", join(blocker, "x.json"));
    expectUsageError(r, "LMU8003");
    expect(r.err).toContain(`cannot write '${join(blocker, "x.json")}': '${blocker}' is a file, not a folder`);
  });

  test("simulate --out FILE/sub/x.json (the file is two levels up)", async () => {
    const r = await lmuc("simulate", NET, "--steps", "10", "--out", join(blocker, "sub", "x.json"));
    expectUsageError(r, "LMU8003");
    expect(r.err).toContain(`'${blocker}' is a file, not a folder`);
  });

  test("compare --report FILE/r.html", async () => {
    const r = await lmuc("compare", NET, "--steps", "10", "--report", join(blocker, "r.html"));
    expectUsageError(r, "LMU8003");
  });

  test("--out naming a folder", async () => {
    const r = await lmuc("emulate", build, "--steps", "10", "--out", tmp);
    expectUsageError(r, "LMU8003");
    expect(r.err).toContain("it is a folder; give a file name");
  });

  test("writeFileAtomic itself: LMU8003 (its cleanup no longer throws ENOTDIR), the blocking file untouched", () => {
    let thrown: unknown;
    try {
      writeFileAtomic(join(blocker, "x.json"), "{}");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DiagnosticError);
    expect((thrown as DiagnosticError).diagnostics.map((d) => d.code)).toEqual(["LMU8003"]);
    expect(readFileSync(blocker, "utf8")).toBe("not a folder\n");
  });
});

describe("--overflow error on a build that overflows: the user's check failed (exit 1, LMU6001), not an internal error", () => {
  let hot: string;
  beforeAll(() => {
    // lmu-memory with every synapse at the largest weight and exponent the format allows: the
    // first steps' spikes push the input accumulator q past its 21-bit range.
    const b = readBuild(build);
    for (const core of b.chip.cores) {
      for (const f of core.synapseFormats) (f as { weightExp: number }).weightExp = 7;
      for (const row of core.synapseRows) for (let j = 0; j < row.weights.length; j++) row.weights[j] = row.weights[j] >= 0 ? 126 : -128;
    }
    hot = join(tmp, "hot.build");
    writeBuild(hot, { chip: b.chip, host: b.host, report: b.report }, b.target, { file: NET });
  });

  test("exit 1 with one message naming the step, the register, the compartment and its block, at the ensemble's source line", async () => {
    const r = await lmuc("emulate", hot, "--steps", "200", "--overflow", "error");
    expectCleanError(r);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain("this is a bug");
    expect(r.err).toMatch(/^lmu-memory\.yaml:\d+:\d+: error LMU6001: .*hot\.build: step \d+: input accumulator q of compartment \d+ overflowed: -?\d+ is outside \[−2\^21, 2\^21\) and wraps to -?\d+ \(core 0, compartment \d+ = mem\[\d+\] \(ensemble mem\)\)/);
  });

  test("--json: the same diagnostic as JSON on stdout, exit 1", async () => {
    const r = await lmuc("emulate", hot, "--steps", "200", "--overflow", "error", "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, diagnostics: [{ code: "LMU6001", location: { line: expect.any(Number) } }] });
  });

  test("--overflow warn runs on (exit 0) and reports the wrapped overflows; an unknown policy is exit 2", async () => {
    const w = await lmuc("emulate", hot, "--steps", "20", "--overflow", "warn");
    expect(w.code).toBe(0);
    expect(w.err).toMatch(/warning: overflows wrapped: q [1-9]\d*/);
    const bad = await lmuc("emulate", hot, "--steps", "20", "--overflow", "explode");
    expectUsageError(bad, "LMU8002");
    expect(bad.err).toContain("Allowed choices are wrap, warn, error");
  });
});

describe("files the command line reads whole are refused by type and size first", () => {
  test("verify /dev/zero: not a regular file (LMU8001), at once instead of reading forever", async () => {
    const r = await lmuc("verify", "/dev/zero");
    expectUsageError(r, "LMU8001");
    expect(r.err).toContain("cannot read '/dev/zero': not a regular file");
  });

  test("a network file that is /dev/zero, for every command taking a <network>: LMU8001 instead of a hang", async () => {
    for (const cmd of ["validate", "ir", "simulate", "compile", "compare"]) {
      const r = await lmuc(cmd, "/dev/zero");
      expectUsageError(r, "LMU8001");
      expect(r.err).toContain("cannot read network file '/dev/zero': not a regular file (a device, pipe or socket)");
    }
  });

  test("--target /dev/zero: LMU8001 instead of a hang; a shipped target's name is not a path and still loads", async () => {
    const r = await lmuc("compile", NET, "--target", "/dev/zero", "-o", join(tmp, "never.build"));
    expectUsageError(r, "LMU8001");
    expect(r.err).toContain("cannot read target file '/dev/zero': not a regular file");
    expect(existsSync(join(tmp, "never.build"))).toBe(false);
  });
});

describe("the other options, audited for the same classes of bug", () => {
  test("compile -o and compare --build under a file: LMU8003 naming the file, before compiling", async () => {
    const blocker = join(tmp, "blocker");
    writeFileSync(blocker, "x");
    const c = await lmuc("compile", NET, "-o", join(blocker, "b"));
    expectUsageError(c, "LMU8003");
    expect(c.err).toContain(`cannot write '${join(blocker, "b")}': '${blocker}' is a file, not a folder`);
    const m = await lmuc("compare", NET, "--steps", "10", "--build", join(blocker, "b"), "--report", join(tmp, "r.html"));
    expectUsageError(m, "LMU8003");
    expect(existsSync(join(tmp, "r.html"))).toBe(false);
  });

  test("numbers only in decimal notation: --steps 0x10, ' 5' and --duration Infinity are usage errors (1e3 is fine)", async () => {
    for (const [opt, v] of [["--steps", "0x10"], ["--steps", " 5"], ["--duration", "Infinity"], ["--steps", "2.5"]]) {
      const r = await lmuc("emulate", build, opt, v);
      expectUsageError(r, "LMU8002");
      expect(r.err).toContain(`got '${v}'`);
    }
    const ok = await lmuc("emulate", build, "--steps", "1e1");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("emulated 10 steps");
  });
});

describe("lmuc with no arguments", () => {
  test("is a usage error: exit 2, nothing on stdout, 'no command given' and the command list on stderr", async () => {
    const r = await lmuc();
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^lmuc: error LMU8002: no command given\n\nUsage: lmuc \[options\] \[command\]/);
    for (const c of ["validate", "simulate", "compile", "inspect", "emulate", "compare", "verify"]) expect(r.err).toContain(`  ${c} [options]`);
  });

  test("--help is still help on stdout with exit 0", async () => {
    const r = await lmuc("--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: lmuc [options] [command]");
  });
});

test("nothing stray is left in the test folder (no temporary files from refused writes)", () => {
  expect(readdirSync(tmp).filter((f) => f.includes(".tmp-"))).toEqual([]);
});
