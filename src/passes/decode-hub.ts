/**
 * Decode hubs: the per-dimension LMU layout (expand-lmu) runs its recurrence through two
 * passthrough nodes, `out` (the LMU's id; ensemble i → out[i], no synapse) and `in`
 * (`<id>.in`; A'·out + B'·u with the LMU's synapse → every ensemble, no synapse). Left on the
 * host, the state travels chip → host → chip every step. A hub keeps the recurrence on chip:
 *
 * - `in` is folded into its consumers: each (into `in`) ∘ (out of `in`) pair becomes one
 *   connection with the first's synapse, exact because the second has none;
 * - `out` becomes sigma-delta decode blocks (decode-neurons.ts; one per chunk of input axons)
 *   that every ensemble of the LMU feeds and that feed every ensemble through A';
 * - the recurrence is corrected for the chip's current pole and the hub's extra step
 *   (pole-correction.ts), as lower.ts does for a self-connection.
 *
 * The host keeps computing `out` from chip spikes for probes and host consumers.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { BuiltConnection, BuiltEnsemble, BuiltNetwork } from "../ir/built.js";
import type { HwBlock, HwGroup } from "../ir/hw.js";
import { mat, matmul, type Mat } from "../math/matrix.js";
import { correctRecurrence } from "./pole-correction.js";
import type { Target } from "../target/types.js";
import { addDecodeInput, DECODE_LEVELS, decodeCompartment, decodeOutputWeights, decodeQuanta, hubPathPolicy, rowBits, sigmaDeltaBlock, type DecodeCalibration, type DecodeNeuronsMode } from "./decode-neurons.js";

export interface HubPlan {
  /** The LMU's output node (its id is the LMU's). */
  readonly node: string;
  readonly rows: number;
  /** Per chunk (decode block): the chip → node connections whose sum it carries. */
  readonly chunks: readonly (readonly string[])[];
  /** Synapse of the recurrence (the filter calibration measures the carried value through). */
  readonly tauSeconds: number;
}

export interface HubChoice {
  readonly node: string;
  readonly path: "chip" | "host";
  readonly why: string;
  /** Estimated synapse bits of the hub (inputs, feedback, outputs). */
  readonly hubBits: number;
  readonly decodeBlocks?: number;
  readonly decodeCompartments?: number;
}

const isOnChip = (e: BuiltEnsemble | undefined): e is BuiltEnsemble => e !== undefined && (e.neuron.type === "lif" || e.neuron.type === "spiking-relu");

/** Per index of `in`, the rows of c1 that write it (ascending): c1's scatter, kept per connection (every ensemble of an LMU reads one index). */
const writersCache = new WeakMap<BuiltConnection, Int32Array[]>();
function writersOf(c1: BuiltConnection, size: number): Int32Array[] {
  let w = writersCache.get(c1);
  if (!w) {
    const lists: number[][] = Array.from({ length: size }, () => []);
    c1.target.indices.forEach((t, p) => lists[t].push(p));
    writersCache.set(c1, (w = lists.map((l) => Int32Array.from(l))));
  }
  return w;
}

/**
 * out[t1] ← W1·x then y ← W2·in[s2]: the composed weights W2·(scatter of W1 by t1, gathered by
 * s2). Only the gathered rows of the scatter are formed (each the sum of the rows of W1 written
 * to it, added from zero in row order, as the whole scatter adds them): psMNIST composes 512
 * pairs, each gathering 1 of 256 rows.
 */
function compose(c1: BuiltConnection, c2: BuiltConnection, size: number): Mat {
  const W1 = c1.weights, W2 = c2.weights, cols = W1.cols;
  const writers = writersOf(c1, size);
  const G = mat(c2.source.indices.length, cols);
  c2.source.indices.forEach((s, q) => {
    for (const p of writers[s]) for (let k = 0; k < cols; k++) G.data[q * cols + k] += W1.data[p * cols + k];
  });
  return matmul(W2, G);
}

/**
 * Chunks (decode blocks) of a hub: one, unless some hub row's fan-in (the neurons of every feed
 * into it) exceeds a core's input axons; then chunks of whole feeds, each within a core's input
 * axons, whose partial sums the targets add. The per-dimension layout feeds each row from one
 * ensemble, so its hub is always one block (two chunks would double every output synapse).
 */
function hubChunks(feeds: readonly BuiltConnection[], rows: number, axons: number): string[][] {
  const fanIn = new Float64Array(rows);
  for (const c of feeds) for (const r of c.target.indices) fanIn[r] += c.source.indices.length;
  if (Math.max(0, ...fanIn) <= axons) return [feeds.map((c) => c.id)];
  const chunks: string[][] = [];
  let load = Infinity;
  for (const c of feeds) {
    const n = c.source.indices.length;
    if (load + n > axons) {
      chunks.push([]);
      load = 0;
    }
    chunks[chunks.length - 1].push(c.id);
    load += n;
  }
  return chunks;
}

/**
 * Which per-dimension LMUs keep their recurrence on chip under `mode`, and the network with
 * their `in` nodes folded (float-exact: the float model of the result is the same network).
 */
export function planHubs(built: BuiltNetwork, target: Target, mode: DecodeNeuronsMode): { built: BuiltNetwork; plans: HubPlan[]; choices: HubChoice[] } {
  const plans: HubPlan[] = [];
  const choices: HubChoice[] = [];
  if (mode === "never") return { built, plans, choices };
  const ens = new Map(built.ensembles.map((e) => [e.id, e]));
  let connections = [...built.connections];
  const axons = target.limits.inputAxonsPerCore;
  for (const out of built.nodes) {
    if (out.role !== "lmu-output" || out.output.kind !== "passthrough") continue;
    const inNode = built.nodes.find((n) => n.id === `${out.id}.in` && n.role === "lmu-input" && n.output.kind === "passthrough");
    if (!inNode) continue;
    const feeds = connections.filter((c) => c.target.kind === "node" && c.target.id === out.id);
    const intoIn = connections.filter((c) => c.target.kind === "node" && c.target.id === inNode.id);
    const fromIn = connections.filter((c) => c.source.kind === "node" && c.source.id === inNode.id);
    const recurrent = intoIn.find((c) => c.source.kind === "node" && c.source.id === out.id);
    const ok =
      recurrent !== undefined && recurrent.synapse.kind === "lowpass" &&
      feeds.length > 0 && feeds.every((c) => c.source.kind === "neurons" && isOnChip(ens.get(c.source.id)) && c.decoders !== undefined && c.synapse.kind === "none") &&
      fromIn.length > 0 && fromIn.every((c) => c.synapse.kind === "none" && c.source.kind === "node" && c.source.fn.kind === "identity" && c.target.kind !== "node" && isOnChip(ens.get(c.target.id))) &&
      !built.probes.some((p) => p.target.kind === "node" && p.target.id === inNode.id);
    if (!ok) continue;
    const rows = out.sizeOut;
    const nDec = 2 * rows * DECODE_LEVELS;
    const chunks = hubChunks(feeds, rows, axons);
    // Consumers of the LMU's output outside it (a readout into hidden units) read the hub too.
    const consumers = connections.filter((c) => c.source.kind === "node" && c.source.id === out.id && c.target.kind !== "node" && isOnChip(ens.get(c.target.id)));
    const posts = [...new Set([...fromIn, ...consumers].map((c) => c.target.id))].map((id) => ens.get(id)!);
    // Per hub row, its on levels share one input axon and stored row, its off levels another
    // (passes/share-rows.ts): 2 rows per hub row into every post, and 2 of 2·L entries as feedback.
    const postBits = rowBits(posts.reduce((s, e) => s + e.nNeurons, 0), target);
    const hubBits = feeds.reduce((s, c) => s + c.source.indices.length * rowBits(2 * DECODE_LEVELS * c.target.indices.length, target), 0) + chunks.length * 2 * rows * (rowBits(2 * DECODE_LEVELS, target) + postBits);
    const { path, why } = hubPathPolicy(mode, hubBits, chunks.length * nDec, target);
    if (path === "host") {
      choices.push({ node: out.id, path, why, hubBits });
      continue;
    }
    choices.push({ node: out.id, path, why, hubBits, decodeBlocks: chunks.length, decodeCompartments: chunks.length * nDec });
    plans.push({ node: out.id, rows, chunks, tauSeconds: recurrent.synapse.kind === "lowpass" ? recurrent.synapse.tauSeconds : 0 });
    const composites: BuiltConnection[] = [];
    for (const c2 of fromIn) {
      for (const c1 of intoIn) {
        composites.push({ id: `${c1.id}+${c2.id}`, source: c1.source, target: c2.target, weights: compose(c1, c2, inNode.sizeOut), synapse: c1.synapse, ...(c1.origin ? { origin: c1.origin } : {}) });
      }
    }
    const gone = new Set([...intoIn, ...fromIn].map((c) => c.id));
    connections = [...connections.filter((c) => !gone.has(c.id)), ...composites];
  }
  return { built: plans.length ? { ...built, connections } : built, plans, choices };
}

/** The hub's recurrent connections (out → ensemble) and, per ensemble, the state row it represents. */
function hubStructure(plan: HubPlan, connections: readonly BuiltConnection[]): { feeds: BuiltConnection[]; recurrent: BuiltConnection[]; rowOfEnsemble: Map<string, number> } | undefined {
  const feeds = connections.filter((c) => c.target.kind === "node" && c.target.id === plan.node);
  const rowOfEnsemble = new Map<string, number>();
  for (const c of feeds) {
    // One state row per 1-D ensemble through an identity transform: the layout expand-lmu builds.
    if (c.target.indices.length !== 1 || c.transform?.rows !== 1 || c.transform.cols !== 1 || c.transform.data[0] !== 1) return undefined;
    rowOfEnsemble.set(c.source.id, c.target.indices[0]);
  }
  // Connections from the output into other ensembles (a readout) only read the hub: not the recurrence.
  const recurrent = connections.filter((c) => c.source.kind === "node" && c.source.id === plan.node && c.target.kind !== "node" && rowOfEnsemble.has(c.target.id));
  if (!recurrent.every((c) => c.target.indices.length === 1 && rowOfEnsemble.has(c.target.id))) return undefined;
  return { feeds, recurrent, rowOfEnsemble };
}

/**
 * Corrects a hub's recurrence for the chip's current pole k and the hub's extra step (see the
 * module comment). `nodePeaks`: calibrated per-row peaks of host → chip connections, updated for
 * the inputs this mixes. Returns the connections with corrected weights.
 */
export function correctHub(plan: HubPlan, connections: readonly BuiltConnection[], dt: number, nodePeaks: Map<string, Float64Array>): BuiltConnection[] {
  const s = hubStructure(plan, connections);
  if (!s || plan.tauSeconds <= 0) return [...connections];
  const d = plan.rows;
  // A' over the state rows: row j from the recurrent connection into ensemble j.
  const A = mat(d, d);
  for (const c of s.recurrent) {
    const j = s.rowOfEnsemble.get(c.target.id)!;
    c.source.indices.forEach((col, q) => (A.data[j * d + col] += c.weights.data[q]));
  }
  const { Tc, G, g } = correctRecurrence(A, plan.tauSeconds, dt, true);
  const out = connections.map((c) => {
    if (!s.recurrent.includes(c)) return c;
    const j = s.rowOfEnsemble.get(c.target.id)!;
    return { ...c, weights: mat(1, c.weights.cols, Float64Array.from(c.source.indices, (col) => Tc.data[j * d + col])) };
  });
  // Other inputs into the ensembles: B_c = G·B mixes rows across ensembles, which needs them to
  // come from one source, one input per ensemble; otherwise each is only scaled by g.
  const inputs = out.filter((c) => c.target.kind !== "node" && s.rowOfEnsemble.has(c.target.id) && c.source.kind === "node" && c.source.id !== plan.node);
  const source = inputs.length > 0 ? JSON.stringify(inputs[0].source) : "";
  const mixable = inputs.every((c) => JSON.stringify(c.source) === source && c.weights.rows === 1 && c.target.indices.length === 1) && new Set(inputs.map((c) => c.target.id)).size === inputs.length;
  const replaced = new Map<string, BuiltConnection>();
  const peakBefore = new Map(inputs.map((c) => [c.id, nodePeaks.get(c.id)?.[0] ?? 0]));
  for (const c of inputs) {
    const j = s.rowOfEnsemble.get(c.target.id)!;
    const cols = c.weights.cols;
    const w = new Float64Array(cols);
    const peak = new Float64Array(1);
    if (mixable) {
      for (const x of inputs) {
        const m = G.data[j * d + s.rowOfEnsemble.get(x.target.id)!];
        for (let col = 0; col < cols; col++) w[col] += m * x.weights.data[col];
        peak[0] += Math.abs(m) * peakBefore.get(x.id)!;
      }
    } else {
      for (let col = 0; col < cols; col++) w[col] = g * c.weights.data[col];
      peak[0] = g * peakBefore.get(c.id)!;
    }
    replaced.set(c.id, { ...c, weights: mat(1, cols, w) });
    nodePeaks.set(c.id, peak);
  }
  return out.map((c) => replaced.get(c.id) ?? c);
}

/**
 * Quanta of a hub's rows. Each row carries its ensemble's decoded value as it arrives, spike noise
 * and all, and every quantum it sends reaches every post of the LMU (257 × 20 neurons in
 * psMNIST): spikes are what the hub costs. Where the ensemble's own spike noise, after the
 * recurrence's synapse τ, already exceeds the row's filtered peak (rmsStep·√(dt/2τ) ≥ peak: a
 * row below its noise floor, as most of psMNIST's 20-neuron dimensions are), the quantum may
 * add as much noise again: a sigma-delta's error is at most ±Q/2, RMS Q/√12, so Q = √12·rmsStep.
 * Rows above their noise floor (all of lmu-steps') keep decodeQuanta.
 */
export function hubQuanta(cal: DecodeCalibration, chunk: number, tauSeconds: number, dtSeconds: number): Float64Array {
  const q = decodeQuanta(cal, chunk);
  if (tauSeconds <= 0) return q;
  const filter = Math.sqrt(dtSeconds / (2 * tauSeconds));
  return q.map((x, r) => {
    const rms = cal.rmsStep[chunk][r];
    return rms * filter >= cal.peakFiltered[chunk][r] ? Math.max(x, Math.sqrt(12) * rms) : x;
  });
}

/**
 * An ensemble's input to a hub (value·step per spike ÷ quantum, addDecodeInput) as the window of
 * hub compartments its rows' levels occupy: a per-dimension ensemble reaches 2·L of them.
 */
function hubInputWeights(c: BuiltConnection, nNeurons: number, spike: number, quantum: Float64Array): { weights: Mat; postStart: number } {
  const W = c.weights;
  let lo = Infinity, hi = -Infinity;
  for (const r of c.target.indices) {
    lo = Math.min(lo, decodeCompartment(r, 0));
    for (let l = 0; l < DECODE_LEVELS; l++) hi = Math.max(hi, decodeCompartment(r, l) + 1);
  }
  const width = Math.max(0, hi - lo + 1), start = width > 0 ? lo : 0;
  const win = mat(nNeurons, width);
  // The window holds the same sums addDecodeInput adds into the whole hub, shifted by its start.
  c.target.indices.forEach((r, p) => c.source.indices.forEach((n, col) => addDecodeInput(win, n, r, W.data[p * W.cols + col] * spike, quantum, start)));
  return { weights: win, postStart: start };
}

/**
 * The hub's blocks and groups: per chunk one sigma-delta block fed by its ensembles (value·step
 * per spike ÷ quantum) and feeding every recurrent connection's ensemble (± quantum through A').
 */
export function lowerHub(
  plan: HubPlan, connections: readonly BuiltConnection[], ensById: ReadonlyMap<string, BuiltEnsemble>, cal: DecodeCalibration, dtSeconds: number,
  valueWeight: (c: BuiltConnection, post: BuiltEnsemble) => (i: number, r: number) => number, origin: { origin?: SourceLocation },
): { blocks: HwBlock[]; groups: HwGroup[] } {
  const L = DECODE_LEVELS;
  const rows = plan.rows;
  const nDec = 2 * rows * L;
  const byId = new Map(connections.map((c) => [c.id, c]));
  const recurrent = connections.filter((c) => c.source.kind === "node" && c.source.id === plan.node && c.target.kind !== "node");
  const blocks: HwBlock[] = [];
  const groups: HwGroup[] = [];
  plan.chunks.forEach((chunk, m) => {
    const id = plan.chunks.length === 1 ? `${plan.node}/hub` : `${plan.node}/hub${m}`;
    const quantum = hubQuanta(cal, m, plan.tauSeconds, dtSeconds);
    // The feedback belongs to the recurrence as a whole: reports name it by the connection into the LMU's input node.
    const { block, feedback } = sigmaDeltaBlock(id, rows, quantum, cal, m, dtSeconds, recurrent.length ? [recurrent[0].id.split("+")[0]] : [plan.node], origin);
    blocks.push(block);
    groups.push(feedback);
    for (const cid of chunk) {
      const c = byId.get(cid)!;
      const pre = ensById.get(c.source.id)!;
      const spike = pre.neuron.amplitude / dtSeconds;
      groups.push({ id: `${id}:${c.id}`, pre: { kind: "block", block: pre.id }, post: id, ...hubInputWeights(c, pre.nNeurons, spike, quantum), connections: [c.id], ...origin });
    }
    for (const c of recurrent) {
      const post = ensById.get(c.target.id)!;
      const tw = valueWeight(c, post);
      // Row r of the hub reaches post compartment i through Σ_r2 tw(i, r2)·W[r2][r]; tw and the
      // column of each row are tabulated once (the same products, summed in the same order), as
      // decodeOutputWeights asks for every (row, post compartment) pair.
      const W = c.weights, rows2 = W.rows;
      const colOf = new Int32Array(Math.max(rows, ...c.source.indices.map((r) => r + 1))).fill(-1);
      c.source.indices.forEach((r, q) => (colOf[r] = q));
      const twOf = new Float64Array(post.nNeurons * rows2);
      for (let i = 0; i < post.nNeurons; i++) for (let r2 = 0; r2 < rows2; r2++) twOf[i * rows2 + r2] = tw(i, r2);
      const weight = (i: number, r: number): number => {
        const q = r < colOf.length ? colOf[r] : -1;
        if (q < 0) return 0;
        let w = 0;
        for (let r2 = 0; r2 < rows2; r2++) w += twOf[i * rows2 + r2] * W.data[r2 * W.cols + q];
        return w;
      };
      groups.push({ id: `${id}:${c.id}`, pre: { kind: "block", block: id }, post: post.id, ...decodeOutputWeights(rows, post.nNeurons, quantum, weight), connections: [c.id], ...origin });
    }
  });
  return { blocks, groups };
}
