/**
 * CoreIR: the hardware configuration, all integers, per core. What the emitter writes
 * (chip.yaml, cores.bin), what the loader reads back, and what the emulator runs after
 * flattening. Field widths come from the target (targets/*.yaml); the verifier checks them.
 *
 * Vocabulary (Loihi): a core holds compartments; a compartment profile (cxProfile) holds the
 * decay and refractory registers shared by many compartments; a threshold profile (vthProfile)
 * holds a threshold mantissa; each compartment has a bias mantissa/exponent and points at one of
 * each profile. Input axons land on synapse rows (a list of (compartment offset, weight)) in a
 * synapse format (weight bits, sign mode, weight exponent). Output axons route a compartment's
 * spikes to an input axon of some core.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";

export interface CompartmentProfile {
  /** Current decay register du, 0..4095 (the chip adds 1). */
  readonly decayU: number;
  /** Voltage decay register dv, 0..4095. */
  readonly decayV: number;
  /** Refractory period in steps, 1..63 (1 = none). */
  readonly refractDelay: number;
}

export interface SynapseFormat {
  /** Real weight bits (0..8) of the stored mantissa. */
  readonly weightBits: number;
  /** Mixed sign (fanout type 1): one bit of the field holds the sign. */
  readonly isMixed: boolean;
  /** Weight exponent −7..7: a stored Wgt contributes Wgt·2^(6+weightExp) to the accumulator. */
  readonly weightExp: number;
  /** dense: one entry per compartment of [base, base+len); sparse: entries carry their index. */
  readonly compression: "dense" | "sparse";
  /** Real index bits for sparse rows (0 for dense). */
  readonly idxBits: number;
}

/** One input axon: which synapse row it activates, in which format, at which compartment base. */
export interface InputAxon {
  readonly format: number;
  readonly row: number;
  /** First local compartment the row's offsets count from. */
  readonly base: number;
}

/** A synapse row: local compartment offsets (from the axon's base) and stored weight fields. */
export interface SynapseRow {
  readonly offsets: Int32Array;
  /** Stored Wgt fields: 9-bit signed, low bits zero as the format requires. */
  readonly weights: Int32Array;
}

/** Routing: spikes of local compartment `compartment` go to input axon `axon` of core `core`. */
export interface OutputAxon {
  readonly compartment: number;
  readonly core: number;
  readonly axon: number;
}

export interface CoreBlock {
  readonly label: string;
  /** First local compartment. */
  readonly start: number;
  readonly count: number;
  /** What the block implements, for reports: an ensemble id (and which part) or a decode population. */
  readonly source: string;
  readonly origin?: SourceLocation;
}

export interface CoreConfig {
  readonly index: number;
  readonly chip: number;
  readonly blocks: readonly CoreBlock[];
  readonly nCompartments: number;
  /** Voltage floor and ceiling (integers), shared by the whole core. */
  readonly vmin: number;
  readonly vmax: number;
  readonly cxProfiles: readonly CompartmentProfile[];
  /** Threshold mantissas; threshold = mant·2^6. */
  readonly vthProfiles: readonly number[];
  /** Per compartment: profile index, threshold-profile index, bias mantissa and exponent. */
  readonly cxProfile: Uint8Array;
  readonly cxVthProfile: Uint8Array;
  readonly biasMant: Int32Array;
  readonly biasExp: Uint8Array;
  readonly synapseFormats: readonly SynapseFormat[];
  readonly inputAxons: readonly InputAxon[];
  readonly synapseRows: readonly SynapseRow[];
  readonly outputAxons: readonly OutputAxon[];
}

/** A host spike source: channel i sends to the listed (core, axon) pairs. */
export interface HostInput {
  readonly id: string;
  readonly channels: number;
  readonly targets: readonly { readonly channel: number; readonly core: number; readonly axon: number }[];
}

export interface ChipConfig {
  readonly format: "lmuc-chip/1";
  readonly target: string;
  readonly dtSeconds: number;
  readonly cores: readonly CoreConfig[];
  readonly inputs: readonly HostInput[];
}
