// Checks activities() and solveLstsqL2() against decoders.json (Nengo 4.1 LstsqL2), with the
// comparisons and tolerances of the reference README ("decoders.json → Tests").
import { loadFixture, toF64, toMat } from "../../test/helpers/fixtures.js";
import { type Mat, mat, matmul, transpose } from "../math/matrix.js";
import type { NeuronModel } from "../neurons/models.js";
import { SolverError, activities, solveLstsqL2 } from "./solver.js";

const fixture = loadFixture("reference/decoders.json.gz");
const cases: any[] = fixture.cases;

function modelOf(s: any): NeuronModel {
  expect(s.type).toBe("LIF"); // every decoders.json case is a default LIF ensemble
  return { type: "lif", tauRcSeconds: s.tau_rc, tauRefSeconds: s.tau_ref, minVoltage: s.min_voltage, amplitude: s.amplitude };
}

/** README "rel ε": max|x − ref| / max|ref| over the whole array (must be ≤ ε). */
function relErr(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(x.length).toBe(ref.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(x[i] - ref[i]);
    if (Number.isNaN(e)) return Infinity; // a NaN result must fail, not be skipped
    if (e > num) num = e;
    den = Math.max(den, Math.abs(ref[i]));
  }
  return num / den;
}

function absErr(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(x.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(x[i] - ref[i]);
    if (Number.isNaN(e)) return Infinity; // a NaN result must fail, not be skipped
    if (e > worst) worst = e;
  }
  return worst;
}

/** The three target functions the fixture uses, evaluated like numpy on the built eval points. */
function targets(name: string, P: Mat): Mat {
  const m = P.rows, d = P.cols, p = P.data;
  switch (name) {
    case "identity":
      return mat(m, d, p);
    case "product x0*x1": {
      const y = mat(m, 1);
      for (let k = 0; k < m; k++) y.data[k] = p[k * d] * p[k * d + 1];
      return y;
    }
    case "square x0^2": {
      const y = mat(m, 1);
      for (let k = 0; k < m; k++) y.data[k] = p[k * d] * p[k * d]; // numpy x**2 is x*x
      return y;
    }
    default:
      throw new Error(`unknown target function ${name}`);
  }
}

interface Built {
  A: Mat;
  P: Mat;
}

function build(c: any): Built {
  const P = toMat(c.eval_points); // built (radius-scaled) points, as the README says to use
  const A = activities(modelOf(c.neuron), P, toMat(c.encoders), toF64(c.gain), toF64(c.bias), c.radius);
  return { A, P };
}

describe("decoders.json", () => {
  it("holds the four cases the README lists", () => {
    expect(cases.map((c) => c.name)).toEqual(["n50_d2", "n100_d1", "n60_d1_radius2", "n100_d1_40_eval_points"]);
  });

  describe.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { A, P } = build(c);
    const solved = new Map<string, ReturnType<typeof solveLstsqL2>>();
    const solve = (fn: string): ReturnType<typeof solveLstsqL2> => {
      if (!solved.has(fn)) solved.set(fn, solveLstsqL2(A, targets(fn, P), c.solver.reg));
      return solved.get(fn)!;
    };

    it("activities match within rel 1e-12", () => {
      // LIFRate curve at J = gain·(P·Eᵀ/radius) + bias: same operation order as Nengo → ~1 ulp.
      expect([A.rows, A.cols]).toEqual(c.activities.shape);
      expect(relErr(A.data, c.activities.data)).toBeLessThanOrEqual(1e-12);
    });

    it("sigma = reg·max(A) and lambda = m·sigma² within rel 1e-12; the Gram form follows m vs n", () => {
      const r = solve("identity");
      expect(Math.abs(r.sigma - c.solver.sigma)).toBeLessThanOrEqual(1e-12 * Math.abs(c.solver.sigma));
      expect(Math.abs(r.lambda - c.solver.lambda)).toBeLessThanOrEqual(1e-12 * Math.abs(c.solver.lambda));
      // Stored as "AtA" or "AAt (m < n)"; only the 40-point case has m < n.
      expect(r.form).toBe(c.solver.cholesky_form.startsWith("AAt") ? "AAt" : "AtA");
    });

    const functions: [string, any][] = c.functions.map((f: any) => [f.function, f]);
    describe.each(functions)("function %s", (fn, f) => {
      it("targets on the built eval points within abs 1e-15", () => {
        expect(absErr(targets(fn, P).data, f.targets.data)).toBeLessThanOrEqual(1e-15);
      });

      it("decoders (own solver on own activities) within rel 1e-8", () => {
        // Nengo's own Cholesky and numpy.linalg.solve differ by ~1e-13 here (well conditioned).
        const r = solve(fn);
        expect([r.decoders.rows, r.decoders.cols]).toEqual(f.decoders.shape);
        expect(relErr(r.decoders.data, f.decoders.data)).toBeLessThanOrEqual(1e-8);
      });

      it("rmses per element within rel 1e-8", () => {
        const r = solve(fn);
        const ref: number[] = f.rmses.data;
        expect(r.rmses.length).toBe(ref.length);
        ref.forEach((v, i) => expect(Math.abs(r.rmses[i] - v)).toBeLessThanOrEqual(1e-8 * Math.abs(v)));
      });

      it("decoded_at_eval_points = A·D within abs 1e-8", () => {
        const decoded = matmul(A, solve(fn).decoders);
        expect(absErr(decoded.data, f.decoded_at_eval_points.data)).toBeLessThanOrEqual(1e-8);
      });
    });

    if (c.transform_connection) {
      it("transform_connection.weights = T·Dᵀ within rel 1e-8", () => {
        const tc = c.transform_connection;
        const W = matmul(toMat(tc.transform), transpose(solve(tc.function).decoders));
        expect([W.rows, W.cols]).toEqual(tc.weights.shape);
        expect(relErr(W.data, tc.weights.data)).toBeLessThanOrEqual(1e-8);
      });
    }
  });

  it("full_weight_matrix.weights = (gain/radius ⊙ E_post)·T·Dᵀ within rel 1e-8", () => {
    // n50_d2 → n100_d1 computing x0·x1 with LstsqL2(weights=True): the decoders are solved as
    // usual and the post gain enters once, through the scaled encoders (§3).
    const fw = fixture.full_weight_matrix;
    const pre = cases.find((c) => c.name === fw.pre);
    const post = cases.find((c) => c.name === fw.post);
    const { A, P } = build(pre);
    const D = solveLstsqL2(A, targets(fw.function, P), fw.solver.reg).decoders;
    const E = toMat(post.encoders);
    const gain = toF64(post.gain);
    const S = mat(E.rows, E.cols);
    for (let i = 0; i < E.rows; i++) {
      for (let j = 0; j < E.cols; j++) S.data[i * E.cols + j] = (gain[i] / post.radius) * E.data[i * E.cols + j];
    }
    expect(relErr(S.data, fw.post_scaled_encoders.data)).toBeLessThanOrEqual(1e-12);
    const T = mat(1, 1, [1]); // the connection's transform is the default scalar 1
    const W = matmul(matmul(S, T), transpose(D));
    expect([W.rows, W.cols]).toEqual(fw.weights.shape);
    expect(relErr(W.data, fw.weights.data)).toBeLessThanOrEqual(1e-8);
  });
});

describe("solveLstsqL2 beyond the fixture", () => {
  function lcg(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("throws SolverError 'activities matrix is all zero' when no eval point drives any neuron", () => {
    // Nengo fails the build here; σ would be 0 and the Gram system singular.
    const run = (): unknown => solveLstsqL2(mat(5, 3), mat(5, 1, [1, 2, 3, 4, 5]), 0.1);
    expect(run).toThrow(SolverError);
    expect(run).toThrow("activities matrix is all zero");
  });

  it("both Gram forms (m = n ± 1) satisfy the normal equations (AᵀA + λI)·D = AᵀY to 1e-10 relative", () => {
    // Both are exact solutions of the same regularized problem; only the factored system differs.
    const next = lcg(7);
    const n = 30;
    for (const m of [n - 1, n + 1]) {
      const A = mat(m, n);
      for (let i = 0; i < A.data.length; i++) A.data[i] = next() < 0.4 ? 0 : 400 * next();
      const Y = mat(m, 2);
      for (let i = 0; i < Y.data.length; i++) Y.data[i] = 2 * next() - 1;
      const r = solveLstsqL2(A, Y, 0.1);
      expect(r.form).toBe(m >= n ? "AtA" : "AAt");
      // Reference: the normal equations (AᵀA + λI)D = AᵀY solved by plain Gaussian elimination.
      const G = matmul(transpose(A), A);
      for (let i = 0; i < n; i++) G.data[i * n + i] += r.lambda;
      const residual = matmul(G, r.decoders);
      const rhs = matmul(transpose(A), Y);
      expect(relErr(residual.data, rhs.data)).toBeLessThanOrEqual(1e-10);
    }
  });
});
