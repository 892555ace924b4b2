/** The cost estimates are formulas of the network's sizes; these pin the formulas, not the machine. */
import { BUDGET_SECONDS, scatteredCost, solveCost, whiteNoiseCost, zohCost } from "./cost.js";

test("white noise: 2N samples (N = ceil(period/dt/2)) times the bins up to high, times dimensions", () => {
  // period 10 s at 1 ms: N = 5000, 10000 samples; bins k/(10000·0.001) ≤ 2 Hz: k ≤ 20 → 20 kept.
  const c = whiteNoiseCost(10, 2, 0.001, 1);
  expect(c.seconds).toBeCloseTo(10000 * 20 * 2e-8, 12);
  // The samples plus the real and imaginary coefficients (N + 1 each), as doubles.
  expect(c.bytes).toBe((10000 + 2 * 5001) * 8);
});

test("the issue's white-noise period of 100000 s needs over 1 GiB in one array (so it is refused by memory)", () => {
  expect(whiteNoiseCost(100000, 2, 0.001, 1).bytes).toBeGreaterThan(2 ** 30);
});

test("ZOH grows with order³: order 2000 is estimated past the budget, order 256 (psMNIST) well within it", () => {
  expect(zohCost(2000).seconds).toBeGreaterThan(BUDGET_SECONDS);
  expect(zohCost(256).seconds).toBeLessThan(2);
  expect(zohCost(512).seconds / zohCost(256).seconds).toBeCloseTo(8, 12);
});

test("scattered-hypersphere draws grow with points × dimensions², decoder solves with eval points × neurons² + neurons³", () => {
  expect(scatteredCost(2500, 10000, "eval points").seconds).toBeCloseTo(2500 * 1e8 * 2e-8, 6);
  expect(solveCost(4000, 2000, 1).seconds).toBeCloseTo((4000 * 2000 ** 2 + 2000 ** 3) * 5e-10, 9);
  expect(solveCost(100, 10, 8).seconds).toBeCloseTo(8 * solveCost(100, 10, 1).seconds, 15);
});
