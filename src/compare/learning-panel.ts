/**
 * The learning curve of `lmuc compare`: for each learned connection whose error is `post −
 * target` with both probed (sim/learning-curve.ts finds them), the NRMSE of the post against the
 * target in consecutive windows over the run, float simulator vs chip emulator, and over the part
 * where learning is off: untrained (the same network with nothing learned, float) vs float vs
 * chip. Computed here for report.json, drawn by `learningPanelHtml` as one SVG plot and a table
 * (self-contained, deterministic: fixed precision, no scripts).
 */
import { panel } from "./panels/panel.js";
import type { NetworkIR } from "../ir/network.js";
import { learningPairs, type LearningPair } from "../sim/learning-curve.js";
import type { ProbeResult } from "../sim/simulator.js";

export interface LearningComparison {
  readonly connection: string;
  readonly text: string;
  readonly learningRate: number;
  readonly outputProbe: string;
  readonly targetProbe: string;
  readonly offSeconds?: number;
  readonly windowSeconds: number;
  /** Window k covers [k·windowSeconds, (k + 1)·windowSeconds); NaN where the target is all 0. */
  readonly float: readonly number[];
  readonly chip: readonly number[];
  /** Where learning is off (from the error gate to the end; the last 20 % when nothing gates it in the run). */
  readonly afterFromSeconds: number;
  /** Whether the error gate is closed over that part (false: learning was still on). */
  readonly learningOff: boolean;
  readonly untrained: number;
  readonly floatTrained: number;
  readonly chipTrained: number;
}

/** Windows per curve: fine enough to see learning, few enough for a small report. */
const WINDOWS = 50;

function nrmseRows(y: Float64Array, ref: Float64Array, d: number, from: number, to: number): number {
  let num = 0, den = 0;
  for (let k = from * d; k < to * d; k++) {
    num += (y[k] - ref[k]) ** 2;
    den += ref[k] ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : NaN;
}

function curveOf(pair: LearningPair, runs: { float: readonly ProbeResult[]; chip: readonly ProbeResult[]; untrained: readonly ProbeResult[] }, dt: number): LearningComparison | undefined {
  const get = (ps: readonly ProbeResult[], id: string) => ps.find((p) => p.id === id);
  const target = get(runs.float, pair.targetProbe), fOut = get(runs.float, pair.outputProbe), cOut = get(runs.chip, pair.outputProbe), uOut = get(runs.untrained, pair.outputProbe);
  if (!target || !fOut || !cOut || !uOut || target.rows === 0) return undefined;
  const rows = target.rows, d = target.size;
  if ([fOut, cOut, uOut].some((p) => p.rows !== rows || p.size !== d)) return undefined;
  const windowRows = Math.max(1, Math.ceil(rows / WINDOWS));
  const float: number[] = [], chip: number[] = [];
  for (let r = 0; r < rows; r += windowRows) {
    const end = Math.min(rows, r + windowRows);
    float.push(nrmseRows(fOut.data, target.data, d, r, end));
    chip.push(nrmseRows(cOut.data, target.data, d, r, end));
  }
  // Row k is step k + 1 (t = (k + 1)·dt); the gate is off from t ≥ until.
  const offRow = pair.offSeconds !== undefined ? Math.max(0, Math.ceil(pair.offSeconds / dt - 1e-9) - 1) : rows;
  const after = offRow < rows ? offRow : Math.floor(0.8 * rows);
  return {
    connection: pair.connectionId, text: pair.text, learningRate: pair.learningRate, outputProbe: pair.outputProbe, targetProbe: pair.targetProbe,
    ...(pair.offSeconds !== undefined ? { offSeconds: pair.offSeconds } : {}), windowSeconds: windowRows * dt, float, chip, afterFromSeconds: after * dt, learningOff: offRow < rows,
    untrained: nrmseRows(uOut.data, target.data, d, after, rows), floatTrained: nrmseRows(fOut.data, target.data, d, after, rows), chipTrained: nrmseRows(cOut.data, target.data, d, after, rows),
  };
}

/** The learning curves of `network` from the three runs' probes (none when nothing learns or is probed). */
export function learningComparison(network: NetworkIR, runs: { float: readonly ProbeResult[]; chip: readonly ProbeResult[]; untrained: readonly ProbeResult[] }): LearningComparison[] {
  return learningPairs(network).flatMap((p) => curveOf(p, runs, network.dtSeconds) ?? []);
}

// ---------------------------------------------------------------------------------------------
// HTML

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fx = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const r1 = (x: number): string => (Math.round(x * 10) / 10).toFixed(1);

const W = 620, H = 220, LEFT = 52, RIGHT = 12, TOP = 22, BOTTOM = 34;
const COLOURS = { float: "#1f5fa8", chip: "#c0392b" };

function path(ys: readonly number[], sx: (k: number) => number, sy: (y: number) => number): string {
  let d = "", pen = false;
  ys.forEach((y, k) => {
    if (!Number.isFinite(y)) return void (pen = false);
    d += `${pen ? "L" : "M"}${r1(sx(k))} ${r1(sy(y))}`;
    pen = true;
  });
  return d;
}

function curvePlot(c: LearningComparison): string {
  const n = Math.max(c.float.length, c.chip.length);
  const total = n * c.windowSeconds;
  const finite = [...c.float, ...c.chip].filter(Number.isFinite);
  // Four grid steps of a round size (1, 2, 2.5 or 5 × 10^k), so the tick labels are round numbers.
  const raw = (Math.max(1, ...finite) * 1.05) / 4, mag = 10 ** Math.floor(Math.log10(raw));
  const yMax = 4 * mag * ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10);
  const sx = (k: number): number => LEFT + ((k + 0.5) * c.windowSeconds * (W - LEFT - RIGHT)) / total;
  const st = (t: number): number => LEFT + (t * (W - LEFT - RIGHT)) / total;
  const sy = (y: number): number => TOP + (1 - y / yMax) * (H - TOP - BOTTOM);
  const grid: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const y = (yMax * k) / 4;
    grid.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${r1(sy(y))}" y2="${r1(sy(y))}" stroke="#ddd"/><text x="${LEFT - 4}" y="${r1(sy(y) + 4)}" text-anchor="end" font-size="10">${Number(y.toPrecision(3))}</text>`);
  }
  for (let k = 0; k <= 5; k++) {
    const t = (total * k) / 5;
    grid.push(`<text x="${r1(st(t))}" y="${H - BOTTOM + 14}" text-anchor="middle" font-size="10">${Number(t.toPrecision(3))}</text>`);
  }
  const off = c.offSeconds !== undefined && c.offSeconds < total ? `<line x1="${r1(st(c.offSeconds))}" x2="${r1(st(c.offSeconds))}" y1="${TOP}" y2="${H - BOTTOM}" stroke="#888" stroke-dasharray="4 3"/><text x="${r1(st(c.offSeconds) + 4)}" y="${TOP + 10}" font-size="10">learning off</text>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`learning curve of ${c.text}`)}">` +
    grid.join("") + off +
    `<path d="${path(c.float, sx, sy)}" fill="none" stroke="${COLOURS.float}" stroke-width="1.5"/>` +
    `<path d="${path(c.chip, sx, sy)}" fill="none" stroke="${COLOURS.chip}" stroke-width="1.5"/>` +
    `<text x="${LEFT}" y="14" font-size="12">NRMSE of '${esc(c.outputProbe)}' vs '${esc(c.targetProbe)}' per ${Number(c.windowSeconds.toPrecision(3))} s</text>` +
    `<text x="${(W + LEFT) / 2}" y="${H - 4}" text-anchor="middle" font-size="10">time (s)</text></svg>`
  );
}

/** The learning section of report.html ("" when the report has no learning curves). */
export function learningPanelHtml(learning: readonly LearningComparison[] | undefined): string {
  if (!learning || learning.length === 0) return "";
  const parts = learning.map((c) => {
    const ratio = c.floatTrained > 0 ? c.chipTrained / c.floatTrained : NaN;
    const legend = `<p><span style="color:${COLOURS.float}">━ float simulator</span> &nbsp; <span style="color:${COLOURS.chip}">━ chip emulator</span></p>`;
    const table =
      `<table><thead><tr><th>${esc(c.afterFromSeconds)} s – end${c.learningOff ? ", learning off" : " (learning still on)"}</th><th>NRMSE</th></tr></thead><tbody>` +
      `<tr><td>untrained (nothing learned, float)</td><td>${fx(c.untrained)}</td></tr>` +
      `<tr><td>float simulator</td><td>${fx(c.floatTrained)}</td></tr>` +
      `<tr><td>chip emulator</td><td>${fx(c.chipTrained)} (${fx(ratio, 2)}× float)</td></tr></tbody></table>`;
    return panel(
      { title: c.text, units: `NRMSE (dimensionless) of each ${Number(c.windowSeconds.toPrecision(3))} s window; time in s`, howToRead: "both curves should fall as the connection learns and the chip (red) follow float (blue); the table compares the end of the run with the network that learned nothing" },
      `${legend}${curvePlot(c)}${table}`,
      { titleHtml: `${esc(c.text)} <span class="muted">(PES, rate ${esc(c.learningRate)})</span>` },
    );
  });
  return `<section><h2>Learning</h2>${parts.join("")}</section>`;
}

/** Lines for the terminal (lmuc compare). */
export function learningPanelText(learning: readonly LearningComparison[] | undefined): string {
  return (learning ?? [])
    .map((c) => `  learning ${c.text}: NRMSE from ${Number(c.afterFromSeconds.toPrecision(4))} s${c.learningOff ? " (learning off)" : " (learning still on)"}: untrained ${fx(c.untrained)}, float ${fx(c.floatTrained)}, chip ${fx(c.chipTrained)} (${fx(c.chipTrained / c.floatTrained, 2)}× float)\n`)
    .join("");
}
