/**
 * The host program: what runs beside the chip (nodes, spike encoders, decoding of chip spikes,
 * probes) and where the chip's neurons are, so the host can read them. Written to host.json by
 * `lmuc compile`, read by the emulator's runner.
 */
import type { BuiltNetwork } from "./built.js";

/** A run of a block's consecutive neurons on one core: neurons neuronStart … neuronStart + count − 1 at local compartments localStart … */
export interface PlacementSegment {
  readonly core: number;
  readonly localStart: number;
  readonly count: number;
  readonly neuronStart: number;
}

/** Where partition put a block's neurons: its segments in neuron order. */
export interface BlockPlacement {
  readonly block: string;
  readonly segments: readonly PlacementSegment[];
}

/** Where each on-chip ensemble's neurons sit: segments of (core, first local compartment, count, first neuron). */
export interface NeuronPlacement {
  readonly ensemble: string;
  readonly segments: readonly PlacementSegment[];
  /** Per neuron: integer voltage units per float voltage unit, to read voltages back. */
  readonly sigmaV: Float64Array;
  /**
   * A learned readout (passes/learning-chip.ts): non-spiking compartments whose v/σ is the value
   * the host reads as this external ensemble's output every step, instead of its spikes.
   */
  readonly readsValue?: boolean;
}

export interface HostProgram {
  readonly format: "lmuc-host/1";
  /** The host part: nodes, encoder ensembles, external (chip) ensembles, decoding connections, probes. */
  readonly network: BuiltNetwork;
  /** Host ensembles whose spikes are sent to the chip's input of the same id. */
  readonly inputs: readonly { readonly id: string; readonly channels: number; readonly scale: Float64Array }[];
  /** Chip ensembles whose spikes (and voltages) the host reads. */
  readonly placements: readonly NeuronPlacement[];
}
