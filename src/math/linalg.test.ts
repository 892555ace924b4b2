import { choleskySolve, cholesky, expm, gram, gramLower, luSolve, norm1, outerGram } from "./linalg.js";
import { type Mat, fromRows, identity, mat, matmul, transpose } from "./matrix.js";

/** Deterministic uniform [-1, 1) generator (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

function randomMat(rows: number, cols: number, seed: number): Mat {
  const next = rng(seed);
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = next();
  return m;
}

function diag(values: readonly number[]): Mat {
  const n = values.length;
  const m = mat(n, n);
  values.forEach((v, i) => (m.data[i * n + i] = v));
  return m;
}

function maxAbsDiff(a: Mat, b: Mat): number {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

function maxAbs(a: Mat): number {
  let m = 0;
  for (const v of a.data) m = Math.max(m, Math.abs(v));
  return m;
}

/** max |a·x − b| / (max|a|·max|x|·n): backward-stable solvers give O(ε) here. */
function relativeResidual(a: Mat, x: Mat, b: Mat): number {
  return maxAbsDiff(matmul(a, x), b) / (maxAbs(a) * maxAbs(x) * a.rows);
}

describe("norm1", () => {
  it("is the largest absolute column sum: 6 for [[1,−2],[−3,4]]", () => {
    // Columns: |1| + |−3| = 4 and |−2| + |4| = 6.
    expect(norm1(fromRows([[1, -2], [-3, 4]]))).toBe(6);
  });
});

describe("expm", () => {
  // Each diagonal exercises one branch of Higham's degree choice by its 1-norm:
  // ≤ θ3 = 0.015, ≤ θ5 = 0.25, ≤ θ7 = 0.95, ≤ θ9 = 2.1, and > θ13 = 5.37 (scaled by 2^−s).
  const diagonals: [string, number[]][] = [
    ["Padé 3", [0.01, -0.005, 0]],
    ["Padé 5", [0.2, -0.1, 0.05]],
    ["Padé 7", [0.9, -0.5, 0.3]],
    ["Padé 9", [2, -1.5, 0.7]],
    ["Padé 13, no scaling", [5, -4, 1]],
    ["Padé 13 with scaling", [-30, -1, 0, 0.5, 10]],
  ];
  it.each(diagonals)("of a diagonal matrix (%s) is diag(e^d) to 1e-14·max(1, |d|) relative", (_label, d) => {
    // e^x has relative condition number |x|, and Padé with scaling and squaring is accurate
    // relative to ‖A‖, so the forward error of a diagonal entry grows with |d|: measured
    // 21 ulp at d = 5 and 159 ulp (3.5e-14) at d = −30, against bounds of 5e-14 and 3e-13.
    const e = expm(diag(d));
    for (let i = 0; i < d.length; i++) {
      for (let j = 0; j < d.length; j++) {
        const got = e.data[i * d.length + j];
        if (i === j) {
          const want = Math.exp(d[i]);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(d[i])) * want);
        } else {
          expect(got).toBe(0);
        }
      }
    }
  });

  it("of the zero matrix is exactly I", () => {
    expect(expm(mat(4, 4)).data).toEqual(identity(4).data);
  });

  it.each([0.5, 3, 10])("of t·J (J the 4×4 shift) is the truncated series [t^(j−i)/(j−i)!] to 1e-14 relative (t = %p)", (t) => {
    // J is nilpotent (J⁴ = 0), so e^{tJ} = I + tJ + t²J²/2 + t³J³/6 exactly; t = 10 forces scaling.
    const n = 4;
    const a = mat(n, n);
    for (let i = 0; i + 1 < n; i++) a.data[i * n + i + 1] = t;
    const want = mat(n, n);
    const fact = [1, 1, 2, 6];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) want.data[i * n + j] = t ** (j - i) / fact[j - i];
    expect(maxAbsDiff(expm(a), want)).toBeLessThanOrEqual(1e-14 * maxAbs(want));
  });

  it.each([0.01, 0.2, 0.9, 2, 10, 100])(
    "of the rotation generator [[0,−w],[w,0]] is the rotation by w to 1e-13 (w = %p)",
    (w) => {
      // Entries are ≤ 1. For w = 100 the matrix is scaled by 2^−5 and squared 5 times; the
      // rotation is orthogonal so the per-squaring error stays ~ε, well under 1e-13.
      const e = expm(fromRows([[0, -w], [w, 0]]));
      const want = fromRows([
        [Math.cos(w), -Math.sin(w)],
        [Math.sin(w), Math.cos(w)],
      ]);
      expect(maxAbsDiff(e, want)).toBeLessThanOrEqual(1e-13);
    },
  );

  it("satisfies e^A · e^−A = I to 1e-13 for a random 30×30 matrix of 1-norm ≈ 15", () => {
    const a = randomMat(30, 30, 7);
    const neg = mat(30, 30, a.data.map((v) => -v));
    expect(norm1(a)).toBeGreaterThan(5.4); // the scaled Padé-13 branch
    expect(maxAbsDiff(matmul(expm(a), expm(neg)), identity(30))).toBeLessThanOrEqual(1e-13);
  });

  it("rejects a non-square or non-finite matrix", () => {
    expect(() => expm(mat(2, 3))).toThrow(/square/);
    expect(() => expm(fromRows([[NaN]]))).toThrow(/non-finite/);
  });
});

describe("luSolve", () => {
  it("solves a random 60×60 system with 5 right-hand sides to a relative residual below 1e-15", () => {
    // Partial-pivoting LU is backward stable: ‖a·x − b‖ ≲ n·ε·‖a‖·‖x‖, and the normalized
    // residual below is typically ~1e-17.
    const a = randomMat(60, 60, 1);
    const b = randomMat(60, 5, 2);
    expect(relativeResidual(a, luSolve(a, b), b)).toBeLessThan(1e-15);
  });

  it("needs pivoting for [[0,1],[1,0]] and returns the swapped right-hand side exactly", () => {
    const x = luSolve(fromRows([[0, 1], [1, 0]]), fromRows([[3], [4]]));
    expect(Array.from(x.data)).toEqual([4, 3]);
  });

  it("throws a 'singular' error for exactly and numerically singular matrices", () => {
    // [[1,2],[2,4]] eliminates to an exact zero pivot; [[1,2,3],[4,5,6],[7,8,9]] leaves a pivot
    // of rounding size (~1e-16), which the n·ε·row-scale test must also reject.
    expect(() => luSolve(fromRows([[1, 2], [2, 4]]), identity(2))).toThrow(/singular/);
    expect(() => luSolve(fromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), identity(3))).toThrow(/singular/);
    expect(() => luSolve(mat(3, 3), identity(3))).toThrow(/singular/);
  });

  it("does not reject a well-conditioned matrix whose rows differ by 1e40 in scale", () => {
    const x = luSolve(fromRows([[1e-20, 0], [0, 1e20]]), fromRows([[1e-20], [1e20]]));
    expect(Array.from(x.data)).toEqual([1, 1]);
  });
});

describe("cholesky / choleskySolve", () => {
  function spd(n: number, seed: number): Mat {
    // MᵀM + n·I is symmetric with eigenvalues ≥ n.
    const m = randomMat(n, n, seed);
    const a = matmul(transpose(m), m);
    for (let i = 0; i < n; i++) a.data[i * n + i] += n;
    return a;
  }

  it("gives a lower-triangular L with L·Lᵀ = a to 1e-14 relative (40×40)", () => {
    const a = spd(40, 3);
    const l = cholesky(a);
    for (let i = 0; i < 40; i++) for (let j = i + 1; j < 40; j++) expect(l.data[i * 40 + j]).toBe(0);
    expect(maxAbsDiff(matmul(l, transpose(l)), a)).toBeLessThanOrEqual(1e-14 * maxAbs(a));
  });

  it("solves an SPD system with 3 right-hand sides to a relative residual below 1e-15", () => {
    const a = spd(50, 4);
    const b = randomMat(50, 3, 5);
    expect(relativeResidual(a, choleskySolve(a, b), b)).toBeLessThan(1e-15);
  });

  it("throws for indefinite and singular matrices", () => {
    expect(() => cholesky(fromRows([[1, 2], [2, 1]]))).toThrow(/positive definite/);
    expect(() => cholesky(fromRows([[1, 1], [1, 1]]))).toThrow(/positive definite/);
    expect(() => choleskySolve(fromRows([[-1]]), fromRows([[1]]))).toThrow(/positive definite/);
  });
});

describe("gram / outerGram", () => {
  it("gram(a) = aᵀa to 1e-13 and is exactly symmetric (a 23×301: leftover rows, odd n, two column tiles)", () => {
    // Different summation order from matmul, so agreement is to rounding: |Σ| ≤ 23, ε·23·few.
    const a = randomMat(23, 301, 11);
    const g = gram(a);
    expect(maxAbsDiff(g, matmul(transpose(a), a))).toBeLessThanOrEqual(1e-13);
    expect(g.data).toEqual(transpose(g).data);
  });

  it("gram handles sparse (rectified) activity matrices", () => {
    const a = randomMat(40, 70, 12);
    for (let i = 0; i < a.data.length; i++) a.data[i] = Math.max(0, a.data[i]);
    expect(maxAbsDiff(gram(a), matmul(transpose(a), a))).toBeLessThanOrEqual(1e-13);
  });

  it("gramLower(a) is gram(a)'s lower triangle bit for bit (the SIMD path, 203×130 with 3 leftover rows, is 0 above; a small plain one mirrors)", () => {
    for (const [m, n, seed] of [[203, 130, 14], [9, 5, 15]] as const) {
      const a = randomMat(m, n, seed);
      for (let i = 0; i < a.data.length; i += 3) a.data[i] = 0; // zero activities take the skip paths
      const full = gram(a), lower = gramLower(a);
      const isLower = (k: number): boolean => k % n <= Math.floor(k / n);
      expect(Array.from(lower.data).filter((_, k) => isLower(k))).toEqual(Array.from(full.data).filter((_, k) => isLower(k)));
      if (m === 203) expect(lower.data.filter((v, k) => !isLower(k) && v !== 0).length).toBe(0);
    }
  });

  it("outerGram(a) = a·aᵀ to 1e-13 and is exactly symmetric", () => {
    const a = randomMat(17, 29, 13);
    const g = outerGram(a);
    expect(maxAbsDiff(g, matmul(a, transpose(a)))).toBeLessThanOrEqual(1e-13);
    expect(g.data).toEqual(transpose(g).data);
  });
});
