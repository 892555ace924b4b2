/**
 * `lmuc evaluate --merge`: the part files of a sharded evaluation → the document the same
 * evaluation gives in one piece (byte-identical). Parts must come from one network and dataset
 * and cover every sequence exactly once.
 */
import { readFileSync } from "node:fs";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { fromConfusion, type EvalMode, type EvaluationDoc, type ModeResult } from "./evaluate.js";
import { concatStats, summarize, type SpikingSummary } from "./summary.js";

function fail(message: string): never {
  throw new DiagnosticError([diag("LMU7032", message)]);
}

export function readEvaluationFile(path: string): EvaluationDoc {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DiagnosticError([diag("LMU8001", `cannot read '${path}'${code === "ENOENT" ? ": no such file" : ` (${code ?? (e as Error).message})`}`)]);
  }
  let doc: EvaluationDoc;
  try {
    doc = JSON.parse(text) as EvaluationDoc;
  } catch (e) {
    throw new DiagnosticError([diag("LMU8004", `${path}: not JSON (${(e as Error).message})`)]);
  }
  if (doc === null || typeof doc !== "object" || doc.format !== "lmuc-evaluation/1" || typeof doc.modes !== "object") {
    throw new DiagnosticError([diag("LMU8004", `${path}: not an lmuc evaluation file (format 'lmuc-evaluation/1'; write one with lmuc evaluate --out)`)]);
  }
  return doc;
}

const SAME = ["network_sha256", "inputs_sha256", "labels_sha256", "sequences", "steps", "input_dimensions", "classes"] as const;

export function mergeEvaluations(parts: readonly { path: string; doc: EvaluationDoc }[]): EvaluationDoc {
  if (parts.length === 0) fail("nothing to merge");
  const head = parts[0].doc;
  const modeKeys = Object.keys(head.modes).sort().join(",");
  for (const { path, doc } of parts) {
    for (const k of SAME) if (doc[k] !== head[k]) fail(`${path}: ${k} is ${String(doc[k])} but ${parts[0].path} has ${String(head[k])}; the parts are from different evaluations`);
    if (Object.keys(doc.modes).sort().join(",") !== modeKeys) fail(`${path}: modes ${Object.keys(doc.modes).join(", ")} differ from ${parts[0].path}'s (${modeKeys})`);
  }
  const ranges = parts
    .map(({ path, doc }) => ({ path, doc, first: doc.shard?.first ?? 0, end: doc.shard?.end ?? doc.sequences }))
    .sort((a, b) => a.first - b.first);
  let covered = 0;
  for (const r of ranges) {
    if (r.first !== covered) fail(r.first > covered ? `sequences ${covered}..${r.first - 1} are in no part (next part: ${r.path})` : `${r.path} covers sequences ${r.first}..${r.end - 1}, which overlap another part`);
    covered = r.end;
  }
  if (covered !== head.sequences) fail(`sequences ${covered}..${head.sequences - 1} are in no part`);
  const docs = ranges.map((r) => r.doc);
  const modes = mergeModes(docs.map((d) => d.modes), head.classes);
  const sweep = head.presentation_sweep?.map((e, j) =>
    ({ presentation_steps: e.presentation_steps, modes: mergeModes(ranges.map((r) => r.doc.presentation_sweep?.[j]?.presentation_steps === e.presentation_steps ? r.doc.presentation_sweep[j].modes : fail(`${r.path}: its presentation-steps sweep differs from ${parts[0].path}'s`)), head.classes) }),
  );
  const traces = head.traces !== undefined ? docs.flatMap((d) => d.traces ?? []) : undefined;
  const { shard: _drop, presentation_sweep: _s, traces: _t, ...rest } = head;
  void _drop;
  void _s;
  void _t;
  return { ...rest, modes, ...(sweep ? { presentation_sweep: sweep } : {}), ...(traces ? { traces } : {}) };
}

/** Each mode's parts (in sequence order) as one: confusion summed, lists concatenated, the spiking summary recomputed. */
function mergeModes(parts: readonly Partial<Record<EvalMode, ModeResult>>[], classes: number): Partial<Record<EvalMode, ModeResult>> {
  const modes: Partial<Record<EvalMode, ModeResult>> = {};
  for (const mode of Object.keys(parts[0]) as EvalMode[]) {
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    const predictions: number[] = [];
    const logits: number[][] = [];
    for (const p of parts) {
      const m = p[mode]!;
      m.confusion.forEach((row, i) => row.forEach((v, j) => (confusion[i][j] += v)));
      predictions.push(...m.predictions);
      logits.push(...m.logits);
    }
    const merged = fromConfusion(confusion, predictions, logits);
    const sp = parts.map((p) => p[mode]!.spiking);
    modes[mode] = sp[0] ? { ...merged, spiking: mergeSummaries(sp, mode) } : merged;
  }
  return modes;
}

/** The spiking summary of the whole run from its parts' per-sequence numbers; the parts must share K, conversion and build. */
function mergeSummaries(parts: readonly (SpikingSummary | undefined)[], mode: EvalMode): SpikingSummary {
  const head = parts[0]!;
  const same = (s: SpikingSummary): string => JSON.stringify([s.presentation_steps, s.conversion, s.cores, s.cores_lower_bound]);
  for (const s of parts) {
    if (!s || !s.per_sequence) fail(`a part's ${mode} result has no per-sequence spiking numbers (written by an older lmuc?); evaluate the parts again with this version`);
    if (same(s) !== same(head)) fail(`the parts' ${mode} results were converted differently (presentation steps, conversion choices or cores differ)`);
  }
  const cores = head.cores !== undefined ? { used: head.cores, lowerBound: head.cores_lower_bound ?? 0 } : undefined;
  return summarize(head.presentation_steps, concatStats(parts.map((s) => s!.per_sequence)), head.conversion, cores);
}
