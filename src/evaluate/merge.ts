/**
 * `lmuc evaluate --merge`: the part files of a sharded evaluation → the document the same
 * evaluation gives in one piece (byte-identical). Parts must come from one network and dataset
 * and cover every sequence exactly once.
 */
import { readFileSync } from "node:fs";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { fromConfusion, type EvalMode, type EvaluationDoc, type ModeResult } from "./evaluate.js";

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
  const modes: Partial<Record<EvalMode, ModeResult>> = {};
  for (const mode of Object.keys(head.modes) as EvalMode[]) {
    const confusion = Array.from({ length: head.classes }, () => new Array<number>(head.classes).fill(0));
    const predictions: number[] = [];
    const logits: number[][] = [];
    for (const r of ranges) {
      const m = r.doc.modes[mode]!;
      m.confusion.forEach((row, i) => row.forEach((v, j) => (confusion[i][j] += v)));
      predictions.push(...m.predictions);
      logits.push(...m.logits);
    }
    modes[mode] = fromConfusion(confusion, predictions, logits);
  }
  const { shard: _drop, ...rest } = head;
  void _drop;
  return { ...rest, modes };
}
