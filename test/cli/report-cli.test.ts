/**
 * Issue 13 through the command line: `inspect` prints the placement; `emulate --out` records a
 * subset (--probes, --window, --sample-every) with the first recorded step; bad subsets are
 * located usage errors (LMU8006, LMU8008, exit 2) that write nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectCleanError, lmuc } from "../helpers/cli.js";

let tmp: string;
let build: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-report-cli-"));
  build = join(tmp, "mem.build");
  const r = await lmuc("compile", "examples/lmu-memory.yaml", "-o", build, "--quiet");
  expect(r.code).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("inspect prints where each core sits on the mesh and where each ensemble's neurons are", async () => {
  const r = await lmuc("inspect", build);
  expect(r.code).toBe(0);
  // lmu-memory: one core, chip 0, tile 0 at (0, 0); 400 neurons after the 32 decode compartments.
  expect(r.out).toMatch(/placement \(chip, tile at/);
  expect(r.out).toMatch(/\n {5}0 {5}0 {5}0 {2}\(0, 0\) {2}mem/);
  expect(r.out).toMatch(/mem: neurons 0\.\.399 on core 0 at \d+/);
});

test("emulate --out --probes state --window 0.1:0.2 --sample-every 2: 50 rows from step 100, every 2nd", async () => {
  const out = join(tmp, "emu.json");
  const r = await lmuc("emulate", build, "--steps", "300", "--out", out, "--probes", "state", "--window", "0.1:0.2", "--sample-every", "2", "--quiet");
  expect(r.code).toBe(0);
  expect(r.err).toBe("");
  const doc = JSON.parse(readFileSync(out, "utf8"));
  expect(Object.keys(doc.probes)).toEqual(["state"]);
  expect([doc.probes.state.shape, doc.probes.state.first_step, doc.probes.state.sample_every]).toEqual([[50, 4], 100, 2]);
  expect(doc.probes.state.data).toHaveLength(200);
});

test("an unknown probe (LMU8006) or a window after the run (LMU8008): exit 2, nothing written", async () => {
  const out = join(tmp, "bad.json");
  const a = await lmuc("emulate", build, "--steps", "100", "--out", out, "--probes", "stat", "--quiet");
  expect([a.code, a.err]).toEqual([2, expect.stringContaining("LMU8006: --probes: no probe 'stat' in this run (probes: state, spikes)")]);
  const b = await lmuc("emulate", build, "--steps", "100", "--out", out, "--window", "0.5:0.6", "--quiet");
  expect([b.code, b.err]).toEqual([2, expect.stringContaining("LMU8008")]);
  for (const r of [a, b]) expectCleanError(r);
  expect(existsSync(out)).toBe(false);
});
