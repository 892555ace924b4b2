/** Firing rates: histograms of the neurons' mean rates, float vs chip; tuning curves of one ensemble. */
import type { SpikeComparison, TuningComparison } from "../report-types.js";
import { axes, finiteRange, seriesPath, svgOpen, ticks, type Frame } from "./axes.js";
import { esc, fix, isNum, r1 } from "./format.js";
import { legendItem, panel } from "./panel.js";

const FRAME: Frame = { width: 620, height: 230, left: 58, right: 12, top: 22, bottom: 34 };

/** Side-by-side bars per rate bin: float left half, emulator right half. */
function histogramSvg(s: SpikeComparison): string {
  const h = s.rateHistogram;
  const edges = h.edgesHz.filter(isNum);
  const f = FRAME;
  const xt = ticks(edges[0] ?? 0, edges[edges.length - 1] ?? 1, 6, false);
  const [, top] = finiteRange([h.float, h.emulator]);
  const yt = ticks(0, isNum(top) && top > 0 ? top : 1, 5, true);
  const ax = axes(f, xt, yt, "mean rate over the run (Hz)", "neurons");
  let dF = "", dE = "";
  for (let k = 0; k + 1 < edges.length; k++) {
    const x0 = ax.sx(edges[k]), x1 = ax.sx(edges[k + 1]), mid = (x0 + x1) / 2;
    const bar = (count: unknown, a: number, b: number) => (isNum(count) && count > 0 ? `M${r1(a)} ${r1(ax.sy(0))}V${r1(ax.sy(count))}H${r1(b)}V${r1(ax.sy(0))}z` : "");
    dF += bar(h.float[k], x0 + 0.5, mid);
    dE += bar(h.emulator[k], mid, x1 - 0.5);
  }
  const title = `${s.ensemble}: neurons per rate bin`;
  return svgOpen(f.width, f.height, title) + ax.svg + `<path class="b-float" d="${dF}"/><path class="b-emu" d="${dE}"/><text class="ptitle" x="${r1(f.left)}" y="14">${esc(title)}</text></svg>`;
}

export function rateHistogramPanel(spikes: readonly SpikeComparison[]): string {
  const withData = spikes.filter((s) => s.rateHistogram && s.rateHistogram.edgesHz?.length > 1);
  if (withData.length === 0) return "";
  const body =
    `<div class="legend"><span class="lg"><span class="sw r-float-sw"></span>float simulator</span><span class="lg"><span class="sw r-emu-sw"></span>chip emulator</span></div>` +
    `<div class="grid">${withData.map((s) => `<figure>${histogramSvg(s)}</figure>`).join("")}</div>`;
  return panel({ title: "Firing-rate histograms", units: "x: a neuron's mean rate over the run (Hz); y: number of neurons", howToRead: "the two distributions should have the same shape; the chip's sits a little lower (see the tuning curves for why)" }, body);
}

export function tuningPanel(t: TuningComparison | undefined): string {
  if (!t || !(t.x?.length > 1)) return "";
  const f = FRAME;
  const xt = ticks(-1, 1, 8, false);
  const [, top] = finiteRange([...t.float, ...t.chip]);
  const yt = ticks(0, isNum(top) && top > 0 ? top : 1, 5, true);
  const ax = axes(f, xt, yt, "x along the neuron's encoder (units of the radius)", "rate (Hz)");
  let paths = "";
  t.float.forEach((ys, k) => {
    paths += `<path class="s-float thin" d="${seriesPath(t.x, ys, ax.sx, ax.sy)}"/><path class="s-emu thin" d="${seriesPath(t.x, t.chip[k] ?? [], ax.sx, ax.sy)}"/>`;
  });
  const title = `${t.ensemble}: ${t.float.length} neurons (${t.neuron})`;
  const svg = svgOpen(f.width, f.height, title) + ax.svg + paths + `<text class="ptitle" x="${r1(f.left)}" y="14">${esc(title)}</text></svg>`;
  const ratio = isNum(t.chipToFloatRateRatio) ? `Over the ensemble's evaluation points the chip fires ${fix(t.chipToFloatRateRatio, 3)}× the float rate (${fix((t.chipToFloatRateRatio - 1) * 100, 1)}%).` : "";
  const body =
    `<p class="metrics">${esc(ratio)} Float is Nengo's rate curve; the chip's is a staircase below it: whole-step integration and a whole-step refractory period round every interspike interval up.</p>` +
    `<div class="legend">${legendItem("s-float", "float (Nengo rate curve)")}${legendItem("s-emu", "chip (whole steps)")}</div>` +
    `<div class="grid"><figure>${svg}</figure></div>`;
  return panel({ title: `Tuning curves: ${t.ensemble}`, units: "x in units of the radius along each neuron's encoder; rate in Hz", howToRead: "each neuron appears twice: float (blue) and as the chip runs it (orange); the gap at high rates is the rate difference the rasters show" }, body);
}
