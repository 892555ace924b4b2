/**
 * An evaluation dataset: inputs .npy [sequences, steps, input dimensions] and labels .npy
 * [sequences] of integer classes. Checked against the network (its input's dimensions, its
 * readout's classes); every problem names the file and the offending index.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { ArrayFileError, readNpy, type NumericArray } from "../io/arrays.js";

export interface Dataset {
  readonly sequences: number;
  readonly steps: number;
  readonly dimensions: number;
  /** Row-major [sequences, steps, dimensions]. */
  readonly x: Float64Array;
  readonly labels: Int32Array;
  readonly inputsSha256: string;
  readonly labelsSha256: string;
}

function fail(message: string): never {
  throw new DiagnosticError([diag("LMU7030", message)]);
}

function readArrayFile(path: string, what: string): { arr: NumericArray; sha256: string } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DiagnosticError([diag("LMU8001", `cannot read ${what} '${path}'${code === "ENOENT" ? ": no such file" : code === "EISDIR" ? ": it is a folder" : ` (${code ?? (e as Error).message})`}`)]);
  }
  if (!path.endsWith(".npy")) fail(`${path}: ${what} must be a .npy file`);
  try {
    return { arr: readNpy(buf), sha256: createHash("sha256").update(buf).digest("hex") };
  } catch (e) {
    if (e instanceof ArrayFileError) fail(`${path}: ${e.message}`);
    throw e;
  }
}

/** Input sequences without labels (calibration inputs): x [sequences, steps, dimensions] and the file's sha256. */
export type InputSequences = Pick<Dataset, "sequences" | "steps" | "dimensions" | "x" | "inputsSha256">;

/** Reads and checks an inputs file; `dimensions` comes from the network. */
export function loadInputs(inputsPath: string, dimensions: number): InputSequences {
  const inputs = readArrayFile(inputsPath, "inputs");
  const s = inputs.arr.shape;
  if (s.length !== 3) {
    fail(`${inputsPath}: inputs have shape [${s.join(", ")}] (rank ${s.length}); expected rank 3: [sequences, steps, ${dimensions}]${s.length === 2 && dimensions === 1 ? " (add a last axis of 1: x[..., None])" : ""}`);
  }
  const [n, steps, d] = s;
  if (d !== dimensions) fail(`${inputsPath}: inputs have ${d} values per step (shape [${s.join(", ")}]); the network's input takes ${dimensions}`);
  if (n === 0 || steps === 0) fail(`${inputsPath}: inputs have shape [${s.join(", ")}]; expected at least one sequence of at least one step`);
  const x = inputs.arr.data;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      const seq = Math.floor(i / (steps * d));
      const step = Math.floor(i / d) % steps;
      fail(`${inputsPath}: inputs[${seq}, ${step}, ${i % d}] is ${Number.isNaN(x[i]) ? "NaN" : x[i] > 0 ? "+inf" : "-inf"}; every input must be finite`);
    }
  }
  return { sequences: n, steps, dimensions: d, x, inputsSha256: inputs.sha256 };
}

/** Reads and checks both files; `dimensions` and `classes` come from the network. */
export function loadDataset(inputsPath: string, labelsPath: string, dimensions: number, classes: number): Dataset {
  const { sequences: n, steps, dimensions: d, x, inputsSha256 } = loadInputs(inputsPath, dimensions);
  const labels = readArrayFile(labelsPath, "labels");
  const ls = labels.arr.shape;
  if (ls.length !== 1) fail(`${labelsPath}: labels have shape [${ls.join(", ")}]; expected one class per sequence: [${n}]`);
  if (ls[0] !== n) fail(`${labelsPath}: ${ls[0]} labels for ${n} input sequences (${inputsPath}); expected ${n}`);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.arr.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) fail(`${labelsPath}: labels[${i}] is ${v}; expected a class 0..${classes - 1} (the readout has ${classes} outputs)`);
    y[i] = v;
  }
  return { sequences: n, steps, dimensions: d, x, labels: y, inputsSha256, labelsSha256: labels.sha256 };
}
