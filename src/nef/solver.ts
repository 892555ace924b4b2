/**
 * NEF decoder solving: activities at the eval points and Nengo's default LstsqL2 solver
 * (float-semantics §6, §8), written to reproduce `nengo.solvers.LstsqL2` + `Cholesky`.
 */

import { type Mat, mat } from "../math/matrix.js";
import { choleskyInPlace, choleskySubstituteSolve, gramLower, outerGram } from "../math/linalg.js";
import { gemm, rowMajor, transposed } from "../math/blas.js";
import { startHelper } from "../math/parallel.js";
import { type NeuronModel, rates } from "../neurons/models.js";

/** The decoder solve cannot proceed. Maps to diagnostic LMU2008. */
export class SolverError extends Error {
  readonly code = "LMU2008" as const;
  constructor(message: string) {
    super(message);
    this.name = "SolverError";
  }
}

/** Doubles of the activity matrix computed per product (2 MiB). */
const ACTIVITY_BLOCK_DOUBLES = 1 << 18;

/**
 * Rates (m×n) of every neuron at every eval point, from the model's rate curve (LIFRate for LIF)
 * or, given a function of the current J instead (compile's chip rate curves), from that: the
 * same as applying it to a ReLU model's (amplitude 1) activities, whose max(J, 0) changes no
 * rate such a curve gives (zero for J ≤ 0 either way), without that pass.
 * `storage` (at least m·n doubles, contents ignored) holds the result instead of a new array: a
 * build passes the storage of an activity matrix it no longer needs, since first touching a fresh
 * one costs page faults (a 2500 × 800 matrix, 16 MB: ~4000 faults, ~50 ms on the bench VM).
 *
 * The projection is formed as Nengo's `np.dot(eval_points, encoders.T / radius)`: the encoders are
 * divided by the radius first, then dotted with the point in component order, then
 * J = gain·x̂ + bias. Near threshold the LIF rate jumps from 0 to ~1 Hz within a few ulps of J, so
 * a differently rounded projection can move an activity by far more than the 1e-12 the reference
 * vectors allow.
 */
export function activities(
  m: NeuronModel | ((J: number) => number),
  evalPoints: Mat,
  encoders: Mat,
  gain: Float64Array,
  bias: Float64Array,
  radius: number,
  storage?: Float64Array,
): Mat {
  const nPoints = evalPoints.rows;
  const nNeurons = encoders.rows;
  const d = evalPoints.cols;
  if (encoders.cols !== d) {
    throw new RangeError(`activities: eval points have ${d} dimensions but encoders have ${encoders.cols}`);
  }
  if (gain.length !== nNeurons || bias.length !== nNeurons) {
    throw new RangeError(`activities: ${nNeurons} encoders but ${gain.length} gains and ${bias.length} biases`);
  }
  // The solve's Gram matrix (m·n·min(m, n) multiply-adds) may use a second thread: start it now.
  startHelper(nPoints * nNeurons * Math.min(nPoints, nNeurons));
  const scaledEnc = new Float64Array(nNeurons * d);
  for (let i = 0; i < scaledEnc.length; i++) scaledEnc[i] = encoders.data[i] / radius;

  // gemm adds to C (its plain loop for small products reads it): reused storage starts from +0 too.
  const out = storage && storage.length >= nPoints * nNeurons ? { rows: nPoints, cols: nNeurons, data: storage.subarray(0, nPoints * nNeurons).fill(0) } : mat(nPoints, nNeurons);
  const J = out.data;
  // x = 0 + P_k0·E_i0 + P_k1·E_i1 + … in component order, as one product P·Eᵀ (blas.ts keeps
  // each element's order), then J = gain·x + bias.
  // In blocks of rows, so the kernels' scratch stays a few MB (touched once) instead of growing to
  // the whole m×n (144 MB for 6000 points × 3000 neurons: ~0.4 s of first-touch page faults).
  // Each block becomes rates while it is still in cache (three passes over a 144 MB matrix were
  // ~0.2 s of a 3000-neuron build); the operations on each element are the same.
  const encT = transposed(rowMajor(scaledEnc, d));
  const blockRows = Math.max(4, Math.floor(ACTIVITY_BLOCK_DOUBLES / nNeurons) & ~3);
  for (let k0 = 0; k0 < nPoints; k0 += blockRows) {
    const rows = Math.min(blockRows, nPoints - k0);
    gemm(rows, nNeurons, d, rowMajor(evalPoints.data, d, k0 * d), encT, J, k0 * nNeurons, nNeurons, 1, true);
    if (typeof m === "function") {
      for (let k = k0 * nNeurons, end = (k0 + rows) * nNeurons; k < end; k += nNeurons) {
        for (let i = 0; i < nNeurons; i++) J[k + i] = m(gain[i] * J[k + i] + bias[i]);
      }
      continue;
    }
    for (let k = k0; k < k0 + rows; k++) {
      const jrow = k * nNeurons;
      for (let i = 0; i < nNeurons; i++) J[jrow + i] = gain[i] * J[jrow + i] + bias[i];
    }
    // The rate curves are elementwise, so converting the currents in place is safe.
    const block = J.subarray(k0 * nNeurons, (k0 + rows) * nNeurons);
    rates(m, block, block);
  }
  return out;
}

export interface LstsqL2Result {
  /** n × d_f, as the solver returns it; run-time weights are T·Dᵀ. */
  decoders: Mat;
  /** Per target dimension: sqrt(mean((Y − A·D)², over eval points)). */
  rmses: Float64Array;
  /** reg · max(A). */
  sigma: number;
  /** m · sigma², added to the Gram diagonal. */
  lambda: number;
  /** Which normal equations were factored: AᵀA (n×n) when m ≥ n, else AAᵀ (m×m). */
  form: "AtA" | "AAt";
}

/**
 * Storage a series of solves passes from one to the next: the n×n Gram matrix of one is dead once
 * its decoders are out, and first touching a fresh one costs a page fault per 4 KiB (an 800-neuron
 * ensemble's 5 MB: ~13 ms on the bench VM, against ~1 ms to clear reused memory).
 */
export interface SolveScratch {
  gram?: Float64Array;
}

/**
 * Nengo's LstsqL2 (§8): D minimises ‖A·D − Y‖² + λ‖D‖² with σ = reg·max(A) over the whole matrix
 * and λ = m·σ², m = number of eval points. Solved through the smaller of the two Gram systems,
 * as Nengo's Cholesky solver does; both give the same D up to rounding.
 */
export function solveLstsqL2(A: Mat, Y: Mat, reg: number, scratch?: SolveScratch): LstsqL2Result {
  const m = A.rows;
  const n = A.cols;
  if (Y.rows !== m) throw new RangeError(`solveLstsqL2: ${m} activity rows but ${Y.rows} target rows`);
  if (m === 0 || n === 0) throw new SolverError(`activities matrix is empty (${m}x${n})`);
  if (!(reg >= 0) || !Number.isFinite(reg)) throw new SolverError(`regularization ${reg} must be finite and non-negative`);

  const a = A.data;
  let maxA = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) {
      throw new SolverError(`activity at eval point ${Math.floor(i / n)}, neuron ${i % n} is ${v}`);
    }
    if (v > maxA) maxA = v;
  }
  if (maxA === 0) {
    let allZero = true;
    for (let i = 0; i < a.length && allZero; i++) allZero = a[i] === 0;
    if (allZero) throw new SolverError("activities matrix is all zero");
  }
  const sigma = reg * maxA;
  // Nengo writes m * sigma**2; sigma**2 is the single rounded product sigma*sigma.
  const lambda = m * (sigma * sigma);

  const form: "AtA" | "AAt" = m >= n ? "AtA" : "AAt";
  let decoders: Mat;
  if (form === "AtA") {
    // Only the lower triangle: the factorization reads nothing else.
    const G = gramLower(A, scratch?.gram);
    addToDiagonal(G, lambda);
    decoders = solveSpd(G, transposeTimes(A, Y));
    if (scratch && (!scratch.gram || G.data.length > scratch.gram.length)) scratch.gram = G.data;
  } else {
    const G = outerGram(A);
    addToDiagonal(G, lambda);
    // Substitution D = Aᵀ·X with (AAᵀ + λI)·X = Y.
    decoders = transposeTimes(A, solveSpd(G, Y));
  }

  return { decoders, rmses: rmsesOf(A, decoders, Y), sigma, lambda, form };
}

function addToDiagonal(G: Mat, lambda: number): void {
  const n = G.rows;
  for (let i = 0; i < n; i++) G.data[i * n + i] += lambda;
}

/** choleskySolve(G, b), factoring G in place (G is this solve's own: no second n×n array). */
function solveSpd(G: Mat, b: Mat): Mat {
  try {
    choleskyInPlace(G);
  } catch (e) {
    throw new SolverError(`regularized Gram matrix is not positive definite: ${(e as Error).message}`);
  }
  return choleskySubstituteSolve(G, b);
}

/** Aᵀ·B without forming Aᵀ; rows of A are walked contiguously and zero activities skipped. */
function transposeTimes(A: Mat, B: Mat): Mat {
  const m = A.rows, n = A.cols, k = B.cols;
  const a = A.data, b = B.data;
  const out = mat(n, k);
  // Per element 0 + a_0i·b_0c + a_1i·b_1c + … in row order (a skipped zero adds ±0 to a sum
  // that is never −0: no change), as the product Aᵀ·B.
  gemm(n, k, m, transposed(rowMajor(a, n)), rowMajor(b, k), out.data, 0, k);
  return out;
}

function rmsesOf(A: Mat, D: Mat, Y: Mat): Float64Array {
  const m = A.rows, n = A.cols, df = Y.cols;
  const a = A.data, d = D.data, y = Y.data;
  const sumSq = new Float64Array(df);
  // decoded = A·D, each element summed over neurons in order as before (zero skips change nothing).
  const decoded = new Float64Array(m * df);
  gemm(m, df, n, rowMajor(a, n), rowMajor(d, df), decoded, 0, df);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < df; c++) {
      const e = y[r * df + c] - decoded[r * df + c];
      sumSq[c] += e * e;
    }
  }
  const out = new Float64Array(df);
  for (let c = 0; c < df; c++) out[c] = Math.sqrt(sumSq[c] / m);
  return out;
}
