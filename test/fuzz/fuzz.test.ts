/**
 * Mutation fuzzing of the network format through what `lmuc validate` runs (loadNetworkText, then
 * validateNetwork: the float build and the hardware checks). Every case must end in success or in
 * diagnostics that each carry a known code, no internal-error code, and a location in the fuzzed
 * file; no other exception may escape; every case must finish within a time and memory bound.
 *
 * LMUC_FUZZ_CASES sets the number of cases (default 2000, about 20 s on a quiet 2-core machine);
 * `LMUC_FUZZ_CASES=50000 npm run fuzz` runs more. LMUC_FUZZ_VERBOSE=1 prints the outcome counts.
 * LMUC_FUZZ_SEED shifts the case seeds, to explore other cases than CI does.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { CODES } from "../../src/diagnostics/codes.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { loadNetworkText } from "../../src/frontend/index.js";
import { validateNetwork } from "../../src/passes/hardware-checks.js";
import { mutate, rngFor, type Json } from "./mutate.js";

const CASES = Number(process.env.LMUC_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.LMUC_FUZZ_SEED ?? 0);
/**
 * Accepted cases are held to an estimated 1 s of build work (the CLI accepts 120 s). The time
 * bound catches hangs, not slowness: it allows for the estimates' error (within a few times) and
 * for a CI machine loaded several times over, where a 1 s build has been seen to take 8 s.
 */
const BUDGET_SECONDS = 1;
const CASE_SECONDS = 20;
const RSS_BYTES = 2 * 1024 ** 3;

/** The fuzzed text is "located" in the corpus folder, so relative data files resolve to test/fuzz/corpus/data. */
const corpusDir = join("test", "fuzz", "corpus");

/** Sizes capped so a case that is accepted builds in milliseconds; the mutator still reaches huge values. */
function shrink(x: Json, key = ""): Json {
  if (typeof x === "number") {
    if (key === "n_neurons_per_dimension" || key === "n_neurons") return Math.min(x, 12);
    if (key === "order") return Math.min(x, 6);
    return x;
  }
  if (Array.isArray(x)) return x.map((v) => shrink(v));
  if (x !== null && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, shrink(v, k)]));
  return x;
}

function loadCorpus(): { name: string; doc: Json }[] {
  const fromExamples = readdirSync("examples").filter((f) => f.endsWith(".yaml") && f !== "bad.yaml").sort().map((f) => ({ name: f, doc: shrink(parse(readFileSync(join("examples", f), "utf8")) as Json) }));
  const own = readdirSync(corpusDir).filter((f) => f.endsWith(".yaml")).sort().map((f) => ({ name: f, doc: parse(readFileSync(join(corpusDir, f), "utf8")) as Json }));
  return [...own, ...fromExamples];
}

interface Failure {
  readonly caseNo: number;
  readonly problem: string;
  readonly text: string;
}

/** The problem with one case's outcome; "" for a success, undefined for proper diagnostics. */
function runCase(text: string, file: string): string | undefined {
  try {
    validateNetwork(loadNetworkText(text, file, { budgetSeconds: BUDGET_SECONDS }));
    return "";
  } catch (e) {
    if (!(e instanceof DiagnosticError)) return `escaped ${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack?.split("\n").slice(1, 4).join("\n")}`;
    if (e.diagnostics.length === 0) return "DiagnosticError with no diagnostics";
    for (const d of e.diagnostics) {
      if (!(d.code in CODES)) return `unknown code ${d.code}`;
      if (d.code.startsWith("LMU9")) return `internal error ${d.code}: ${d.message}`;
      if (!d.location || d.location.file !== file || !(d.location.line >= 1 && d.location.column >= 1)) return `${d.code} without a location in the file: ${d.message}`;
    }
    return undefined;
  }
}

test(`${CASES} mutated networks: success or located diagnostics, nothing escapes, each within ${CASE_SECONDS} s and ${RSS_BYTES / 1024 ** 3} GiB`, () => {
  const corpus = loadCorpus();
  const failures: Failure[] = [];
  const outcomes = { ok: 0, diagnostics: 0 };
  let slowest = { seconds: 0, caseNo: -1 };
  for (let i = 0; i < CASES; i++) {
    const caseNo = SEED + i;
    const rnd = rngFor(caseNo * 2654435761);
    const base = corpus[caseNo % corpus.length];
    const doc = mutate(base.doc, rnd);
    // One case in four as YAML (its writer is slow), the rest as JSON: the parser and locator are the same.
    const asYaml = caseNo % 4 === 0;
    const text = asYaml ? stringify(doc) : JSON.stringify(doc, null, 1);
    const file = join(corpusDir, `case-${caseNo}.${asYaml ? "yaml" : "json"}`);
    const t0 = performance.now();
    const problem = runCase(text, file);
    const seconds = (performance.now() - t0) / 1000;
    if (seconds > slowest.seconds) slowest = { seconds, caseNo };
    if (problem) failures.push({ caseNo, problem, text });
    else if (seconds > CASE_SECONDS) failures.push({ caseNo, problem: `took ${seconds.toFixed(1)} s`, text });
    else if (process.memoryUsage().rss > RSS_BYTES) failures.push({ caseNo, problem: `resident memory ${(process.memoryUsage().rss / 1024 ** 2).toFixed(0)} MiB`, text });
    else outcomes[problem === "" ? "ok" : "diagnostics"]++;
    if (failures.length >= 5) break;
  }
  if (process.env.LMUC_FUZZ_VERBOSE) console.log(`fuzz: ${outcomes.ok} accepted, ${outcomes.diagnostics} refused with diagnostics; slowest case ${slowest.caseNo}: ${slowest.seconds.toFixed(2)} s`);
  const report = failures.map((f) => `case ${f.caseNo}: ${f.problem}\n${f.text.slice(0, 3000)}`).join("\n\n");
  expect(report).toBe("");
  // Slowest case, for whoever tunes CASE_SECONDS or the cost model.
  expect(slowest.seconds).toBeLessThan(CASE_SECONDS);
}, 600_000);
