/**
 * The `lmuc` command line through its exported `main(argv, io)`: happy paths on the examples,
 * exit codes (0 ok, 1 failed check, 2 bad input or options), and byte-identical output for the
 * same file and seed. Runs stay short (--steps 100..300) to keep the suite fast.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectCleanError, lmuc } from "../helpers/cli.js";


interface SimulationFile {
  format: string;
  network: string;
  steps: number;
  probes: Record<string, { attr: string; shape?: [number, number]; data?: number[]; spike_steps?: number[][] }>;
  accuracy: Record<string, { nrmse_vs_ideal_lmu?: number; nrmse_vs_exact_delay?: number }>;
}

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => join("examples", f));

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-cli-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test("there are examples to check", () => {
  expect(examples.length).toBeGreaterThanOrEqual(4);
});

describe.each(examples)("%s", (file) => {
  test("validates: exit 0 and an 'ok' summary", async () => {
    const r = await lmuc("validate", file);
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toMatch(new RegExp(`^ok: ${file.replace(/[.]/g, "\\.")}: '`));
    const j = await lmuc("validate", file, "--json");
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ ok: true, file });
  });

  test("simulates 100 steps: exit 0 and finite probe data of the right shape in the output file", async () => {
    const out = join(tmp, `${file.replace(/\W/g, "_")}.json`);
    const r = await lmuc("simulate", file, "--steps", "100", "--no-reference", "--out", out);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${out}`);
    const sim = JSON.parse(readFileSync(out, "utf8")) as SimulationFile;
    expect(sim.format).toBe("lmuc-simulation/1");
    expect(sim.steps).toBe(100);
    const probes = Object.values(sim.probes);
    expect(probes.length).toBeGreaterThan(0);
    for (const p of probes) {
      if (p.spike_steps) {
        for (const steps of p.spike_steps) for (const s of steps) expect(s >= 0 && s < 100).toBe(true);
        continue;
      }
      const [rows, cols] = p.shape!;
      expect(rows).toBe(100);
      expect(p.data!.length).toBe(rows * cols);
      expect(p.data!.every(Number.isFinite)).toBe(true);
    }
  });
});

describe("ir", () => {
  test("prints the IR after every pass, one section each, in pipeline order", async () => {
    const r = await lmuc("ir", "examples/lmu-memory.yaml");
    expect(r.code).toBe(0);
    const sections = [...r.out.matchAll(/^\/\/ ---- IR after (\S+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(["frontend", "expand-lmu", "build-nef"]);
  });

  test("--after build-nef --json is the built network as JSON", async () => {
    const r = await lmuc("ir", "examples/lmu-memory.yaml", "--after", "build-nef", "--json");
    expect(r.code).toBe(0);
    const ir = JSON.parse(r.out) as { stage: string; name: string };
    expect(ir).toMatchObject({ stage: "built", name: "lmu-memory" });
  });

  test("--json without --after keys every pass's IR by pass name", async () => {
    const r = await lmuc("ir", "examples/lmu-memory.yaml", "--json");
    expect(r.code).toBe(0);
    const all = JSON.parse(r.out) as Record<string, { stage: string }>;
    expect(Object.keys(all)).toEqual(["frontend", "expand-lmu", "build-nef"]);
    expect(all.frontend.stage).toBe("network");
    expect(all["build-nef"].stage).toBe("built");
  });

  test("compile --dump-ir-after quantize prints the same stable text as ir --after quantize (not JSON)", async () => {
    const viaIr = await lmuc("ir", "examples/lmu-memory.yaml", "--after", "quantize");
    const viaCompile = await lmuc("compile", "examples/lmu-memory.yaml", "--dump-ir-after", "quantize");
    expect(viaIr.code).toBe(0);
    expect(viaCompile.code).toBe(0);
    expect(viaCompile.out).toMatch(/^quantized 'lmu-memory' dt 0\.001 s: /);
    expect(viaIr.out).toBe(`// ---- IR after quantize\n${viaCompile.out}`);
  });

  test("an unknown pass is a bad option: exit 2 naming the valid passes", async () => {
    const r = await lmuc("ir", "examples/lmu-memory.yaml", "--after", "optimize");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("error LMU8002: unknown pass 'optimize'");
    expect(r.err).toContain("frontend, expand-lmu, build-nef");
    expectCleanError(r);
  });
});

describe("bad options exit 2 with one message and no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown option", ["simulate", "examples/lmu-memory.yaml", "--frobnicate"], /^lmuc: error LMU8002: unknown option '--frobnicate'/],
    ["a negative --duration", ["simulate", "examples/lmu-memory.yaml", "--duration", "-1"], /^lmuc: error LMU8002: .*--duration must be a positive number, got '-1'/],
    ["a zero --duration", ["simulate", "examples/lmu-memory.yaml", "--duration=0"], /^lmuc: error LMU8002: .*--duration must be a positive number, got '0'/],
    ["a fractional --steps", ["simulate", "examples/lmu-memory.yaml", "--steps", "1.5"], /^lmuc: error LMU8002: .*--steps must be a positive whole number, got '1\.5'/],
    ["both --duration and --steps", ["simulate", "examples/lmu-memory.yaml", "--duration", "1", "--steps", "10"], /^lmuc: error LMU8002: give --duration or --steps, not both/],
    ["a missing network file", ["simulate", join("examples", "no-such-network.yaml"), "--steps", "10"], /^lmuc: error LMU8001: cannot read '.*no-such-network\.yaml': no such file/],
    ["a folder instead of a file", ["validate", "examples"], /^lmuc: error LMU8001: cannot read 'examples': it is a folder/],
    ["no network argument", ["simulate"], /^lmuc: error LMU8002: missing required argument 'network'/],
    ["an unknown command", ["compile-everything"], /^lmuc: error LMU8002: unknown command 'compile-everything'/],
  ];
  test.each(cases)("%s", async (_what, args, message) => {
    const r = await lmuc(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
    expectCleanError(r);
  });

  test("a bad option writes no output file", async () => {
    const out = join(tmp, "bad-option.json");
    const r = await lmuc("simulate", "examples/lmu-memory.yaml", "--steps", "0", "--out", out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe("--max-nrmse", () => {
  test("a bound no spiking network can meet (1e-9) fails the check: exit 1 and 'check failed' naming the probe", async () => {
    const r = await lmuc("simulate", "examples/lmu-memory.yaml", "--steps", "200", "--max-nrmse", "1e-9");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^check failed: NRMSE above 1e-9: state \d/m);
    expectCleanError(r);
  });

  test("a generous bound (10) passes: exit 0", async () => {
    const r = await lmuc("simulate", "examples/lmu-memory.yaml", "--steps", "200", "--max-nrmse", "10");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/NRMSE vs ideal LMU/);
  });
});

describe("simulate output", () => {
  test("--duration gives round(duration / dt) steps", async () => {
    const r = await lmuc("simulate", "examples/lmu-memory.yaml", "--duration", "0.15", "--no-reference", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, network: "lmu-memory", steps: 150, neurons: 400 });
  });

  test("the same file and seed give byte-identical output files (determinism)", async () => {
    const a = join(tmp, "delay-a.json");
    const b = join(tmp, "delay-b.json");
    expect((await lmuc("simulate", "examples/lmu-delay.yaml", "--steps", "300", "--out", a)).code).toBe(0);
    expect((await lmuc("simulate", "examples/lmu-delay.yaml", "--steps", "300", "--out", b)).code).toBe(0);
    const bytesA = readFileSync(a);
    expect(bytesA.equals(readFileSync(b))).toBe(true);

    const sim = JSON.parse(bytesA.toString("utf8")) as SimulationFile;
    expect(sim).toMatchObject({ format: "lmuc-simulation/1", network: "lmu-delay", steps: 300 });
    expect(Object.keys(sim.probes).sort()).toEqual(["delayed", "input", "state"]);
    expect(sim.probes.state.shape).toEqual([300, 8]);
    // The neural LMU's decoded state is compared against the ideal LMU fed the same input.
    expect(sim.accuracy.state.nrmse_vs_ideal_lmu).toBeGreaterThan(0);
    expect(Number.isFinite(sim.accuracy.state.nrmse_vs_ideal_lmu)).toBe(true);
  });
});
