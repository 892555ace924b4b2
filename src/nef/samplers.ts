/**
 * Nengo-like distributions for encoders, eval points, intercepts, max rates, ... (spec §6, §7).
 *
 * These follow Nengo's distributions but draw from our `Rng`, not numpy's MT19937, so they
 * never reproduce Nengo's numbers (spec §7): comparisons against Nengo go through explicit
 * values. What they do guarantee is determinism: the same Rng state gives the same bytes.
 * The order of draws inside each sampler is fixed and documented, because it is part of that
 * guarantee.
 */
import { type Mat, mat, matmul } from "../math/matrix.js";
import type { Rng } from "../util/rng.js";
import { sphericalAnglePpfBatch } from "./spherical-batch.js";
import { sphericalAngleStart } from "./spherical-start.js";

export type Distribution =
  | { dist: "uniform"; low: number; high: number; integer?: boolean }
  | { dist: "gaussian"; mean: number; std: number }
  | { dist: "choice"; options: number[][] } // rows picked uniformly
  | { dist: "uniform-hypersphere"; surface: boolean; minMagnitude?: number }
  | { dist: "scattered-hypersphere"; surface: boolean };

/** n samples of `d`, one per row: an n×dims matrix. */
export function sample(d: Distribution, n: number, dims: number, rng: Rng): Mat {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`sample count must be a non-negative integer, got ${n}`);
  if (!Number.isSafeInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive integer, got ${dims}`);
  switch (d.dist) {
    case "uniform":
      return sampleUniform(d.low, d.high, d.integer ?? false, n, dims, rng);
    case "gaussian":
      return sampleGaussian(d.mean, d.std, n, dims, rng);
    case "choice":
      return sampleChoice(d.options, n, dims, rng);
    case "uniform-hypersphere":
      return sampleUniformHypersphere(d.surface, d.minMagnitude ?? 0, n, dims, rng);
    case "scattered-hypersphere":
      return sampleScatteredHypersphere(d.surface, n, dims, rng);
    default: {
      const never: never = d;
      throw new RangeError(`unknown distribution ${JSON.stringify((never as { dist?: unknown }).dist)}`);
    }
  }
}

function sampleUniform(low: number, high: number, integer: boolean, n: number, dims: number, rng: Rng): Mat {
  const out = mat(n, dims);
  if (integer) {
    // Like numpy's randint (what Nengo's Uniform(integer=True) calls): integers in [low, high).
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new RangeError(`integer uniform needs integer low < high, got [${low}, ${high})`);
    }
    for (let i = 0; i < out.data.length; i++) out.data[i] = rng.uniformInt(low, high);
    return out;
  }
  if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) {
    throw new RangeError(`uniform needs finite low <= high, got [${low}, ${high})`);
  }
  for (let i = 0; i < out.data.length; i++) out.data[i] = rng.uniformRange(low, high);
  return out;
}

function sampleGaussian(mean: number, std: number, n: number, dims: number, rng: Rng): Mat {
  // Nengo's Gaussian requires std > 0; a zero std is almost certainly a config mistake.
  if (!Number.isFinite(mean) || !Number.isFinite(std) || !(std > 0)) {
    throw new RangeError(`gaussian needs a finite mean and std > 0, got mean=${mean} std=${std}`);
  }
  const out = mat(n, dims);
  for (let i = 0; i < out.data.length; i++) out.data[i] = rng.normal(mean, std);
  return out;
}

function sampleChoice(options: number[][], n: number, dims: number, rng: Rng): Mat {
  if (options.length === 0) throw new RangeError("choice needs at least one option");
  options.forEach((row, k) => {
    if (row.length !== dims) {
      throw new RangeError(`choice option ${k} has ${row.length} entries, expected dims=${dims}`);
    }
  });
  const out = mat(n, dims);
  for (let i = 0; i < n; i++) {
    const row = options[rng.uniformInt(0, options.length)];
    for (let j = 0; j < dims; j++) out.data[i * dims + j] = row[j];
  }
  return out;
}

/** Fills `row` of `out` with a standard normal vector that is not exactly zero; returns its norm. */
function normalRow(out: Float64Array, offset: number, dims: number, rng: Rng): number {
  for (;;) {
    let sumSq = 0;
    for (let j = 0; j < dims; j++) {
      const z = rng.normal();
      out[offset + j] = z;
      sumSq += z * z;
    }
    // A zero vector has no direction; redraw (probability ~2^-53 per coordinate, but cheap to exclude).
    if (sumSq > 0) return Math.sqrt(sumSq);
  }
}

/**
 * Spec §7 UniformHypersphere: normalize standard normal vectors (surface); for the ball scale
 * each by U(minMag^d, 1)^(1/d), which makes the radius density ∝ r^(d−1), i.e. uniform volume.
 * Draw order: all n·dims normals row by row, then the n radius uniforms (as Nengo does).
 */
function sampleUniformHypersphere(surface: boolean, minMagnitude: number, n: number, dims: number, rng: Rng): Mat {
  if (!(minMagnitude >= 0 && minMagnitude < 1)) {
    throw new RangeError(`minMagnitude must be in [0, 1), got ${minMagnitude}`);
  }
  const out = mat(n, dims);
  const x = out.data;
  for (let i = 0; i < n; i++) {
    const norm = normalRow(x, i * dims, dims, rng);
    for (let j = 0; j < dims; j++) x[i * dims + j] /= norm;
  }
  if (surface) return out;
  const minVolume = powInt(minMagnitude, dims);
  for (let i = 0; i < n; i++) {
    const r = Math.pow(rng.uniformRange(minVolume, 1), 1 / dims);
    for (let j = 0; j < dims; j++) x[i * dims + j] *= r;
  }
  return out;
}

/** x^k for a non-negative integer k by repeated multiplication (exactly reproducible, unlike pow). */
export function powInt(x: number, k: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p *= x;
  return p;
}

// ---------------------------------------------------------------------------------------------
// ScatteredHypersphere

/**
 * The generalized golden ratio φ_d: the positive root of x^(d+1) = x + 1. Newton from 1 converges
 * monotonically (the function is convex on [1, 2]), so a fixed iteration budget always suffices.
 */
export function generalizedGoldenRatio(d: number): number {
  let x = 1;
  for (let it = 0; it < 100; it++) {
    const xd = powInt(x, d);
    const dx = (xd * x - x - 1) / ((d + 1) * xd - 1);
    x -= dx;
    if (Math.abs(dx) < 1e-15) break;
  }
  return x;
}

/**
 * Nengo's QuasirandomSequence, n×d values in [0, 1): the R_d sequence z_k = (s + k·α) mod 1 with
 * α_j = φ_d^-(j+1) and a random offset s (d uniforms, drawn first), rows then shuffled so that
 * consumers pairing rows with neurons see no ordering. For d = 1 the points are an evenly tiled
 * grid (s + k/n) mod 1, which is optimal in one dimension.
 */
export function quasirandomSequence(n: number, d: number, rng: Rng): Float64Array {
  const offsets = new Float64Array(d);
  for (let j = 0; j < d; j++) offsets[j] = rng.uniform();
  const z = new Float64Array(n * d);
  if (d === 1) {
    const step = 1 / n;
    for (let k = 0; k < n; k++) z[k] = frac(offsets[0] + step * k);
  } else {
    const phiInv = 1 / generalizedGoldenRatio(d);
    const alpha = new Float64Array(d);
    let a = 1;
    for (let j = 0; j < d; j++) alpha[j] = a *= phiInv;
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < d; j++) z[k * d + j] = frac(offsets[j] + (k + 1) * alpha[j]);
    }
  }
  return shuffleRows(z, n, d, rng);
}

/** x mod 1 for x ≥ 0; exact, and always < 1 because the subtraction is exact. */
function frac(x: number): number {
  return x - Math.floor(x);
}

function shuffleRows(z: Float64Array, n: number, d: number, rng: Rng): Float64Array {
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) out.set(z.subarray(order[i] * d, order[i] * d + d), i * d);
  return out;
}

/** Wallis integrals W_m = ∫_0^{π/2} sin^m t dt, for m = 0..maxM. */
export function wallisIntegrals(maxM: number): Float64Array {
  const w = new Float64Array(Math.max(2, maxM + 1));
  w[0] = Math.PI / 2;
  w[1] = 1;
  for (let m = 2; m <= maxM; m++) w[m] = ((m - 1) / m) * w[m - 2];
  return w;
}

/**
 * ∫_0^φ sin^m t dt for φ in [0, π/2], by the reduction formula
 * I_m = (−sin^(m−1)φ·cosφ + (m−1)·I_(m−2)) / m, which damps earlier rounding errors by (m−1)/m.
 * I_1 uses 2·sin²(φ/2) instead of 1 − cosφ to avoid cancellation at small φ.
 */
export function sinPowIntegral(m: number, phi: number): number {
  const s = Math.sin(phi), c = Math.cos(phi);
  let k: number, integral: number, sPow: number;
  if (m % 2 === 0) {
    k = 0;
    integral = phi;
    sPow = s; // sin^(k+1)
  } else {
    const h = Math.sin(phi / 2);
    k = 1;
    integral = 2 * h * h;
    sPow = s * s;
  }
  for (k += 2; k <= m; k += 2) {
    integral = (-sPow * c + (k - 1) * integral) / k;
    sPow *= s * s;
  }
  return integral;
}

/**
 * Inverse CDF of the spherical-coordinate angle with density ∝ sin^m(φ) on [0, π] (m ≥ 1).
 * The density is symmetric about π/2, so we invert the half CDF G(φ) = I_m(φ)/W_m on [0, π/2] at
 * 2u (or 2(1−u), reflected). G is evaluated exactly (see sinPowIntegral), and inverted by Newton's
 * method safeguarded by bisection, from sphericalAngleStart's start (3–4 steps on average for any
 * m): this replaces Nengo's tabulated inverse incomplete beta with an accuracy of ~1e-12 rad or
 * better, with a fixed iteration cap so it always terminates the same way.
 */
export function sphericalAnglePpf(m: number, u: number, wallis: Float64Array = wallisIntegrals(m)): number {
  const reflect = u >= 0.5;
  const target = reflect ? 2 * (1 - u) : 2 * u;
  const halfPi = Math.PI / 2;
  let phi: number;
  if (target <= 0) phi = 0;
  else if (target >= 1) phi = halfPi;
  else {
    const wm = wallis[m];
    let lo = 0, hi = halfPi;
    phi = sphericalAngleStart(m, target, wm);
    for (let it = 0; it < 200; it++) {
      const g = sinPowIntegral(m, phi) / wm - target;
      if (g === 0) break;
      if (g > 0) hi = phi;
      else lo = phi;
      const density = powInt(Math.sin(phi), m) / wm;
      let next = density > 0 ? phi - g / density : Number.NaN;
      // A Newton step below the tolerance is convergence, even when it lands on the bracket's end
      // (g's last-bit noise can put the root there): bisecting instead jumped half the bracket
      // away and took ~10 more steps to come back.
      if (Math.abs(next - phi) <= 1e-15 && next >= lo && next <= hi) {
        phi = next;
        break;
      }
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (Math.abs(next - phi) <= 1e-15 || hi - lo <= 1e-15) {
        phi = next;
        break;
      }
      phi = next;
    }
  }
  return reflect ? Math.PI - phi : phi;
}

/**
 * Maps rows of q = dims−1 values in [0,1) onto the unit sphere in R^dims by the spherical
 * coordinate transform (Fang & Wang 1994, §1.5.2–1.5.3, as in Nengo's "sct" method): angle j
 * (j < q−1) has density ∝ sin^(q−1−j) on [0, π], the last angle is uniform on [0, 2π), and
 * x_0 = cos θ_0, x_i = sin θ_0 ⋯ sin θ_(i−1) · cos θ_i, x_q = sin θ_0 ⋯ sin θ_(q−1).
 * Angle j of every point is found at once (sphericalAnglePpfBatch), then multiplied in: the
 * same operations per point as one sphericalAnglePpf call each, in the same order.
 */
/**
 * Angles of order m up to this go through sphericalAnglePpf point by point (the same result as the
 * batch): their recurrences are a few steps, so the batch's lockstep bookkeeping is all its cost,
 * and in a fresh process (every compile) it runs long before it is optimized: 2500 8-d eval points
 * took 63–99 ms instead of 103–211 ms on the first call (same run, loaded machine), the same warm.
 */
const SCALAR_MAX_ORDER = 6;

function sphericalTransform(u: Float64Array, n: number, dims: number): Float64Array {
  const q = dims - 1;
  const wallis = wallisIntegrals(q);
  const out = new Float64Array(n * dims);
  const sinProduct = new Float64Array(n).fill(1);
  const column = new Float64Array(n);
  const theta = new Float64Array(n);
  for (let j = 0; j < q; j++) {
    for (let i = 0; i < n; i++) column[i] = u[i * q + j];
    const m = q - 1 - j;
    if (j === q - 1) for (let i = 0; i < n; i++) theta[i] = 2 * Math.PI * column[i];
    else if (m <= SCALAR_MAX_ORDER) for (let i = 0; i < n; i++) theta[i] = sphericalAnglePpf(m, column[i], wallis);
    else sphericalAnglePpfBatch(m, column, wallis, theta);
    for (let i = 0; i < n; i++) {
      out[i * dims + j] = sinProduct[i] * Math.cos(theta[i]);
      sinProduct[i] *= Math.sin(theta[i]);
    }
  }
  for (let i = 0; i < n; i++) out[i * dims + q] = sinProduct[i];
  return out;
}

/**
 * Haar-random orthogonal matrix: QR of a d×d standard normal matrix (drawn row by row), by
 * modified Gram–Schmidt on its columns, each pass repeated once ("twice is enough") so Q stays
 * orthogonal to rounding for larger d. Gram–Schmidt yields R with a positive diagonal, which is
 * exactly the sign fix that makes Q Haar-distributed (Mezzadri 2007).
 */
export function randomOrthogonal(d: number, rng: Rng): Mat {
  const g = mat(d, d);
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.normal();
  const q = mat(d, d);
  const a = g.data, qd = q.data;
  const col = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    for (;;) {
      for (let i = 0; i < d; i++) col[i] = a[i * d + k];
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < k; p++) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += qd[i * d + p] * col[i];
          for (let i = 0; i < d; i++) col[i] -= dot * qd[i * d + p];
        }
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += col[i] * col[i];
      norm = Math.sqrt(norm);
      // A (numerically) dependent column has probability 0; if it happens, redraw that column.
      if (norm > 1e-10) {
        for (let i = 0; i < d; i++) qd[i * d + k] = col[i] / norm;
        break;
      }
      for (let i = 0; i < d; i++) a[i * d + k] = rng.normal();
    }
  }
  return q;
}

/**
 * Nengo's ScatteredHypersphere (spec §7):
 * - d = 1, surface: ±1 from one quasirandom sequence split at 1/2 (half each, shuffled).
 * - d = 1, ball: ⌊n/2⌋ points of an evenly tiled [0,1) sequence and n − ⌊n/2⌋ negated points of
 *   another, stacked and shuffled. No rotation in 1-D.
 * - d ≥ 2: a quasirandom sequence in d−1 (surface) or d (ball) dimensions; d−1 coordinates go
 *   through the spherical transform (exact CDF inverted numerically, see sphericalAnglePpf) and,
 *   for the ball, the last coordinate u becomes the radius u^(1/d). Then everything is rotated
 *   by one random orthogonal matrix, so no axis is preferred.
 * Draw order: quasirandom offsets and shuffle(s), then the rotation's d² normals.
 */
function sampleScatteredHypersphere(surface: boolean, n: number, dims: number, rng: Rng): Mat {
  if (dims === 1) {
    if (surface) {
      const z = quasirandomSequence(n, 1, rng);
      return mat(n, 1, z.map((v) => (v < 0.5 ? -1 : 1)));
    }
    const nPos = Math.floor(n / 2);
    const pos = quasirandomSequence(nPos, 1, rng);
    const neg = quasirandomSequence(n - nPos, 1, rng);
    const both = new Float64Array(n);
    both.set(pos, 0);
    for (let i = 0; i < neg.length; i++) both[nPos + i] = -neg[i];
    return mat(n, 1, rng.shuffle(both));
  }
  let mapped: Float64Array;
  if (surface) {
    mapped = sphericalTransform(quasirandomSequence(n, dims - 1, rng), n, dims);
  } else {
    const z = quasirandomSequence(n, dims, rng);
    const angles = new Float64Array(n * (dims - 1));
    for (let i = 0; i < n; i++) angles.set(z.subarray(i * dims, i * dims + dims - 1), i * (dims - 1));
    mapped = sphericalTransform(angles, n, dims);
    for (let i = 0; i < n; i++) {
      const r = Math.pow(z[i * dims + dims - 1], 1 / dims);
      for (let j = 0; j < dims; j++) mapped[i * dims + j] *= r;
    }
  }
  return matmul({ rows: n, cols: dims, data: mapped }, randomOrthogonal(dims, rng));
}
