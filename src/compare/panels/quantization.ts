/** What quantization costs: weight error per connection, and each block's accumulator headroom. */
import type { CompareReport } from "../report-types.js";
import { esc, fix, int, isNum, pct } from "./format.js";
import { panel } from "./panel.js";

/** Rows shown before the rest go into a collapsed "all N" table (a 256-dimension LMU has hundreds). */
const SHOWN_ROWS = 12;

/** The first SHOWN_ROWS rows in a table, all of them (worst first) behind a disclosure when there are more. */
function limitedTable(head: string, rows: readonly string[], what: string): string {
  const table = (r: readonly string[]) => `<table><thead>${head}</thead><tbody>${r.join("")}</tbody></table>`;
  if (rows.length <= SHOWN_ROWS) return table(rows);
  return `<p class="note">The ${SHOWN_ROWS} worst of ${int(rows.length)} ${what}:</p>${table(rows.slice(0, SHOWN_ROWS))}<details><summary>All ${int(rows.length)} ${what}</summary>${table(rows)}</details>`;
}

const num = (x: unknown): number => (isNum(x) ? x : -Infinity);

function connectionTable(report: CompareReport): string {
  const conns = [...(report.quantization?.connections ?? [])].sort((a, b) => num(b.lostMagnitude) - num(a.lostMagnitude) || num(b.maxRelError) - num(a.maxRelError));
  if (conns.length === 0) return `<p class="muted">No chip connections in the report.</p>`;
  const rows = conns
    .map((c) => {
      const lost = isNum(c.lostMagnitude) ? c.lostMagnitude : NaN;
      return (
        `<tr><td>${esc((c.connections ?? []).join(", "))}</td><td>${esc(c.pre)} → ${esc(c.post)}</td><td class="num">${int(c.weightExp)}</td><td class="num">${int(c.mantissaBitsUsed)}</td>` +
        `<td class="num">${pct(c.maxRelError, 2)}</td><td class="num">${pct(c.rmsRelError, 2)}</td><td class="num">${int(c.roundedToZero)} / ${int(c.weights)}</td>` +
        `<td class="num${lost > 0.01 ? " over" : ""}">${pct(lost, 2)}</td></tr>`
      );
    });
  const head = `<tr><th>connection</th><th>from → to</th><th>weight exponent</th><th>mantissa bits</th><th>max weight error</th><th>RMS weight error</th><th>rounded to zero</th><th>weight lost</th></tr>`;
  return limitedTable(head, rows, "connections (most weight lost first)");
}

function headroomTable(report: CompareReport): string {
  // Least typical headroom first (unbounded last).
  const blocks = [...(report.quantization?.headroom ?? [])].sort((a, b) => (isNum(a.typical) ? a.typical : Infinity) - (isNum(b.typical) ? b.typical : Infinity) || (isNum(a.worstCase) ? a.worstCase : Infinity) - (isNum(b.worstCase) ? b.worstCase : Infinity));
  if (blocks.length === 0) return "";
  const q = report.cost?.overflows?.q;
  const rows = blocks
    .map((b) => {
      const worst = b.worstCase, typical = b.typical;
      const verdict = !isNum(worst)
        ? "no input: cannot wrap"
        : worst >= 1
          ? "cannot wrap, even if every input spiked at once"
          : isNum(typical) && typical >= 2
            ? `could wrap only if over ${fix(100 * worst, 0)}% of the input's weight arrived in one step; at the calibrated rates ${fix(typical, 1)}× headroom`
            : "little headroom at the calibrated rates: watch the q overflow count";
      const cls = isNum(worst) && worst < 1 && !(isNum(typical) && typical >= 2) ? " over" : "";
      return `<tr><td>${esc(b.block)}</td><td class="num">${isNum(worst) ? `${fix(worst, 2)}×` : "unbounded"}</td><td class="num">${isNum(typical) ? `${fix(typical, 1)}×` : "unbounded"}</td><td class="${cls.trim()}">${esc(verdict)}</td></tr>`;
    });
  const runNote = isNum(q) ? (q > 0 ? `In this run q wrapped ${int(q)} times.` : "In this run q never wrapped.") : "";
  return (
    `<p class="note">Accumulator headroom = 2²¹ / the largest input one step can bring to a compartment (q, 21 bits). Worst case: every input axon spikes in the same step; ` +
    `typical: inputs spike at the calibrated rates. Below 1× worst case is normal for large fan-in and harmless while the typical headroom is large. ${esc(runNote)}</p>` +
    limitedTable(`<tr><th>block</th><th>worst case</th><th>typical</th><th>what it means</th></tr>`, rows, "blocks (least headroom first)")
  );
}

export function quantizationSection(report: CompareReport): string {
  if (!report.quantization) return "";
  return (
    `<section><h2>Quantization</h2>` +
    panel({ title: "Weight loss per connection", units: "errors relative to the connection's largest weight; lost = share of total |weight| rounded to zero", howToRead: "a few % max error is normal for 8-bit weights; red marks a connection losing over 1% of its weight (LMU3002)" }, connectionTable(report)) +
    panel({ title: "Accumulator headroom per block", units: "× (how many times the input fits in the 21-bit accumulator)", howToRead: "typical headroom well above 1× means q does not wrap in practice; the run's overflow count confirms it" }, headroomTable(report)) +
    `</section>`
  );
}
