/**
 * Issue 13: what `lmuc compare` puts in report.json and report.html. On lmu-memory for 2 s (the
 * old raster stopped at step 1600) the raster covers the whole run; every panel has a title, units
 * and a how-to-read line; the cost by cause adds up to each core's energy and time; on lmu-delay
 * the delayed readout is measured against both the ideal LMU and the exactly delayed input.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkFile } from "../../src/api.js";
import { compareNetwork } from "../../src/compare/compare.js";
import { renderReportHtml } from "../../src/compare/html.js";
import type { CompareReport } from "../../src/compare/report-types.js";
import { RASTER_FRAME } from "../../src/compare/panels/raster.js";
import { loadTarget } from "../../src/target/target.js";

let tmp: string;
let memory: CompareReport;
let html: string;
const STEPS = 2000;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-compare-report-"));
  const file = "examples/lmu-memory.yaml";
  memory = compareNetwork(loadNetworkFile(file), loadTarget("loihi1"), { steps: STEPS, buildDir: join(tmp, "mem.build"), source: { file } });
  html = renderReportHtml(memory);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("the raster covers the whole run: spikes after 80% of the duration are in report.json and drawn in the page", () => {
  const s = memory.spikes.find((x) => x.ensemble === "spikes")!;
  expect(s.raster.bins * s.raster.binSteps).toBeGreaterThanOrEqual(STEPS);
  // Spike counts in the bins that start at or after 80 % of the run (the old raster kept steps < 1600 only).
  const late = (rows: readonly (readonly number[])[]) => rows.reduce((a, r) => a + r.slice(Math.ceil((0.8 * STEPS) / s.raster.binSteps)).reduce((x, y) => x + y, 0), 0);
  expect(late(s.raster.float)).toBeGreaterThan(0);
  expect(late(s.raster.emulator)).toBeGreaterThan(0);
  // In the page: raster marks (one per non-empty bin) beyond 80 % of the time axis, for both runs.
  const x0 = RASTER_FRAME.left, x1 = RASTER_FRAME.width - RASTER_FRAME.right;
  for (const cls of ["r-float", "r-emu"]) {
    const paths = html.match(new RegExp(`<path class="${cls} l[012]" d="([^"]*)"`, "g")) ?? [];
    const xs = paths.flatMap((p) => [...p.matchAll(/M(-?[\d.]+) /g)].map((m) => Number(m[1])));
    expect(Math.max(...xs)).toBeGreaterThan(x0 + 0.8 * (x1 - x0));
  }
  // The mean rate counts every spike of the run (not a prefix): the rate histogram covers every neuron.
  expect(s.rateHistogram.float.reduce((a, b) => a + b, 0)).toBe(s.neurons);
});

test("every panel has a title, units and a one-line how-to-read", () => {
  const panels = html.split('<section class="panel"').slice(1);
  // lmu-memory: its state probe (traces, error over time, full-resolution window), the raster and its
  // window, rate histograms, tuning curves, 4 cost panels, placement, 2 quantization panels.
  expect(panels.length).toBeGreaterThanOrEqual(14);
  for (const p of panels) {
    expect(p).toMatch(/^[^>]*><h3>[^<\s][^]*?<\/h3><p class="howto"><span class="units">[^<]+<\/span> · [^<]{10,}<\/p>/);
  }
});

test("the cost by cause adds up to each core's mean time and energy per step", () => {
  for (const c of memory.cost.perCore) {
    const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum({ ...c.pjByCause! }) - c.pjPerStep)).toBeLessThan(1e-9 * c.pjPerStep);
    expect(Math.abs(sum({ ...c.nsByCause! }) - c.nsPerStep)).toBeLessThan(1e-9 * c.nsPerStep);
  }
  // One core of lmu-memory at tile (0, 0), and input spikes from the host to it.
  expect(memory.cost.perCore.map((c) => [c.x, c.y])).toEqual([[0, 0]]);
  expect(memory.cost.traffic!.some((t) => t.from === -1 && t.messagesPerStep > 0)).toBe(true);
  // The barrier of one tile in use: 113 ns (hardware-model.md §7.3).
  expect(memory.cost.barrierNs).toBeCloseTo(113, 9);
});

test("the tuning curves predict the chip's lower rate: within 3 points of the measured ratio", () => {
  const s = memory.spikes[0];
  const measured = s.meanRateEmulatorHz / s.meanRateFloatHz;
  // lmu-memory: chip 0.904× by the curves, 0.90× measured (92.9 → 84.0 Hz over 3 s).
  expect(memory.tuning!.chipToFloatRateRatio).toBeLessThan(1);
  expect(Math.abs(memory.tuning!.chipToFloatRateRatio - measured)).toBeLessThan(0.03);
});

test("lmu-delay: the delayed readout is measured against the ideal LMU and the exactly delayed input", () => {
  const file = "examples/lmu-delay.yaml";
  const r = compareNetwork(loadNetworkFile(file), loadTarget("loihi1"), { steps: 1200, buildDir: join(tmp, "delay.build"), source: { file }, window: { startSeconds: 0.5, endSeconds: 0.7 } });
  const delayed = r.probes.find((p) => p.id === "delayed")!;
  expect(delayed.references!.map((x) => x.kind)).toEqual(["ideal LMU", "exact delay"]);
  for (const x of delayed.references!) expect(x.nrmseEmulator).toBeGreaterThan(0);
  // The chosen window at full resolution: 200 samples of 1 ms from 0.501 s.
  expect(delayed.window!.t.length).toBe(200);
  expect(delayed.window!.t[0]).toBeCloseTo(0.5, 9);
  expect(renderReportHtml(r)).toContain("vs exact delay: float <b>");
});
