/**
 * Dense products on the WebAssembly SIMD kernels (kernels.ts), packed GotoBLAS-style: the
 * depth in chunks of KC so a packed block of B stays in cache while 4-row panels of A stream
 * past it. Every output element sees the same operations, in the same order, as the plain
 * loops each routine documents (and falls back to): results are bit-identical with and
 * without WebAssembly.
 */
import { kernels, privateKernels, type Kernels } from "./kernels.js";
import { counter, gemmRows, gemmRowsParallel } from "./parallel.js";

/** Element (r, c) of a strided matrix is data[offset + r·rowStride + c·colStride]. */
export interface StridedView {
  readonly data: Float64Array;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

export const rowMajor = (data: Float64Array, cols: number, offset = 0): StridedView => ({ data, offset, rowStride: cols, colStride: 1 });
export const transposed = (v: StridedView): StridedView => ({ data: v.data, offset: v.offset, rowStride: v.colStride, colStride: v.rowStride });

/** Depth of one packed chunk. */
const KC = 256;
/** Panels of B per cache block: 48 × 4 columns × KC × 8 bytes = 384 KiB, within L2. */
const NC_PANELS = 48;
/** Below this many multiply-adds the copies into the kernel memory cost more than they save. */
const SMALL = 1 << 15;

const ceil4 = (n: number): number => (n + 3) & ~3;

/**
 * Column panels of rows [r0, r0+rows) and columns [c0, c0+cols) of `src` (zero-padded to a
 * multiple of 4 columns) into dst from `at`: panel q holds columns c0+4q..c0+4q+3, row by row.
 * `sign` −1 negates (exactly), for C − A·B as C + (−A)·B.
 */
function pack(dst: Float64Array, at: number, src: StridedView, r0: number, rows: number, c0: number, cols: number, sign: number): void {
  const { data, offset, rowStride, colStride } = src;
  const panels = ceil4(cols) >> 2;
  if (colStride === 1 && rowStride !== 1) {
    // Row-contiguous source: walk each source row once, dealing 4 values to every panel (panel
    // by panel, a tall source was re-read from memory for every panel).
    // Full panels: a plain copy when sign is 1 (1·x is x; a pass over a whole activity matrix
    // per product made packing cost as much as some of the products).
    const full = cols >> 2;
    for (let r = 0; r < rows; r++) {
      const srow = offset + (r0 + r) * rowStride + c0;
      let q = 0;
      if (sign === 1) {
        for (let d = at + r * 4, s = srow; q < full; q++, d += rows * 4, s += 4) {
          dst[d] = data[s]; dst[d + 1] = data[s + 1]; dst[d + 2] = data[s + 2]; dst[d + 3] = data[s + 3];
        }
      }
      for (; q < panels; q++) {
        const d = at + q * rows * 4 + r * 4;
        const width = Math.min(4, cols - 4 * q);
        for (let c = 0; c < 4; c++) dst[d + c] = c < width ? sign * data[srow + 4 * q + c] : 0;
      }
    }
    return;
  }
  // Panel by panel, row by row, four columns each: four sequential streams when rows are
  // contiguous (rowStride 1).
  for (let q = 0; q < panels; q++) {
    const base = at + q * rows * 4;
    const width = Math.min(4, cols - 4 * q);
    let s = offset + r0 * rowStride + (c0 + 4 * q) * colStride;
    if (width === 4) {
      // (sign·x is exact: a copy or a negation. The blocked Cholesky packs −L this way, and the
      // per-value loop below made packing a fifth of its time.)
      const s1 = colStride, s2 = 2 * colStride, s3 = 3 * colStride;
      if (sign === 1) {
        for (let r = 0, d = base; r < rows; r++, s += rowStride, d += 4) {
          dst[d] = data[s]; dst[d + 1] = data[s + s1]; dst[d + 2] = data[s + s2]; dst[d + 3] = data[s + s3];
        }
      } else {
        for (let r = 0, d = base; r < rows; r++, s += rowStride, d += 4) {
          dst[d] = -data[s]; dst[d + 1] = -data[s + s1]; dst[d + 2] = -data[s + s2]; dst[d + 3] = -data[s + s3];
        }
      }
      continue;
    }
    for (let r = 0; r < rows; r++, s += rowStride) {
      const d = base + r * 4;
      for (let c = 0; c < 4; c++) dst[d + c] = c < width ? sign * data[s + c * colStride] : 0;
    }
  }
}

/**
 * C ← C + sign·A·B for row-major C (m×n, data from cOffset, row stride ldc): every element gets
 * C + (sign·a_p)·b_p for p = 0..k−1 in order, as `for p: c += a[i][p] * b[p][j]` does (sign −1
 * gives `c -= a*b` exactly). `cIsZero`: the caller promises C is all +0 (a fresh array), so it is
 * not read: reading a freshly allocated array costs a page fault per 4 KiB (~3 ms per MB on the
 * bench machine), and the result is the same (the sums start from +0 either way).
 */
export function gemm(m: number, n: number, k: number, a: StridedView, b: StridedView, c: Float64Array, cOffset: number, ldc: number, sign: 1 | -1 = 1, cIsZero = false): void {
  if (m === 0 || n === 0 || k === 0) return;
  const kern = m * n * k >= SMALL ? kernels() : null;
  if (kern === null) {
    gemmPlain(m, n, k, a, b, c, cOffset, ldc, sign);
    return;
  }
  const mPad = ceil4(m), nPad = ceil4(n);
  const cAt = 0, bAt = mPad * nPad, aAt = bAt + KC * nPad;
  kern.reserve(8 * (aAt + KC * mPad));
  const mem = kern.f64();
  if (cIsZero) mem.fill(0, cAt, cAt + m * nPad);
  else for (let i = 0; i < m; i++) mem.set(c.subarray(cOffset + i * ldc, cOffset + i * ldc + n), cAt + i * nPad);
  const panels = nPad >> 2;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    pack(mem, bAt, b, p0, kc, 0, n, 1);
    pack(mem, aAt, transposed(a), p0, kc, 0, m, sign);
    // B in blocks of NC_PANELS panels, each reused by every A panel while it sits in L2; the
    // row groups shared with the helper thread when it is up and the chunk is large.
    const groups = mPad >> 2;
    if (!gemmRowsParallel(kern.gemmPanel, panels, NC_PANELS, nPad, groups, cAt, aAt, bAt, kc)) gemmRows(kern.gemmPanel, panels, NC_PANELS, nPad, groups, cAt, aAt, bAt, kc, counter());
  }
  for (let i = 0; i < m; i++) c.set(mem.subarray(cAt + i * nPad, cAt + i * nPad + n), cOffset + i * ldc);
}

function gemmPlain(m: number, n: number, k: number, a: StridedView, b: StridedView, c: Float64Array, cOffset: number, ldc: number, sign: number): void {
  for (let i = 0; i < m; i++) {
    const crow = cOffset + i * ldc;
    for (let p = 0; p < k; p++) {
      const aip = sign * a.data[a.offset + i * a.rowStride + p * a.colStride];
      const bp = b.offset + p * b.rowStride;
      for (let j = 0; j < n; j++) c[crow + j] += aip * b.data[bp + j * b.colStride];
    }
  }
}

/**
 * x (n×k, row-major) ← solution of L·y = x then Lᵀ·x = y for lower-triangular L (n×n), each row
 * update x_i −= l·x_p in the order of linalg.ts's choleskySolve loops; rows of x as SIMD lanes.
 * Returns false (nothing done) without WebAssembly or for narrow right-hand sides.
 */
export function choleskySubstitute(l: Float64Array, n: number, x: Float64Array, k: number): boolean {
  const kern = k >= 8 && n * n * k >= SMALL ? kernels() : null;
  if (kern === null) return false;
  kern.reserve(8 * n * k);
  const mem = kern.f64();
  mem.set(x.subarray(0, n * k), 0);
  const { axpy } = kern;
  for (let i = 0; i < n; i++) {
    const irow = i * n, xi = i * k;
    for (let p = 0; p < i; p++) {
      const f = l[irow + p];
      if (f !== 0) axpy(8 * xi, 8 * p * k, -f, k);
    }
    const d = l[irow + i];
    for (let j = 0; j < k; j++) mem[xi + j] /= d;
  }
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * k;
    for (let p = i + 1; p < n; p++) {
      const f = l[p * n + i];
      if (f !== 0) axpy(8 * xi, 8 * p * k, -f, k);
    }
    const d = l[i * n + i];
    for (let j = 0; j < k; j++) mem[xi + j] /= d;
  }
  x.set(mem.subarray(0, n * k));
  return true;
}

/**
 * out ← (or +=) M·x for a fixed row-major M (rows×cols), on a private copy of M packed into 8-row
 * panels for the SIMD kernel: each out_i is 0 + m_i0·x_0 + m_i1·x_1 + … in column order, then
 * added to out_i — the operations of sim/plan.ts's matVec, so the simulator's results do not move.
 */
export class PackedMatVec {
  private constructor(
    private readonly kern: Kernels,
    private readonly rows: number,
    private readonly cols: number,
    private readonly nPanels: number,
  ) {}

  /** null without WebAssembly (the caller keeps its loop). */
  static create(m: Float64Array, rows: number, cols: number): PackedMatVec | null {
    const nPanels = (rows + 7) >> 3;
    const kern = privateKernels(8 * (nPanels * 8 * cols + cols + nPanels * 8));
    if (kern === null) return null;
    const mem = kern.f64();
    for (let q = 0; q < nPanels; q++) {
      for (let j = 0; j < cols; j++) {
        for (let r = 0; r < 8; r++) {
          const i = q * 8 + r;
          mem[(q * cols + j) * 8 + r] = i < rows ? m[i * cols + j] : 0;
        }
      }
    }
    return new PackedMatVec(kern, rows, cols, nPanels);
  }

  apply(x: Float64Array, out: Float64Array, accumulate: boolean): void {
    const { kern, rows, cols, nPanels } = this;
    const mem = kern.f64();
    const X = nPanels * 8 * cols, Y = X + cols;
    for (let j = 0; j < cols; j++) mem[X + j] = x[j];
    kern.matVecPanels(8 * Y, 0, 8 * X, cols, nPanels);
    if (accumulate) for (let i = 0; i < rows; i++) out[i] += mem[Y + i];
    else for (let i = 0; i < rows; i++) out[i] = mem[Y + i];
  }
}

/**
 * out ← Σ_k a[i_k]·W[i_k] over a list of rows i_k (ascending, as given) of a fixed row-major W
 * (rows×width), on a private copy of W: each out_r is 0 + W[i_0][r]·a_i0 + W[i_1][r]·a_i1 + …
 * in list order, as the float simulator's event-driven loop computes it; the SIMD lanes are
 * different r.
 */
export class PackedRowSum {
  private constructor(private readonly kern: Kernels, private readonly rows: number, private readonly width: number) {}

  /** null without WebAssembly (the caller keeps its loop). */
  static create(w: Float64Array, rows: number, width: number): PackedRowSum | null {
    const kern = privateKernels(8 * (rows * width + width));
    if (kern === null) return null;
    kern.f64().set(w.subarray(0, rows * width));
    return new PackedRowSum(kern, rows, width);
  }

  sum(list: Int32Array, count: number, a: Float64Array, out: Float64Array): void {
    const { kern, rows, width } = this;
    const mem = kern.f64();
    const Y = rows * width;
    mem.fill(0, Y, Y + width);
    const axpy = kern.axpy;
    for (let k = 0; k < count; k++) {
      const i = list[k];
      axpy(8 * Y, 8 * i * width, a[i], width);
    }
    for (let r = 0; r < width; r++) out[r] = mem[Y + r];
  }
}
