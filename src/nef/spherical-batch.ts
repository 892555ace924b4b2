/**
 * sphericalAnglePpf (samplers.ts) for many u at once, with bit-identical results. One call of
 * the scalar version is a Newton iteration whose every step evaluates two O(m) recurrences
 * (sinPowIntegral, powInt) that are chains of dependent divisions and multiplications: the CPU
 * waits on each result. Here all points still iterating advance in lockstep and each recurrence
 * runs with the points as its inner loop, so the chains of different points overlap. Every
 * point sees exactly the operations of the scalar version, in the same order.
 *
 * Large batches are split in two halves, one on math/parallel.ts's helper thread: the whole
 * Newton iteration of a point (its trigonometry and bookkeeping as well as its chains, which
 * were a third and a half of a psMNIST-shape build's sampling) is independent of the others.
 */
import { kernels, type SinPowChains } from "../math/kernels.js";
import { registerHelperJob, splitWithHelper } from "../math/parallel.js";
import { sphericalAngleStart } from "./spherical-start.js";

/**
 * out[i] = sphericalAnglePpf(m, u[i], wallis) for the `count` points at u (each array a range of
 * doubles of `buffer`, given by its first index), with `exports.sinPowChains` (or plain loops
 * when exports is null) working in the 6·count doubles from index `work`, each point's Newton
 * iteration starting from its sphericalAngleStart at `startAt`. Self-contained (only
 * its parameters and globals): parallel.ts sends its source text to the helper thread, where it
 * runs as the same code. Points leave the lockstep when their own stopping rule fires, as alone.
 */
function ppfRange(exports: { sinPowChains: SinPowChains } | null, buffer: ArrayBufferLike, m: number, count: number, uAt: number, wAt: number, startAt: number, outAt: number, work: number): void {
  const mem = new Float64Array(buffer);
  const wm = mem[wAt + m], halfPi = Math.PI / 2, odd = m % 2 !== 0, k0 = (odd ? 1 : 0) + 2;
  const phi = new Float64Array(count), lo = new Float64Array(count), hi = new Float64Array(count);
  const target = new Float64Array(count), integral = new Float64Array(count), power = new Float64Array(count);
  const index = new Int32Array(count);
  // integral[a] = sinPowIntegral(m, phi[a]), power[a] = powInt(sin phi[a], m): 8 points at a time
  // on the kernel, then 4 at a time in registers, then one by one (the same recurrences; powInt's
  // first multiplication 1·s = s is exact, so an odd m starts from s).
  const integralsAndPowers = (n: number): void => {
    let a = 0;
    if (exports !== null && n >= 8) {
      const n8 = n & ~7;
      const I = work, SP = I + n8, C = SP + n8, Q = C + n8, S = Q + n8, W = S + n8;
      for (a = 0; a < n8; a++) {
        const p = phi[a], s = Math.sin(p);
        mem[C + a] = Math.cos(p);
        mem[Q + a] = s * s;
        mem[S + a] = s;
        if (odd) {
          const h = Math.sin(p / 2);
          mem[I + a] = 2 * h * h; mem[SP + a] = s * s; mem[W + a] = s;
        } else {
          mem[I + a] = p; mem[SP + a] = s; mem[W + a] = 1;
        }
      }
      exports.sinPowChains(8 * I, 8 * SP, 8 * C, 8 * Q, 8 * S, 8 * W, n8, k0, m);
      integral.set(mem.subarray(I, I + n8));
      power.set(mem.subarray(W, W + n8));
    }
    for (; a < n; a++) {
      const p = phi[a], s = Math.sin(p), c = Math.cos(p), q = s * s;
      let i: number, sp: number, w: number;
      if (odd) {
        const h = Math.sin(p / 2);
        i = 2 * h * h; sp = q; w = s;
      } else {
        i = p; sp = s; w = 1;
      }
      for (let k = k0; k <= m; k += 2) {
        i = (-sp * c + (k - 1) * i) / k; sp *= q; w *= s; w *= s;
      }
      integral[a] = i;
      power[a] = w;
    }
  };
  let n = 0;
  for (let i = 0; i < count; i++) {
    const ui = mem[uAt + i];
    const t = ui >= 0.5 ? 2 * (1 - ui) : 2 * ui;
    if (t <= 0) mem[outAt + i] = 0;
    else if (t >= 1) mem[outAt + i] = halfPi;
    else {
      phi[n] = mem[startAt + i];
      lo[n] = 0;
      hi[n] = halfPi;
      target[n] = t;
      index[n++] = i;
    }
  }
  for (let it = 0; it < 200 && n > 0; it++) {
    integralsAndPowers(n);
    let kept = 0;
    for (let a = 0; a < n; a++) {
      const p = phi[a];
      let done = false;
      let next = p;
      const g = integral[a] / wm - target[a];
      if (g === 0) done = true;
      else {
        if (g > 0) hi[a] = p;
        else lo[a] = p;
        const density = power[a] / wm;
        next = density > 0 ? p - g / density : Number.NaN;
        if (Math.abs(next - p) <= 1e-15 && next >= lo[a] && next <= hi[a]) done = true;
        else {
          if (!(next > lo[a] && next < hi[a])) next = 0.5 * (lo[a] + hi[a]);
          done = Math.abs(next - p) <= 1e-15 || hi[a] - lo[a] <= 1e-15;
        }
      }
      if (done) mem[outAt + index[a]] = next;
      else {
        phi[kept] = next; lo[kept] = lo[a]; hi[kept] = hi[a]; target[kept] = target[a]; index[kept++] = index[a];
      }
    }
    n = kept;
  }
  // The scalar version stops after 200 steps with its last iterate.
  for (let a = 0; a < n; a++) mem[outAt + index[a]] = phi[a];
  for (let i = 0; i < count; i++) if (mem[uAt + i] >= 0.5) mem[outAt + i] = Math.PI - mem[outAt + i];
}

registerHelperJob("sphericalAnglePpf", ppfRange);

/** A chain step (one point, one k) weighs as this many multiply-adds: splits pay from ~2¹⁷ steps. */
const STEP_WEIGHT = 1 << 14;

/**
 * out[i] = sphericalAnglePpf(m, u[i], wallis) for i < u.length (see that function for the
 * method), in the kernels' scratch memory: u, wallis, starts and out after two work areas, the second
 * for the helper's half (points from ⌊n/2⌋ on).
 */
export function sphericalAnglePpfBatch(m: number, u: Float64Array, wallis: Float64Array, out: Float64Array): void {
  const n = u.length;
  const kern = kernels();
  const half = n >> 1;
  const work0 = 0, work1 = 6 * n, U = 12 * n, W = 13 * n, START = W + m + 2, OUT = START + n;
  let buffer: ArrayBufferLike;
  if (kern !== null) {
    kern.reserve(8 * (OUT + n));
    buffer = kern.f64().buffer;
  } else buffer = new ArrayBuffer(8 * (OUT + n));
  const mem = new Float64Array(buffer);
  mem.set(u, U);
  mem.set(wallis.subarray(0, m + 1), W);
  // Starts here, not in ppfRange: it must stay self-contained (its source runs on the helper).
  for (let i = 0; i < n; i++) {
    const t = u[i] >= 0.5 ? 2 * (1 - u[i]) : 2 * u[i];
    mem[START + i] = t > 0 && t < 1 ? sphericalAngleStart(m, t, wallis[m]) : 0;
  }
  const end = splitWithHelper("sphericalAnglePpf", [m, n - half, U + half, W, START + half, OUT + half, work1], n * m * STEP_WEIGHT, () => ppfRange(kern, buffer, m, half, U, W, START, OUT, work0));
  if (end === "alone") ppfRange(kern, buffer, m, n - half, U + half, W, START + half, OUT + half, work1);
  out.set(mem.subarray(OUT, OUT + n));
}
