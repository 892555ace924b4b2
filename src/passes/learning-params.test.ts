// The learning register chooser (learning-params.ts) on the example's calibrated inputs and at the
// edges of the registers' range.
import { loadTarget } from "../target/target.js";
import { chooseLearning, type LearningInputs } from "./learning-params.js";

const L = loadTarget("loihi1").learning!;
/** lmu-delay-pes's calibration (report.json): 1000 spiking ReLU, 2 s, readout synapse 5 ms (du 741). */
const EXAMPLE: LearningInputs = { learningRate: 2e-4, nPre: 1000, dtSeconds: 0.001, traceTauSteps: 5, errorPeak: 0.576, rateSumHz: 64000, meanActiveRateHz: 72.6, initialDecoderMax: 0, readoutGain: 4096 / 742 };

test("the example: effective rate = float rate, trace reaches 127 at one spike per update and no more, lr keeps 3+ bits", () => {
  const c = chooseLearning(EXAMPLE, L);
  expect(c.effectiveRate / c.floatRate).toBeCloseTo(1, 9);
  expect(c.rateProblem).toBeUndefined();
  const mag = c.traceMagInt + c.traceMagFrac / 128;
  expect(mag / (1 - c.traceDecay)).toBeLessThanOrEqual(127);
  expect(mag / (1 - c.traceDecay)).toBeGreaterThan(127 - 1 / 128 / (1 - c.traceDecay) - 1e-9);
  expect(c.lrMant).toBeGreaterThanOrEqual(4);
  expect(c.lrMant).toBeLessThanOrEqual(7);
  // The error scale moved by the lr rounding stays within (1/1.25, 1.25) of 127/(1.25·peak).
  expect(c.errorScale / (127 / (1.25 * 0.576))).toBeGreaterThan(0.8);
  expect(c.errorScale / (127 / (1.25 * 0.576))).toBeLessThan(1.25);
  // The lattice: 127 units hold 4× the decoders of a readout 4× the error range (4·4·0.72/64000 = 1.8e-4).
  expect(c.decoderCap).toBeGreaterThanOrEqual((4 * 4 * 1.25 * 0.576) / 64000 - 1e-12);
  expect(c.weightExp).toBeGreaterThanOrEqual(0);
});

test("a rate below the registers' reach: the smallest rate, 8× coarser errors, and a message that says to raise it", () => {
  const c = chooseLearning({ ...EXAMPLE, learningRate: 1e-12 }, L);
  expect(c.lrMant).toBe(1);
  expect(c.lrExp).toBe(-16);
  expect(c.effectiveRate).toBeGreaterThan(1e-12);
  expect(c.rateProblem).toMatch(/raise learning_rate/);
});

test("a rate above the registers' reach says to lower it; an error never seen in calibration is taken as ±1", () => {
  expect(chooseLearning({ ...EXAMPLE, learningRate: 1e9 }, L).rateProblem).toMatch(/lower learning_rate/);
  const c = chooseLearning({ ...EXAMPLE, errorPeak: 0 }, L);
  expect(c.errorRange).toBe(1.25);
  expect(c.effectiveRate / c.floatRate).toBeCloseTo(1, 9);
});
