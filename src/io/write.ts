/** Atomic output: write a temporary file beside the target, then rename, so a failure never leaves half a file. */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { DiagnosticError, diag } from "../diagnostics/diagnostic.js";

function cannotWrite(path: string, reason: string): DiagnosticError {
  return new DiagnosticError([diag("LMU8003", `cannot write '${path}': ${reason}`)]);
}

/** The entry at `path`, or undefined where there is none (ENOTDIR: a file stands on the way; found by the caller's walk up). */
function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw cannotWrite(path, code ?? (e as Error).message);
  }
}

/**
 * Throws LMU8003 unless `path` can become an output file: it must not be a folder, and the
 * nearest existing folder above it must be a folder, not a file. Commands call this before a
 * long run so that a bad `--out` fails in a second, not after the run.
 */
export function assertOutputPath(path: string): void {
  const target = resolve(path);
  const st = statIfAny(target);
  if (st?.isDirectory()) throw cannotWrite(path, "it is a folder; give a file name");
  assertParentIsFolder(path);
}

/** Throws LMU8003 if the nearest existing entry above `path` is a file (so nothing can be created there). */
export function assertParentIsFolder(path: string): void {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const d = statIfAny(dir);
    if (d) {
      if (!d.isDirectory()) throw cannotWrite(path, `'${dir}' is a file, not a folder`);
      return;
    }
    if (dirname(dir) === dir) return;
  }
}

export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  const target = resolve(path);
  // Unique per call, so two writers in one process never share a temporary file.
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    assertOutputPath(path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tmp, contents);
    renameSync(tmp, target);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* the temporary file was never created (e.g. its folder could not be) */
    }
    if (e instanceof DiagnosticError) throw e;
    throw cannotWrite(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
}
