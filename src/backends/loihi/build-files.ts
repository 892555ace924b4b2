/**
 * The JSON files of a build folder (host.json, report.json): how they are written and how they are
 * checked when read back. A build can be edited by hand and its hashes fixed up, so matching
 * hashes prove nothing about the contents: both files are validated against their JSON Schemas
 * (schemas/host.schema.json, schemas/report.schema.json), then the host program against itself
 * (the IR verifier, matrix shapes, node sizes) and against the chip (placements, inputs, dt),
 * before anything runs on them. Every failure is LMU5009 with the JSON path of the bad value.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { basename } from "node:path";
import { diag, DiagnosticError } from "../../diagnostics/diagnostic.js";
import type { HostProgram } from "../../ir/host.js";
import type { CompileReport } from "../../passes/compile-report.js";
import type { ChipConfig } from "../../ir/core.js";
import { irReplacer } from "../../ir/json.js";
import { typedReviver } from "../../ir/json-typed.js";
import type { NodeIR } from "../../ir/network.js";
import { verifyBuilt } from "../../ir/verify.js";
import { schemaValidator } from "../../util/schema-validator.js";

/** The files every build holds besides manifest.json; the loader demands each of them. */
export const BUILD_FILES: readonly string[] = ["chip.yaml", "cores.bin", "host.json", "report.json"];
/** A trained cell's chip build also holds the record of what it was made from (evaluate/chip-build.ts). */
export const TRAINED_RECORD_FILE = "conversion.json";

/** Generated at build time (dist/validators: loading build.ts no longer loads ajv), or compiled by ajv here without a build. */
function validator(schema: "host" | "report"): ValidateFunction {
  return schemaValidator(`${schema}.schema.json`).validate;
}

function shortValue(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "a list";
  if (typeof x === "object") return "an object";
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

function schemaMessage(e: ErrorObject): string {
  const at = e.instancePath === "" ? "/" : e.instancePath;
  const got = e.keyword === "required" || e.keyword === "additionalProperties" ? "" : ` (got ${shortValue(e.data)})`;
  return `at ${at}: ${e.message ?? e.keyword}${got}`;
}

function invalid(file: string, problems: readonly string[]): DiagnosticError {
  const shown = problems.slice(0, 10).map((p) => diag("LMU5009", `${file}: ${p}`));
  if (problems.length > 10) shown.push(diag("LMU5009", `${file}: … and ${problems.length - 10} more problems`));
  return new DiagnosticError(shown);
}

/** Parses and schema-checks one JSON build file; "if" errors only repeat their "then" errors. */
function parseChecked(bytes: Uint8Array, file: string, schema: "host" | "report"): unknown {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (e) {
    throw invalid(file, [`not valid JSON (${(e as Error).message})`]);
  }
  const validate = validator(schema);
  if (!validate(value)) throw invalid(file, (validate.errors ?? []).filter((e) => e.keyword !== "if").map(schemaMessage));
  return value;
}

/** Typed-array wrappers ({"$f64": […]}) → typed arrays, in place, as fromTypedJson does while parsing. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  if (typeof value !== "object" || value === null) return value;
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = revive(o[k]);
  return typedReviver("", o);
}

export function parseReportJson(bytes: Uint8Array, file: string): CompileReport {
  return parseChecked(bytes, file, "report") as CompileReport;
}

/** host.json → HostProgram, checked against its schema, itself and `chip` (LMU5009 on any problem). */
export function parseHostJson(bytes: Uint8Array, file: string, chip: ChipConfig): HostProgram {
  const host = revive(parseChecked(bytes, file, "host")) as HostProgram;
  const problems = [...matrixProblems(host.network, "/network"), ...host.network.nodes.flatMap(nodeProblems)];
  // The frontend's own limit: a longer period is generated whole before the first step.
  for (const n of host.network.nodes) {
    if (n.output.kind === "white-noise" && n.output.periodSeconds / host.network.dtSeconds > 1e8) problems.push(`node '${n.id}': a white-noise period of ${n.output.periodSeconds} s is more than 1e8 steps`);
  }
  // The verifier indexes matrices by their shapes: only run it on a program whose shapes hold.
  if (problems.length === 0) problems.push(...verifyBuilt(host.network));
  if (problems.length === 0) problems.push(...chipProblems(host, chip));
  if (problems.length > 0) throw invalid(file, problems);
  return host;
}

/** Every {rows, cols, data} must hold rows × cols values. */
function matrixProblems(value: unknown, path: string): string[] {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return [];
  const o = value as Record<string, unknown>;
  if (typeof o.rows === "number" && typeof o.cols === "number" && o.data instanceof Float64Array) {
    return o.data.length === o.rows * o.cols ? [] : [`at ${path}: a ${o.rows}×${o.cols} matrix needs ${o.rows * o.cols} values, it has ${o.data.length}`];
  }
  return Object.keys(o).flatMap((k) => matrixProblems(o[k], `${path}/${k}`));
}

/** A node's output must have as many values as the node declares. */
function nodeProblems(n: NodeIR): string[] {
  const out = n.output;
  const d = n.sizeOut;
  const bad = (what: string, got: number, want: number): string[] => (got === want ? [] : [`node '${n.id}': ${what} has ${got} values, the node's size is ${want}`]);
  switch (out.kind) {
    case "constant":
      return bad("value", out.value.length, d);
    case "step":
      return [...bad("before", out.before.length, d), ...bad("after", out.after.length, d)];
    case "sine":
      return [...bad("amplitude", out.amplitude.length, d), ...bad("offset", out.offset.length, d)];
    case "piecewise":
      return [...bad("times", out.timesSeconds.length, out.values.length), ...out.values.flatMap((v, i) => bad(`values[${i}]`, v.length, d))];
    case "data":
      return bad("data columns", out.values.cols, d);
    case "linear-system":
      return [...bad("Ad rows", out.Ad.rows, d), ...bad("Ad columns", out.Ad.cols, d), ...bad("Bd rows", out.Bd.rows, d), ...bad("Bd columns", out.Bd.cols, n.sizeIn)];
    case "white-noise":
      return [];
    case "passthrough":
    case "delay":
    case "sample-hold":
      return bad("its input", n.sizeIn, d);
    case "function":
      return [];
  }
}

/** Placements, inputs and dt as the chip has them: what HardwareRun indexes without checking. */
function chipProblems(host: HostProgram, chip: ChipConfig): string[] {
  const problems: string[] = [];
  if (host.network.dtSeconds !== chip.dtSeconds) problems.push(`at /network/dtSeconds: ${host.network.dtSeconds} s, but cores.bin runs at ${chip.dtSeconds} s`);
  const ens = new Map(host.network.ensembles.map((e) => [e.id, e]));
  const cores = new Map(chip.cores.map((c) => [c.index, c]));
  host.placements.forEach((p, i) => {
    const at = `at /placements/${i}`;
    const e = ens.get(p.ensemble);
    if (!e || !e.external) return void problems.push(`${at}/ensemble: '${p.ensemble}' is not an ensemble the host reads from the chip`);
    if (p.sigmaV.length !== e.nNeurons) problems.push(`${at}/sigmaV: ${p.sigmaV.length} values for ${e.nNeurons} neurons`);
    p.segments.forEach((s, k) => {
      const core = cores.get(s.core);
      if (!core) problems.push(`${at}/segments/${k}/core: core ${s.core} is not in cores.bin`);
      else if (s.localStart + s.count > core.nCompartments) problems.push(`${at}/segments/${k}: compartments ${s.localStart}..${s.localStart + s.count - 1} are past core ${s.core}'s ${core.nCompartments}`);
      if (s.neuronStart + s.count > e.nNeurons) problems.push(`${at}/segments/${k}: neurons ${s.neuronStart}..${s.neuronStart + s.count - 1} are past '${e.id}''s ${e.nNeurons}`);
    });
  });
  // Every learning group's error channel is a host node of its size (the runner reads it every step).
  const nodes = new Map(host.network.nodes.map((n) => [n.id, n]));
  for (const core of chip.cores) {
    for (const g of core.learningGroups ?? []) {
      const n = nodes.get(g.errorChannel);
      if (!n || n.sizeOut !== g.dims) problems.push(`at /network/nodes: core ${core.index} learning group '${g.label}' reads its error from node '${g.errorChannel}' (${g.dims} values), ${n ? `which has ${n.sizeOut}` : "which the host program does not have"}`);
    }
  }
  const chipInputs = new Map(chip.inputs.map((x) => [x.id, x]));
  host.inputs.forEach((inp, i) => {
    const at = `at /inputs/${i}`;
    const e = ens.get(inp.id);
    const c = chipInputs.get(inp.id);
    if (!e || !c) return void problems.push(`${at}/id: '${inp.id}' must be a host ensemble and an input of cores.bin`);
    if (inp.channels !== e.nNeurons || inp.channels !== c.channels) problems.push(`${at}/channels: ${inp.channels}, but '${inp.id}' has ${e.nNeurons} neurons and cores.bin ${c.channels} channels`);
    if (inp.scale.length * 2 !== inp.channels) problems.push(`${at}/scale: ${inp.scale.length} values for ${inp.channels} channels (one per on/off pair)`);
  });
  return problems;
}

/** report.json: a value JSON cannot hold (an unbounded headroom, Infinity) is left out rather than written as null. */
export function reportJson(report: CompileReport): string {
  return JSON.stringify(report, (k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? undefined : irReplacer(k, v)), 1) + "\n";
}

/** How a build names its network file: the file name alone, so the bytes do not depend on the working directory or spelling. */
export function storedSourceName(file: string): string {
  return basename(file);
}

/**
 * `value` with every `file: from` (source locations, the network's own file) replaced by `to`;
 * shares everything else, typed arrays included, and every array or object with nothing to
 * replace inside (a chip's thousands of synapse rows and axons are not copied).
 */
export function relocateSource<T>(value: T, from: string, to: string): T {
  if (from === to) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) return v;
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        // Numbers hold no file name: skipped here, not by a call each (a build has millions).
        if (typeof x !== "object" || x === null) continue;
        const w = walk(x);
        if (w !== x) (copy ??= v.slice())[i] = w;
      }
      return copy ?? v;
    }
    const o = v as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(o)) {
      const w = k === "file" && o[k] === from ? to : walk(o[k]);
      if (w !== o[k]) (copy ??= { ...o })[k] = w;
    }
    return copy ?? o;
  };
  return walk(value) as T;
}
