/**
 * Spikes of one ensemble: a raster of spike counts per time bin over the whole run (nothing
 * dropped: several spikes in a bin draw a darker mark), the population rate over time, and the
 * same neurons at full resolution in one window.
 */
import type { CompareReport, SpikeComparison } from "../report-types.js";
import { axes, svgOpen, ticks, type Frame, type Series } from "./axes.js";
import { esc, fix, int, isNum, r1 } from "./format.js";
import { legendItem, panel } from "./panel.js";
import { TRACE_FRAME, tracePlot } from "./traces.js";

export const RASTER_ROW = 22;
/** 1000 px wide: at a 900 px window the page scales it by ~0.85, so its labels stay readable. */
export const RASTER_FRAME: Omit<Frame, "height"> = { width: 1000, left: 58, right: 12, top: 22, bottom: 34 };

/** Count classes: 1 spike in the bin, 2–3, 4 or more (darker). */
function level(count: number): 0 | 1 | 2 {
  return count >= 4 ? 2 : count >= 2 ? 1 : 0;
}

type Rows = readonly (readonly unknown[])[];

function rasterSvg(title: string, neurons: readonly unknown[], tmax: number, rows: number, draw: (sx: (t: number) => number, y: number, half: number, i: number) => void, extra: () => string): string {
  const f: Frame = { ...RASTER_FRAME, height: 22 + 34 + Math.max(1, rows) * RASTER_ROW };
  const xt = ticks(0, tmax > 0 ? tmax : 1, 10, false);
  const ax = axes(f, xt, null, "time (s)", "neuron");
  let labels = "", seps = "";
  for (let i = 0; i < rows; i++) {
    const y = ax.box.y0 + i * RASTER_ROW;
    labels += `<text x="${r1(ax.box.x0 - 4)}" y="${r1(y + RASTER_ROW / 2 + 3.5)}" text-anchor="end">n${esc(isNum(neurons[i]) ? neurons[i] : "?")}</text>`;
    if (i > 0) seps += `M${r1(ax.box.x0)} ${r1(y)}H${r1(ax.box.x1)}`;
    draw(ax.sx, y, RASTER_ROW / 2, i);
  }
  const noData = rows === 0 ? `<text class="nodata" x="${r1((ax.box.x0 + ax.box.x1) / 2)}" y="${r1(ax.box.y0 + 13)}" text-anchor="middle">no neurons in the raster</text>` : "";
  return svgOpen(f.width, f.height, title) + ax.svg + (seps ? `<path class="sep" d="${seps}"/>` : "") + labels + extra() + noData + `<text class="ptitle" x="${r1(f.left)}" y="14">${esc(title)}</text></svg>`;
}

/** The binned raster of the whole run: one mark per non-empty bin, its shade by the count. */
function binnedRaster(s: SpikeComparison, dt: number, steps: number): string {
  const r = s.raster;
  const binSteps = isNum(r?.binSteps) && r.binSteps > 0 ? r.binSteps : 1;
  const rows = Math.min(r?.float?.length ?? 0, r?.emulator?.length ?? 0);
  const d: string[][] = [["", "", ""], ["", "", ""]];
  const tmax = steps * dt;
  const draw = (sx: (t: number) => number, y: number, half: number, i: number) => {
    ([r.float[i], r.emulator[i]] as Rows).forEach((bins, k) => {
      const y0 = y + 1 + k * half;
      (bins ?? []).forEach((c, b) => {
        if (!isNum(c) || c <= 0) return;
        // The mark spans its bin (at least 1 px), so the raster covers the run to its last step.
        const x0 = sx(b * binSteps * dt), x1 = sx(Math.min(steps, (b + 1) * binSteps) * dt);
        d[k][level(c)] += `M${r1(x0)} ${r1(y0)}h${r1(Math.max(1, x1 - x0))}v${r1(half - 2)}h${r1(-Math.max(1, x1 - x0))}z`;
      });
    });
  };
  const extra = () => d.map((levels, k) => levels.map((path, l) => (path ? `<path class="${k === 0 ? "r-float" : "r-emu"} l${l}" d="${path}"/>` : "")).join("")).join("");
  const title = `${s.ensemble}: spike counts per ${fix(binSteps * dt * 1000, binSteps * dt < 0.01 ? 1 : 0)} ms bin, whole run (upper half of a row float, lower half emulator)`;
  return rasterSvg(title, r?.neurons ?? [], tmax, rows, draw, extra);
}

function windowRaster(s: SpikeComparison, dt: number): string {
  const w = s.window;
  if (!w || !(w.endSeconds > w.startSeconds)) return "";
  const rows = Math.min(w.float?.length ?? 0, w.emulator?.length ?? 0);
  let dFloat = "", dEmu = "";
  const f: Frame = { ...RASTER_FRAME, height: 22 + 34 + Math.max(1, rows) * RASTER_ROW };
  const xt = ticks(w.startSeconds, w.endSeconds, 10, false);
  const ax = axes(f, xt, null, "time (s)", "neuron");
  let labels = "";
  for (let i = 0; i < rows; i++) {
    const y = ax.box.y0 + i * RASTER_ROW, half = RASTER_ROW / 2;
    labels += `<text x="${r1(ax.box.x0 - 4)}" y="${r1(y + half + 3.5)}" text-anchor="end">n${esc(s.raster?.neurons?.[i] ?? "?")}</text>`;
    const ticksFor = (list: readonly unknown[] | undefined, y0: number) => (list ?? []).filter(isNum).map((row) => `M${r1(ax.sx((row + 1) * dt))} ${r1(y0)}v${r1(half - 2)}`).join("");
    dFloat += ticksFor(w.float[i], y + 1);
    dEmu += ticksFor(w.emulator[i], y + half + 1);
  }
  const title = `${s.ensemble}: every spike in ${fix(w.startSeconds, 3)}–${fix(w.endSeconds, 3)} s`;
  const svg = svgOpen(f.width, f.height, title) + ax.svg + labels + `<path class="r-float" d="${dFloat}"/><path class="r-emu" d="${dEmu}"/><text class="ptitle" x="${r1(f.left)}" y="14">${esc(title)}</text></svg>`;
  return panel({ title: `Full resolution ${fix(w.startSeconds, 3)}–${fix(w.endSeconds, 3)} s: ${s.ensemble}`, units: "one tick per spike; time in s", howToRead: "the same neurons as above, every spike at its step: choose the window with lmuc compare --window START:END" }, `<figure class="wide">${svg}</figure>`);
}

function populationPlot(s: SpikeComparison, dt: number, steps: number): string {
  const p = s.population;
  if (!p || !(p.float?.length > 0)) return "";
  const t = p.float.map((_, b) => Math.min(steps, (b + 1) * p.binSteps) * dt);
  const series: Series[] = [{ cls: "s-float", ys: p.float }, { cls: "s-emu", ys: p.emulator }];
  return `<figure class="wide">${tracePlot(`${s.ensemble}: mean rate of all ${s.neurons} neurons per bin`, t, series, "rate (Hz)", { ...TRACE_FRAME, width: RASTER_FRAME.width, height: 190 }, [0, Math.max(1, ...p.float.filter(isNum), ...p.emulator.filter(isNum))])}</figure>`;
}

export function rasterSection(s: SpikeComparison, report: CompareReport, chipToFloat?: number): string {
  const dt = isNum(report.dtSeconds) && report.dtSeconds > 0 ? report.dtSeconds : 0.001;
  const steps = isNum(report.steps) && report.steps > 0 ? report.steps : 0;
  const rf = s.meanRateFloatHz, re = s.meanRateEmulatorHz;
  const rel = isNum(rf) && isNum(re) && rf !== 0 ? ` (${re >= rf ? "+" : "−"}${fix(Math.abs((re - rf) / rf) * 100, 1)}%)` : "";
  const why = isNum(chipToFloat)
    ? ` The tuning curves predict chip/float ${fix(chipToFloat, 3)} at the same input: the chip integrates and stays refractory in whole steps, so each interspike interval rounds up to a whole number of steps; decoders are solved on the chip's curve, so the decoded value is not biased by it.`
    : "";
  const shown = Math.min(s.raster?.float?.length ?? 0, s.raster?.emulator?.length ?? 0);
  const body =
    `<p class="metrics">mean rate: float <b>${fix(rf, 2)} Hz</b> · emulator <b>${fix(re, 2)} Hz</b>${rel}.${esc(why)}</p>` +
    `<div class="legend"><span class="lg"><span class="sw r-float-sw"></span>float simulator</span><span class="lg"><span class="sw r-emu-sw"></span>chip emulator</span><span class="lg muted">shade: 1, 2–3, ≥ 4 spikes in a bin</span></div>` +
    `<figure class="wide">${binnedRaster(s, dt, steps)}</figure>` +
    `<div class="legend">${legendItem("s-float", "float: population rate")}${legendItem("s-emu", "emulator: population rate")}</div>` +
    populationPlot(s, dt, steps) +
    windowRaster(s, dt);
  return panel(
    { title: s.ensemble, units: "time in s; rates in Hz", howToRead: "every bin of the whole run is drawn, so a neuron that goes silent is really silent; float and emulator rows should have similar density" },
    body,
    { titleHtml: `${esc(s.ensemble)} <span class="muted">(${int(s.neurons)} neurons, ${int(shown)} shown, evenly spaced)</span>` },
  );
}
