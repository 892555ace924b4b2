/** Atomic output: write a temporary file beside the target, then rename, so a failure never leaves half a file. */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DiagnosticError, diag } from "../diagnostics/diagnostic.js";

export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  const target = resolve(path);
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tmp, contents);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new DiagnosticError([diag("LMU8003", `cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)]);
  }
}
