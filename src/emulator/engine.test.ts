// The emulator on tiny hand-built models: hardware-model.md §10 items 1–16 (each states the
// spec's numbers), the lmuc delay ring of §3.5, overflow policies, activity counters, placement
// invariance (item 38) and model validation.
import { VTH_MAX } from "./arith.js";
import { Emulator, EmulatorOverflowError, type EmulatorOptions, type InputSpikes } from "./engine.js";
import { type EmuModel, validateModel } from "./model.js";

interface CxParams {
  du: number;
  dv: number;
  vth: number;
  bias: number;
  vmin: number;
  vmax: number;
  R: number;
}

/** §10 defaults: vmin = 0, vmax = 2^23 − 1, R = 1, no bias; a threshold nothing reaches. */
const DEFAULTS: CxParams = { du: 4095, dv: 0, vth: VTH_MAX, bias: 0, vmin: 0, vmax: 2 ** 23 - 1, R: 1 };

function compartments(params: Partial<CxParams>[]): EmuModel["compartments"] {
  const p = params.map((x) => ({ ...DEFAULTS, ...x }));
  const col = (f: (c: CxParams) => number) => Int32Array.from(p, f);
  return {
    count: p.length,
    decayU: col((c) => c.du),
    decayV: col((c) => c.dv),
    vth: col((c) => c.vth),
    bias: col((c) => c.bias),
    vmin: col((c) => c.vmin),
    vmax: col((c) => c.vmax),
    refractDelay: col((c) => c.R),
  };
}

/**
 * One compartment fed by one host input; channel i drives axon i, which adds weights[i] (a D
 * value) to the compartment, with delays[i] if given.
 */
function oneCompartment(params: Partial<CxParams>, weights: number[] = [], delays?: number[], delaySlots = 1): EmuModel {
  return {
    compartments: compartments([params]),
    blocks: [{ label: "cx", start: 0, count: 1, core: 0 }],
    synapses: [
      {
        label: "in",
        block: 0,
        weightExp: 0,
        weightBits: 8,
        isMixed: true,
        axons: weights.map((w, i) => ({
          targets: Int32Array.of(0),
          weights: Int32Array.of(w),
          ...(delays === undefined ? {} : { delays: Int32Array.of(delays[i]) }),
        })),
      },
    ],
    routes: [{ source: "input", index: 0, synapse: 0, axonOf: Int32Array.from(weights, (_, i) => i) }],
    inputs: [{ label: "host", count: weights.length }],
    delaySlots,
  };
}

interface Trace {
  u: number[][];
  v: number[][];
  /** Steps (1-based) in which compartment c spiked, per compartment. */
  spikeSteps: number[][];
}

/** Run `steps` steps; `deliver[step]` lists the input channels delivered in that step. */
function run(model: EmuModel, steps: number, deliver: Record<number, number[]> = {}, opts: EmulatorOptions = {}): Trace {
  const emu = new Emulator(model, opts);
  const n = model.compartments.count;
  const out: Trace = { u: [], v: [], spikeSteps: Array.from({ length: n }, () => []) };
  for (let t = 1; t <= steps; t++) {
    const channels = deliver[t];
    emu.step(channels === undefined ? undefined : [{ input: 0, channels }]);
    out.u.push(Array.from(emu.u));
    out.v.push(Array.from(emu.v));
    for (const c of emu.spikedLastStep().indices) out.spikeSteps[c].push(t);
  }
  return out;
}

/** Column of compartment c for steps from..to (1-based, inclusive). */
function col(rows: number[][], from: number, to: number, c = 0): number[] {
  return rows.slice(from - 1, to).map((r) => r[c]);
}

/** "Spike at input time k" of §10 is delivered in emulator step k + 1 (§3.7). */
const atInputTime = (k: number, channels = [0]): Record<number, number[]> => ({ [k + 1]: channels });

describe("§10 compartment arithmetic", () => {
  test("item 1: toward-zero current decay, du = 741", () => {
    const neg = run(oneCompartment({ du: 741 }, [-16256]), 6, atInputTime(1));
    expect(col(neg.u, 1, 6)).toEqual([0, -16256, -13311, -10899, -8924, -7307]);
    const pos = run(oneCompartment({ du: 741 }, [16256]), 3, atInputTime(1));
    expect(col(pos.u, 2, 3)).toEqual([16256, 13311]);
  });

  test("item 2: du = 4095 has no memory; du = 4094 leaves a residue; du = 0 decays slowest", () => {
    const none = run(oneCompartment({ du: 4095 }, [16256, -640]), 6, { 2: [0], 3: [1], 5: [0, 1] });
    expect(col(none.u, 1, 6)).toEqual([0, 16256, -640, 0, 15616, 0]);
    const residue = run(oneCompartment({ du: 4094 }, [16256]), 4, atInputTime(1));
    expect(col(residue.u, 2, 4)).toEqual([16256, 3, 0]);
    const slow = run(oneCompartment({ du: 0 }, [16256]), 6, atInputTime(1));
    expect(col(slow.u, 2, 6)).toEqual([16256, 16252, 16248, 16244, 16240]);
  });

  test("item 3: dv = 0 integrates exactly and holds", () => {
    const t = run(oneCompartment({ du: 4094, dv: 0 }, [16256]), 8, atInputTime(1));
    expect(col(t.v, 1, 8)).toEqual([0, 16256, 16259, 16259, 16259, 16259, 16259, 16259]);
  });

  test("item 4: dv = 4095 keeps trunc(|v|/4096)", () => {
    const t = run(oneCompartment({ du: 4095, dv: 4095 }, [16256]), 4, atInputTime(1));
    expect(col(t.v, 2, 4)).toEqual([16256, 3, 0]);
  });

  test("item 5: a host spike at input time k leaves u(k) unchanged and sets u(k+1) = D", () => {
    const t = run(oneCompartment({ du: 4095 }, [16256]), 5, atInputTime(3));
    expect(col(t.u, 1, 5)).toEqual([0, 0, 0, 16256, 0]);
  });

  test("item 6: on-chip spikes arrive one step later", () => {
    // Compartment 0 (block A, bias-driven) spikes at 2, 4, 6; it drives compartment 1 (block B).
    const model: EmuModel = {
      compartments: compartments([
        { bias: 600, vth: 1000, dv: 0 },
        { du: 4094, dv: 0 },
      ]),
      blocks: [
        { label: "A", start: 0, count: 1, core: 0 },
        { label: "B", start: 1, count: 1, core: 1 },
      ],
      synapses: [{ label: "A→B", block: 1, weightExp: 0, weightBits: 8, isMixed: true, axons: [{ targets: Int32Array.of(1), weights: Int32Array.of(16256) }] }],
      routes: [{ source: "block", index: 0, synapse: 0, axonOf: Int32Array.of(0) }],
      inputs: [],
      delaySlots: 1,
    };
    const t = run(model, 6);
    expect(t.spikeSteps[0]).toEqual([2, 4, 6]);
    expect(col(t.u, 1, 6, 1)).toEqual([0, 0, 16256, 3, 16256, 3]);
  });

  test("item 7: strict threshold v > vth", () => {
    const at = run(oneCompartment({ vth: 1000, dv: 0 }, [1000]), 4, atInputTime(1));
    expect(col(at.v, 2, 4)).toEqual([1000, 1000, 1000]);
    expect(at.spikeSteps[0]).toEqual([]);
    const above = run(oneCompartment({ vth: 1000, dv: 0 }, [1001]), 3, atInputTime(1));
    expect(above.spikeSteps[0]).toEqual([2]);
    expect(col(above.v, 2, 2)).toEqual([0]);
  });

  test("item 8: refractory R = 3 with a strong bias spikes every third step", () => {
    const t = run(oneCompartment({ R: 3, bias: 2000, vth: 1000, dv: 0 }), 12);
    expect(t.spikeSteps[0]).toEqual([1, 4, 7, 10]);
    expect(col(t.v, 1, 12)).toEqual(new Array(12).fill(0));
  });

  test("item 9: refractory then integration: ISI = (R − 1) + m", () => {
    const t = run(oneCompartment({ R: 3, bias: 600, vth: 1000, dv: 0 }), 12);
    expect(col(t.v, 1, 6)).toEqual([600, 0, 0, 0, 600, 0]);
    expect(t.spikeSteps[0]).toEqual([2, 6, 10]);
  });

  test("item 10: q wraps at 21 bits (2^20 + 2^20 → −2^21)", () => {
    const model = oneCompartment({ du: 4095, dv: 0, vmin: -(2 ** 23) + 1 }, [2 ** 20, 2 ** 20]);
    const emu = new Emulator(model);
    emu.step();
    emu.step([{ input: 0, channels: [0, 1] }]);
    expect(emu.u[0]).toBe(-2097152);
    expect(emu.v[0]).toBe(-2097152);
    expect(emu.overflowCounts).toEqual({ q: 1, u: 0, uBias: 0 });
    emu.step();
    expect(emu.overflowCounts).toEqual({ q: 0, u: 0, uBias: 0 });
    expect(emu.overflowTotals).toEqual({ q: 1, u: 0, uBias: 0 });
  });

  test("item 11: u wraps at 23 bits and decays toward zero", () => {
    const deliver: Record<number, number[]> = {};
    for (let k = 1; k <= 11; k++) deliver[k + 1] = [0];
    const t = run(oneCompartment({ du: 0 }, [2 ** 20]), 12, deliver);
    expect(col(t.u, 2, 12)).toEqual([1048576, 2096896, 3144960, 4192768, 5240320, 6287616, 7334656, 8381441, -7349246, -6298875, -5248761]);
  });

  test("item 12: vmin = 0 clamps negative drive", () => {
    const t = run(oneCompartment({ vmin: 0, dv: 0 }, [-5000]), 4, atInputTime(1));
    expect(col(t.v, 1, 4)).toEqual([0, 0, 0, 0]);
    expect(col(t.u, 2, 2)).toEqual([-5000]);
  });

  test("item 13: vmax = 2^11 − 1 saturates", () => {
    const t = run(oneCompartment({ du: 0, dv: 0, vmax: 2 ** 11 - 1 }, [2 ** 20]), 8, atInputTime(1));
    expect(col(t.v, 2, 8)).toEqual(new Array(7).fill(2047));
  });

  test("item 14: bias reaches v only", () => {
    const t = run(oneCompartment({ bias: 600, dv: 0 }), 5);
    expect(col(t.u, 1, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(col(t.v, 1, 5)).toEqual([600, 1200, 1800, 2400, 3000]);
  });

  test("item 15: reset is to 0 (not v − vth) and leaves u alone", () => {
    const t = run(oneCompartment({ du: 0, dv: 0, vth: 1000 }, [1500]), 3, atInputTime(1));
    expect(t.spikeSteps[0]).toEqual([2, 3]);
    expect(col(t.v, 2, 3)).toEqual([0, 0]); // v − vth would be 500
    expect(col(t.u, 2, 3)).toEqual([1500, 1499]);
  });

  test("item 16: probed v is 0 during refractory while probed u keeps evolving", () => {
    const model = oneCompartment({ du: 0, dv: 0, vth: 1000, R: 4 }, [5000]);
    // A capacity of 2 steps forces the trace buffers to grow during the run.
    const emu = new Emulator(model, { probe: { u: Int32Array.of(0), v: Int32Array.of(0), capacitySteps: 2 } });
    for (let t = 1; t <= 6; t++) emu.step(t === 2 ? [{ input: 0, channels: [0] }] : undefined);
    const trace = emu.probeTrace();
    expect(trace.steps).toBe(6);
    // Spike at 2, refractory 3..5 (R − 1 = 3 steps), spikes again at 6 on u alone.
    expect(Array.from(trace.v)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(trace.u)).toEqual([0, 5000, 4998, 4996, 4994, 4992]);
    expect(emu.spikedLastStep().count).toBe(1);
  });
});

describe("§3.5 delay ring (lmuc-defined, not from NengoLoihi)", () => {
  test("a synapse with delay d reaches u d steps after the undelayed one", () => {
    const model = oneCompartment({ du: 4095 }, [64, 128, 256, 512], [0, 1, 3, 2], 4);
    const t = run(model, 7, { 2: [0, 1, 2, 3] });
    expect(col(t.u, 1, 7)).toEqual([0, 64, 128, 512, 256, 0, 0]);
  });

  test("the ring wraps: deliveries from consecutive steps land in the right slots", () => {
    const model = oneCompartment({ du: 4095 }, [64, 128], [0, 3], 4);
    const deliver: Record<number, number[]> = {};
    for (let t = 1; t <= 10; t++) deliver[t] = [0, 1];
    const t = run(model, 12, deliver);
    // Delay 3 adds 128 from step 4 on; delay 0 adds 64 while inputs last (to step 10).
    expect(col(t.u, 1, 12)).toEqual([64, 64, 64, 192, 192, 192, 192, 192, 192, 192, 128, 128, 128].slice(0, 12));
  });

  test("all-zero delays behave exactly like no delays", () => {
    const a = run(oneCompartment({ du: 741, dv: 0 }, [16256, -640], [0, 0], 8), 9, { 2: [0], 4: [1, 0], 5: [1] });
    const b = run(oneCompartment({ du: 741, dv: 0 }, [16256, -640]), 9, { 2: [0], 4: [1, 0], 5: [1] });
    expect(a).toEqual(b);
  });
});

describe("overflow policies (§2.6)", () => {
  const burst = () => oneCompartment({ du: 4095, vmin: -(2 ** 23) + 1 }, [2 ** 20, 2 ** 20, 2 ** 20]);

  test("wrap counts silently", () => {
    const emu = new Emulator(burst());
    emu.step([{ input: 0, channels: [0, 1] }]);
    expect(emu.overflowCounts.q).toBe(1);
    expect(emu.warnings).toEqual([]);
  });

  test("warn keeps the first messages and still wraps", () => {
    const emu = new Emulator(burst(), { overflow: "warn", maxWarnings: 2 });
    for (let t = 0; t < 4; t++) emu.step([{ input: 0, channels: [0, 1] }]);
    expect(emu.overflowTotals.q).toBe(4);
    expect(emu.warnings).toHaveLength(2);
    expect(emu.warnings[0]).toMatch(/step 1: input accumulator q of compartment 0 overflowed: 2097152/);
    expect(emu.u[0]).toBe(-2097152);
  });

  test("error throws at the first overflow with step, compartment, quantity and value", () => {
    const emu = new Emulator(burst(), { overflow: "error" });
    emu.step([{ input: 0, channels: [0] }]);
    let caught: unknown;
    try {
      emu.step([{ input: 0, channels: [0, 1, 2] }]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EmulatorOverflowError);
    const err = caught as EmulatorOverflowError;
    expect([err.step, err.compartment, err.quantity, err.value]).toEqual([2, 0, "q", 3 * 2 ** 20]);
  });

  test("u and u + bias overflows are told apart", () => {
    // Drive u toward the top with a slow decay (item 11's sequence, one step earlier) and add the
    // largest bias: u + bias leaves the range one step before u does.
    const model = oneCompartment({ du: 0, bias: 524160, vmin: -(2 ** 23) + 1 }, [2 ** 20]);
    const emu = new Emulator(model);
    const kinds: string[] = [];
    for (let t = 1; t <= 10; t++) {
      emu.step([{ input: 0, channels: [0] }]);
      if (emu.overflowCounts.u > 0) kinds.push(`u@${t}`);
      if (emu.overflowCounts.uBias > 0) kinds.push(`uBias@${t}`);
    }
    // u reaches 8,381,441 at step 8 (item 11) so u + bias wraps there; u itself wraps at step 9.
    expect(kinds).toEqual(["uBias@8", "u@9"]);
  });
});

describe("activity counters (§7.3 inputs)", () => {
  /** Two source compartments on core 0 fanning out to 3 targets on core 1 and 2 on core 5. */
  function fanout(): EmuModel {
    return {
      compartments: compartments([{ bias: 2000, vth: 1000 }, { bias: 2000, vth: 1000 }, {}, {}, {}, {}, {}]),
      blocks: [
        { label: "src", start: 0, count: 2, core: 0 },
        { label: "b1", start: 2, count: 3, core: 1 },
        { label: "b5", start: 5, count: 2, core: 5 },
      ],
      synapses: [
        { label: "to b1", block: 1, weightExp: 0, weightBits: 8, isMixed: true, axons: [{ targets: Int32Array.of(2, 3, 4), weights: Int32Array.of(128, 128, 128) }] },
        { label: "to b5", block: 2, weightExp: 0, weightBits: 8, isMixed: true, axons: [{ targets: Int32Array.of(5, 6), weights: Int32Array.of(128, 128) }, null] },
      ],
      routes: [
        { source: "block", index: 0, synapse: 0, axonOf: Int32Array.of(0, 0) },
        // Source 1 drives an unused axon: the message is sent and dropped.
        { source: "block", index: 0, synapse: 1, axonOf: Int32Array.of(0, 1) },
      ],
      inputs: [],
      delaySlots: 1,
    };
  }

  test("S_k, M_k, spikes and A_k for one step", () => {
    const emu = new Emulator(fanout());
    emu.step(); // both sources spike (v = 2000 > 1000)
    let a = emu.activity;
    expect(Array.from(a.spikes)).toEqual([2, 0, 0, 0, 0, 0]);
    expect(Array.from(a.synOps)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(a.compartments)).toEqual([2, 3, 0, 0, 0, 2]);
    expect(Array.from(a.active)).toEqual([2, 0, 0, 0, 0, 0]);
    emu.step(); // delivery of step 1's spikes
    a = emu.activity;
    expect(Array.from(a.routeMessages)).toEqual([2, 2]);
    expect(Array.from(a.routeSynOps)).toEqual([6, 2]);
    expect(Array.from(a.messages)).toEqual([4, 0, 0, 0, 0, 0]);
    expect(Array.from(a.synOps)).toEqual([0, 6, 0, 0, 0, 2]);
    expect(Array.from(a.active)).toEqual([2, 3, 0, 0, 0, 2]);
    expect(Array.from(a.routeFromCore)).toEqual([0, 0]);
    expect(Array.from(a.routeToCore)).toEqual([1, 5]);
    expect(emu.totalSynapticEvents).toBe(8);
    expect(emu.totalSpikes).toBe(4);
  });

  test("the activity rule is an option", () => {
    const model = oneCompartment({ du: 0, dv: 4095 }, [16256]);
    const counts = (activity: "spec" | "input" | "all") => {
      const emu = new Emulator(model, { activity });
      const out: number[] = [];
      for (let t = 1; t <= 3; t++) {
        emu.step(t === 1 ? [{ input: 0, channels: [0] }] : undefined);
        out.push(emu.activity.active[0]);
      }
      return out;
    };
    expect(counts("spec")).toEqual([1, 1, 1]); // q ≠ 0, then u ≠ 0
    expect(counts("input")).toEqual([1, 0, 0]);
    expect(counts("all")).toEqual([1, 1, 1]);
    const idle = new Emulator(oneCompartment({}), { activity: "spec" });
    idle.step();
    expect(idle.activity.active[0]).toBe(0);
  });

  test("item 38: placement changes no spike or state, only the core counts", () => {
    const a = fanout();
    const b: EmuModel = { ...fanout(), blocks: fanout().blocks.map((blk, i) => ({ ...blk, core: [7, 3, -1][i] })) };
    const ta = run(a, 10);
    const tb = run(b, 10);
    expect(tb).toEqual(ta);
    const emu = new Emulator(b);
    emu.step();
    emu.step();
    expect(Array.from(emu.activity.synOps)).toEqual([2, 0, 0, 6, 0, 0, 0, 0]);
  });
});

describe("inputs and construction", () => {
  test("input spikes must name an existing input and channel", () => {
    const emu = new Emulator(oneCompartment({}, [64, 64]));
    expect(() => emu.step([{ input: 1, channels: [0] }])).toThrow(/input 1 does not exist/);
    expect(() => emu.step([{ input: 0, channels: [2] }] as InputSpikes[])).toThrow(/channel 2 of input 0/);
  });

  test("reset returns to the initial state", () => {
    const model = oneCompartment({ du: 741, bias: 600, vth: 1000 }, [16256]);
    const emu = new Emulator(model);
    const first: number[] = [];
    for (let t = 1; t <= 5; t++) {
      emu.step(t === 2 ? [{ input: 0, channels: [0] }] : undefined);
      first.push(emu.u[0], emu.v[0]);
    }
    emu.reset();
    expect(emu.stepCount).toBe(0);
    const second: number[] = [];
    for (let t = 1; t <= 5; t++) {
      emu.step(t === 2 ? [{ input: 0, channels: [0] }] : undefined);
      second.push(emu.u[0], emu.v[0]);
    }
    expect(second).toEqual(first);
  });

  test("the constructor refuses a model it cannot run", () => {
    const bad = oneCompartment({}, [64]);
    bad.synapses[0].axons[0]!.targets[0] = 5;
    expect(() => new Emulator(bad)).toThrow(/targets\[0\] = 5 is outside 0..0/);
  });
});

describe("validateModel", () => {
  test("a well-formed hardware model has no problems", () => {
    expect(validateModel(oneCompartment({ vth: 1024, bias: 600 }, [16256, -640]))).toEqual([]);
  });

  test("register widths are reported with hardware checks on, not without", () => {
    const m = oneCompartment({ vth: 1000, bias: 4097, du: 4095, vmin: -5, vmax: 4095 }, [16320]);
    const problems = validateModel(m);
    expect(problems.join("\n")).toMatch(/vth\[0\] = 1000/);
    expect(problems.join("\n")).toMatch(/bias\[0\] = 4097/);
    expect(problems.join("\n")).toMatch(/vmin\[0\] = -5/);
    expect(problems.join("\n")).toMatch(/vmax\[0\] = 4095/);
    expect(problems.join("\n")).toMatch(/weights\[0\] = 16320 is not expressible/);
    expect(validateModel(m, { hardware: false })).toEqual([]);
  });

  test("ranges and structure", () => {
    const m = oneCompartment({ du: 4096, R: 0, vmin: 5 }, [64], [2], 2);
    m.routes[0].axonOf = Int32Array.of(3);
    m.blocks.push({ label: "overlap", start: 0, count: 1, core: 0 });
    const text = validateModel(m, { hardware: false }).join("\n");
    expect(text).toMatch(/decayU\[0\] = 4096 is outside 0..4095/);
    expect(text).toMatch(/refractDelay\[0\] = 0 is outside 1..63/);
    expect(text).toMatch(/vmin ≤ 0 ≤ vmax/);
    expect(text).toMatch(/delays\[0\] = 2 is outside 0..1/);
    expect(text).toMatch(/axonOf\[0\] = 3 is outside/);
    expect(text).toMatch(/overlaps blocks\[0\]/);
  });

  test("vmin/vmax are per core; targets must stay in the group's block", () => {
    const m: EmuModel = {
      compartments: compartments([{ vmin: 0 }, { vmin: -511 }]),
      blocks: [
        { label: "a", start: 0, count: 1, core: 2 },
        { label: "b", start: 1, count: 1, core: 2 },
      ],
      synapses: [{ label: "g", block: 0, weightExp: 0, weightBits: 8, isMixed: true, axons: [{ targets: Int32Array.of(1), weights: Int32Array.of(128) }] }],
      routes: [],
      inputs: [],
      delaySlots: 1,
    };
    const text = validateModel(m).join("\n");
    expect(text).toMatch(/core 2: compartment 1 has vmin\/vmax -511/);
    expect(text).toMatch(/targets\[0\] = 1 is outside its block 0..0/);
  });
});

describe("work is proportional to spikes × fan-out", () => {
  test("a dense all-to-all layer delivers every entry once per spike", () => {
    const nSrc = 200;
    const nDst = 500;
    const targets = Int32Array.from({ length: nDst }, (_, j) => nSrc + j);
    const model: EmuModel = {
      compartments: compartments([
        ...Array.from({ length: nSrc }, () => ({ bias: 2000, vth: 1000 })),
        ...Array.from({ length: nDst }, () => ({ du: 741, dv: 200, vmin: -(2 ** 23) + 1 })),
      ]),
      blocks: [
        { label: "src", start: 0, count: nSrc, core: 0 },
        { label: "dst", start: nSrc, count: nDst, core: 1 },
      ],
      synapses: [
        {
          label: "dense",
          block: 1,
          weightExp: 0,
          weightBits: 8,
          isMixed: true,
          axons: Array.from({ length: nSrc }, (_, i) => ({ targets, weights: Int32Array.from(targets, (_, j) => (((i * 7 + j * 13) % 255) - 127) * 2 * 64) })),
        },
      ],
      routes: [{ source: "block", index: 0, synapse: 0, axonOf: Int32Array.from({ length: nSrc }, (_, i) => i) }],
      inputs: [],
      delaySlots: 1,
    };
    const emu = new Emulator(model);
    const steps = 50;
    for (let t = 0; t < steps; t++) emu.step();
    // Every source spikes every step; the first step has nothing to deliver yet.
    expect(emu.totalSynapticEvents).toBe((steps - 1) * nSrc * nDst);
  });
});
