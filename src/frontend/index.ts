/** Frontend entry points: a file, YAML/JSON text or a plain object → checked NetworkIR. */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { NetworkIR } from "../ir/network.js";
import { convert } from "./convert.js";
import { validateSchema } from "./schema.js";
import { findHuge, findNonFinite, MAX_MAGNITUDE, parseSource } from "./source.js";
import { makeCtx } from "./values.js";

export interface LoadOptions {
  /** Estimated seconds of build work to accept (default BUDGET_SECONDS, 120); tests lower it. */
  readonly budgetSeconds?: number;
}

export function loadNetworkText(text: string, file: string, opts: LoadOptions = {}): NetworkIR {
  const src = parseSource(text, file);
  const bad = findNonFinite(src.value);
  if (bad) {
    const v = bad.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], src.value) as number;
    throw new DiagnosticError([diag("LMU1003", `${bad.length ? "/" + bad.join("/") : "the value"} is ${Number.isNaN(v) ? "NaN (.nan)" : `${v < 0 ? "-" : ""}infinite (${v < 0 ? "-" : ""}.inf)`}; every number must be finite`, src.locate(bad))]);
  }
  validateSchema(src);
  // After the schema, so a count in the wrong place is a schema error, not a magnitude one.
  const huge = findHuge(src.value);
  if (huge) {
    const v = huge.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], src.value) as number;
    throw new DiagnosticError([diag("LMU1011", `${"/" + huge.join("/")} is ${v}; parameter values are limited to ±${MAX_MAGNITUDE.toExponential(0).replace("e+", "e")}, beyond which float products overflow and no fixed-point scale fits`, src.locate(huge))]);
  }
  return convert(makeCtx(src, opts.budgetSeconds), src.value, basename(file, extname(file)));
}

export function loadNetworkFile(path: string, opts: LoadOptions = {}): NetworkIR {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DiagnosticError([diag("LMU8001", `cannot read '${path}'${code === "ENOENT" ? ": no such file" : code === "EISDIR" ? ": it is a folder" : ` (${code ?? (e as Error).message})`}`)]);
  }
  return loadNetworkText(text, path, opts);
}

/** For the TypeScript API: a network object (typed arrays allowed) goes through the same checks as a file. */
export function loadNetworkObject(network: object, file = "<api>"): NetworkIR {
  const text = JSON.stringify(network, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float64Array) : v), 1);
  return loadNetworkText(text, file);
}
