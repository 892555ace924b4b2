/** The page header (network, target, cores, verdict) and the accuracy summary table. */
import type { CompareReport, ProbeComparison } from "../report-types.js";
import { esc, fix, int, isNum, pct, si, sig } from "./format.js";

function probeTitle(p: ProbeComparison): string {
  return `${p.id}.${p.attr}`;
}

function ratio(p: ProbeComparison): number | undefined {
  const e = p.nrmseEmulatorVsIdeal, f = p.nrmseFloatVsIdeal;
  if (!isNum(e) || !isNum(f)) return undefined;
  if (f === 0) return e === 0 ? 1 : Infinity;
  return e / f;
}

export function summaryTable(report: CompareReport): string {
  const max = report.check?.maxNrmse;
  const cell = (x: unknown, flag: boolean) => `<td class="num${flag && isNum(max) && isNum(x) && x > max ? " over" : ""}">${sig(x)}</td>`;
  const rows = (report.probes ?? []).map((p, i) => {
    const r = ratio(p);
    // The check's metric (as compare.ts computes it): emulator vs the first reference, or vs float without one.
    const checksIdeal = p.nrmseEmulatorVsIdeal !== undefined && p.nrmseEmulatorVsIdeal !== null;
    const extra = (p.references ?? []).slice(1);
    const span = extra.length > 0 ? ` rowspan="${extra.length + 1}"` : "";
    const first =
      `<tr><td${span}><a href="#probe-${i}">${esc(probeTitle(p))}</a></td><td class="num"${span}>${int(p.size)}</td><td>${esc(p.idealKind ?? "— (none: emulator vs float)")}</td>` +
      cell(p.nrmseFloatVsIdeal, false) +
      cell(p.nrmseEmulatorVsIdeal, checksIdeal) +
      `<td class="num">${isNum(r) || r === Infinity ? `${sig(r)}×` : "n/a"}</td>` +
      cell(p.nrmseEmulatorVsFloat, !checksIdeal).replace("<td", `<td${span}`) +
      `<td class="num"${span}>${fix(p.correlation, 4)}</td></tr>`;
    const more = extra.map((x) => {
      const rr = isNum(x.nrmseFloat) && x.nrmseFloat > 0 && isNum(x.nrmseEmulator) ? x.nrmseEmulator / x.nrmseFloat : undefined;
      return `<tr><td>${esc(x.kind)}</td>${cell(x.nrmseFloat, false)}${cell(x.nrmseEmulator, false)}<td class="num">${isNum(rr) ? `${sig(rr)}×` : "n/a"}</td></tr>`;
    });
    return first + more.join("");
  });
  if (rows.length === 0) return `<p class="muted">The report has no probes.</p>`;
  const note = isNum(max) ? `<p class="note">In <span class="over">red</span>: the NRMSE the check uses (emulator vs ideal, or emulator vs float where there is no ideal) exceeds --max-nrmse ${sig(max)}.</p>` : "";
  return (
    `<table class="summary"><thead><tr><th>probe</th><th>size</th><th>reference</th><th>NRMSE float vs reference</th><th>NRMSE emulator vs reference</th>` +
    `<th>emulator / float<br><span class="muted">(both vs reference)</span></th><th>NRMSE emulator vs float</th><th>correlation<br><span class="muted">emulator, float</span></th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>${note}`
  );
}

export function header(report: CompareReport): string {
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

