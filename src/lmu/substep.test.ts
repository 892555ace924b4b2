/**
 * Presenting a sequence step for K simulator steps needs (Ak, Bk) that, applied K times with the
 * input held, give exactly one step of the stored system. Checked on the order-8 LMU's ZOH
 * matrices (θ = 16 steps) with a memory feedback B·e_m folded in, as convert-cells does:
 * Ak^K equals A and Σ Ak^k·Bk equals B to 1e-10 (measured ~1e-14).
 */
import { discretize, lmuMatrices } from "./matrices.js";
import { logm, substeps } from "./substep.js";
import { expm } from "../math/linalg.js";
import { identity, matmul, mat } from "../math/matrix.js";

const maxDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe("substeps", () => {
  const { A: Ac, B: Bc } = lmuMatrices(8, 16);
  const { Ad, Bd } = discretize(Ac, Bc, 1, "zoh");
  // A + B·e_m with a small e_m, as a trained LMU cell's memory input reads m_{t−1}.
  const A = mat(8, 8, Ad.data.map((v, k) => v + Bd.data[Math.floor(k / 8)] * 0.01 * ((k % 8) - 3.5)));

  test.each([1, 5, 20])("K = %i substeps with the input held reproduce one step", (K) => {
    const { Ak, Bk } = substeps(A, Bd, K);
    let P = identity(8);
    let S = mat(8, 1);
    for (let k = 0; k < K; k++) {
      S = { rows: 8, cols: 1, data: matmul(Ak, S).data.map((v, i) => v + Bk.data[i]) };
      P = matmul(P, Ak);
    }
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
});
