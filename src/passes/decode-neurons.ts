/**
 * On-chip decode neurons (hardware-model §5.12, lmuc variant): a decoded chip → chip connection
 * c (pre P, weights W = T·Dᵀ, d_out rows) can run as
 *
 *   P spikes → decode block(s) of 2·d_out·pairs integrate-and-fire compartments → target Q
 *
 * instead of nPre × nPost neuron-to-neuron weights. Pair p of row k has an on compartment
 * (+y_k) and an off compartment (−y_k), y = W·a. The decode block has no input filter (δu = 1)
 * and no bias: v integrates the unfiltered R·y/scale_k per step (vth 1), so its spike count
 * tracks ∫y; at |y_k| = scale_k (the calibrated peak of the filtered y) each on neuron fires
 * R = 0.125 spikes per step. The input is spiky (one step's y can be many times its mean) and a
 * spike resets v to 0, losing the excess: a low R keeps that loss small (measured on lmu-memory,
 * state NRMSE vs ideal: 0.39 at R = 0.5, 0.26 at 0.25, 0.21 at 0.125, 0.24 at 0.0625). Q keeps the
 * connection's synapse, so the decode path has the same filter as the neuron path (plus one step
 * of latency). Each pair gets a slightly different gain f_p (its input weights × f_p, its output
 * weights ÷ f_p: staggered thresholds) so the pairs' rounding and phase errors do not align.
 *
 * A compartment's fan-in cannot be split across cores, so when nPre exceeds a core's input axons
 * the pre neurons are cut into chunks, each with its own decode block carrying a partial sum;
 * Q adds the partial sums.
 */
import type { BuiltConnection, BuiltEnsemble, BuiltNetwork } from "../ir/built.js";
import type { HwBlock, HwGroup } from "../ir/hw.js";
import { mat } from "../math/matrix.js";
import type { Target } from "../target/target.js";

export type DecodeNeuronsMode = "never" | "auto" | "always";
export const DECODE_NEURON_MODES: readonly DecodeNeuronsMode[] = ["never", "auto", "always"];

/** On/off pairs per decoded dimension. */
export const DECODE_PAIRS = 4;
/** Spikes per step of an on neuron at the calibrated peak |y| (see above). */
export const DECODE_PEAK_RATE = 0.125;
/** Spread of the pairs' staggered gains: f_p ∈ [1 − s/2, 1 + s/2]. */
const PAIR_STAGGER = 0.3;
/** "auto" uses decode neurons when the neuron path needs more than this many times the decode path's synapse bits. */
export const DECODE_BITS_FACTOR = 4;

export interface DecodePathChoice {
  readonly connection: string;
  readonly pre: string;
  readonly post: string;
  readonly path: "neurons" | "decode-neurons";
  readonly why: string;
  /** Estimated synapse bits (dense 8-bit rows, §3.4) of either path. */
  readonly neuronPathBits: number;
  readonly decodePathBits: number;
  /** Fan-in of the target from this connection on the neuron path. */
  readonly fanIn: number;
  /** Decode blocks (pre chunks) and compartments, when decode neurons are used. */
  readonly decodeBlocks?: number;
  readonly decodeCompartments?: number;
}

/** The plan for one connection lowered through decode neurons: chunks of source columns. */
export interface DecodePlan {
  readonly connection: string;
  /** Column indices (into c.source.indices) of each chunk. */
  readonly chunks: readonly (readonly number[])[];
}

export function pairGain(p: number, pairs: number): number {
  return 1 + PAIR_STAGGER * ((p + 0.5) / pairs - 0.5);
}

function rowBits(entries: number, target: Target): number {
  if (entries <= 0) return 0;
  const m = target.synapseMemory;
  const b = 8 + m.delayBits + m.tagBits;
  const header = m.formatIdBits + m.countBits;
  const chunk = (k: number): number => Math.ceil((k * b + header) / m.wordBits) * m.wordBits;
  const full = Math.floor(entries / m.chunkEntries);
  const rest = entries - full * m.chunkEntries;
  return full * chunk(m.chunkEntries) + (rest > 0 ? chunk(rest) : 0);
}

/** Post compartments a connection touches (neuron path) per pre neuron. */
function postFanOut(c: BuiltConnection, post: BuiltEnsemble): number {
  if (c.target.kind === "neurons") return new Set(c.target.indices).size;
  const d = post.dimensions;
  let n = 0;
  for (let i = 0; i < post.nNeurons; i++) if (c.target.indices.some((t) => post.encoders.data[i * d + t] !== 0)) n++;
  return n;
}

function isOnChip(e: BuiltEnsemble | undefined): e is BuiltEnsemble {
  return e !== undefined && (e.neuron.type === "lif" || e.neuron.type === "spiking-relu");
}

/** Which decoded chip → chip connections use decode neurons under `mode`, and why. */
export function chooseDecodePaths(built: BuiltNetwork, target: Target, mode: DecodeNeuronsMode): { choices: DecodePathChoice[]; plans: DecodePlan[] } {
  const choices: DecodePathChoice[] = [];
  const plans: DecodePlan[] = [];
  if (mode === "never") return { choices, plans };
  const ens = new Map(built.ensembles.map((e) => [e.id, e]));
  const axons = target.limits.inputAxonsPerCore;
  for (const c of built.connections) {
    if (c.source.kind !== "neurons" || c.target.kind === "node" || !c.decoders) continue;
    const pre = ens.get(c.source.id), post = ens.get(c.target.id);
    if (!isOnChip(pre) || !isOnChip(post)) continue;
    const nPre = c.source.indices.length;
    const rows = c.weights.rows;
    const nDec = 2 * rows * DECODE_PAIRS;
    const chunkCount = Math.ceil(nPre / axons);
    const chunkSize = Math.ceil(nPre / chunkCount);
    const fanOut = postFanOut(c, post);
    const neuronPathBits = nPre * rowBits(fanOut, target);
    const decodePathBits = nPre * rowBits(nDec, target) + chunkCount * nDec * rowBits(fanOut, target);
    let path: DecodePathChoice["path"], why: string;
    if (mode === "always") {
      path = "decode-neurons";
      why = "--decode-neurons always";
    } else if (nPre > axons) {
      path = "decode-neurons";
      why = `fan-in ${nPre} exceeds ${axons} input axons per core`;
    } else if (neuronPathBits > DECODE_BITS_FACTOR * decodePathBits) {
      path = "decode-neurons";
      why = `neuron-to-neuron weights need ${(neuronPathBits / decodePathBits).toFixed(1)}× the synapse memory of decode neurons`;
    } else {
      path = "neurons";
      why = `fits (fan-in ${nPre} ≤ ${axons}) and uses ${(neuronPathBits / decodePathBits).toFixed(1)}× the decode path's synapse memory (threshold ${DECODE_BITS_FACTOR}×): neuron-to-neuron is more accurate`;
    }
    const choice: DecodePathChoice = { connection: c.id, pre: pre.id, post: post.id, path, why, neuronPathBits, decodePathBits, fanIn: nPre };
    if (path === "decode-neurons") {
      const chunks: number[][] = [];
      for (let s = 0; s < nPre; s += chunkSize) chunks.push(Array.from({ length: Math.min(chunkSize, nPre - s) }, (_, k) => s + k));
      plans.push({ connection: c.id, chunks });
      choices.push({ ...choice, decodeBlocks: chunks.length, decodeCompartments: chunks.length * nDec });
    } else choices.push(choice);
  }
  return { choices, plans };
}

/** What calibration measured of a decoded connection, per chunk and row of W. */
export interface DecodeCalibration {
  /** Peak of |partial y| filtered by the connection's synapse (at least a 5 ms filter). */
  readonly peakFiltered: readonly Float64Array[];
  /** Peak of the unfiltered per-step |partial y| (what one step of the decode block's u can bring). */
  readonly peakStep: readonly Float64Array[];
  /** Mean of the filtered |partial y|. */
  readonly meanAbs: readonly Float64Array[];
}

/** Decode block ids of a plan. */
export function decodeBlockId(connection: string, chunk: number, chunks: number): string {
  return chunks === 1 ? `${connection}/decode` : `${connection}/decode${chunk}`;
}

/**
 * Blocks and groups of one connection lowered through decode neurons. `targetWeight(i, r)`:
 * the q a unit of value in row r of W adds to post compartment i (gain/radius·encoder, or gain).
 */
export function lowerDecoded(
  c: BuiltConnection, pre: BuiltEnsemble, post: BuiltEnsemble, plan: DecodePlan, cal: DecodeCalibration, dtSeconds: number,
  targetWeight: (i: number, r: number) => number,
): { blocks: HwBlock[]; groups: HwGroup[] } {
  const rows = c.weights.rows;
  const W = c.weights;
  const P = DECODE_PAIRS;
  const nDec = 2 * rows * P;
  const spike = pre.neuron.amplitude / dtSeconds;
  const src = c.source.indices;
  const blocks: HwBlock[] = [];
  const groups: HwGroup[] = [];
  const origin = c.origin ? { origin: c.origin } : {};
  plan.chunks.forEach((cols, m) => {
    const id = decodeBlockId(c.id, m, plan.chunks.length);
    const scale = cal.peakFiltered[m].map((p) => Math.max(p, 1e-9));
    const uPeak = new Float64Array(nDec), ratesHz = new Float64Array(nDec);
    const win = mat(pre.nNeurons, nDec);
    for (let r = 0; r < rows; r++) {
      for (let p = 0; p < P; p++) {
        const f = pairGain(p, P);
        const on = 2 * (r * P + p);
        const k = (f * spike * DECODE_PEAK_RATE) / scale[r];
        for (const col of cols) {
          const w = W.data[r * W.cols + col] * k;
          win.data[src[col] * nDec + on] += w;
          win.data[src[col] * nDec + on + 1] -= w;
        }
        uPeak[on] = uPeak[on + 1] = (f * DECODE_PEAK_RATE * cal.peakStep[m][r]) / scale[r];
        // Each of the pair fires about half the time: rate ≈ f·R·mean|y|/(2·scale) per step.
        ratesHz[on] = ratesHz[on + 1] = Math.min(1, (f * DECODE_PEAK_RATE * cal.meanAbs[m][r]) / (2 * scale[r])) / dtSeconds;
      }
    }
    blocks.push({
      id, n: nDec, neuron: "if", tauUSeconds: 0, decayU: 1, decayV: 0, vth: 1, bias: new Float64Array(nDec), refractDelay: 1, vmin: 0,
      uPeak, ratesHz, ...origin,
    });
    groups.push({ id: `${c.id}/${m}:decode`, pre: { kind: "block", block: pre.id }, post: id, weights: win, connections: [c.id], ...origin });
    // One on spike of pair p stands for scale_r/(P·f_p·R) of value per step; the pairs together carry y.
    const wout = mat(nDec, post.nNeurons);
    for (let r = 0; r < rows; r++) {
      for (let p = 0; p < P; p++) {
        const v = scale[r] / (P * pairGain(p, P) * DECODE_PEAK_RATE);
        const on = 2 * (r * P + p);
        for (let i = 0; i < post.nNeurons; i++) {
          const w = targetWeight(i, r) * v;
          if (w === 0) continue;
          wout.data[on * post.nNeurons + i] = w;
          wout.data[(on + 1) * post.nNeurons + i] = -w;
        }
      }
    }
    groups.push({ id: `${c.id}/${m}:encode`, pre: { kind: "block", block: id }, post: post.id, weights: wout, connections: [c.id], ...origin });
  });
  return { blocks, groups };
}
