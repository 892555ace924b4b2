/**
 * Spike data of one ensemble for report.json, reduced honestly: a raster of spike COUNTS per time
 * bin over the whole run (one bin per pixel column, so no spike is dropped, only merged), spike
 * steps at full resolution in one labelled window, the population rate over time, and
 * histograms of the neurons' mean rates in float and on the chip.
 */
import type { ProbeResult } from "../sim/simulator.js";
import type { SpikeComparison } from "./report-types.js";

export const RASTER_NEURONS = 24;
export const RASTER_BINS = 600;
const RATE_HISTOGRAM_BINS = 20;

type SpikeLists = readonly (readonly number[])[];

/** Spikes per bin of one neuron; rows are 0-based (row r is step r + 1), `n` spikes at each (spiking ReLU can spike more than once a step). */
function counts(rows: readonly number[], n: readonly number[], binSteps: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  for (let k = 0; k < rows.length; k++) out[Math.min(bins - 1, Math.floor(rows[k] / binSteps))] += n[k];
  return out;
}

function populationHz(lists: SpikeLists, n: SpikeLists, binSteps: number, bins: number, steps: number, dt: number): number[] {
  const total = new Array<number>(bins).fill(0);
  lists.forEach((l, i) => l.forEach((r, k) => (total[Math.min(bins - 1, Math.floor(r / binSteps))] += n[i][k])));
  return total.map((c, b) => {
    const width = Math.min(steps, (b + 1) * binSteps) - b * binSteps;
    return Number((c / (lists.length * Math.max(1, width) * dt)).toPrecision(5));
  });
}

function histogram(rates: readonly number[], edges: readonly number[]): number[] {
  const out = new Array<number>(edges.length - 1).fill(0);
  const top = edges[edges.length - 1];
  for (const r of rates) {
    const k = r >= top ? out.length - 1 : Math.max(0, Math.floor(((r - edges[0]) / (top - edges[0])) * out.length));
    out[Math.min(out.length - 1, k)]++;
  }
  return out;
}

export interface SpikeWindow {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export function spikeComparison(id: string, f: ProbeResult, e: ProbeResult, steps: number, dt: number, window: SpikeWindow): SpikeComparison {
  const fl = f.spikes!.spikeSteps, em = e.spikes!.spikeSteps;
  const fn = f.spikes!.spikeCounts, en = e.spikes!.spikeCounts;
  const n = fl.length;
  const shown = Math.min(RASTER_NEURONS, n);
  const pick = Array.from({ length: shown }, (_, k) => Math.floor((k * n) / shown));
  const bins = Math.min(RASTER_BINS, Math.max(1, steps));
  const binSteps = Math.ceil(steps / bins);
  const nBins = Math.ceil(steps / binSteps);
  const seconds = steps * dt;
  const total = (l: readonly number[]) => l.reduce((a, x) => a + x, 0);
  const rateF = fn.map((l) => total(l) / seconds), rateE = en.map((l) => total(l) / seconds);
  const top = Math.max(1, ...rateF, ...rateE);
  const edges = Array.from({ length: RATE_HISTOGRAM_BINS + 1 }, (_, k) => Number(((k * top) / RATE_HISTOGRAM_BINS).toPrecision(5)));
  // Rows r with time (r + 1)·dt in (start, end].
  const r0 = Math.round(window.startSeconds / dt), r1 = Math.round(window.endSeconds / dt);
  const inWindow = (l: readonly number[]) => l.filter((r) => r >= r0 && r < r1);
  const sum = (l: SpikeLists) => l.reduce((a, x) => a + total(x), 0);
  return {
    ensemble: id,
    neurons: n,
    meanRateFloatHz: sum(fn) / (n * seconds),
    meanRateEmulatorHz: sum(en) / (n * seconds),
    raster: { binSteps, bins: nBins, neurons: pick, float: pick.map((i) => counts(fl[i], fn[i], binSteps, nBins)), emulator: pick.map((i) => counts(em[i], en[i], binSteps, nBins)) },
    window: { startSeconds: window.startSeconds, endSeconds: window.endSeconds, float: pick.map((i) => inWindow(fl[i])), emulator: pick.map((i) => inWindow(em[i])) },
    population: { binSteps, float: populationHz(fl, fn, binSteps, nBins, steps, dt), emulator: populationHz(em, en, binSteps, nBins, steps, dt) },
    rateHistogram: { edgesHz: edges, float: histogram(rateF, edges), emulator: histogram(rateE, edges) },
  };
}
