/**
 * The summary of a spiking mode against float: agreement, logit NRMSE and activity per sequence.
 * It is computed from per-sequence numbers kept in the document, folded in sequence order, so a
 * sharded run merged (merge.ts) gives the same summary, bit for bit, as the run in one piece.
 */
import { ACTIVITY_COLUMNS } from "./chunks.js";
import type { ConversionChoice } from "./conversion.js";

/** Per sequence, in sequence order: what SpikingSummary is computed from. */
export interface SequenceStats {
  /** 1 when the prediction equals float's. */
  readonly agrees: number[];
  /** Σ over classes of (logit − float)², and of float². */
  readonly squared_error: number[];
  readonly float_squared: number[];
  readonly spikes: number[];
  readonly synaptic_events: number[];
  /** Modelled chip time (ns) and energy (pJ); 0 off the chip. */
  readonly chip_ns: number[];
  readonly chip_pj: number[];
}

export interface SpikingSummary {
  readonly presentation_steps: number;
  /** Fraction of sequences whose prediction equals float's. */
  readonly agreement: number;
  /** sqrt(Σ(logits − float)²) / sqrt(Σ float²) over every sequence and class. */
  readonly logit_nrmse: number;
  readonly spikes_per_sequence: number;
  readonly synaptic_events_per_sequence: number;
  /** Chip mode: modelled chip time (s) and energy (J) per sequence (emulator cost model). */
  readonly chip_seconds_per_sequence: number;
  readonly chip_joules_per_sequence: number;
  readonly cores?: number;
  readonly cores_lower_bound?: number;
  /** Every conversion choice used, and where it came from. */
  readonly conversion: readonly ConversionChoice[];
  readonly per_sequence: SequenceStats;
}

/** Index (0..n−1) of the largest of v[off..off+n), the first on ties: a sequence's predicted class. */
export function argmax(v: ArrayLike<number>, off = 0, n = v.length - off): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (v[off + k] > v[off + best]) best = k;
  return best;
}

/** The per-sequence numbers of `count` sequences from their logits, float's and activity rows. */
export function sequenceStats(logits: Float64Array, float: Float64Array, activity: Float64Array, count: number, outputs: number): SequenceStats {
  const s: SequenceStats = { agrees: [], squared_error: [], float_squared: [], spikes: [], synaptic_events: [], chip_ns: [], chip_pj: [] };
  for (let i = 0; i < count; i++) {
    let se = 0, sr = 0;
    for (let k = i * outputs; k < (i + 1) * outputs; k++) {
      se += (logits[k] - float[k]) ** 2;
      sr += float[k] ** 2;
    }
    s.agrees.push(argmax(logits, i * outputs, outputs) === argmax(float, i * outputs, outputs) ? 1 : 0);
    s.squared_error.push(se);
    s.float_squared.push(sr);
    const a = i * ACTIVITY_COLUMNS;
    s.spikes.push(activity[a]);
    s.synaptic_events.push(activity[a + 1]);
    s.chip_ns.push(activity[a + 2]);
    s.chip_pj.push(activity[a + 3]);
  }
  return s;
}

/** Concatenation in the order given (merge passes parts in sequence order). */
export function concatStats(parts: readonly SequenceStats[]): SequenceStats {
  const keys = ["agrees", "squared_error", "float_squared", "spikes", "synaptic_events", "chip_ns", "chip_pj"] as const;
  return Object.fromEntries(keys.map((k) => [k, parts.flatMap((p) => p[k])])) as unknown as SequenceStats;
}

const sum = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0);

export function summarize(K: number, stats: SequenceStats, conversion: readonly ConversionChoice[], cores?: { used: number; lowerBound: number }): SpikingSummary {
  const n = stats.agrees.length;
  const mean = (v: readonly number[]): number => (n > 0 ? sum(v) / n : 0);
  const sr = sum(stats.float_squared);
  return {
    presentation_steps: K,
    agreement: mean(stats.agrees),
    logit_nrmse: sr > 0 ? Math.sqrt(sum(stats.squared_error) / sr) : 0,
    spikes_per_sequence: mean(stats.spikes),
    synaptic_events_per_sequence: mean(stats.synaptic_events),
    chip_seconds_per_sequence: mean(stats.chip_ns) * 1e-9,
    chip_joules_per_sequence: mean(stats.chip_pj) * 1e-12,
    ...(cores ? { cores: cores.used, cores_lower_bound: cores.lowerBound } : {}),
    conversion,
    per_sequence: stats,
  };
}
