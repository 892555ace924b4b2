// The learning engine on a hand-built model: hardware-model.md §10 L2 (update steps), L4 (an
// integer trace magnitude is exact; the cap is 127), L5 (the worked weight update: D = 0,
// x = 100, E = +20 → 2·2^11 with U = 0.5, 2^11 with U = 0.99), lost trace spikes, weights
// first delivered in the next step, the seeded generator's determinism, reset, and that a model
// without learning builds no engine at all.
import { VTH_MAX } from "./arith.js";
import { Emulator, type InputSpikes } from "./engine.js";
import { type LearningRandom, SeededLearningRandom, stochasticRound } from "./learning.js";
import { type EmuLearningGroup, type EmuModel, validateModel } from "./model.js";

/** A U source that always answers `u` and records what it was asked. */
class ConstantU implements LearningRandom {
  readonly asked: string[] = [];
  constructor(public u: number) {}
  traceU(group: number, step: number, out: Float64Array, count: number): void {
    this.asked.push(`trace g${group} t${step} ×${count}`);
    out.fill(this.u, 0, count);
  }
  weightU(group: number, step: number, out: Float64Array, count: number): void {
    this.asked.push(`weight g${group} t${step} ×${count}`);
    out.fill(this.u, 0, count);
  }
  reset(): void {}
}

/**
 * Host input 0 (`axons` channels) → learned synapse group 0 (one axon per channel, each with a
 * dense row onto 2 non-spiking readout compartments, d = 1). Loihi 1 defaults: weight_exp 4,
 * 8 bits mixed (real_weight_exp 10, shift_bits 1, weight_max 127), lr 1·2^−7.
 */
function pesModel(over: Partial<EmuLearningGroup> = {}, axons = 1, initial = 0): EmuModel {
  const n = 2;
  const col = (v: number) => new Int32Array(n).fill(v);
  const group: EmuLearningGroup = {
    label: "pes",
    synapse: 0,
    readoutStart: 0,
    dims: 1,
    trainEpoch: 2,
    learnEpoch: 4,
    traceDecay: 0,
    traceMag: 100,
    traceMax: 127,
    lrInt: 1,
    lrExp: -7,
    learnFrac: 7,
    overflowBits: 2,
    realWeightExp: 10,
    shiftBits: 1,
    weightMax: 127,
    ...over,
  };
  return {
    compartments: { count: n, decayU: col(4095), decayV: col(4095), vth: col(VTH_MAX), bias: col(0), vmin: col(0), vmax: col(2 ** 23 - 1), refractDelay: col(1) },
    blocks: [{ label: "readout", start: 0, count: n, core: 0 }],
    synapses: [{ label: "decoders", block: 0, weightExp: 4, weightBits: 8, isMixed: true, axons: Array.from({ length: axons }, () => ({ targets: Int32Array.of(0, 1), weights: Int32Array.of(initial, -initial) })) }],
    routes: [{ source: "input", index: 0, synapse: 0, axonOf: Int32Array.from({ length: axons }, (_, i) => i) }],
    inputs: [{ label: "pre", count: axons }],
    delaySlots: 1,
    learning: [group],
  };
}

const spike = (...channels: number[]): InputSpikes[] => [{ input: 0, channels }];

describe("stochastic rounding SR(y, U, cap)", () => {
  test("rounds the magnitude up when its fraction exceeds U (strictly), caps it, restores the sign", () => {
    expect(stochasticRound(1.953125, 0.5, 127)).toBe(2);
    expect(stochasticRound(1.953125, 0.99, 127)).toBe(1);
    expect(stochasticRound(-1.953125, 0.5, 127)).toBe(-2);
    expect(stochasticRound(2.5, 0.5, 127)).toBe(2); // frac = U is not "greater"
    expect(stochasticRound(300.2, 0, 127)).toBe(127);
    expect(stochasticRound(-300.2, 0, 127)).toBe(-127);
    expect(stochasticRound(0, 0, 127)).toBe(0);
  });
});

describe("learning engine", () => {
  test("L4: an integer trace magnitude gives exactly mag after one spike; L2: traces on even steps only", () => {
    const emu = new Emulator(pesModel({ traceMag: 34 }), { learningRandom: new ConstantU(0) });
    emu.step(spike(0)); // step 1: marks axon 0
    expect(emu.learning!.traces(0)[0]).toBe(0); // no trace update in an odd step
    emu.step(); // step 2: trace update
    expect(emu.learning!.traces(0)[0]).toBe(34);
  });

  test("L4: the trace is capped at trace_max (127), and decays by the recorded float64 factor", () => {
    const emu = new Emulator(pesModel({ traceMag: 100, traceDecay: 1 }), { learningRandom: new ConstantU(0.5) });
    emu.step(spike(0));
    emu.step();
    expect(emu.learning!.traces(0)[0]).toBe(100);
    emu.step(spike(0));
    emu.step(); // 1·100 + 100 = 200 → capped
    expect(emu.learning!.traces(0)[0]).toBe(127);
    const decaying = new Emulator(pesModel({ traceMag: 100, traceDecay: 0.6703200460356393 }), { learningRandom: new ConstantU(0.5) });
    decaying.step(spike(0));
    decaying.step();
    decaying.step();
    decaying.step(); // 0.67032·100 = 67.032: fraction 0.032 < U → 67
    expect(decaying.learning!.traces(0)[0]).toBe(67);
  });

  test("L5: D = 0, x = 100, E' = +20 gives ±2·2^11 with U = 0.5 and ±2^11 with U = 0.99", () => {
    for (const [u, units] of [[0.5, 2], [0.99, 1]]) {
      const emu = new Emulator(pesModel(), { learningRandom: new ConstantU(u) });
      emu.learning!.setError(0, [20]);
      emu.step();
      emu.step();
      emu.step(spike(0)); // step 3: marked
      emu.step(); // step 4: x = 100, then prod = ⌊100·20/4⌋ = 500, y = 500/256 = 1.953
      expect(emu.learning!.traces(0)[0]).toBe(100);
      // Readout j ≥ d carries +E', j < d carries −E'.
      expect(emu.learning!.weight(0, 0, 1)).toBe(units * 2 ** 11);
      expect(emu.learning!.weight(0, 0, 0)).toBe(-units * 2 ** 11);
    }
  });

  test("a weight learned in step 4 is first delivered in step 5", () => {
    // The readout passes q straight into u (du = 4095), so u shows each step's delivered weight.
    const emu = new Emulator(pesModel({}, 1, 2048), { learningRandom: new ConstantU(0.5) });
    emu.learning!.setError(0, [20]);
    emu.step(spike(0));
    expect(emu.u[1]).toBe(-2048);
    emu.step();
    emu.step();
    emu.step(spike(0)); // delivered with the old weight, then the update
    expect(emu.u[1]).toBe(-2048);
    const learned = emu.learning!.weight(0, 0, 1);
    expect(learned).not.toBe(-2048);
    emu.step(spike(0));
    expect(emu.u[1]).toBe(learned);
  });

  test("L1: a second spike on a marked axon within an epoch is lost and counted once", () => {
    const emu = new Emulator(pesModel({ traceMag: 10, trainEpoch: 4, learnEpoch: 4 }), { learningRandom: new ConstantU(0) });
    emu.step(spike(0));
    emu.step(spike(0));
    emu.step(spike(0));
    emu.step();
    expect(emu.learning!.lostTraceSpikes).toBe(2);
    expect(emu.learning!.traces(0)[0]).toBe(10);
  });

  test("U is asked for every axon at every trace update and every (axon, readout) at every weight update, traces first", () => {
    const random = new ConstantU(0.5);
    const emu = new Emulator(pesModel({}, 3), { learningRandom: random });
    for (let t = 0; t < 4; t++) emu.step();
    expect(random.asked).toEqual(["trace g0 t2 ×3", "trace g0 t4 ×3", "weight g0 t4 ×6"]);
  });

  test("the seeded generator gives the same weights for the same seed and others for another", () => {
    const run = (seed: number): number[] => {
      const emu = new Emulator(pesModel({ traceMag: 37.25, traceDecay: 0.8 }, 4), { learningSeed: seed });
      emu.learning!.setError(0, [-7]);
      for (let t = 1; t <= 200; t++) emu.step(t % 3 === 0 ? spike(t % 4, (t + 1) % 4) : undefined);
      return Array.from({ length: 8 }, (_, k) => emu.learning!.weight(0, k >> 1, k & 1));
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
    expect(new SeededLearningRandom(3).seed).toBe(3);
  });

  test("reset() restores the initial weights and traces and restarts the U sequence", () => {
    const emu = new Emulator(pesModel({}, 1, 4096), { learningSeed: 1 });
    const go = (): number => {
      emu.learning!.setError(0, [50]);
      for (let t = 1; t <= 40; t++) emu.step(t % 2 ? spike(0) : undefined);
      return emu.learning!.weight(0, 0, 0);
    };
    const first = go();
    expect(first).not.toBe(4096);
    emu.reset();
    expect(emu.learning!.weight(0, 0, 0)).toBe(4096);
    expect(emu.learning!.traces(0)[0]).toBe(0);
    expect(go()).toBe(first);
  });

  test("a model without learning groups builds no learning engine", () => {
    const m = pesModel();
    delete m.learning;
    expect(new Emulator(m).learning).toBeNull();
  });

  test("validation: a learned row outside the readout, a null row, or epochs that do not nest are refused", () => {
    const a = pesModel();
    a.learning![0].dims = 2; // readout 0..3 on 2 compartments
    expect(validateModel(a, { hardware: false })).toEqual([expect.stringMatching(/readout 0\.\.3 .* outside the compartments 0\.\.1/)]);
    const b = pesModel({}, 2);
    b.synapses[0].axons[1] = null;
    expect(validateModel(b, { hardware: false })).toEqual([expect.stringMatching(/axon 1 of synapses\[0\] has no row/)]);
    const c = pesModel({ learnEpoch: 3 });
    expect(validateModel(c, { hardware: false })).toEqual([expect.stringMatching(/learnEpoch 3 must be a multiple of trainEpoch 2/)]);
    const d = pesModel({ realWeightExp: 9 });
    expect(validateModel(d)).toEqual([expect.stringMatching(/do not follow from synapses\[0\]'s format \(expected 10 \/ 1\)/)]);
    expect(() => new Emulator(c)).toThrow(/cannot run this model/);
  });
});

describe("host error register (runner)", () => {
  test("§10 L3: pes_error_scale 100 maps 0.5 → 50, 2.0 → 127 (clipped), −0.005 → 0 (half to even), 0.015 → 2", async () => {
    const { errorRegister } = await import("./runner.js");
    expect([0.5, 2.0, -0.005, 0.015, -2.0].map((e) => errorRegister(e, 100, 127))).toEqual([50, 127, 0, 2, -127]);
    expect(Object.is(errorRegister(-0.004, 100, 127), 0)).toBe(true);
  });
});

describe("cost model", () => {
  test("a weight update step counts nAxons·2d learning synapse updates on the readout's core (§7.3 L_k)", async () => {
    const { EmulatorStepCoster, LOIHI1_FIGURES } = await import("./cost.js");
    const emu = new Emulator(pesModel({}, 3), { learningRandom: new ConstantU(0.5) });
    const coster = new EmulatorStepCoster(emu.activity);
    emu.step();
    coster.price(emu.activity);
    const idle = coster.energyPj;
    expect(emu.activity.learnOps![0]).toBe(0);
    for (let t = 0; t < 3; t++) emu.step(); // step 4: weight update
    coster.price(emu.activity);
    expect(emu.activity.learnOps![0]).toBe(6); // 3 axons × 2 readouts
    expect(coster.energyPj - idle).toBeCloseTo(6 * LOIHI1_FIGURES.learnOpPj, 6);
    expect(new Emulator({ ...pesModel(), learning: [] }).activity.learnOps).toBeUndefined();
  });
});
