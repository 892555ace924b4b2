/** Turning validated YAML values (numbers, lists, {shape,data}, {file}, distributions) into typed arrays. */
import { dirname, resolve } from "node:path";
import { diag, DiagnosticError, fail, type SourceLocation } from "../diagnostics/diagnostic.js";
import { BUDGET_SECONDS } from "./cost.js";
import { ArrayFileError, readCsv, readFileCapped, readNpy } from "../io/arrays.js";
import { mat, type Mat } from "../math/matrix.js";
import type { Distribution } from "../nef/samplers.js";
import type { MatrixSpec, VectorSpec } from "../ir/network.js";
import { MAX_MAGNITUDE, type JsonPath, type ParsedSource } from "./source.js";

export interface Ctx {
  readonly src: ParsedSource;
  /** Folder that relative data files are resolved against. */
  readonly baseDir: string;
  /** Estimated seconds of work a network may ask for (cost.ts); BUDGET_SECONDS unless lowered. */
  readonly budgetSeconds: number;
}

export function makeCtx(src: ParsedSource, budgetSeconds = BUDGET_SECONDS): Ctx {
  return { src, baseDir: dirname(resolve(src.file)), budgetSeconds };
}

type Raw = unknown;

function isObj(x: Raw): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

export function isDistribution(x: Raw): x is Record<string, unknown> & { dist: string } {
  return isObj(x) && typeof x.dist === "string";
}

export function toDistribution(x: Record<string, unknown>): Distribution {
  switch (x.dist) {
    case "uniform":
      return { dist: "uniform", low: x.low as number, high: x.high as number, ...(x.integer ? { integer: true } : {}) };
    case "gaussian":
      return { dist: "gaussian", mean: x.mean as number, std: x.std as number };
    case "choice":
      return { dist: "choice", options: x.options as number[][] };
    case "uniform-hypersphere":
      return { dist: "uniform-hypersphere", surface: (x.surface as boolean | undefined) ?? false, ...(x.min_magnitude !== undefined ? { minMagnitude: x.min_magnitude as number } : {}) };
    case "scattered-hypersphere":
      return { dist: "scattered-hypersphere", surface: (x.surface as boolean | undefined) ?? false };
    default:
      throw new Error(`unknown distribution ${String(x.dist)}`);
  }
}

/**
 * A distribution the samplers can draw from, checked where it is written: `dims` is the length
 * of one draw (1 for vectors and transforms, the dimensions for encoders and eval points).
 * The samplers refuse the same cases, but only after the frontend, as internal errors.
 */
export function checkedDistribution(ctx: Ctx, x: Record<string, unknown>, path: JsonPath, dims: number, what: string): Distribution {
  const d = toDistribution(x);
  const at = (k: string | number, ...rest: (string | number)[]): SourceLocation => ctx.src.locate([...path, k, ...rest]);
  switch (d.dist) {
    case "uniform":
      if (d.integer && (!Number.isSafeInteger(d.low) || !Number.isSafeInteger(d.high) || !(d.low < d.high))) {
        fail("LMU2012", `an integer uniform draws integers in [low, high): low and high must be integers with low < high, got [${d.low}, ${d.high})`, at("high"));
      }
      if (!(d.low <= d.high)) fail("LMU2012", `uniform low ${d.low} is above high ${d.high}; swap them`, at("low"));
      break;
    case "gaussian":
      // Nengo's Gaussian also requires std > 0 (NumberParam low=0, low_open=True).
      if (!(d.std > 0)) fail("LMU2012", `gaussian std must be > 0 (Nengo requires it too), got ${d.std}; for a constant ${what}, give the value itself instead of a distribution`, at("std"));
      break;
    case "choice":
      d.options.forEach((row, k) => {
        if (row.length !== dims) {
          fail("LMU2012", `choice option ${k} has ${row.length} value${row.length === 1 ? "" : "s"}, but each option is one draw of ${what}, which takes ${dims}`, at("options", k));
        }
      });
      break;
    case "uniform-hypersphere":
      if (d.minMagnitude !== undefined && !(d.minMagnitude < 1)) fail("LMU2012", `min_magnitude must be below 1 (the radius of the sphere), got ${d.minMagnitude}`, at("min_magnitude"));
      break;
    case "scattered-hypersphere":
      break;
  }
  return d;
}

/** A 1-D or 2-D array from any accepted form; 1-D comes back as shape [n]. */
export function readArray(ctx: Ctx, x: Raw, path: JsonPath): { shape: number[]; data: Float64Array } {
  const loc = ctx.src.locate(path);
  if (typeof x === "number") return { shape: [1], data: Float64Array.of(x) };
  if (Array.isArray(x)) {
    if (x.length > 0 && Array.isArray(x[0])) {
      const rows = x as number[][];
      const cols = rows[0].length;
      const data = new Float64Array(rows.length * cols);
      rows.forEach((r, i) => {
        if (r.length !== cols) fail("LMU2002", `row ${i} has ${r.length} entries but row 0 has ${cols}`, ctx.src.locate([...path, i]));
        data.set(r, i * cols);
      });
      return { shape: [rows.length, cols], data };
    }
    return { shape: [x.length], data: Float64Array.from(x as number[]) };
  }
  if (isObj(x) && Array.isArray(x.shape)) {
    const shape = x.shape as number[];
    const data = x.data as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) fail("LMU2002", `data has ${data.length} entries but shape [${shape.join(", ")}] needs ${n}`, loc);
    return { shape: [...shape], data: Float64Array.from(data) };
  }
  if (isObj(x) && typeof x.file === "string") {
    const filePath = resolve(ctx.baseDir, x.file);
    let buf: Buffer;
    try {
      buf = readFileCapped(filePath);
    } catch (e) {
      if (e instanceof ArrayFileError) return fail("LMU1005", `data file '${x.file}': ${e.message}`, ctx.src.locate([...path, "file"]));
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : code === "EACCES" ? "permission denied" : (code ?? (e as Error).message);
      return fail("LMU8001", `cannot read data file '${x.file}': ${why} (looked for ${filePath}; relative paths are resolved against the network file's folder)`, ctx.src.locate([...path, "file"]));
    }
    try {
      const arr = filePath.endsWith(".npy") ? readNpy(buf) : readCsv(buf.toString("utf8"));
      for (let i = 0; i < arr.data.length; i++) {
        if (!Number.isFinite(arr.data[i])) fail("LMU1003", `data file '${x.file}' holds a non-finite value at flat index ${i}`, ctx.src.locate([...path, "file"]));
        if (Math.abs(arr.data[i]) > MAX_MAGNITUDE) fail("LMU1011", `data file '${x.file}' holds ${arr.data[i]} at flat index ${i}; values are limited to ±${MAX_MAGNITUDE.toExponential(0).replace("e+", "e")}`, ctx.src.locate([...path, "file"]));
      }
      if (arr.shape.length === 0) fail("LMU1005", `data file '${x.file}' holds a 0-d array (a single number); save it with a shape, e.g. np.save(f, np.atleast_1d(x)) or np.atleast_2d for a matrix`, ctx.src.locate([...path, "file"]));
      if (arr.shape.length > 2) fail("LMU1005", `data file '${x.file}' has ${arr.shape.length} dimensions; at most 2 are accepted`, ctx.src.locate([...path, "file"]));
      return { shape: arr.shape, data: arr.data };
    } catch (e) {
      if (e instanceof ArrayFileError) return fail("LMU1005", `${x.file}: ${e.message}`, ctx.src.locate([...path, "file"]));
      throw e;
    }
  }
  return fail("LMU1002", "expected a number, a list, {shape, data} or {file}", loc);
}

export function readVector(ctx: Ctx, x: Raw, path: JsonPath, n: number, what: string): Float64Array {
  const arr = readArray(ctx, x, path);
  if (typeof x === "number") return new Float64Array(n).fill(x);
  if (arr.shape.length === 2 && (arr.shape[0] === 1 || arr.shape[1] === 1)) return checkLen(ctx, arr.data, path, n, what);
  if (arr.shape.length !== 1) fail("LMU2002", `${what} must be a vector of ${n} values, got shape [${arr.shape.join(", ")}]`, ctx.src.locate(path));
  return checkLen(ctx, arr.data, path, n, what);
}

function checkLen(ctx: Ctx, data: Float64Array, path: JsonPath, n: number, what: string): Float64Array {
  if (data.length !== n) fail("LMU2002", `${what} has ${data.length} values, expected ${n}`, ctx.src.locate(path));
  return data;
}

/** `why` explains the expected shape, e.g. which rows and columns a transform maps. */
export function readMatrix(ctx: Ctx, x: Raw, path: JsonPath, rows: number | undefined, cols: number | undefined, what: string, why?: string): Mat {
  const arr = readArray(ctx, x, path);
  let m: Mat;
  if (arr.shape.length === 1) {
    // A flat list is one column when a column is expected (a d=1 ensemble's encoders), else one row.
    m = cols === 1 || rows === undefined ? mat(arr.shape[0], 1, arr.data) : mat(1, arr.shape[0], arr.data);
    if (cols !== undefined && cols !== 1 && rows === 1) m = mat(1, arr.shape[0], arr.data);
  } else {
    m = mat(arr.shape[0], arr.shape[1], arr.data);
  }
  if ((rows !== undefined && m.rows !== rows) || (cols !== undefined && m.cols !== cols)) {
    fail("LMU2002", `${what} has shape [${m.rows}, ${m.cols}], expected [${rows ?? "any"}, ${cols ?? "any"}]${why ? `: ${why}` : ""}`, ctx.src.locate(path));
  }
  return m;
}

export function vectorSpec(ctx: Ctx, x: Raw, path: JsonPath, n: number, what: string, dflt: Distribution): VectorSpec {
  if (x === undefined) return { kind: "dist", dist: dflt };
  if (isDistribution(x)) return { kind: "dist", dist: checkedDistribution(ctx, x, path, 1, what) };
  return { kind: "explicit", values: readVector(ctx, x, path, n, what) };
}

export function matrixSpec(ctx: Ctx, x: Raw, path: JsonPath, rows: number | undefined, cols: number, what: string, dflt: Distribution): MatrixSpec {
  if (x === undefined) return { kind: "dist", dist: dflt };
  if (isDistribution(x)) return { kind: "dist", dist: checkedDistribution(ctx, x, path, cols, what) };
  return { kind: "explicit", values: readMatrix(ctx, x, path, rows, cols, what) };
}

export function locErr(loc: SourceLocation, code: Parameters<typeof diag>[0], message: string): never {
  throw new DiagnosticError([diag(code, message, loc)]);
}
