/**
 * A discrete linear system split into K equal substeps: given x_{t+1} = A·x_t + B·u_t (one
 * sequence step), the per-substep (Ak, Bk) with Ak^K = A and Σ_{k<K} Ak^k·Bk = B, so that K
 * substeps with u held give exactly one step of the original system. This is what presenting
 * each sequence step for K simulator steps needs: a trained cell's stored ZOH matrices (possibly
 * with its memory feedback B·e_m folded in, which no continuous θ describes) run K times finer.
 * Ak = exp(log(A)/K), log by inverse scaling and squaring (Denman–Beavers square roots until
 * A^(1/2^s) is near I, then the Mercator series).
 */
import { expm, luSolve, norm1 } from "../math/linalg.js";
import { add, identity, mat, matmul, scale, type Mat } from "../math/matrix.js";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { lmuMatrices, lmuZohMismatch, ZOH_STORAGE_MATCH } from "./matrices.js";

function inverse(a: Mat): Mat {
  return luSolve(a, identity(a.rows));
}

function distanceFromIdentity(a: Mat): number {
  let worst = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += Math.abs(a.data[i * a.cols + j] - (i === j ? 1 : 0));
    worst = Math.max(worst, s);
  }
  return worst;
}

/** Principal square root (Denman–Beavers iteration). */
function sqrtm(a: Mat): Mat {
  let y = a;
  let z = identity(a.rows);
  for (let k = 0; k < 60; k++) {
    const yNext = scale(add(y, inverse(z)), 0.5);
    const zNext = scale(add(z, inverse(y)), 0.5);
    let change = 0;
    for (let i = 0; i < y.data.length; i++) change = Math.max(change, Math.abs(yNext.data[i] - y.data[i]));
    y = yNext;
    z = zNext;
    if (change < 1e-15) break;
  }
  return y;
}

/** Principal matrix logarithm of a matrix with no eigenvalues on the closed negative real axis. */
export function logm(a: Mat): Mat {
  let y = a;
  let s = 0;
  while (distanceFromIdentity(y) > 0.05 && s < 40) {
    y = sqrtm(y);
    s++;
  }
  // log(I + X) = X − X²/2 + X³/3 − …, ‖X‖ ≤ 0.05: 14 terms reach 1e-19.
  const n = a.rows;
  const x = add(y, scale(identity(n), -1));
  let power = x;
  let sum = mat(n, n);
  for (let k = 1; k <= 16; k++) {
    sum = add(sum, scale(power, (k % 2 === 1 ? 1 : -1) / k));
    power = matmul(power, x);
  }
  return scale(sum, 2 ** s);
}

/** The LMU a stored (A, B) may be the one-step ZOH discretization of. */
export interface LmuOfStep {
  readonly order: number;
  readonly thetaSteps: number;
}

/** The continuous LMU (per step) whose ZOH discretization (A, B) is, or undefined when it is not that LMU. */
function continuousOf(A: Mat, B: Mat, lmu: LmuOfStep): Mat | undefined {
  if (lmu.order !== A.rows || !(lmu.thetaSteps > 0)) return undefined;
  // The check discretizes the LMU (an order × order exponential): a conversion asks it twice of
  // the same matrices (K substeps and the chip lead's part of one), so it is kept per A and B.
  let check = zohChecks.get(A.data);
  if (!check || check.B !== B.data || check.order !== lmu.order || check.thetaSteps !== lmu.thetaSteps) {
    check = { B: B.data, order: lmu.order, thetaSteps: lmu.thetaSteps, matches: lmuZohMismatch(A, B, lmu.order, lmu.thetaSteps) <= ZOH_STORAGE_MATCH };
    zohChecks.set(A.data, check);
  }
  return check.matches ? lmuMatrices(lmu.order, lmu.thetaSteps).A : undefined;
}

/** The last check of each stored A (weakly held: it goes with the matrix). */
const zohChecks = new WeakMap<Float64Array, { readonly B: Float64Array; readonly order: number; readonly thetaSteps: number; readonly matches: boolean }>();

/** ‖A‖₁·‖A⁻¹‖₁; Infinity when A is singular to working precision. */
function conditionNumber(a: Mat): number {
  try {
    return norm1(a) * norm1(inverse(a));
  } catch {
    return Infinity;
  }
}

/**
 * Trained matrices are stored in float32 (unit roundoff 2⁻²⁴ ≈ 6e-8): where that rounding, times
 * A's condition number, exceeds 1e-3 the stored A no longer determines its small eigenvalues, so
 * its logarithm (and K-th root) is noise, and the square roots of logm meet a singular matrix
 * after minutes of iterations. psdigits (order 32, θ 64 steps): condition (1-norm) 3.6e3 → 2.2e-4, well
 * posed; the psMNIST shape (order 256, θ 784): 2.9e9 → 175.
 */
const ROOT_WELL_POSED = 1e-3;
const FLOAT32_ROUNDOFF = 2 ** -24;

/**
 * Ak alone (see substeps), without the input's Bk: a chip lead of part of a substep needs only
 * the state's root, and Bk's Σ Ak^k costs K products of order × order matrices.
 */
export function substepMatrix(A: Mat, B: Mat, K: number, lmu?: LmuOfStep & { readonly origin?: SourceLocation }): { Ak: Mat; method: "matrix-log" | "lmu-zoh" } {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`substeps: K must be a whole number ≥ 1, got ${K}`);
  if (K === 1) return { Ak: A, method: "matrix-log" };
  const condition = conditionNumber(A);
  let Ak: Mat, method: "matrix-log" | "lmu-zoh";
  if (condition * FLOAT32_ROUNDOFF <= ROOT_WELL_POSED) {
    Ak = expm(scale(logm(A), 1 / K));
    method = "matrix-log";
  } else {
    const Ac = lmu ? continuousOf(A, B, lmu) : undefined;
    if (!Ac) {
      throw new DiagnosticError([
        diag(
          "LMU7043",
          `the memory's stored A (order ${A.rows}${lmu ? `, not the ZOH step of the order-${lmu.order} LMU of θ ${lmu.thetaSteps} steps: B·e_m folded in?` : ""}) has condition number ${condition === Infinity ? "∞" : condition.toExponential(1)}: in float32 it does not determine its own ${K}-th root, which presenting each step for K = ${K} simulator steps needs`,
          lmu?.origin,
        ),
      ]);
    }
    Ak = expm(scale(Ac, 1 / K));
    method = "lmu-zoh";
  }
  return { Ak, method };
}

/**
 * (Ak, Bk): K substeps with the input held reproduce one step of (A, B).
 * Ak = exp(log(A)/K) of the matrix as stored, where that is well posed (see ROOT_WELL_POSED); where
 * it is not and (A, B) is the ZOH step of the LMU `lmu` names (nothing folded in), Ak is that LMU
 * discretized at 1/K of a step, exact — the psMNIST shape's fastest modes decay by ~e⁻⁴⁰ a step,
 * far below float32's resolution of the stored A. Otherwise there is no K-th root to take: a
 * located LMU7043 at `origin` says what to change.
 */
export function substeps(A: Mat, B: Mat, K: number, lmu?: LmuOfStep & { readonly origin?: SourceLocation }): { Ak: Mat; Bk: Mat; method: "matrix-log" | "lmu-zoh" } {
  const { Ak, method } = substepMatrix(A, B, K, lmu);
  if (K === 1) return { Ak, Bk: B, method };
  // Σ_{k<K} Ak^k·Bk = B: the stored B is matched exactly, whichever way Ak was found.
  return { Ak, Bk: luSolve(powerSum(Ak, K), B), method };
}

/** Orders from which Σ Ak^k is summed by doubling (psMNIST's 256: 60 products of 256 × 256 → 12); below, term by term as before (psdigits' bytes). */
const DOUBLING_ORDER = 128;

/** Σ_{k<K} Ak^k. */
function powerSum(Ak: Mat, K: number): Mat {
  const n = Ak.rows;
  if (n < DOUBLING_ORDER) {
    let S = mat(n, n);
    let p = identity(n);
    for (let k = 0; k < K; k++) {
      S = add(S, p);
      p = matmul(p, Ak);
    }
    return S;
  }
  // Binary: with S_m = Σ_{k<m} Ak^k and P_m = Ak^m, S_{2m} = S_m + P_m·S_m and S_{m+1} = I + Ak·S_m.
  let S = mat(n, n), P = identity(n);
  for (let bit = 31 - Math.clz32(K); bit >= 0; bit--) {
    S = add(S, matmul(P, S));
    P = matmul(P, P);
    if ((K >> bit) & 1) {
      S = add(identity(n), matmul(Ak, S));
      P = matmul(P, Ak);
    }
  }
  return S;
}
