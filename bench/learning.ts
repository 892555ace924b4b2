/**
 * The cost of PES learning in the chip emulator: the same network stepped with its learning group
 * on and off, in the same run. The network is built from the pes-delay conformance vector's own
 * fields, scaled up to the example size: `pre` spiking compartments (the vector's
 * spiking-ReLU registers, cycled), its 16 host input channels each with a dense row onto every
 * pre compartment (the vector's encoder weights, cycled), and one learned group of `pre` axons
 * onto 2·d readouts with the vector's trace and rate parameters. Inputs and errors replay the
 * vector's (cyclically); U comes from the seeded generator. "Off" is the identical model without
 * its learning group: the readout weights are then an ordinary synapse group.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { loadConformance } from "../src/emulator/conformance.js";
import { Emulator, type InputSpikes } from "../src/emulator/engine.js";
import type { EmuModel } from "../src/emulator/model.js";
import { loadNetworkFile } from "../src/api.js";
import { compileNetwork } from "../src/compile.js";
import { HardwareRun } from "../src/emulator/runner.js";
import type { ChipConfig } from "../src/ir/core.js";
import type { HostProgram } from "../src/ir/host.js";
import { loadTarget } from "../src/target/target.js";

const VECTOR = "test/fixtures/conformance/pes-delay.json.gz";

/** The pes-delay network with `pre` pre-synaptic compartments. */
function scaledModel(pre: number): { model: EmuModel; inputs: (InputSpikes[] | undefined)[]; errors: Int32Array; dims: number } {
  const c = loadConformance(JSON.parse(gunzipSync(readFileSync(VECTOR)).toString("utf8")));
  const src = c.model;
  const L = src.learning![0];
  const small = src.blocks[0].count;
  const width = 2 * L.dims;
  const n = pre + width;
  // Pre compartment i takes the registers of the vector's pre compartment i mod its count.
  const pick = (a: Int32Array) => Int32Array.from({ length: n }, (_, i) => (i < pre ? a[src.blocks[0].start + (i % small)] : a[L.readoutStart + i - pre]));
  const cx = src.compartments;
  const compartments = { count: n, decayU: pick(cx.decayU), decayV: pick(cx.decayV), vth: pick(cx.vth), bias: pick(cx.bias), vmin: pick(cx.vmin), vmax: pick(cx.vmax), refractDelay: pick(cx.refractDelay) };
  const enc = src.synapses.find((g, i) => i !== L.synapse)!;
  const encAxons = enc.axons.map((row) => ({ targets: Int32Array.from({ length: pre }, (_, i) => i), weights: Int32Array.from({ length: pre }, (_, i) => row!.weights[i % row!.weights.length]) }));
  const learned = src.synapses[L.synapse];
  const decAxons = Array.from({ length: pre }, () => ({ targets: Int32Array.from({ length: width }, (_, j) => pre + j), weights: new Int32Array(width) }));
  const model: EmuModel = {
    compartments,
    blocks: [{ label: "pre", start: 0, count: pre, core: 0 }, { label: "readout", start: pre, count: width, core: 1 }],
    synapses: [
      { ...enc, block: 0, axons: encAxons },
      { ...learned, block: 1, axons: decAxons },
    ],
    routes: [
      { source: "input", index: 0, synapse: 0, axonOf: Int32Array.from({ length: enc.axons.length }, (_, i) => i) },
      { source: "block", index: 0, synapse: 1, axonOf: Int32Array.from({ length: pre }, (_, i) => i) },
    ],
    inputs: [{ label: "lmu", count: enc.axons.length }],
    delaySlots: 1,
    learning: [{ ...L, synapse: 1, readoutStart: pre }],
  };
  const inputs = Array.from({ length: c.steps }, (_, t) => c.inputSpikes.get(t + 1));
  return { model, inputs, errors: c.learning!.errors[0], dims: L.dims };
}

function stepsPerSecond(model: EmuModel, inputs: (InputSpikes[] | undefined)[], errors: Int32Array, dims: number, steps: number): number {
  const emu = new Emulator(model, { learningSeed: 1 });
  const error = new Int32Array(dims);
  const run = (count: number): void => {
    for (let k = 0; k < count; k++) {
      const t = emu.stepCount % inputs.length;
      for (let j = 0; j < dims; j++) error[j] = errors[t * dims + j];
      emu.learning?.setError(0, error);
      emu.step(inputs[t]);
    }
  };
  run(500);
  const t0 = performance.now();
  run(steps);
  return steps / ((performance.now() - t0) / 1000);
}

const EXAMPLE = "examples/lmu-delay-pes.yaml";

/** Steps/s of a compiled chip with its host program (error path, readout, encoders), after a warm-up. */
function hardwareStepsPerSecond(chip: ChipConfig, host: HostProgram, steps: number): number {
  const run = new HardwareRun(chip, host, { expectedSteps: steps + 500 });
  run.run(500);
  const t0 = performance.now();
  run.run(steps);
  return steps / ((performance.now() - t0) / 1000);
}

/**
 * The compiled example (lmuc compile of examples/lmu-delay-pes.yaml) run by HardwareRun, chip and
 * host together, with its learning group on and off. "Off" is the same chip without the group:
 * the learned rows are then ordinary synapses and the host writes no error.
 */
function exampleBench(steps: number): object {
  const { chip, host } = compileNetwork(loadNetworkFile(EXAMPLE), loadTarget("loihi1"));
  const off: ChipConfig = { ...chip, cores: chip.cores.map(({ learningGroups: _, ...c }) => c) };
  let on = 0;
  let plain = 0;
  for (let r = 0; r < 3; r++) {
    on = Math.max(on, hardwareStepsPerSecond(chip, host, steps));
    plain = Math.max(plain, hardwareStepsPerSecond(off, host, steps));
  }
  console.log(`PES example compiled (${EXAMPLE}: chip + host, 1000 pre neurons, weights every ${chip.cores.flatMap((c) => c.learningGroups ?? []).map((g) => g.profile.traceEpochSteps * 2 ** g.profile.learnEpochExp)[0]} steps)`);
  console.log(`learning on ${on.toFixed(0)} steps/s, off ${plain.toFixed(0)} steps/s: learning costs ${((plain / on - 1) * 100).toFixed(0)}% of step time`);
  return { network: EXAMPLE, learning_on_steps_per_second: on, learning_off_steps_per_second: plain };
}

/** Best of 3 for each, alternating on and off so machine load hits both alike; then the compiled example. */
export function learningBench(pre = 1000, steps = 10000): object {
  const { model, inputs, errors, dims } = scaledModel(pre);
  const off: EmuModel = { ...model, learning: [] };
  let on = 0;
  let plain = 0;
  for (let r = 0; r < 3; r++) {
    on = Math.max(on, stepsPerSecond(model, inputs, errors, dims, steps));
    plain = Math.max(plain, stepsPerSecond(off, inputs, errors, dims, steps));
  }
  console.log(`\nPES learning in the emulator (pes-delay's fields at ${pre} pre neurons, ${pre}×${2 * dims} learned weights; traces every 2 steps, weights every 4)`);
  console.log(`learning on ${on.toFixed(0)} steps/s, off ${plain.toFixed(0)} steps/s: learning costs ${((plain / on - 1) * 100).toFixed(0)}% of step time`);
  return { network: `pes-delay scaled to ${pre} pre neurons`, pre_neurons: pre, learned_weights: pre * 2 * dims, learning_on_steps_per_second: on, learning_off_steps_per_second: plain, example: exampleBench(steps) };
}
