/**
 * report.html of `lmuc compare`: one self-contained page (inline CSS, inline SVG and PNG, no
 * scripts, no network requests) for deciding whether the chip emulator is accurate enough against
 * the float simulator and the ideal, and what the chip costs. Each panel lives in
 * src/compare/panels/ and has a title, its units and a one-line "how to read this".
 *
 * Output is deterministic: the same report gives the same bytes (no clocks, no randomness, numbers
 * formatted with fixed precision, SVG coordinates rounded to 0.1 px). Every string that comes from
 * the report is escaped. Values that JSON turned into null (NaN, ±Infinity), missing ideals and
 * missing optional metrics are shown as "n/a" and drawn as gaps.
 */
import type { CompareReport } from "./report-types.js";
import { learningPanelHtml } from "./learning-panel.js";
import { costSection } from "./panels/cost.js";
import { CSS } from "./panels/css.js";
import { esc } from "./panels/format.js";
import { placementPanel } from "./panels/placement.js";
import { quantizationSection } from "./panels/quantization.js";
import { rasterSection } from "./panels/raster.js";
import { rateHistogramPanel, tuningPanel } from "./panels/rates.js";
import { header, summaryTable } from "./panels/summary.js";
import { probeSection } from "./panels/traces.js";

export { escapeHtml } from "./panels/format.js";

/** A part of the page: report → HTML (empty string: nothing to show). */
export type ReportSection = (report: CompareReport) => string;

function accuracySection(report: CompareReport): string {
  return (
    `<section><h2>Accuracy summary</h2>${summaryTable(report)}` +
    `<p class="note">NRMSE = ‖y − y*‖ / ‖y*‖ over all steps and dimensions. “emulator / float” is the emulator’s NRMSE against the reference divided by the float simulator’s: ` +
    `1× means the chip adds no error beyond the network’s own. References: the target the file states (<code>reference:</code>), the ideal LMU, the exact delay, or for a network without an LMU its ideal functions; a probe with none is measured emulator vs float.</p></section>`
  );
}

function tracesSection(report: CompareReport): string {
  const probes = report.probes ?? [];
  return `<section><h2>Traces</h2>${probes.length ? probes.map((p, i) => probeSection(p, i)).join("") : `<p class="muted">No probes.</p>`}</section>`;
}

function spikesSection(report: CompareReport): string {
  const spikes = report.spikes ?? [];
  const ratio = report.tuning?.chipToFloatRateRatio;
  const rasters = spikes.length ? spikes.map((s) => rasterSection(s, report, ratio)).join("") : `<p class="muted">No spike data in the report.</p>`;
  return `<section><h2>Spikes and rates</h2>${rasters}${rateHistogramPanel(spikes)}${tuningPanel(report.tuning)}</section>`;
}

function placementSection(report: CompareReport): string {
  const p = placementPanel(report);
  return p ? `<section><h2>Placement</h2>${p}</section>` : "";
}

const learningSection: ReportSection = (report) => learningPanelHtml(report.learning);

/** The page's sections, in order: a new panel is one more entry here, a function of the report. */
export const REPORT_SECTIONS: readonly ReportSection[] = [header, accuracySection, learningSection, tracesSection, spikesSection, costSection, placementSection, quantizationSection];

/** Renders report.json of `lmuc compare` as one self-contained, deterministic HTML page. */
export function renderReportHtml(report: CompareReport, sections: readonly ReportSection[] = REPORT_SECTIONS): string {
  const title = `lmuc compare: ${report.network}`;
  const body = sections.map((s) => s(report)).join("");
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head>\n<body><main>${body}</main></body></html>\n`
  );
}
