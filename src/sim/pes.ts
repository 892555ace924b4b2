/**
 * Nengo's PES rule in the float simulator (float-semantics.md §12a; the step order of
 * ../reference/README.md, net-pes-delay). Per step n, after every object has been evaluated:
 *  - the error e_n is what the error connections deliver (their synapse state from step n−1, or
 *    this step's value without a synapse), gathered before the synapses update;
 *  - the pre-synaptic filter runs in Nengo's "set" mode, so it includes this step's activity:
 *    s_pre ← a·s_pre + b·a_n;
 *  - after the connection has computed W·a_n, W ← W + outer(α·e_n, s_pre) with α = −κ·dt/n, so
 *    a spike in step n changes the weights used from step n+1 on.
 * Allocation-free: every buffer is made by `planPes`.
 */
import type { LearningRuleIR } from "../ir/network.js";
import { lowpassCoefficients } from "./synapse.js";
import type { ConnPlan, EnsPlan } from "./plan.js";

export interface PesPlan {
  readonly id: string;
  /** The learned connection; its `weights` (n × dOut, one row per pre neuron) are updated in place. */
  readonly conn: ConnPlan;
  readonly pre: EnsPlan;
  /** −κ·dt/n, computed in that order (as Nengo does). */
  readonly alpha: number;
  /** e_n, dOut entries, summed from the error connections. */
  readonly error: Float64Array;
  readonly incoming: ConnPlan[];
  /** α·e_n. */
  readonly scaledError: Float64Array;
  /** s_pre, one entry per pre neuron. */
  readonly preFiltered: Float64Array;
  readonly preHasSynapse: boolean;
  readonly preA: number;
  readonly preB: number;
}

export function planPes(conn: ConnPlan, pre: EnsPlan, rule: LearningRuleIR, dtSeconds: number): PesPlan {
  const coef = rule.preSynapse.kind === "lowpass" ? lowpassCoefficients(rule.preSynapse.tauSeconds, dtSeconds) : { a: 0, b: 1 };
  return {
    id: conn.id, conn, pre, alpha: (-rule.learningRate * dtSeconds) / pre.n,
    error: new Float64Array(conn.dOut), incoming: [], scaledError: new Float64Array(conn.dOut),
    preFiltered: new Float64Array(pre.n), preHasSynapse: rule.preSynapse.kind === "lowpass", preA: coef.a, preB: coef.b,
  };
}

/** Filters this step's pre activity and adds Δ to the weights; call after the connection's output. */
export function pesUpdate(p: PesPlan): void {
  const s = p.preFiltered, act = p.pre.output, nPre = s.length;
  if (p.preHasSynapse) {
    const a = p.preA, b = p.preB;
    for (let i = 0; i < nPre; i++) s[i] = a * s[i] + b * act[i];
  } else {
    for (let i = 0; i < nPre; i++) s[i] = act[i];
  }
  const e = p.error, ae = p.scaledError, d = e.length, alpha = p.alpha;
  let any = false;
  for (let r = 0; r < d; r++) {
    ae[r] = alpha * e[r];
    if (ae[r] !== 0) any = true;
  }
  // A zero error (learning gated off) adds ±0 everywhere: nothing to do.
  if (!any) return;
  const W = p.conn.weights;
  for (let i = 0; i < nPre; i++) {
    const si = s[i];
    if (si === 0) continue;
    const row = i * d;
    for (let r = 0; r < d; r++) W[row + r] += ae[r] * si;
  }
}
