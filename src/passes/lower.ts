/**
 * lower: BuiltNetwork → HwNetwork. Spiking ensembles become chip blocks; connections between
 * them become neuron-to-neuron weight groups; connections from host nodes into the chip go
 * through on/off spike encoders run on the host; connections and probes that read chip
 * ensembles are computed on the host from the chip's spikes. Nodes (and ideal LMUs) stay on the
 * host and are reported as such.
 */
import { diag, DiagnosticError, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
import { asExternal, type BuiltConnection, type BuiltEnsemble, type BuiltNetwork } from "../ir/built.js";
import type { HwBlock, HwGroup, HwInput, HwNetwork } from "../ir/hw.js";
import { mat, matmul, type Mat } from "../math/matrix.js";
import { gemm, rowMajor, transposed } from "../math/blas.js";
import type { Calibration } from "./calibrate.js";
import { checkHardware } from "./hardware-checks.js";
import { correctHub, lowerHub, type HubPlan } from "./decode-hub.js";
import { lowerDecoded, withDecodeHeadroom, type DecodePlan } from "./decode-neurons.js";
import { correctRecurrence } from "./pole-correction.js";
import { rowWindows, stored, type WindowedWeights } from "./row-windows.js";

/** Spike-rate ceiling of the host on/off encoders: one spike per step each (hardware-model §5.12). */
const ENCODER_HEADROOM = 1.1;
/**
 * The same for encoders into an ensemble a learned connection reads: learning runs are long, and
 * their inputs exceed the short calibration run's peaks; a saturating encoder then distorts the
 * representation the readout learns from (lmu-delay-pes, 100 s, last 20 s: NRMSE 0.420 with 1.1,
 * 0.350 with 2; float 0.313).
 */
const ENCODER_HEADROOM_LEARNED = 2;

function blockOf(e: BuiltEnsemble, dtSeconds: number, tauU: number, cal: Calibration): HwBlock {
  const m = e.neuron;
  // δu: the synapse's exact ZOH decay; a connection without synapse still takes one step on chip.
  const decayU = tauU > 0 ? -Math.expm1(-dtSeconds / tauU) : 1;
  const common = { id: e.id, n: e.nNeurons, decayU, bias: e.bias, uPeak: cal.maxInputCurrent.get(e.id) ?? new Float64Array(e.nNeurons), ratesHz: cal.ratesHz.get(e.id)!, ...(e.origin ? { origin: e.origin } : {}) };
  if (m.type === "lif") {
    return { ...common, neuron: "lif", decayV: -Math.expm1(-dtSeconds / m.tauRcSeconds), vth: 1, refractDelay: Math.round(m.tauRefSeconds / dtSeconds) + 1, vmin: m.minVoltage };
  }
  // Spiking ReLU: v += J·dt, spike at 1, is v' += J, spike at 1/dt with perfect integration.
  return { ...common, neuron: "if", decayV: 0, vth: 1 / dtSeconds, refractDelay: 1, vmin: 0 };
}

/**
 * Per-spike weights (nPre × nPost, q units) of a connection from chip neurons into a chip block.
 * A spike is amplitude/dt in Nengo, so every weight carries amplitude/dt.
 */
function neuronWeights(c: BuiltConnection, pre: BuiltEnsemble, post: BuiltEnsemble, dtSeconds: number): Mat {
  const W = c.weights;
  const out = mat(pre.nNeurons, post.nNeurons);
  const spike = pre.neuron.amplitude / dtSeconds;
  const src = c.source.indices;
  const t = c.target;
  if (t.kind === "neurons") {
    for (let r = 0; r < t.indices.length; r++) {
      const i = t.indices[r];
      const g = t.gainScaled ? post.gain[i] : 1;
      for (let k = 0; k < src.length; k++) out.data[src[k] * post.nNeurons + i] += g * W.data[r * W.cols + k] * spike;
    }
    return out;
  }
  // Decoded into the value: J_i += (gain_i/radius)·e_i[t_r]·(W·a)_r.
  const d = post.dimensions;
  if (new Set(src).size === src.length) {
    // The same sums (over r, in order) as the loop below, as one product Wᵀ·E on the SIMD
    // kernel: the loop below strides through `out` and was most of psMNIST's compile time.
    const e = new Float64Array(t.indices.length * post.nNeurons);
    for (let i = 0; i < post.nNeurons; i++) {
      const g = post.gain[i] / post.radius;
      for (let r = 0; r < t.indices.length; r++) e[r * post.nNeurons + i] = post.encoders.data[i * d + t.indices[r]] * g * spike;
    }
    const byRow = new Float64Array(src.length * post.nNeurons);
    gemm(src.length, post.nNeurons, t.indices.length, transposed(rowMajor(W.data, W.cols)), rowMajor(e, post.nNeurons), byRow, 0, post.nNeurons);
    for (let k = 0; k < src.length; k++) out.data.set(byRow.subarray(k * post.nNeurons, (k + 1) * post.nNeurons), src[k] * post.nNeurons);
    return out;
  }
  for (let i = 0; i < post.nNeurons; i++) {
    const g = post.gain[i] / post.radius;
    for (let r = 0; r < t.indices.length; r++) {
      const e = post.encoders.data[i * d + t.indices[r]] * g * spike;
      if (e === 0) continue;
      for (let k = 0; k < src.length; k++) out.data[src[k] * post.nNeurons + i] += e * W.data[r * W.cols + k];
    }
  }
  return out;
}

/**
 * Weights from an on/off encoder (2 channels per row of the connection, each row its own full
 * scale) into a chip block: a row reaches the posts its encoders give it (windows when those are
 * a few neighbours: a per-dimension ensemble's own neurons, or one neuron).
 */
function encoderWeights(c: BuiltConnection, post: BuiltEnsemble, rowScale: Float64Array): WindowedWeights {
  const rows = c.weights.rows, nPost = post.nNeurons;
  const t = c.target;
  const first = new Int32Array(2 * rows), last = new Int32Array(2 * rows);
  const values = t.kind === "neurons" ? undefined : new Float64Array(rows * nPost);
  for (let r = 0; r < rows; r++) {
    let lo: number, hi: number;
    if (t.kind === "neurons") lo = hi = t.indices[r];
    else {
      const d = post.dimensions;
      [lo, hi] = [nPost, -1];
      for (let i = 0; i < nPost; i++) {
        const w = (post.gain[i] / post.radius) * post.encoders.data[i * d + t.indices[r]] * rowScale[r];
        values![r * nPost + i] = w;
        if (w === 0) continue;
        if (lo === nPost) lo = i;
        hi = i;
      }
    }
    first[2 * r] = first[2 * r + 1] = lo;
    last[2 * r] = last[2 * r + 1] = hi;
  }
  const out = rowWindows(first, last, nPost), data = out.weights.data, at = out.indexOf;
  for (let r = 0; r < rows; r++) {
    if (t.kind === "neurons") {
      const i = t.indices[r];
      const w = (t.gainScaled ? post.gain[i] : 1) * rowScale[r];
      data[at(2 * r, i)] = w;
      data[at(2 * r + 1, i)] = -w;
    } else {
      for (let i = first[2 * r]; i <= last[2 * r]; i++) {
        const w = values![r * nPost + i];
        data[at(2 * r, i)] = w;
        data[at(2 * r + 1, i)] = -w;
      }
    }
  }
  return stored(out);
}

/**
 * The host side of an encoder: a Nengo spiking-ReLU ensemble of on/off pairs with gain = bias =
 * 0.5/dt, so the on neuron of value x fires (1 + x)/2 spikes per step and the off neuron
 * (1 − x)/2: their difference carries x ∈ [−1, 1] (x = value / scale).
 */
function encoderEnsemble(id: string, rows: number, dtSeconds: number, origin: SourceLocation | undefined): BuiltEnsemble {
  const n = 2 * rows;
  const encoders = mat(n, rows);
  for (let r = 0; r < rows; r++) {
    encoders.data[2 * r * rows + r] = 1;
    encoders.data[(2 * r + 1) * rows + r] = -1;
  }
  return {
    id, nNeurons: n, dimensions: rows, neuron: { type: "spiking-relu", amplitude: 1 }, radius: 1,
    gain: new Float64Array(n).fill(0.5 / dtSeconds), bias: new Float64Array(n).fill(0.5 / dtSeconds),
    encoders, evalPoints: mat(0, rows), initialVoltage: new Float64Array(n), role: "encoder", ...(origin ? { origin } : {}),
  };
}

/** The q one unit of value in row r of a chip → chip connection adds to post compartment i. */
function valueWeight(c: BuiltConnection, post: BuiltEnsemble): (i: number, r: number) => number {
  const t = c.target;
  if (t.kind === "neurons") return (i, r) => (t.indices[r] === i ? (t.gainScaled ? post.gain[i] : 1) : 0);
  const d = post.dimensions;
  return (i, r) => (post.gain[i] / post.radius) * post.encoders.data[i * d + t.indices[r]];
}

/**
 * Self-recurrent identity connections corrected for the chip's current pole, and for the extra
 * step when they run through decode neurons (`delayed`), with their block's other inputs
 * (pole-correction.ts). `rowMix`: inputs whose rows the correction mixed (row peaks follow them).
 */
export function correctPoles(connections: readonly BuiltConnection[], ensById: Map<string, BuiltEnsemble>, dt: number, delayed: ReadonlySet<string>): { connections: BuiltConnection[]; rowMix: Map<string, Mat> } {
  const out = [...connections];
  const rowMix = new Map<string, Mat>();
  for (const [id, e] of ensById) {
    const rec = out.findIndex((c) => c.source.kind === "neurons" && c.source.id === id && c.target.kind === "ensemble" && c.target.id === id && c.decoders && c.transform && c.solve?.function === "identity" && c.synapse.kind === "lowpass" && c.synapse.tauSeconds > 0 && c.target.indices.length === e.dimensions && c.decoders.cols === e.dimensions);
    if (rec < 0) continue;
    const r = out[rec];
    const tau = (r.synapse as { tauSeconds: number }).tauSeconds;
    const D = r.decoders!;
    const d = e.dimensions;
    const rowOf = r.target.indices;
    // The transform over the ensemble's dimensions (its rows are in target-index order).
    const T = mat(d, d);
    rowOf.forEach((t, row) => T.data.set(r.transform!.data.subarray(row * d, (row + 1) * d), t * d));
    const isDelayed = delayed.has(r.id);
    const { Tc, G, g } = correctRecurrence(T, tau, dt, isDelayed);
    // W[row][i] = Σ_j Tc[rowOf[row]][j]·D[i][j], summed from 0 in j order (gemm's order too):
    // psMNIST's 256 × 2048 × 256 products on the SIMD kernel.
    const TcRows = new Float64Array(d * d);
    rowOf.forEach((t, row) => TcRows.set(Tc.data.subarray(t * d, (t + 1) * d), row * d));
    const W = mat(d, D.rows);
    gemm(d, D.rows, d, rowMajor(TcRows, d), transposed(rowMajor(D.data, d)), W.data, 0, D.rows, 1, true);
    out[rec] = { ...r, weights: W };
    out.forEach((x, xi) => {
      if (xi === rec || x.target.kind === "node" || x.target.id !== id) return;
      // Inputs through decode neurons keep their rows (their calibration is per row): gain only.
      if (!isDelayed || x.target.kind === "neurons" || delayed.has(x.id)) {
        out[xi] = { ...x, weights: mat(x.weights.rows, x.weights.cols, x.weights.data.map((w) => w * g)) };
        return;
      }
      // G = g·(I + M − k·I) mixes dimensions: the input now drives every dimension of the ensemble.
      const rows = x.target.indices.length;
      const mix = mat(d, rows);
      x.target.indices.forEach((t, row) => {
        for (let s = 0; s < d; s++) mix.data[s * rows + row] = G.data[s * d + t];
      });
      rowMix.set(x.id, mix);
      out[xi] = { ...x, target: { ...x.target, indices: Array.from({ length: d }, (_, s) => s) }, weights: matmul(mix, x.weights) };
    });
  }
  return { connections: out, rowMix };
}

/** Peaks of mixed rows: |Σ m·y| ≤ Σ |m|·peak. */
function mixedPeaks(peak: Float64Array, mix: Mat | undefined): Float64Array {
  if (!mix) return peak;
  const out = new Float64Array(mix.rows);
  for (let s = 0; s < mix.rows; s++) for (let row = 0; row < mix.cols; row++) out[s] += Math.abs(mix.data[s * mix.cols + row]) * peak[row];
  return out;
}

/** Connections corrected for the chip's current pole (correctPoles), and the rows it mixed. */
export interface PoleCorrection {
  readonly connections: readonly BuiltConnection[];
  readonly rowMix: ReadonlyMap<string, Mat>;
}

/**
 * `decodePlans`: decoded chip → chip connections to lower through on-chip decode neurons
 * (decode-neurons.ts) instead of neuron-to-neuron weights; `hubPlans`: per-dimension LMUs whose
 * recurrence runs through decode hubs (decode-hub.ts). `cal` must have calibrated both. `poles`:
 * built's connections as the pole-correction pass corrected them (the hubs' own correction,
 * which needs the calibrated peaks, is applied here).
 */
export function lower(built: BuiltNetwork, cal: Calibration, decodePlans: readonly DecodePlan[], hubPlans: readonly HubPlan[], poles: PoleCorrection): HwNetwork {
  const planOf = new Map(decodePlans.map((p) => [p.connection, p]));
  const dt = built.dtSeconds;
  const diagnostics: Diagnostic[] = [];
  const notes: HwNetwork["notes"][number][] = [];
  const ensById = new Map(built.ensembles.map((e) => [e.id, e]));
  const onChip = (id: string): boolean => {
    const e = ensById.get(id);
    return e !== undefined && (e.neuron.type === "lif" || e.neuron.type === "spiking-relu");
  };
  const hw = checkHardware(built);
  if (hw.diagnostics.length) throw new DiagnosticError(hw.diagnostics);
  notes.push(...hw.notes);

  const blocks = built.ensembles.map((e) => blockOf(e, dt, hw.inputTauSeconds.get(e.id) ?? 0, cal));
  const groups: HwGroup[] = [];
  const inputs: HwInput[] = [];
  const hostEnsembles: BuiltEnsemble[] = [];
  const hostConnections: BuiltConnection[] = [];
  const toHost = new Set<string>();

  const nodePeaks = new Map(cal.nodeConnectionPeak);
  let connections: readonly BuiltConnection[] = poles.connections;
  for (const plan of hubPlans) connections = correctHub(plan, connections, dt, nodePeaks);
  const hubs = new Set(hubPlans.map((p) => p.node));
  const learnedPre = new Set(built.connections.filter((c) => c.learning && c.source.kind === "neurons").map((c) => c.source.id));
  const corrected = { connections, rowMix: poles.rowMix };
  for (const c of corrected.connections) {
    const fromChip = c.source.kind === "neurons";
    const toChip = c.target.kind !== "node";
    const origin = c.origin ? { origin: c.origin } : {};
    const plan = planOf.get(c.id);
    if (toChip && c.source.kind === "node" && hubs.has(c.source.id)) {
      continue; // lowered with its hub below
    } else if (fromChip && toChip && plan) {
      const post = ensById.get(c.target.id)!;
      const d = lowerDecoded(c, ensById.get(c.source.id)!, post, plan, cal.decoded.get(c.id)!, dt, valueWeight(c, post));
      blocks.push(...d.blocks);
      groups.push(...d.groups);
    } else if (fromChip && toChip) {
      groups.push({ id: c.id, pre: { kind: "block", block: c.source.id }, post: c.target.id, weights: neuronWeights(c, ensById.get(c.source.id)!, ensById.get(c.target.id)!, dt), connections: [c.id], ...origin });
    } else if (!fromChip && toChip) {
      // Host value → spikes: each row of W·f(x) gets its own full scale (rows of an LMU's B differ
      // by 2·order − 1 times), so the encoder sees values in [−1, 1] and saturates beyond.
      const peak = mixedPeaks(nodePeaks.get(c.id)!, corrected.rowMix.get(c.id));
      const headroom = learnedPre.has(c.target.id) ? ENCODER_HEADROOM_LEARNED : ENCODER_HEADROOM;
      const rowScale = peak.map((p) => Math.max(headroom * p, 1e-9));
      const encId = `${c.id}/encoder`;
      const enc = encoderEnsemble(encId, c.weights.rows, dt, c.origin);
      hostEnsembles.push(enc);
      const W = mat(c.weights.rows, c.weights.cols, c.weights.data.map((w, k) => w / rowScale[Math.floor(k / c.weights.cols)]));
      hostConnections.push({ id: `${c.id}/encode`, source: c.source, target: { kind: "ensemble", id: encId, indices: Array.from({ length: c.weights.rows }, (_, i) => i) }, weights: W, synapse: { kind: "none" }, ...origin });
      // The encoder fires (1 ± x)/2 per step; its rate at x = 0 is what placement should expect.
      inputs.push({ id: encId, channels: enc.nNeurons, scale: rowScale, connection: c.id, ratesHz: new Float64Array(enc.nNeurons).fill(0.5 / dt), ...origin });
      groups.push({ id: `${c.id}`, pre: { kind: "input", input: encId }, post: c.target.id, ...encoderWeights(c, ensById.get(c.target.id)!, rowScale), connections: [c.id], ...origin });
    } else {
      // Read on the host: from chip spikes (external ensemble) or host to host.
      if (fromChip) toHost.add(c.source.id);
      hostConnections.push(c);
    }
  }
  for (const plan of hubPlans) {
    const node = built.nodes.find((n) => n.id === plan.node);
    const h = lowerHub(plan, corrected.connections, ensById, cal.decoded.get(plan.node)!, dt, valueWeight, node?.origin ? { origin: node.origin } : {});
    blocks.push(...h.blocks);
    groups.push(...h.groups);
  }
  for (const p of built.probes) if (p.target.kind !== "node") toHost.add(p.target.id);
  for (const id of toHost) hostEnsembles.push(asExternal(ensById.get(id)!));
  const hostNodes = built.nodes;
  for (const n of hostNodes) {
    if (n.role === "user" || n.role === "lmu-ideal" || hubs.has(n.id)) continue;
    const fed = built.connections.some((c) => c.target.kind === "node" && c.target.id === n.id && c.source.kind === "neurons");
    const feeds = built.connections.some((c) => c.source.kind === "node" && c.source.id === n.id && c.target.kind !== "node");
    if (fed && feeds) notes.push({ message: `'${n.id}' (${n.role}) runs on the host between chip ensembles: its values travel chip → host → chip, adding two steps of latency per pass`, ...(n.origin ? { origin: n.origin } : {}) });
  }
  const host: BuiltNetwork = { ...built, ensembles: hostEnsembles, connections: hostConnections, probes: built.probes };
  return { stage: "hw", name: built.name, dtSeconds: dt, blocks: withDecodeHeadroom(blocks, groups), groups, inputs, host, toHost: [...toHost], notes };
}
