/**
 * The evaluation page's figures beyond the confusion matrices: accuracy against K (table and
 * plot), the conversion choices with their source, and per-step logit traces of a few sequences
 * in each mode (small multiples on one y scale). Inline SVG with the compare report's axes.
 */
import { axes, finiteRange, seriesPath, svgOpen, ticks, type Frame } from "../compare/panels/axes.js";
import { esc, r1 } from "../compare/panels/format.js";
import { legendItem, panel } from "../compare/panels/panel.js";
import { choiceValueText, type ConversionChoice } from "./conversion.js";
import { argmax } from "./summary.js";
import { presentationRows, type EvalMode, type EvaluationDoc, type LogitTrace } from "./evaluate.js";

/** Extra styles of these figures (series per mode, the label class drawn thick). */
export const PLOT_CSS = `
.m-float{fill:none;stroke:#1f77b4;stroke-width:1.6}.m-spiking{fill:none;stroke:#2a9d4b;stroke-width:1.6}.m-chip{fill:none;stroke:#e6550d;stroke-width:1.6}
.m-agree{stroke-dasharray:4 3}.dot-float{fill:#1f77b4}.dot-spiking{fill:#2a9d4b}.dot-chip{fill:#e6550d}
.other{fill:none;stroke:#b8bec8;stroke-width:0.8}.label-float,.label-spiking,.label-chip{fill:none;stroke-width:2}
.label-float{stroke:#1f77b4}.label-spiking{stroke:#2a9d4b}.label-chip{stroke:#e6550d}
table.choices td,table.choices th{padding:2px 10px 2px 0;text-align:left}`;

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

/** Table and plot of accuracy (and agreement) against K, one series per spiking mode. */
export function sweepSection(doc: EvaluationDoc): string {
  const rows = presentationRows(doc);
  if (!doc.presentation_sweep || rows.length < 2) return "";
  const modes = [...new Set(rows.flatMap((r) => r.cells.map((c) => c.mode)))];
  const head = `<tr><th>K</th>${modes.map((m) => `<th>${esc(m)} accuracy</th><th>agreement</th><th>logit NRMSE</th>`).join("")}</tr>`;
  const body = rows
    .map((r) => {
      const cells = modes.map((m) => {
        const c = r.cells.find((x) => x.mode === m)?.result;
        return c ? `<td class="num">${pct(c.accuracy)} <span class="muted">(${c.correct}/${c.total})</span></td><td class="num">${pct(c.spiking!.agreement)}</td><td class="num">${c.spiking!.logit_nrmse.toFixed(3)}</td>` : `<td></td><td></td><td></td>`;
      });
      return `<tr><td class="num">${r.K}</td>${cells.join("")}</tr>`;
    })
    .join("");
  const f: Frame = { width: 560, height: 260, left: 52, right: 14, top: 22, bottom: 34 };
  const Ks = rows.map((r) => r.K);
  const byK = [...rows].sort((a, b) => a.K - b.K);
  // K is a whole number: no more ticks than whole steps between the ends.
  const xt = ticks(Math.min(...Ks), Math.max(...Ks), Math.max(1, Math.min(6, Math.max(...Ks) - Math.min(...Ks))), false);
  const yt = ticks(0, 100, 5, false);
  const ax = axes(f, xt, yt, "presentation steps K (simulator steps per sequence step)", "%");
  let paths = "";
  for (const m of modes) {
    const xs = byK.map((r) => r.K);
    const acc = byK.map((r) => (r.cells.find((c) => c.mode === m)?.result.accuracy ?? NaN) * 100);
    const agr = byK.map((r) => (r.cells.find((c) => c.mode === m)?.result.spiking?.agreement ?? NaN) * 100);
    paths += `<path class="m-${m}" d="${seriesPath(xs, acc, ax.sx, ax.sy)}"/><path class="m-${m} m-agree" d="${seriesPath(xs, agr, ax.sx, ax.sy)}"/>`;
    paths += xs.map((x, i) => (Number.isFinite(acc[i]) ? `<circle class="dot-${m}" cx="${r1(ax.sx(x))}" cy="${r1(ax.sy(acc[i]))}" r="3"/>` : "")).join("");
  }
  const floatAcc = doc.modes.float?.accuracy;
  if (floatAcc !== undefined) paths += `<path class="m-float" d="M${r1(ax.box.x0)} ${r1(ax.sy(floatAcc * 100))}H${r1(ax.box.x1)}"/>`;
  const legend = `<div class="legend">${floatAcc !== undefined ? legendItem("m-float", `float ${pct(floatAcc)}`) : ""}${modes.map((m) => legendItem(`m-${m}`, `${m} accuracy`) + legendItem(`m-${m} m-agree`, `${m} agreement with float`)).join("")}</div>`;
  const plot = svgOpen(f.width, f.height, "accuracy against presentation steps") + ax.svg + paths + `</svg>`;
  return `<section><h2>Accuracy against presentation steps K</h2>${panel(
    { title: "accuracy and agreement with float per K", units: "K in simulator steps; accuracy and agreement in % of the sequences", howToRead: "the smallest K whose accuracy reaches float's is the cheapest presentation time; agreement near 100 % means the spiking network predicts as float does" },
    `<table><thead>${head}</thead><tbody>${body}</tbody></table>${legend}<figure class="wide">${plot}</figure>`,
  )}</section>`;
}

/** Every conversion choice, its value and where it came from (default, the file at line:column, a flag, the mode). */
export function choicesTable(choices: readonly ConversionChoice[]): string {
  const rows = choices.map((c) => `<tr><td><code>${esc(c.key)}</code></td><td>${esc(choiceValueText(c.value))}</td><td>${esc(c.source)}${c.line !== undefined ? ` <span class="muted">line ${c.line}, column ${c.column}</span>` : ""}</td></tr>`);
  return `<details><summary>conversion choices (${choices.filter((c) => c.source !== "default").length} not default)</summary><table class="choices"><tr><th>choice</th><th>value</th><th>from</th></tr>${rows.join("")}</table></details>`;
}

/** One sequence: a plot per mode, every class thin and grey, the label's class thick; one y scale. */
function traceRow(t: LogitTrace, modes: readonly EvalMode[], steps: number): string {
  const f: Frame = { width: 330, height: 200, left: 44, right: 10, top: 22, bottom: 32 };
  const all = modes.flatMap((m) => (t.modes[m] ?? []).flat());
  const [lo, hi] = finiteRange([all]);
  const yt = ticks(lo, hi, 5, true);
  const xt = ticks(1, steps, 5, false);
  const xs = Array.from({ length: steps }, (_, i) => i + 1);
  const plots = modes.map((m) => {
    const rows = t.modes[m] ?? [];
    const classes = rows[0]?.length ?? 0;
    const ax = axes(f, xt, yt, "sequence step", "logit");
    let paths = "";
    for (let k = 0; k < classes; k++) if (k !== t.label) paths += `<path class="other" d="${seriesPath(xs, rows.map((r) => r[k]), ax.sx, ax.sy)}"/>`;
    paths += `<path class="label-${m}" d="${seriesPath(xs, rows.map((r) => r[t.label]), ax.sx, ax.sy)}"/>`;
    const final = rows.length > 0 ? argmax(rows[rows.length - 1]) : -1;
    const title = `${m}: predicts ${final}${final === t.label ? " ✓" : " ✗"}`;
    return svgOpen(f.width, f.height, `${m} logits of sequence ${t.sequence}`) + ax.svg + paths + `<text class="ptitle" x="${f.left}" y="14">${esc(title)}</text></svg>`;
  });
  return `<h3>sequence ${t.sequence} <span class="muted">(label ${t.label})</span></h3><div class="kvs">${plots.join("")}</div>`;
}

/** Logit traces of the traced sequences, float vs spiking vs chip. */
export function tracesSection(doc: EvaluationDoc): string {
  const traces = doc.traces ?? [];
  if (traces.length === 0) return "";
  const modes = (["float", "spiking", "chip"] as const).filter((m) => traces[0].modes[m]);
  return `<section><h2>Logit traces</h2>${panel(
    { title: "logits after each sequence step", units: "logits (the readout's units) against sequence step", howToRead: "the label's class is drawn thick, the other classes grey; the spiking modes should follow float's curves, and the class on top at the last step is the prediction" },
    traces.map((t) => traceRow(t, modes, doc.steps)).join(""),
  )}</section>`;
}
