/**
 * Legendre Memory Unit matrices (Voelker, Kajić & Eliasmith 2019), their discretization and
 * the mapping onto a recurrent ensemble with a Lowpass synapse. Spec: float-semantics.md
 * §11 (discretization) and §12 (LMU).
 */
import { type Mat, identity, mat } from "../math/matrix.js";
import { expm } from "../math/linalg.js";

export type Discretization = "zoh" | "euler";
export type RecurrentMapping = "continuous" | "discrete";

function assertOrder(order: number): void {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`LMU order must be a positive integer, got ${order}`);
}

function assertPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive finite number, got ${value}`);
}

/**
 * Continuous LMU system ṁ = A m + B u of §12.1, already divided by θ. B is order×1.
 * Each entry is ((2i+1)/θ)·(±1): one rounding, so the result equals Nengo's bit for bit.
 */
export function lmuMatrices(order: number, thetaSeconds: number): { A: Mat; B: Mat } {
  assertOrder(order);
  assertPositive("thetaSeconds", thetaSeconds);
  const A = mat(order, order);
  const B = mat(order, 1);
  for (let i = 0; i < order; i++) {
    const rowScale = (2 * i + 1) / thetaSeconds;
    for (let j = 0; j < order; j++) {
      // i < j: −1; i ≥ j: (−1)^(i−j+1), i.e. −1 when i−j is even.
      const sign = i < j ? -1 : (i - j) % 2 === 0 ? -1 : 1;
      A.data[i * order + j] = rowScale * sign;
    }
    B.data[i] = rowScale * (i % 2 === 0 ? 1 : -1);
  }
  return { A, B };
}

/**
 * Stored weights are float32: rounding moves A and B by ~6e-8 relative, while a wrong θ (or
 * anything folded into A, e.g. a trained cell's B·e_m) misses by far more. The importer's θ
 * recovery and the substep split both decide "this is that LMU's ZOH step" by this bound.
 */
export const ZOH_STORAGE_MATCH = 1e-5;

/**
 * Largest |difference| between a stored one-step (A, B) and the ZOH discretization (dt = 1 step)
 * of the order-`order` LMU of θ = `thetaSteps` steps.
 */
export function lmuZohMismatch(A: { readonly data: ArrayLike<number> }, B: { readonly data: ArrayLike<number> }, order: number, thetaSteps: number): number {
  const c = lmuMatrices(order, thetaSteps);
  const { Ad, Bd } = discretize(c.A, c.B, 1, "zoh");
  let worst = 0;
  for (let i = 0; i < Ad.data.length; i++) worst = Math.max(worst, Math.abs(Ad.data[i] - A.data[i]));
  for (let i = 0; i < Bd.data.length; i++) worst = Math.max(worst, Math.abs(Bd.data[i] - B.data[i]));
  return worst;
}

/**
 * Discretize ẋ = A x + B u at step dt (§11), for the update x_{k+1} = Ad x_k + Bd u_k with u
 * held over the step. ZOH takes blocks of expm([[A, B], [0, 0]]·dt), as
 * nengo.utils.filter_design.cont2discrete does; Euler is I + dt·A, dt·B.
 */
export function discretize(A: Mat, B: Mat, dtSeconds: number, method: Discretization): { Ad: Mat; Bd: Mat } {
  if (A.rows !== A.cols) throw new RangeError(`discretize: A must be square, got ${A.rows}x${A.cols}`);
  if (B.rows !== A.rows) throw new RangeError(`discretize: B has ${B.rows} rows, expected ${A.rows}`);
  assertPositive("dtSeconds", dtSeconds);
  const n = A.rows;
  const m = B.cols;
  const Ad = mat(n, n);
  const Bd = mat(n, m);
  if (method === "zoh") {
    const size = n + m;
    const aug = mat(size, size);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) aug.data[i * size + j] = A.data[i * n + j] * dtSeconds;
      for (let j = 0; j < m; j++) aug.data[i * size + n + j] = B.data[i * m + j] * dtSeconds;
    }
    const e = expm(aug);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) Ad.data[i * n + j] = e.data[i * size + j];
      for (let j = 0; j < m; j++) Bd.data[i * m + j] = e.data[i * size + n + j];
    }
  } else if (method === "euler") {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) Ad.data[i * n + j] = (i === j ? 1 : 0) + dtSeconds * A.data[i * n + j];
      for (let j = 0; j < m; j++) Bd.data[i * m + j] = dtSeconds * B.data[i * m + j];
    }
  } else {
    throw new RangeError(`discretize: unknown method ${String(method)}`);
  }
  return { Ad, Bd };
}

/**
 * Delay readout C(r) of §12.2: C(r)·m ≈ u(t − rθ). Cᵢ(r) = Pᵢ(2r − 1), evaluated by the
 * three-term Legendre recurrence because the explicit binomial sum cancels catastrophically
 * beyond order ~30.
 */
export function legendreReadout(order: number, r: number): Float64Array {
  assertOrder(order);
  if (!(r >= 0 && r <= 1)) throw new RangeError(`legendreReadout: r must be in [0, 1], got ${r}`);
  const x = 2 * r - 1;
  const c = new Float64Array(order);
  c[0] = 1;
  if (order > 1) c[1] = x;
  for (let k = 1; k + 1 < order; k++) {
    c[k + 1] = ((2 * k + 1) * x * c[k] - k * c[k - 1]) / (k + 1);
  }
  return c;
}

/**
 * Matrices (A', B') for implementing the LMU with a recurrent connection through Lowpass(τ)
 * (§12.3). "continuous": A' = τA + I, B' = τB (standard NEF; forward Euler with step
 * τ(1 − e^{−dt/τ}) in effect). "discrete": A' = (Ad − aI)/(1 − a), B' = Bd/(1 − a) with
 * a = e^{−dt/τ}, which makes the represented state follow x_{n+1} = Ad x_n + Bd u_n exactly.
 * `discretization` picks how (Ad, Bd) are formed; the continuous mapping does not use it.
 */
export function recurrentMapping(
  order: number,
  thetaSeconds: number,
  dtSeconds: number,
  tauSeconds: number,
  mapping: RecurrentMapping,
  discretization: Discretization,
): { Arec: Mat; Bin: Mat } {
  assertPositive("tauSeconds", tauSeconds);
  assertPositive("dtSeconds", dtSeconds);
  const { A, B } = lmuMatrices(order, thetaSeconds);
  const n = order;
  if (mapping === "continuous") {
    const Arec = mat(n, n);
    const Bin = mat(n, 1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) Arec.data[i * n + j] = tauSeconds * A.data[i * n + j] + (i === j ? 1 : 0);
      Bin.data[i] = tauSeconds * B.data[i];
    }
    return { Arec, Bin };
  }
  if (mapping === "discrete") {
    const { Ad, Bd } = discretize(A, B, dtSeconds, discretization);
    const a = Math.exp(-dtSeconds / tauSeconds);
    // §12.3 defines the mapping with 1 − a. Nengo's synapse gain b (§2.1) may differ from it
    // by an ulp, which moves the represented state by ~1e-16: not worth coupling to here.
    const b = 1 - a;
    const eye = identity(n);
    const Arec = mat(n, n);
    const Bin = mat(n, 1);
    for (let i = 0; i < n * n; i++) Arec.data[i] = (Ad.data[i] - a * eye.data[i]) / b;
    for (let i = 0; i < n; i++) Bin.data[i] = Bd.data[i] / b;
    return { Arec, Bin };
  }
  throw new RangeError(`recurrentMapping: unknown mapping ${String(mapping)}`);
}
