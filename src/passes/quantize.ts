/**
 * quantize: HwNetwork (float) → QuantizedNetwork (integers in the chip's registers).
 *
 * Each block gets one scale: σu integer current units per float current unit. It is the largest
 * that keeps the threshold (17-bit mantissa · 2^6), every bias (13-bit mantissa · 2^exp) and the
 * current seen in calibration (23-bit u, with u + bias) in range; voltage and weights follow:
 *   σv = σu·Mv  (LIF: the integer voltage decay's gain; integrate-and-fire: 1)
 *   σw = σu/Mu  (q per float q: the integer current decay's gain Mu divides out)
 * where M is the summed impulse response of the integer decay (hardware-model §5.3). Unlike
 * NengoLoihi, which fixes the weight mantissa to full scale and searches a block exponent (and
 * fails with "Could not find appropriate weight exponent" when the threshold then overflows),
 * the scale here is bounded only by the registers, so a representable network always compiles;
 * what small weights lose is reported per connection instead.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { BIAS_EXP_MAX, BIAS_MANT_MAX, BIAS_MAX, clip, fl32, Q_BITS, rne, U_BITS, VTH_EXP, VTH_MANT_MAX, VTH_MAX, weightContribution } from "../emulator/arith.js";
import type { HwBlock, HwGroup, HwNetwork } from "../ir/hw.js";
import type { BlockReport, BlockScale, QBlock, QGroup, QuantizedNetwork, WeightReport } from "../ir/quantized.js";

export type { BlockReport, BlockScale, QBlock, QGroup, QuantizedNetwork, WeightReport };

/** Stored weight field with 8 weight bits in mixed-sign mode: even values in [−254, 254]. */
export const WGT_MAX = 254;
/** Headroom kept below each register's limit for rounding and for currents beyond calibration. */
const RANGE_MARGIN = 0.8;

/** Summed response of an integer decay to a unit impulse, with NengoLoihi's truncation model (§5.3). */
export function decayMagnitude(decay: number, offset: number): number {
  const r = (4096 - offset - decay) / 4096;
  if (r <= 0) return 1;
  if (r >= 1) return Infinity;
  const q = 0.494;
  const x0 = 2 ** 21;
  const n = -Math.log1p((x0 * (1 - r)) / q) / Math.log(r);
  const rn1 = r ** (n + 1);
  return (1 - rn1) / (1 - r) - (q / ((1 - r) * x0)) * (n + 1 - (1 - rn1) / (1 - r));
}

/** Decay registers (§5.2), except that no filter (δ = 1) becomes 4095: u = q exactly, no residue. */
export function decayRegisters(decayUFloat: number, decayVFloat: number): { decayU: number; decayV: number } {
  const decayU = decayUFloat >= 1 ? 4095 : clip(rne(fl32(fl32(decayUFloat) * 4095)) - 1, 0, 4094);
  const decayV = clip(rne(fl32(fl32(decayVFloat) * 4095)), 0, 4095);
  return { decayU, decayV };
}

/** bias integer → (mantissa, exponent) with |mantissa| ≤ 4095 (§5.5). */
export function biasToManExp(bias: number): { mant: number; exp: number } {
  let exp = Math.ceil(Math.log2(Math.max(Math.abs(bias) / BIAS_MANT_MAX, 1)));
  let mant = rne(bias / 2 ** exp);
  if (Math.abs(mant) > BIAS_MANT_MAX) {
    exp += 1;
    mant = rne(bias / 2 ** exp);
  }
  if (exp > BIAS_EXP_MAX) throw new RangeError(`bias ${bias} does not fit 13-bit mantissa · 2^7`);
  return { mant: mant === 0 ? 0 : mant, exp };
}

/** Number of scale classes: the threshold profiles a core offers. */
export const SCALE_CLASSES = 7;

/**
 * Calibration sees a couple of seconds; currents in a long run can go higher. Scales leave this
 * factor of room above the calibrated peak.
 */
const CURRENT_PEAK_MARGIN = 1.5;

export function chooseScale(b: HwBlock, decayU: number, decayV: number): BlockScale {
  // An integrator's weights add to u as they are (no δu normalisation to divide out).
  const mu = b.integrator ? 1 : decayMagnitude(decayU, 1);
  const mv = b.neuron === "lif" ? decayMagnitude(decayV, 0) : 1;
  const thresholdBound = (RANGE_MARGIN * VTH_MAX) / (b.vth * mv);
  const bound = new Float64Array(b.n);
  const limitedBy = new Uint8Array(b.n); // 0 threshold, 1 bias, 2 current/accumulator
  for (let i = 0; i < b.n; i++) {
    const bias = Math.abs(b.bias[i]);
    const uPeak = CURRENT_PEAK_MARGIN * b.uPeak[i];
    const biasBound = bias > 0 ? (RANGE_MARGIN * BIAS_MAX) / bias : Infinity;
    // u (23 bits) holds the filtered current plus, in u + bias, the bias; q (21 bits) holds one
    // step's input, on average u/Mu: for an unfiltered block (Mu = 1) that is the tighter limit.
    const currentBound = uPeak + bias > 0 ? (RANGE_MARGIN * 2 ** U_BITS) / (uPeak + bias) : Infinity;
    const accBound = uPeak > 0 ? (RANGE_MARGIN * 2 ** Q_BITS * Math.max(1, mu / 4)) / uPeak : Infinity;
    bound[i] = Math.min(thresholdBound, biasBound, currentBound, accBound);
    limitedBy[i] = bound[i] === thresholdBound ? 0 : bound[i] === biasBound ? 1 : 2;
  }
  if (b.integrator) {
    // A sigma-delta integrator counts quanta: its feedback weight (one quantum), threshold (half)
    // and level biases (whole quanta) must be exact, or every spike carries a slightly wrong
    // value that a recurrence multiplies. One power-of-two scale for all makes them exact.
    const sigma = 2 ** Math.floor(Math.log2(Math.min(...bound)));
    return {
      sigma0: sigma, mu, mv, scaleClass: new Uint8Array(b.n), sigmaU: new Float64Array(b.n).fill(sigma), sigmaV: new Float64Array(b.n).fill(sigma * mv),
      sigmaW: new Float64Array(b.n).fill(sigma / mu), boundBy: { bias: 0, current: 0, clipped: 0 },
    };
  }
  // Classes sit on a power-of-two grid below the threshold bound, so blocks of one neuron type
  // share threshold profiles: class c has σ = thresholdBound / 2^(k + step·c).
  let hi = 0, lo = Infinity;
  for (const x of bound) {
    hi = Math.max(hi, x);
    lo = Math.min(lo, x);
  }
  const k = Math.max(0, Math.floor(Math.log2(thresholdBound / hi) + 1e-12));
  const spread = Math.log2(Math.max(1, (thresholdBound / 2 ** k) / lo));
  const step = Math.max(1, Math.ceil(spread / (SCALE_CLASSES - 1) - 1e-12));
  const sigma0 = thresholdBound / 2 ** k;
  const scaleClass = new Uint8Array(b.n);
  const sigmaU = new Float64Array(b.n), sigmaV = new Float64Array(b.n), sigmaW = new Float64Array(b.n);
  const boundBy = { bias: 0, current: 0, clipped: 0 };
  for (let i = 0; i < b.n; i++) {
    let c = bound[i] >= sigma0 ? 0 : Math.ceil(Math.log2(sigma0 / bound[i]) / step - 1e-12);
    if (c > 0 && limitedBy[i] === 1) boundBy.bias++;
    if (c > 0 && limitedBy[i] === 2) boundBy.current++;
    if (c > SCALE_CLASSES - 1) {
      c = SCALE_CLASSES - 1;
      boundBy.clipped++;
    }
    scaleClass[i] = c;
    sigmaU[i] = sigma0 / 2 ** (step * c);
    sigmaV[i] = sigmaU[i] * mv;
    sigmaW[i] = sigmaU[i] / mu;
  }
  return { sigma0, mu, mv, scaleClass, sigmaU, sigmaV, sigmaW, boundBy };
}

/**
 * The grid of contributions D an exponent offers with 8-bit mixed-sign weights (even stored
 * fields up to ±254; D = (Wgt >> −e) << 6 for e < 0, Wgt · 2^(6+e) otherwise, §3.2).
 */
export function weightGrid(weightExp: number): { step: number; max: number } {
  if (weightExp >= 0) return { step: 2 ** (7 + weightExp), max: WGT_MAX * 2 ** (6 + weightExp) };
  return { step: 64, max: Math.floor(WGT_MAX / 2 ** -weightExp) * 64 };
}

/** Stored field for an ideal contribution D at exponent e: the nearest point of the grid, clipped. */
export function quantizeWeight(idealD: number, weightExp: number): number {
  if (weightExp >= 0) return clip(2 * rne(idealD / 2 ** (7 + weightExp)), -WGT_MAX, WGT_MAX);
  const fieldPerStep = 2 ** -weightExp;
  const maxSteps = Math.floor(WGT_MAX / fieldPerStep);
  return clip(rne(idealD / 64), -maxSteps, maxSteps) * fieldPerStep;
}

/** Exponent for a group: −1 (finest grid, 64 q units) unless the largest weight needs more range. */
export function chooseWeightExp(maxIdealD: number): number {
  for (let e = -1; e <= 7; e++) if (maxIdealD <= weightGrid(e).max + weightGrid(e).step / 2) return e;
  return 7;
}

function quantizeGroup(g: HwGroup, sigmaW: Float64Array): QGroup {
  const nPre = g.weights.rows, nPost = g.weights.cols;
  const w = g.weights.data;
  const wgt = new Int32Array(w.length);
  const present = new Uint8Array(w.length);
  const rowExp = new Int8Array(nPre);
  let maxIdeal = 0, maxErr = 0, sumSq = 0, nonzero = 0, zeroed = 0, maxField = 0, total = 0, lost = 0, maxExp = -1;
  for (let j = 0; j < nPre; j++) {
    let rowMax = 0;
    for (let i = 0; i < nPost; i++) rowMax = Math.max(rowMax, Math.abs(w[j * nPost + i] * sigmaW[i]));
    maxIdeal = Math.max(maxIdeal, rowMax);
    const e = chooseWeightExp(rowMax);
    rowExp[j] = e;
    maxExp = Math.max(maxExp, e);
    for (let i = 0; i < nPost; i++) {
      const k = j * nPost + i;
      if (w[k] === 0) continue;
      present[k] = 1;
      nonzero++;
      const ideal = w[k] * sigmaW[i];
      const field = quantizeWeight(ideal, e);
      wgt[k] = field;
      const got = weightContribution(field, e);
      total += Math.abs(ideal);
      if (got === 0) {
        zeroed++;
        lost += Math.abs(ideal);
      }
      const err = Math.abs(got - ideal);
      maxErr = Math.max(maxErr, err);
      sumSq += err * err;
      maxField = Math.max(maxField, Math.abs(field));
    }
  }
  const rel = maxIdeal > 0 ? 1 / maxIdeal : 0;
  return {
    id: g.id, pre: g.pre, post: g.post, nPre, nPost, weightExp: maxExp, rowExp, wgt, present, connections: g.connections,
    report: { weightExp: maxExp, mantissaBitsUsed: maxField > 0 ? Math.ceil(Math.log2(maxField + 1)) : 0, maxRelError: maxErr * rel, rmsRelError: nonzero ? Math.sqrt(sumSq / nonzero) * rel : 0, nonzero, roundedToZero: zeroed, lostMagnitude: total > 0 ? lost / total : 0 },
    ...(g.origin ? { origin: g.origin } : {}),
  };
}

export function quantize(hw: HwNetwork): QuantizedNetwork {
  const warnings: Diagnostic[] = [];
  const blocks: QBlock[] = [];
  const scales = new Map<string, BlockScale>();
  for (const b of hw.blocks) {
    const { decayU, decayV } = decayRegisters(b.decayU, b.decayV);
    const scale = chooseScale(b, decayU, decayV);
    scales.set(b.id, scale);
    const vthMant = new Int32Array(b.n);
    const biasMant = new Int32Array(b.n);
    const biasExp = new Uint8Array(b.n);
    let biasClipped = 0;
    for (let i = 0; i < b.n; i++) {
      vthMant[i] = clip(rne(rne(b.vth * scale.sigmaV[i]) / 2 ** VTH_EXP), 1, VTH_MANT_MAX);
      const bias = clip(rne(b.bias[i] * scale.sigmaU[i]), -BIAS_MAX, BIAS_MAX);
      if (Math.abs(rne(b.bias[i] * scale.sigmaU[i])) > BIAS_MAX) biasClipped++;
      const { mant, exp } = biasToManExp(bias);
      biasMant[i] = mant;
      biasExp[i] = exp;
    }
    if (biasClipped > 0) warnings.push(diag("LMU3001", `ensemble '${b.id}': ${biasClipped} biases exceed the bias register even at the smallest scale and are clipped`, b.origin, { severity: "warning" }));
    // A negative float floor maps to the nearest −2^k + 1 the register offers (§5.7); 0 stays 0.
    const vmin = b.vmin < 0 ? -(2 ** clip(rne(Math.log2(1 - scale.sigma0 * scale.mv * b.vmin)), 0, U_BITS)) + 1 : 0;
    blocks.push({ id: b.id, ...(b.integrator ? { integrator: true } : {}), n: b.n, decayU, decayV, refractDelay: clip(b.refractDelay, 1, 63), vthMant, biasMant, biasExp, vmin, vmax: 2 ** U_BITS - 1, scale, ratesHz: b.ratesHz, ...(b.origin ? { origin: b.origin } : {}) });
    if (b.refractDelay > 63) warnings.push(diag("LMU3001", `ensemble '${b.id}': refractory period of ${b.refractDelay} steps is clipped to 63`, b.origin, { severity: "warning" }));
  }
  const groups = hw.groups.map((g) => quantizeGroup(g, scales.get(g.post)!.sigmaW));
  for (const g of groups) {
    // Tiny weights that round away are normal in dense decoded weights; warn when they mattered.
    if (g.report.lostMagnitude > 0.01) {
      warnings.push(diag("LMU3002", `connection ${g.connections.join(", ")} into '${g.post}': ${g.report.roundedToZero} of ${g.report.nonzero} weights round to zero, ${(100 * g.report.lostMagnitude).toFixed(1)}% of the connection's total weight`, g.origin, { severity: "warning", hint: "weights this small relative to the block's largest input carry little; consider fewer, stronger connections" }));
    }
  }
  // Accumulator headroom: the q one step can bring, worst case and at the calibrated rates.
  const rateOf = new Map<string, Float64Array>([...blocks.map((b) => [b.id, b.ratesHz] as const), ...hw.inputs.map((i) => [i.id, i.ratesHz] as const)]);
  const blockReports: BlockReport[] = blocks.map((b) => {
    const worst = new Float64Array(b.n), expected = new Float64Array(b.n);
    for (const g of groups) {
      if (g.post !== b.id) continue;
      const rates = rateOf.get(g.pre.kind === "block" ? g.pre.block : g.pre.input)!;
      for (let j = 0; j < g.nPre; j++) {
        const p = Math.min(1, rates[j] * hw.dtSeconds);
        for (let i = 0; i < g.nPost; i++) {
          const d = Math.abs(weightContribution(g.wgt[j * g.nPost + i], g.rowExp[j]));
          worst[i] += d;
          expected[i] += d * p;
        }
      }
    }
    const qMax = 2 ** Q_BITS;
    const worstMax = Math.max(0, ...worst);
    const expMax = Math.max(0, ...expected);
    if (expMax * 2 >= qMax) {
      warnings.push(diag("LMU3003", `ensemble '${b.id}': the 21-bit accumulator has little headroom: at the calibrated rates one step brings ${expMax.toExponential(2)} on average (limit 2^21 ≈ 2.10e+6; ${worstMax.toExponential(2)} if every input spiked at once)`, b.origin, { severity: "warning" }));
    }
    return {
      block: b.id, scale: b.scale, decayU: b.decayU, decayV: b.decayV, vth: Math.max(...b.vthMant) * 2 ** VTH_EXP, thresholdHeadroom: VTH_MAX / (Math.max(...b.vthMant) * 2 ** VTH_EXP),
      accumulatorHeadroomWorstCase: worstMax > 0 ? qMax / worstMax : Infinity, accumulatorHeadroomExpected: expMax > 0 ? qMax / expMax : Infinity,
    };
  });
  return { stage: "quantized", name: hw.name, dtSeconds: hw.dtSeconds, blocks, groups, inputs: hw.inputs, host: hw.host, toHost: hw.toHost, blockReports, warnings, notes: hw.notes };
}
