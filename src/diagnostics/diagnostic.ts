import { CODES, type DiagnosticCode } from "./codes.js";

/** Where in a user's file something came from; 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** JSON path of the value inside the document, e.g. /ensembles/0/n_neurons. */
  readonly path?: string;
}

export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: SourceLocation;
  readonly hint?: string;
  readonly related?: readonly { readonly message: string; readonly location?: SourceLocation }[];
}

/** Thrown to abort on user errors; carries every diagnostic found so far. */
export class DiagnosticError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "DiagnosticError";
    this.diagnostics = diagnostics;
  }
}

export function diag(
  code: DiagnosticCode,
  message: string,
  location?: SourceLocation,
  extra: { severity?: Severity; hint?: string; related?: Diagnostic["related"] } = {},
): Diagnostic {
  const hint = extra.hint ?? (CODES[code] as { hint?: string }).hint;
  return {
    code,
    severity: extra.severity ?? "error",
    message,
    ...(location ? { location } : {}),
    ...(hint ? { hint } : {}),
    ...(extra.related ? { related: extra.related } : {}),
  };
}

export function fail(code: DiagnosticCode, message: string, location?: SourceLocation, hint?: string): never {
  throw new DiagnosticError([diag(code, message, location, hint ? { hint } : {})]);
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return "lmuc";
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** `file:line:col: error LMU2001: message` plus indented hint and related notes. */
export function formatDiagnostic(d: Diagnostic): string {
  const lines = [`${formatLocation(d.location)}: ${d.severity} ${d.code}: ${d.message}`];
  for (const r of d.related ?? []) lines.push(`  ${formatLocation(r.location)}: note: ${r.message}`);
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join("\n");
}

export function diagnosticToJson(d: Diagnostic): Record<string, unknown> {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.location ? { location: d.location } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.related ? { related: d.related } : {}),
  };
}
