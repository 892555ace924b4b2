/** Option parsers shared by every lmuc command: a bad value is a usage error (exit 2). */
import { statSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";

/** Plain decimal notation, with an optional exponent: no hex, binary, blanks or "Infinity". */
const DECIMAL = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function positiveNumber(what: string) {
  return (v: string): number => {
    const x = DECIMAL.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(x) || x <= 0) throw new InvalidArgumentError(`${what} must be a positive number, got '${v}'`);
    return x;
  };
}

export function positiveInt(what: string) {
  return (v: string): number => {
    const x = DECIMAL.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(x) || x <= 0) throw new InvalidArgumentError(`${what} must be a positive whole number, got '${v}'`);
    return x;
  };
}

/** Largest network or target file the command line reads (networks with inline data included). */
export const MAX_INPUT_FILE_BYTES = 256 * 1024 ** 2;

/**
 * Throws LMU8001 if `file` exists but is not a regular file, or is over `maxBytes`, before anything
 * reads it: /dev/zero, a FIFO or a huge file would otherwise be read whole (or forever). A missing
 * file is left to the reader, which says so with its own message.
 */
export function assertReadableInput(file: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    return;
  }
  if (st.isDirectory()) return; // the reader's EISDIR message names the problem
  if (!st.isFile()) throw new DiagnosticError([diag("LMU8001", `cannot read ${what} '${file}': not a regular file (a device, pipe or socket)`)]);
  if (st.size > maxBytes) throw new DiagnosticError([diag("LMU8001", `cannot read ${what} '${file}': ${st.size} bytes is more than lmuc reads (${maxBytes})`)]);
}

/** `--target` names a shipped target or a file; a file is checked like any input. */
export function assertReadableTarget(nameOrPath: string): void {
  if (/[/\\]|\.ya?ml$/i.test(nameOrPath)) assertReadableInput(nameOrPath, "target file", 16 * 1024 ** 2);
}
