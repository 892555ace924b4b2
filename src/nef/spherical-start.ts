/**
 * Where the Newton iteration for a spherical-coordinate angle starts (samplers.ts'
 * sphericalAnglePpf and its batch form in spherical-batch.ts): solve G(φ) = t on [0, π/2], where
 * G(φ) = ∫₀^φ sinᵐ / W_m is the half CDF of the density ∝ sinᵐ.
 *
 * A start within ~1e-3 of the root lets Newton finish in 3–4 steps. The small-angle start alone
 * (sin φ ≈ φ) is that close only for small m or small t: for the 256-d psMNIST memory (m up to 254)
 * the angles crowd around π/2 and it started ~0.5 rad low, so Newton spent ~15 steps per angle,
 * mostly bisecting.
 */

/**
 * The start for G(φ) = t, 0 < t < 1:
 * - m = 1: G = 1 − cos φ = 2·sin²(φ/2) inverts in closed form.
 * - otherwise the larger of two approximations. Small angles: sinᵐ ≤ φᵐ, so
 *   φᵐ⁺¹/((m+1)·W_m) over-estimates G and its inverse is a lower bound of the root. Near π/2:
 *   with ψ = π/2 − φ, sinᵐ φ = cosᵐ ψ ≈ exp(−m·ψ²/2), a normal density of variance 1/m (1/(m+½)
 *   matches the spread of small m better), so G(φ) ≈ 2·Φ(−ψ·√(m+½)). Taking the larger never
 *   keeps a start that is below the proven lower bound.
 */
export function sphericalAngleStart(m: number, target: number, wm: number): number {
  const halfPi = Math.PI / 2;
  if (m === 1) return 2 * Math.asin(Math.sqrt(target / 2));
  const smallAngle = Math.pow(target * (m + 1) * wm, 1 / (m + 1));
  const nearHalfPi = halfPi + normalQuantile(target / 2) / Math.sqrt(m + 0.5);
  // (A NaN quantile, t/2 underflowing to 0, keeps the small-angle start.)
  return Math.min(halfPi, nearHalfPi > smallAngle ? nearHalfPi : smallAngle);
}

// Rational approximations of the standard normal quantile (P. J. Acklam's, relative error below
// 1.2e-9): a central piece for 0.02425 ≤ p ≤ 0.97575 and a tail piece in √(−2·ln p) outside.
const CENTRAL_NUM = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const CENTRAL_DEN = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const TAIL_NUM = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const TAIL_DEN = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const TAIL_FROM = 0.02425;

/** Φ⁻¹(p) for 0 < p < 1, to ~1e-9 relative: good enough for a start, not for a result. */
export function normalQuantile(p: number): number {
  if (p < TAIL_FROM) return tail(p);
  if (p > 1 - TAIL_FROM) return -tail(1 - p);
  const q = p - 0.5, r = q * q;
  const num = ((((CENTRAL_NUM[0] * r + CENTRAL_NUM[1]) * r + CENTRAL_NUM[2]) * r + CENTRAL_NUM[3]) * r + CENTRAL_NUM[4]) * r + CENTRAL_NUM[5];
  const den = ((((CENTRAL_DEN[0] * r + CENTRAL_DEN[1]) * r + CENTRAL_DEN[2]) * r + CENTRAL_DEN[3]) * r + CENTRAL_DEN[4]) * r + 1;
  return (num * q) / den;
}

/** The lower tail, p < TAIL_FROM (negative quantiles). */
function tail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  const num = ((((TAIL_NUM[0] * q + TAIL_NUM[1]) * q + TAIL_NUM[2]) * q + TAIL_NUM[3]) * q + TAIL_NUM[4]) * q + TAIL_NUM[5];
  const den = (((TAIL_DEN[0] * q + TAIL_DEN[1]) * q + TAIL_DEN[2]) * q + TAIL_DEN[3]) * q + 1;
  return num / den;
}
