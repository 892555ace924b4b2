/**
 * Dense row-major float64 matrices: the one matrix type shared by the LMU, NEF and simulator code.
 * Element (i, j) is data[i * cols + j]. Vectors are Float64Array.
 */
import { gemm, rowMajor } from "./blas.js";
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function mat(rows: number, cols: number, data?: ArrayLike<number>): Mat {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`bad matrix shape ${rows}x${cols}`);
  }
  const out = new Float64Array(rows * cols);
  if (data !== undefined) {
    if (data.length !== rows * cols) {
      throw new RangeError(`matrix data has ${data.length} entries, expected ${rows}x${cols}`);
    }
    out.set(data);
  }
  return { rows, cols, data: out };
}

export function zeros(rows: number, cols: number): Mat {
  return mat(rows, cols);
}

export function identity(n: number): Mat {
  const m = mat(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function fromRows(rows: readonly (readonly number[])[]): Mat {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = mat(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new RangeError(`ragged matrix: row ${i} has ${rows[i].length} entries, expected ${c}`);
    for (let j = 0; j < c; j++) m.data[i * c + j] = rows[i][j];
  }
  return m;
}

export function toRows(m: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function get(m: Mat, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

export function transpose(m: Mat): Mat {
  const t = mat(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
  }
  return t;
}

/** a·b, with an i-k-j loop so the inner loop runs over contiguous memory. */
export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new RangeError(`matmul shape mismatch ${a.rows}x${a.cols} · ${b.rows}x${b.cols}`);
  const n = a.rows, k = a.cols, m = b.cols;
  const out = new Float64Array(n * m);
  const ad = a.data, bd = b.data;
  // The same per-element sums on the SIMD kernel (skipping a zero a_ip changes nothing: the
  // running sum is never −0, so adding ±0 leaves it as it is).
  if (n * m * k >= 1 << 15) {
    gemm(n, m, k, rowMajor(ad, k), rowMajor(bd, m), out, 0, m);
    return { rows: n, cols: m, data: out };
  }
  for (let i = 0; i < n; i++) {
    const orow = i * m;
    for (let p = 0; p < k; p++) {
      const aip = ad[i * k + p];
      if (aip === 0) continue;
      const brow = p * m;
      for (let j = 0; j < m; j++) out[orow + j] += aip * bd[brow + j];
    }
  }
  return { rows: n, cols: m, data: out };
}

export function add(a: Mat, b: Mat): Mat {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError("add shape mismatch");
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return { rows: a.rows, cols: a.cols, data: out };
}

export function scale(a: Mat, s: number): Mat {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] * s;
  return { rows: a.rows, cols: a.cols, data: out };
}

/** Columns [c0, c1) of m. */
export function sliceCols(m: Mat, c0: number, c1: number): Mat {
  const out = mat(m.rows, c1 - c0);
  for (let i = 0; i < m.rows; i++) {
    for (let j = c0; j < c1; j++) out.data[i * (c1 - c0) + (j - c0)] = m.data[i * m.cols + j];
  }
  return out;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}
