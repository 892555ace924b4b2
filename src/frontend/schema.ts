/** ajv validation of a parsed network against schemas/network.schema.json, as located diagnostics. */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { schemaPath } from "../util/paths.js";
import type { JsonPath, ParsedSource } from "./source.js";

let validator: ValidateFunction | undefined;

function networkValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(schemaPath("network.schema.json"), "utf8")) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    validator = ajv.compile(schema);
  }
  return validator;
}

function pointerToPath(pointer: string): JsonPath {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === "" ? "the network" : e.instancePath;
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown field '${(e.params as { additionalProperty: string }).additionalProperty}' in ${where}`;
    case "required":
      return `${where} is missing the required field '${(e.params as { missingProperty: string }).missingProperty}'`;
    case "enum":
      return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case "type":
      return `${where} must be ${(e.params as { type: string }).type}`;
    case "pattern":
      return `${where} is not a valid ${e.instancePath.includes("/connections/") || e.instancePath.endsWith("/input") || e.instancePath.endsWith("/target") || e.instancePath.startsWith("/probes/") ? "endpoint (id, id.neurons, optionally with a slice like id[0:2])" : "name (letters, digits, _ and -, starting with a letter or _)"}`;
    case "propertyNames":
      return `${where} has an invalid id`;
    default:
      return `${where} ${e.message ?? "is invalid"}`;
  }
}

/**
 * ajv reports every branch of a oneOf; keep the most useful: errors at the deepest path first,
 * and drop the generic "must match exactly one schema" when a deeper error explains it.
 */
function selectErrors(errors: ErrorObject[]): ErrorObject[] {
  const relevant = errors.filter((e) => e.keyword !== "if" && !(e.keyword === "propertyNames" && errors.some((o) => o.keyword === "pattern" && o.instancePath === e.instancePath)));
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of relevant) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const paths = [...byPath.keys()];
  const out: ErrorObject[] = [];
  for (const p of paths) {
    const deeper = paths.some((q) => q !== p && q.startsWith(p + "/"));
    const list = byPath.get(p)!;
    const specific = list.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf");
    if (deeper && specific.every((e) => e.keyword === "type")) continue;
    if (specific.length > 0) {
      // Several "type" alternatives from a oneOf say one thing: merge them.
      const types = specific.filter((e) => e.keyword === "type");
      const others = specific.filter((e) => e.keyword !== "type");
      out.push(...others);
      if (types.length > 0 && others.length === 0) {
        const merged = [...new Set(types.map((t) => (t.params as { type: string }).type))].join(" or ");
        out.push({ ...types[0], params: { type: merged } });
      }
    } else if (!deeper) {
      out.push(list[0]);
    }
  }
  return out;
}

export function validateSchema(src: ParsedSource): void {
  const validate = networkValidator();
  if (validate(src.value)) return;
  const errors = selectErrors(validate.errors ?? []);
  const diagnostics: Diagnostic[] = errors.slice(0, 20).map((e) => {
    const path = pointerToPath(e.instancePath);
    if (e.keyword === "additionalProperties") {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return diag("LMU1002", describe(e), src.locate([...path, key], true));
    }
    return diag("LMU1002", describe(e), src.locate(path));
  });
  throw new DiagnosticError(diagnostics);
}
