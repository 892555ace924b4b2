/**
 * The target's memory cost model (hardware-model §3.4), in one place: what a stored synapse entry,
 * a weight row, and the row's index bits cost on a target. Used by the planners (decode paths and
 * hubs size their options by it, partition fills cores by it, its lower bound is built on it) and
 * by the ChipConfig verifier, which checks every core's synapse memory against it.
 *
 * Rows are priced by their format's fields only (weight bits, compression, index bits), so this
 * module needs no IR: ir/core.ts's SynapseFormat is one such format.
 */
import type { Target } from "./types.js";

/** What a row's cost depends on. */
export interface RowFormat {
  readonly weightBits: number;
  readonly compression: "dense" | "sparse";
  /** Bits of each entry's index; sparse rows only. */
  readonly idxBits: number;
}

/** The weight width this compiler emits (8-bit mixed-sign weights, the finest Loihi stores). */
export const EMITTED_WEIGHT_BITS = 8;

/** The dense row format of the emitted weights, which synapse-memory estimates assume. */
export const DENSE_EMITTED: RowFormat = { weightBits: EMITTED_WEIGHT_BITS, compression: "dense", idxBits: 0 };

/** Real bits per stored entry of a row in `format` (§3.4). */
export function synapseEntryBits(format: RowFormat, target: Target): number {
  const m = target.synapseMemory;
  return format.weightBits + m.delayBits + m.tagBits + (format.compression === "sparse" ? format.idxBits : 0);
}

/** Bits of one chunk of k entries of b bits each: payload and header rounded up to whole words. */
function chunkBits(k: number, entryBits: number, target: Target): number {
  const m = target.synapseMemory;
  return Math.ceil((k * entryBits + m.formatIdBits + m.countBits) / m.wordBits) * m.wordBits;
}

/**
 * Synaptic memory of one weight row of `entries` entries (§3.4): chunks of up to chunkEntries
 * entries, each k·b + header bits rounded up to whole words. 0 entries cost nothing.
 * Loihi 1, dense 8-bit: 1 → 64, 10 → 128, 64 → 576, 65 → 640, 100 → 896, 1024 → 9216.
 */
export function synapseRowBits(entries: number, format: RowFormat, target: Target): number {
  const m = target.synapseMemory;
  const b = synapseEntryBits(format, target);
  const full = Math.floor(entries / m.chunkEntries);
  const rest = entries - full * m.chunkEntries;
  return full * chunkBits(m.chunkEntries, b, target) + (rest > 0 ? chunkBits(rest, b, target) : 0);
}

/** Synapse memory of a dense row of `entries` emitted (8-bit) weights. */
export function denseRowBits(entries: number, target: Target): number {
  return synapseRowBits(entries, DENSE_EMITTED, target);
}

/** The fewest index bits the target offers that address offsets 0..maxOffset (its widest if none does). */
export function indexBitsFor(maxOffset: number, target: Target): number {
  for (const b of target.widths.idxBitsOptions) if (b > 0 && maxOffset < 2 ** b) return b;
  return target.widths.idxBitsOptions[target.widths.idxBitsOptions.length - 1];
}

/**
 * f[n]: the fewest synapse bits any chunking of n emitted (8-bit, dense) row entries takes, for n
 * up to maxEntries. A row cut into pieces can take fewer bits than whole, so this, not a row's
 * unsplit cost, bounds what n entries need.
 */
export function minRowBitsTable(maxEntries: number, target: Target): Float64Array {
  const m = target.synapseMemory;
  const b = synapseEntryBits(DENSE_EMITTED, target);
  const f = new Float64Array(maxEntries + 1);
  for (let n = 1; n <= maxEntries; n++) {
    let best = Infinity;
    for (let k = 1; k <= Math.min(n, m.chunkEntries); k++) best = Math.min(best, chunkBits(k, b, target) + f[n - k]);
    f[n] = best;
  }
  return f;
}

/** The row length (≤ one chunk) that stores the most emitted entries per bit; the longest of the ties. */
export function bestChunkLength(target: Target): number {
  const m = target.synapseMemory;
  const b = synapseEntryBits(DENSE_EMITTED, target);
  let best = 1, ratio = 0;
  for (let k = 1; k <= m.chunkEntries; k++) {
    const r = k / chunkBits(k, b, target);
    if (r >= ratio) [best, ratio] = [k, r];
  }
  return best;
}
