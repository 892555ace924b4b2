/**
 * The evaluation page: one self-contained, deterministic HTML file in the style of compare's
 * report (same palette and layout): accuracy per mode, confusion matrix as a heat map, per-class
 * recall, and the misclassified sequences with their logits.
 */
import { escapeHtml as esc } from "../compare/html.js";
import { CSS as COMPARE_CSS } from "../compare/panels/css.js";
import { panel } from "../compare/panels/panel.js";
import type { EvalMode, EvaluationDoc, ModeResult } from "./evaluate.js";
import { choicesTable, PLOT_CSS, sweepSection, tracesSection } from "./html-plots.js";

// The compare report's stylesheet, so both pages look alike, plus the confusion matrix.
const CSS = `${COMPARE_CSS.trim()}
table.cm td{text-align:right;min-width:38px}
details{margin-top:8px}summary{cursor:pointer;font-size:13px;color:#1f5fa8}${PLOT_CSS}`;

const CONFUSION_UNITS = "rows: true class, columns: predicted class; cells count sequences, recall in % of the row";

const pct = (x: number | null): string => (x === null ? "-" : `${(100 * x).toFixed(2)} %`);

function kv(label: string, value: string, extra = "", cls = ""): string {
  return `<div class="kv${cls ? ` ${cls}` : ""}"><span>${esc(label)}</span><b>${value}</b>${extra ? `<small>${extra}</small>` : ""}</div>`;
}

/** Diagonal cells green, off-diagonal red, opacity by share of the row. */
function confusionTable(m: ModeResult): string {
  const n = m.confusion.length;
  const head = `<tr><th>label \\ predicted</th>${Array.from({ length: n }, (_, j) => `<th>${j}</th>`).join("")}<th>recall</th></tr>`;
  const rows = m.confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v, j) => {
      const share = total > 0 ? v / total : 0;
      const colour = i === j ? `rgba(30,123,52,${(0.1 + 0.5 * share).toFixed(3)})` : `rgba(179,38,30,${v > 0 ? (0.12 + 0.6 * share).toFixed(3) : "0"})`;
      return `<td style="background:${colour}">${v}</td>`;
    });
    return `<tr><th>${i}</th>${cells.join("")}<td class="num">${pct(m.per_class[i].recall)}</td></tr>`;
  });
  return `<table class="cm">${head}${rows.join("")}</table>`;
}

function mistakes(doc: EvaluationDoc, m: ModeResult, labels: ArrayLike<number> | undefined): string {
  if (!labels) return `<p class="muted">Give the labels to list the misclassified sequences.</p>`;
  const first = doc.shard?.first ?? 0;
  const wrong: string[] = [];
  m.predictions.forEach((p, i) => {
    const label = labels[first + i];
    if (p !== label) wrong.push(`<tr><td class="num">${first + i}</td><td class="num">${label}</td><td class="num over">${p}</td><td>${m.logits[i].map((v) => v.toFixed(3)).join(" ")}</td></tr>`);
  });
  if (wrong.length === 0) return `<p class="muted">No misclassified sequences.</p>`;
  return `<details><summary>${wrong.length} misclassified sequence${wrong.length === 1 ? "" : "s"}</summary><table><tr><th>sequence</th><th>label</th><th>predicted</th><th>logits</th></tr>${wrong.join("")}</table></details>`;
}

/** What a spiking mode costs and how close it stays to float. */
function spikingKvs(m: ModeResult): string {
  const sp = m.spiking;
  if (!sp) return "";
  return (
    `<div class="kvs">` +
    kv("presentation steps K", String(sp.presentation_steps)) +
    kv("agreement with float", pct(sp.agreement)) +
    kv("logit NRMSE vs float", sp.logit_nrmse.toFixed(3)) +
    kv("spikes / sequence", Math.round(sp.spikes_per_sequence).toLocaleString("en-US")) +
    (sp.synaptic_events_per_sequence > 0 ? kv("synaptic events / sequence", Math.round(sp.synaptic_events_per_sequence).toLocaleString("en-US")) : "") +
    (sp.chip_seconds_per_sequence > 0 ? kv("chip time / sequence", `${(sp.chip_seconds_per_sequence * 1e3).toFixed(3)} ms`, "modelled") + kv("chip energy / sequence", `${(sp.chip_joules_per_sequence * 1e6).toFixed(2)} µJ`, "modelled") : "") +
    (sp.cores !== undefined ? kv("cores", String(sp.cores), `lower bound ${sp.cores_lower_bound}`) : "") +
    `</div>` +
    (sp.conversion ? choicesTable(sp.conversion) : "")
  );
}

/** Every mode's confusion matrix in one row, to compare at a glance. */
function sideBySide(modes: readonly [EvalMode, ModeResult][]): string {
  if (modes.length < 2) return "";
  return `<section><h2>Confusion matrices side by side</h2>${panel(
    { title: "confusion matrix per mode", units: CONFUSION_UNITS, howToRead: "counts belong on the green diagonal; a red cell that appears or grows from float to spiking to chip is a confusion the conversion or the chip adds" },
    `<div class="kvs">${modes.map(([k, m]) => `<div><h3>${esc(k)} ${pct(m.accuracy)}</h3>${confusionTable(m)}</div>`).join("")}</div>`,
  )}</section>`;
}

function modeSection(doc: EvaluationDoc, mode: EvalMode, m: ModeResult, labels: ArrayLike<number> | undefined): string {
  return (
    `<section><h2>${esc(mode)}: ${pct(m.accuracy)} <span class="muted">(${m.correct}/${m.total})</span></h2>` +
    (m.spiking
      ? panel(
          { title: "cost and fidelity", units: "agreement in % of sequences; NRMSE of the final logits against float; counts per sequence; chip time and energy modelled (Loihi 1 figures)", howToRead: "agreement near 100 % and a small NRMSE mean the spiking network decides as float does; the conversion choices below say what bought it" },
          spikingKvs(m),
        )
      : "") +
    panel({ title: "confusion matrix", units: CONFUSION_UNITS, howToRead: "counts belong on the green diagonal; the red cells are the mistakes, the recall column the share of each class recognised" }, confusionTable(m)) +
    panel({ title: "misclassified sequences", units: "sequence index in the dataset, true and predicted class, the final logits", howToRead: "logits close together mark near ties (a small change flips them); a large margin for the wrong class is a real error" }, mistakes(doc, m, labels)) +
    `</section>`
  );
}

/** `labels` (the whole dataset's) lets the page list the misclassified sequences. */
export function renderEvaluationHtml(doc: EvaluationDoc, labels?: ArrayLike<number>): string {
  const modes = Object.entries(doc.modes) as [EvalMode, ModeResult][];
  const title = `lmuc evaluate: ${doc.network}`;
  const header =
    `<header><h1>${esc(title)}</h1><div class="kvs">` +
    modes.map(([k, m]) => kv(`${k} accuracy`, pct(m.accuracy), `${m.correct}/${m.total}`, "good")).join("") +
    kv("sequences", String(doc.shard ? doc.shard.end - doc.shard.first : doc.sequences), doc.shard ? `shard ${doc.shard.index}/${doc.shard.count} of ${doc.sequences}` : "") +
    kv("steps per sequence", String(doc.steps)) +
    kv("classes", String(doc.classes)) +
    `</div><p class="note">lmuc ${esc(doc.lmuc)} · ${esc(doc.format)} · network ${esc(doc.network_sha256.slice(0, 12))} · inputs ${esc(doc.inputs_sha256.slice(0, 12))}</p></header>`;
  const body = header + sideBySide(modes) + sweepSection(doc) + tracesSection(doc) + modes.map(([k, m]) => modeSection(doc, k, m, labels)).join("");
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head>\n<body><main>${body}</main></body></html>\n`
  );
}
