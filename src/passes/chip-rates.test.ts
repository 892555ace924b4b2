/**
 * The tabulated LIF staircase against the formula it stands in for, compared bit for bit
 * (Object.is): decoders are solved on this curve, so one rate off by a step would move a build's
 * bytes. The cases that matter are the currents at and next to each step edge, where
 * ⌊log1p(−1/J)/ln kᵥ⌋ changes: J_k = 1/(1 − kᵥᵏ) and its neighbours a few ulps either side.
 */
import fc from "fast-check";
import type { NeuronModel } from "../neurons/models.js";
import { chipRateCurve } from "./chip-rates.js";
import { decayRegisters } from "./quantize.js";

/** The curve as written before the table (hardware-model §5.11): the reference. */
function formula(m: NeuronModel & { tauRcSeconds: number; tauRefSeconds: number }, dt: number): (J: number) => number {
  const { decayV } = decayRegisters(0, -Math.expm1(-dt / m.tauRcSeconds));
  const lnKv = Math.log((4096 - decayV) / 4096);
  const refractSteps = Math.round(m.tauRefSeconds / dt);
  return (J) => (J > 1 ? m.amplitude / ((refractSteps + Math.floor(Math.log1p(-1 / J) / lnKv) + 1) * dt) : 0);
}

function stepUlps(x: number, n: number): number {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] += BigInt(n);
  return f[0];
}

const lif = (tauRcSeconds: number, tauRefSeconds: number, amplitude = 1) =>
  ({ type: "lif", tauRcSeconds, tauRefSeconds, minVoltage: 0, amplitude }) as NeuronModel & { tauRcSeconds: number; tauRefSeconds: number };

// Nengo's default LIF, a slow and a fast membrane, a scaled amplitude, and a coarser dt.
const CASES: [string, ReturnType<typeof lif>, number][] = [
  ["Nengo default", lif(0.02, 0.002), 0.001],
  ["tau_rc 0.1", lif(0.1, 0.001), 0.001],
  ["tau_rc 0.005, tau_ref 0.004", lif(0.005, 0.004), 0.001],
  ["amplitude 0.05", lif(0.02, 0.002, 0.05), 0.001],
  ["dt 2 ms", lif(0.02, 0.002), 0.002],
];

describe("chipRateCurve (LIF staircase by table)", () => {
  it.each(CASES)("equals the formula at every step edge ±4 ulps (%s)", (_, m, dt) => {
    const fast = chipRateCurve(m, dt), exact = formula(m, dt);
    const { decayV } = decayRegisters(0, -Math.expm1(-dt / m.tauRcSeconds));
    const kv = (4096 - decayV) / 4096;
    let checked = 0;
    const differ: number[] = [];
    // Edges J_k fall towards 1 as k grows; past kᵥᵏ < 1e-17, 1 − kᵥᵏ rounds to 1.
    for (let p = kv; p > 1e-17; p *= kv) {
      const edge = 1 / (1 - p);
      for (let d = -4; d <= 4; d++) {
        const J = stepUlps(edge, d);
        if (!Object.is(fast(J), exact(J))) differ.push(J);
        checked++;
      }
    }
    expect(differ).toEqual([]);
    // kᵥ ≈ 0.95 for Nengo's default: hundreds of edges, each 9 currents.
    expect(checked).toBeGreaterThan(900);
  });

  it("equals the formula at currents drawn over the whole range", () => {
    const curves = CASES.map(([, m, dt]) => [chipRateCurve(m, dt), formula(m, dt)] as const);
    fc.assert(
      fc.property(fc.double({ min: -2, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: CASES.length - 1 }), (J, c) => {
        const [fast, exact] = curves[c];
        return Object.is(fast(J), exact(J)) && Object.is(fast(1 + Math.abs(J) * 1e-6), exact(1 + Math.abs(J) * 1e-6));
      }),
      { numRuns: 20000 },
    );
  });

  it("gives 0 at and below threshold and for NaN, and the refractory-only rate for infinite current", () => {
    const [, m, dt] = CASES[0];
    const fast = chipRateCurve(m, dt);
    expect(fast(1)).toBe(0);
    expect(fast(0.5)).toBe(0);
    expect(fast(Number.NaN)).toBe(0);
    // 2 refractory steps + 1 integrating step at dt 1 ms: 1/0.003 Hz.
    expect(fast(Number.POSITIVE_INFINITY)).toBe(1 / (3 * 0.001));
  });
});
