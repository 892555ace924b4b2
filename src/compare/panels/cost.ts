/**
 * Modelled chip cost: time and energy per step and the real-time comparison, overflows, per-core
 * utilisation and cost, and the cost by cause per core (synaptic operations, compartment
 * updates, spike messages and mesh hops, learning; the barrier and static power beside them).
 */
import type { CompareReport, CoreCost } from "../report-types.js";
import { svgOpen } from "./axes.js";
import { esc, fix, int, isNum, pct, r1, si, sig } from "./format.js";
import { panel } from "./panel.js";

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

/** "15× faster than real time (66.6 µs per 1 ms step)", or slower. */
export function realTimeText(stepNs: unknown, dt: unknown): string {
  if (!isNum(stepNs) || !isNum(dt) || dt <= 0 || stepNs <= 0) return "n/a";
  const rtf = (stepNs * 1e-9) / dt;
  const per = `${si(stepNs * 1e-9, "s")} per ${si(dt, "s")} step`;
  return rtf <= 1 ? `${sig(1 / rtf)}× faster than real time (${per})` : `${sig(rtf)}× slower than real time (${per})`;
}

const CAUSES: readonly { key: "synaptic" | "compartments" | "messages" | "learning"; label: string; cls: string }[] = [
  { key: "synaptic", label: "synaptic operations", cls: "c-syn" },
  { key: "compartments", label: "compartment updates", cls: "c-cx" },
  { key: "messages", label: "spike messages and mesh hops", cls: "c-msg" },
  { key: "learning", label: "learning", cls: "c-learn" },
];

/** Stacked bars per core, one for time and one for energy, split by cause. */
function causeBars(cores: readonly CoreCost[], barrierNs: unknown): string {
  const withCause = cores.filter((c) => c.nsByCause && c.pjByCause);
  if (withCause.length === 0) return `<p class="muted">No breakdown by cause in the report.</p>`;
  const ROW = 20, HEAD = 34, LABEL = 100, BAR = 470, GAP = 80;
  const width = LABEL + 2 * (BAR + GAP), height = HEAD + withCause.length * ROW + 6;
  const total = (c: CoreCost, k: "nsByCause" | "pjByCause") => CAUSES.reduce((a, x) => a + (isNum(c[k]![x.key]) ? c[k]![x.key] : 0), 0);
  const maxNs = Math.max(1e-9, ...withCause.map((c) => total(c, "nsByCause"))), maxPj = Math.max(1e-9, ...withCause.map((c) => total(c, "pjByCause")));
  const paths: Record<string, string> = {};
  let text = `<text class="axlabel" x="${LABEL}" y="13">time per step by cause</text><text class="muted" x="${LABEL}" y="27">ns (core's own time; barrier ${sig(barrierNs, 3)} ns per step on top)</text>`;
  text += `<text class="axlabel" x="${LABEL + BAR + GAP}" y="13">energy per step by cause</text><text class="muted" x="${LABEL + BAR + GAP}" y="27">pJ</text>`;
  withCause.forEach((c, i) => {
    const y = HEAD + i * ROW, by = r1(y + 3), bh = r1(ROW - 6), ty = r1(y + ROW / 2 + 4);
    text += `<text x="0" y="${ty}">core ${esc(int(c.core))}</text>`;
    ([["nsByCause", maxNs, LABEL], ["pjByCause", maxPj, LABEL + BAR + GAP]] as const).forEach(([k, max, x0]) => {
      let x = x0;
      for (const cause of CAUSES) {
        const v = c[k]![cause.key];
        if (!isNum(v) || v <= 0) continue;
        const w = (v / max) * BAR;
        paths[cause.cls] = (paths[cause.cls] ?? "") + `M${r1(x)} ${by}h${r1(w)}v${bh}h${r1(-w)}z`;
        x += w;
      }
      text += `<text x="${r1(x + 4)}" y="${ty}">${sig(total(c, k), 4)}</text>`;
    });
  });
  const svg = svgOpen(width, height, "time and energy per step by cause") + Object.entries(paths).map(([cls, d]) => `<path class="${cls}" d="${d}"/>`).join("") + text + `</svg>`;
  const legend = `<div class="legend">${CAUSES.map((c) => `<span class="lg"><span class="sw ${c.cls}"></span>${esc(c.label)}</span>`).join("")}</div>`;
  return legend + `<figure class="wide">${svg}</figure>`;
}

function headline(report: CompareReport): string {
  const cost = report.cost;
  const dt = report.dtSeconds;
  const powerRt = isNum(cost.energyPjMean) && isNum(dt) && dt > 0 ? si((cost.energyPjMean * 1e-12) / dt, "W") : "n/a";
  const chips = isNum(report.chip?.chips) ? report.chip.chips : 1;
  const staticW = isNum(cost.staticWattsPerChip) ? cost.staticWattsPerChip * chips : NaN;
  const kv = (k: string, v: string, small = "") => `<div class="kv"><span>${esc(k)}</span><b>${v}</b>${small ? `<small>${esc(small)}</small>` : ""}</div>`;
  return (
    `<div class="kvs">` +
    kv("mean time per step", si(isNum(cost.stepNsMean) ? cost.stepNsMean * 1e-9 : cost.stepNsMean, "s"), isNum(cost.barrierNs) ? `incl. barrier ${si(cost.barrierNs * 1e-9, "s")}` : "") +
    kv("max time per step", si(isNum(cost.stepNsMax) ? cost.stepNsMax * 1e-9 : cost.stepNsMax, "s")) +
    kv("energy per step", si(isNum(cost.energyPjMean) ? cost.energyPjMean * 1e-12 : cost.energyPjMean, "J"), "dynamic only") +
    kv("speed", esc(realTimeText(cost.stepNsMean, dt)), "modelled chip time vs simulated time") +
    kv("dynamic power at real time", powerRt, "energy per step / dt") +
    (isNum(staticW) ? kv("static power (measured system)", si(staticW, "W"), `${chips} chip${chips === 1 ? "" : "s"} × 104 mW; not in the energy above`) : "") +
    kv("synaptic events", int(cost.synapticEvents)) +
    `</div>`
  );
}

export function costSection(report: CompareReport): string {
  const cost = report.cost;
  if (!cost) return `<section><h2>Modelled chip cost</h2><p class="muted">The report has no cost figures.</p></section>`;
  const ov = cost.overflows ?? { q: NaN, u: NaN, uBias: NaN };
  const ovCell = (label: string, n: unknown) => `<div class="kv ${isNum(n) ? (n > 0 ? "bad" : "good") : "muted"}"><span>${esc(label)}</span><b>${int(n)}</b></div>`;
  const cores = cost.perCore ?? [];
  let slowest = "";
  let best: CoreCost | undefined;
  for (const c of cores) if (isNum(c.nsPerStep) && (!best || c.nsPerStep > best.nsPerStep)) best = c;
  if (best) slowest = `<p class="note">Slowest core: core ${int(best.core)} (chip ${int(best.chip)}), ${sig(best.nsPerStep, 4)} ns/step, drawn darker.</p>`;
  return (
    `<section><h2>Modelled chip cost</h2>` +
    panel({ title: "Time, energy and speed", units: "s, J and W per the Loihi 1 figures (Davies 2018, pre-silicon); static power from Pohoiki Springs", howToRead: "a model, not a measurement: a step's time is its slowest core plus the barrier; static power is listed apart because it is a different operating point" }, headline(report)) +
    panel({ title: "Overflows", units: "count of register wraps over the run", howToRead: "0 everywhere is the goal; a non-zero count (red) means the chip's integers wrapped where float did not" }, `<div class="kvs">${ovCell("q (input accumulator)", ov.q)}${ovCell("u (current)", ov.u)}${ovCell("u + bias", ov.uBias)}</div>`) +
    panel({ title: "Per core: utilisation and cost", units: "% of each per-core limit; ns and pJ per step", howToRead: "bars near the dashed 100% line are nearly full; the darker time bar is the core that sets the step time" }, `${slowest}${coreBars(cores)}${coreTable(cores)}`) +
    panel({ title: "Per core: time and energy by cause", units: "ns and pJ per step, mean over the run", howToRead: "the longest segment is what to reduce: synaptic operations scale with spikes × fan-out, compartment updates with neurons, messages with spikes × mesh hops" }, causeBars(cores, cost.barrierNs)) +
    `</section>`
  );
}
