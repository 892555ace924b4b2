/**
 * Neuron populations for the spiking conversion of trained cells: one ensemble whose every unit
 * (a hidden unit or a memory dimension) owns `perUnit` neurons with axis-aligned encoders, so
 * the ensemble acts as an array of independent 1-D populations on one chip block. Decoders are
 * solved per unit (block diagonal) on the rate curve the ensemble will run with: Nengo's for the
 * float simulator, the chip's staircase for the emulator (passes/chip-rates.ts).
 */
import { mat, type Mat } from "../math/matrix.js";
import { solveLstsqL2 } from "../nef/solver.js";
import { gainBias, type NeuronModel } from "../neurons/models.js";

export interface Population {
  readonly units: number;
  readonly perUnit: number;
  readonly encoders: Mat;
  readonly gain: Float64Array;
  readonly bias: Float64Array;
}

/** How each neuron of a unit is tuned: evenly spread (deterministic, no draws needed). */
export function population(neuron: NeuronModel, units: number, perUnit: number, maxRatesHz: readonly [number, number], interceptRange: readonly [number, number]): Population {
  const n = units * perUnit;
  const encoders = mat(n, units);
  const rates = new Float64Array(n);
  const intercepts = new Float64Array(n);
  for (let u = 0; u < units; u++) {
    for (let k = 0; k < perUnit; k++) {
      const i = u * perUnit + k;
      // Alternate on and off neurons; within each sign the intercepts cover the range evenly,
      // and rates are spread with a stride so neighbours in intercept differ in rate.
      encoders.data[i * units + u] = k % 2 === 0 ? 1 : -1;
      const half = Math.ceil(perUnit / 2);
      const j = Math.floor(k / 2);
      const f = half > 1 ? j / (half - 1) : 0.5;
      intercepts[i] = interceptRange[0] + f * (interceptRange[1] - interceptRange[0]);
      const r = half > 1 ? ((j * 7) % half) / (half - 1) : 0.5;
      rates[i] = maxRatesHz[0] + r * (maxRatesHz[1] - maxRatesHz[0]);
    }
  }
  const { gain, bias } = gainBias(neuron, rates, intercepts);
  return { units, perUnit, encoders, gain, bias };
}

/**
 * Block-diagonal decoders [units·perUnit × units]: unit u's neurons decode target(u, x) for x in
 * [−1, 1] (the unit's normalized value), solved with LstsqL2 on `rate`.
 */
export function unitDecoders(p: Population, rate: (J: number) => number, target: (unit: number, x: number) => number, reg: number, evalPoints = 256): Mat {
  const { units, perUnit } = p;
  const D = mat(units * perUnit, units);
  const A = mat(evalPoints, perUnit);
  const Y = mat(evalPoints, 1);
  for (let u = 0; u < units; u++) {
    for (let e = 0; e < evalPoints; e++) {
      const x = -1 + (2 * e) / (evalPoints - 1);
      Y.data[e] = target(u, x);
      for (let k = 0; k < perUnit; k++) {
        const i = u * perUnit + k;
        A.data[e * perUnit + k] = rate(p.gain[i] * p.encoders.data[i * units + u] * x + p.bias[i]);
      }
    }
    const d = solveLstsqL2(A, Y, reg).decoders;
    for (let k = 0; k < perUnit; k++) D.data[(u * perUnit + k) * units + u] = d.data[k];
  }
  return D;
}
