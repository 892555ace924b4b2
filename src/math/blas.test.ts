import { Rng } from "../util/rng.js";
import { gemm, rowMajor, transposed } from "./blas.js";
import { kernels, withoutKernels } from "./kernels.js";
import { helperReady, parallelJobs, startHelper, withParallelMinWork } from "./parallel.js";
import { cholesky, choleskyInPlace, choleskySolve, choleskySubstituteSolve, gram, outerGram } from "./linalg.js";
import { type Mat, mat, matmul } from "./matrix.js";

/** Random m×n with about a third exact zeros (activities are often 0) and mixed magnitudes. */
function random(m: number, n: number, seed: number): Mat {
  const rng = new Rng(seed);
  const out = mat(m, n);
  for (let i = 0; i < out.data.length; i++) {
    const u = rng.uniform();
    out.data[i] = u < 0.33 ? 0 : (rng.normal() * 10 ** Math.floor(rng.uniform() * 6 - 3));
  }
  return out;
}

/** Number of elements whose bits differ (Object.is: −0 and NaN count too). */
function differing(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

describe("SIMD kernels give the plain loops' bits", () => {
  // Every expectation below is 0 differing elements: the kernels perform each element's
  // operations in the plain loop's order (see kernels.ts), so decoders, and through them the
  // pinned build hashes, do not move. Sizes are odd so padding and remainders are exercised.
  it("is running on WebAssembly here (else these tests compare the fallback with itself)", () => {
    expect(kernels()).not.toBeNull();
  });

  it.each([[37, 53, 301], [4, 4, 2100], [130, 7, 515]])("matmul %i×%i · %i×… : 0 differ", (m, k, n) => {
    const a = random(m, k, 1), b = random(k, n, 2);
    expect(differing(matmul(a, b).data, withoutKernels(() => matmul(a, b)).data)).toBe(0);
  });

  /** Runs f until the helper thread has taken part in one of its products (it may be slow to wake), at most 20 times. */
  const withHelper = (f: () => void): number => {
    const before = parallelJobs();
    for (let r = 0; r < 20 && parallelJobs() === before; r++) withParallelMinWork(0, f);
    return parallelJobs() - before;
  };

  it("gemm's row groups shared with a running helper thread (C − A·B, strided A): 0 differ", () => {
    withParallelMinWork(0, () => startHelper(1));
    const until = Date.now() + 10000;
    while (!helperReady() && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    expect(helperReady()).toBe(true);
    const a = random(600, 301, 14), b = random(600, 177, 15), c0 = random(301, 177, 16);
    const run = (): Float64Array => {
      const c = Float64Array.from(c0.data);
      gemm(301, 177, 600, transposed(rowMajor(a.data, 301)), rowMajor(b.data, 177), c, 0, 177, -1);
      return c;
    };
    const plain = withoutKernels(run);
    let worst = 0;
    expect(withHelper(() => { worst = Math.max(worst, differing(run(), plain)); })).toBeGreaterThan(0);
    expect(worst).toBe(0);
  });

  it("outerGram of 90×1001: 0 differ", () => {
    const a = random(90, 1001, 4);
    expect(differing(outerGram(a).data, withoutKernels(() => outerGram(a)).data)).toBe(0);
  });

  it("cholesky (blocked) and choleskySolve of a 301×301 SPD system with 37 right-hand sides: 0 differ", () => {
    const g = gram(random(700, 301, 5));
    for (let i = 0; i < 301; i++) g.data[i * 301 + i] += 0.1;
    expect(differing(cholesky(g).data, withoutKernels(() => cholesky(g)).data)).toBe(0);
    const b = random(301, 37, 6);
    expect(differing(choleskySolve(g, b).data, withoutKernels(() => choleskySolve(g, b)).data)).toBe(0);
  });

  it("choleskyInPlace (blocked and plain) writes cholesky's lower triangle over G, and solves to the same bits: 0 differ", () => {
    const g = gram(random(700, 301, 5));
    for (let i = 0; i < 301; i++) g.data[i * 301 + i] += 0.1;
    const l = cholesky(g).data;
    const lower = (x: Float64Array): Float64Array => x.map((v, k) => (k % 301 <= Math.floor(k / 301) ? v : 0));
    const b = random(301, 37, 6);
    for (const run of [<T>(f: () => T): T => f(), withoutKernels]) {
      const h = mat(301, 301, g.data);
      run(() => choleskyInPlace(h));
      expect(differing(lower(h.data), l)).toBe(0);
      expect(differing(choleskySubstituteSolve(h, b).data, choleskySolve(g, b).data)).toBe(0);
    }
  });

  it("gemm told C is zero (not read) gives the bits of one that reads it: 0 differ", () => {
    const a = random(203, 8, 11), b = random(8, 517, 12);
    const run = (cIsZero: boolean): Float64Array => {
      const c = new Float64Array(203 * 517);
      gemm(203, 517, 8, rowMajor(a.data, 8), rowMajor(b.data, 517), c, 0, 517, 1, cIsZero);
      return c;
    };
    expect(differing(run(true), run(false))).toBe(0);
    expect(differing(run(true), withoutKernels(() => run(false)))).toBe(0);
  });

  it("blocked cholesky fails on the same row with the same message as the plain loop", () => {
    const g = gram(random(400, 300, 7));
    g.data[250 * 300 + 250] = -1;
    const plain = (() => { try { withoutKernels(() => cholesky(g)); return ""; } catch (e) { return (e as Error).message; } })();
    expect(plain).toMatch(/pivot .* at row 250 of 300x300/);
    expect(() => cholesky(g)).toThrow(plain);
  });

  it("gemm with strided (transposed) operands and C − A·B: 0 differ", () => {
    const a = random(70, 45, 8), b = random(70, 33, 9), c0 = random(45, 33, 10);
    const run = (): Float64Array => {
      const c = Float64Array.from(c0.data);
      gemm(45, 33, 70, transposed(rowMajor(a.data, 45)), rowMajor(b.data, 33), c, 0, 33, -1);
      return c;
    };
    expect(differing(run(), withoutKernels(run))).toBe(0);
  });
});
