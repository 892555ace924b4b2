/** SVG plotting helpers for report.html: nice ticks, framed axes, polyline paths with gaps. */
import { esc, isNum, noNegZero, r1 } from "./format.js";

export interface Ticks {
  readonly lo: number;
  readonly hi: number;
  readonly values: readonly number[];
  readonly decimals: number;
}

export function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/**
 * Ticks for [lo, hi]. With `extend`, the domain grows outwards to whole tick steps (value axes);
 * otherwise it stays as given (time axes). Degenerate or non-finite ranges get a default domain.
 */
export function ticks(lo: number, hi: number, target: number, extend: boolean): Ticks {
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

export function tickLabel(v: number, t: Ticks): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || t.decimals > 6)) return v.toExponential(1);
  return noNegZero(v.toFixed(Math.min(t.decimals, 6)));
}

export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export function plotBox(f: Frame) {
  return { x0: f.left, x1: f.width - f.right, y0: f.top, y1: f.height - f.bottom };
}

/** Frame, grid, tick marks and labels, axis titles; returns the SVG and the scales. */
export function axes(f: Frame, xt: Ticks, yt: Ticks | null, xLabel: string, yLabel: string) {
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

export function svgOpen(width: number, height: number, label: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">`;
}

export interface Series {
  readonly cls: string;
  readonly ys: readonly unknown[] | undefined;
}

/**
 * One path per series; non-finite samples break the line. After each "M x y" the path continues
 * with relative "l dx dy" steps computed from the rounded absolute positions (in tenths of a
 * pixel), which keeps long traces about a quarter smaller without any drift.
 */
export function seriesPath(t: readonly number[], ys: readonly unknown[], sx: (x: number) => number, sy: (y: number) => number): string {
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

export function finiteRange(arrays: readonly (readonly unknown[] | undefined)[]): [number, number] {
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
