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
import { averageSteps, DEFAULT_CONVERSION, defaultConversion, HELD_H_CONVERSION } from "./convert-cells.js";

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
