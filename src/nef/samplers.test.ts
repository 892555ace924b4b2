import { type Mat, matmul, transpose } from "../math/matrix.js";
import { Rng } from "../util/rng.js";
import {
  type Distribution,
  generalizedGoldenRatio,
  quasirandomSequence,
  randomOrthogonal,
  sample,
  sphericalAnglePpf,
} from "./samplers.js";

function rowNorms(m: Mat): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] ** 2;
    out.push(Math.sqrt(s));
  }
  return out;
}

function colMeans(m: Mat): number[] {
  const out = new Array(m.cols).fill(0);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j] += m.data[i * m.cols + j] / m.rows;
  return out;
}

function norm(v: number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

/** Largest angular gap between neighbouring points on the unit circle. */
function maxCircleGap(m: Mat): number {
  const angles: number[] = [];
  for (let i = 0; i < m.rows; i++) angles.push(Math.atan2(m.data[2 * i + 1], m.data[2 * i]));
  angles.sort((a, b) => a - b);
  let gap = angles[0] + 2 * Math.PI - angles[angles.length - 1];
  for (let i = 1; i < angles.length; i++) gap = Math.max(gap, angles[i] - angles[i - 1]);
  return gap;
}

/** Covering radius of the unit disk: the largest distance from a probe point to its nearest sample. */
function diskCoveringRadius(m: Mat): number {
  let worst = 0;
  const g = 60;
  for (let a = 0; a <= g; a++) {
    for (let b = 0; b <= g; b++) {
      const x = -1 + (2 * a) / g, y = -1 + (2 * b) / g;
      if (x * x + y * y > 1) continue;
      let best = Infinity;
      for (let i = 0; i < m.rows; i++) {
        best = Math.min(best, (m.data[2 * i] - x) ** 2 + (m.data[2 * i + 1] - y) ** 2);
      }
      worst = Math.max(worst, Math.sqrt(best));
    }
  }
  return worst;
}

describe("sample: simple distributions", () => {
  it("uniform fills an n×dims matrix within [low, high)", () => {
    // Expected: shape 300×4, all 1200 values in [-2, 3), mean 0.5 ± 0.15 (std of the mean 0.04).
    const m = sample({ dist: "uniform", low: -2, high: 3 }, 300, 4, new Rng(1));
    expect([m.rows, m.cols]).toEqual([300, 4]);
    expect(Array.from(m.data).every((x) => x >= -2 && x < 3)).toBe(true);
    const mean = m.data.reduce((s, x) => s + x, 0) / m.data.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.15);
  });

  it("integer uniform draws integers in [low, high) like numpy's randint", () => {
    // Expected: only the values 3, 4, 5, 6 (high = 7 excluded), each of them present in 400 draws.
    const m = sample({ dist: "uniform", low: 3, high: 7, integer: true }, 400, 1, new Rng(2));
    expect([...new Set(m.data)].sort()).toEqual([3, 4, 5, 6]);
    expect(() => sample({ dist: "uniform", low: 0.5, high: 3, integer: true }, 1, 1, new Rng(2))).toThrow(RangeError);
  });

  it("gaussian has the requested mean and std", () => {
    // Expected over 20000 values: mean 5 ± 0.05 (std of the mean 0.014), std 0.5 ± 0.02.
    const m = sample({ dist: "gaussian", mean: 5, std: 0.5 }, 10000, 2, new Rng(3));
    const xs = Array.from(m.data);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean - 5)).toBeLessThan(0.05);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.02);
    // std = 0 is rejected like Nengo's Gaussian (std must be > 0).
    expect(() => sample({ dist: "gaussian", mean: 0, std: 0 }, 1, 1, new Rng(3))).toThrow(RangeError);
  });

  it("choice picks whole rows, each about equally often", () => {
    // Expected: every sampled row equals one of the 3 options; each appears 3000/3 = 1000 ± 120
    // times (binomial std 26).
    const options = [[1, 0], [0, 1], [-1, -1]];
    const m = sample({ dist: "choice", options }, 3000, 2, new Rng(4));
    const counts = [0, 0, 0];
    for (let i = 0; i < m.rows; i++) {
      const k = options.findIndex((o) => o[0] === m.data[2 * i] && o[1] === m.data[2 * i + 1]);
      expect(k).toBeGreaterThanOrEqual(0);
      counts[k]++;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it("choice rejects options of the wrong width and an empty option list", () => {
    // Expected: RangeError for a 3-wide option with dims = 2, and for no options at all.
    expect(() => sample({ dist: "choice", options: [[1, 2, 3]] }, 1, 2, new Rng(0))).toThrow(/3 entries, expected dims=2/);
    expect(() => sample({ dist: "choice", options: [] }, 1, 2, new Rng(0))).toThrow(RangeError);
  });

  it("rejects bad n and dims", () => {
    // Expected: RangeError for n = -1, n = 1.5 and dims = 0.
    const d: Distribution = { dist: "uniform", low: 0, high: 1 };
    expect(() => sample(d, -1, 1, new Rng(0))).toThrow(RangeError);
    expect(() => sample(d, 1.5, 1, new Rng(0))).toThrow(RangeError);
    expect(() => sample(d, 1, 0, new Rng(0))).toThrow(RangeError);
  });

  it("n = 0 gives an empty 0×dims matrix", () => {
    // Expected: shape 0×3 and no data, for every distribution.
    for (const d of [
      { dist: "uniform", low: 0, high: 1 },
      { dist: "uniform-hypersphere", surface: false },
      { dist: "scattered-hypersphere", surface: true },
    ] as Distribution[]) {
      const m = sample(d, 0, 3, new Rng(0));
      expect([m.rows, m.cols, m.data.length]).toEqual([0, 3, 0]);
    }
  });
});

describe("uniform-hypersphere (spec §7)", () => {
  it("surface points have unit norm", () => {
    // Expected: every one of 500 norms is 1 within 1e-12 (normalization is exact to rounding).
    const m = sample({ dist: "uniform-hypersphere", surface: true }, 500, 5, new Rng(10));
    for (const r of rowNorms(m)) expect(Math.abs(r - 1)).toBeLessThan(1e-12);
  });

  it("ball points are inside and uniform in volume", () => {
    // Expected: all norms ≤ 1; for a uniform 3-ball E|x|² = d/(d+2) = 0.6, so the mean of
    // 4000 squared norms is 0.6 ± 0.02 (its std is ≈ 0.004).
    const m = sample({ dist: "uniform-hypersphere", surface: false }, 4000, 3, new Rng(11));
    const norms = rowNorms(m);
    expect(Math.max(...norms)).toBeLessThanOrEqual(1 + 1e-12);
    const meanSq = norms.reduce((s, r) => s + r * r, 0) / norms.length;
    expect(Math.abs(meanSq - 0.6)).toBeLessThan(0.02);
  });

  it("minMagnitude bounds the norms from below", () => {
    // Expected: all 1000 norms in [0.5, 1]; the smallest below 0.52 (the shell near 0.5 holds
    // (0.52³ − 0.5³)/(1 − 0.5³) ≈ 1.8% of the points, so missing it has probability ~1e-8).
    const m = sample({ dist: "uniform-hypersphere", surface: false, minMagnitude: 0.5 }, 1000, 3, new Rng(12));
    const norms = rowNorms(m);
    expect(Math.min(...norms)).toBeGreaterThanOrEqual(0.5 - 1e-12);
    expect(Math.min(...norms)).toBeLessThan(0.52);
    expect(Math.max(...norms)).toBeLessThanOrEqual(1 + 1e-12);
    expect(() => sample({ dist: "uniform-hypersphere", surface: false, minMagnitude: 1 }, 1, 2, new Rng(0))).toThrow(RangeError);
  });

  it("d = 1 surface gives only ±1", () => {
    // Expected: values in {−1, +1}, both present in 100 draws.
    const m = sample({ dist: "uniform-hypersphere", surface: true }, 100, 1, new Rng(13));
    expect([...new Set(m.data)].sort()).toEqual([-1, 1]);
  });
});

describe("scattered-hypersphere helpers", () => {
  it("generalizedGoldenRatio solves x^(d+1) = x + 1", () => {
    // Expected: φ_1 = (1 + √5)/2 (the golden ratio) to 1e-15, φ_2 ≈ 1.324717957244746 (the
    // plastic number), and the defining equation holds to 1e-14 for d = 1..10.
    expect(Math.abs(generalizedGoldenRatio(1) - (1 + Math.sqrt(5)) / 2)).toBeLessThan(1e-15);
    expect(Math.abs(generalizedGoldenRatio(2) - 1.324717957244746)).toBeLessThan(1e-15);
    for (let d = 1; d <= 10; d++) {
      const x = generalizedGoldenRatio(d);
      expect(Math.abs(x ** (d + 1) - x - 1)).toBeLessThan(1e-14);
    }
  });

  it("the 1-D quasirandom sequence is an evenly tiled, shuffled grid", () => {
    // Expected: sorted values step by exactly 1/n = 0.01 (to 1e-12), all in [0, 1), and the
    // returned order is not sorted (the rows are shuffled).
    const z = Array.from(quasirandomSequence(100, 1, new Rng(20)));
    const sorted = [...z].sort((a, b) => a - b);
    for (let i = 1; i < 100; i++) expect(Math.abs(sorted[i] - sorted[i - 1] - 0.01)).toBeLessThan(1e-12);
    expect(z.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(z).not.toEqual(sorted);
  });

  it("sphericalAnglePpf inverts the CDF of a density ∝ sin^m", () => {
    // Expected: for m = 1 the CDF is (1 − cos φ)/2, so the inverse is acos(1 − 2u), matched to
    // 1e-12; for m = 3 the CDF is (2 − 3cos φ + cos³φ)/4, which the result satisfies to 1e-12;
    // for m = 40 (a sharply peaked density) the midpoint maps to π/2 and quantiles are symmetric.
    for (const u of [1e-9, 0.01, 0.2, 0.5, 0.7, 0.99, 1 - 1e-9]) {
      expect(Math.abs(sphericalAnglePpf(1, u) - Math.acos(1 - 2 * u))).toBeLessThan(1e-12);
      const phi = sphericalAnglePpf(3, u);
      const c = Math.cos(phi);
      expect(Math.abs((2 - 3 * c + c ** 3) / 4 - u)).toBeLessThan(1e-12);
    }
    expect(sphericalAnglePpf(40, 0.5)).toBeCloseTo(Math.PI / 2, 12);
    expect(Math.abs(sphericalAnglePpf(40, 0.1) + sphericalAnglePpf(40, 0.9) - Math.PI)).toBeLessThan(1e-12);
    expect(sphericalAnglePpf(2, 0)).toBe(0);
  });

  it("randomOrthogonal is orthogonal to 1e-13 and reproducible", () => {
    // Expected: QᵀQ = I entrywise within 1e-13 for d = 1, 2, 7, 32; equal seeds give equal bytes.
    for (const d of [1, 2, 7, 32]) {
      const q = randomOrthogonal(d, new Rng(d));
      const qtq = matmul(transpose(q), q);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) expect(Math.abs(qtq.data[i * d + j] - (i === j ? 1 : 0))).toBeLessThan(1e-13);
      }
      expect(Array.from(randomOrthogonal(d, new Rng(d)).data)).toEqual(Array.from(q.data));
    }
  });

  it("randomOrthogonal is not biased toward the identity", () => {
    // Expected: for Haar-random 3×3 rotations/reflections E[Q_00] = 0 and E[Q_00²] = 1/3; over
    // 3000 draws the mean is 0 ± 0.04 (std 0.011) and the mean square 1/3 ± 0.03 (std 0.005).
    const rng = new Rng(99);
    let s = 0, s2 = 0;
    for (let k = 0; k < 3000; k++) {
      const q00 = randomOrthogonal(3, rng).data[0];
      s += q00;
      s2 += q00 * q00;
    }
    expect(Math.abs(s / 3000)).toBeLessThan(0.04);
    expect(Math.abs(s2 / 3000 - 1 / 3)).toBeLessThan(0.03);
  });
});

describe("scattered-hypersphere (spec §7)", () => {
  it("surface points have unit norm in every dimension", () => {
    // Expected: all norms 1 within 1e-12 for d = 2, 3, 5, 16 (spherical coordinates give unit
    // vectors and the rotation is orthogonal to ~1e-15).
    for (const d of [2, 3, 5, 16]) {
      const m = sample({ dist: "scattered-hypersphere", surface: true }, 400, d, new Rng(30 + d));
      for (const r of rowNorms(m)) expect(Math.abs(r - 1)).toBeLessThan(1e-12);
    }
  });

  it("ball points stay inside the unit ball and fill its volume", () => {
    // Expected: all norms ≤ 1 (+1e-12); mean squared norm d/(d+2) (0.5, 0.6, 5/7) within 0.01 —
    // quasirandom radii are far more even than the 0.004 std of random ones.
    for (const d of [2, 3, 5]) {
      const m = sample({ dist: "scattered-hypersphere", surface: false }, 2000, d, new Rng(40 + d));
      const norms = rowNorms(m);
      expect(Math.max(...norms)).toBeLessThanOrEqual(1 + 1e-12);
      const meanSq = norms.reduce((s, r) => s + r * r, 0) / norms.length;
      expect(Math.abs(meanSq - d / (d + 2))).toBeLessThan(0.01);
    }
  });

  it("has mean close to 0, closer than uniform sampling", () => {
    // Expected: for 1000 points on the 3-sphere surface the norm of the mean is < 0.01. For
    // random points it is ≈ √(1/1000) = 0.032 on average; quasirandom points are O(1/n).
    const m = sample({ dist: "scattered-hypersphere", surface: true }, 1000, 3, new Rng(50));
    expect(norm(colMeans(m))).toBeLessThan(0.01);
    const b = sample({ dist: "scattered-hypersphere", surface: false }, 1000, 4, new Rng(51));
    expect(norm(colMeans(b))).toBeLessThan(0.01);
  });

  it("is uniform on the sphere: projections onto an axis are uniform in [-1, 1] for d = 3", () => {
    // Expected (Archimedes): each of 10 bins of x_0 holds 3000/10 = 300 ± 45 points (±3
    // binomial std; quasirandom points do much better than that). Also E[x_j²] = 1/3 ± 0.01.
    const m = sample({ dist: "scattered-hypersphere", surface: true }, 3000, 3, new Rng(52));
    const bins = new Array(10).fill(0);
    for (let i = 0; i < m.rows; i++) bins[Math.min(9, Math.floor((m.data[3 * i] + 1) * 5))]++;
    for (const c of bins) expect(Math.abs(c - 300)).toBeLessThan(45);
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let i = 0; i < m.rows; i++) s += m.data[3 * i + j] ** 2;
      expect(Math.abs(s / m.rows - 1 / 3)).toBeLessThan(0.01);
    }
  });

  it("covers the circle and the disk better than uniform sampling (d = 2)", () => {
    // Expected: on the circle the angle comes from the 1-D quasirandom sequence, an evenly tiled
    // grid, so the largest gap is 2π/500 (< 1.001× that after rounding), whereas 500 random
    // points leave ≈ 2π·ln(500)/500 ≈ 6·(2π/500). In the disk, the covering radius of 500
    // scattered points (≈ 0.09–0.10 across seeds) is smaller than that of 500 uniform ones
    // (≈ 0.11–0.19).
    const n = 500;
    const sc = sample({ dist: "scattered-hypersphere", surface: true }, n, 2, new Rng(60));
    const un = sample({ dist: "uniform-hypersphere", surface: true }, n, 2, new Rng(60));
    expect(maxCircleGap(sc)).toBeLessThan((1.001 * 2 * Math.PI) / n);
    expect(maxCircleGap(sc)).toBeLessThan(maxCircleGap(un));
    const scBall = sample({ dist: "scattered-hypersphere", surface: false }, n, 2, new Rng(61));
    const unBall = sample({ dist: "uniform-hypersphere", surface: false }, n, 2, new Rng(61));
    expect(diskCoveringRadius(scBall)).toBeLessThan(diskCoveringRadius(unBall));
  });

  it("d = 1 surface gives ±1, half each", () => {
    // Expected: 51 points split 25/26 or 26/25 between −1 and +1 (an evenly tiled grid split
    // at 1/2), not sorted (shuffled).
    const m = sample({ dist: "scattered-hypersphere", surface: true }, 51, 1, new Rng(70));
    const plus = m.data.filter((x) => x === 1).length;
    const minus = m.data.filter((x) => x === -1).length;
    expect(plus + minus).toBe(51);
    expect(Math.abs(plus - minus)).toBe(1);
  });

  it("d = 1 ball gives ⌊n/2⌋ evenly tiled positive and the rest negative points", () => {
    // Expected: for n = 21, 10 values in [0, 1) spaced by 1/10 and 11 values in (−1, 0] spaced
    // by 1/11 (each to 1e-12).
    const m = sample({ dist: "scattered-hypersphere", surface: false }, 21, 1, new Rng(71));
    const xs = Array.from(m.data);
    const pos = xs.filter((x) => x > 0 || Object.is(x, 0)).sort((a, b) => a - b);
    const neg = xs.filter((x) => x < 0 || Object.is(x, -0)).sort((a, b) => a - b);
    expect([pos.length, neg.length]).toEqual([10, 11]);
    for (let i = 1; i < pos.length; i++) expect(Math.abs(pos[i] - pos[i - 1] - 0.1)).toBeLessThan(1e-12);
    for (let i = 1; i < neg.length; i++) expect(Math.abs(neg[i] - neg[i - 1] - 1 / 11)).toBeLessThan(1e-12);
  });

  it("is deterministic: same seed → same bytes, different seed → different points", () => {
    // Expected: identical Float64 data for seed 80 twice; different data for seed 81.
    const d: Distribution = { dist: "scattered-hypersphere", surface: false };
    const a = sample(d, 200, 4, new Rng(80));
    const b = sample(d, 200, 4, new Rng(80));
    const c = sample(d, 200, 4, new Rng(81));
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(c.data.buffer))).toBe(false);
  });
});
