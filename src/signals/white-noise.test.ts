import { Rng } from "../util/rng.js";
import { whiteSignal, whiteSignalAt } from "./white-noise.js";

function rmsOf(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

/** |DFT bin k| of x, computed directly. */
function dftMagnitude(x: Float64Array, k: number): number {
  let re = 0, im = 0;
  const n = x.length;
  for (let t = 0; t < n; t++) {
    const a = (2 * Math.PI * ((k * t) % n)) / n;
    re += x[t] * Math.cos(a);
    im -= x[t] * Math.sin(a);
  }
  return Math.hypot(re, im);
}

const base = { periodSeconds: 1, highHz: 20, rms: 0.5, dtSeconds: 0.001, dims: 2, seed: 3 };

describe("whiteSignal (spec §10)", () => {
  it("returns one array of 2N = 2·ceil(period/dt/2) samples per dimension", () => {
    // Expected: period 1 s at dt 1 ms gives N = 500, so 2 arrays of 1000; period 0.0105 s
    // gives period/dt/2 = 5.25 → N = 6, so 12 samples.
    const s = whiteSignal(base);
    expect(s.map((x) => x.length)).toEqual([1000, 1000]);
    expect(whiteSignal({ ...base, periodSeconds: 0.0105, highHz: 100, dims: 1 })[0].length).toBe(12);
  });

  it("uses the seed's normals in Nengo's order and scaling (one kept bin)", () => {
    // With period 1 s, dt 1 ms and high 1 Hz only bin 1 survives (bin k is at k Hz): N = 500,
    // zeroed = 499 bins (2..500), so the power correction is sqrt(1 − 499/500). Draws: 501
    // imaginary parts then 501 real parts, σ = rms/√2; bin 1 is draw 1 (imag) and 502 (real).
    // Expected: x[t] = (2/2N)·(√(2N)/correction)·(Re·cos(2πt/2N) − Im·sin(2πt/2N)) to 1e-12.
    const rms = 0.7;
    const [x] = whiteSignal({ periodSeconds: 1, highHz: 1, rms, dtSeconds: 0.001, dims: 1, seed: 9 });
    const rng = new Rng(9);
    const draws = Array.from({ length: 1002 }, () => rng.normal(0, rms * Math.sqrt(0.5)));
    const im = draws[1], re = draws[502];
    const gain = Math.sqrt(1000) / Math.sqrt(1 - 499 / 500);
    for (let t = 0; t < 1000; t += 37) {
      const a = (2 * Math.PI * t) / 1000;
      expect(x[t]).toBeCloseTo((2 / 1000) * gain * (re * Math.cos(a) - im * Math.sin(a)), 12);
    }
  });

  it("is periodic: step n and step n + 2N give the same output", () => {
    // Expected: exact equality for 3 periods' worth of steps; step 0 gives sample 0 and step
    // 1000 (= 2N) gives sample 0 again; negative steps wrap the same way.
    const [x] = whiteSignal(base);
    for (let n = 0; n < 3000; n += 7) expect(whiteSignalAt(x, n + 1000)).toBe(whiteSignalAt(x, n));
    expect(whiteSignalAt(x, 1000)).toBe(x[0]);
    expect(whiteSignalAt(x, 1001)).toBe(x[1]);
    expect(whiteSignalAt(x, -1)).toBe(x[999]);
    expect(() => whiteSignalAt(x, 0.5)).toThrow(RangeError);
  });

  it("has zero mean over a period", () => {
    // Expected: |mean| < 1e-12 in every dimension, because the DC bin is zeroed (only
    // rounding remains).
    for (const x of whiteSignal({ ...base, dims: 3 })) {
      expect(Math.abs(x.reduce((s, v) => s + v, 0) / x.length)).toBeLessThan(1e-12);
    }
  });

  it("has the requested RMS within 10% over a long period", () => {
    // Period 50 s, high 10 Hz: K = 500 kept bins, i.e. 1000 Gaussian degrees of freedom, so the
    // RMS of one realisation has a relative std of about 1/√2000 ≈ 2.2%. Expected: every one of
    // 3 dimensions (and 2 seeds) within 10% of 0.5.
    for (const seed of [1, 2]) {
      for (const x of whiteSignal({ periodSeconds: 50, highHz: 10, rms: 0.5, dtSeconds: 0.001, dims: 3, seed })) {
        expect(Math.abs(rmsOf(x) / 0.5 - 1)).toBeLessThan(0.1);
      }
    }
  });

  it("has no spectral power above high", () => {
    // Direct DFT of 1000 samples (bin k = k Hz here). DFT bin k is the scaled coefficient, with
    // expected magnitude σ·√(π/2)·√(2N)/√(K/N) = 0.354·1.25·31.6/0.2 ≈ 70 for K = 20 kept bins.
    // Expected: bins 1..20 average above 10; every bin 21..500 is below 1e-9 (rounding only).
    const [x] = whiteSignal(base);
    let lowSum = 0;
    for (let k = 1; k <= 20; k++) lowSum += dftMagnitude(x, k);
    expect(lowSum / 20).toBeGreaterThan(10);
    for (let k = 21; k <= 500; k++) expect(dftMagnitude(x, k)).toBeLessThan(1e-9);
  });

  it("weights the Nyquist bin once and drops its imaginary part when high reaches it", () => {
    // period 0.01 s, dt 1 ms: N = 5, Nyquist = 500 Hz ≤ high, so only DC is zeroed and the
    // correction is 1. Expected: x[t] = (√10/10)·(2·Σ_{k=1..4}(Re_k cos − Im_k sin)(2πkt/10)
    // + Re_5·(−1)^t) to 1e-12, with Im_k = draw k and Re_k = draw 6 + k (σ = rms/√2).
    const [x] = whiteSignal({ periodSeconds: 0.01, highHz: 1000, rms: 1, dtSeconds: 0.001, dims: 1, seed: 4 });
    const rng = new Rng(4);
    const draws = Array.from({ length: 12 }, () => rng.normal(0, Math.sqrt(0.5)));
    expect(x.length).toBe(10);
    for (let t = 0; t < 10; t++) {
      let sum = draws[6 + 5] * (t % 2 === 0 ? 1 : -1);
      for (let k = 1; k <= 4; k++) {
        const a = (2 * Math.PI * k * t) / 10;
        sum += 2 * (draws[6 + k] * Math.cos(a) - draws[k] * Math.sin(a));
      }
      expect(x[t]).toBeCloseTo((Math.sqrt(10) / 10) * sum, 12);
    }
  });

  it("is deterministic: same seed → identical bytes, different seed → different signal", () => {
    // Expected: byte-equal arrays for seed 3 twice; seed 4 differs.
    const a = whiteSignal(base), b = whiteSignal(base), c = whiteSignal({ ...base, seed: 4 });
    for (let j = 0; j < 2; j++) {
      expect(Buffer.from(a[j].buffer).equals(Buffer.from(b[j].buffer))).toBe(true);
      expect(Buffer.from(a[j].buffer).equals(Buffer.from(c[j].buffer))).toBe(false);
    }
    // The dimensions are different draws, not copies.
    expect(Buffer.from(a[0].buffer).equals(Buffer.from(a[1].buffer))).toBe(false);
  });

  it("rolls so that the output at step 1 is the sample closest to y0", () => {
    // Expected: with y0 = 0.3, sample 1 of the rolled signal is the unrolled sample nearest 0.3,
    // and the rolled signal is a rotation of the unrolled one (same values, shifted).
    const [x] = whiteSignal(base);
    const [r] = whiteSignal({ ...base, y0: 0.3 });
    let best = 0;
    for (let t = 1; t < x.length; t++) if (Math.abs(0.3 - x[t]) < Math.abs(0.3 - x[best])) best = t;
    expect(whiteSignalAt(r, 1)).toBe(x[best]);
    for (let t = 0; t < x.length; t++) expect(r[t]).toBe(x[(t + best - 1 + x.length) % x.length]);
  });

  it("rejects invalid options", () => {
    // Expected: RangeError for high < 1/period (the signal would be all zero, as in Nengo),
    // dt = 0, period < 0, dims = 0 and rms < 0.
    expect(() => whiteSignal({ ...base, highHz: 0.5 })).toThrow(/highHz/);
    expect(() => whiteSignal({ ...base, dtSeconds: 0 })).toThrow(RangeError);
    expect(() => whiteSignal({ ...base, periodSeconds: -1 })).toThrow(RangeError);
    expect(() => whiteSignal({ ...base, dims: 0 })).toThrow(RangeError);
    expect(() => whiteSignal({ ...base, rms: -1 })).toThrow(RangeError);
  });
});
