/**
 * Neuron models and their rate-level maths (float-semantics §4.2, §4.3, §6.1).
 *
 * Every formula is written in the same operation order as Nengo 4.1 (`nengo/neurons.py`), so the
 * results round the same way: gain/bias agree with Nengo to ~1 ulp, which the reference vectors
 * check at 1e-12 relative. Do not "simplify" the expressions algebraically.
 */

import { stepLifRate, stepRelu } from "./step.js";

export type NeuronModel =
  | { type: "lif"; tauRcSeconds: number; tauRefSeconds: number; minVoltage: number; amplitude: number }
  | { type: "lif-rate"; tauRcSeconds: number; tauRefSeconds: number; amplitude: number }
  | { type: "relu"; amplitude: number }
  /**
   * resetToZero: the chip's integrate-and-fire (hardware-model §5): at most one spike per step and
   * v reset to 0, the remainder lost; its rate curve is the staircase of passes/chip-rates.ts.
   * The float run of a network meant for the chip then behaves as the chip does (convert-cells).
   */
  | { type: "spiking-relu"; amplitude: number; resetToZero?: boolean };

/** A neuron's max rate / intercept (or gain / bias) cannot be realised. Maps to diagnostic LMU2005. */
export class NeuronParamError extends Error {
  readonly code = "LMU2005" as const;
  /** Index of the first offending neuron within the arrays passed in. */
  readonly neuronIndex: number;
  constructor(neuronIndex: number, message: string) {
    super(`neuron ${neuronIndex}: ${message}`);
    this.name = "NeuronParamError";
    this.neuronIndex = neuronIndex;
  }
}

export function isSpiking(m: NeuronModel): boolean {
  return m.type === "lif" || m.type === "spiking-relu";
}

/**
 * gain and bias that put the firing threshold at x̂ = intercept and the rate `maxRatesHz` at x̂ = 1
 * (§6.1). Amplitude is deliberately ignored, as in Nengo.
 */
export function gainBias(
  m: NeuronModel,
  maxRatesHz: Float64Array,
  intercepts: Float64Array,
): { gain: Float64Array; bias: Float64Array } {
  const n = maxRatesHz.length;
  if (intercepts.length !== n) {
    throw new RangeError(`gainBias: ${n} max rates but ${intercepts.length} intercepts`);
  }
  const gain = new Float64Array(n);
  const bias = new Float64Array(n);
  if (m.type === "lif" || m.type === "lif-rate") {
    const tauRef = m.tauRefSeconds, tauRc = m.tauRcSeconds;
    const maxRateHz = 1.0 / tauRef;
    for (let i = 0; i < n; i++) {
      const r = maxRatesHz[i];
      const c = intercepts[i];
      // r == 1/tau_ref would need infinite current (z = 1/0); Nengo rejects r > 1/tau_ref up
      // front and the infinite gain at equality later, so both are one error here.
      if (!(r < maxRateHz)) {
        throw new NeuronParamError(i, `max rate ${r} Hz must be below 1/tau_ref = ${maxRateHz} Hz`);
      }
      // z is the input current at which the rate curve equals r.
      const z = 1.0 / (1 - Math.exp((tauRef - 1.0 / r) / tauRc));
      const g = (1 - z) / (c - 1.0);
      checkGain(i, g, r, c);
      gain[i] = g;
      bias[i] = 1 - g * c;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const r = maxRatesHz[i];
      const c = intercepts[i];
      const g = r / (1 - c);
      checkGain(i, g, r, c);
      gain[i] = g;
      bias[i] = -c * g;
    }
  }
  return { gain, bias };
}

function checkGain(i: number, g: number, r: number, c: number): void {
  if (!(g > 0) || !Number.isFinite(g)) {
    throw new NeuronParamError(
      i,
      `max rate ${r} Hz with intercept ${c} gives gain ${g}; the gain must be finite and positive ` +
        `(intercepts must be below 1 and max rates positive)`,
    );
  }
}

/** Inverse of gainBias (§6.1). Only informative: non-realisable gain/bias give NaN or Infinity, not an error. */
export function maxRatesIntercepts(
  m: NeuronModel,
  gain: Float64Array,
  bias: Float64Array,
): { maxRatesHz: Float64Array; intercepts: Float64Array } {
  const n = gain.length;
  if (bias.length !== n) throw new RangeError(`maxRatesIntercepts: ${n} gains but ${bias.length} biases`);
  const maxRatesHz = new Float64Array(n);
  const intercepts = new Float64Array(n);
  if (m.type === "lif" || m.type === "lif-rate") {
    const tauRef = m.tauRefSeconds, tauRc = m.tauRcSeconds;
    for (let i = 0; i < n; i++) {
      const c = (1 - bias[i]) / gain[i];
      intercepts[i] = c;
      maxRatesHz[i] = 1.0 / (tauRef - tauRc * Math.log1p(1.0 / (gain[i] * (c - 1) - 1)));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const c = -bias[i] / gain[i];
      intercepts[i] = c;
      maxRatesHz[i] = gain[i] * (1 - c);
    }
  }
  return { maxRatesHz, intercepts };
}

/**
 * Steady-state rate curve in Hz at currents J (amplitude included). Spiking models use their rate
 * counterpart's curve (LIF → LIFRate, SpikingRectifiedLinear → RectifiedLinear), because that is
 * what Nengo solves decoders against. Shares the step kernels so tuning curves and rate-mode
 * simulation are bit-identical.
 */
export function rates(m: NeuronModel, J: Float64Array, out?: Float64Array): Float64Array {
  const n = J.length;
  const o = out ?? new Float64Array(n);
  if (o.length < n) throw new RangeError(`rates: output has ${o.length} entries, need ${n}`);
  if (m.type === "lif" || m.type === "lif-rate") {
    stepLifRate(m.tauRcSeconds, m.tauRefSeconds, m.amplitude, J, o, n);
  } else {
    stepRelu(m.amplitude, J, o, n);
  }
  return o;
}
