/**
 * The learning registers of one PES connection on the chip (hardware-model.md §6), chosen so the
 * chip's rule learns at the float rule's rate without saturating or underflowing.
 *
 * The chip's rule, per learning epoch of L = traceEpoch·2^k steps, in weight-lattice units
 * (one unit = 2^(6 + weightExp + 1) in q, the learned weights' grid; 127 units at most):
 *
 *   Δ = x·E·lr / 2^(overflowBits + 1)          x: pre trace 0..127, E: error register ±127
 *
 * and NengoLoihi's float rule over the same L steps is Δd = −L·κ·dt/n·e·ā (ā the pre activity,
 * Hz, filtered by the pre-synapse). With the trace's mean x = kx·ā (kx = mag·traceEpoch·dt /
 * (1 − traceDecay): one mark per epoch at rate ā·traceEpoch·dt), the error E = s·e and one
 * lattice unit = dUnit of decoder, the two agree when
 *
 *   lr = L·κ·dt/n · 2^(overflowBits + 1) / (kx·s·dUnit).
 *
 * NengoLoihi pins lr to 2^−7 and moves the whole gain into the trace increment, which then
 * saturates at 127 on ordinary rates. Here each factor is set by its own range instead:
 *  - trace increment mag = 127·(1 − traceDecay): a pre neuron firing in every epoch reaches 127,
 *    never more, so the trace cannot saturate, and uses its whole range;
 *  - error scale s = 127 / (1.25·peak error of the calibration run);
 *  - lattice: dUnit = decoderCap / 127, with decoderCap 4× the decoders that would carry the
 *    readout's full range (4× the peak error) at the calibrated rates, or 2× the initial decoders;
 *  - the learning epoch k: the smallest for which a typical update is ≥ 16 units of the product's
 *    resolution (2^−(learnFrac + 1) lattice units), so flooring the product costs little;
 *  - lr = lrMant·2^lrExp to 4 significant bits; what rounding leaves is moved into s (a float the
 *    host multiplies by), so the effective rate equals the float one. When lr is out of the
 *    registers' range, s absorbs what it can (8× coarser, 1.25× finer) and the rest is reported.
 */
import type { TargetLearning } from "../target/types.js";

/** What the chooser needs to know about a learned connection. */
export interface LearningInputs {
  readonly learningRate: number;
  readonly nPre: number;
  readonly dtSeconds: number;
  /** Pre-synaptic filter τ in steps (already whole). */
  readonly traceTauSteps: number;
  /** Peak |error| in the calibration run (0 when it saw none). */
  readonly errorPeak: number;
  /** Σ of the pre neurons' mean rates (Hz) and their mean over the active ones, from calibration. */
  readonly rateSumHz: number;
  readonly meanActiveRateHz: number;
  /** Largest |initial decoder| (0 for function: zero). */
  readonly initialDecoderMax: number;
  /** DC gain of the readout's current filter: 4096 / (du + 1) (1 without a synapse). */
  readonly readoutGain: number;
}

export interface LearningChoice {
  readonly traceEpochSteps: number;
  readonly learnEpochExp: number;
  readonly learnEpochSteps: number;
  readonly traceTauSteps: number;
  readonly traceDecay: number;
  readonly traceMagInt: number;
  readonly traceMagFrac: number;
  /** Mean trace per Hz of pre activity (kx). */
  readonly traceGain: number;
  readonly lrMant: number;
  readonly lrExp: number;
  readonly weightExp: number;
  readonly errorScale: number;
  readonly errorMax: number;
  /** Readout compartments hold u = value·readoutScale (integer units per unit of output). */
  readonly readoutScale: number;
  /** Decoder value of one lattice unit, and of the cap (127 units). */
  readonly decoderUnit: number;
  readonly decoderCap: number;
  /** The error range E = ±127 covers (1.25× the calibrated peak). */
  readonly errorRange: number;
  /** Typical product of an update, in units of its resolution (≥ 16 is what k is chosen for). */
  readonly typicalProduct: number;
  /** The float rate κ and the chip's effective κ (equal unless the registers cannot hold it). */
  readonly floatRate: number;
  readonly effectiveRate: number;
  /** Why the rate is off, when it is: what to change. */
  readonly rateProblem?: string;
}

/** u headroom: the readout range is 4× the error range; u stays below 2^22 there. */
const READOUT_RANGE = 4;
const U_LIMIT = 2 ** 22;
const WEIGHT_LEVELS = 127;
const MIN_TYPICAL_PRODUCT = 16;
const MAX_LEARN_EPOCH_EXP = 4;
/** How much coarser the error scale may get to absorb a rate the registers cannot hold. */
const MAX_ERROR_COARSENING = 8;
/** …and how much finer (errors then clip a little sooner). */
const MAX_ERROR_GROWTH = 1.25;

export function chooseLearning(x: LearningInputs, L: TargetLearning): LearningChoice {
  const traceEpochSteps = 2;
  const traceDecay = Math.exp(-traceEpochSteps / x.traceTauSteps);
  const fracOne = 2 ** L.traceMagFracBits;
  const traceMax = 2 ** L.traceBits - 1;
  const magMax = 2 ** L.traceMagIntBits - 1 + (fracOne - 1) / fracOne;
  const mag = Math.min(magMax, Math.floor(traceMax * (1 - traceDecay) * fracOne) / fracOne);
  const traceMagInt = Math.floor(mag), traceMagFrac = Math.round((mag - traceMagInt) * fracOne);
  const traceGain = (mag * traceEpochSteps * x.dtSeconds) / (1 - traceDecay);
  const errorMax = 2 ** (L.errorBits - 1) - 1;
  const errorRange = 1.25 * (x.errorPeak > 0 ? x.errorPeak : 1);
  let errorScale = errorMax / errorRange;

  // Readout and lattice: w (q per spike) = d·σ/(dt·G); u = value·σ below U_LIMIT at READOUT_RANGE.
  const valueMax = READOUT_RANGE * errorRange;
  const sigmaMax = U_LIMIT / valueMax;
  const decoderNeed = Math.max((4 * valueMax) / Math.max(x.rateSumHz, 1e-9), 2 * x.initialDecoderMax, 1e-30);
  const qPerDecoder = (s: number): number => s / (x.dtSeconds * x.readoutGain);
  const unitNeeded = (decoderNeed * qPerDecoder(sigmaMax)) / WEIGHT_LEVELS;
  // Exponents ≥ 0 only: below, a stored weight's contribution is floored (arith.ts weightContribution).
  const weightExp = Math.min(7, Math.max(0, Math.ceil(Math.log2(unitNeeded)) - 7));
  const unitQ = 2 ** (7 + weightExp);
  const readoutScale = Math.min(sigmaMax, (WEIGHT_LEVELS * unitQ * x.dtSeconds * x.readoutGain) / decoderNeed);
  const decoderUnit = unitQ / qPerDecoder(readoutScale);

  const shift = 2 ** (L.overflowBits + 1);
  const needLr = (k: number): number => (traceEpochSteps * 2 ** k * x.learningRate * x.dtSeconds * shift) / (x.nPre * traceGain * errorScale * decoderUnit);
  // A typical update: trace at the mean active rate, error a quarter of its range.
  const productOf = (lr: number, scale: number): number => traceGain * x.meanActiveRateHz * ((scale * errorRange) / 4) * lr * 2 ** (L.learnFrac - L.overflowBits);
  const maxExp = Math.min(2 ** L.learnEpochExpBits - 1, MAX_LEARN_EPOCH_EXP);
  let k = 1;
  while (k < maxExp && productOf(needLr(k), errorScale) < MIN_TYPICAL_PRODUCT) k++;
  const lr = needLr(k);
  const mantMax = 2 ** (L.lrMantBits - 1) - 1;
  const expMin = -(2 ** (L.lrExpBits - 1)), expMax = 2 ** (L.lrExpBits - 1) - 1;
  // Largest exponent whose mantissa is still ≥ half its range: 4 significant bits.
  let lrExp = Math.floor(Math.log2(lr / mantMax)) + 1;
  let lrMant = Math.round(lr / 2 ** lrExp);
  if (lrMant > mantMax) lrExp += 1;
  lrExp = Math.min(expMax, Math.max(expMin, lrExp));
  lrMant = Math.min(mantMax, Math.max(1, Math.round(lr / 2 ** lrExp)));
  // Rounding of lr moves into the error scale; beyond MAX_ERROR_COARSENING the rate stays off.
  const wanted = lr / (lrMant * 2 ** lrExp);
  errorScale *= Math.min(Math.max(wanted, 1 / MAX_ERROR_COARSENING), MAX_ERROR_GROWTH);
  const effectiveRate = (lrMant * 2 ** lrExp * x.nPre * traceGain * errorScale * decoderUnit) / (traceEpochSteps * 2 ** k * x.dtSeconds * shift);
  const ratio = effectiveRate / x.learningRate;
  let rateProblem: string | undefined;
  if (ratio > 1.001) rateProblem = `the chip's smallest learning rate (mantissa 1 · 2^${expMin}, errors ${MAX_ERROR_COARSENING}× coarser) is ${ratio.toFixed(2)}× the float rate ${x.learningRate}: raise learning_rate, or learn from fewer pre neurons`;
  if (ratio < 0.999) rateProblem = `the chip's largest learning rate (mantissa ${mantMax} · 2^${expMax}) is ${ratio.toExponential(2)}× the float rate ${x.learningRate}: lower learning_rate`;
  return {
    traceEpochSteps, learnEpochExp: k, learnEpochSteps: traceEpochSteps * 2 ** k, traceTauSteps: x.traceTauSteps, traceDecay, traceMagInt, traceMagFrac, traceGain,
    lrMant, lrExp, weightExp, errorScale, errorMax, readoutScale, decoderUnit, decoderCap: WEIGHT_LEVELS * decoderUnit, errorRange,
    typicalProduct: productOf(lrMant * 2 ** lrExp, errorScale), floatRate: x.learningRate, effectiveRate,
    ...(rateProblem ? { rateProblem } : {}),
  };
}
