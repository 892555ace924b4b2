import type { ProbeResult } from "../sim/simulator.js";
import { spikeComparison } from "./spikes.js";
import { heatMap, lineDims, slidingNrmse, traceWindow } from "./traces.js";

const probe = (rows: number, size: number, f: (r: number, d: number) => number): ProbeResult => ({
  id: "p", attr: "decoded", rows, size, sampleEverySteps: 1, data: Float64Array.from({ length: rows * size }, (_, i) => f(Math.floor(i / size), i % size)),
});

test("sliding NRMSE: windows of max(0.1 s, run/50); an error only in the second half shows only there", () => {
  const ref = probe(1000, 1, (r) => Math.sin(r / 10) + 2);
  const emu = probe(1000, 1, (r) => Math.sin(r / 10) + 2 + (r >= 500 ? 0.2 : 0));
  const s = slidingNrmse(ref, emu, ref, "ideal LMU", 0.001);
  // 1 s at 1 ms: windows of 0.1 s (100 rows), 10 of them, ending at 0.1 … 1.0 s.
  expect(s.windowSeconds).toBeCloseTo(0.1, 12);
  expect(s.t).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  expect(s.floatVsRef!.every((v) => v === 0)).toBe(true);
  expect(s.emulatorVsRef!.slice(0, 5).every((v) => v === 0)).toBe(true);
  expect(s.emulatorVsRef!.slice(5).every((v) => v > 0.05 && v < 0.15)).toBe(true); // 0.2 / rms(2 + sin) ≈ 0.1
});

test("lines: every dimension up to 12; above, the 4 with the largest emulator − float error, in order", () => {
  const f = probe(10, 20, () => 0);
  const e = probe(10, 20, (_, d) => ([3, 17, 8, 11].includes(d) ? d : 0.01));
  expect(lineDims(f, e)).toEqual({ dims: [3, 8, 11, 17], selection: "largest emulator − float error" });
  expect(lineDims(probe(10, 12, () => 0), probe(10, 12, () => 0)).dims).toHaveLength(12);
});

test("heat map: mean per column over every dimension; window: every sample of [start, end)", () => {
  const p = probe(600, 10, (r, d) => (r < 300 ? d : -d));
  const h = heatMap(p, p, undefined, 0.001);
  expect([h.columns, h.float.length, h.endSeconds]).toEqual([300, 10, 0.6]);
  expect([h.float[4][0], h.float[4][149], h.float[4][150], h.float[4][299]]).toEqual([4, 4, -4, -4]);
  const w = traceWindow(p, p, undefined, [0, 9], 0.25, 0.35, 0.001);
  expect([w.t.length, w.t[0], w.t[99]]).toEqual([100, 0.25, 0.349]);
  expect([w.float[1][0], w.float[1][50], w.float[1][51]]).toEqual([9, 9, -9]); // row 299 is t = 0.300 s
});

test("spikes: counts per bin cover every step of the run, spiking ReLU counts included; the window keeps its spikes", () => {
  const steps = 3000;
  const rows = [[0, 1599, 1600, 2999], [2400]];
  const counts = [[1, 1, 1, 2], [3]];
  const sp = (r: number[][], c: number[][]): ProbeResult => ({ id: "s", attr: "spikes", rows: steps, size: 2, sampleEverySteps: 1, data: new Float64Array(0), spikes: { spikeSteps: r, spikeCounts: c } });
  const s = spikeComparison("ens.neurons", sp(rows, counts), sp(rows, counts), steps, 0.001, { startSeconds: 2, endSeconds: 3 });
  // 600 bins of 5 steps: rows 1599 and 1600 fall in bins 319 and 320, row 2999 (2 spikes) in the last.
  expect([s.raster.bins, s.raster.binSteps]).toEqual([600, 5]);
  expect([s.raster.float[0][0], s.raster.float[0][319], s.raster.float[0][320], s.raster.float[0][599], s.raster.float[1][480]]).toEqual([1, 1, 1, 2, 3]);
  expect(s.raster.float[0].reduce((a, b) => a + b, 0)).toBe(5);
  expect(s.meanRateFloatHz).toBeCloseTo(8 / (2 * 3), 12);
  expect(s.window.float).toEqual([[2999], [2400]]);
});
