/**
 * Per-cell-kind conversion defaults: cells whose h feeds back through W_h (kind lmu, psdigits
 * lmu-tanh) get HELD_H_CONVERSION over DEFAULT_CONVERSION (K 60, h averaged over the last 33 %
 * of each step, 100 neurons per unit, rates 500–1000 Hz, intercepts ±0.95, chip lead ½ substep: what took lmu-tanh's
 * chip accuracy from 64 % towards float, README); lmu-fft cells keep DEFAULT_CONVERSION
 * unchanged (lmufft reached its chip target with it). The evaluator reports the per-kind values
 * as defaults. No conversion is run (a full-size one takes seconds): the choices only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkFile } from "../frontend/index.js";
import { resolveConversion } from "../evaluate/conversion.js";
import { importTorchModel } from "../importers/index.js";
import { averageSteps, DEFAULT_CONVERSION, defaultConversion, HELD_H_CONVERSION, LARGE_MEMORY_CONVERSION, LARGE_MEMORY_ORDER, LONG_MEMORY_CONVERSION, LONG_MEMORY_THETA_STEPS } from "./convert-cells.js";

const MODELS = "test/fixtures/models/psdigits";
const dir = mkdtempSync(join(tmpdir(), "lmuc-convert-defaults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
importTorchModel(join(MODELS, "lmu-tanh.pt"), join(dir, "lmu.yaml"));
importTorchModel(join(MODELS, "lmufft-relu.pt"), join(dir, "fft.yaml"));
const lmu = loadNetworkFile(join(dir, "lmu.yaml"));
const fft = loadNetworkFile(join(dir, "fft.yaml"));

test("lmu cells (h fed back) get the held-h defaults; lmu-fft cells keep DEFAULT_CONVERSION", () => {
  const o = defaultConversion(lmu.cells![0]);
  expect([o.presentationSteps, o.averageFraction, o.hiddenPerUnit, o.memoryPerDimension, o.maxRatesHz, o.intercepts]).toEqual([60, 0.33, 100, 100, [500, 1000], [-0.95, 0.95]]);
  // The chip's memory led by half a substep at K 60 (one for lmu-fft cells: DEFAULT_CONVERSION).
  expect([o.chipLeadSteps, DEFAULT_CONVERSION.chipLeadSteps]).toEqual([0.5, 1]);
  // Everything else as DEFAULT_CONVERSION (synapses, neuron).
  for (const k of Object.keys(DEFAULT_CONVERSION) as (keyof typeof DEFAULT_CONVERSION)[]) if (!(k in HELD_H_CONVERSION)) expect(o[k]).toEqual(DEFAULT_CONVERSION[k]);
  expect(defaultConversion(fft.cells![0])).toBe(DEFAULT_CONVERSION);
  expect(DEFAULT_CONVERSION.presentationSteps).toBe(20);
  // 33 % of 60 steps: h is averaged over the last 20 of each step.
  expect(averageSteps(o)).toBe(20);
});

test("the evaluator reports the per-kind values as defaults, and a flag still wins", () => {
  const { options, choices } = resolveConversion(lmu.cells![0], { hiddenPerUnit: 30 }, "spiking");
  expect([options.presentationSteps, options.hiddenPerUnit, options.memoryPerDimension]).toEqual([60, 30, 100]);
  const by = Object.fromEntries(choices.map((c) => [c.key, c]));
  expect(by.presentation_steps).toEqual({ key: "presentation_steps", value: 60, source: "default" });
  expect(by.hidden_neurons_per_unit).toEqual({ key: "hidden_neurons_per_unit", value: 30, source: "flag" });
  expect(resolveConversion(fft.cells![0], {}, "spiking").options.presentationSteps).toBe(20);
});

test("long memories (θ ≥ 256 steps, psMNIST's 784) get decoders with reg 1e-4 over their kind's defaults; psdigits (θ 64) keeps its own", () => {
  // psdigits' cells are below the threshold, so the tests above (and their builds) stand as they were.
  expect([lmu.cells![0].thetaSteps, fft.cells![0].thetaSteps].every((t) => t < LONG_MEMORY_THETA_STEPS)).toBe(true);
  const psm = defaultConversion({ kind: "lmu", thetaSteps: 784 });
  expect(psm).toEqual({ ...DEFAULT_CONVERSION, ...HELD_H_CONVERSION, reg: 1e-4 });
  expect(defaultConversion({ kind: "lmu-fft", thetaSteps: 256 })).toEqual({ ...DEFAULT_CONVERSION, ...LONG_MEMORY_CONVERSION });
  expect(defaultConversion({ kind: "lmu", thetaSteps: 255 }).reg).toBe(DEFAULT_CONVERSION.reg);
  // …reported as a default, and a flag or the file still wins.
  const { choices } = resolveConversion({ ...lmu.cells![0], thetaSteps: 784 }, {}, "spiking");
  expect(choices.find((c) => c.key === "reg")).toEqual({ key: "reg", value: 1e-4, source: "default" });
  expect(resolveConversion({ ...lmu.cells![0], thetaSteps: 784 }, { reg: 0.01 }, "spiking").options.reg).toBe(0.01);
});

test("large memories (order ≥ 128, psMNIST's 256) default to 8 neurons per memory dimension, 20 per hidden unit and the model calibration; psdigits (order 32) keeps its own", () => {
  expect([lmu.cells![0].order, fft.cells![0].order].every((q) => q < LARGE_MEMORY_ORDER)).toBe(true);
  // psmnist-shape: long and large, both apply over the held-h defaults.
  expect(defaultConversion({ kind: "lmu", thetaSteps: 784, order: 256 })).toEqual({ ...DEFAULT_CONVERSION, ...HELD_H_CONVERSION, reg: 1e-4, memoryPerDimension: 8, hiddenPerUnit: 20, compilerCalibration: "model" });
  expect(defaultConversion({ kind: "lmu-fft", thetaSteps: 64, order: 128 })).toEqual({ ...DEFAULT_CONVERSION, ...LARGE_MEMORY_CONVERSION });
  expect(defaultConversion({ kind: "lmu", thetaSteps: 64, order: 127 })).toEqual({ ...DEFAULT_CONVERSION, ...HELD_H_CONVERSION });
  expect(DEFAULT_CONVERSION.compilerCalibration).toBe("simulate");
});
