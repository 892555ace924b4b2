/**
 * Issue 12 item 5 and issue 14 item 2: the compiler acts on what it would otherwise only warn
 * about. A calibrated accumulator load above MAX_ACCUMULATOR_LOAD of 2^21 shrinks the block's
 * scale until it fits (LMU3005 says so); a connection losing more than MAX_WEIGHT_LOSS of its
 * weight to rounding is re-scaled or refused (LMU3004). Properties (fast-check) over random
 * one-block networks, then the two remedies on hand-made cases.
 */
import fc from "fast-check";
import { Q_BITS } from "../../src/emulator/arith.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import type { BuiltNetwork } from "../../src/ir/built.js";
import type { HwBlock, HwNetwork } from "../../src/ir/hw.js";
import { mat } from "../../src/math/matrix.js";
import { MAX_ACCUMULATOR_LOAD, MAX_WEIGHT_LOSS, quantize } from "../../src/passes/quantize.js";

const uniform = (min: number, max: number) => fc.integer({ min: 0, max: 1 << 20 }).map((k) => min + ((max - min) * k) / (1 << 20));

function block(n: number, uPeak: number, rateHz: number): HwBlock {
  return {
    id: "post", n, neuron: "lif", decayU: 0.2, decayV: 0.05, vth: 1, bias: new Float64Array(n).fill(1), refractDelay: 2, vmin: 0,
    uPeak: new Float64Array(n).fill(uPeak), ratesHz: new Float64Array(n).fill(rateHz),
  };
}

/** pre (nPre compartments firing at rateHz) → post through weights w. */
function network(nPre: number, nPost: number, w: readonly number[], uPeak: number, rateHz: number): HwNetwork {
  const pre = { ...block(nPre, 1, rateHz), id: "pre" };
  return {
    stage: "hw", name: "remedies", dtSeconds: 0.001, blocks: [pre, block(nPost, uPeak, rateHz)],
    groups: [{ id: "c", pre: { kind: "block", block: "pre" }, post: "post", weights: mat(nPre, nPost, Float64Array.from(w)), connections: ["c"] }],
    inputs: [], host: {} as BuiltNetwork, toHost: [], notes: [],
  };
}

const arbitraryNetwork = fc
  .record({ nPre: fc.integer({ min: 1, max: 40 }), nPost: fc.integer({ min: 1, max: 8 }), uPeak: uniform(0.1, 1e4), rateHz: uniform(1, 1000), spread: uniform(0, 6), seed: fc.integer() })
  .chain(({ nPre, nPost, uPeak, rateHz, spread }) =>
    fc.array(fc.tuple(fc.boolean(), uniform(-spread, 2)), { minLength: nPre * nPost, maxLength: nPre * nPost }).map((ws) => network(nPre, nPost, ws.map(([neg, e]) => (neg ? -1 : 1) * 10 ** e), uPeak, rateHz)),
  );

describe("quantize acts instead of warning", () => {
  test(`property: either refused with LMU3004 only, or no connection loses more than ${100 * MAX_WEIGHT_LOSS}% of its weight and no calibrated load exceeds ${100 * MAX_ACCUMULATOR_LOAD}% of the 21-bit accumulator`, () => {
    let refused = 0, accepted = 0;
    fc.assert(
      fc.property(arbitraryNetwork, (hw) => {
        let q;
        try {
          q = quantize(hw);
        } catch (e) {
          expect(e).toBeInstanceOf(DiagnosticError);
          const codes = new Set((e as DiagnosticError).diagnostics.map((d) => d.code));
          expect([...codes]).toEqual(["LMU3004"]);
          refused++;
          return;
        }
        accepted++;
        for (const g of q.groups) expect(g.report.lostMagnitude).toBeLessThanOrEqual(MAX_WEIGHT_LOSS);
        for (const r of q.blockReports) expect(r.accumulatorHeadroomExpected).toBeGreaterThanOrEqual(1 / MAX_ACCUMULATOR_LOAD);
      }),
      { numRuns: 300, seed: 14 },
    );
    // Both outcomes occur: the generator spans networks that fit and networks that cannot.
    expect(refused).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });

  test("an accumulator the calibrated load would overflow: the scale shrinks by a power of two until the load is under half of 2^21, and LMU3005 says so", () => {
    // 400 pres at 1 spike per step, each weight 200 current units into a block whose calibrated
    // current is small: at the largest scale one step would bring ~16× the accumulator.
    const hw = network(400, 4, new Array(1600).fill(200), 10, 1000);
    const q = quantize(hw);
    const report = q.blockReports.find((r) => r.block === "post")!;
    expect(report.accumulatorHeadroomExpected).toBeGreaterThanOrEqual(2);
    const warning = q.warnings.find((w) => w.code === "LMU3005")!;
    expect(warning.message).toMatch(/its scale is divided by (\d+)/);
    const shrink = Number(/divided by (\d+)/.exec(warning.message)![1]);
    expect(Math.log2(shrink) % 1).toBe(0);
    expect(shrink).toBeGreaterThanOrEqual(2);
    // The load before the remedy was above the limit: half the shrink would not have been enough.
    expect(Number(/bring ([\d.e+]+) into/.exec(warning.message)![1])).toBeGreaterThan(MAX_ACCUMULATOR_LOAD * 2 ** Q_BITS);
  });

  test("a connection whose weights round away next to a large current is refused with LMU3004, naming the connection, the loss and what to change", () => {
    // Weights of 1e-4 current units into a block that must hold a current of 1e4: they round to zero.
    const hw = network(10, 2, new Array(20).fill(1e-4), 1e4, 50);
    let error: DiagnosticError | undefined;
    try {
      quantize(hw);
    } catch (e) {
      error = e as DiagnosticError;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    const d = error!.diagnostics[0];
    expect(d.code).toBe("LMU3004");
    expect(d.message).toMatch(/connection c into 'post' would lose 100\.0% of its weight to rounding \(20 of 20 weights round to zero; at most 5% is accepted\)/);
    expect(d.hint).toMatch(/decode neurons/);
    // Accepting any loss compiles it (the library option the property test of rounding uses).
    expect(quantize(hw, { maxWeightLoss: 1 }).groups[0].report.lostMagnitude).toBe(1);
  });

  test("a loss above the limit that dropping the current margin repairs is repaired, not refused", () => {
    // A calibrated current of 1e4 with the 1.5× margin puts σw at 16.4 q per current unit:
    // weights of 1.5 (24.6 q) round to zero. Without the margin the scale doubles and they keep
    // one grid step each. (maxWeightLoss 1 never retries: it shows the first scale's loss.)
    const hw = network(10, 2, new Array(20).fill(1.5), 1e4, 50);
    expect(quantize(hw, { maxWeightLoss: 1 }).groups[0].report.lostMagnitude).toBe(1);
    expect(quantize(hw).groups[0].report.lostMagnitude).toBe(0);
  });
});
