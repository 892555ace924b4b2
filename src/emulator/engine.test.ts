// The emulator on tiny hand-built models: hardware-model.md §10 items 1–16 (each states the
// spec's numbers), the lmuc delay ring of §3.5, overflow policies, activity counters, placement
// invariance (item 38) and model validation.
import fc from "fast-check";
import { VTH_MAX } from "./arith.js";
import { Emulator, EmulatorOverflowError, type ActivityRule, type DeliveryMode, type EmulatorOptions, type InputSpikes } from "./engine.js";
import { type EmuAxonRow, type EmuModel, validateModel } from "./model.js";
import { deliverAvailable } from "./deliver.js";

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

describe("delivery kernels agree bit for bit", () => {
  /** mulberry32: a small seeded generator, so a failing fast-check seed rebuilds the same model. */
  function rng(seed: number): { int: (lo: number, hi: number) => number; pick: <T>(xs: readonly T[]) => T } {
    let a = seed >>> 0;
    const next = (): number => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
    return { int, pick: (xs) => xs[int(0, xs.length - 1)] };
  }

  /**
   * A random model (hardware checks off) whose rows mix every form: contiguous spans long enough
   * for the SIMD kernel, spans with gaps, repeated targets, scattered targets, empty and null
   * rows; no delays, one delay per row, or mixed delays; weights up to 2^21 so q, u and u + bias
   * overflow now and then.
   */
  function randomModel(seed: number, chipWeights = false): { model: EmuModel; inputs: (t: number) => InputSpikes[] } {
    const r = rng(seed);
    const n = r.int(1, 48);
    const cuts = [0, ...Array.from({ length: r.int(0, 2) }, () => r.int(0, n)).sort((x, y) => x - y), n];
    const blocks = cuts.slice(1).map((end, i) => ({ label: `b${i}`, start: cuts[i], count: end - cuts[i], core: r.int(-1, 4) }));
    const delaySlots = r.pick([1, 1, r.int(2, 8)]);
    const delayMode = delaySlots === 1 ? "none" : r.pick(["none", "row", "mixed"] as const);
    const big = r.int(0, 3) === 0;
    const weight = (): number => (big ? r.int(-(2 ** 21), 2 ** 21) : r.int(-40000, 40000));
    const row = (): EmuAxonRow | null => {
      const kind = r.pick(["contiguous", "contiguous", "gaps", "repeats", "scattered", "empty", "null"] as const);
      if (kind === "null") return null;
      let targets: number[];
      if (kind === "empty") targets = [];
      else if (kind === "scattered") targets = Array.from({ length: r.int(1, 12) }, () => r.int(0, n - 1));
      else {
        const t0 = r.int(0, n - 1);
        const span = r.int(1, n - t0);
        targets = Array.from({ length: span }, (_, i) => t0 + i);
        if (kind === "gaps") targets = targets.filter((_, i) => i === 0 || r.int(0, 2) > 0);
        if (kind === "repeats") targets = targets.flatMap((t) => (r.int(0, 3) === 0 ? [t, t] : [t]));
      }
      const rowDelay = r.int(0, delaySlots - 1);
      // Chip-like rows: mantissas of 8, 16 or more bits times one power of two per row (what the
      // delivery kernel packs; the 8-bit edge values ±2^7 and the 16-bit ones come up often).
      const bits = chipWeights ? r.pick([7, 7, 8, 15, 16, 20]) : 0;
      const shift = chipWeights ? r.int(0, 30 - bits) : 0;
      const chipWeight = (): number => (r.pick([-1, 1, 0, 2]) === 0 ? r.pick([-(2 ** bits), 2 ** bits - 1]) : r.int(-(2 ** bits), 2 ** bits - 1)) * 2 ** shift;
      return {
        targets: Int32Array.from(targets),
        weights: Int32Array.from(targets, chipWeights ? chipWeight : weight),
        ...(delayMode === "none" ? {} : { delays: Int32Array.from(targets, () => (delayMode === "row" ? rowDelay : r.int(0, delaySlots - 1))) }),
      };
    };
    const synapses = Array.from({ length: r.int(1, 3) }, (_, g) => ({
      label: `g${g}`,
      block: r.int(0, blocks.length - 1),
      weightExp: 0,
      weightBits: 8,
      isMixed: true,
      axons: Array.from({ length: r.int(1, 10) }, row),
    }));
    const inputs = Array.from({ length: r.int(1, 2) }, (_, i) => ({ label: `in${i}`, count: r.int(1, 6) }));
    const routes = Array.from({ length: r.int(1, 6) }, () => {
      const synapse = r.int(0, synapses.length - 1);
      const fromBlock = r.int(0, 1) === 0;
      const index = fromBlock ? r.int(0, blocks.length - 1) : r.int(0, inputs.length - 1);
      const sources = fromBlock ? blocks[index].count : inputs[index].count;
      return { source: fromBlock ? ("block" as const) : ("input" as const), index, synapse, axonOf: Int32Array.from({ length: sources }, () => r.int(-1, synapses[synapse].axons.length - 1)) };
    });
    const cx = compartments(
      Array.from({ length: n }, () => ({
        du: r.pick([0, 741, 4095, r.int(0, 4095)]),
        dv: r.pick([0, 200, 4095, r.int(0, 4095)]),
        vth: r.int(0, 2 ** 23),
        bias: big ? r.int(-(2 ** 23), 2 ** 23) : r.int(-3000, 3000),
        vmin: r.pick([0, -(2 ** 23) + 1, -(2 ** 31) + 1]),
        vmax: r.pick([2 ** 23 - 1, 2 ** 9 - 1, 2 ** 31 - 1]),
        R: r.int(1, 4),
      })),
    );
    const model: EmuModel = { compartments: cx, blocks, synapses, routes, inputs, delaySlots };
    // Host spikes per step, channels possibly repeated, through `count` on a longer buffer.
    const schedule = Array.from({ length: 40 }, () =>
      inputs.flatMap((inp, input) => {
        if (r.int(0, 2) === 0) return [];
        const used = Array.from({ length: r.int(0, inp.count) }, () => r.int(0, inp.count - 1));
        return [{ input, channels: Int32Array.from([...used, r.int(0, inp.count - 1)]), count: used.length }];
      }),
    );
    return { model, inputs: (t) => schedule[t % schedule.length] };
  }

  /** Everything observable, step by step. */
  function observe(model: EmuModel, inputs: (t: number) => InputSpikes[], delivery: DeliveryMode, overflow: "wrap" | "warn" | "error", activity: ActivityRule = "spec"): unknown[] {
    const emu = new Emulator(model, { delivery, overflow, maxWarnings: 1000, activity });
    const out: unknown[] = [];
    for (let t = 0; t < 40; t++) {
      try {
        emu.step(inputs(t));
      } catch (e) {
        // "error": the state mid-step at the first overflow is part of what must match.
        if (!(e instanceof EmulatorOverflowError)) throw e;
        const a = emu.activity;
        out.push(e.message, Array.from(emu.u), Array.from(emu.v), Array.from(emu.refractory), [a.active, a.spikes].map((x) => Array.from(x)));
        break;
      }
      const a = emu.activity;
      out.push([
        Array.from(emu.u),
        Array.from(emu.v),
        Array.from(emu.refractory),
        Array.from(emu.spikedLastStep().indices),
        { ...emu.overflowCounts },
        [a.synOps, a.active, a.spikes, a.messages, a.routeMessages, a.routeSynOps].map((x) => Array.from(x)),
      ]);
    }
    out.push(emu.totalSynapticEvents, emu.totalSpikes, { ...emu.overflowTotals }, [...emu.warnings]);
    return out;
  }

  test("the SIMD kernel is available here (else this suite would only compare JavaScript loops)", () => {
    expect(deliverAvailable()).toBe(true);
  });

  test("dense rows (SIMD and JavaScript) give what the general loop gives, on random models", () => {
    let denseRows = 0;
    let overflows = 0;
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom("wrap" as const, "warn" as const), (seed, overflow) => {
        const { model, inputs } = randomModel(seed);
        const reference = observe(model, inputs, "sparse", overflow);
        expect(observe(model, inputs, "auto", overflow)).toEqual(reference);
        expect(observe(model, inputs, "dense-js", overflow)).toEqual(reference);
        const emu = new Emulator(model);
        denseRows += emu.rowForms.dense;
        const totals = reference[reference.length - 2] as { q: number; u: number; uBias: number };
        overflows += totals.q + totals.u + totals.uBias;
      }),
      { numRuns: 300 },
    );
    // The comparison is only worth something if the fast paths and the overflow paths ran.
    expect(denseRows).toBeGreaterThan(300);
    expect(overflows).toBeGreaterThan(0);
  });

  test("packed rows (int8 and int16 mantissas << shift) and the kernel's compartment update give what the JavaScript loops give: delays, repeated targets, every overflow policy and activity rule", () => {
    let packed = 0;
    let float = 0;
    let accumulated = 0;
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom("wrap" as const, "warn" as const, "error" as const), fc.constantFrom("spec" as const, "input" as const, "all" as const), (seed, overflow, activity) => {
        const { model, inputs } = randomModel(seed, true);
        const reference = observe(model, inputs, "sparse", overflow, activity);
        expect(observe(model, inputs, "auto", overflow, activity)).toEqual(reference);
        expect(observe(model, inputs, "dense-js", overflow, activity)).toEqual(reference);
        const emu = new Emulator(model);
        const forms = emu.rowForms;
        packed += forms.packed;
        accumulated += (emu as unknown as { kernel: { accSegments: number } }).kernel.accSegments;
        float += forms.dense - forms.packed;
      }),
      { numRuns: 300 },
    );
    expect(packed).toBeGreaterThan(300);
    expect(float).toBeGreaterThan(30);
    // Compartment-driven packed rows went through the int32 accumulator in some models.
    expect(accumulated).toBeGreaterThan(100);
  });

  test("host spikes listed before a bad channel are delivered, as one at a time", () => {
    const model: EmuModel = {
      ...oneCompartment({}),
      compartments: compartments(Array.from({ length: 24 }, () => ({}))),
      blocks: [{ label: "cx", start: 0, count: 24, core: 0 }],
      synapses: [
        {
          label: "g",
          block: 0,
          weightExp: 0,
          weightBits: 8,
          isMixed: true,
          axons: [
            { targets: Int32Array.from({ length: 20 }, (_, i) => i), weights: Int32Array.from({ length: 20 }, (_, i) => (i - 10) * 64) },
            { targets: Int32Array.from({ length: 20 }, (_, i) => i + 4), weights: new Int32Array(20).fill(3 * 2 ** 12) },
          ],
        },
      ],
      routes: [{ source: "input", index: 0, synapse: 0, axonOf: Int32Array.of(0, 1) }],
      inputs: [{ label: "host", count: 2 }],
    };
    const after = (delivery: DeliveryMode): number[] => {
      const emu = new Emulator(model, { delivery });
      expect(() => emu.step([{ input: 0, channels: [0, 1, 1, 7] }])).toThrow(/channel 7/);
      emu.step([]);
      return [...Array.from(emu.u), ...Array.from(emu.activity.routeMessages)];
    };
    expect(new Emulator(model).rowForms.packed).toBe(2);
    expect(after("auto")).toEqual(after("sparse"));
  });

  test("rows are classified: contiguous and gapped spans dense, scattered and mixed-delay rows general", () => {
    const base = oneCompartment({});
    const model: EmuModel = {
      ...base,
      compartments: compartments(Array.from({ length: 64 }, () => ({}))),
      blocks: [{ label: "cx", start: 0, count: 64, core: 0 }],
      synapses: [
        {
          ...base.synapses[0],
          axons: [
            { targets: Int32Array.from({ length: 40 }, (_, i) => 10 + i), weights: new Int32Array(40).fill(64) },
            { targets: Int32Array.of(0, 2, 4, 6), weights: new Int32Array(4).fill(64) },
            { targets: Int32Array.of(0, 63), weights: Int32Array.of(64, 64) },
            { targets: Int32Array.of(5, 6), weights: Int32Array.of(64, 64), delays: Int32Array.of(0, 1) },
          ],
        },
      ],
      routes: [{ source: "input", index: 0, synapse: 0, axonOf: Int32Array.of(0, 1, 2, 3) }],
      inputs: [{ label: "host", count: 4 }],
      delaySlots: 2,
    };
    expect(new Emulator(model).rowForms).toEqual({ dense: 2, general: 2, packed: 2, simd: true });
    expect(new Emulator(model, { delivery: "sparse" }).rowForms).toEqual({ dense: 0, general: 4, packed: 0, simd: false });
    // Without the kernel only nearly gap-free spans are worth storing dense.
    expect(new Emulator(model, { delivery: "dense-js" }).rowForms).toEqual({ dense: 1, general: 3, packed: 0, simd: false });
  });

  test("synaptic operations count a row's entries, not its padding", () => {
    const base = oneCompartment({});
    const model: EmuModel = {
      ...base,
      compartments: compartments(Array.from({ length: 16 }, () => ({}))),
      blocks: [{ label: "cx", start: 0, count: 16, core: 0 }],
      synapses: [{ ...base.synapses[0], axons: [{ targets: Int32Array.of(0, 3, 3, 9, 15), weights: Int32Array.of(64, 64, 128, -64, 64) }] }],
      routes: [{ source: "input", index: 0, synapse: 0, axonOf: Int32Array.of(0) }],
      inputs: [{ label: "host", count: 1 }],
    };
    const emu = new Emulator(model);
    expect(emu.rowForms.dense).toBe(1);
    emu.step([{ input: 0, channels: [0] }]);
    expect(emu.totalSynapticEvents).toBe(5);
    expect(Array.from(emu.activity.routeSynOps)).toEqual([5]);
    expect([emu.u[0], emu.u[3], emu.u[9], emu.u[15], emu.u[1]]).toEqual([64, 192, -64, 64, 0]);
  });

  test("count limits the channels delivered and is checked", () => {
    const emu = new Emulator(oneCompartment({}, [64, 128]));
    emu.step([{ input: 0, channels: [1, 0], count: 1 }]);
    expect(emu.u[0]).toBe(128);
    expect(() => emu.step([{ input: 0, channels: [0], count: 2 }])).toThrow(/count 2 but 1 channels/);
  });
});
