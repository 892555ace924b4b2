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
  /** PES learning groups on this core (absent or empty: none). */
  readonly learningGroups?: readonly LearningGroupConfig[];
}

/**
 * The learning registers one PES learning group uses (hardware-model.md §6.2, §6.6): its epochs,
 * its pre-synaptic trace configuration and its learning rate.
 */
export interface LearningProfile {
  /** Traces update every traceEpochSteps steps (Loihi's tepoch; NengoLoihi 2). */
  readonly traceEpochSteps: number;
  /** Weights update every traceEpochSteps·2^learnEpochExp steps (NengoLoihi: k = 1, so 4). */
  readonly learnEpochExp: number;
  /** Pre-trace time constant in steps, rne(τ_pre/dt): the hardware trace config's τ. */
  readonly traceTauSteps: number;
  /**
   * The float64 factor a trace is multiplied by per trace update, exp(−traceEpochSteps/traceTauSteps)
   * as computed once by the compiler and stored bit for bit, so every emulator run uses the same
   * value whatever its platform's exp.
   */
  readonly traceDecay: number;
  /** Trace increment per pre spike: traceMagInt + traceMagFrac/128 (spikeLevelInt, spikeLevelFrac). */
  readonly traceMagInt: number;
  readonly traceMagFrac: number;
  /** Learning rate lrMant·2^lrExp (NengoLoihi: 1·2^−7). */
  readonly lrMant: number;
  readonly lrExp: number;
}

/**
 * A PES learning group: the core's input axons firstAxon … firstAxon + nAxons − 1 (one per pre
 * neuron) each have one dense row of 2·dims weights onto the readout block, local compartments
 * readoutStart … readoutStart + 2·dims − 1 (the first dims carry +decoders, the rest −decoders);
 * all in one synapse format, which sets the weight lattice. The host writes the error register
 * from `errorChannel` every step: E' = clip(rne(errorScale·e), −errorMax, errorMax).
 */
export interface LearningGroupConfig {
  readonly label: string;
  readonly firstAxon: number;
  readonly nAxons: number;
  readonly readoutStart: number;
  readonly dims: number;
  readonly profile: LearningProfile;
  /** The host signal (a node or probe id) whose value is this group's error e. */
  readonly errorChannel: string;
  readonly errorScale: number;
  readonly errorMax: number;
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
  /** The learning engine's fixed arithmetic (from the target); required when a core has learning groups. */
  readonly learningEngine?: LearningEngineConfig;
}

/** Chip-wide learning arithmetic (hardware-model.md §6.4–§6.5), as the target defines it. */
export interface LearningEngineConfig {
  /** Traces are 0..2^traceBits − 1. */
  readonly traceBits: number;
  /** Extra fraction bits of a learning weight (7) and the product's overflow shift (2). */
  readonly learnFrac: number;
  readonly overflowBits: number;
}
