/** Lowpass(τ) as Nengo runs it: s_n = a·s_{n−1} + b·w_n, with a, b from a ZOH discretization. */
import { expm } from "../math/linalg.js";
import { mat } from "../math/matrix.js";
import type { Synapse } from "../ir/network.js";

export interface LowpassCoefficients {
  readonly a: number;
  readonly b: number;
}

/**
 * Nengo discretizes the state space (A = −1/τ, B = 1, C = 1/τ) by ZOH through a Padé matrix
 * exponential; exp/expm1 can differ from that in the last bit, so we take the same route.
 * τ = 0 is a pure one-step delay (a = 0, b = 1).
 */
export function lowpassCoefficients(tauSeconds: number, dtSeconds: number): LowpassCoefficients {
  if (tauSeconds === 0) return { a: 0, b: 1 };
  // A network has a few time constants but psMNIST-size ones ~1000 synapses, each a matrix
  // exponential (~30 µs in a fresh process): computed once per pair.
  const key = `${tauSeconds}/${dtSeconds}`;
  let ab = known.get(key);
  if (!ab) {
    const m = expm(mat(2, 2, [(-1 / tauSeconds) * dtSeconds, 1 * dtSeconds, 0, 0]));
    ab = [m.data[0], (1 / tauSeconds) * m.data[1]];
    known.set(key, ab);
  }
  return { a: ab[0], b: ab[1] };
}

const known = new Map<string, readonly [number, number]>();

export function synapseCoefficients(s: Synapse, dtSeconds: number): LowpassCoefficients | undefined {
  return s.kind === "none" ? undefined : lowpassCoefficients(s.tauSeconds, dtSeconds);
}
