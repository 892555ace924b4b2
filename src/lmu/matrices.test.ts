import { discretize, legendreReadout, lmuMatrices, recurrentMapping } from "./matrices.js";
import { luSolve } from "../math/linalg.js";
import { type Mat, identity } from "../math/matrix.js";
import { type StoredArray, loadFixture, toF64, toMat } from "../../test/helpers/fixtures.js";

/** The parts of test/fixtures/reference/lmu-matrices.json.gz these tests read (reference README). */
interface StoredSystem {
  order: number;
  theta: number;
  A: StoredArray;
  B: StoredArray;
  discretizations: {
    dt: number;
    zoh: { Ad: StoredArray; Bd: StoredArray };
    euler: { Ad: StoredArray; Bd: StoredArray };
  }[];
  legendre_readout: { r: number; C: StoredArray }[];
}

const systems = (loadFixture("reference/lmu-matrices.json.gz") as { systems: StoredSystem[] }).systems;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function expectShape(m: Mat, stored: StoredArray): void {
  expect([m.rows, m.cols]).toEqual(stored.shape);
}

const label = (s: StoredSystem): string => `order ${s.order}, θ = ${s.theta} s`;

describe.each(systems.map((s) => [label(s), s] as const))("reference lmu-matrices.json: %s", (_name, sys) => {
  const { A, B } = lmuMatrices(sys.order, sys.theta);

  it("A and B match Nengo to rel 1e-15", () => {
    // Reference README tolerance. Built as ((2i+1)/θ)·(±1) they are in fact bit-identical
    // (measured difference 0 for every system).
    expectShape(A, sys.A);
    expectShape(B, sys.B);
    expect(maxAbsDiff(A.data, toF64(sys.A))).toBeLessThanOrEqual(1e-15 * maxAbs(sys.A.data));
    expect(maxAbsDiff(B.data, toF64(sys.B))).toBeLessThanOrEqual(1e-15 * maxAbs(sys.B.data));
  });

  it.each(sys.discretizations.map((d) => [d.dt, d] as const))("ZOH (Ad, Bd) at dt = %p match to abs 1e-12", (dt, d) => {
    // README: entries are ≤ 1 and Nengo's expm agrees with SciPy's to ≤ 7e-15. Measured here:
    // ≤ 1e-15 up to order 64 and 2.7e-14 (Ad) / 1.2e-15 (Bd) at order 256, θ = 784, dt = 1.
    const { Ad, Bd } = discretize(A, B, dt, "zoh");
    expectShape(Ad, d.zoh.Ad);
    expectShape(Bd, d.zoh.Bd);
    expect(maxAbsDiff(Ad.data, toF64(d.zoh.Ad))).toBeLessThanOrEqual(1e-12);
    expect(maxAbsDiff(Bd.data, toF64(d.zoh.Bd))).toBeLessThanOrEqual(1e-12);
  });

  it.each(sys.discretizations.map((d) => [d.dt, d] as const))("Euler (Ad, Bd) at dt = %p match to abs 1e-15", (dt, d) => {
    // I + dt·A and dt·B round the same way as Nengo's gbt(α = 0): measured bit-identical.
    const { Ad, Bd } = discretize(A, B, dt, "euler");
    expect(maxAbsDiff(Ad.data, toF64(d.euler.Ad))).toBeLessThanOrEqual(1e-15);
    expect(maxAbsDiff(Bd.data, toF64(d.euler.Bd))).toBeLessThanOrEqual(1e-15);
  });

  it.each(sys.legendre_readout.map((l) => [l.r, l] as const))("C(r = %p) matches to abs 1e-12", (r, l) => {
    // README tolerance; the recurrence is within 7e-17 of exact at order 256 (measured ≤ 6.4e-17).
    expect(maxAbsDiff(legendreReadout(sys.order, r), toF64(l.C))).toBeLessThanOrEqual(1e-12);
  });
});

describe("lmuMatrices", () => {
  it("settles to m = e₀ under constant input u = 1 (spec §12.1): −A⁻¹B = e₀ to 1e-13", () => {
    // The steady state of ṁ = A m + B solves A m = −B. Order 16 keeps A well conditioned.
    const { A, B } = lmuMatrices(16, 0.5);
    const negB = { rows: 16, cols: 1, data: B.data.map((v) => -v) };
    const m = luSolve(A, negB);
    const e0 = new Float64Array(16);
    e0[0] = 1;
    expect(maxAbsDiff(m.data, e0)).toBeLessThanOrEqual(1e-13);
  });

  it("rejects a non-integer order and a non-positive θ", () => {
    expect(() => lmuMatrices(0, 1)).toThrow(RangeError);
    expect(() => lmuMatrices(2.5, 1)).toThrow(RangeError);
    expect(() => lmuMatrices(4, 0)).toThrow(RangeError);
    expect(() => lmuMatrices(4, NaN)).toThrow(RangeError);
  });
});

describe("discretize performance", () => {
  it("discretizes the order-256 (θ = 784 s, dt = 1 s) LMU by ZOH without hanging (guard 30 s; measured ≈ 0.3 s quiet)", () => {
    // expm of a 257×257 matrix: ~10 products and one LU solve. The bound catches a blow-up
    // (e.g. scaling-and-squaring that never converges), not a slowdown: speed is for the bench.
    const { A, B } = lmuMatrices(256, 784);
    const t0 = performance.now();
    discretize(A, B, 1, "zoh");
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});

describe("legendreReadout", () => {
  it("is exactly (−1)^i at r = 0 and exactly 1 at r = 1, at order 256", () => {
    // At x = ±1 every recurrence step is exact in float64 (Pₖ(±1) = (±1)^k).
    const c0 = legendreReadout(256, 0);
    const c1 = legendreReadout(256, 1);
    for (let i = 0; i < 256; i++) {
      expect(c0[i]).toBe(i % 2 === 0 ? 1 : -1);
      expect(c1[i]).toBe(1);
    }
  });

  it("throws RangeError for r outside [0, 1]", () => {
    expect(() => legendreReadout(4, -1e-12)).toThrow(RangeError);
    expect(() => legendreReadout(4, 1.0000001)).toThrow(RangeError);
    expect(() => legendreReadout(4, NaN)).toThrow(RangeError);
  });
});

describe("delay-readout convention (spec §12.2, in-repo version of readout_convention_check)", () => {
  const order = 8;
  const thetaSeconds = 1;
  const dtSeconds = 0.001;
  const steps = 6000;
  const { A, B } = lmuMatrices(order, thetaSeconds);
  const { Ad, Bd } = discretize(A, B, dtSeconds, "zoh");

  // Band-limited input: four sinusoids below 1 Hz (frequency Hz, amplitude, phase rad).
  const components = [
    [0.11, 0.9, 0.3],
    [0.37, 0.6, 1.7],
    [0.58, 0.5, 4.1],
    [0.83, 0.4, 2.6],
  ];
  const u = new Float64Array(steps + 1); // u[n] is the input of step n = 1..steps
  for (let n = 1; n <= steps; n++) {
    for (const [f, amp, phase] of components) u[n] += amp * Math.sin(2 * Math.PI * f * n * dtSeconds + phase);
  }

  // stateAtStep[n] is m as read during step n, i.e. before the update m ← Ad m + Bd u_n.
  const stateAtStep: Float64Array[] = [];
  let m = new Float64Array(order);
  for (let n = 1; n <= steps; n++) {
    stateAtStep[n] = m;
    const next = new Float64Array(order);
    for (let i = 0; i < order; i++) {
      let s = Bd.data[i] * u[n];
      for (let j = 0; j < order; j++) s += Ad.data[i * order + j] * m[j];
      next[i] = s;
    }
    m = next;
  }

  /** NRMSE of C(rReadout)·m against u delayed by rDelay·θ, over rows 2000..5999 (steps 2001..6000). */
  function delayNrmse(rDelay: number, rReadout: number): number {
    const c = legendreReadout(order, rReadout);
    const delaySteps = Math.round((rDelay * thetaSeconds) / dtSeconds);
    let err = 0;
    let ref = 0;
    for (let n = 2001; n <= steps; n++) {
      let y = 0;
      for (let i = 0; i < order; i++) y += c[i] * stateAtStep[n][i];
      const target = u[n - 1 - delaySteps]; // §12.2 alignment: read at step n ≈ u at n − 1 − rθ/dt
      err += (y - target) ** 2;
      ref += target ** 2;
    }
    return Math.sqrt(err) / Math.sqrt(ref);
  }

  it.each([0, 0.5, 1])("reads u(t − rθ) with NRMSE < 0.01 for r = %p", (r) => {
    // Order 8 represents a 1 s window of < 1 Hz input well: measured 0.0015, 0.0013 and 0.0013
    // for r = 0, 0.5, 1 (Nengo's WhiteSignal check: 0.0034, 0.0019, 0.0020).
    expect(delayNrmse(r, r)).toBeLessThan(0.01);
  });

  it.each([0, 1])("gives NRMSE > 0.5 when r and 1 − r are swapped, for r = %p", (r) => {
    // The wrong convention reads the other end of the window: measured 1.36 and 1.37
    // (Nengo: 1.18 and 1.14), so the convention is unambiguous.
    expect(delayNrmse(r, 1 - r)).toBeGreaterThan(0.5);
  });
});

describe("recurrentMapping", () => {
  const order = 4;
  const thetaSeconds = 1;
  const dtSeconds = 0.001;
  const { A, B } = lmuMatrices(order, thetaSeconds);

  it("continuous: A' = τA + I and B' = τB, bit for bit", () => {
    const tau = 0.1;
    const { Arec, Bin } = recurrentMapping(order, thetaSeconds, dtSeconds, tau, "continuous", "zoh");
    for (let i = 0; i < order; i++) {
      for (let j = 0; j < order; j++) {
        expect(Arec.data[i * order + j]).toBe(tau * A.data[i * order + j] + (i === j ? 1 : 0));
      }
      expect(Bin.data[i]).toBe(tau * B.data[i]);
    }
  });

  it.each([
    [0.1, "zoh"],
    [0.01, "zoh"],
    [0.1, "euler"],
  ] as const)("discrete (τ = %p, %s): a·I + (1 − a)·A' = Ad and (1 − a)·B' = Bd to 1e-15", (tau, method) => {
    // §12.3: the Lowpass recurrence x ← (aI + bA')x + bB'u then is exactly the discretized
    // LMU. Dividing by b and multiplying back costs a few ulps of entries ≤ 1.
    const { Ad, Bd } = discretize(A, B, dtSeconds, method);
    const { Arec, Bin } = recurrentMapping(order, thetaSeconds, dtSeconds, tau, "discrete", method);
    const a = Math.exp(-dtSeconds / tau);
    const b = 1 - a;
    const eye = identity(order);
    const effective = Arec.data.map((v, i) => a * eye.data[i] + b * v);
    expect(maxAbsDiff(effective, Ad.data)).toBeLessThanOrEqual(1e-15);
    expect(maxAbsDiff(Bin.data.map((v) => b * v), Bd.data)).toBeLessThanOrEqual(1e-15);
  });

  it.each([0, -0.1, NaN, Infinity])("rejects τ = %p for both mappings", (tau) => {
    expect(() => recurrentMapping(order, thetaSeconds, dtSeconds, tau, "continuous", "zoh")).toThrow(RangeError);
    expect(() => recurrentMapping(order, thetaSeconds, dtSeconds, tau, "discrete", "zoh")).toThrow(RangeError);
  });
});

// toMat is exercised so a shape mismatch in the shared helper surfaces here too.
describe("fixture helper", () => {
  it("toMat keeps the stored row-major layout", () => {
    const s = systems[1];
    const a = toMat(s.A);
    expect([a.rows, a.cols]).toEqual([s.order, s.order]);
    expect(a.data[1]).toBe(s.A.data[1]); // element (0, 1)
  });
});
