/**
 * sparse.ts's Gram matrix (over lists of nonzeros, with the dense 4×4 kernel for dense columns)
 * against a plain triple loop summing each element in row order: every
 * expectation is 0 differing elements (bit for bit), since both add the same nonzero terms in the
 * same order. Sizes are odd so panel padding, the last partial chunk of depth (128 rows) and row
 * groups of fewer than 4 or 16 are all exercised.
 */
import { Rng } from "../util/rng.js";
import { kernels, withoutKernels } from "./kernels.js";
import { parallelJobs, withParallelMinWork } from "./parallel.js";
import { gram, gramLower } from "./linalg.js";
import { gramSparse } from "./sparse.js";

/**
 * m×n with column c nonzero with probability (c mod 7)/6: all-zero, sparse (list kernel) and full
 * (dense kernel) columns side by side; signs and magnitudes mixed, as activities are not.
 */
function mixed(m: number, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      if (rng.uniform() < (c % 7) / 6) a[r * n + c] = rng.normal() * 10 ** Math.floor(rng.uniform() * 6 - 3);
    }
  }
  return a;
}

function differing(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

/** out[i][j] = 0 + a(0,i)·x(0,j) + a(1,i)·x(1,j) + …, every term (zeros too), in depth order. */
function plainAtX(a: (r: number, i: number) => number, x: (r: number, j: number) => number, depth: number, rows: number, k: number): Float64Array {
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < depth; r++) s += a(r, i) * x(r, j);
      out[i * k + j] = s;
    }
  }
  return out;
}

describe("the Gram matrix over lists of nonzeros (sparse.ts)", () => {
  it("runs on WebAssembly here (else these compare the fallback with itself)", () => {
    expect(kernels()).not.toBeNull();
  });

  it.each([[301, 53], [129, 130], [1000, 37]])("gram of %i×%i with mixed-density columns: 0 differ from the plain sum, kernels on or off", (m, n) => {
    const ad = mixed(m, n, m + n);
    const ref = plainAtX((r, i) => ad[r * n + i], (r, j) => ad[r * n + j], m, n, n);
    const a = { rows: m, cols: n, data: ad };
    expect(differing(gram(a).data, ref)).toBe(0);
    expect(differing(withoutKernels(() => gram(a)).data, ref)).toBe(0);
    // gramLower: the lower triangle only, the upper left at 0.
    const lower = gramLower(a).data;
    expect(differing(lower, ref.map((v, k) => (k % n <= Math.floor(k / n) ? v : 0)))).toBe(0);
  });

  it("gramSparse declines tiny products (the plain loop takes them)", () => {
    expect(gramSparse(new Float64Array(9 * 4), 9, 4, new Float64Array(16), true)).toBe(false);
  });

  it("gram split over two threads (the helper takes row groups of a chunk from a shared counter): ≥ 1 helper job, 0 differ", () => {
    const m = 1030, n = 400;
    const a = { rows: m, cols: n, data: mixed(m, n, 3) };
    const plain = withoutKernels(() => gram(a)).data;
    const before = parallelJobs();
    let worst = 0;
    // The helper may be slow to wake: up to 20 tries until it has taken part in one.
    for (let r = 0; r < 20 && parallelJobs() === before; r++) withParallelMinWork(0, () => { worst = Math.max(worst, differing(gram(a).data, plain)); });
    expect(parallelJobs() - before).toBeGreaterThan(0);
    expect(worst).toBe(0);
  });
});
