/**
 * report.html of `lmuc compare`: one self-contained page (inline CSS, inline SVG, no scripts, no
 * network requests) for deciding whether the chip emulator is accurate enough against the float
 * simulator and the ideal.
 *
 * Output is deterministic: the same report gives the same bytes (no clocks, no randomness, numbers
 * formatted with fixed precision, SVG coordinates rounded to 0.1 px). Every string that comes from
 * the report is escaped. Values that JSON turned into null (NaN, ±Infinity), missing ideals and
 * missing optional metrics are shown as "n/a" and drawn as gaps.
 */
import type { CompareReport, CoreCost, ProbeComparison, SpikeComparison } from "./report-types.js";
import { learningPanelHtml } from "./learning-panel.js";

// ---------------------------------------------------------------------------------------------
// Escaping and number formatting

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const esc = escapeHtml;

function isNum(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** Non-finite values: NaN/null/undefined → "n/a", ±Infinity → "∞". */
function nonFinite(x: unknown): string {
  if (typeof x === "number" && x === Infinity) return "∞";
  if (typeof x === "number" && x === -Infinity) return "−∞";
  return "n/a";
}

/** Strips a negative sign from a zero result ("-0.00" → "0.00"). */
function noNegZero(s: string): string {
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Fixed decimals. */
function fix(x: unknown, decimals: number): string {
  return isNum(x) ? noNegZero(x.toFixed(decimals)) : nonFinite(x);
}

/** `sig` significant digits, plain notation in [1e-3, 1e6), exponent notation outside. */
function sig(x: unknown, digits = 3): string {
  if (!isNum(x)) return nonFinite(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a) + 1e-12));
    return noNegZero(x.toFixed(decimals));
  }
  return x.toExponential(digits - 1);
}

/** Integer with thin-space-free thousands separators (fixed, locale-independent). */
function int(x: unknown): string {
  if (!isNum(x)) return nonFinite(x);
  const s = Math.round(Math.abs(x)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (x < 0 && Math.round(x) !== 0 ? "−" : "") + s;
}

/** Value in SI units with a prefix, 3 significant digits: siUnit(5.2e-5, "s") → "52.0 µs". */
function si(x: unknown, unit: string): string {
  if (!isNum(x)) return nonFinite(x);
  if (x === 0) return `0 ${unit}`;
  const prefixes: [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""], [1e-3, "m"], [1e-6, "µ"], [1e-9, "n"], [1e-12, "p"], [1e-15, "f"]];
  const a = Math.abs(x);
  for (const [scale, p] of prefixes) {
    // Use the prefix if the value rounds to at least 1 at this scale.
    if (a >= scale * 0.9995) return `${sig(x / scale, 3)} ${p}${unit}`;
  }
  return `${sig(x, 3)} ${unit}`;
}

function pct(fraction: unknown, decimals = 1): string {
  return isNum(fraction) ? `${fix(fraction * 100, decimals)}%` : nonFinite(fraction);
}

/** SVG coordinate: rounded to 0.1 px, shortest form. */
function r1(x: number): string {
  const v = Math.round(x * 10) / 10;
  return (v === 0 ? 0 : v).toString();
}

// ---------------------------------------------------------------------------------------------
// Axes

interface Ticks {
  readonly lo: number;
  readonly hi: number;
  readonly values: readonly number[];
  readonly decimals: number;
}

function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/**
 * Ticks for [lo, hi]. With `extend`, the domain grows outwards to whole tick steps (value axes);
 * otherwise it stays as given (time axes). Degenerate or non-finite ranges get a default domain.
 */
function ticks(lo: number, hi: number, target: number, extend: boolean): Ticks {
  if (!isNum(lo) || !isNum(hi)) (lo = 0), (hi = 1);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    (lo -= pad), (hi += pad);
  }
  const step = niceStep((hi - lo) / Math.max(1, target));
  if (extend) {
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  }
  const values: number[] = [];
  const k0 = Math.ceil(lo / step - 1e-9), k1 = Math.floor(hi / step + 1e-9);
  for (let k = k0; k <= k1 && values.length < 50; k++) values.push(k * step);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return { lo, hi, values, decimals };
}

function tickLabel(v: number, t: Ticks): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || t.decimals > 6)) return v.toExponential(1);
  return noNegZero(v.toFixed(Math.min(t.decimals, 6)));
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function plotBox(f: Frame) {
  return { x0: f.left, x1: f.width - f.right, y0: f.top, y1: f.height - f.bottom };
}

/** Frame, grid, tick marks and labels, axis titles; returns the SVG and the scales. */
function axes(f: Frame, xt: Ticks, yt: Ticks | null, xLabel: string, yLabel: string) {
  const b = plotBox(f);
  const sx = (x: number) => b.x0 + ((x - xt.lo) / (xt.hi - xt.lo)) * (b.x1 - b.x0);
  const sy = yt ? (y: number) => b.y1 - ((y - yt.lo) / (yt.hi - yt.lo)) * (b.y1 - b.y0) : (y: number) => y;
  const parts: string[] = [];
  let grid = "";
  for (const v of xt.values) {
    const x = r1(sx(v));
    grid += `M${x} ${r1(b.y0)}V${r1(b.y1)}`;
    parts.push(`<text x="${x}" y="${r1(b.y1 + 13)}" text-anchor="middle">${esc(tickLabel(v, xt))}</text>`);
  }
  if (yt) {
    for (const v of yt.values) {
      const y = r1(sy(v));
      grid += `M${r1(b.x0)} ${y}H${r1(b.x1)}`;
      parts.push(`<text x="${r1(b.x0 - 4)}" y="${r1(sy(v) + 3.5)}" text-anchor="end">${esc(tickLabel(v, yt))}</text>`);
    }
  }
  const frame = `<rect class="frame" x="${r1(b.x0)}" y="${r1(b.y0)}" width="${r1(b.x1 - b.x0)}" height="${r1(b.y1 - b.y0)}"/>`;
  const svg =
    (grid ? `<path class="gl" d="${grid}"/>` : "") +
    frame +
    parts.join("") +
    (xLabel ? `<text class="axlabel" x="${r1((b.x0 + b.x1) / 2)}" y="${r1(f.height - 3)}" text-anchor="middle">${esc(xLabel)}</text>` : "") +
    (yLabel ? `<text class="axlabel" transform="translate(11 ${r1((b.y0 + b.y1) / 2)}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>` : "");
  return { svg, sx, sy, box: b };
}

function svgOpen(width: number, height: number, label: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">`;
}

// ---------------------------------------------------------------------------------------------
// Traces

interface Series {
  readonly cls: "s-ideal" | "s-float" | "s-emu";
  readonly ys: readonly unknown[] | undefined;
}

/**
 * One path per series; non-finite samples break the line. After each "M x y" the path continues
 * with relative "l dx dy" steps computed from the rounded absolute positions (in tenths of a
 * pixel), which keeps long traces about a quarter smaller without any drift.
 */
function seriesPath(t: readonly number[], ys: readonly unknown[], sx: (x: number) => number, sy: (y: number) => number): string {
  let d = "";
  let pen = false, first = false, px = 0, py = 0;
  const tenth = (k: number) => (k / 10).toString();
  const n = Math.min(t.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = t[i], y = ys[i];
    if (!isNum(x) || !isNum(y)) {
      pen = false;
      continue;
    }
    const X = Math.round(sx(x) * 10) || 0, Y = Math.round(sy(y) * 10) || 0;
    if (!pen) {
      d += `M${tenth(X)} ${tenth(Y)}`;
      pen = first = true;
    } else if (X !== px || Y !== py) {
      const a = tenth(X - px), b = tenth(Y - py);
      d += (first ? "l" : a.startsWith("-") ? "" : " ") + a + (b.startsWith("-") ? "" : " ") + b;
      first = false;
    }
    px = X;
    py = Y;
  }
  return d;
}

function finiteRange(arrays: readonly (readonly unknown[] | undefined)[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const a of arrays) {
    if (!a) continue;
    for (const v of a) {
      if (isNum(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return [lo, hi];
}

const TRACE_FRAME: Frame = { width: 620, height: 210, left: 58, right: 12, top: 22, bottom: 34 };

function tracePlot(title: string, t: readonly number[], series: readonly Series[]): string {
  const f = TRACE_FRAME;
  const [t0, thi] = finiteRange([t]);
  // Samples usually start one step (or one plotting stride) after 0: start the axis at 0 then.
  const tlo = t0 > 0 && t0 <= 0.05 * (thi - t0) ? 0 : t0;
  const xt = ticks(tlo, thi, 6, false);
  const [ylo, yhi] = finiteRange(series.map((s) => s.ys));
  const yt = ticks(ylo, yhi, 5, true);
  const ax = axes(f, xt, yt, "time (s)", "value");
  let paths = "";
  for (const s of series) {
    if (!s.ys) continue;
    const d = seriesPath(t, s.ys, ax.sx, ax.sy);
    // An all-gap series still gets an (empty) path so every plotted series is present in the DOM.
    paths += `<path class="${s.cls}" d="${d}"/>`;
  }
  const noData = !isNum(ylo) ? `<text class="nodata" x="${r1((ax.box.x0 + ax.box.x1) / 2)}" y="${r1((ax.box.y0 + ax.box.y1) / 2)}" text-anchor="middle">no finite samples</text>` : "";
  return (
    svgOpen(f.width, f.height, title) +
    ax.svg +
    paths +
    noData +
    `<text class="ptitle" x="${r1(f.left)}" y="14">${esc(title)}</text>` +
    `</svg>`
  );
}

const MAX_DIMS = 4;

function legendItem(cls: string, label: string): string {
  return `<span class="lg"><svg viewBox="0 0 26 10" width="26" height="10"><path class="${cls} key" d="M1 5H25"/></svg>${esc(label)}</span>`;
}

function probeTitle(p: ProbeComparison): string {
  return `${p.id}.${p.attr}`;
}

function probeSection(p: ProbeComparison, index: number): string {
  const tr = p.traces ?? ({ t: [], float: [], emulator: [] } as ProbeComparison["traces"]);
  const t = tr.t ?? [];
  const float = tr.float ?? [];
  const emu = tr.emulator ?? [];
  const ideal = tr.ideal;
  const dims = Math.min(MAX_DIMS, Math.max(float.length, emu.length, ideal?.length ?? 0));
  const hasIdeal = !!ideal && ideal.length > 0;
  const idealLabel = p.idealKind ? `ideal (${p.idealKind})` : "ideal";
  const legend =
    `<div class="legend">` +
    legendItem("s-float", "float simulator") +
    legendItem("s-emu", "chip emulator") +
    (hasIdeal ? legendItem("s-ideal", idealLabel) : `<span class="lg muted">no ideal for this probe</span>`) +
    `</div>`;
  const plots: string[] = [];
  for (let d = 0; d < dims; d++) {
    const series: Series[] = [];
    if (hasIdeal) series.push({ cls: "s-ideal", ys: ideal![d] });
    series.push({ cls: "s-float", ys: float[d] }, { cls: "s-emu", ys: emu[d] });
    plots.push(`<figure>${tracePlot(`${probeTitle(p)}[${d}]`, t, series)}</figure>`);
  }
  const size = isNum(p.size) ? p.size : dims;
  const shown = size > dims ? `first ${dims} of ${int(size)} dimensions shown` : `${int(size)} dimension${size === 1 ? "" : "s"}`;
  const metrics =
    `<p class="metrics">NRMSE float vs ideal <b>${sig(p.nrmseFloatVsIdeal)}</b> · emulator vs ideal <b>${sig(p.nrmseEmulatorVsIdeal)}</b>` +
    ` · emulator vs float <b>${sig(p.nrmseEmulatorVsFloat)}</b> · correlation <b>${fix(p.correlation, 4)}</b></p>`;
  const body = dims === 0 || t.length === 0 ? `<p class="muted">No trace samples in the report.</p>` : `<div class="grid">${plots.join("")}</div>`;
  return `<section class="probe" id="probe-${index}"><h3>${esc(probeTitle(p))} <span class="muted">(${shown}${p.idealKind ? `; ideal: ${esc(p.idealKind)}` : ""})</span></h3>${metrics}${legend}${body}</section>`;
}

// ---------------------------------------------------------------------------------------------
// Summary table

function ratio(p: ProbeComparison): number | undefined {
  const e = p.nrmseEmulatorVsIdeal, f = p.nrmseFloatVsIdeal;
  if (!isNum(e) || !isNum(f)) return undefined;
  if (f === 0) return e === 0 ? 1 : Infinity;
  return e / f;
}

function summaryTable(report: CompareReport): string {
  const max = report.check?.maxNrmse;
  const cell = (x: unknown, flag: boolean) => `<td class="num${flag && isNum(max) && isNum(x) && x > max ? " over" : ""}">${sig(x)}</td>`;
  const rows = (report.probes ?? []).map((p, i) => {
    const r = ratio(p);
    // The check's metric (as compare.ts computes it): emulator vs ideal, or vs float without an ideal.
    const checksIdeal = p.nrmseEmulatorVsIdeal !== undefined && p.nrmseEmulatorVsIdeal !== null;
    return (
      `<tr><td><a href="#probe-${i}">${esc(probeTitle(p))}</a></td><td class="num">${int(p.size)}</td><td>${esc(p.idealKind ?? "—")}</td>` +
      cell(p.nrmseFloatVsIdeal, false) +
      cell(p.nrmseEmulatorVsIdeal, checksIdeal) +
      cell(p.nrmseEmulatorVsFloat, !checksIdeal) +
      `<td class="num">${isNum(r) || r === Infinity ? `${sig(r)}×` : "n/a"}</td>` +
      `<td class="num">${fix(p.correlation, 4)}</td></tr>`
    );
  });
  if (rows.length === 0) return `<p class="muted">The report has no probes.</p>`;
  const note = isNum(max) ? `<p class="note">In <span class="over">red</span>: the NRMSE the check uses (emulator vs ideal, or emulator vs float where there is no ideal) exceeds --max-nrmse ${sig(max)}.</p>` : "";
  return (
    `<table class="summary"><thead><tr><th>probe</th><th>size</th><th>ideal</th><th>NRMSE float vs ideal</th><th>NRMSE emulator vs ideal</th>` +
    `<th>NRMSE emulator vs float</th><th>emulator / float<br><span class="muted">(both vs ideal)</span></th><th>correlation<br><span class="muted">emulator, float</span></th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>${note}`
  );
}

// ---------------------------------------------------------------------------------------------
// Spike rasters

const RASTER_ROW = 22;

function rasterSection(s: SpikeComparison, report: CompareReport): string {
  const dt = isNum(report.dtSeconds) && report.dtSeconds > 0 ? report.dtSeconds : 0.001;
  const steps = isNum(report.steps) && report.steps > 0 ? report.steps : 0;
  const raster = s.raster ?? [];
  const rows = raster.length;
  const f: Frame = { width: 1240, height: 22 + 34 + Math.max(1, rows) * RASTER_ROW, left: 58, right: 12, top: 22, bottom: 34 };
  let tmax = steps * dt;
  if (!(tmax > 0)) {
    // No step count: fall back to the last spike.
    for (const r of raster) for (const v of [...(r.float ?? []), ...(r.emulator ?? [])]) if (isNum(v)) tmax = Math.max(tmax, v * dt);
  }
  const xt = ticks(0, tmax > 0 ? tmax : 1, 10, false);
  const ax = axes(f, xt, null, "time (s)", "");
  let dFloat = "", dEmu = "", labels = "", seps = "";
  raster.forEach((r, i) => {
    const y = ax.box.y0 + i * RASTER_ROW;
    const half = RASTER_ROW / 2;
    labels += `<text x="${r1(ax.box.x0 - 4)}" y="${r1(y + half + 3.5)}" text-anchor="end">n${esc(isNum(r.neuron) ? r.neuron : "?")}</text>`;
    if (i > 0) seps += `M${r1(ax.box.x0)} ${r1(y)}H${r1(ax.box.x1)}`;
    const ticksFor = (spikes: readonly number[] | undefined, y0: number) => {
      let d = "";
      for (const step of spikes ?? []) {
        if (!isNum(step)) continue;
        const t = step * dt;
        if (t < xt.lo || t > xt.hi) continue;
        d += `M${r1(ax.sx(t))} ${r1(y0)}v${r1(half - 2)}`;
      }
      return d;
    };
    dFloat += ticksFor(r.float, y + 1);
    dEmu += ticksFor(r.emulator, y + half + 1);
  });
  const noData = rows === 0 ? `<text class="nodata" x="${r1((ax.box.x0 + ax.box.x1) / 2)}" y="${r1(ax.box.y0 + 13)}" text-anchor="middle">no neurons in the raster</text>` : "";
  const rf = s.meanRateFloatHz, re = s.meanRateEmulatorHz;
  const rel = isNum(rf) && isNum(re) && rf !== 0 ? ` (${re >= rf ? "+" : "−"}${fix(Math.abs((re - rf) / rf) * 100, 1)}%)` : "";
  const svg =
    svgOpen(f.width, f.height, `spike raster ${s.ensemble}`) +
    ax.svg +
    (seps ? `<path class="sep" d="${seps}"/>` : "") +
    labels +
    `<path class="r-float" d="${dFloat}"/><path class="r-emu" d="${dEmu}"/>` +
    noData +
    `<text class="ptitle" x="${r1(f.left)}" y="14">${esc(s.ensemble)}: upper half of each row float, lower half emulator</text>` +
    `</svg>`;
  return (
    `<section class="raster"><h3>${esc(s.ensemble)} <span class="muted">(${int(s.neurons)} neurons, ${int(rows)} shown)</span></h3>` +
    `<p class="metrics">mean rate: float <b>${fix(rf, 2)} Hz</b> · emulator <b>${fix(re, 2)} Hz</b>${rel}</p>` +
    `<div class="legend"><span class="lg"><span class="sw r-float-sw"></span>float simulator</span><span class="lg"><span class="sw r-emu-sw"></span>chip emulator</span></div>` +
    `<figure class="wide">${svg}</figure></section>`
  );
}

// ---------------------------------------------------------------------------------------------
// Per-core cost

const CORE_COLUMNS: readonly { key: keyof CoreCost["utilisation"]; label: string }[] = [
  { key: "compartments", label: "compartments" },
  { key: "inputAxons", label: "input axons" },
  { key: "outputAxons", label: "output axons" },
  { key: "synapseBits", label: "synapse bits" },
];

function coreBars(cores: readonly CoreCost[]): string {
  if (cores.length === 0) return `<p class="muted">No per-core figures in the report.</p>`;
  const ROW = 20, HEAD = 34, LABEL = 100, UCOL = 150, UBAR = 96, CCOL = 230, CBAR = 140;
  const width = LABEL + CORE_COLUMNS.length * UCOL + 2 * CCOL;
  const height = HEAD + cores.length * ROW + 6;
  const maxNs = Math.max(0, ...cores.map((c) => (isNum(c.nsPerStep) ? c.nsPerStep : 0)));
  const maxPj = Math.max(0, ...cores.map((c) => (isNum(c.pjPerStep) ? c.pjPerStep : 0)));
  let out = svgOpen(width, height, "per-core utilisation and cost");
  // Column headers, 100% limit lines.
  let limits = "";
  CORE_COLUMNS.forEach((col, j) => {
    const x = LABEL + j * UCOL;
    out += `<text class="axlabel" x="${x}" y="13">${esc(col.label)}</text><text class="muted" x="${x}" y="27">% of core limit</text>`;
    limits += `M${r1(x + UBAR)} ${HEAD - 4}V${height - 4}`;
  });
  const cx = LABEL + CORE_COLUMNS.length * UCOL;
  out += `<text class="axlabel" x="${cx}" y="13">time per step</text><text class="muted" x="${cx}" y="27">ns (bar: share of slowest core)</text>`;
  out += `<text class="axlabel" x="${cx + CCOL}" y="13">energy per step</text><text class="muted" x="${cx + CCOL}" y="27">pJ (bar: share of largest)</text>`;
  out += `<path class="limit" d="${limits}"/>`;
  const bars = { comp: "", over: "", ns: "", slow: "", pj: "" };
  let text = "";
  cores.forEach((c, i) => {
    const y = HEAD + i * ROW;
    const by = r1(y + 3), bh = r1(ROW - 6), ty = r1(y + ROW / 2 + 4);
    text += `<text x="0" y="${ty}">core ${esc(int(c.core))} <tspan class="muted">chip ${esc(int(c.chip))}</tspan></text>`;
    CORE_COLUMNS.forEach((col, j) => {
      const x = LABEL + j * UCOL;
      const u = c.utilisation?.[col.key];
      if (isNum(u)) {
        const w = Math.max(0, Math.min(1, u)) * UBAR;
        const seg = `M${r1(x)} ${by}h${r1(w)}v${bh}h${r1(-w)}z`;
        if (u > 1) bars.over += seg;
        else bars.comp += seg;
      }
      text += `<text x="${r1(x + UBAR + 4)}" y="${ty}"${isNum(u) && u > 1 ? ` class="bad"` : ""}>${pct(u)}</text>`;
    });
    const ns = c.nsPerStep, pj = c.pjPerStep;
    if (isNum(ns) && maxNs > 0) {
      const w = (Math.max(0, ns) / maxNs) * CBAR;
      const seg = `M${cx} ${by}h${r1(w)}v${bh}h${r1(-w)}z`;
      if (ns === maxNs) bars.slow += seg;
      else bars.ns += seg;
    }
    text += `<text x="${cx + CBAR + 4}" y="${ty}">${sig(ns, 4)}</text>`;
    if (isNum(pj) && maxPj > 0) {
      const w = (Math.max(0, pj) / maxPj) * CBAR;
      bars.pj += `M${cx + CCOL} ${by}h${r1(w)}v${bh}h${r1(-w)}z`;
    }
    text += `<text x="${cx + CCOL + CBAR + 4}" y="${ty}">${sig(pj, 4)}</text>`;
  });
  out +=
    `<path class="b-util" d="${bars.comp}"/>` +
    (bars.over ? `<path class="b-over" d="${bars.over}"/>` : "") +
    `<path class="b-ns" d="${bars.ns}"/>` +
    (bars.slow ? `<path class="b-slow" d="${bars.slow}"/>` : "") +
    `<path class="b-pj" d="${bars.pj}"/>` +
    text +
    `</svg>`;
  return `<figure class="wide">${out}</figure>`;
}

function coreTable(cores: readonly CoreCost[]): string {
  if (cores.length === 0) return "";
  const rows = cores
    .map(
      (c) =>
        `<tr><td class="num">${int(c.core)}</td><td class="num">${int(c.chip)}</td><td class="num">${int(c.compartments)}</td><td class="num">${int(c.inputAxons)}</td>` +
        `<td class="num">${int(c.outputAxons)}</td><td class="num">${int(c.synapseBits)}</td><td class="num">${int(c.synapticEvents)}</td><td class="num">${int(c.spikes)}</td>` +
        `<td class="num">${fix(c.nsPerStep, 1)}</td><td class="num">${fix(c.pjPerStep, 1)}</td></tr>`,
    )
    .join("");
  return (
    `<details><summary>Per-core figures as a table</summary><table class="cores"><thead><tr><th>core</th><th>chip</th><th>compartments</th><th>input axons</th><th>output axons</th>` +
    `<th>synapse bits</th><th>synaptic events</th><th>spikes</th><th>ns/step</th><th>pJ/step</th></tr></thead><tbody>${rows}</tbody></table></details>`
  );
}

function costSection(report: CompareReport): string {
  const cost = report.cost;
  if (!cost) return `<section><h2>Modelled chip cost</h2><p class="muted">The report has no cost figures.</p></section>`;
  const dt = report.dtSeconds;
  const rtf = cost.realTimeFactor;
  const rtfNote = isNum(rtf) ? (rtf <= 1 ? "faster than real time" : "slower than real time") : "";
  const powerRt = isNum(cost.energyPjMean) && isNum(dt) && dt > 0 ? si((cost.energyPjMean * 1e-12) / dt, "W") : "n/a";
  const ov = cost.overflows ?? { q: NaN, u: NaN, uBias: NaN };
  const ovCell = (label: string, n: unknown) => {
    const cls = isNum(n) ? (n > 0 ? "bad" : "good") : "muted";
    return `<div class="kv ${cls}"><span>${esc(label)}</span><b>${int(n)}</b></div>`;
  };
  const cores = cost.perCore ?? [];
  let slowest = "";
  if (cores.length > 0) {
    let best: CoreCost | undefined;
    for (const c of cores) if (isNum(c.nsPerStep) && (!best || c.nsPerStep > best.nsPerStep)) best = c;
    if (best) slowest = `<p class="note">Slowest core: core ${int(best.core)} (chip ${int(best.chip)}), ${sig(best.nsPerStep, 4)} ns/step, drawn darker.</p>`;
  }
  return (
    `<section><h2>Modelled chip cost</h2><div class="kvs">` +
    `<div class="kv"><span>mean time per step</span><b>${si(isNum(cost.stepNsMean) ? cost.stepNsMean * 1e-9 : cost.stepNsMean, "s")}</b></div>` +
    `<div class="kv"><span>max time per step</span><b>${si(isNum(cost.stepNsMax) ? cost.stepNsMax * 1e-9 : cost.stepNsMax, "s")}</b></div>` +
    `<div class="kv"><span>energy per step</span><b>${si(isNum(cost.energyPjMean) ? cost.energyPjMean * 1e-12 : cost.energyPjMean, "J")}</b></div>` +
    `<div class="kv"><span>real-time factor</span><b>${sig(rtf, 3)}×</b><small>${esc(rtfNote)}</small></div>` +
    `<div class="kv"><span>power at real time</span><b>${powerRt}</b><small>energy per step / dt</small></div>` +
    `<div class="kv"><span>synaptic events</span><b>${int(cost.synapticEvents)}</b></div>` +
    `</div><h3>Overflows</h3><div class="kvs">` +
    ovCell("q (input accumulator)", ov.q) +
    ovCell("u (current)", ov.u) +
    ovCell("u + bias", ov.uBias) +
    `</div><h3>Per core</h3>${slowest}${coreBars(cores)}${coreTable(cores)}</section>`
  );
}

// ---------------------------------------------------------------------------------------------
// Header and page

function header(report: CompareReport): string {
  const chip = report.chip ?? ({} as Partial<CompareReport["chip"]>);
  const dt = report.dtSeconds;
  const simTime = isNum(dt) && isNum(report.steps) ? si(dt * report.steps, "s") : "n/a";
  const cores = chip.cores, lb = chip.lowerBound;
  const coreNote = isNum(cores) && isNum(lb) && lb > 0 ? ` (${cores === lb ? "at the lower bound" : `${pct(cores / lb - 1, 0)} over`})` : "";
  const kv = (k: string, v: string, extra = "") => `<div class="kv"><span>${esc(k)}</span><b>${v}</b>${extra ? `<small>${extra}</small>` : ""}</div>`;
  let verdict = "";
  const check = report.check;
  if (check) {
    const passed = check.passed === true;
    verdict =
      `<p class="verdict ${passed ? "pass" : "fail"}"><b>${passed ? "PASS" : "FAIL"}</b> — worst NRMSE ${sig(check.worst)} ` +
      `${passed ? "≤" : "&gt;"} --max-nrmse ${sig(check.maxNrmse)}</p>`;
  }
  return (
    `<header><h1>lmuc compare: ${esc(report.network)}</h1>${verdict}<div class="kvs">` +
    kv("source", esc(report.source)) +
    kv("target", esc(report.target)) +
    kv("steps", int(report.steps), `dt = ${si(dt, "s")}`) +
    kv("simulated time", simTime) +
    kv("cores used / lower bound", `${int(cores)} / ${int(lb)}`, esc(coreNote.trim())) +
    kv("chips", int(chip.chips)) +
    kv("neurons on chip", int(chip.neuronsOnChip)) +
    `</div><p class="note">lmuc ${esc(report.lmuc)}${chip.build ? ` · build ${esc(chip.build)}` : ""} · ${esc(report.format)}</p></header>`
  );
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:16px 24px 40px;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#fff}
main{max-width:1300px;margin:0 auto}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;padding-top:8px;border-top:1px solid #d7dce3}h3{font-size:15px;margin:18px 0 4px}
.muted{color:#6b7380;font-weight:normal}.note{color:#4b5361;font-size:12.5px;margin:4px 0}
.kvs{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.kv{border:1px solid #d7dce3;border-radius:6px;padding:6px 10px;min-width:130px;background:#f8f9fb}
.kv span{display:block;font-size:12px;color:#5b6370}.kv b{font-size:16px;font-variant-numeric:tabular-nums}.kv small{display:block;font-size:11.5px;color:#5b6370}
.kv.bad{background:#fde8e8;border-color:#e5a0a0}.kv.bad b{color:#b3261e}.kv.good b{color:#1e7b34}
.verdict{font-size:16px;padding:8px 12px;border-radius:6px;margin:6px 0 10px}
.verdict.pass{background:#e4f4e8;color:#1e6b30;border:1px solid #a6d6b2}.verdict.fail{background:#fde8e8;color:#a11d16;border:1px solid #e5a0a0}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d7dce3;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f1f3f6;font-weight:600}
td.num{text-align:right}td.over,span.over{color:#b3261e;font-weight:600}td.over{background:#fde8e8}
a{color:#1f5fa8}
.metrics{margin:2px 0 4px;font-size:13px}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12.5px;margin:4px 0}.lg{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:12px;height:10px;border-radius:2px}.r-float-sw{background:#1f77b4}.r-emu-sw{background:#e6550d}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:6px 16px}
figure{margin:0}figure svg{max-width:100%;height:auto;display:block}figure.wide{overflow-x:auto}
svg text{font-size:11px;fill:#333}svg text.axlabel{font-size:11.5px;fill:#1d2430;font-weight:600}svg text.ptitle{font-size:12px;font-weight:600;fill:#1d2430}
svg text.muted{fill:#6b7380;font-weight:normal}svg text.bad{fill:#b3261e;font-weight:600}svg text.nodata{fill:#8a919c;font-style:italic}
.frame{fill:none;stroke:#9aa2ad;stroke-width:1}path.gl{fill:none;stroke:#e6e9ee;stroke-width:1}
path.sep{fill:none;stroke:#d5d9e0}path.limit{fill:none;stroke:#9aa2ad;stroke-dasharray:2 2}
.s-float,.s-emu,.s-ideal{fill:none;stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}
.s-float{stroke:#1f77b4}.s-emu{stroke:#e6550d}.s-ideal{stroke:#222;stroke-dasharray:5 3;stroke-width:1.3}
.r-float{stroke:#1f77b4;stroke-width:1.2;fill:none}.r-emu{stroke:#e6550d;stroke-width:1.2;fill:none}
.b-util{fill:#7aa6d6}.b-over{fill:#d9534f}.b-ns{fill:#9c8ac9}.b-slow{fill:#5b3f9e}.b-pj{fill:#6fbf8e}
details{margin-top:8px}summary{cursor:pointer;font-size:13px;color:#1f5fa8}
`.trim();

/** Renders report.json of `lmuc compare` as one self-contained, deterministic HTML page. */
export function renderReportHtml(report: CompareReport): string {
  const probes = report.probes ?? [];
  const spikes = report.spikes ?? [];
  const title = `lmuc compare: ${report.network}`;
  const body =
    header(report) +
    `<section><h2>Accuracy summary</h2>${summaryTable(report)}` +
    `<p class="note">NRMSE = ‖y − y*‖ / ‖y*‖ over all steps and dimensions. “emulator / float” is the emulator’s NRMSE against the ideal divided by the float simulator’s: ` +
    `1× means the chip adds no error beyond the network’s own.</p></section>` +
    learningPanelHtml(report.learning) +
    `<section><h2>Traces</h2>${probes.length ? probes.map((p, i) => probeSection(p, i)).join("") : `<p class="muted">No probes.</p>`}</section>` +
    `<section><h2>Spike rasters</h2>${spikes.length ? spikes.map((s) => rasterSection(s, report)).join("") : `<p class="muted">No spike data in the report.</p>`}</section>` +
    costSection(report);
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head>\n<body><main>${body}</main></body></html>\n`
  );
}
