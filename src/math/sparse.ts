/**
 * The Gram matrix aᵀa of a mostly-zero a on the SIMD kernels, a holding LIF activities (about
 * half exact zeros, and a quarter of a large ensemble's neurons never fire). Each column of a
 * becomes, chunk of rows by chunk, a list of its nonzero values and their rows; kernels.ts's
 * sparseRowPanels multiplies a list into 16-column panels of a. Every element is one sequential
 * sum over the rows, 0 + a_0i·a_0j + a_1i·a_1j + …, with the terms whose a_ri is 0 left out:
 * adding 0·x (finite x) to a sum that started at +0 changes no bit, so the result is bit for bit
 * the plain loop `for r: for i: if a_ri ≠ 0: for j: g_ij += a_ri·a_rj`.
 *
 * Only j ≥ i is computed, with the columns ordered by their count of nonzeros so that each pair
 * is summed over the list of the sparser of the two (the same terms either way): for a
 * 3000-neuron ensemble 0.30 of the dense triangle's work. Where 4 neighbouring columns are mostly
 * nonzero, the dense 4×4 kernel takes them (the list kernel is about 0.6 of its speed per term).
 * (Aᵀ·Y and A·D of a solve over the same lists ran no faster than the dense gemm: not used.)
 */
import { kernels } from "./kernels.js";
import type { StridedView } from "./blas.js";
import { counter, sparseRows, sparseRowsParallel, type SparseRowsParams } from "./parallel.js";

/** Rows of depth per packed chunk: a 16-column panel of it is 16 KiB. */
const KC = 128;
/** Panels per column block: 24 × 16 KiB = 384 KiB of x stay in L2 while the lists stream past. */
const NC_PANELS = 24;
/**
 * Fraction of nonzeros among 4 rows' lists from which the dense 4×4 kernel is used instead: the
 * list kernel gathers and holds 8 columns, about 0.6 of the dense kernel's speed per term.
 */
const DENSE_FROM = 0.55;
/** Below this many multiply-adds (dense count) the plain loops are as fast. */
const SMALL = 1 << 15;

const ceil16 = (n: number): number => (n + 15) & ~15;

/** What one product needs laid out in the kernel memory (byte addresses; see sparseRows). */
interface Layout {
  readonly rowsOut: number;
  readonly rowsPad: number;
  readonly panels: number;
  readonly outAt: number;
  readonly outDoubles: number;
  readonly bAt: number;
  readonly valsAt: number;
  readonly offsAt: number;
  readonly cntAt: number;
  readonly rowAtAt: number;
  readonly bytes: number;
}

function layout(rowsOut: number): Layout {
  const panels = ceil16(rowsOut) >> 4;
  // Row-major, rows of 16·panels doubles (padded up to a multiple of 16 rows: the dense kernel
  // writes 4 at a time); row i is only written from its own panel ⌊i/16⌋ on.
  const rowsPad = ceil16(rowsOut);
  const outDoubles = 16 * panels * rowsPad;
  const outAt = 0;
  const bAt = outAt + 8 * outDoubles;
  const valsAt = bAt + 8 * 16 * panels * KC;
  const offsAt = valsAt + 8 * rowsOut * KC;
  const cntAt = offsAt + 4 * rowsOut * KC;
  const rowAtAt = cntAt + 4 * rowsPad;
  return { rowsOut, rowsPad, panels, outAt, outDoubles, bAt, valsAt, offsAt, cntAt, rowAtAt, bytes: rowAtAt + 4 * rowsPad };
}

/**
 * Rows [r0, r0+kc) of a, column by column, into both forms the kernels read: the 16-column
 * panels at bAt (panel q, row r, lane l holds the column at position 16q+l, column c being at
 * position listOf[c]; 0 past the last column) and list listOf[c] of column c's nonzero values in
 * order of r, with the byte offset r·128 of that row in a panel. One read of each value serves
 * both: they were two passes over the chunk, each reading every column with a whole row's stride.
 * Column by column also for a row-major a: neighbouring columns share the chunk's cache lines (kc
 * lines, in L1), where appending row by row to every column's list scattered the writes.
 */
function packChunk(mem: Float64Array, i32: Int32Array, lay: Layout, a: StridedView, r0: number, kc: number, cols: number, listOf: Int32Array): void {
  const { data, offset, rowStride, colStride } = a;
  const vals = lay.valsAt >> 3, offs = lay.offsAt >> 2, cnt = lay.cntAt >> 2, panelsAt = lay.bAt >> 3;
  i32.fill(0, cnt, cnt + lay.rowsPad);
  for (let c = 0; c < cols; c++) {
    const li = listOf[c];
    let k = li * KC;
    // Written whether 0 or not, kept by advancing k: no branch to mispredict on half the values.
    for (let r = 0, s = offset + r0 * rowStride + c * colStride, d = panelsAt + (li >> 4) * kc * 16 + (li & 15); r < kc; r++, s += rowStride, d += 16) {
      const v = data[s];
      mem[d] = v;
      mem[vals + k] = v;
      i32[offs + k] = r << 7;
      k += v !== 0 ? 1 : 0;
    }
    i32[cnt + li] = k - li * KC;
  }
  // The last panel's lanes past the last column.
  const last = lay.panels - 1, width = cols - 16 * last;
  for (let l = width; l < 16; l++) {
    for (let r = 0, d = panelsAt + last * kc * 16 + l; r < kc; r++, d += 16) mem[d] = 0;
  }
}

/**
 * H[i][j] = Σ_r a(r, colOf(i))·a(r, colOf(j)) for j from panel ⌊i/16⌋ on (a: depth × cols, colOf
 * the inverse of listOf), into the kernel memory's output area (see layout), where the caller
 * reads it. Returns the layout, or null without WebAssembly (nothing done).
 */
function accumulate(a: StridedView, depth: number, cols: number, listOf: Int32Array, work: number): { lay: Layout; mem: Float64Array } | null {
  const kern = work >= SMALL ? kernels() : null;
  if (kern === null) return null;
  const lay = layout(cols);
  kern.reserve(lay.bytes);
  const mem = kern.f64();
  const i32 = new Int32Array(mem.buffer, mem.byteOffset, mem.length * 2);
  // rowAt[i]: the byte address of row i's first written element (the kernels' loop reads row
  // distances from it). Only that part is zeroed: a fresh memory's pages below are never touched.
  const rowDoubles = 16 * lay.panels;
  for (let i = 0; i < lay.rowsPad; i++) {
    const first = 16 * (i >> 4);
    i32[(lay.rowAtAt >> 2) + i] = lay.outAt + 8 * (i * rowDoubles + first);
    mem.fill(0, (lay.outAt >> 3) + i * rowDoubles + first, (lay.outAt >> 3) + (i + 1) * rowDoubles);
  }
  for (let r0 = 0; r0 < depth; r0 += KC) {
    const kc = Math.min(KC, depth - r0);
    packChunk(mem, i32, lay, a, r0, kc, cols, listOf);
    const params: SparseRowsParams = [cols, lay.panels, NC_PANELS, Math.floor(4 * kc * DENSE_FROM), lay.cntAt >> 2, lay.rowAtAt >> 2, lay.valsAt, lay.offsAt, lay.bAt, kc, KC];
    if (!sparseRowsParallel(kern.sparseRowPanels, kern.gemmPanels16, params, work)) sparseRows(kern.sparseRowPanels, kern.gemmPanels16, i32, ...params, counter());
  }
  return { lay, mem };
}

/** H[j][i] ← H[i][j] for j > i (H: n×n from `at`, row stride `stride`), in 32×32 tiles. */
function mirrorUpperBlocked(mem: Float64Array, at: number, stride: number, n: number): void {
  for (let i0 = 0; i0 < n; i0 += 32) {
    const i1 = Math.min(n, i0 + 32);
    for (let j0 = i0; j0 < n; j0 += 32) {
      const j1 = Math.min(n, j0 + 32);
      for (let i = i0; i < i1; i++) {
        for (let j = Math.max(j0, i + 1), src = at + i * stride; j < j1; j++) mem[at + j * stride + i] = mem[src + j];
      }
    }
  }
}

/**
 * Nonzeros per column of row-major a (m×n), on every 4th row: the counts only order the columns
 * (any order gives the same bits; this one only makes the work small), and a pass over all of a
 * cost as much as building the lists.
 */
function columnCounts(ad: Float64Array, m: number, n: number): Int32Array {
  const counts = new Int32Array(n);
  for (let r = 0; r < m; r += 4) {
    const o = r * n;
    for (let i = 0; i < n; i++) counts[i] += ad[o + i] !== 0 ? 1 : 0;
  }
  return counts;
}

/**
 * aᵀ·a for row-major a (m×n, finite) into g (n×n, all +0): the lower triangle (j ≤ i) only with
 * lowerOnly (the upper is not touched), else both. Each element is 0 + a_0i·a_0j + a_1i·a_1j + …
 * in row order (see the file comment). Returns false (nothing done) without WebAssembly.
 */
export function gramSparse(ad: Float64Array, m: number, n: number, g: Float64Array, lowerOnly: boolean): boolean {
  if (m * n * n < SMALL || kernels() === null) return false;
  const counts = columnCounts(ad, m, n);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => counts[x] - counts[y] || x - y);
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[order[i]] = i;
  let nnz = 0;
  for (let i = 0; i < n; i++) nnz += 4 * counts[i] * (n - rank[i]);
  const view: StridedView = { data: ad, offset: 0, rowStride: n, colStride: 1 };
  const done = accumulate(view, m, n, rank, nnz);
  if (done === null) return false;
  const { lay, mem } = done;
  const stride = 16 * lay.panels, at = lay.outAt >> 3;
  mirrorUpperBlocked(mem, at, stride, n);
  // g[a][b] = H[rank a][rank b]: one row of H per row of g, gathered (a scatter from H's rows
  // to g's was TLB misses on every write: 0.2 s for n = 3000).
  for (let r = 0; r < n; r++) {
    const row = at + rank[r] * stride, grow = r * n, end = lowerOnly ? r + 1 : n;
    for (let c = 0; c < end; c++) g[grow + c] = mem[row + rank[c]];
  }
  return true;
}
