/**
 * sphericalAnglePpf (samplers.ts) for many u at once, with bit-identical results. One call of
 * the scalar version is a Newton iteration whose every step evaluates two O(m) recurrences
 * (sinPowIntegral, powInt) that are chains of dependent divisions and multiplications: the CPU
 * waits on each result. Here all points still iterating advance in lockstep and each recurrence
 * runs with the points as its inner loop, so the chains of different points overlap. Every
 * point sees exactly the operations of the scalar version, in the same order.
 */
import { kernels } from "../math/kernels.js";
import { sinPowChainsParallel } from "../math/parallel.js";
import { powInt, sinPowIntegral } from "./samplers.js";

/** Scratch reused across calls (grown on demand): sampling is single-threaded and not reentrant. */
let scratch = new Float64Array(0);

function scratchOf(n: number): Float64Array[] {
  if (scratch.length < 6 * n) scratch = new Float64Array(6 * n);
  return Array.from({ length: 6 }, (_, k) => scratch.subarray(k * n, (k + 1) * n));
}

/**
 * integral[a] = sinPowIntegral(m, phi[a]) and power[a] = powInt(sin phi[a], m), for a < count:
 * the same recurrences, four points at a time in registers so their chains overlap (an array
 * per quantity with the points as inner loop was only 1.4× faster than one point at a time).
 * powInt's m multiplications ride along, two per step of the integral's recurrence; its first
 * multiplication 1·s = s is exact, so an odd m starts from s.
 */
function integralsAndPowers(m: number, phi: Float64Array, count: number, integral: Float64Array, power: Float64Array): void {
  const odd = m % 2 !== 0;
  const k0 = (odd ? 1 : 0) + 2;
  let a = onKernel(m, phi, count, integral, power);
  for (; a + 4 <= count; a += 4) {
    const p0 = phi[a], p1 = phi[a + 1], p2 = phi[a + 2], p3 = phi[a + 3];
    const s0 = Math.sin(p0), s1 = Math.sin(p1), s2 = Math.sin(p2), s3 = Math.sin(p3);
    const c0 = Math.cos(p0), c1 = Math.cos(p1), c2 = Math.cos(p2), c3 = Math.cos(p3);
    const q0 = s0 * s0, q1 = s1 * s1, q2 = s2 * s2, q3 = s3 * s3;
    let i0, i1, i2, i3, sp0, sp1, sp2, sp3, w0, w1, w2, w3;
    if (odd) {
      const h0 = Math.sin(p0 / 2), h1 = Math.sin(p1 / 2), h2 = Math.sin(p2 / 2), h3 = Math.sin(p3 / 2);
      i0 = 2 * h0 * h0; i1 = 2 * h1 * h1; i2 = 2 * h2 * h2; i3 = 2 * h3 * h3;
      sp0 = q0; sp1 = q1; sp2 = q2; sp3 = q3;
      w0 = s0; w1 = s1; w2 = s2; w3 = s3;
    } else {
      i0 = p0; i1 = p1; i2 = p2; i3 = p3;
      sp0 = s0; sp1 = s1; sp2 = s2; sp3 = s3;
      w0 = 1; w1 = 1; w2 = 1; w3 = 1;
    }
    for (let k = k0; k <= m; k += 2) {
      const km1 = k - 1;
      i0 = (-sp0 * c0 + km1 * i0) / k; sp0 *= q0; w0 *= s0; w0 *= s0;
      i1 = (-sp1 * c1 + km1 * i1) / k; sp1 *= q1; w1 *= s1; w1 *= s1;
      i2 = (-sp2 * c2 + km1 * i2) / k; sp2 *= q2; w2 *= s2; w2 *= s2;
      i3 = (-sp3 * c3 + km1 * i3) / k; sp3 *= q3; w3 *= s3; w3 *= s3;
    }
    integral[a] = i0; integral[a + 1] = i1; integral[a + 2] = i2; integral[a + 3] = i3;
    power[a] = w0; power[a + 1] = w1; power[a + 2] = w2; power[a + 3] = w3;
  }
  for (; a < count; a++) {
    integral[a] = sinPowIntegral(m, phi[a]);
    power[a] = powInt(Math.sin(phi[a]), m);
  }
}

/**
 * The first 8⌊count/8⌋ points of integralsAndPowers on the SIMD kernel (kernels.ts's
 * sinPowChains: the same recurrences, 8 chains at once); returns how many it did (0 without
 * WebAssembly). Starting values are set here exactly as in the loop above.
 */
function onKernel(m: number, phi: Float64Array, count: number, integral: Float64Array, power: Float64Array): number {
  const kern = count >= 8 ? kernels() : null;
  if (kern === null) return 0;
  const n = count & ~7;
  kern.reserve(8 * 6 * n);
  const mem = kern.f64();
  const I = 0, SP = n, C = 2 * n, Q = 3 * n, S = 4 * n, W = 5 * n;
  const odd = m % 2 !== 0;
  for (let a = 0; a < n; a++) {
    const p = phi[a];
    const s = Math.sin(p);
    mem[C + a] = Math.cos(p);
    mem[Q + a] = s * s;
    mem[S + a] = s;
    if (odd) {
      const h = Math.sin(p / 2);
      mem[I + a] = 2 * h * h;
      mem[SP + a] = s * s;
      mem[W + a] = s;
    } else {
      mem[I + a] = p;
      mem[SP + a] = s;
      mem[W + a] = 1;
    }
  }
  // Half the points on a second thread when there are many (each chain is independent).
  sinPowChainsParallel(kern.sinPowChains, [8 * I, 8 * SP, 8 * C, 8 * Q, 8 * S, 8 * W], n, (odd ? 1 : 0) + 2, m);
  integral.set(mem.subarray(I, I + n));
  power.set(mem.subarray(W, W + n));
  return n;
}

/**
 * out[i] = sphericalAnglePpf(m, u[i], wallis) for i < u.length (see that function for the
 * method). Points leave the lockstep when their own stopping rule fires, as they would alone.
 */
export function sphericalAnglePpfBatch(m: number, u: Float64Array, wallis: Float64Array, out: Float64Array): void {
  const n = u.length;
  const [phi, lo, hi, target, integral, power] = scratchOf(n);
  const index = new Int32Array(n);
  const halfPi = Math.PI / 2;
  const wm = wallis[m];
  let count = 0;
  for (let i = 0; i < n; i++) {
    const reflect = u[i] >= 0.5;
    const t = reflect ? 2 * (1 - u[i]) : 2 * u[i];
    if (t <= 0) out[i] = 0;
    else if (t >= 1) out[i] = halfPi;
    else {
      phi[count] = Math.min(halfPi, Math.pow(t * (m + 1) * wm, 1 / (m + 1)));
      lo[count] = 0;
      hi[count] = halfPi;
      target[count] = t;
      index[count++] = i;
    }
  }
  for (let it = 0; it < 200 && count > 0; it++) {
    integralsAndPowers(m, phi, count, integral, power);
    let kept = 0;
    for (let a = 0; a < count; a++) {
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
        if (!(next > lo[a] && next < hi[a])) next = 0.5 * (lo[a] + hi[a]);
        done = Math.abs(next - p) <= 1e-15 || hi[a] - lo[a] <= 1e-15;
      }
      if (done) out[index[a]] = next;
      else {
        phi[kept] = next;
        lo[kept] = lo[a];
        hi[kept] = hi[a];
        target[kept] = target[a];
        index[kept++] = index[a];
      }
    }
    count = kept;
  }
  // The scalar version stops after 200 steps with its last iterate.
  for (let a = 0; a < count; a++) out[index[a]] = phi[a];
  for (let i = 0; i < n; i++) if (u[i] >= 0.5) out[i] = Math.PI - out[i];
}

