/**
 * The chip's integer arithmetic (hardware-model.md §0.3, §1.2, §2, §3.2), in one place so that the
 * emulator and the quantizer cannot disagree about a rounding or a width.
 *
 * Every function takes and returns JavaScript numbers holding integers. Products can reach 2^43
 * (a 32-bit voltage times a 12-bit factor), so they are formed in float64, which is exact below
 * 2^53; `Math.imul` or `|0` would silently keep only the low 32 bits.
 */

/** Magnitude bits of the dendritic accumulator q: it wraps into [−2^21, 2^21). */
export const Q_BITS = 21;
/** Magnitude bits of the synaptic current u (and of u + bias): wraps into [−2^23, 2^23). */
export const U_BITS = 23;
/** Magnitude bits of the voltage word; the default vmax is 2^23 − 1. v saturates, it never wraps. */
export const V_BITS = 23;
/** Threshold exponent: the stored threshold is mantissa · 2^6. */
export const VTH_EXP = 6;
/** Largest threshold mantissa (17-bit unsigned register). */
export const VTH_MANT_MAX = 2 ** 17 - 1;
/** Largest scaled threshold, VTH_MANT_MAX · 2^VTH_EXP = 8,388,544. */
export const VTH_MAX = VTH_MANT_MAX * 2 ** VTH_EXP;
/** Largest bias mantissa magnitude (13-bit signed register). */
export const BIAS_MANT_MAX = 4095;
/** Largest bias exponent (3-bit unsigned register); the stored bias is mantissa · 2^exp. */
export const BIAS_EXP_MAX = 7;
/** Largest scaled bias magnitude, 4095 · 2^7 = 524,160. */
export const BIAS_MAX = BIAS_MANT_MAX * 2 ** BIAS_EXP_MAX;
/** Largest decay register value (12-bit unsigned du, dv). */
export const DECAY_MAX = 4095;
/** Denominator of the decay factor: 12 fractional bits. */
export const DECAY_DENOM = 4096;
/** The chip adds this to the programmed du (1-bit offset register, §2.2); dv gets no offset. */
export const CURRENT_DECAY_OFFSET = 1;
/** Largest refractory delay in steps (6-bit register); 1 means no refractory period. */
export const REFRACT_MAX = 63;
/** Smallest refractory delay in steps. */
export const REFRACT_MIN = 1;
/** Left shift aligning the 16-bit dendritic input with the 24-bit u (folded into every weight D). */
export const WEIGHT_ALIGN_SHIFT = 6;
/** 2^WEIGHT_ALIGN_SHIFT, a constant rather than a power taken per weight. */
const WEIGHT_ALIGN = 2 ** WEIGHT_ALIGN_SHIFT;
/** Smallest per-synapse-group weight exponent wgtExp (4-bit signed field). */
export const WEIGHT_EXP_MIN = -7;
/** Largest per-synapse-group weight exponent wgtExp. */
export const WEIGHT_EXP_MAX = 7;
/** Smallest stored weight field Wgt (9-bit signed). */
export const WGT_FIELD_MIN = -256;
/** Largest stored weight field Wgt (9-bit signed). */
export const WGT_FIELD_MAX = 255;
/** Real weight widths the 3-bit wgtBits code can express: [0,1,2,3,4,5,6,8][code]. */
export const REAL_WEIGHT_BITS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8];
/** Default vmax, 2^23 − 1: the top of the 24-bit voltage word. */
export const VMAX_DEFAULT = 2 ** V_BITS - 1;
/** vmin = −2^k + 1 with k in 0..31 as NengoLoihi's code allows (§1.2, §9 item 4). */
export const VMIN_EXP_MAX = 31;
/** Exponent of the smallest vmax: vmax = 2^(9 + 2j) − 1. */
export const VMAX_EXP_MIN = 9;
/** Largest j of vmax = 2^(9 + 2j) − 1 (3-bit register). */
export const VMAX_STEP_MAX = 7;

/**
 * sign(x) · floor(|x| · k / 4096): the decay operator of §2.1, truncating the magnitude so
 * negative values decay toward zero like positive ones (decay(−16256, 3354) = −13311).
 * `k` is the factor numerator 0..4096 (4095 − du for u, 4096 − dv for v).
 */
export function decayToward0(x: number, k: number): number {
  // |x|·k < 2^53 for every chip width, so x·k is exact, and so is scaling it by 2^−12 (the same
  // value as dividing by 4096, but a multiplication: the emulator runs this twice per compartment
  // and step). Math.trunc is sign(y)·floor(|y|) without a branch on the sign, which in a spiking
  // network is a coin toss the CPU mispredicts. "+ 0" turns the −0 of a small negative x into +0.
  // The literal is 1/DECAY_DENOM = 2^−12: a literal, because a module constant is reloaded (with
  // an initialization check) on every use in optimized code.
  return Math.trunc(x * k * 0.000244140625) + 0;
}

/** One step of current decay for register du (includes the chip's +1, §2.2). */
export function decayCurrent(u: number, du: number): number {
  return decayToward0(u, DECAY_DENOM - CURRENT_DECAY_OFFSET - du);
}

/** One step of voltage decay for register dv (no offset: dv = 0 holds v exactly). */
export function decayVoltage(v: number, dv: number): number {
  return decayToward0(v, DECAY_DENOM - dv);
}

/**
 * Two's-complement wrap of integer x into b magnitude bits plus sign: [−2^b, 2^b).
 * Exact for any integer |x| < 2^53 (no 32-bit truncation on the way).
 */
export function wrapBits(x: number, b: number): number {
  const half = 2 ** b;
  if (x >= -half && x < half) return x;
  const span = half * 2;
  let y = (x + half) % span;
  if (y < 0) y += span;
  return y - half;
}

/** Arithmetic shift right: floor(x / 2^k) for k ≥ 0. */
export function asr(x: number, k: number): number {
  return Math.floor(x / 2 ** k);
}

/** Left shift without 32-bit truncation: x · 2^k for k ≥ 0. */
export function shl(x: number, k: number): number {
  return x * 2 ** k;
}

/** shl(x, k) for k ≥ 0, asr(x, −k) for k < 0 (the two-way shift of §0.3). */
export function sh(x: number, k: number): number {
  return k >= 0 ? x * pow2(k) : Math.floor(x / pow2(-k));
}

/** 2^k for k = 0..63, exact: the quantizer runs sh and its grid over every synapse, and `2 **` is a call. */
const POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);

/** 2^k for an integer k ≥ 0 (a table lookup below 64). */
export function pow2(k: number): number {
  return k < 64 ? POW2[k] : 2 ** k;
}

/** 2^52: above it every double is an integer, below it adding it rounds to an integer. */
const TWO_52 = 2 ** 52;

/**
 * Round half to even, exactly like NumPy's `np.round`/`rint`: rne(0.5) = 0, rne(1.5) = 2,
 * rne(2.5) = 2, rne(−0.5) = −0. `Math.round` rounds halves up and is wrong here.
 */
export function rne(x: number): number {
  const ax = Math.abs(x);
  // NaN, ±Infinity and doubles ≥ 2^52 are already integral (or not numbers): return them as is.
  if (!(ax < TWO_52)) return x;
  // Adding 2^52 leaves no fractional bits, so the FPU's own round-to-nearest-even does the work.
  const r = ax + TWO_52 - TWO_52;
  // Keep the sign even when the result is zero, as NumPy does (rne(−0.4) = −0).
  return x < 0 || Object.is(x, -0) ? -r : r;
}

/** Round to IEEE float32 (NumPy float32 arithmetic), needed to reproduce the discretizer (§5.10). */
export function fl32(x: number): number {
  return Math.fround(x);
}

/** Clip x to [lo, hi]. */
export function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Number of zero low bits S of the stored weight field (§3.2): S = 8 − realWeightBits + isMixed.
 * The field carries an (8 − S)-bit magnitude plus sign.
 */
export function weightShiftS(realWeightBits: number, isMixed: boolean): number {
  return 8 - realWeightBits + (isMixed ? 1 : 0);
}

/**
 * The accumulator contribution of a stored weight field: D = shl(sh(Wgt, wgtExp), 6), floor-shifted
 * per synapse when wgtExp < 0 (§3.2).
 */
export function weightContribution(wgt: number, weightExp: number): number {
  return sh(wgt, weightExp) * WEIGHT_ALIGN;
}

/**
 * Whether D is a value that a stored weight of this format can deliver, i.e. D = shl(sh(k·2^S, e), 6)
 * for an integer |k| ≤ 2^(8−S) − 1. With s2 = S + e: if s2 ≥ 0 that is D = k·2^(6+s2); if s2 < 0
 * it is D = 64·t with floor(−m·2^s2) ≤ t ≤ floor(m·2^s2), every t in between being reachable
 * (consecutive k move t by at most one).
 */
export function isRepresentableWeight(d: number, weightExp: number, realWeightBits: number, isMixed: boolean): boolean {
  if (!Number.isInteger(d)) return false;
  const s = weightShiftS(realWeightBits, isMixed);
  const maxMagnitude = 2 ** (8 - s) - 1;
  if (maxMagnitude < 0) return d === 0;
  const s2 = s + weightExp;
  if (s2 >= 0) {
    const unit = 2 ** (WEIGHT_ALIGN_SHIFT + s2);
    return d % unit === 0 && Math.abs(d / unit) <= maxMagnitude;
  }
  if (d % 2 ** WEIGHT_ALIGN_SHIFT !== 0) return false;
  const t = d / 2 ** WEIGHT_ALIGN_SHIFT;
  return t >= Math.floor(-maxMagnitude * 2 ** s2) && t <= Math.floor(maxMagnitude * 2 ** s2);
}

/** Whether a scaled bias can be written as m·2^e with |m| ≤ 4095 and e in 0..7 (§1.2). */
export function isRepresentableBias(bias: number): boolean {
  if (!Number.isInteger(bias)) return false;
  for (let e = 0; e <= BIAS_EXP_MAX; e++) {
    const unit = 2 ** e;
    if (bias % unit !== 0) break;
    if (Math.abs(bias / unit) <= BIAS_MANT_MAX) return true;
  }
  return false;
}

/** Whether a scaled threshold is mantissa·2^6 with mantissa in 1..VTH_MANT_MAX (§1.2). */
export function isRepresentableVth(vth: number): boolean {
  if (!Number.isInteger(vth) || vth % 2 ** VTH_EXP !== 0) return false;
  const mant = vth / 2 ** VTH_EXP;
  return mant >= 1 && mant <= VTH_MANT_MAX;
}

/** Whether vmin has the register form −2^k + 1, k in 0..VMIN_EXP_MAX (vmin = 0 is k = 0). */
export function isRepresentableVmin(vmin: number): boolean {
  for (let k = 0; k <= VMIN_EXP_MAX; k++) if (vmin === -(2 ** k) + 1) return true;
  return false;
}

/** Whether vmax has the register form 2^(9 + 2j) − 1, j in 0..VMAX_STEP_MAX. */
export function isRepresentableVmax(vmax: number): boolean {
  for (let j = 0; j <= VMAX_STEP_MAX; j++) if (vmax === 2 ** (VMAX_EXP_MIN + 2 * j) - 1) return true;
  return false;
}
