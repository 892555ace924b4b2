/**
 * A discrete linear system split into K equal substeps: given x_{t+1} = A·x_t + B·u_t (one
 * sequence step), the per-substep (Ak, Bk) with Ak^K = A and Σ_{k<K} Ak^k·Bk = B, so that K
 * substeps with u held give exactly one step of the original system. This is what presenting
 * each sequence step for K simulator steps needs: a trained cell's stored ZOH matrices (possibly
 * with its memory feedback B·e_m folded in, which no continuous θ describes) run K times finer.
 * Ak = exp(log(A)/K), log by inverse scaling and squaring (Denman–Beavers square roots until
 * A^(1/2^s) is near I, then the Mercator series).
 */
import { expm, luSolve } from "../math/linalg.js";
import { add, identity, mat, matmul, scale, type Mat } from "../math/matrix.js";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import { lmuMatrices } from "./matrices.js";

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

/**
 * float32 storage rounds A and B by ~6e-8 relative (the importer's θ check uses the same bound);
 * anything further off (e.g. B·e_m folded in) is not that LMU.
 */
const ZOH_MATCH = 1e-5;

/** The continuous LMU (per step) whose ZOH discretization A is, or undefined when A is not it. */
function continuousOf(A: Mat, lmu: LmuOfStep): Mat | undefined {
  if (lmu.order !== A.rows || !(lmu.thetaSteps > 0)) return undefined;
  const c = lmuMatrices(lmu.order, lmu.thetaSteps);
  const Ad = expm(c.A);
  for (let i = 0; i < Ad.data.length; i++) if (!(Math.abs(Ad.data[i] - A.data[i]) <= ZOH_MATCH)) return undefined;
  // A alone identifies the LMU; Bk is then solved from the stored B, whatever its rounding.
  return c.A;
}

function infinityNorm(a: Mat): number {
  let worst = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += Math.abs(a.data[i * a.cols + j]);
    worst = Math.max(worst, s);
  }
  return worst;
}

/** ‖A‖·‖A⁻¹‖ (∞-norm); Infinity when A is singular to working precision. */
function conditionNumber(a: Mat): number {
  try {
    return infinityNorm(a) * infinityNorm(inverse(a));
  } catch {
    return Infinity;
  }
}

/**
 * Trained matrices are stored in float32 (unit roundoff 2⁻²⁴ ≈ 6e-8): where that rounding, times
 * A's condition number, exceeds 1e-3 the stored A no longer determines its small eigenvalues, so
 * its logarithm (and K-th root) is noise, and the square roots of logm meet a singular matrix
 * after minutes of iterations. psdigits (order 32, θ 64 steps): condition 6e3 → 3.6e-4, well
 * posed; the psMNIST shape (order 256, θ 784): 1.9e9 → 112.
 */
const ROOT_WELL_POSED = 1e-3;
const FLOAT32_ROUNDOFF = 2 ** -24;

/**
 * (Ak, Bk): K substeps with the input held reproduce one step of (A, B).
 * Ak = exp(log(A)/K) of the matrix as stored, where that is well posed (see ROOT_WELL_POSED); where
 * it is not and (A, B) is the ZOH step of the LMU `lmu` names (nothing folded in), Ak is that LMU
 * discretized at 1/K of a step, exact — the psMNIST shape's fastest modes decay by ~e⁻⁴⁰ a step,
 * far below float32's resolution of the stored A. Otherwise there is no K-th root to take: a
 * located LMU7043 at `origin` says what to change.
 */
export function substeps(A: Mat, B: Mat, K: number, lmu?: LmuOfStep & { readonly origin?: SourceLocation }): { Ak: Mat; Bk: Mat; method: "matrix-log" | "lmu-zoh" } {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`substeps: K must be a whole number ≥ 1, got ${K}`);
  if (K === 1) return { Ak: A, Bk: B, method: "matrix-log" };
  const condition = conditionNumber(A);
  let Ak: Mat, method: "matrix-log" | "lmu-zoh";
  if (condition * FLOAT32_ROUNDOFF <= ROOT_WELL_POSED) {
    Ak = expm(scale(logm(A), 1 / K));
    method = "matrix-log";
  } else {
    const Ac = lmu ? continuousOf(A, lmu) : undefined;
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
  const n = A.rows;
  let S = mat(n, n);
  let p = identity(n);
  for (let k = 0; k < K; k++) {
    S = add(S, p);
    p = matmul(p, Ak);
  }
  // Σ_{k<K} Ak^k·Bk = B: the stored B is matched exactly, whichever way Ak was found.
  return { Ak, Bk: luSolve(S, B), method };
}
