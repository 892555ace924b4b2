/**
 * Dense linear algebra on the shared row-major `Mat`: matrix exponential, LU and Cholesky
 * solves, Gram products. Plain loops over Float64Array, arranged so inner loops walk
 * contiguous memory.
 */
import { type Mat, identity, mat, matmul } from "./matrix.js";
import { choleskySubstitute, gemm, rowMajor, transposed } from "./blas.js";
import { gramSparse } from "./sparse.js";
import { kernels } from "./kernels.js";

const EPS = Number.EPSILON;

function assertSquare(a: Mat, what: string): void {
  if (a.rows !== a.cols) throw new RangeError(`${what}: matrix must be square, got ${a.rows}x${a.cols}`);
}

/** Maximum absolute column sum ‖a‖₁. */
export function norm1(a: Mat): number {
  const { rows, cols, data } = a;
  const colSums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) colSums[j] += Math.abs(data[row + j]);
  }
  let best = 0;
  for (let j = 0; j < cols; j++) {
    // NaN must propagate: a NaN column would otherwise be silently ignored by `>`.
    if (Number.isNaN(colSums[j])) return NaN;
    if (colSums[j] > best) best = colSums[j];
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// Matrix exponential (Higham 2005, "The scaling and squaring method for the matrix
// exponential revisited", SIAM J. Matrix Anal. Appl. 26(4), Algorithm 2.3).

/** Largest ‖A‖₁ for which the degree-m Padé approximant is accurate to unit roundoff (Table 2.3). */
const THETA_3 = 1.495585217958292e-2;
const THETA_5 = 2.539398330063230e-1;
const THETA_7 = 9.504178996162932e-1;
const THETA_9 = 2.097847961257068e0;
const THETA_13 = 5.371920351148152e0;

/** Coefficients b_0..b_m of the [m/m] Padé approximant to e^x (numerator; denominator alternates sign). */
const PADE: Record<3 | 5 | 7 | 9 | 13, readonly number[]> = {
  3: [120, 60, 12, 1],
  5: [30240, 15120, 3360, 420, 30, 1],
  7: [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1],
  9: [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1],
  13: [
    64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000,
    10559470521600, 670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
  ],
};

/** Σ coef[k]·terms[k] (+ diag·I), all n×n; one pass so no temporaries pile up. */
function linearCombination(n: number, terms: readonly Mat[], coefs: readonly number[], diag: number): Mat {
  const out = mat(n, n);
  const od = out.data;
  for (let t = 0; t < terms.length; t++) {
    const c = coefs[t];
    const td = terms[t].data;
    for (let i = 0; i < od.length; i++) od[i] += c * td[i];
  }
  for (let i = 0; i < n; i++) od[i * n + i] += diag;
  return out;
}

/** Solve (V − U) X = (V + U), the Padé rational r_m(A) = q_m(A)⁻¹ p_m(A). */
function padeQuotient(n: number, u: Mat, v: Mat): Mat {
  const p = mat(n, n);
  const q = mat(n, n);
  for (let i = 0; i < n * n; i++) {
    p.data[i] = v.data[i] + u.data[i];
    q.data[i] = v.data[i] - u.data[i];
  }
  return luSolve(q, p);
}

/** Padé degree 3, 5, 7 or 9 on an unscaled matrix (its 1-norm is already below θ_m). */
function padeLow(a: Mat, m: 3 | 5 | 7 | 9): Mat {
  const n = a.rows;
  const b = PADE[m];
  // Even powers A², A⁴, …, A^(m−1).
  const powers: Mat[] = [];
  const a2 = matmul(a, a);
  powers.push(a2);
  for (let k = 4; k < m; k += 2) powers.push(matmul(powers[powers.length - 1], a2));
  // U = A·(b_m A^(m−1) + … + b_3 A² + b_1 I),  V = b_{m−1} A^(m−1) + … + b_2 A² + b_0 I.
  const oddCoefs: number[] = [];
  const evenCoefs: number[] = [];
  for (let k = 0; k < powers.length; k++) {
    oddCoefs.push(b[2 * k + 3]);
    evenCoefs.push(b[2 * k + 2]);
  }
  const u = matmul(a, linearCombination(n, powers, oddCoefs, b[1]));
  const v = linearCombination(n, powers, evenCoefs, b[0]);
  return padeQuotient(n, u, v);
}

/** Padé degree 13 on a matrix already scaled by 2^−s. */
function pade13(a: Mat): Mat {
  const n = a.rows;
  const b = PADE[13];
  const a2 = matmul(a, a);
  const a4 = matmul(a2, a2);
  const a6 = matmul(a4, a2);
  // Evaluated as in Higham (2005) eq. (2.6) so only six products are needed.
  const uInner = matmul(a6, linearCombination(n, [a6, a4, a2], [b[13], b[11], b[9]], 0));
  const uSum = linearCombination(n, [uInner, a6, a4, a2], [1, b[7], b[5], b[3]], b[1]);
  const u = matmul(a, uSum);
  const vInner = matmul(a6, linearCombination(n, [a6, a4, a2], [b[12], b[10], b[8]], 0));
  const v = linearCombination(n, [vInner, a6, a4, a2], [1, b[6], b[4], b[2]], b[0]);
  return padeQuotient(n, u, v);
}

/**
 * e^a by Padé approximation with scaling and squaring (Higham 2005). The degree is picked
 * from ‖a‖₁ against θ_m; above θ_13 the matrix is scaled by 2^−s so that ‖a/2^s‖₁ ≤ θ_13,
 * the [13/13] approximant is taken, and the result squared s times.
 */
export function expm(a: Mat): Mat {
  assertSquare(a, "expm");
  const n = a.rows;
  if (n === 0) return mat(0, 0);
  const norm = norm1(a);
  if (!Number.isFinite(norm)) throw new RangeError("expm: matrix has non-finite entries");
  if (norm === 0) return identity(n);
  if (norm <= THETA_3) return padeLow(a, 3);
  if (norm <= THETA_5) return padeLow(a, 5);
  if (norm <= THETA_7) return padeLow(a, 7);
  if (norm <= THETA_9) return padeLow(a, 9);
  const s = Math.max(0, Math.ceil(Math.log2(norm / THETA_13)));
  // Scaling by a power of two is exact, so the only error is the approximant's.
  const factor = 2 ** -s;
  let scaled = a;
  if (s > 0) {
    const d = new Float64Array(a.data.length);
    for (let i = 0; i < d.length; i++) d[i] = a.data[i] * factor;
    scaled = { rows: n, cols: n, data: d };
  }
  let r = pade13(scaled);
  for (let k = 0; k < s; k++) r = matmul(r, r);
  return r;
}

// ---------------------------------------------------------------------------------------
// LU with partial pivoting

/**
 * Solve a·x = b (a n×n, b n×k) by Gaussian elimination with partial pivoting.
 * Throws if a is singular to working precision: a pivot that is zero, non-finite, or at most
 * n·ε times the largest entry of its original row (a row-scaled test, so a matrix whose rows
 * merely differ in magnitude is not rejected).
 */
export function luSolve(a: Mat, b: Mat): Mat {
  assertSquare(a, "luSolve");
  const n = a.rows;
  if (b.rows !== n) throw new RangeError(`luSolve: right-hand side has ${b.rows} rows, expected ${n}`);
  const k = b.cols;
  const lu = Float64Array.from(a.data);
  const x = Float64Array.from(b.data);

  const rowScale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) {
      const v = Math.abs(lu[i * n + j]);
      if (v > m) m = v;
    }
    rowScale[i] = m;
  }

  for (let c = 0; c < n; c++) {
    let p = c;
    let best = Math.abs(lu[c * n + c]);
    for (let i = c + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + c]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (!(best > n * EPS * rowScale[p]) || !Number.isFinite(best)) {
      throw new Error(`luSolve: matrix is singular to working precision (pivot ${best} in column ${c} of ${n}x${n})`);
    }
    if (p !== c) {
      swapRows(lu, n, p, c);
      swapRows(x, k, p, c);
      const t = rowScale[p];
      rowScale[p] = rowScale[c];
      rowScale[c] = t;
    }
    const pivot = lu[c * n + c];
    const prow = c * n;
    const xprow = c * k;
    for (let i = c + 1; i < n; i++) {
      const irow = i * n;
      const f = lu[irow + c] / pivot;
      if (f === 0) continue;
      lu[irow + c] = f;
      for (let j = c + 1; j < n; j++) lu[irow + j] -= f * lu[prow + j];
      const xirow = i * k;
      for (let j = 0; j < k; j++) x[xirow + j] -= f * x[xprow + j];
    }
  }
  // Back substitution U·x = y, row by row so the RHS rows stay contiguous.
  for (let i = n - 1; i >= 0; i--) {
    const irow = i * n;
    const xirow = i * k;
    for (let c = i + 1; c < n; c++) {
      const u = lu[irow + c];
      if (u === 0) continue;
      const xcrow = c * k;
      for (let j = 0; j < k; j++) x[xirow + j] -= u * x[xcrow + j];
    }
    const d = lu[irow + i];
    for (let j = 0; j < k; j++) x[xirow + j] /= d;
  }
  return { rows: n, cols: k, data: x };
}

function swapRows(d: Float64Array, cols: number, r1: number, r2: number): void {
  const o1 = r1 * cols;
  const o2 = r2 * cols;
  for (let j = 0; j < cols; j++) {
    const t = d[o1 + j];
    d[o1 + j] = d[o2 + j];
    d[o2 + j] = t;
  }
}

// ---------------------------------------------------------------------------------------
// Cholesky

/**
 * Lower-triangular L with a = L·Lᵀ (only the lower triangle of a is read). Throws if a is not
 * symmetric positive definite, i.e. a diagonal pivot is not strictly positive.
 */
export function cholesky(a: Mat): Mat {
  assertSquare(a, "cholesky");
  const n = a.rows;
  const l = new Float64Array(n * n);
  choleskyInto(a.data, n, l);
  return { rows: n, cols: n, data: l };
}

/**
 * cholesky(a)'s factor written over a's lower triangle (the upper triangle is left as it was and
 * never read by the substitutions): the same operations, without a second n×n array, for a
 * caller that owns a (a fresh 72 MB array costs ~0.2 s of page faults on a 3000-neuron solve).
 */
export function choleskyInPlace(a: Mat): void {
  assertSquare(a, "cholesky");
  choleskyInto(a.data, a.rows, a.data);
}

/**
 * l ← the factor of ad's lower triangle; l may be ad itself: every a_ij is read (into s) before
 * l_ij is written at the same place, and only the lower triangle of either is touched.
 */
function choleskyInto(ad: Float64Array, n: number, l: Float64Array): void {
  if (n >= 2 * CHOLESKY_BLOCK && kernels() !== null) {
    choleskyBlocked(ad, n, l);
    return;
  }
  // Row-oriented (Cholesky–Banachiewicz): every inner product is over two contiguous rows of L.
  for (let i = 0; i < n; i++) {
    const irow = i * n;
    for (let j = 0; j <= i; j++) {
      const jrow = j * n;
      let s = ad[irow + j];
      for (let p = 0; p < j; p++) s -= l[irow + p] * l[jrow + p];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) {
          throw new Error(`cholesky: matrix is not symmetric positive definite (pivot ${s} at row ${i} of ${n}x${n})`);
        }
        l[irow + i] = Math.sqrt(s);
      } else {
        l[irow + j] = s / l[jrow + j];
      }
    }
  }
}

/** Columns per block of the blocked Cholesky. */
const CHOLESKY_BLOCK = 64;

/**
 * cholesky's factor with the same operations per element (s = a_ij − l_i0·l_j0 − l_i1·l_j1 − …
 * in order of p, then √s or s / l_jj), arranged left-looking by blocks of columns: the part of
 * each sum over earlier blocks (p < j0) is one matrix product on the SIMD kernel, and the rest
 * (j0 ≤ p < j) finishes row by row as in the plain loop. The first non-positive pivot is found
 * at the same row, with the same value, so the error is the same too. l may be ad (a block's
 * entries of ad are copied into s before any of them is overwritten).
 */
function choleskyBlocked(ad: Float64Array, n: number, l: Float64Array): void {
  const s = new Float64Array(n * CHOLESKY_BLOCK);
  for (let j0 = 0; j0 < n; j0 += CHOLESKY_BLOCK) {
    const j1 = Math.min(n, j0 + CHOLESKY_BLOCK);
    const nb = j1 - j0;
    for (let i = j0; i < n; i++) {
      for (let j = j0; j < j1; j++) s[(i - j0) * nb + (j - j0)] = j <= i ? ad[i * n + j] : 0;
    }
    // s_ij −= Σ_{p<j0} l_ip·l_jp, as C + (−L_rows)·(L_block)ᵀ.
    gemm(n - j0, nb, j0, rowMajor(l, n, j0 * n), transposed(rowMajor(l, n, j0 * n)), s, 0, nb, -1);
    if (!finishBlockOnKernel(s, n - j0, nb, j0, n, l)) finishBlock(s, nb, j0, j1, n, l);
  }
}

function notSpd(v: number, i: number, n: number): Error {
  return new Error(`cholesky: matrix is not symmetric positive definite (pivot ${v} at row ${i} of ${n}x${n})`);
}

/** A block's columns j0..j1−1 of L from s (sums over p < j0 done), row by row as the plain loop. */
function finishBlock(s: Float64Array, nb: number, j0: number, j1: number, n: number, l: Float64Array): void {
  for (let i = j0; i < n; i++) {
    const irow = i * n;
    const jEnd = Math.min(j1, i + 1);
    for (let j = j0; j < jEnd; j++) {
      const jrow = j * n;
      let v = s[(i - j0) * nb + (j - j0)];
      for (let p = j0; p < j; p++) v -= l[irow + p] * l[jrow + p];
      if (i === j) {
        if (!(v > 0) || !Number.isFinite(v)) throw notSpd(v, i, n);
        l[irow + i] = Math.sqrt(v);
      } else {
        l[irow + j] = v / l[jrow + j];
      }
    }
  }
}

/** Rows of a block handled together on the kernel: 256 rows × 64 columns = 128 KiB, in L2. */
const FINISH_ROWS = 256;

/**
 * finishBlock on the SIMD axpy kernel, the block's columns transposed into the kernel memory so
 * each is contiguous over rows: column c gets y_r + (−l_cp)·l_rp for p = j0.. in order (each the
 * plain loop's v − l_rp·l_cp exactly), then √ or ÷ l_cc. Pivots are met in the same order with
 * the same values, so a failure names the same row. Returns false (nothing done) without
 * WebAssembly or for a short block; a 3000-neuron solve spent 0.3 s in the plain loop.
 */
function finishBlockOnKernel(s: Float64Array, rows: number, nb: number, j0: number, n: number, l: Float64Array): boolean {
  const kern = rows >= 64 ? kernels() : null;
  if (kern === null) return false;
  kern.reserve(8 * nb * rows);
  const mem = kern.f64();
  for (let r = 0; r < rows; r++) for (let c = 0; c < nb; c++) mem[c * rows + r] = s[r * nb + c];
  // In chunks of rows; the first holds the block's own rows, so every l_cp and l_cc it uses is
  // final before a later chunk needs it.
  for (let r0 = 0; r0 < rows; r0 += FINISH_ROWS) {
    const r1 = Math.min(rows, r0 + FINISH_ROWS);
    for (let c = 0; c < nb; c++) {
      const col = c * rows, start = Math.max(r0, c);
      for (let p = 0; p < c; p++) kern.axpy(8 * (col + start), 8 * (p * rows + start), -mem[p * rows + c], r1 - start);
      if (r0 === 0) {
        const v = mem[col + c];
        if (!(v > 0) || !Number.isFinite(v)) throw notSpd(v, j0 + c, n);
        mem[col + c] = Math.sqrt(v);
      }
      const d = mem[col + c];
      for (let r = Math.max(start, c + 1); r < r1; r++) mem[col + r] /= d;
    }
  }
  for (let r = 0; r < rows; r++) {
    const lrow = (j0 + r) * n + j0;
    for (let c = 0, cEnd = Math.min(nb, r + 1); c < cEnd; c++) l[lrow + c] = mem[c * rows + r];
  }
  return true;
}

/** Solve a·x = b for symmetric positive definite a (n×n) and b (n×k), via cholesky(a). */
export function choleskySolve(a: Mat, b: Mat): Mat {
  assertSquare(a, "choleskySolve");
  return choleskySubstituteSolve(cholesky(a), b);
}

/**
 * x with L·Lᵀ·x = b, for L from cholesky or choleskyInPlace (only its lower triangle is read):
 * forward then backward substitution, each row update in order of p.
 */
export function choleskySubstituteSolve(L: Mat, b: Mat): Mat {
  const n = L.rows;
  if (b.rows !== n) throw new RangeError(`choleskySolve: right-hand side has ${b.rows} rows, expected ${n}`);
  const k = b.cols;
  const l = L.data;
  const x = Float64Array.from(b.data);
  if (choleskySubstitute(l, n, x, k)) return { rows: n, cols: k, data: x };
  // Forward: L·y = b.
  for (let i = 0; i < n; i++) {
    const irow = i * n;
    const xirow = i * k;
    for (let p = 0; p < i; p++) {
      const f = l[irow + p];
      if (f === 0) continue;
      const xprow = p * k;
      for (let j = 0; j < k; j++) x[xirow + j] -= f * x[xprow + j];
    }
    const d = l[irow + i];
    for (let j = 0; j < k; j++) x[xirow + j] /= d;
  }
  // Backward: Lᵀ·x = y.
  for (let i = n - 1; i >= 0; i--) {
    const xirow = i * k;
    for (let p = i + 1; p < n; p++) {
      const f = l[p * n + i];
      if (f === 0) continue;
      const xprow = p * k;
      for (let j = 0; j < k; j++) x[xirow + j] -= f * x[xprow + j];
    }
    const d = l[i * n + i];
    for (let j = 0; j < k; j++) x[xirow + j] /= d;
  }
  return { rows: n, cols: k, data: x };
}

// ---------------------------------------------------------------------------------------
// Gram products

/** Width of a column tile of G, so the part of G being updated stays in cache across rows of a. */
const GRAM_COL_TILE = 256;

/**
 * aᵀ·a (n×n for m×n finite a): each element 0 + a_0i·a_0j + a_1i·a_1j + … in row order, the
 * terms with a_ri = 0 left out (they change no bit). On the SIMD kernels (sparse.ts) when they
 * are there, else this loop, one column tile of G at a time over the upper triangle, mirrored.
 */
export function gram(a: Mat): Mat {
  const m = a.rows;
  const n = a.cols;
  const ad = a.data;
  const g = new Float64Array(n * n);
  if (gramSparse(ad, m, n, g, false)) return { rows: n, cols: n, data: g };
  for (let j0 = 0; j0 < n; j0 += GRAM_COL_TILE) {
    const j1 = Math.min(n, j0 + GRAM_COL_TILE);
    for (let r = 0; r < m; r++) {
      const o = r * n;
      for (let i = 0; i < j1; i++) {
        const v = ad[o + i];
        if (v === 0) continue;
        const grow = i * n;
        for (let j = i > j0 ? i : j0; j < j1; j++) g[grow + j] += v * ad[o + j];
      }
    }
  }
  mirrorUpper(g, n);
  return { rows: n, cols: n, data: g };
}

/**
 * The lower triangle (and diagonal) of aᵀ·a, bit for bit gram's, for a caller that reads only the
 * lower triangle (cholesky, choleskyInPlace); the upper triangle is 0 (or mirrored, without the
 * SIMD kernels). No mirror pass, and a fresh result's upper half is never touched (first-touch
 * page faults cost ~1 ms per MB on the bench VM: 36 MB for a 3000-neuron ensemble).
 * `storage` (at least n² doubles, contents ignored) holds the result instead of a new array.
 */
export function gramLower(a: Mat, storage?: Float64Array): Mat {
  const size = a.cols * a.cols;
  // Reused storage is cleared: the result is then the same as in a fresh array, whichever path fills it.
  const g = storage && storage.length >= size ? storage.subarray(0, size).fill(0) : new Float64Array(size);
  if (gramSparse(a.data, a.rows, a.cols, g, true)) return { rows: a.cols, cols: a.cols, data: g };
  return gram(a);
}

/** a·aᵀ (m×m for m×n a): dot products of contiguous rows, upper triangle then mirrored. */
export function outerGram(a: Mat): Mat {
  const m = a.rows;
  const n = a.cols;
  const ad = a.data;
  const g = new Float64Array(m * m);
  if (kernels() !== null) {
    // The same sums, 0 + a_i0·a_j0 + a_i1·a_j1 + …, as one product A·Aᵀ.
    gemm(m, m, n, rowMajor(ad, n), transposed(rowMajor(ad, n)), g, 0, m);
    mirrorUpper(g, m);
    return { rows: m, cols: m, data: g };
  }
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let j = i; j < m; j++) {
      const oj = j * n;
      let s = 0;
      for (let p = 0; p < n; p++) s += ad[oi + p] * ad[oj + p];
      g[i * m + j] = s;
    }
  }
  mirrorUpper(g, m);
  return { rows: m, cols: m, data: g };
}

function mirrorUpper(g: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const irow = i * n;
    for (let j = 0; j < i; j++) g[irow + j] = g[j * n + i];
  }
}
