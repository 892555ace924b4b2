/**
 * The `conversion:` block of a trained cell: the spiking-conversion choices a network file may
 * set (the passes' ConversionOptions; CLI flags override them). One table row per option: its
 * option name, its YAML key, and the check of its value — a new option needs one row here and
 * one property in schemas/network.schema.json (a test compares the two).
 */
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ConversionSetting, ConversionValue } from "../ir/network.js";
import type { JsonPath } from "./source.js";
import type { Ctx } from "./values.js";

/** Returns what is wrong with a value (phrased "must be …"), or undefined when it is valid. */
type Check = (v: unknown) => string | undefined;

export interface ConversionField {
  /** Name in ConversionOptions (passes/convert-cells.ts). */
  readonly option: string;
  /** Key in the network file's `conversion:` block (and in --conversion KEY=VALUE). */
  readonly key: string;
  readonly check: Check;
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const int = (lo: number, hi: number): Check => (v) => (isNum(v) && Number.isInteger(v) && v >= lo && v <= hi ? undefined : `must be an integer from ${lo} to ${hi}`);
const num = (lo: number, hi: number, what: string): Check => (v) => (isNum(v) && v > lo && v < hi ? undefined : `must be ${what}`);
const oneOf = (options: readonly string[]): Check => (v) => (typeof v === "string" && options.includes(v) ? undefined : `must be one of ${options.join(", ")}`);
const bool: Check = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
/** [low, high] with lo ≤ low ≤ high ≤ hi. */
const range = (lo: number, hi: number, unit: string): Check => (v) =>
  Array.isArray(v) && v.length === 2 && isNum(v[0]) && isNum(v[1]) && v[0] <= v[1] && v[0] >= lo && v[1] <= hi ? undefined : `must be [low, high] with ${lo} ≤ low ≤ high ≤ ${hi}${unit}`;

export const CONVERSION_FIELDS: readonly ConversionField[] = [
  { option: "presentationSteps", key: "presentation_steps", check: int(1, 10000) },
  { option: "neuron", key: "neuron", check: oneOf(["spiking-relu", "relu"]) },
  { option: "chipNeurons", key: "chip_neurons", check: bool },
  { option: "hiddenPerUnit", key: "hidden_neurons_per_unit", check: int(1, 10000) },
  { option: "memoryPerDimension", key: "memory_neurons_per_dimension", check: int(1, 10000) },
  { option: "maxRatesHz", key: "max_rates", check: range(1, 1e5, " Hz") },
  { option: "intercepts", key: "intercepts", check: range(-1, 0.999, "") },
  { option: "synapseSeconds", key: "synapse", check: num(0, 1, "a time constant in seconds, 0 < τ < 1") },
  { option: "readoutSynapseSeconds", key: "readout_synapse", check: num(0, 1, "a time constant in seconds, 0 < τ < 1") },
  { option: "reg", key: "reg", check: num(0, 10, "a regularization, 0 < reg < 10") },
  { option: "rangeMargin", key: "range_margin", check: num(0, 100, "a headroom factor, 0 < margin < 100 (1.1 = 10 % over the calibrated range)") },
  { option: "averageFraction", key: "average_fraction", check: (v) => (isNum(v) && v > 0 && v <= 1 ? undefined : "must be a fraction, 0 < f ≤ 1") },
  { option: "memorySynapseSeconds", key: "memory_synapse", check: num(0, 10, "a time constant in seconds, 0 < τ < 10") },
  { option: "compilerCalibration", key: "compiler_calibration", check: oneOf(["simulate", "model"]) },
  { option: "chipLeadSteps", key: "chip_lead_steps", check: (v) => (isNum(v) && v >= 0 && v <= 10 && Number.isInteger(v * 4) ? undefined : "must be a number of substeps from 0 to 10 in quarters (0, 0.25, 0.5, …)") },
];

const BY_KEY = new Map(CONVERSION_FIELDS.map((f) => [f.key, f]));

export function conversionField(key: string): ConversionField | undefined {
  return BY_KEY.get(key);
}

const KEY_OF_OPTION = new Map(CONVERSION_FIELDS.map((f) => [f.option, f.key]));

/** The network file's key of an option (presentationSteps → presentation_steps); the option's own name when the file cannot set it. */
export function conversionKey(option: string): string {
  return KEY_OF_OPTION.get(option) ?? option;
}

/** The cell's `conversion:` block, every value checked; errors located at the offending value. */
export function readConversionBlock(ctx: Ctx, block: unknown, path: JsonPath): ConversionSetting[] {
  const at = (p: JsonPath, key = false) => ctx.src.locate(p, key);
  if (block === null || typeof block !== "object" || Array.isArray(block)) {
    throw new DiagnosticError([diag("LMU7050", `'conversion' must be a mapping of conversion choices (${CONVERSION_FIELDS.map((f) => f.key).join(", ")})`, at(path))]);
  }
  const problems: Diagnostic[] = [];
  const settings: ConversionSetting[] = [];
  for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
    const f = BY_KEY.get(key);
    if (!f) {
      problems.push(diag("LMU7050", `unknown conversion choice '${key}' (choices: ${CONVERSION_FIELDS.map((x) => x.key).join(", ")})`, at([...path, key], true)));
      continue;
    }
    const why = f.check(value);
    if (why) problems.push(diag("LMU7050", `conversion '${key}' ${why}, got ${JSON.stringify(value)}`, at([...path, key])));
    else settings.push({ option: f.option, key, value: value as ConversionValue, origin: at([...path, key]) });
  }
  if (problems.length > 0) throw new DiagnosticError(problems);
  return settings;
}

/**
 * A command-line `KEY=VALUE` (the YAML key; lists as low:high), checked as the file's would be;
 * a bad one is an LMU8002 that names the flag.
 */
export function parseConversionFlag(text: string, flag: string): { key: string; option: string; value: ConversionValue } {
  const eq = text.indexOf("=");
  const key = eq > 0 ? text.slice(0, eq).trim() : text.trim();
  const f = BY_KEY.get(key);
  const fail = (why: string): never => {
    throw new DiagnosticError([diag("LMU8002", `${flag} ${text}: ${why}`)]);
  };
  if (eq <= 0) fail(`give KEY=VALUE (keys: ${CONVERSION_FIELDS.map((x) => x.key).join(", ")})`);
  if (!f) fail(`unknown conversion choice '${key}' (choices: ${CONVERSION_FIELDS.map((x) => x.key).join(", ")})`);
  const raw = text.slice(eq + 1).trim();
  const scalar = (s: string): unknown => (s === "true" ? true : s === "false" ? false : s !== "" && Number.isFinite(Number(s)) ? Number(s) : s);
  const value = raw.includes(":") ? raw.split(":").map(scalar) : scalar(raw);
  const why = f!.check(value);
  if (why) fail(`'${key}' ${why}${Array.isArray(value) ? " (write lists as low:high)" : ""}`);
  return { key, option: f!.option, value: value as ConversionValue };
}
