/**
 * Recurrences corrected for what the chip does differently from the float model.
 *
 * The chip's current filter has pole k = 1 − 1/Mu (the integer decay), not the a = e^(−dt/τ) a
 * recurrence was designed for. For a recurrent state x with decoded recurrent transform T and
 * inputs B, the float model runs x' = M·x + (1 − a)·B·u with M = a·I + (1 − a)·T; on chip
 * x' = k·x + (1 − k)(T_c·x + B_c·u), which matches with T_c = (M − k·I)/(1 − k) and
 * B_c = (1 − a)/(1 − k)·B.
 *
 * Through decode neurons the recurrence takes one more step: x' = k·x + (1 − k)(T_c·x₋₁ + B_c·u).
 * Writing x₋₁ through x (x = M·x₋₁ + (1 − a)·B·u₋₁) gives T_c = (M − k·I)·M/(1 − k) and
 * B_c = (1 − a)/(1 − k)·(I + M − k·I)·B, exact but for u₋₁ ≈ u (a linear LMU: NRMSE of the
 * state 2e−2 → 1e−4 at order 4, 0.22 → 6e−4 at order 8 with τ = 20 ms).
 */
import { mat, matmul, type Mat } from "../math/matrix.js";
import { decayMagnitude, decayRegisters } from "./quantize.js";

/** Pole of the chip's current filter for a synapse τ: 1 − 1/Mu of its integer decay. */
export function chipPole(tauSeconds: number, dtSeconds: number): number {
  return 1 - 1 / decayMagnitude(decayRegisters(-Math.expm1(-dtSeconds / tauSeconds), 0).decayU, 1);
}

/**
 * For the float recurrence of `T` (d × d, over the state's dimensions) through a synapse τ: the
 * chip's recurrent transform T_c and the matrix G with B_c = G·B (g·I without the extra step,
 * g·(I + M − k·I) with it; g = (1 − a)/(1 − k), also returned: inputs that cannot be mixed
 * across dimensions are scaled by it alone).
 */
export function correctRecurrence(T: Mat, tauSeconds: number, dtSeconds: number, extraStep: boolean): { Tc: Mat; G: Mat; g: number } {
  const d = T.rows;
  const a = Math.exp(-dtSeconds / tauSeconds);
  const k = chipPole(tauSeconds, dtSeconds);
  const g = (1 - a) / (1 - k);
  const M = mat(d, d, T.data.map((t, i) => (1 - a) * t + (i % (d + 1) === 0 ? a : 0)));
  const MminusK = mat(d, d, M.data.map((m, i) => m - (i % (d + 1) === 0 ? k : 0)));
  const Tc = extraStep ? matmul(MminusK, M) : MminusK;
  const G = extraStep ? mat(d, d, MminusK.data.map((m, i) => g * (m + (i % (d + 1) === 0 ? 1 : 0)))) : mat(d, d, Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? g : 0)));
  return { Tc: mat(d, d, Tc.data.map((x) => x / (1 - k))), G, g };
}
