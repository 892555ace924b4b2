/**
 * One probe: its NRMSE against every reference, each line dimension over the whole run (float,
 * emulator, ideal), the error over time in sliding windows, a heat map of every dimension when
 * there are many, and a window at full resolution.
 */
import type { ProbeComparison, TraceWindow } from "../report-types.js";
import { axes, finiteRange, seriesPath, svgOpen, ticks, type Frame, type Series } from "./axes.js";
import { esc, fix, int, isNum, r1, sig } from "./format.js";
import { heatMapPanel } from "./heatmap.js";
import { legendItem, panel } from "./panel.js";

export const TRACE_FRAME: Frame = { width: 620, height: 210, left: 58, right: 12, top: 22, bottom: 34 };

/** A line plot of `series` against `t`; the y axis fits the finite samples, or `yRange` when given. */
export function tracePlot(title: string, t: readonly number[], series: readonly Series[], yLabel = "value", frame: Frame = TRACE_FRAME, yRange?: [number, number]): string {
  const f = frame;
  const [t0, thi] = finiteRange([t]);
  // Samples usually start one step (or one plotting stride) after 0: start the axis at 0 then.
  const tlo = t0 > 0 && t0 <= 0.05 * (thi - t0) ? 0 : t0;
  const xt = ticks(tlo, thi, 6, false);
  const [ylo, yhi] = yRange ?? finiteRange(series.map((s) => s.ys));
  const yt = ticks(ylo, yhi, 5, true);
  const ax = axes(f, xt, yt, "time (s)", yLabel);
  let paths = "";
  for (const s of series) {
    if (!s.ys) continue;
    // An all-gap series still gets an (empty) path so every plotted series is present in the DOM.
    paths += `<path class="${s.cls}" d="${seriesPath(t, s.ys, ax.sx, ax.sy)}"/>`;
  }
  const noData = !isNum(ylo) ? `<text class="nodata" x="${r1((ax.box.x0 + ax.box.x1) / 2)}" y="${r1((ax.box.y0 + ax.box.y1) / 2)}" text-anchor="middle">no finite samples</text>` : "";
  return svgOpen(f.width, f.height, title) + ax.svg + paths + noData + `<text class="ptitle" x="${r1(f.left)}" y="14">${esc(title)}</text></svg>`;
}

function probeTitle(p: ProbeComparison): string {
  return `${p.id}.${p.attr}`;
}

function metricsLine(p: ProbeComparison): string {
  const refs = p.references ?? (p.idealKind ? [{ kind: p.idealKind, nrmseFloat: p.nrmseFloatVsIdeal as number, nrmseEmulator: p.nrmseEmulatorVsIdeal as number }] : []);
  const parts = refs.map((r) => `vs ${esc(r.kind)}: float <b>${sig(r.nrmseFloat)}</b>, emulator <b>${sig(r.nrmseEmulator)}</b>`);
  if (refs.length === 0 && (isNum(p.nrmseFloatVsIdeal) || isNum(p.nrmseEmulatorVsIdeal))) parts.push(`vs ideal: float <b>${sig(p.nrmseFloatVsIdeal)}</b>, emulator <b>${sig(p.nrmseEmulatorVsIdeal)}</b>`);
  parts.push(`emulator vs float <b>${sig(p.nrmseEmulatorVsFloat)}</b>`, `correlation <b>${fix(p.correlation, 4)}</b>`);
  return `<p class="metrics">NRMSE ${parts.join(" · ")}</p>`;
}

function legend(p: ProbeComparison, hasIdeal: boolean): string {
  const idealLabel = p.idealKind ? `ideal (${p.idealKind})` : "ideal";
  return (
    `<div class="legend">${legendItem("s-float", "float simulator")}${legendItem("s-emu", "chip emulator")}` +
    (hasIdeal ? legendItem("s-ideal", idealLabel) : `<span class="lg muted">no ideal for this probe: emulator vs float only</span>`) +
    `</div>`
  );
}

function linePlots(p: ProbeComparison, t: readonly number[], tr: { float: readonly (readonly unknown[])[]; emulator: readonly (readonly unknown[])[]; ideal?: readonly (readonly unknown[])[] | undefined }, dims: readonly number[]): string {
  const plots: string[] = [];
  const hasIdeal = !!tr.ideal && tr.ideal.length > 0;
  for (let k = 0; k < dims.length; k++) {
    const series: Series[] = [];
    if (hasIdeal) series.push({ cls: "s-ideal", ys: tr.ideal![k] });
    series.push({ cls: "s-float", ys: tr.float[k] }, { cls: "s-emu", ys: tr.emulator[k] });
    plots.push(`<figure>${tracePlot(`${probeTitle(p)}[${dims[k]}]`, t, series)}</figure>`);
  }
  return `<div class="grid">${plots.join("")}</div>`;
}

function slidingPlot(p: ProbeComparison): string {
  const s = p.sliding;
  if (!s || s.t.length === 0) return "";
  const series: Series[] = [];
  if (s.floatVsRef) series.push({ cls: "s-float", ys: s.floatVsRef });
  if (s.emulatorVsRef) series.push({ cls: "s-emu", ys: s.emulatorVsRef });
  series.push({ cls: "s-diff", ys: s.emulatorVsFloat });
  // The first windows, where the reference is still near 0, can be far above the rest: the axis
  // stops at 1.5× the 90th percentile and higher values are drawn at its top (said in the title).
  const values = series.flatMap((x) => (x.ys ?? []).filter(isNum)).sort((a, b) => a - b);
  const [, max] = finiteRange(series.map((x) => x.ys));
  const p90 = values.length ? values[Math.floor(0.9 * (values.length - 1))] : NaN;
  const hi = isNum(p90) && p90 > 0 && max > 1.5 * p90 ? 1.5 * p90 : max;
  const clipped = isNum(hi) && max > hi;
  if (clipped) for (let k = 0; k < series.length; k++) series[k] = { cls: series[k].cls, ys: (series[k].ys ?? []).map((v) => (isNum(v) && v > hi ? hi : v)) };
  const frame: Frame = { ...TRACE_FRAME, width: 1000, height: 190 };
  const refLabel = s.refKind ? ` vs ${s.refKind}` : "";
  const body =
    `<div class="legend">${s.floatVsRef ? legendItem("s-float", `float${refLabel}`) : ""}${s.emulatorVsRef ? legendItem("s-emu", `emulator${refLabel}`) : ""}${legendItem("s-diff", "emulator vs float")}</div>` +
    `<figure class="wide">${tracePlot(`${probeTitle(p)}: NRMSE per ${sig(s.windowSeconds)} s window${clipped ? ` (axis cut at ${sig(hi)}; higher values drawn at the top)` : ""}`, s.t, series, "NRMSE", frame, [0, isNum(hi) && hi > 0 ? hi : 1])}</figure>`;
  return panel({ title: `Error over time: ${probeTitle(p)}`, units: `NRMSE (dimensionless) per ${sig(s.windowSeconds)} s window, plotted at the window's end; time in s`, howToRead: "a flat low line means the error is steady; a rising emulator line that float does not share means the chip drifts (e.g. saturation or overflow)" }, body);
}

function windowPanel(p: ProbeComparison, w: TraceWindow, dims: readonly number[]): string {
  if (w.t.length === 0) return "";
  const shown = dims.slice(0, 4);
  const body = linePlots(p, w.t, { float: w.float.slice(0, 4), emulator: w.emulator.slice(0, 4), ...(w.ideal ? { ideal: w.ideal.slice(0, 4) } : {}) }, shown);
  const which = dims.length > shown.length ? `dimensions ${shown.join(", ")} (the first ${shown.length} of the ${dims.length} drawn above)` : `every dimension drawn above`;
  return panel(
    { title: `Full resolution ${fix(w.startSeconds, 3)}–${fix(w.endSeconds, 3)} s: ${probeTitle(p)}`, units: "value in the probe's units; time in s; every recorded sample", howToRead: `${which}, no down-sampling: choose the window with lmuc compare --window START:END (seconds)` },
    body,
  );
}

export function probeSection(p: ProbeComparison, index: number): string {
  const tr = p.traces ?? { t: [], dims: [], selection: "all", strideSamples: 1, float: [], emulator: [] };
  const t = tr.t ?? [];
  const nLines = Math.max(tr.float?.length ?? 0, tr.emulator?.length ?? 0);
  const dims = tr.dims && tr.dims.length === nLines ? tr.dims : Array.from({ length: nLines }, (_, d) => d);
  const hasIdeal = !!tr.ideal && tr.ideal.length > 0;
  const size = isNum(p.size) ? p.size : nLines;
  const shown = nLines >= size ? `${int(size)} dimension${size === 1 ? "" : "s"}, all drawn` : `${int(size)} dimensions: lines for ${nLines} (${esc(tr.selection ?? "selected")}), every one in the heat map`;
  const stride = isNum(tr.strideSamples) && tr.strideSamples > 1 ? `every ${int(tr.strideSamples)}th recorded sample drawn (${int(t.length)} points per line); metrics use every sample` : "every recorded sample drawn";
  const body =
    metricsLine(p) +
    legend(p, hasIdeal) +
    (nLines === 0 || t.length === 0 ? `<p class="muted">No trace samples in the report.</p>` : linePlots(p, t, { float: tr.float ?? [], emulator: tr.emulator ?? [], ...(tr.ideal ? { ideal: tr.ideal } : {}) }, dims)) +
    slidingPlot(p) +
    (p.heat ? heatMapPanel(p.heat, probeTitle(p), p.idealKind) : "") +
    (p.window ? windowPanel(p, p.window, dims) : "");
  return panel(
    { title: probeTitle(p), units: `value in the probe's units (decoded: radius-normalised); time in s; ${stride}`, howToRead: `${shown}. The emulator (orange) should lie on float (blue); both should follow the dashed ideal` },
    body,
    { id: `probe-${index}`, titleHtml: `${esc(probeTitle(p))} <span class="muted">(${shown}${p.idealKind ? `; ideal: ${esc(p.idealKind)}` : ""})</span>` },
  );
}
