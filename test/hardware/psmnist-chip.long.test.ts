/**
 * Issue 14 item 2 / issue 12 items 4–5: the psMNIST shape (examples/psmnist-lmu.yaml: an order-256
 * per-dimension LMU memory, θ = 784 steps, 212 hidden LIF units, plus probes on the memory and
 * the hidden units) compiles to one chip with its memory recurrence on chip, loses no
 * connection's weight beyond the 5% limit, and its emulated run tracks the float model's hidden
 * units over one 784-step sequence.
 * Recorded (loaded 2-core machine): 61 cores, lower bound 18; hidden NRMSE vs float 0.223
 * (0.130 with the recurrence through the host); no overflow.
 *
 * Runs `lmuc compile` and `lmuc compare` in their own processes, as a user does: inside jest's
 * module sandbox the same work ran 10–20× slower (10 min instead of under one).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { psmnistShape } from "../../bench/networks.js";
import { MAX_WEIGHT_LOSS } from "../../src/passes/quantize.js";

let dir: string;
let net: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lmuc-psm-"));
  net = join(dir, "psmnist-shape.json");
  writeFileSync(net, JSON.stringify(psmnistShape()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lmuc(...args: string[]): any {
  const r = spawnSync(process.execPath, ["bin/lmuc.js", ...args, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

test("psmnist-shape with --decode-neurons always: one chip (≤ 128 cores), recurrence on chip through one hub, every connection within the loss limit", () => {
  const out = lmuc("compile", net, "--decode-neurons", "always", "-o", join(dir, "build"), "--quiet");
  const report = out.report;
  expect(report.decodeHubs).toMatchObject([{ node: "memory", path: "chip", decodeBlocks: 1, decodeCompartments: 2 * 256 * 4 }]);
  expect(report.partition.chips).toBe(1);
  expect(report.partition.usage.length).toBeLessThanOrEqual(128);
  expect(report.partition.lowerBound).toBeLessThanOrEqual(report.partition.usage.length);
  for (const c of report.connections) expect(c.lostMagnitude).toBeLessThanOrEqual(MAX_WEIGHT_LOSS);
  // Nothing of the memory travels chip → host → chip: the host only decodes probes.
  expect(report.notes.some((n: { message: string }) => /travel chip → host → chip/.test(n.message))).toBe(false);
  // The build on disk passes the loader's checks (hashes, schemas, the chip verifier).
  lmuc("inspect", join(dir, "build"));
}, 600_000);

test("psmnist-shape on chip tracks the float model: hidden units' NRMSE vs float ≤ 0.3 over 784 steps (recorded 0.223), no overflow", () => {
  const r = lmuc("compare", net, "--steps", "784", "--decode-neurons", "always", "--report", join(dir, "psm.html"), "--quiet");
  const hidden = r.probes.find((p: { id: string }) => p.id === "hidden");
  expect(hidden.nrmseEmulatorVsFloat).toBeLessThanOrEqual(0.3);
  expect(hidden.correlation).toBeGreaterThan(0.9);
  expect(r.cost.overflows).toEqual({ q: 0, u: 0, uBias: 0 });
}, 600_000);
