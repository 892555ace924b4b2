/** ajv validation of a parsed network against schemas/network.schema.json, as located diagnostics. */
import type { ErrorObject, ValidateFunction } from "ajv";
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { schemaValidator } from "../util/schema-validator.js";
import { editDistance } from "./convert.js";
import { pointerToPath, type ParsedSource } from "./source.js";

let validator: ValidateFunction | undefined;
let rootSchema: object | undefined;

/** Generated at build time (dist/validators), or compiled by ajv here without a build: the same checks and errors. */
function networkValidator(): ValidateFunction {
  if (!validator) ({ validate: validator, rootSchema } = schemaValidator("network.schema.json"));
  return validator;
}

const TYPE_WORDS: Record<string, string> = {
  integer: "an integer",
  number: "a number",
  string: "a string",
  object: "a mapping",
  array: "a list",
  boolean: "true or false",
  null: "null",
};

/** ajv type names in the words users read ("an integer", "a mapping"); "a or b" lists too. */
export function typeWords(types: string): string {
  return types
    .split(/\s+or\s+|,/)
    .map((t) => TYPE_WORDS[t.trim()] ?? t.trim())
    .filter((t, i, all) => all.indexOf(t) === i)
    .join(" or ");
}

/** The offending value, short, for "got …". */
export function shown(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "a list";
  if (typeof x === "object") return "a mapping";
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

function nearest(word: string, options: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  return options.find((o) => o.toLowerCase() === lower) ?? options.find((o) => editDistance(o, word) <= (word.length >= 4 ? 2 : 1));
}

function allowedFields(e: ErrorObject): string[] {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/** The field an unknown key was probably meant to be, if it is close to an allowed one. */
function suggestionFor(e: ErrorObject): string | undefined {
  return nearest((e.params as { additionalProperty: string }).additionalProperty, allowedFields(e));
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === "" ? "the network" : e.instancePath;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const near = suggestionFor(e);
      const allowed = allowedFields(e);
      const help = near ? ` (did you mean '${near}'?)` : allowed.length > 0 ? ` (accepted: ${allowed.join(", ")})` : "";
      return `unknown field '${key}' in ${where}${help}`;
    }
    case "required":
      return `${where} is missing the required field '${(e.params as { missingProperty: string }).missingProperty}'`;
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const near = typeof e.data === "string" ? nearest(e.data, allowed.filter((v): v is string => typeof v === "string")) : undefined;
      return `${where} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}, got ${shown(e.data)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}`;
    }
    case "const":
      return `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${shown(e.data)}`;
    case "type":
      return `${where} must be ${typeWords((e.params as { type: string }).type)}, got ${shown(e.data)}`;
    case "pattern":
      if (e.propertyName !== undefined) return `'${e.propertyName}' in ${where} is not a valid id (letters, digits, _ and -, starting with a letter or _)`;
      if (e.instancePath.includes("/connections/") || e.instancePath.endsWith("/input") || e.instancePath.endsWith("/target") || e.instancePath.startsWith("/probes/")) {
        return `${where} is not a valid endpoint (id, id.neurons, optionally with a slice like id[0:2]), got ${shown(e.data)}`;
      }
      if (e.instancePath.endsWith("/file")) return `${where} must name a .csv or .npy file, got ${shown(e.data)}`;
      return `${where} must match ${(e.params as { pattern: string }).pattern}, got ${shown(e.data)}`;
    case "accepted": {
      const accepted = (e.params as { accepted: string[] }).accepted;
      return `${where} must be ${accepted.length > 1 ? `${accepted.slice(0, -1).join(", ")} or ${accepted[accepted.length - 1]}` : accepted[0]}, got ${shown(e.data)}`;
    }
    case "propertyNames":
      return `${where} has an invalid id '${(e.params as { propertyName: string }).propertyName}'`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
    case "minItems":
    case "maxItems":
    case "minLength":
    case "maxLength":
      return `${where} ${e.message ?? "is out of range"}, got ${Array.isArray(e.data) ? `${e.data.length} items` : shown(e.data)}`;
    default:
      return `${where} ${e.message ?? "is invalid"}`;
  }
}

// ---------------------------------------------------------------- oneOf branches

const subtrees = new WeakMap<object, Set<object>>();

function resolveRef(ref: string): unknown {
  if (!ref.startsWith("#/") || !rootSchema) return undefined;
  let node: unknown = rootSchema;
  for (const seg of ref.slice(2).split("/")) {
    node = (node as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

/** Every schema object reachable from `schema`, through local $refs: the errors one oneOf branch can produce. */
function subtree(schema: object): Set<object> {
  let set = subtrees.get(schema);
  if (set) return set;
  set = new Set<object>();
  const walk = (node: unknown): void => {
    if (typeof node !== "object" || node === null || set!.has(node)) return;
    set!.add(node);
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string") walk(resolveRef(ref));
    for (const v of Object.values(node)) walk(v);
  };
  walk(schema);
  subtrees.set(schema, set);
  return set;
}

function under(e: ErrorObject, path: string): boolean {
  return e.instancePath === path || e.instancePath.startsWith(path + "/");
}

/**
 * ajv reports the errors of every branch of a failed oneOf. Keep one branch: drop those whose type
 * does not match the value at all (a mapping is not a number), then take the branch with the fewest
 * errors (a mapping with `dist` is a distribution with a typo, not a {shape, data} missing both).
 * When every branch is the wrong type, say so once: "must be a number or a list".
 */
function pickBranch(e: ErrorObject, groups: ErrorObject[][]): ErrorObject[] {
  const atValue = (x: ErrorObject): boolean => x.instancePath === e.instancePath;
  const kindOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  /** A branch for another kind of value: a type error, or an enum of strings when the value is a mapping. */
  const wrongKind = (x: ErrorObject): boolean => {
    if (!atValue(x)) return false;
    if (x.keyword === "type") return true;
    const allowed = x.keyword === "enum" ? (x.params as { allowedValues: unknown[] }).allowedValues : x.keyword === "const" ? [(x.params as { allowedValue: unknown }).allowedValue] : undefined;
    return allowed !== undefined && !allowed.some((a) => kindOf(a) === kindOf(x.data));
  };
  const candidates = groups.filter((g) => g.length > 0 && !g.some(wrongKind));
  if (candidates.length > 0) return candidates.reduce((best, g) => (g.length < best.length ? g : best));
  // Every branch wants another kind of value: list what is accepted, once.
  const accepted: string[] = [];
  for (const x of groups.flat().filter(wrongKind)) {
    const phrase = x.keyword === "type"
      ? typeWords((x.params as { type: string }).type)
      : `one of ${(x.keyword === "enum" ? (x.params as { allowedValues: unknown[] }).allowedValues : [(x.params as { allowedValue: unknown }).allowedValue]).map((v) => JSON.stringify(v)).join(", ")}`;
    if (!accepted.includes(phrase)) accepted.push(phrase);
  }
  if (accepted.length === 0) return [e];
  return [{ ...e, keyword: "accepted", params: { accepted } }];
}

function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === "if") continue;
    if ((e.keyword === "oneOf" || e.keyword === "anyOf") && Array.isArray(e.schema) && (e.params as { passingSchemas?: unknown }).passingSchemas == null) {
      // The branch errors come right before their oneOf error, with nested oneOfs already collapsed.
      const sets = (e.schema as object[]).map(subtree);
      const groups: ErrorObject[][] = sets.map(() => []);
      while (kept.length > 0) {
        const last = kept[kept.length - 1];
        const i = under(last, e.instancePath) && last.parentSchema ? sets.findIndex((s) => s.has(last.parentSchema as object)) : -1;
        if (i < 0) break;
        groups[i].unshift(kept.pop()!);
      }
      kept.push(...pickBranch(e, groups));
      continue;
    }
    // The pattern error inside propertyNames names the bad key; the propertyNames error after it adds nothing.
    if (e.keyword === "propertyNames" && kept.some((k) => k.propertyName !== undefined && k.instancePath === e.instancePath)) continue;
    kept.push(e);
  }
  // A misspelt field explains its "missing required field" (dimension → dimensions).
  const out = kept.filter((e) => {
    if (e.keyword !== "required") return true;
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return !kept.some((o) => o.keyword === "additionalProperties" && o.instancePath === e.instancePath && suggestionFor(o) === missing);
  });
  const seen = new Set<string>();
  return out.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}|${e.propertyName ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function validateSchema(src: ParsedSource): void {
  const validate = networkValidator();
  if (validate(src.value)) return;
  const errors = simplify(validate.errors ?? []);
  const diagnostics: Diagnostic[] = errors.slice(0, 20).map((e) => {
    const path = pointerToPath(e.instancePath);
    if (e.keyword === "additionalProperties") {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return diag("LMU1002", describe(e), src.locate([...path, key], true));
    }
    if (e.propertyName !== undefined) return diag("LMU1002", describe(e), src.locate([...path, e.propertyName], true));
    // A missing field is reported at the key of the mapping that lacks it.
    if (e.keyword === "required") return diag("LMU1002", describe(e), src.locate(path, path.length > 0));
    return diag("LMU1002", describe(e), src.locate(path));
  });
  // In file order, like a compiler, rather than in the schema's order.
  diagnostics.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
  throw new DiagnosticError(diagnostics);
}
