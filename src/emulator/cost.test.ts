// The §7.3 cost model: the worked example (checklist item 37), the barrier end points, the §7.2
// mesh geometry, and costing an emulator step end to end.
import fc from "fast-check";
import { barrierNs, EmulatorStepCoster, emulatorStepCounts, hopsBetween, LOIHI1_FIGURES, placeCore, stepCost, type CorePlacement } from "./cost.js";
import type { ActivityCounts } from "./engine.js";
import { Emulator } from "./engine.js";
import type { EmuModel } from "./model.js";

describe("§7.3 worked example (item 37)", () => {
  // One core: S = 12,800, A = 300, I = 724, 20 messages of 3 E-W + 1 N-S hops, 8 tiles in use.
  const cost = stepCost({ synOps: [12800], active: [300], inactive: [724], messages: [{ fromCore: 0, count: 20, hx: 3, hy: 1 }] }, { tilesInUse: 8 });

  test("T_k = 51,575.2 ns, T_barrier(8) = 192.48 ns, T_step = 51,767.68 ns", () => {
    expect(cost.coreNs[0]).toBeCloseTo(51575.2, 6);
    // The spec quotes these to 0.01 ns: 113 + 352·7/31 = 192.4839 exactly.
    expect(cost.barrierNs).toBeCloseTo(192.48, 2);
    expect(cost.barrierNs).toBeCloseTo(113 + (352 * 7) / 31, 9);
    expect(cost.stepNs).toBeCloseTo(51767.68, 2);
    expect(cost.maxCoreNs).toBeCloseTo(51575.2, 6);
  });

  test("E = 364,322 pJ", () => {
    expect(cost.energyPj).toBeCloseTo(364322, 6);
  });

  test("inactive compartments follow from 4·numUpdates when not given", () => {
    // 1021 compartments are serviced as 4·ceil(1021/4) = 1024, so I = 1024 − 300 = 724 again.
    const alt = stepCost({ synOps: [12800], active: [300], compartments: [1021], messages: [{ fromCore: 0, count: 20, hx: 3, hy: 1 }] }, { tilesInUse: 8 });
    expect(alt.coreNs[0]).toBeCloseTo(51575.2, 6);
    expect(alt.energyPj).toBeCloseTo(364322, 6);
  });
});

describe("barrier and geometry (§7.2, §7.3)", () => {
  test("T_barrier(1) = 113 ns, T_barrier(32) = 465 ns, clamped outside 1..32", () => {
    expect(barrierNs(1)).toBe(113);
    expect(barrierNs(32)).toBe(465);
    expect(barrierNs(0)).toBe(113);
    expect(barrierNs(40)).toBe(465);
    expect(barrierNs(8, { ...LOIHI1_FIGURES, barrierNs1: 600, barrierNs32: 1800 })).toBeCloseTo(600 + (1200 * 7) / 31, 9);
  });

  test("core c: tile floor(c/4), x = t mod 8, y = floor(t/8), 128 cores per chip", () => {
    expect(placeCore(0)).toEqual({ chip: 0, tile: 0, x: 0, y: 0 });
    expect(placeCore(3)).toEqual({ chip: 0, tile: 0, x: 0, y: 0 });
    expect(placeCore(4)).toEqual({ chip: 0, tile: 1, x: 1, y: 0 });
    expect(placeCore(37)).toEqual({ chip: 0, tile: 9, x: 1, y: 1 });
    expect(placeCore(127)).toEqual({ chip: 0, tile: 31, x: 7, y: 3 });
    expect(placeCore(128)).toEqual({ chip: 1, tile: 0, x: 0, y: 0 });
    expect(hopsBetween(placeCore(0), placeCore(37))).toEqual({ hx: 1, hy: 1, chipHops: 0 });
    expect(hopsBetween(placeCore(1), placeCore(2))).toEqual({ hx: 0, hy: 0, chipHops: 0 });
    expect(hopsBetween(placeCore(5), placeCore(300))).toEqual({ hx: 0, hy: 0, chipHops: 2 });
  });

  test("the step time is set by the slowest core; energy sums all cores", () => {
    const c = stepCost({ synOps: [100, 1000], active: [0, 0], inactive: [0, 0], messages: [] });
    expect(c.busiestCore).toBe(1);
    expect(c.stepNs).toBeCloseTo(3500 + 113, 9);
    expect(c.energyPj).toBeCloseTo(23.6 * 1100, 9);
  });
});

describe("costing an emulator step", () => {
  // Block A (4 bias-driven compartments, core 0) → block B (8 compartments, core 37): hops (1, 1).
  const model: EmuModel = {
    compartments: {
      count: 12,
      decayU: new Int32Array(12).fill(4095),
      decayV: new Int32Array(12),
      vth: Int32Array.from({ length: 12 }, (_, i) => (i < 4 ? 1024 : 8388544)),
      bias: Int32Array.from({ length: 12 }, (_, i) => (i < 4 ? 2048 : 0)),
      vmin: new Int32Array(12),
      vmax: new Int32Array(12).fill(2 ** 23 - 1),
      refractDelay: new Int32Array(12).fill(1),
    },
    blocks: [
      { label: "A", start: 0, count: 4, core: 0 },
      { label: "B", start: 4, count: 8, core: 37 },
    ],
    synapses: [{ label: "A→B", block: 1, weightExp: 0, weightBits: 8, isMixed: true, axons: [{ targets: Int32Array.of(4, 5, 6, 7, 8, 9, 10, 11), weights: new Int32Array(8).fill(128) }] }],
    routes: [{ source: "block", index: 0, synapse: 0, axonOf: new Int32Array(4) }],
    inputs: [],
    delaySlots: 1,
  };

  test("counts, hops and tiles come from the emulator and the placement", () => {
    const emu = new Emulator(model);
    emu.step();
    emu.step();
    const counts = emulatorStepCounts(emu.activity);
    expect(counts.messages).toEqual([{ fromCore: 0, count: 4, hx: 1, hy: 1, chipHops: 0 }]);
    const c = stepCost(counts);
    // Core 0: 4 active (spiking) compartments, 4 messages of 2.1 + 4.1 + 6.5 ns.
    expect(c.coreNs[0]).toBeCloseTo(4 * 8.4 + 4 * 12.7, 9);
    // Core 37: 32 synaptic entries, 8 active compartments, none inactive.
    expect(c.coreNs[37]).toBeCloseTo(32 * 3.5 + 8 * 8.4, 9);
    expect(c.tilesInUse).toBe(2);
    expect(c.chipsInUse).toBe(1);
    expect(c.stepNs).toBeCloseTo(32 * 3.5 + 8 * 8.4 + barrierNs(2), 9);
  });

  test("item 38: moving block B next to A changes the cost, not the dynamics", () => {
    const near: EmuModel = { ...model, blocks: [model.blocks[0], { ...model.blocks[1], core: 1 }] };
    const far = new Emulator(model);
    const close = new Emulator(near);
    for (let t = 0; t < 5; t++) {
      far.step();
      close.step();
      expect(Array.from(close.u)).toEqual(Array.from(far.u));
      expect(Array.from(close.v)).toEqual(Array.from(far.v));
    }
    const a = stepCost(emulatorStepCounts(far.activity));
    const b = stepCost(emulatorStepCounts(close.activity));
    expect(b.tilesInUse).toBe(1);
    expect(b.energyPj).toBeLessThan(a.energyPj);
    expect(a.energyPj - b.energyPj).toBeCloseTo(4 * (3.0 + 4.0), 9);
  });
});

describe("EmulatorStepCoster (the runner's per-step pricing without allocation)", () => {
  /** Random per-step activity of an emulator with `cores` cores and random routes. */
  const activity = fc.integer({ min: 1, max: 200 }).chain((coreSpan) =>
    fc.record({
      compartments: fc.array(fc.integer({ min: 0, max: 1024 }), { minLength: coreSpan, maxLength: coreSpan }),
      routes: fc.array(fc.record({ from: fc.integer({ min: -1, max: coreSpan - 1 }), to: fc.integer({ min: 0, max: coreSpan - 1 }) }), { maxLength: 12 }),
      steps: fc.array(
        fc.record({
          synOps: fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: coreSpan, maxLength: coreSpan }),
          active: fc.array(fc.integer({ min: 0, max: 1100 }), { minLength: coreSpan, maxLength: coreSpan }),
          messages: fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 12, maxLength: 12 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
  );

  test("gives stepCost(emulatorStepCounts(...))'s numbers bit for bit, step after step", () => {
    const placements: ((core: number) => CorePlacement)[] = [placeCore, (core) => ({ chip: core % 3, tile: (core * 7) % 32, x: ((core * 7) % 32) % 8, y: Math.floor(((core * 7) % 32) / 8) })];
    fc.assert(
      fc.property(activity, fc.constantFrom(0, 1), fc.boolean(), (a, p, override) => {
        const placement = placements[p];
        const opts = { placement, ...(override ? { figures: { synOpNs: 3.7, hopNsPj: 4.4, chipHopNs: 20, chipBarrierNs: 300 } } : {}) };
        const cores = a.compartments.length;
        const counts: ActivityCounts = {
          coreCount: cores,
          synOps: new Int32Array(cores),
          compartments: Int32Array.from(a.compartments),
          active: new Int32Array(cores),
          spikes: new Int32Array(cores),
          messages: new Int32Array(cores),
          routeMessages: new Int32Array(a.routes.length),
          routeSynOps: new Int32Array(a.routes.length),
          routeFromCore: Int32Array.from(a.routes, (r) => r.from),
          routeToCore: Int32Array.from(a.routes, (r) => r.to),
        };
        const coster = new EmulatorStepCoster(counts, opts);
        for (const step of a.steps) {
          counts.synOps.set(step.synOps);
          counts.active.set(step.active);
          counts.routeMessages.set(step.messages.slice(0, a.routes.length));
          const expected = stepCost(emulatorStepCounts(counts, placement), opts);
          coster.price(counts);
          expect(coster.stepNs).toBe(expected.stepNs);
          expect(coster.energyPj).toBe(expected.energyPj);
          expect(coster.barrierNs).toBe(expected.barrierNs);
          expect(Array.from(coster.coreNs)).toEqual(Array.from(expected.coreNs));
          expect(Array.from(coster.corePj)).toEqual(Array.from(expected.corePj));
        }
      }),
      { numRuns: 300 },
    );
  });
});
