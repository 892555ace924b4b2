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
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { BIAS_EXP_MAX, BIAS_MANT_MAX, BIAS_MAX, clip, fl32, Q_BITS, rne, U_BITS, VTH_EXP, VTH_MANT_MAX, VTH_MAX, pow2 } from "../emulator/arith.js";
import { preCountOf, rowOfPreIn, windowStartOf, type HwBlock, type HwGroup, type HwNetwork } from "../ir/hw.js";
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

/** Share of a connection's total weight magnitude that may round to zero; beyond it, quantize re-scales or refuses (LMU3004). */
export const MAX_WEIGHT_LOSS = 0.05;
/** Share of the 21-bit accumulator the calibrated mean load of one step may take; beyond it, the block's scale shrinks (LMU3005). */
export const MAX_ACCUMULATOR_LOAD = 0.5;

/**
 * What quantize may change when a block's first scale fails it: `peakMargin` replaces
 * CURRENT_PEAK_MARGIN (1: the calibrated peak and decode headroom exactly, no room beyond);
 * `shrink` divides every bound (a power of two: integrators stay exact).
 */
export interface ScaleOptions {
  readonly peakMargin?: number;
  readonly shrink?: number;
}

export function chooseScale(b: HwBlock, decayU: number, decayV: number, opts: ScaleOptions = {}): BlockScale {
  const peakMargin = opts.peakMargin ?? CURRENT_PEAK_MARGIN;
  const shrink = opts.shrink ?? 1;
  // An integrator's weights add to u as they are (no δu normalisation to divide out).
  const mu = b.integrator ? 1 : decayMagnitude(decayU, 1);
  const mv = b.neuron === "lif" ? decayMagnitude(decayV, 0) : 1;
  const thresholdBound = (RANGE_MARGIN * VTH_MAX) / (b.vth * mv) / shrink;
  const bound = new Float64Array(b.n);
  const limitedBy = new Uint8Array(b.n); // 0 threshold, 1 bias, 2 current/accumulator
  for (let i = 0; i < b.n; i++) {
    const bias = Math.abs(b.bias[i]);
    const uPeak = peakMargin * b.uPeak[i];
    const biasBound = bias > 0 ? (RANGE_MARGIN * BIAS_MAX) / bias : Infinity;
    // u (23 bits) holds the filtered current plus, in u + bias, the bias; q (21 bits) holds one
    // step's input, on average u/Mu: for an unfiltered block (Mu = 1) that is the tighter limit.
    const currentBound = uPeak + bias > 0 ? (RANGE_MARGIN * 2 ** U_BITS) / (uPeak + bias) : Infinity;
    const accBound = uPeak > 0 ? (RANGE_MARGIN * 2 ** Q_BITS * Math.max(1, mu / 4)) / uPeak : Infinity;
    bound[i] = Math.min(thresholdBound, biasBound / shrink, currentBound / shrink, accBound / shrink);
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
  if (weightExp >= 0) return clip(2 * rne(idealD / pow2(7 + weightExp)), -WGT_MAX, WGT_MAX);
  const fieldPerStep = pow2(-weightExp);
  const maxSteps = Math.floor(WGT_MAX / fieldPerStep);
  return clip(rne(idealD / 64), -maxSteps, maxSteps) * fieldPerStep;
}

/** Exponent for a group: −1 (finest grid, 64 q units) unless the largest weight needs more range. */
export function chooseWeightExp(maxIdealD: number): number {
  for (let e = -1; e <= 7; e++) if (maxIdealD <= EXP_REACH[e + 1]) return e;
  return 7;
}

/**
 * Per exponent −1…7, the largest ideal D its grid still rounds to (max + step/2): chooseWeightExp
 * runs once per row (547k rows in psMNIST), and building two grids per exponent tried was most of it.
 */
const EXP_REACH = Float64Array.from({ length: 9 }, (_, k) => weightGrid(k - 1).max + weightGrid(k - 1).step / 2);

/** Per post compartment, the q one step brings: every input at once (worst) and at the calibrated rates (expected). */
interface LoadSums {
  readonly worst: Float64Array;
  readonly expected: Float64Array;
}

/** One row of a group for fineRowFields/coarseRowFields: float weights w[base..base+width) over post start.., fields at wgt[at..]. */
interface RowArgs {
  readonly w: Float64Array; readonly base: number; readonly width: number; readonly start: number; readonly sigmaW: Float64Array;
  readonly wgt: Int16Array; readonly at: number; readonly worst: Float64Array; readonly expected: Float64Array; readonly p: number;
  /** The row's span goes to first[j], last[j] (left as they are when every field is 0). */
  readonly first: Int32Array; readonly last: Int32Array; readonly j: number;
  /** Scratch of the row's width: each weight's ideal and delivered contribution. */
  readonly ideal: Float64Array; readonly got: Float64Array;
}

/*
 * quantizeWeight and weightContribution of one row with its exponent taken out of the loop (the
 * same operations, so the same fields), one function per sign of the exponent, then one tally of
 * the row with no branch that only some weights take: in a fresh process each quantizeGroup was
 * optimized, then deoptimized on the first row of the other kind ("insufficient type feedback")
 * and optimized again, ~50 ms of a 5-LMU compile run interpreted. The field functions leave each
 * weight's ideal and delivered contribution in r.ideal and r.got (0 where the weight is 0).
 */
function fineRowFields(r: RowArgs, fieldPerStep: number, maxSteps: number): void {
  const { w, base, width, start, sigmaW, wgt, at, ideal, got } = r;
  for (let c = 0; c < width; c++) {
    const x = w[base + c];
    if (x === 0) continue;
    const d = x * sigmaW[start + c];
    const field = clip(rne(d / 64), -maxSteps, maxSteps) * fieldPerStep;
    wgt[at + c] = field;
    ideal[c] = d;
    got[c] = Math.floor(field / fieldPerStep) * 64;
  }
}

function coarseRowFields(r: RowArgs, grid: number, gain: number): void {
  const { w, base, width, start, sigmaW, wgt, at, ideal, got } = r;
  for (let c = 0; c < width; c++) {
    const x = w[base + c];
    if (x === 0) continue;
    const d = x * sigmaW[start + c];
    const field = clip(2 * rne(d / grid), -WGT_MAX, WGT_MAX);
    wgt[at + c] = field;
    ideal[c] = d;
    got[c] = field * gain;
  }
}

/**
 * A row's share of the load and of the group's error figures, weight by weight in order as the
 * fields were made (a zeroed field adds +0 to the load sums, which changes no bit); its span to
 * first[j], last[j] unless every field is 0.
 */
function tallyRow(r: RowArgs, stats: Float64Array): void {
  const { w, base, width, start, wgt, at, worst, expected, p, j, ideal, got } = r;
  let nonzero = 0, zeroed = 0, total = stats[2], lost = stats[3], maxErr = stats[4], sumSq = stats[5], maxField = stats[6], first = -1, last = -1;
  for (let c = 0; c < width; c++) {
    if (w[base + c] === 0) continue;
    const i = start + c, x = ideal[c], y = got[c];
    nonzero++;
    const a = Math.abs(x), d = Math.abs(y), kept = y !== 0;
    total += a;
    zeroed += kept ? 0 : 1;
    lost += kept ? 0 : a;
    worst[i] += d;
    expected[i] += d * p;
    first = kept && first < 0 ? i : first;
    last = kept ? i : last;
    const err = Math.abs(y - x);
    maxErr = Math.max(maxErr, err);
    sumSq += err * err;
    maxField = Math.max(maxField, Math.abs(wgt[at + c]));
  }
  stats[0] += nonzero; stats[1] += zeroed; stats[2] = total; stats[3] = lost; stats[4] = maxErr; stats[5] = sumSq; stats[6] = maxField;
  if (first >= 0) {
    r.first[j] = first;
    r.last[j] = last;
  }
}

/**
 * One group in the chip's integers. Its share of the post block's accumulator load is added to
 * `load` as each field is made (rows in order, so every compartment's sums add in the same order
 * as a separate pass over the groups would). Each row is stored over its float window only, with
 * its first and last stored field (its span, which partition's scans keep to): a per-dimension
 * memory neuron's row reaches 8 of the hub's 2048 compartments.
 */
function quantizeGroup(g: HwGroup, sigmaW: Float64Array, preRatesHz: Float64Array, dtSeconds: number, load: LoadSums, reuse?: Int16Array): QGroup {
  // The float weights may cover windows of the post (postStart, rowStart); each row's fields are
  // stored over its window (rowBase), read only within its span of non-zero fields.
  const nPre = preCountOf(g), nPost = sigmaW.length, width = g.weights.cols;
  const w = g.weights.data;
  // A discarded attempt's fields of the same group may be written over: the same entries (those
  // with a non-zero float weight) get written, and every other entry is still 0.
  const wgt = reuse ?? new Int16Array(nPre * width);
  const rowBase = new Int32Array(nPre);
  const rowExp = new Int8Array(nPre);
  const first = new Int32Array(nPre).fill(nPost), last = new Int32Array(nPre).fill(-1);
  const { worst, expected } = load;
  let maxIdeal = 0, maxExp = -1;
  // nonzero, zeroed, total, lost, maxErr, sumSq, maxField: summed over rows in order.
  const stats = new Float64Array(7);
  const ideal = new Float64Array(width), got = new Float64Array(width);
  for (let j = 0; j < nPre; j++) {
    // Shared rows are quantized once per pre that reads them: the same fields, and each pre's
    // share of the load added in pre order as before.
    const src = rowOfPreIn(g, j);
    const start = windowStartOf(g, src);
    rowBase[j] = j * width - start;
    let rowMax = 0;
    for (let c = 0, base = src * width; c < width; c++) {
      const x = w[base + c];
      if (x !== 0) rowMax = Math.max(rowMax, Math.abs(x * sigmaW[start + c]));
    }
    maxIdeal = Math.max(maxIdeal, rowMax);
    const e = chooseWeightExp(rowMax);
    rowExp[j] = e;
    maxExp = Math.max(maxExp, e);
    const p = Math.min(1, preRatesHz[j] * dtSeconds);
    // Below 0 a field is steps · 2^−e and delivers steps · 64.
    const fieldPerStep = e < 0 ? pow2(-e) : 0, maxSteps = e < 0 ? Math.floor(WGT_MAX / fieldPerStep) : 0, grid = e >= 0 ? pow2(7 + e) : 0, gain = e >= 0 ? pow2(e) * 64 : 0;
    const row: RowArgs = { w, base: src * width, width, start, sigmaW, wgt, at: j * width, worst, expected, p, first, last, j, ideal, got };
    if (e < 0) fineRowFields(row, fieldPerStep, maxSteps);
    else coarseRowFields(row, grid, gain);
    tallyRow(row, stats);
  }
  const [nonzero, zeroed, total, lost, maxErr, sumSq, maxField] = stats;
  const rel = maxIdeal > 0 ? 1 / maxIdeal : 0;
  const q: QGroup = {
    id: g.id, pre: g.pre, post: g.post, nPre, nPost, weightExp: maxExp, rowExp, wgt, rowBase, spanFirst: first, spanLast: last, connections: g.connections,
    report: { weightExp: maxExp, mantissaBitsUsed: maxField > 0 ? Math.ceil(Math.log2(maxField + 1)) : 0, maxRelError: maxErr * rel, rmsRelError: nonzero ? Math.sqrt(sumSq / nonzero) * rel : 0, nonzero, roundedToZero: zeroed, lostMagnitude: total > 0 ? lost / total : 0 },
    ...(g.origin ? { origin: g.origin } : {}),
  };
  return q;
}

/** Registers of one block at the scale `opts` gives, and the warnings they raise. */
function quantizeBlock(b: HwBlock, opts: ScaleOptions): { block: QBlock; warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  const { decayU, decayV } = decayRegisters(b.decayU, b.decayV);
  const scale = chooseScale(b, decayU, decayV, opts);
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
  if (b.refractDelay > 63) warnings.push(diag("LMU3001", `ensemble '${b.id}': refractory period of ${b.refractDelay} steps is clipped to 63`, b.origin, { severity: "warning" }));
  const block: QBlock = { id: b.id, ...(b.integrator ? { integrator: true } : {}), n: b.n, decayU, decayV, refractDelay: clip(b.refractDelay, 1, 63), vthMant, biasMant, biasExp, vmin, vmax: 2 ** U_BITS - 1, scale, ratesHz: b.ratesHz, ...(b.origin ? { origin: b.origin } : {}) };
  return { block, warnings };
}

/** The largest load over a block's compartments: every input at once, and at the calibrated rates. */
function largestLoad(load: LoadSums): { worst: number; expected: number } {
  let w = 0, x = 0;
  for (let i = 0; i < load.worst.length; i++) {
    if (load.worst[i] > w) w = load.worst[i];
    if (load.expected[i] > x) x = load.expected[i];
  }
  return { worst: w, expected: x };
}

const worstLoss = (groups: readonly QGroup[]): number => Math.max(0, ...groups.map((g) => g.report.lostMagnitude));

/** A block at the scale `opts` gives, its quantized inputs, and their accumulator load. */
/** `reuse`: the groups of an attempt the caller discards, whose fields this one writes over (fresh memory costs page faults). */
function attempt(b: HwBlock, inputs: readonly HwGroup[], opts: ScaleOptions, rateOf: ReadonlyMap<string, Float64Array>, dtSeconds: number, reuse?: readonly QGroup[]) {
  const q = quantizeBlock(b, opts);
  const sums: LoadSums = { worst: new Float64Array(b.n), expected: new Float64Array(b.n) };
  const groups = inputs.map((g, k) => quantizeGroup(g, q.block.scale.sigmaW, rateOf.get(g.pre.kind === "block" ? g.pre.block : g.pre.input)!, dtSeconds, sums, reuse?.[k].wgt));
  return { ...q, groups, load: largestLoad(sums), opts };
}

/**
 * One block and its inputs, with the compiler's remedies (issue: no silent loss, no overflow the
 * calibration predicts): a calibrated accumulator load above MAX_ACCUMULATOR_LOAD of 2^21 shrinks
 * the scale by the power of two that brings it under (LMU3005 says so); a connection losing more
 * than MAX_WEIGHT_LOSS of its weight to rounding is retried without the current margin beyond the
 * calibrated peak (kept when it helps and the accumulator still holds). What still loses too much
 * is refused (LMU3004), with what to change.
 */
function quantizeWithRemedies(b: HwBlock, inputs: readonly HwGroup[], rateOf: ReadonlyMap<string, Float64Array>, dtSeconds: number, maxLoss: number): ReturnType<typeof attempt> & { errors: Diagnostic[] } {
  const qMax = 2 ** Q_BITS;
  let best = attempt(b, inputs, {}, rateOf, dtSeconds);
  const warnings = [...best.warnings];
  if (best.load.expected > MAX_ACCUMULATOR_LOAD * qMax) {
    let shrink = 2 ** Math.ceil(Math.log2(best.load.expected / (MAX_ACCUMULATOR_LOAD * qMax)));
    const before = best.load.expected;
    best = attempt(b, inputs, { shrink }, rateOf, dtSeconds, best.groups);
    // Rounding can leave the load a little above the limit: halve again until it holds.
    while (best.load.expected > MAX_ACCUMULATOR_LOAD * qMax && shrink < 2 ** 40) best = attempt(b, inputs, { shrink: (shrink *= 2) }, rateOf, dtSeconds, best.groups);
    warnings.length = 0;
    warnings.push(...best.warnings, diag("LMU3005", `${blockKind(b)} '${b.id}': at the calibrated rates one step would bring ${before.toExponential(2)} into the 21-bit accumulator (limit 2^21 ≈ 2.10e+6, kept below ${(MAX_ACCUMULATOR_LOAD * 100).toFixed(0)}%); its scale is divided by ${shrink}: now ${best.load.expected.toExponential(2)}, ${best.load.worst.toExponential(2)} if every input spiked at once`, b.origin, { severity: "warning" }));
  } else if (worstLoss(best.groups) > maxLoss) {
    const tight = attempt(b, inputs, { peakMargin: 1 }, rateOf, dtSeconds);
    if (worstLoss(tight.groups) < worstLoss(best.groups) && tight.load.expected <= MAX_ACCUMULATOR_LOAD * qMax) {
      best = tight;
      warnings.length = 0;
      warnings.push(...tight.warnings);
    }
  }
  const errors: Diagnostic[] = [];
  for (const g of best.groups) {
    if (g.report.lostMagnitude <= maxLoss) continue;
    const why = best.opts.shrink ? `its scale was divided by ${best.opts.shrink} to keep the calibrated load within the 21-bit accumulator` : `its scale is the largest that holds '${b.id}''s threshold, biases and calibrated current (no margin left)`;
    // A neuron-to-neuron group carries its connection's id; decode paths name their parts.
    const fix = g.pre.kind === "block" && g.id === g.connections[0] && !b.integrator ? "a decoded connection through decode neurons (--decode-neurons auto or always) loses nothing to rounding; " : "";
    errors.push(diag("LMU3004", `connection ${g.connections.join(", ")} into '${b.id}' would lose ${(100 * g.report.lostMagnitude).toFixed(1)}% of its weight to rounding (${g.report.roundedToZero} of ${g.report.nonzero} weights round to zero; at most ${(100 * maxLoss).toFixed(0)}% is accepted): ${why}`, g.origin, { hint: `${fix}make this connection's weights larger relative to the other inputs into '${b.id}' (its transform, or fewer and stronger pre neurons), or the largest inputs into '${b.id}' smaller` }));
  }
  return { ...best, warnings, errors };
}

const blockKind = (b: HwBlock): string => (b.integrator ? "decode block" : "ensemble");

export interface QuantizeOptions {
  /** Share of a connection's weight that may round to zero before it is refused (default MAX_WEIGHT_LOSS; 1 accepts any loss). */
  readonly maxWeightLoss?: number;
}

export function quantize(hw: HwNetwork, opts: QuantizeOptions = {}): QuantizedNetwork {
  const maxLoss = opts.maxWeightLoss ?? MAX_WEIGHT_LOSS;
  const warnings: Diagnostic[] = [];
  const errors: Diagnostic[] = [];
  const blocks: QBlock[] = [];
  const rateOf = new Map<string, Float64Array>([...hw.blocks.map((b) => [b.id, b.ratesHz] as const), ...hw.inputs.map((i) => [i.id, i.ratesHz] as const)]);
  const quantized = new Map<string, QGroup>();
  const blockReports: BlockReport[] = [];
  for (const b of hw.blocks) {
    const r = quantizeWithRemedies(b, hw.groups.filter((g) => g.post === b.id), rateOf, hw.dtSeconds, maxLoss);
    blocks.push(r.block);
    warnings.push(...r.warnings);
    errors.push(...r.errors);
    for (const g of r.groups) quantized.set(g.id, g);
    const qMax = 2 ** Q_BITS, vth = Math.max(...r.block.vthMant) * 2 ** VTH_EXP;
    blockReports.push({
      block: b.id, scale: r.block.scale, decayU: r.block.decayU, decayV: r.block.decayV, vth, thresholdHeadroom: VTH_MAX / vth,
      accumulatorHeadroomWorstCase: r.load.worst > 0 ? qMax / r.load.worst : Infinity, accumulatorHeadroomExpected: r.load.expected > 0 ? qMax / r.load.expected : Infinity,
    });
  }
  if (errors.length > 0) throw new DiagnosticError(errors);
  const groups = hw.groups.map((g) => quantized.get(g.id)!);
  for (const g of groups) {
    // Tiny weights that round away are normal in dense decoded weights; warn when they mattered.
    if (g.report.lostMagnitude > 0.01) {
      warnings.push(diag("LMU3002", `connection ${g.connections.join(", ")} into '${g.post}': ${g.report.roundedToZero} of ${g.report.nonzero} weights round to zero, ${(100 * g.report.lostMagnitude).toFixed(1)}% of the connection's total weight`, g.origin, { severity: "warning", hint: "weights this small relative to the block's largest input carry little; consider fewer, stronger connections" }));
    }
  }
  return { stage: "quantized", name: hw.name, dtSeconds: hw.dtSeconds, blocks, groups, inputs: hw.inputs, host: hw.host, toHost: hw.toHost, blockReports, warnings, notes: hw.notes };
}
