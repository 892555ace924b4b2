// HardwareRun with a learning group: the compiled small-lmu network (20 LIF on core 0) gets a
// second core whose 20 learned axons (one per neuron, dense rows of 2 zero weights) feed 2
// readout compartments, as the PES lowering will build it. The host's float error, taken every
// step through the learningError callback, is scaled, rounded and clipped into the register; the
// weights then move on the 2^11 lattice every 4 steps, and not at all when the error is 0.
import { loadNetworkFile } from "../../src/api.js";
import { compileNetwork, type CompileResult } from "../../src/compile.js";
import { HardwareRun } from "../../src/emulator/runner.js";
import type { ChipConfig, CoreConfig } from "../../src/ir/core.js";
import { loadTarget } from "../../src/target/target.js";

let compiled: CompileResult;
beforeAll(() => {
  compiled = compileNetwork(loadNetworkFile("test/golden/small-lmu.yaml"), loadTarget("loihi1"));
});

function withLearning(chip: ChipConfig): ChipConfig {
  const pre = chip.cores[0];
  const n = pre.nCompartments;
  const readout: CoreConfig = {
    index: 1,
    chip: 0,
    blocks: [{ label: "readout", start: 0, count: 2, source: "learned readout" }],
    nCompartments: 2,
    vmin: 0,
    vmax: 2 ** 23 - 1,
    cxProfiles: [{ decayU: 4095, decayV: 4095, refractDelay: 1 }],
    vthProfiles: [131071],
    cxProfile: new Uint8Array(2),
    cxVthProfile: new Uint8Array(2),
    biasMant: new Int32Array(2),
    biasExp: new Uint8Array(2),
    synapseFormats: [{ weightBits: 8, isMixed: true, weightExp: 4, compression: "dense", idxBits: 0 }],
    inputAxons: Array.from({ length: n }, (_, a) => ({ format: 0, row: a, base: 0 })),
    synapseRows: Array.from({ length: n }, () => ({ offsets: Int32Array.of(0, 1), weights: new Int32Array(2) })),
    outputAxons: [],
    learningGroups: [
      {
        label: "pes",
        firstAxon: 0,
        nAxons: n,
        readoutStart: 0,
        dims: 1,
        errorChannel: "err",
        errorScale: 100,
        errorMax: 127,
        profile: { traceEpochSteps: 2, learnEpochExp: 1, traceTauSteps: 5, traceDecay: Math.exp(-2 / 5), traceMagInt: 34, traceMagFrac: 70, lrMant: 1, lrExp: -7 },
      },
    ],
  };
  const feed = Array.from({ length: n }, (_, c) => ({ compartment: c, core: 1, axon: c }));
  return { ...chip, cores: [{ ...pre, outputAxons: [...pre.outputAxons, ...feed] }, readout], learningEngine: { traceBits: 7, learnFrac: 7, overflowBits: 2 } };
}

function learnedWeights(error: number, seed = 0, steps = 400): { weights: number[]; run: HardwareRun; asked: number } {
  let asked = 0;
  const run = new HardwareRun(withLearning(compiled.chip), compiled.host, {
    overflow: "wrap",
    learningSeed: seed,
    learningError: (group, channel, _step, out) => {
      asked++;
      expect([group, channel]).toEqual([0, "err"]);
      out[0] = error;
    },
  });
  run.run(steps);
  const L = run.emulator.learning!;
  const weights: number[] = [];
  for (let a = 0; a < compiled.chip.cores[0].nCompartments; a++) weights.push(L.weight(0, a, 0), L.weight(0, a, 1));
  return { weights, run, asked };
}

test("the host error drives learning: 100 weight updates in 400 steps, on the 2^11 lattice, ± halves opposite", () => {
  const { weights, run, asked } = learnedWeights(0.3);
  expect(run.learningChannels).toEqual(["err"]);
  expect(asked).toBe(400); // once per step for the one group
  expect(run.emulator.learning!.weightUpdates).toBe(100);
  expect(weights.every((w) => w % 2 ** 11 === 0)).toBe(true);
  // E' = rne(100·0.3) = 30 > 0: the "+" readout (j = 0) gets −E', so it only falls; the "−" one only rises.
  const plus = weights.filter((_, k) => k % 2 === 0);
  const minus = weights.filter((_, k) => k % 2 === 1);
  expect(plus.some((w) => w < 0) && plus.every((w) => w <= 0)).toBe(true);
  expect(minus.some((w) => w > 0) && minus.every((w) => w >= 0)).toBe(true);
  expect(run.clippedErrors).toBe(0);
});

test("zero error leaves the weights at 0; a clipped error is counted; the seed decides the rounding", () => {
  expect(learnedWeights(0).weights.every((w) => w === 0)).toBe(true);
  expect(learnedWeights(5, 0, 8).run.clippedErrors).toBe(8); // 500 → 127, every step
  expect(learnedWeights(0.3, 1).weights).toEqual(learnedWeights(0.3, 1).weights);
  expect(learnedWeights(0.3, 1).weights).not.toEqual(learnedWeights(0.3, 2).weights);
});
