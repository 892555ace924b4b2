import { sphericalAnglePpf, wallisIntegrals } from "./samplers.js";
import { normalQuantile, sphericalAngleStart } from "./spherical-start.js";

describe("normalQuantile", () => {
  it("matches Φ⁻¹ to the approximation's 1.2e-9 relative error, centre and tails", () => {
    // Reference quantiles (scipy.stats.norm.ppf, double precision).
    const cases: [number, number][] = [
      [0.975, 1.959963984540054],
      [0.01, -2.3263478740408408],
      [1e-10, -6.361340902404056],
      [0.3, -0.5244005127080407],
      [0.99, 2.3263478740408408],
    ];
    for (const [p, z] of cases) expect(Math.abs(normalQuantile(p) - z) / Math.abs(z)).toBeLessThan(1.2e-9);
    expect(normalQuantile(0.5)).toBe(0);
  });
});

describe("sphericalAngleStart", () => {
  it("starts within 0.06 rad of the converged angle for every m (m = 1 exactly)", () => {
    // Measured worst over t = 0.001..0.999: 0.043 (m = 2) to 0.054 (m = 10), 7e-4 at m = 254 where
    // the normal approximation is best; the small-angle start alone was ~0.5 rad off for m = 254.
    for (const m of [1, 2, 3, 6, 10, 50, 254]) {
      const w = wallisIntegrals(m);
      let worst = 0;
      for (let i = 1; i < 1000; i++) {
        const t = i / 1000;
        // sphericalAnglePpf(m, u) inverts G at t = 2u for u < 1/2.
        worst = Math.max(worst, Math.abs(sphericalAngleStart(m, t, w[m]) - sphericalAnglePpf(m, t / 2, w)));
      }
      expect(worst).toBeLessThan(m === 1 ? 1e-15 : 0.06);
    }
  });

  it("keeps the small-angle lower bound where the normal quantile underflows", () => {
    const m = 6, w = wallisIntegrals(m);
    const start = sphericalAngleStart(m, 5e-324, w[m]);
    expect(Number.isFinite(start)).toBe(true);
    expect(start).toBe(Math.pow(5e-324 * (m + 1) * w[m], 1 / (m + 1)));
  });
});
