/**
 * Presenting a sequence step for K simulator steps needs (Ak, Bk) that, applied K times with the
 * input held, give exactly one step of the stored system. Checked on the order-8 LMU's ZOH
 * matrices (θ = 16 steps) with a memory feedback B·e_m folded in, as convert-cells does:
 * Ak^K equals A and Σ Ak^k·Bk equals B to 1e-10 (measured ~1e-14).
 */
import { discretize, lmuMatrices } from "./matrices.js";
import { logm, substeps } from "./substep.js";
import { expm } from "../math/linalg.js";
import { identity, matmul, mat, type Mat } from "../math/matrix.js";

const maxDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** K substeps from m = 0 with u = 1 held: (Ak^K, the state reached), to compare with (A, B). */
function runSubsteps(Ak: Mat, Bk: Mat, K: number): { P: Mat; S: Mat } {
  const n = Ak.rows;
  let P = identity(n);
  let S = mat(n, 1);
  for (let k = 0; k < K; k++) {
    S = { rows: n, cols: 1, data: matmul(Ak, S).data.map((v, i) => v + Bk.data[i]) };
    P = matmul(P, Ak);
  }
  return { P, S };
}

describe("substeps", () => {
  const { A: Ac, B: Bc } = lmuMatrices(8, 16);
  const { Ad, Bd } = discretize(Ac, Bc, 1, "zoh");
  // A + B·e_m with a small e_m, as a trained LMU cell's memory input reads m_{t−1}.
  const A = mat(8, 8, Ad.data.map((v, k) => v + Bd.data[Math.floor(k / 8)] * 0.01 * ((k % 8) - 3.5)));

  test.each([1, 5, 20])("K = %i substeps with the input held reproduce one step", (K) => {
    const { Ak, Bk } = substeps(A, Bd, K);
    const { P, S } = runSubsteps(Ak, Bk, K);
    expect(maxDiff(P.data, A.data)).toBeLessThan(1e-10);
    expect(maxDiff(S.data, Bd.data)).toBeLessThan(1e-10);
  });

  test("logm inverts expm", () => {
    const L = logm(expm(mat(8, 8, Ac.data.map((v) => v / 16))));
    expect(maxDiff(L.data, Ac.data.map((v) => v / 16))).toBeLessThan(1e-10);
  });

  test("K must be a whole number", () => {
    expect(() => substeps(A, Bd, 2.5)).toThrow(/whole number/);
  });

  // The psMNIST shape's memory as pytorch-lmu stores it: order 256, θ 784 steps, float32. Its
  // condition number (~2.9e9, 1-norm) times float32's rounding is ~175, so the stored matrix has no
  // computable K-th root; the LMU θ names gives the exact one, within float32 storage of A
  // (measured 3.0e-8, bound 1e-6). Without the LMU, the refusal is immediate and says why.
  describe("order 256, θ 784 steps, stored in float32", () => {
    const big = lmuMatrices(256, 784);
    const step = discretize(big.A, big.B, 1, "zoh");
    const A32 = mat(256, 256, step.Ad.data.map(Math.fround));
    const B32 = mat(256, 1, step.Bd.data.map(Math.fround));

    test("its LMU gives the substeps: Ak^K = A to float32 storage, Σ Ak^k·Bk = B", () => {
      const K = 20;
      const { Ak, Bk, method } = substeps(A32, B32, K, { order: 256, thetaSteps: 784 });
      expect(method).toBe("lmu-zoh");
      const { P, S } = runSubsteps(Ak, Bk, K);
      expect(maxDiff(P.data, A32.data)).toBeLessThan(1e-6);
      expect(maxDiff(S.data, B32.data)).toBeLessThan(1e-10);
    });

    test("without a matching LMU it is refused with LMU7043 (before, minutes of square roots ended in a singular matrix)", () => {
      expect(() => substeps(A32, B32, 20, { order: 256, thetaSteps: 700 })).toThrow(/condition number 2\.\de\+9/);
    });
  });
});
