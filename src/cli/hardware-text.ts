/** Text output of `lmuc compare` and `lmuc inspect`'s placement: formatting only. */
import { basename } from "node:path";
import type { LoadedBuild } from "../build.js";
import type { CompareReport } from "../compare/report-types.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { placeCore } from "../emulator/cost.js";
import { learningPanelText } from "../compare/learning-panel.js";

const si = (seconds: number): string => (seconds >= 1 ? `${seconds.toPrecision(3)} s` : seconds >= 1e-3 ? `${(seconds * 1e3).toPrecision(3)} ms` : `${(seconds * 1e6).toPrecision(3)} µs`);

/** "15.0× faster than real time (66.6 µs per 1.00 ms step)", or slower. */
export function realTimeWords(stepNs: number, dtSeconds: number): string {
  const rtf = (stepNs * 1e-9) / dtSeconds;
  const per = `${si(stepNs * 1e-9)} per ${si(dtSeconds)} step`;
  if (!(rtf > 0) || !Number.isFinite(rtf)) return `(${per})`;
  return rtf <= 1 ? `${(1 / rtf).toPrecision(3)}× faster than real time (${per})` : `${rtf.toPrecision(3)}× slower than real time (${per})`;
}

export function compareText(file: string, report: CompareReport, targetName: string, buildDir: string, jsonPath: string, htmlPath: string): string {
  const lines = [`${file}: ${report.network} on ${report.chip.cores} core${report.chip.cores === 1 ? "" : "s"} of ${targetName} (lower bound ${report.chip.lowerBound}), ${report.steps} steps`];
  // The reference column is as wide as its longest kind ("ideal functions", "target <endpoint>").
  const kindWidth = Math.max(13, ...report.probes.flatMap((p) => (p.references ?? []).map((r) => r.kind.length)));
  lines.push(`  probe            ${"reference".padEnd(kindWidth)}  NRMSE float  emulator  ratio  emulator vs float  corr`);
  for (const p of report.probes) {
    const refs = p.references ?? [];
    const row = (id: string, kind: string, f: number | undefined, e: number | undefined, tail: string) => {
      const ratio = e !== undefined && f ? `${(e / f).toFixed(2)}×` : "-";
      return `  ${id.padEnd(15)}  ${kind.padEnd(kindWidth)}  ${(f?.toFixed(4) ?? "-").padStart(11)}  ${(e?.toFixed(4) ?? "-").padStart(8)}  ${ratio.padStart(5)}${tail}`;
    };
    const tail = `  ${p.nrmseEmulatorVsFloat.toFixed(4).padStart(17)}  ${p.correlation.toFixed(3)}`;
    if (refs.length === 0) lines.push(row(p.id, "none", undefined, undefined, tail));
    refs.forEach((r, k) => lines.push(row(k === 0 ? p.id : "", r.kind, r.nrmseFloat, r.nrmseEmulator, k === 0 ? tail : "")));
  }
  const learning = learningPanelText(report.learning);
  if (learning) lines.push(learning.replace(/\n$/, ""));
  const ratio = report.tuning?.chipToFloatRateRatio;
  for (const s of report.spikes) {
    const why = ratio !== undefined ? ` (tuning curves predict ${ratio.toFixed(3)}×: the chip integrates and is refractory in whole steps)` : "";
    lines.push(`  spikes ${s.ensemble}: ${s.meanRateFloatHz.toFixed(1)} Hz in float, ${s.meanRateEmulatorHz.toFixed(1)} Hz on chip${why}`);
  }
  lines.push(`  chip (modelled): ${(report.cost.stepNsMean / 1000).toFixed(2)} µs and ${(report.cost.energyPjMean / 1000).toFixed(1)} nJ per step: ${realTimeWords(report.cost.stepNsMean, report.dtSeconds)}`);
  lines.push(`wrote ${htmlPath} and ${basename(jsonPath)}; build in ${buildDir}`);
  return lines.join("\n") + "\n";
}

/** LMU8009 for blocks whose accumulator wrapped in this run and could (worst case) wrap; none when q never wrapped. */
export function headroomWarnings(report: CompareReport): Diagnostic[] {
  const q = report.cost.overflows.q;
  if (!(q > 0)) return [];
  const tight = (report.quantization?.headroom ?? []).filter((b) => b.worstCase !== undefined && b.worstCase < 1);
  const which = tight.length ? tight.map((b) => `'${b.block}' (worst case ${b.worstCase!.toFixed(2)}×, typical ${b.typical?.toFixed(1) ?? "unbounded"}×)`).join(", ") : "a block";
  return [diag("LMU8009", `the 21-bit input accumulator q wrapped ${q} times in this run: ${which}`, undefined, { severity: "warning" })];
}

/** Where each core sits on the mesh, what it holds, and the expected traffic cost (for `inspect`). */
export function placementText(b: LoadedBuild): string {
  const p = b.report.partition;
  const lines = [`  placement (chip, tile at (x east–west, y north–south) on the 8 × 4 mesh, 4 cores a tile); traffic cost ${p.trafficCost.toPrecision(4)} messages/s × hops (${p.trafficCostInitial.toPrecision(4)} before refinement)`];
  lines.push("  core  chip  tile  (x, y)  blocks");
  for (const u of p.usage) {
    const at = placeCore(u.core);
    lines.push(`  ${String(u.core).padStart(4)}  ${String(at.chip).padStart(4)}  ${String(at.tile).padStart(4)}  (${at.x}, ${at.y})  ${[...new Set(u.blocks)].join(", ")}`);
  }
  for (const pl of b.host.placements) {
    const segs = pl.segments.map((s) => `neurons ${s.neuronStart}..${s.neuronStart + s.count - 1} on core ${s.core} at ${s.localStart}`).join("; ");
    lines.push(`  ${pl.ensemble}: ${segs}`);
  }
  return lines.join("\n") + "\n";
}
