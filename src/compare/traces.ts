/**
 * Trace data of one probe for report.json: which dimensions are drawn as lines, their
 * down-sampled traces, a heat map of every dimension when there are many, a window at full
 * resolution, and the NRMSE in sliding windows. Metrics elsewhere use every step; everything here
 * is for plotting and says how it was reduced.
 */
import type { ProbeResult } from "../sim/simulator.js";
import { nrmse } from "./metrics.js";
import type { HeatMap, SlidingNrmse, TraceSet, TraceWindow } from "./report-types.js";

/** Samples per line trace, columns per heat map: about one per pixel column of the plots. */
export const MAX_PLOT_SAMPLES = 800;
export const HEAT_COLUMNS = 300;
/** Up to this many dimensions every one is drawn as a line; above it, the worst few plus a heat map of all. */
export const MAX_LINE_DIMS = 12;
export const WORST_LINE_DIMS = 4;
export const HEAT_MIN_DIMS = 9;

const p5 = (v: number): number => Number(v.toPrecision(5));

/** Dimensions drawn as lines: all of them up to MAX_LINE_DIMS, else those where the emulator departs most from float. */
export function lineDims(f: ProbeResult, e: ProbeResult): { dims: number[]; selection: TraceSet["selection"] } {
  if (f.size <= MAX_LINE_DIMS) return { dims: Array.from({ length: f.size }, (_, d) => d), selection: "all" };
  const err = new Float64Array(f.size);
  for (let r = 0; r < f.rows; r++) for (let d = 0; d < f.size; d++) err[d] += (e.data[r * f.size + d] - f.data[r * f.size + d]) ** 2;
  const dims = Array.from({ length: f.size }, (_, d) => d).sort((a, b) => err[b] - err[a] || a - b).slice(0, WORST_LINE_DIMS).sort((a, b) => a - b);
  return { dims, selection: "largest emulator − float error" };
}

/**
 * Every `stride`-th row of the chosen dimensions. A stride > 1 skips samples (spikes in a
 * probe's trace can fall between them), so the plot says so and the full-resolution window shows
 * the detail.
 */
export function traceSet(f: ProbeResult, e: ProbeResult, ideal: ProbeResult | undefined, dims: readonly number[], selection: TraceSet["selection"], dt: number): TraceSet {
  const stride = Math.max(1, Math.ceil(f.rows / MAX_PLOT_SAMPLES));
  const t: number[] = [];
  for (let r = 0; r < f.rows; r += stride) t.push(Number(((r + 1) * f.sampleEverySteps * dt).toPrecision(6)));
  const pick = (p: ProbeResult) => dims.map((d) => {
    const s: number[] = [];
    for (let r = 0; r < p.rows; r += stride) s.push(p5(p.data[r * p.size + d]));
    return s;
  });
  return { t, dims: [...dims], selection, strideSamples: stride, float: pick(f), emulator: pick(e), ...(ideal ? { ideal: pick(ideal) } : {}) };
}

/** Mean of each dimension over ≤ HEAT_COLUMNS equal column bins, for every dimension. */
export function heatMap(f: ProbeResult, e: ProbeResult, ideal: ProbeResult | undefined, dt: number): HeatMap {
  const columns = Math.min(HEAT_COLUMNS, f.rows);
  const bin = (p: ProbeResult): number[][] => {
    const out: number[][] = [];
    for (let d = 0; d < p.size; d++) {
      const row: number[] = [];
      for (let c = 0; c < columns; c++) {
        const r0 = Math.floor((c * p.rows) / columns), r1 = Math.floor(((c + 1) * p.rows) / columns);
        let s = 0;
        for (let r = r0; r < r1; r++) s += p.data[r * p.size + d];
        row.push(p5(s / Math.max(1, r1 - r0)));
      }
      out.push(row);
    }
    return out;
  };
  return { columns, endSeconds: f.rows * f.sampleEverySteps * dt, float: bin(f), emulator: bin(e), ...(ideal ? { ideal: bin(ideal) } : {}) };
}

/** The rows of [startSeconds, endSeconds) at full resolution (every recorded sample), chosen dimensions. */
export function traceWindow(f: ProbeResult, e: ProbeResult, ideal: ProbeResult | undefined, dims: readonly number[], startSeconds: number, endSeconds: number, dt: number): TraceWindow {
  const every = f.sampleEverySteps * dt;
  const r0 = Math.max(0, Math.ceil(startSeconds / every - 1 - 1e-9)), r1 = Math.min(f.rows, Math.ceil(endSeconds / every - 1 - 1e-9));
  const t: number[] = [];
  for (let r = r0; r < r1; r++) t.push(Number(((r + 1) * every).toPrecision(7)));
  const pick = (p: ProbeResult) => dims.map((d) => {
    const s: number[] = [];
    for (let r = r0; r < r1; r++) s.push(p5(p.data[r * p.size + d]));
    return s;
  });
  return { startSeconds, endSeconds, t, float: pick(f), emulator: pick(e), ...(ideal ? { ideal: pick(ideal) } : {}) };
}

/** NRMSE over all dimensions in consecutive windows of `windowRows` rows (the last may be shorter). */
function windowed(y: Float64Array, ref: Float64Array, size: number, windowRows: number): number[] {
  const out: number[] = [];
  const rows = y.length / size;
  for (let r0 = 0; r0 < rows; r0 += windowRows) {
    const a = r0 * size, b = Math.min(rows, r0 + windowRows) * size;
    const v = nrmse(y.subarray(a, b), ref.subarray(a, b));
    out.push(Number.isFinite(v) ? p5(v) : NaN);
  }
  return out;
}

/**
 * Error over time: NRMSE in consecutive windows of about 1/50 of the run (at least 0.1 s), of the
 * float run and the emulator against the reference, and of the emulator against float.
 */
export function slidingNrmse(f: ProbeResult, e: ProbeResult, ref: ProbeResult | undefined, refKind: string | undefined, dt: number): SlidingNrmse {
  const every = f.sampleEverySteps * dt;
  const windowRows = Math.max(1, Math.ceil(Math.max(0.1, (f.rows * every) / 50) / every));
  const t: number[] = [];
  for (let r0 = 0; r0 < f.rows; r0 += windowRows) t.push(Number((Math.min(f.rows, r0 + windowRows) * every).toPrecision(6)));
  return {
    windowSeconds: windowRows * every,
    t,
    emulatorVsFloat: windowed(e.data, f.data, f.size, windowRows),
    ...(ref && refKind ? { refKind, floatVsRef: windowed(f.data, ref.data, f.size, windowRows), emulatorVsRef: windowed(e.data, ref.data, f.size, windowRows) } : {}),
  };
}
