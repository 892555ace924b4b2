/**
 * bench/psm-track.ts's references (README "The imported psmnist-shape model" quotes its NRMSEs):
 * its float trajectory of a trained cell ends in the logits the evaluator's cell run gives (same
 * equations, ≤ 1e-12 on psdigits lmu-tanh, sequence 0, 64 steps), and its one-step error of that
 * trajectory against itself is 0 — a step misaligned by one (h_t taken for h_{t−1}) would give
 * an error of the order of h itself. Fast: no conversion is run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { floatTrajectory, oneStepError } from "../../bench/psm-track.js";
import { loadNetworkFile } from "../../src/frontend/index.js";
import { importTorchModel } from "../../src/importers/index.js";
import { CellState, compileCellProgram, runCellSequence } from "../../src/sim/cell.js";
import { MODELS, npyFixture } from "../importers/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "lmuc-psm-track-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("psm-track's float trajectory reproduces the cell run's logits, and its one-step error of itself is 0", () => {
  importTorchModel(join(MODELS, "psdigits", "lmu-tanh.pt"), join(dir, "lmu.yaml"));
  const p = compileCellProgram(loadNetworkFile(join(dir, "lmu.yaml")));
  const x = Float64Array.from(npyFixture("psdigits/test-x").data.subarray(0, 64));
  const f = floatTrajectory(p, x, 64);
  const out = new Float64Array(p.outputs);
  runCellSequence(p, new CellState(p), x, 0, 64, out, 0);
  for (let k = 0; k < p.outputs; k++) expect(Math.abs(f.logits[k] - out[k])).toBeLessThanOrEqual(1e-12);
  expect(oneStepError(p, x, f.h, f.m, 64)).toEqual({ hidden: 0, memory: 0 });
  // Shifted by one step, the same trajectory is far from its own next step.
  const shifted = Float64Array.from(f.h.map((_, i) => (i >= p.hidden ? f.h[i - p.hidden] : 0)));
  expect(oneStepError(p, x, shifted, f.m, 64).hidden).toBeGreaterThan(0.1);
});
