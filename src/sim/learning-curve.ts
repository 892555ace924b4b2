/**
 * Learning curves for `lmuc simulate`: how well a learned output follows its target over time.
 * The target is read from the error wiring: an error node fed by the learned connection's post
 * (transform +1) and one other object (transform −1) computes `post − target`, Nengo's PES
 * convention. When both are probed (unfiltered, every step), the curve is the NRMSE of the post's
 * probe against the target's probe per window, and "before/after" compare the run without
 * learning with the trained run over the window where learning is off (the error node's `until`
 * to the end; the last 20% when nothing gates it).
 */
import type { ConnectionIR, NetworkIR, ProbeIR } from "../ir/network.js";
import type { ProbeResult } from "./plan.js";

export interface LearningPair {
  /** The learned connection's IR id and its ends as written. */
  readonly connectionId: string;
  readonly text: string;
  readonly learningRate: number;
  readonly outputProbe: string;
  readonly targetProbe: string;
  /** Learning stops here (the error node's `until`), if it does. */
  readonly offSeconds?: number;
}

export interface LearningCurve extends LearningPair {
  readonly windowSeconds: number;
  /** NRMSE per window [k·window, (k+1)·window); the last one may be shorter. */
  readonly windows: readonly number[];
  /** Rows [afterFromRow, end): where learning is off. */
  readonly afterFromSeconds: number;
  readonly nrmseUntrained: number;
  readonly nrmseTrained: number;
}

const isScalar = (c: ConnectionIR, v: number): boolean => c.transform.kind === "scalar" && c.transform.value === v && c.fn.kind === "identity" && !c.from.indices && !c.to.indices;

function plainProbe(net: NetworkIR, id: string): ProbeIR | undefined {
  return net.probes.find((p) => p.target.id === id && p.target.part === "value" && !p.target.indices && p.synapse.kind === "none" && p.sampleEverySteps === 1);
}

/** Learned connections whose error is `post − target` with both ends probed. */
export function learningPairs(net: NetworkIR): LearningPair[] {
  const pairs: LearningPair[] = [];
  for (const e of net.errorConnections ?? []) {
    const learned = net.connections.find((c) => c.id === e.to.id);
    const errNode = net.nodes.find((n) => n.id === e.from.id);
    if (!learned?.learningRule || !errNode || !isScalar(e, 1)) continue;
    const into = net.connections.filter((c) => c.to.id === errNode.id);
    const post = into.find((c) => c.from.id === learned.to.id && isScalar(c, 1));
    const target = into.find((c) => c !== post && isScalar(c, -1));
    if (into.length !== 2 || !post || !target) continue;
    const outP = plainProbe(net, learned.to.id), targetP = plainProbe(net, target.from.id);
    if (!outP || !targetP) continue;
    pairs.push({
      connectionId: learned.id, text: `${learned.from.text} → ${learned.to.text}`, learningRate: learned.learningRule.learningRate,
      outputProbe: outP.id, targetProbe: targetP.id, ...(errNode.untilSeconds !== undefined ? { offSeconds: errNode.untilSeconds } : {}),
    });
  }
  return pairs;
}

/** The same network with nothing learned: its learned connections keep their initial decoders. */
export function untrainedTwin(net: NetworkIR): NetworkIR {
  return { ...net, name: `${net.name} (untrained)`, connections: net.connections.map(({ learningRule: _, ...c }) => c), errorConnections: [] };
}

function nrmse(y: Float64Array, ideal: Float64Array, from: number, to: number): number {
  let num = 0, den = 0;
  for (let k = from; k < to; k++) {
    num += (y[k] - ideal[k]) ** 2;
    den += ideal[k] ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : NaN;
}

/** The curve of one pair from the trained and untrained runs' probes (rows = steps). */
export function learningCurve(pair: LearningPair, trained: readonly ProbeResult[], untrained: readonly ProbeResult[], dtSeconds: number): LearningCurve | undefined {
  const get = (ps: readonly ProbeResult[], id: string) => ps.find((p) => p.id === id);
  const out = get(trained, pair.outputProbe), target = get(trained, pair.targetProbe), out0 = get(untrained, pair.outputProbe);
  if (!out || !target || !out0 || out.size !== target.size || out.rows === 0) return undefined;
  const rows = out.rows, d = out.size;
  const windowRows = Math.max(1, Math.round(rows / 10));
  const windows: number[] = [];
  for (let r = 0; r < rows; r += windowRows) windows.push(nrmse(out.data, target.data, r * d, Math.min(rows, r + windowRows) * d));
  // Row k is step k+1 at t = (k+1)·dt; the gate is off from t ≥ until.
  const offRow = pair.offSeconds !== undefined ? Math.min(rows, Math.max(0, Math.ceil(pair.offSeconds / dtSeconds - 1e-9) - 1)) : Math.floor(0.8 * rows);
  const afterFrom = offRow < rows ? offRow : Math.floor(0.8 * rows);
  return {
    ...pair, windowSeconds: windowRows * dtSeconds, windows, afterFromSeconds: afterFrom * dtSeconds,
    nrmseUntrained: nrmse(out0.data, target.data, afterFrom * d, rows * d), nrmseTrained: nrmse(out.data, target.data, afterFrom * d, rows * d),
  };
}

/** The curve as text, for `lmuc simulate`. */
export function learningCurveText(c: LearningCurve, totalSeconds: number): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : "–");
  const s = (x: number): string => String(Number(x.toFixed(3)));
  const lines = [`learning: ${c.text} (PES, rate ${c.learningRate}): NRMSE of '${c.outputProbe}' vs '${c.targetProbe}' per ${s(c.windowSeconds)} s`];
  lines.push("  window (s)      NRMSE   learning");
  c.windows.forEach((x, k) => {
    const t0 = k * c.windowSeconds, t1 = Math.min(totalSeconds, (k + 1) * c.windowSeconds);
    const on = c.offSeconds === undefined || t0 < c.offSeconds;
    lines.push(`  ${`${s(t0)}–${s(t1)}`.padEnd(14)}  ${f(x)}  ${on ? (c.offSeconds !== undefined && t1 > c.offSeconds ? "on→off" : "on") : "off"}`);
  });
  const ratio = c.nrmseTrained > 0 ? ` (${(c.nrmseUntrained / c.nrmseTrained).toFixed(1)}× lower)` : "";
  const off = c.offSeconds !== undefined && c.offSeconds < totalSeconds;
  lines.push(`  ${s(off ? c.offSeconds! : c.afterFromSeconds)}–${s(totalSeconds)} s${off ? ", learning off" : " (learning still on)"}: untrained ${f(c.nrmseUntrained)} → trained ${f(c.nrmseTrained)}${ratio}`);
  return lines.join("\n") + "\n";
}

/** The curve in the snake_case of lmuc's JSON outputs. */
export function learningCurveJson(c: LearningCurve): Record<string, unknown> {
  return {
    connection: c.connectionId, text: c.text, learning_rate: c.learningRate, output_probe: c.outputProbe, target_probe: c.targetProbe,
    ...(c.offSeconds !== undefined ? { off_seconds: c.offSeconds } : {}), window_seconds: c.windowSeconds, windows: c.windows,
    after_from_seconds: c.afterFromSeconds, nrmse_untrained: c.nrmseUntrained, nrmse_trained: c.nrmseTrained,
  };
}
