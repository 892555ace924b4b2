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
import { diag, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
import { BIAS_EXP_MAX, BIAS_MANT_MAX, BIAS_MAX, clip, fl32, Q_BITS, rne, U_BITS, VTH_EXP, VTH_MANT_MAX, VTH_MAX, weightContribution } from "../emulator/arith.js";
import type { HwBlock, HwGroup, HwInput, HwNetwork } from "../ir/hw.js";
import type { BuiltNetwork } from "../ir/built.js";

/** Stored weight field with 8 weight bits in mixed-sign mode: even values in [−254, 254]. */
export const WGT_MAX = 254;
/** Headroom kept below each register's limit for rounding and for currents beyond calibration. */
const RANGE_MARGIN = 0.8;

export interface BlockScale {
  /** Integer current units per float current unit. */
  readonly sigmaU: number;
  readonly sigmaV: number;
  /** Integer q units per float weight. */
  readonly sigmaW: number;
  readonly mu: number;
  readonly mv: number;
  /** Which register bounded the scale. */
  readonly boundBy: "threshold" | "bias" | "current";
}

export interface QBlock {
  readonly id: string;
  readonly n: number;
  readonly decayU: number;
  readonly decayV: number;
  readonly refractDelay: number;
  readonly vthMant: number;
  readonly biasMant: Int32Array;
  readonly biasExp: Uint8Array;
  readonly vmin: number;
  readonly vmax: number;
  readonly scale: BlockScale;
  readonly ratesHz: Float64Array;
  readonly origin?: SourceLocation;
}

export interface WeightReport {
  readonly weightExp: number;
  readonly mantissaBitsUsed: number;
  /** Largest and RMS |D − ideal| relative to the group's largest ideal weight. */
  readonly maxRelError: number;
  readonly rmsRelError: number;
  readonly nonzero: number;
  readonly roundedToZero: number;
}

export interface QGroup {
  readonly id: string;
  readonly pre: HwGroup["pre"];
  readonly post: string;
  readonly nPre: number;
  readonly nPost: number;
  readonly weightExp: number;
  /** nPre × nPost stored Wgt fields (0 where no synapse or rounded away). */
  readonly wgt: Int32Array;
  /** Which entries are synapses (non-zero float weight). */
  readonly present: Uint8Array;
  readonly connections: readonly string[];
  readonly report: WeightReport;
  readonly origin?: SourceLocation;
}

export interface BlockReport {
  readonly block: string;
  readonly scale: BlockScale;
  readonly decayU: number;
  readonly decayV: number;
  readonly vth: number;
  /** VTH_MAX / vth: how far the threshold could still grow. */
  readonly thresholdHeadroom: number;
  /** 2^21 / (largest q one step could bring if every input spiked at once). */
  readonly accumulatorHeadroomWorstCase: number;
  /** 2^21 / (largest q expected per step at the calibrated rates). */
  readonly accumulatorHeadroomExpected: number;
}

export interface QuantizedNetwork {
  readonly stage: "quantized";
  readonly name: string;
  readonly dtSeconds: number;
  readonly blocks: readonly QBlock[];
  readonly groups: readonly QGroup[];
  readonly inputs: readonly HwInput[];
  readonly host: BuiltNetwork;
  readonly toHost: readonly string[];
  readonly blockReports: readonly BlockReport[];
  readonly warnings: readonly Diagnostic[];
  readonly notes: HwNetwork["notes"];
}

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

export function chooseScale(b: HwBlock, decayU: number, decayV: number): BlockScale {
  const mu = decayMagnitude(decayU, 1);
  const mv = b.neuron === "lif" ? decayMagnitude(decayV, 0) : 1;
  let maxBias = 0;
  for (const x of b.bias) maxBias = Math.max(maxBias, Math.abs(x));
  const candidates: [number, BlockScale["boundBy"]][] = [
    [(RANGE_MARGIN * VTH_MAX) / (b.vth * mv), "threshold"],
    [maxBias > 0 ? (RANGE_MARGIN * BIAS_MAX) / maxBias : Infinity, "bias"],
    [b.uPeak + maxBias > 0 ? (RANGE_MARGIN * 2 ** U_BITS) / (b.uPeak + maxBias) : Infinity, "current"],
  ];
  const [sigmaU, boundBy] = candidates.reduce((a, c) => (c[0] < a[0] ? c : a));
  return { sigmaU, sigmaV: sigmaU * mv, sigmaW: sigmaU / mu, mu, mv, boundBy };
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

function quantizeGroup(g: HwGroup, sigmaW: number): QGroup {
  const nPre = g.weights.rows, nPost = g.weights.cols;
  const w = g.weights.data;
  let maxIdeal = 0;
  for (let k = 0; k < w.length; k++) maxIdeal = Math.max(maxIdeal, Math.abs(w[k] * sigmaW));
  const weightExp = chooseWeightExp(maxIdeal);
  const wgt = new Int32Array(w.length);
  const present = new Uint8Array(w.length);
  let maxErr = 0, sumSq = 0, nonzero = 0, zeroed = 0, maxField = 0;
  for (let k = 0; k < w.length; k++) {
    if (w[k] === 0) continue;
    present[k] = 1;
    nonzero++;
    const ideal = w[k] * sigmaW;
    const field = quantizeWeight(ideal, weightExp);
    wgt[k] = field;
    const got = weightContribution(field, weightExp);
    if (got === 0) zeroed++;
    const err = Math.abs(got - ideal);
    maxErr = Math.max(maxErr, err);
    sumSq += err * err;
    maxField = Math.max(maxField, Math.abs(field));
  }
  const rel = maxIdeal > 0 ? 1 / maxIdeal : 0;
  return {
    id: g.id, pre: g.pre, post: g.post, nPre, nPost, weightExp, wgt, present, connections: g.connections,
    report: { weightExp, mantissaBitsUsed: maxField > 0 ? Math.ceil(Math.log2(maxField + 1)) : 0, maxRelError: maxErr * rel, rmsRelError: nonzero ? Math.sqrt(sumSq / nonzero) * rel : 0, nonzero, roundedToZero: zeroed },
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
    const vthMant = clip(rne(rne(b.vth * scale.sigmaV) / 2 ** VTH_EXP), 1, VTH_MANT_MAX);
    const biasMant = new Int32Array(b.n);
    const biasExp = new Uint8Array(b.n);
    for (let i = 0; i < b.n; i++) {
      const { mant, exp } = biasToManExp(rne(b.bias[i] * scale.sigmaU));
      biasMant[i] = mant;
      biasExp[i] = exp;
    }
    // A negative float floor maps to the nearest −2^k + 1 the register offers (§5.7); 0 stays 0.
    const vmin = b.vmin < 0 ? -(2 ** clip(rne(Math.log2(1 - scale.sigmaV * b.vmin)), 0, U_BITS)) + 1 : 0;
    blocks.push({ id: b.id, n: b.n, decayU, decayV, refractDelay: clip(b.refractDelay, 1, 63), vthMant, biasMant, biasExp, vmin, vmax: 2 ** U_BITS - 1, scale, ratesHz: b.ratesHz, ...(b.origin ? { origin: b.origin } : {}) });
    if (b.refractDelay > 63) warnings.push(diag("LMU3001", `ensemble '${b.id}': refractory period of ${b.refractDelay} steps is clipped to 63`, b.origin, { severity: "warning" }));
  }
  const groups = hw.groups.map((g) => quantizeGroup(g, scales.get(g.post)!.sigmaW));
  for (const g of groups) {
    if (g.report.roundedToZero > 0) {
      warnings.push(diag("LMU3002", `connection ${g.connections.join(", ")} into '${g.post}': ${g.report.roundedToZero} of ${g.report.nonzero} weights round to zero at this block's scale (largest weight error ${(100 * g.report.maxRelError).toFixed(1)}% of the largest weight)`, g.origin, { severity: "warning", hint: "weights this small relative to the block's largest input carry little; consider fewer, stronger connections" }));
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
          const d = Math.abs(weightContribution(g.wgt[j * g.nPost + i], g.weightExp));
          worst[i] += d;
          expected[i] += d * p;
        }
      }
    }
    const qMax = 2 ** Q_BITS;
    const worstMax = Math.max(0, ...worst);
    const expMax = Math.max(0, ...expected);
    if (worstMax >= qMax) {
      warnings.push(diag("LMU3003", `ensemble '${b.id}': if all its inputs spiked in one step the 21-bit accumulator would wrap (${worstMax.toExponential(2)} > 2^21); at the calibrated rates it peaks at ${expMax.toExponential(2)} per step on average`, b.origin, { severity: "warning" }));
    }
    return {
      block: b.id, scale: b.scale, decayU: b.decayU, decayV: b.decayV, vth: b.vthMant * 2 ** VTH_EXP, thresholdHeadroom: VTH_MAX / (b.vthMant * 2 ** VTH_EXP),
      accumulatorHeadroomWorstCase: worstMax > 0 ? qMax / worstMax : Infinity, accumulatorHeadroomExpected: expMax > 0 ? qMax / expMax : Infinity,
    };
  });
  return { stage: "quantized", name: hw.name, dtSeconds: hw.dtSeconds, blocks, groups, inputs: hw.inputs, host: hw.host, toHost: hw.toHost, blockReports, warnings, notes: hw.notes };
}
