/**
 * The `calibration:` block of a trained cell: the input sequences the spiking conversion scales
 * the cell's populations to and the compiler calibrates on (`lmuc compile` of a trained cell
 * needs them). The file is only located here (resolved against the network file's folder, and
 * it must exist); its contents are read and checked when a conversion needs them
 * (evaluate/chip-build.ts), with errors located at this block.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { CellCalibration } from "../ir/network.js";
import type { JsonPath } from "./source.js";
import type { Ctx } from "./values.js";

export function readCalibrationBlock(ctx: Ctx, raw: unknown, path: JsonPath): CellCalibration {
  // The schema has checked the shape: { inputs: "*.npy", sequences?: integer ≥ 1 }.
  const o = raw as { inputs: string; sequences?: number };
  const inputsFile = resolve(ctx.baseDir, o.inputs);
  let why: string | undefined;
  try {
    if (!statSync(inputsFile).isFile()) why = "it is not a regular file";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    why = code === "ENOENT" ? "no such file" : (code ?? (e as Error).message);
  }
  if (why) {
    throw new DiagnosticError([
      diag("LMU7041", `calibration inputs '${o.inputs}': ${why} (looked for ${inputsFile}; relative paths are resolved against the network file's folder)`, ctx.src.locate([...path, "inputs"])),
    ]);
  }
  return { inputsFile, inputs: o.inputs, ...(o.sequences !== undefined ? { sequences: o.sequences } : {}), origin: ctx.src.locate(path, true) };
}
