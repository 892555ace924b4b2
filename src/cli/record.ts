/**
 * What `--out` records: every probe by default, or a subset (`--probes`, `--window`,
 * `--sample-every`), and a note (LMU8007) when the file written is large, naming those options.
 */
import { statSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { diag, DiagnosticError, formatDiagnostic } from "../diagnostics/diagnostic.js";
import type { ProbeResult } from "../sim/simulator.js";
import { formatBytes } from "./run-length.js";

/** Output files above this size get LMU8007 (the size and how to record less). */
export const LARGE_OUTPUT_BYTES = 50 * 1024 ** 2;

export interface RecordOptions {
  readonly probes?: string;
  readonly window?: string;
  readonly sampleEvery?: number;
}

/** A recorded probe; `firstStep` is the step of row 0 when a window cut the start (absent: step 1). */
export type RecordedProbe = ProbeResult & { readonly firstStep?: number };

/** "2.5:3" → { startSeconds: 2.5, endSeconds: 3 } (a usage error otherwise). */
export function parseWindow(text: string): { startSeconds: number; endSeconds: number } {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*:\s*(\d+(?:\.\d*)?|\.\d+)\s*$/.exec(text);
  const a = m ? Number(m[1]) : NaN, b = m ? Number(m[2]) : NaN;
  if (!(a >= 0) || !(b > a)) throw new InvalidArgumentError(`--window must be START:END in seconds with START < END, got '${text}'`);
  return { startSeconds: a, endSeconds: b };
}

/** Checks a window against the run's length (LMU8008). */
export function checkWindow(w: { startSeconds: number; endSeconds: number }, steps: number, dt: number): void {
  const end = steps * dt;
  if (w.startSeconds >= end - 1e-12) throw new DiagnosticError([diag("LMU8008", `--window ${w.startSeconds}:${w.endSeconds} starts at or after the end of the run (${+end.toPrecision(9)} s)`)]);
}

function subsetOne(p: ProbeResult, window: { startSeconds: number; endSeconds: number } | undefined, every: number, dt: number): RecordedProbe {
  const stepOf = (row: number) => (row + 1) * p.sampleEverySteps;
  const r0 = window ? Math.max(0, Math.ceil(window.startSeconds / (dt * p.sampleEverySteps) - 1 - 1e-9)) : 0;
  // Rows whose time (r + 1)·every·dt lies in [start, end), as the compare report's window.
  const r1 = window ? Math.min(p.rows, Math.ceil(window.endSeconds / (dt * p.sampleEverySteps) - 1 - 1e-9)) : p.rows;
  const keep: number[] = [];
  for (let r = r0; r < r1; r += every) keep.push(r);
  const firstStep = keep.length > 0 ? stepOf(keep[0]) : stepOf(r0);
  if (p.spikes) {
    // Spike rows are steps − 1: keep rows r with (r + 1)·dt in [start, end), as for values (sample_every does not thin spikes).
    const lo = window ? Math.round(window.startSeconds / dt) - 1 : 0, hi = window ? Math.round(window.endSeconds / dt) - 1 : Infinity;
    const pick = p.spikes.spikeSteps.map((l, i) => l.map((s, k) => [s, p.spikes!.spikeCounts[i][k]] as const).filter(([s]) => s >= lo && s < hi));
    return { ...p, spikes: { spikeSteps: pick.map((l) => l.map(([s]) => s)), spikeCounts: pick.map((l) => l.map(([, c]) => c)) } };
  }
  const data = new Float64Array(keep.length * p.size);
  keep.forEach((r, k) => data.set(p.data.subarray(r * p.size, (r + 1) * p.size), k * p.size));
  return { ...p, data, rows: keep.length, sampleEverySteps: p.sampleEverySteps * every, ...(firstStep !== p.sampleEverySteps ? { firstStep } : {}) };
}

/** The ids `--probes` names, each checked against the run's probes (LMU8006): call it before the run too. */
export function probeIds(text: string, known: readonly string[]): string[] {
  const ids = text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new DiagnosticError([diag("LMU8006", `--probes: no probe ${unknown.map((u) => `'${u}'`).join(", ")} in this run (probes: ${known.join(", ") || "none"})`)]);
  return ids;
}

/** The probes `--out` records: all of them, or the subset the options ask for. */
export function recordedProbes(probes: readonly ProbeResult[], opts: RecordOptions, steps: number, dt: number): RecordedProbe[] {
  let chosen = probes;
  if (opts.probes !== undefined) {
    const ids = probeIds(opts.probes, probes.map((p) => p.id));
    chosen = probes.filter((p) => ids.includes(p.id));
  }
  const window = opts.window !== undefined ? parseWindow(opts.window) : undefined;
  if (window) checkWindow(window, steps, dt);
  const every = opts.sampleEvery ?? 1;
  if (!window && every === 1) return [...chosen];
  return chosen.map((p) => subsetOne(p, window, every, dt));
}

/** LMU8007 as a note on stderr when `file` is larger than LARGE_OUTPUT_BYTES. */
export function noteLargeOutput(file: string, err: (text: string) => void): void {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size <= LARGE_OUTPUT_BYTES) return;
  err(formatDiagnostic(diag("LMU8007", `wrote ${file}: ${formatBytes(size)}; to record less, keep some probes, a time window or every Nth sample`, undefined, { severity: "note", hint: "--probes ID,ID  --window START:END (seconds)  --sample-every N" })) + "\n");
}
