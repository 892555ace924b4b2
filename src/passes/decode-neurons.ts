/**
 * On-chip decode neurons (hardware-model §5.12, lmuc variant): a decoded chip → chip connection
 * c (pre P, weights W = T·Dᵀ, d_out rows) can run as
 *
 *   P spikes → decode block(s) of 2·d_out·L compartments → target Q
 *
 * instead of nPre × nPost neuron-to-neuron weights.
 *
 * Each row k of W gets a multi-level sigma-delta modulator built from L on and L off
 * compartments. Their u is an integrator (with a small leak, DECODE_LEAK), v follows u (dv = 4095), and every spike of the row's compartments feeds back to all of
 * them: an on spike subtracts one quantum Q_k from every on compartment's u and adds it to every
 * off compartment's u (an off spike the reverse). So every on compartment holds the same error
 *
 *   e = Σ y_k·dt − Q_k·(on spikes − off spikes),     off compartments hold −e,
 *
 * and level ℓ (bias −ℓ·Q_k, threshold Q_k/2) fires when e > (ℓ + ½)·Q_k: one step sends as many
 * quanta as e holds, up to L, and e stays within ±Q_k/2 plus one step's input. Nothing is lost:
 * an input lump larger than L quanta waits in u for the next steps instead of being cut off by
 * the reset to 0 (the loss that makes plain integrate-and-fire decode neurons, and NengoLoihi's,
 * inaccurate). Q keeps the connection's synapse, so the decode path has the same filter as the
 * neuron path, plus one step of latency.
 *
 * Q_k is set from calibration: the calibrated peak of the filtered |y_k| sends L·PEAK_FILL quanta
 * per step; the rest of the L levels is headroom for values beyond calibration.
 *
 * A compartment's fan-in cannot be split across cores, so when nPre exceeds a core's input axons
 * the pre neurons are cut into chunks, each with its own decode block carrying a partial sum;
 * Q adds the partial sums.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { BuiltConnection, BuiltEnsemble, BuiltNetwork } from "../ir/built.js";
import { preCountOf, rowOfPreIn, windowStartOf, type HwBlock, type HwGroup } from "../ir/hw.js";
import { mat, type Mat } from "../math/matrix.js";
import { decayRegisters } from "./quantize.js";
import { rowWindows, stored, type WindowedWeights } from "./row-windows.js";
import { denseRowBits } from "../target/cost.js";
import type { Target } from "../target/types.js";

export type DecodeNeuronsMode = "never" | "auto" | "always";
export const DECODE_NEURON_MODES: readonly DecodeNeuronsMode[] = ["never", "auto", "always"];

/** Levels (on/off compartment pairs) per decoded dimension: the most quanta one step can send. */
export const DECODE_LEVELS = 4;
/**
 * Fraction of u the integrator leaks per step: an overload (more than L quanta per step for a
 * while) settles at (excess)/leak instead of growing until u wraps. 1/256 costs a bias of at
 * most Q/512 per step while |e| ≤ Q/2 (1/64 measured worse: lmu-memory 1.10× float vs 1.05×).
 */
export const DECODE_LEAK = 1 / 256;
/**
 * The leak also takes its share of each step's input before the feedback (one step later)
 * removes it, a gain of 1 − leak on everything the block carries; LMU recurrences amplify such
 * a gain error (lmu-steps state dimension 0: 0.77 of the ideal's DC uncompensated). Inputs are
 * scaled up by the chip's exact leak (du + 1)/4096 to cancel it.
 */
export const DECODE_INPUT_GAIN = 4096 / (4095 - decayRegisters(DECODE_LEAK, 1).decayU);
/**
 * The modulator carries y as it arrives, spike noise and all (the post's synapse filters it, as on
 * the neuron path): L quanta per step also cover this many RMS of the per-step y.
 */
export const DECODE_NOISE_SIGMAS = 3;
/** Share of the levels the calibrated peak |y| uses; the rest is headroom. */
export const DECODE_PEAK_FILL = 0.5;
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
  /** The weights the decode path carries when they differ from the connection's (pole correction). */
  readonly weights?: Mat;
}

/** Synapse memory of a dense 8-bit row of `entries` entries (the target's cost model). */
export function rowBits(entries: number, target: Target): number {
  return denseRowBits(entries, target);
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

/**
 * The "auto" policy for one decoded chip → chip connection: decode neurons when the neuron path
 * cannot fit (fan-in above a core's input axons), when it needs over DECODE_BITS_FACTOR× the
 * decode path's synapse memory, or when it needs more cores of synapse memory than the decode
 * path (rows of decode compartments); otherwise neuron-to-neuron weights (no extra compartments,
 * one step less latency).
 */
export function decodePathPolicy(
  mode: DecodeNeuronsMode, nPre: number, neuronPathBits: number, decodePathBits: number, target: Target,
): { path: DecodePathChoice["path"]; why: string } {
  const axons = target.limits.inputAxonsPerCore;
  const coreBits = target.limits.synapseBitsPerCore;
  const neuronCores = Math.ceil(neuronPathBits / coreBits), decodeCores = Math.ceil(decodePathBits / coreBits);
  const ratio = (neuronPathBits / decodePathBits).toFixed(1);
  if (mode === "always") return { path: "decode-neurons", why: "--decode-neurons always" };
  if (nPre > axons) return { path: "decode-neurons", why: `fan-in ${nPre} exceeds ${axons} input axons per core` };
  if (neuronPathBits > DECODE_BITS_FACTOR * decodePathBits) return { path: "decode-neurons", why: `neuron-to-neuron weights need ${ratio}× the synapse memory of decode neurons` };
  if (neuronCores > decodeCores) return { path: "decode-neurons", why: `neuron-to-neuron weights need ${neuronCores} cores of synapse memory, decode neurons ${decodeCores}` };
  return { path: "neurons", why: `fits (fan-in ${nPre} ≤ ${axons}) in as many cores of synapse memory (${neuronCores}) as decode neurons, at ${ratio}× their memory (threshold ${DECODE_BITS_FACTOR}×): neuron-to-neuron weights are kept (no extra compartments, one step less latency)` };
}

/**
 * The "auto" policy for an LMU recurrence (decode hub): on chip whenever its synapse memory fits
 * one chip. A recurrence through the host is not a chip result (the state travels chip → host →
 * chip every step), so only a hub larger than a whole chip stays on the host.
 */
export function hubPathPolicy(mode: DecodeNeuronsMode, hubBits: number, decodeCompartments: number, target: Target): { path: "chip" | "host"; why: string } {
  const cores = hubBits / target.limits.synapseBitsPerCore;
  const chip = target.limits.coresPerChip;
  if (mode === "always") return { path: "chip", why: "--decode-neurons always" };
  if (cores <= chip) return { path: "chip", why: `the recurrence stays on chip through ${decodeCompartments} decode compartments (estimated ${cores.toFixed(1)} cores of synapse memory ≤ ${chip}, one chip)` };
  return { path: "host", why: `on chip the recurrence would need ${cores.toFixed(0)} cores of synapse memory (> ${chip}, one chip); it runs through the host (--decode-neurons always keeps it on chip)` };
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
    const nDec = 2 * rows * DECODE_LEVELS;
    const chunkCount = Math.ceil(nPre / axons);
    const chunkSize = Math.ceil(nPre / chunkCount);
    const fanOut = postFanOut(c, post);
    const neuronPathBits = nPre * rowBits(fanOut, target);
    const decodePathBits = nPre * rowBits(nDec, target) + chunkCount * nDec * (rowBits(fanOut, target) + rowBits(2 * DECODE_LEVELS, target));
    const { path, why } = decodePathPolicy(mode, nPre, neuronPathBits, decodePathBits, target);
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
  /** RMS of the unfiltered per-step partial y: spike noise included, what the modulator must carry. */
  readonly rmsStep: readonly Float64Array[];
}

/** Decode block ids of a plan. */
export function decodeBlockId(connection: string, chunk: number, chunks: number): string {
  return chunks === 1 ? `${connection}/decode` : `${connection}/decode${chunk}`;
}

/** Compartment of level ℓ of row r in a decode block: on at 2·(r·L + ℓ), off right after it. */
export function decodeCompartment(r: number, level: number): number {
  return 2 * (r * DECODE_LEVELS + level);
}

/** Quantum per row: the calibrated peak fills DECODE_PEAK_FILL of the levels; L quanta cover 3 RMS of the per-step value. */
export function decodeQuanta(cal: DecodeCalibration, chunk: number): Float64Array {
  const L = DECODE_LEVELS;
  return cal.peakFiltered[chunk].map((p, r) => Math.max(p / (L * DECODE_PEAK_FILL), (DECODE_NOISE_SIGMAS * cal.rmsStep[chunk][r]) / L, 1e-9));
}

/**
 * The sigma-delta block of `rows` rows (u in quanta of its row) and its feedback group; the
 * caller adds the input groups (value·step per spike ÷ quantum) and output groups (± quantum).
 */
export function sigmaDeltaBlock(
  id: string, rows: number, quantum: Float64Array, cal: DecodeCalibration, chunk: number, dtSeconds: number, connections: readonly string[], origin: { origin?: SourceLocation },
): { block: HwBlock; feedback: HwGroup } {
  const L = DECODE_LEVELS;
  const nDec = 2 * rows * L;
  const bias = new Float64Array(nDec), uPeak = new Float64Array(nDec), ratesHz = new Float64Array(nDec);
  // A compartment's feedback reaches the 2·L compartments of its own row.
  const first = new Int32Array(nDec), last = new Int32Array(nDec);
  for (let k = 0; k < nDec; k++) {
    first[k] = decodeCompartment(Math.floor(k / (2 * L)), 0);
    last[k] = first[k] + 2 * L - 1;
  }
  const feedback = rowWindows(first, last, nDec), fb = feedback.weights.data, at = feedback.indexOf;
  for (let r = 0; r < rows; r++) {
    // The largest |e| a compartment sees: L levels of error and one step's largest input. The
    // range is kept this tight on purpose: a pre spike adds a small fraction of a quantum, and
    // the 23-bit u must resolve it (a range for long overloads costs that precision: measured
    // on lmu-memory, state NRMSE 1.05× float with this range, 1.22× with room for 64·L quanta).
    const reach = L + 1 + cal.peakStep[chunk][r] / quantum[r];
    // Quanta per step on average, shared by the levels (the lowest fire most; placement only).
    const quantaPerStep = cal.meanAbs[chunk][r] / quantum[r];
    for (let l = 0; l < L; l++) {
      const k = decodeCompartment(r, l);
      bias[k] = bias[k + 1] = -l;
      uPeak[k] = uPeak[k + 1] = reach;
      ratesHz[k] = ratesHz[k + 1] = Math.min(1, Math.max(0, quantaPerStep - l) / 2) / dtSeconds;
      for (let l2 = 0; l2 < L; l2++) {
        const k2 = decodeCompartment(r, l2);
        fb[at(k, k2)] = -1;
        fb[at(k, k2 + 1)] = 1;
        fb[at(k + 1, k2)] = 1;
        fb[at(k + 1, k2 + 1)] = -1;
      }
    }
  }
  return {
    block: { id, n: nDec, neuron: "if", decayU: DECODE_LEAK, integrator: true, decayV: 1, vth: 0.5, bias, refractDelay: 1, vmin: 0, uPeak, ratesHz, ...origin },
    feedback: { id: `${id}:feedback`, pre: { kind: "block", block: id }, post: id, ...stored(feedback), connections, ...origin },
  };
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
  const L = DECODE_LEVELS;
  const nDec = 2 * rows * L;
  const spike = pre.neuron.amplitude / dtSeconds;
  const src = c.source.indices;
  const blocks: HwBlock[] = [];
  const groups: HwGroup[] = [];
  const origin = c.origin ? { origin: c.origin } : {};
  plan.chunks.forEach((cols, m) => {
    const id = decodeBlockId(c.id, m, plan.chunks.length);
    const quantum = decodeQuanta(cal, m);
    const { block, feedback } = sigmaDeltaBlock(id, rows, quantum, cal, m, dtSeconds, [c.id], origin);
    const win = mat(pre.nNeurons, nDec);
    for (let r = 0; r < rows; r++) for (const col of cols) addDecodeInput(win, src[col], r, W.data[r * W.cols + col] * spike, quantum);
    blocks.push(block);
    groups.push({ id: `${c.id}/${m}:decode`, pre: { kind: "block", block: pre.id }, post: id, weights: win, connections: [c.id], ...origin });
    groups.push(feedback);
    groups.push({ id: `${c.id}/${m}:encode`, pre: { kind: "block", block: id }, post: post.id, ...decodeOutputWeights(rows, post.nNeurons, quantum, targetWeight), connections: [c.id], ...origin });
  });
  return { blocks, groups };
}

/**
 * Pre neuron n's spike adds `valuePerSpike` (value·step) to row r of a decode block: in quanta
 * (with the leak's gain), +· to the row's on compartments and −· to its off ones, every level.
 * `win` may be a window of the block's compartments starting at `start` (HwGroup.postStart).
 */
export function addDecodeInput(win: Mat, n: number, r: number, valuePerSpike: number, quantum: Float64Array, start = 0): void {
  const w = (valuePerSpike * DECODE_INPUT_GAIN) / quantum[r];
  for (let l = 0; l < DECODE_LEVELS; l++) {
    const k = decodeCompartment(r, l) - start;
    win.data[n * win.cols + k] += w;
    win.data[n * win.cols + k + 1] -= w;
  }
}

/**
 * Decode block → post weights: an on spike of row r stands for one quantum Q_r of value·step, an
 * off spike for −Q_r. Every compartment of row r reaches the posts row r's values reach: per-row
 * windows when those are a few neighbours (a per-dimension ensemble's own neurons). The L on
 * compartments of row r share one stored row (2r), its L off compartments the negated one (2r + 1).
 */
export function decodeOutputWeights(rows: number, nPost: number, quantum: Float64Array, targetWeight: (i: number, r: number) => number): WindowedWeights & { readonly rowOfPre: Int32Array } {
  const L = DECODE_LEVELS, nDec = 2 * rows * L;
  const values = new Float64Array(rows * nPost);
  const first = new Int32Array(2 * rows), last = new Int32Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    let lo = nPost, hi = -1;
    for (let i = 0; i < nPost; i++) {
      const w = targetWeight(i, r) * quantum[r];
      values[r * nPost + i] = w;
      if (w === 0) continue;
      if (lo === nPost) lo = i;
      hi = i;
    }
    first[2 * r] = first[2 * r + 1] = lo;
    last[2 * r] = last[2 * r + 1] = hi;
  }
  const wout = rowWindows(first, last, nPost), data = wout.weights.data, at = wout.indexOf;
  // Row k's weight to post i sits at at(k, 0) + i (dense or windowed).
  for (let r = 0; r < rows; r++) {
    const src = r * nPost, on = at(2 * r, 0), off = at(2 * r + 1, 0);
    for (let i = 0; i < nPost; i++) {
      const w = values[src + i];
      if (w === 0) continue;
      data[on + i] = w;
      data[off + i] = -w;
    }
  }
  const rowOfPre = new Int32Array(nDec);
  for (let r = 0; r < rows; r++) {
    for (let l = 0; l < L; l++) {
      const k = decodeCompartment(r, l);
      rowOfPre[k] = 2 * r;
      rowOfPre[k + 1] = 2 * r + 1;
    }
  }
  return { ...stored(wout), rowOfPre };
}

/**
 * The most levels row r of a sigma-delta block fires in one step: L, unless its quantum is so
 * large that even a backlog cannot build up: with every step's input within the calibrated
 * per-step peak p, e stays within ±Q/2 + p and one step sends at most ⌈p/Q⌉ + 1 quanta; a
 * backlog needs input above L·Q per step. The block's uPeak holds p/Q (reach = L + 1 + p/Q,
 * sigmaDeltaBlock). Only coarse hub rows (hubQuanta) fire fewer than L.
 */
export function burstLevels(block: HwBlock, r: number): number {
  const stepQuanta = block.uPeak[decodeCompartment(r, 0)] - DECODE_LEVELS - 1;
  return Math.min(DECODE_LEVELS, Math.max(1, Math.ceil(stepQuanta) + 1));
}

/**
 * How many RMS of the rows' summed saturation a target's current range holds (see withDecodeHeadroom).
 * With at most 9 rows the RMS bound is never below the plain sum (Cauchy–Schwarz: Σ|w| ≤ √R·‖w‖),
 * so small decode blocks keep the exact worst case.
 */
export const HEADROOM_SIGMAS = 3;

/**
 * A decode block can send all its levels every step while it drains a backlog (a transient the
 * float calibration never shows: lmu-steps with LIF ensembles wrapped u at the input step). Its
 * targets' current range must hold that: per compartment, the on rows' weights summed over all
 * levels (on and off of a row never fire together), L·Σ_r |w_r|. Rows drain independently, each
 * in the direction its own value lagged, so with many rows (a 256-row LMU hub) their bursts do
 * not all add with one sign; there the range holds HEADROOM_SIGMAS RMS of the sum, 3·L·‖w‖,
 * instead: the plain sum put the psMNIST memory's scale 100–200× below its calibrated current,
 * and its small recurrent weights rounded to zero (a median 48 % of each row lost).
 */
export function withDecodeHeadroom(blocks: readonly HwBlock[], groups: readonly HwGroup[]): HwBlock[] {
  const integrators = new Map(blocks.filter((b) => b.integrator).map((b) => [b.id, b]));
  const sizes = new Map(blocks.map((b) => [b.id, b.n]));
  const sums = new Map<string, { sum: Float64Array; sq: Float64Array }>();
  for (const g of groups) {
    const pre = g.pre.kind === "block" ? integrators.get(g.pre.block) : undefined;
    if (!pre || integrators.has(g.post)) continue;
    const W = g.weights, nPost = sizes.get(g.post)!;
    let s = sums.get(g.post);
    if (!s) sums.set(g.post, (s = { sum: new Float64Array(nPost), sq: new Float64Array(nPost) }));
    for (let k = 0, nPre = preCountOf(g); k < nPre; k += 2) {
      if ((k >> 1) % DECODE_LEVELS >= burstLevels(pre, Math.floor(k / (2 * DECODE_LEVELS)))) continue;
      // Compartments outside a row's window would add zeros.
      const row = rowOfPreIn(g, k), at = windowStartOf(g, row);
      for (let c = 0; c < W.cols; c++) {
        const w = W.data[row * W.cols + c];
        s.sum[at + c] += Math.abs(w);
        s.sq[at + c] += w * w;
      }
    }
  }
  return blocks.map((b) => {
    const s = sums.get(b.id);
    // Σ over on compartments of w² is Σ_r L·w_r², so L·‖w‖ = √(L·sq).
    return s ? { ...b, uPeak: b.uPeak.map((u, i) => Math.max(u, Math.min(s.sum[i], HEADROOM_SIGMAS * Math.sqrt(DECODE_LEVELS * s.sq[i])))) } : b;
  });
}
