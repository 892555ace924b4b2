/**
 * Rate curves of neurons as the chip runs them, for solving decoders of compiled networks
 * (hardware-model §5.11): integration in whole steps and a refractory period of whole steps
 * make the chip's tuning curve a staircase below Nengo's. Decoders solved on this curve cancel
 * that difference instead of inheriting it.
 */
import type { NeuronModel } from "../neurons/models.js";
import { decayRegisters } from "./quantize.js";

/**
 * Steady firing rate (Hz) for input current J. LIF: after a spike, R − 1 refractory steps, then
 * v_k = J·(1 − kᵥᵏ) crosses 1 (strictly) after m = floor(ln(1 − 1/J)/ln kᵥ) + 1 steps, with
 * kᵥ = (4096 − dv)/4096 the integer decay. Integrate-and-fire (spiking ReLU): v_k = k·J·dt,
 * m = floor(1/(J·dt)) + 1.
 */
export function chipRateCurve(m: NeuronModel, dtSeconds: number): (J: number) => number {
  if (m.type === "lif" || m.type === "lif-rate") {
    const { decayV } = decayRegisters(0, -Math.expm1(-dtSeconds / m.tauRcSeconds));
    const kv = (4096 - decayV) / 4096;
    return lifStaircase(m.amplitude, dtSeconds, Math.round(m.tauRefSeconds / dtSeconds), Math.log(kv));
  }
  return (J) => (J > 0 ? m.amplitude / ((Math.floor(1 / (J * dtSeconds)) + 1) * dtSeconds) : 0);
}

/** Bins of w = 1/J in [0, 1) (a power of two, so w·BINS and b/BINS are exact). */
const STAIR_BINS = 4096;

/**
 * The LIF staircase amplitude / ((R + ⌊log1p(−1/J)/ln kᵥ⌋ + 1)·dt), bit for bit, mostly by table:
 * a build evaluates it at every neuron and eval point (5 × 800 × 2500 for five 8-d LMU memories),
 * and log1p was ~60% of that. The table holds, for each bin of w = 1/J, the rate of the step the
 * whole bin lies on, or NaN where a step edge falls inside the bin (or too near its ends to be
 * sure), where the formula is evaluated as before.
 *
 * Why a bin's answer holds for every w inside it: x(w) = log1p(−w)/ln kᵥ increases with w, and
 * the computed x is within a few ulps of it (log1p errs by under 1 ulp, the division rounds
 * correctly), so a computed x at any w in the bin lies within a few ulps of [x(lo), x(hi)]. A bin
 * is tabulated only when both ends have the same floor k and stay 1e-9·(k+1) away from k and
 * k+1: millions of ulps, so no w inside can round across an edge.
 */
function lifStaircase(amplitude: number, dtSeconds: number, refractSteps: number, lnKv: number): (J: number) => number {
  // One table per neuron type: psMNIST's 256 per-dimension memories share theirs (8k log1p to
  // build, as many as a 20-neuron ensemble's activities need).
  const key = `${amplitude} ${dtSeconds} ${refractSteps} ${lnKv}`;
  let curve = staircases.get(key);
  if (curve === undefined) {
    curve = tabulateStaircase(amplitude, dtSeconds, refractSteps, lnKv);
    if (staircases.size >= 64) staircases.clear();
    staircases.set(key, curve);
  }
  return curve;
}

const staircases = new Map<string, (J: number) => number>();

function tabulateStaircase(amplitude: number, dtSeconds: number, refractSteps: number, lnKv: number): (J: number) => number {
  const table = new Float64Array(STAIR_BINS + 1).fill(Number.NaN);
  for (let b = 0; b < STAIR_BINS; b++) {
    const xLo = Math.log1p(-(b / STAIR_BINS)) / lnKv;
    // The largest w of the bin: the double just below (b + 1)/BINS.
    const xHi = Math.log1p(-nextDown((b + 1) / STAIR_BINS)) / lnKv;
    const k = Math.floor(xLo);
    const margin = 1e-9 * (k + 1);
    // x ≥ 0 for w ≥ 0 (log1p(−w) ≤ 0 over ln kᵥ < 0): the lower edge needs no margin when k is 0.
    if (Math.floor(xHi) === k && (k === 0 || xLo - k >= margin) && k + 1 - xHi >= margin) {
      table[b] = amplitude / ((refractSteps + k + 1) * dtSeconds);
    }
  }
  return (J) => {
    if (!(J > 1)) return 0;
    const w = 1 / J;
    // w < 1 for J > 1; the extra NaN entry keeps a w that rounded to 1 on the formula.
    const tabulated = table[(w * STAIR_BINS) | 0];
    if (tabulated === tabulated) return tabulated;
    return amplitude / ((refractSteps + Math.floor(Math.log1p(-w) / lnKv) + 1) * dtSeconds);
  };
}

const bitsScratch = new DataView(new ArrayBuffer(8));

/** The largest double below x (x > 0, finite): one less in its bit pattern. */
function nextDown(x: number): number {
  bitsScratch.setFloat64(0, x);
  bitsScratch.setBigUint64(0, bitsScratch.getBigUint64(0) - 1n);
  return bitsScratch.getFloat64(0);
}
