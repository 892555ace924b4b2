/**
 * Issue 14, the imported psmnist-shape model (pytorch-lmu LMU(1, 212, 256, θ 784) + Linear(212,
 * 10), untrained; test fixture): `lmuc compile` with the cell's defaults (for its order-256,
 * θ-784 memory: 8 neurons per memory dimension, 20 per hidden unit, decoder reg 1e-4, the model
 * calibration) fits one
 * chip (≤ 128 cores) with the memory's recurrence on chip and no connection beyond the weight-loss
 * limit; and its spiking run (float simulator, Nengo's spiking ReLU, the same defaults) tracks the
 * float cell's hidden state over the first 130 sequence steps.
 * Recorded (README "The imported psmnist-shape model"): 79 cores, lower bound 60 (96 before the
 * output-axon room; 81 and 58 with the simulated calibration); hidden NRMSE 0.129 over 130 steps
 * (0.252 over all 784; 8 / 8 neurons: 0.60 / 0.78).
 *
 * Runs in child processes (jest's module sandbox runs this work 10–20× slower): needs dist/.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_WEIGHT_LOSS } from "../../src/passes/quantize.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lmuc-psm-imported-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("imported psmnist-shape with its defaults: one chip (≤ 128 cores), memory recurrence on chip, every connection within the loss limit", () => {
  const r = spawnSync(process.execPath, ["dist/bench/psm-imported-one.js", dir], { encoding: "utf8", maxBuffer: 1 << 24 });
  expect(r.status).toBe(0);
  const c = JSON.parse(r.stdout) as { memoryNeurons: number; hiddenNeurons: number; calibration: string; cores: number; lowerBound: number; worstLoss: number; buildDir: string };
  expect([c.memoryNeurons, c.hiddenNeurons, c.calibration]).toEqual([8, 20, "model"]);
  expect(c.cores).toBeLessThanOrEqual(128);
  // The legacy packing with output-axon room pairs the memory's parts with decode parts: 79
  // recorded, 96 without it (partition/legacy.ts OUTPUT_AXON_ROOM).
  expect(c.cores).toBeLessThanOrEqual(82);
  expect(c.lowerBound).toBeLessThanOrEqual(c.cores);
  expect(c.worstLoss).toBeLessThanOrEqual(MAX_WEIGHT_LOSS);
  const inspect = spawnSync(process.execPath, ["bin/lmuc.js", "inspect", c.buildDir, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
  expect(inspect.status).toBe(0);
  const report = JSON.parse(inspect.stdout).report;
  // The memory's recurrence and its read by the hidden units run through decode neurons on chip.
  const paths = Object.fromEntries((report.decodePaths as { connection: string; path: string }[]).map((p) => [p.connection, p.path]));
  expect(paths).toMatchObject({ "memory/recurrent": "decode-neurons", "memory/hidden": "decode-neurons" });
  expect(report.partition.chips).toBe(1);
  // Sized by the model calibration, the emulated chip never overflows a register on the
  // calibration sequence's first 5000 steps (recorded: 0 over all 47k steps of sequence 0).
  const emulate = spawnSync(process.execPath, ["bin/lmuc.js", "emulate", c.buildDir, "--steps", "5000", "--json", "-q"], { encoding: "utf8", maxBuffer: 1 << 28 });
  expect(emulate.status).toBe(0);
  expect(JSON.parse(emulate.stdout).stats.overflows).toEqual({ q: 0, u: 0, uBias: 0 });
}, 900_000);

test("its spiking run (defaults, K 60) tracks the float cell's hidden state: NRMSE ≤ 0.2 over the first 130 steps (recorded 0.129)", () => {
  const r = spawnSync(process.execPath, ["dist/bench/psm-track.js", join(dir, "psm.yaml"), "130"], { encoding: "utf8", maxBuffer: 1 << 24 });
  expect(r.status).toBe(0);
  const t = JSON.parse(r.stdout) as { steps: number; K: number; hiddenNrmse: number };
  expect([t.steps, t.K]).toEqual([130, 60]);
  expect(t.hiddenNrmse).toBeLessThanOrEqual(0.2);
}, 900_000);
