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

/** (Ak, Bk): K substeps with the input held reproduce one step of (A, B). */
export function substeps(A: Mat, B: Mat, K: number): { Ak: Mat; Bk: Mat } {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`substeps: K must be a whole number ≥ 1, got ${K}`);
  if (K === 1) return { Ak: A, Bk: B };
  const Ak = expm(scale(logm(A), 1 / K));
  const n = A.rows;
  let S = mat(n, n);
  let p = identity(n);
  for (let k = 0; k < K; k++) {
    S = add(S, p);
    p = matmul(p, Ak);
  }
  return { Ak, Bk: luSolve(S, B) };
}
