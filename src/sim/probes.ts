/**
 * Probes in the float simulator: what each kind reads, recording at step n (filtered probes
 * record their state before updating it, so they lag one step), and the results.
 */
import type { BuiltProbe } from "../ir/built.js";
import { lowpassCoefficients } from "./synapse.js";
import { idx, type EnsPlan, type NodePlan, type ProbePlan, type ProbeResult, type SpikeRecord } from "./plan.js";

export function planProbe(p: BuiltProbe, node: (id: string) => NodePlan, ensemble: (id: string) => EnsPlan, dtSeconds: number, capacityRows: number): ProbePlan {
  const coef = p.synapse.kind === "lowpass" ? lowpassCoefficients(p.synapse.tauSeconds, dtSeconds) : { a: 0, b: 1 };
  // Every plan gets every field, in one order, so `record` sees one object shape whatever the
  // kind (mixed shapes made its property loads polymorphic: 7 µs a call in a cold emulator run).
  const plan = (kind: ProbePlan["kind"], src: Float64Array, indices: Int32Array, extra: Partial<Pick<ProbePlan, "weightsT" | "ensemble" | "n" | "spikeLog" | "spikeLogLength" | "amplitudeOverDt" | "data">>): ProbePlan => ({
    probe: p, kind, src, indices, weightsT: extra.weightsT, ensemble: extra.ensemble, n: extra.n ?? 0,
    value: new Float64Array(p.size), filtered: p.synapse.kind === "lowpass", state: new Float64Array(p.size),
    a: coef.a, b: coef.b, every: p.sampleEverySteps, data: extra.data ?? new Float64Array(0), rows: 0,
    spikeLog: extra.spikeLog, spikeLogLength: extra.spikeLogLength, amplitudeOverDt: extra.amplitudeOverDt ?? 0,
  });
  const t = p.target;
  if (t.kind === "node") return plan("node", node(t.id).output, idx(t.indices), { data: new Float64Array(p.size * capacityRows) });
  const e = ensemble(t.id);
  if (t.kind === "decoded") {
    const W = t.weights;
    const weightsT = new Float64Array(W.rows * W.cols);
    for (let r = 0; r < W.rows; r++) for (let i = 0; i < W.cols; i++) weightsT[i * W.rows + r] = W.data[r * W.cols + i];
    return plan("decoded", e.output, new Int32Array(0), { weightsT, ensemble: e, n: e.n, data: new Float64Array(p.size * capacityRows) });
  }
  const indices = idx(t.indices);
  if (p.attr === "voltage") return plan("voltage", e.voltage, indices, { data: new Float64Array(p.size * capacityRows) });
  if (p.attr === "spikes") {
    // A probe of every neuron in order reads the ensemble's list of active neurons (ascending,
    // so the log is the same) instead of scanning all n each step.
    const all = indices.length === e.n && indices.every((v, i) => v === i);
    return plan("spikes", e.output, indices, { spikeLog: new Int32Array(3 * 1024), spikeLogLength: 0, amplitudeOverDt: e.neuron.amplitude / dtSeconds, ...(all ? { ensemble: e } : {}) });
  }
  return plan("neurons-output", e.output, indices, { data: new Float64Array(p.size * capacityRows) });
}

/** Records step n. */
export function record(pr: ProbePlan, n: number): void {
  const v = pr.value;
  switch (pr.kind) {
    case "spikes": {
      if (n % pr.every !== 0) return;
      const src = pr.src, ix = pr.indices;
      const row = n / pr.every - 1;
      let log = pr.spikeLog!, at = pr.spikeLogLength!;
      const e = pr.ensemble;
      const count = e !== undefined ? e.activeCount : ix.length;
      for (let k = 0; k < count; k++) {
        const i = e !== undefined ? e.active[k] : k;
        const a = src[ix[i]];
        if (a !== 0) {
          if (at + 3 > log.length) {
            const bigger = new Int32Array(log.length * 2);
            bigger.set(log);
            log = pr.spikeLog = bigger;
          }
          log[at] = row;
          log[at + 1] = i;
          log[at + 2] = Math.round(a / pr.amplitudeOverDt);
          at += 3;
        }
      }
      pr.spikeLogLength = at;
      return;
    }
    case "decoded": {
      v.fill(0);
      const a = pr.src, W = pr.weightsT!, d = v.length;
      const e = pr.ensemble!, active = e.active;
      for (let k = 0; k < e.activeCount; k++) {
        const i = active[k];
        const ai = a[i];
        for (let r = 0; r < d; r++) v[r] += W[i * d + r] * ai;
      }
      break;
    }
    default: {
      const src = pr.src, ix = pr.indices;
      for (let i = 0; i < ix.length; i++) v[i] = src[ix[i]];
    }
  }
  const take = n % pr.every === 0;
  if (pr.filtered) {
    if (take) append(pr, pr.state);
    const s = pr.state, a = pr.a, b = pr.b;
    for (let i = 0; i < s.length; i++) s[i] = a * s[i] + b * v[i];
  } else if (take) append(pr, v);
}

function append(pr: ProbePlan, v: Float64Array): void {
  const size = v.length;
  if ((pr.rows + 1) * size > pr.data.length) {
    const bigger = new Float64Array(Math.max(pr.data.length * 2, size * 16));
    bigger.set(pr.data);
    pr.data = bigger;
  }
  pr.data.set(v, pr.rows * size);
  pr.rows += 1;
}

/** The result of a probe after n steps. */
export function probeResult(pr: ProbePlan, n: number): ProbeResult {
  return {
    id: pr.probe.id,
    attr: pr.probe.attr,
    data: pr.kind === "spikes" ? new Float64Array(0) : pr.data.slice(0, pr.rows * pr.probe.size),
    rows: pr.kind === "spikes" ? Math.floor(n / pr.every) : pr.rows,
    size: pr.probe.size,
    sampleEverySteps: pr.every,
    ...(pr.spikeLog ? { spikes: spikeRecord(pr) } : {}),
  };
}

function spikeRecord(pr: ProbePlan): SpikeRecord {
  const spikeSteps: number[][] = Array.from(pr.indices, () => []);
  const spikeCounts: number[][] = Array.from(pr.indices, () => []);
  const log = pr.spikeLog!;
  for (let k = 0; k < pr.spikeLogLength!; k += 3) {
    spikeSteps[log[k + 1]].push(log[k]);
    spikeCounts[log[k + 1]].push(log[k + 2]);
  }
  return { spikeSteps, spikeCounts };
}
