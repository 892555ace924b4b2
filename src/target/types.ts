/**
 * A hardware target as typed data (camelCase mirror of targets/<name>.yaml). Plain types with no
 * loader, so the IR verifiers and the compiler's passes can depend on them without depending on
 * the YAML front end that target.ts uses to read a target file.
 */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface TargetLimits {
  readonly compartmentsPerCore: number;
  readonly inputAxonsPerCore: number;
  readonly outputAxonsPerCore: number;
  readonly synapseBitsPerCore: number;
  readonly cxProfilesPerCore: number;
  readonly vthProfilesPerCore: number;
  readonly synapseFormatsPerCore: number;
  /** Refractory delay in steps (1 = none). */
  readonly refractDelay: Range;
  /** Synaptic delay slots per compartment; 1 = no delays. */
  readonly delaySlots: number;
  /** Input-axon compartment base (−1, "unused", is always allowed besides). */
  readonly compartmentBase: Range;
  readonly coresPerChip: number;
  readonly chipsPerBoard: number;
}

export interface TargetMesh {
  readonly tilesX: number;
  readonly tilesY: number;
  readonly coresPerTile: number;
}

export interface TargetWidths {
  /** du, dv (unsigned). */
  readonly decayBits: number;
  readonly refractDelayBits: number;
  /** Threshold mantissa (unsigned); threshold = mant·2^vthExp. */
  readonly vthMantBits: number;
  readonly vthExp: number;
  /** Bias mantissa, signed (|m| ≤ 2^(bits−1) − 1); bias = m·2^e with e in 0..2^biasExpBits − 1. */
  readonly biasMantBits: number;
  readonly biasExpBits: number;
  /** Stored synaptic weight field Wgt, signed. */
  readonly weightFieldBits: number;
  /** Real weight bits by wgtBits code. */
  readonly weightBitsOptions: readonly number[];
  readonly weightExp: Range;
  /** Width of the stored (signed) weight exponent. */
  readonly weightExpBits: number;
  /** D = shl(sh(Wgt, wgtExp), weightShift). */
  readonly weightShift: number;
  /** Real index bits by idxBits code. */
  readonly idxBitsOptions: readonly number[];
  /** Magnitude bits: q wraps into [−2^qBits, 2^qBits − 1]; likewise u; v saturates within ±2^vBits. */
  readonly qBits: number;
  readonly uBits: number;
  readonly vBits: number;
  /** vmin = −2^k + 1, k = 0..vminExpMax. */
  readonly vminExpMax: number;
  /** vmax = 2^(vmaxExpBase + vmaxExpStep·j) − 1, j = 0..vmaxCodeMax. */
  readonly vmaxExpBase: number;
  readonly vmaxExpStep: number;
  readonly vmaxCodeMax: number;
}

export interface TargetSynapseMemory {
  readonly chunkEntries: number;
  readonly formatIdBits: number;
  readonly countBits: number;
  readonly wordBits: number;
  readonly delayBits: number;
  readonly tagBits: number;
}

/** §7.1 per-operation figures: energies in pJ, times in ns. */
export interface TargetCost {
  readonly synOpPj: number;
  readonly synOpNs: number;
  readonly synUpdatePj: number;
  readonly synUpdateNs: number;
  readonly cxActivePj: number;
  readonly cxActiveNs: number;
  readonly cxInactivePj: number;
  readonly cxInactiveNs: number;
  readonly spikeTilePj: number;
  readonly spikeTileNs: number;
  readonly hopEwPj: number;
  readonly hopEwNs: number;
  readonly hopNsPj: number;
  readonly hopNsNs: number;
  readonly barrierMinNs: number;
  readonly barrierMaxNs: number;
  readonly barrierMaxTiles: number;
  readonly chipBarrierNs: number;
  readonly chipHopPj: number;
  readonly chipHopNs: number;
  /** false: inter-chip figures are placeholders; reports should say "unmodelled". */
  readonly chipHopModelled: boolean;
  readonly staticMwPerChip: number;
}

/** The PES learning engine's registers (hardware-model.md §6); absent: the target cannot learn. */
export interface TargetLearning {
  /** Traces are traceBits-bit unsigned: 0..2^traceBits − 1 (Loihi 1: 7 → 127). */
  readonly traceBits: number;
  /** Trace increment spikeLevelInt (unsigned) and spikeLevelFrac (in 1/2^fracBits) widths. */
  readonly traceMagIntBits: number;
  readonly traceMagFracBits: number;
  readonly traceTauBits: number;
  readonly traceEpochBits: number;
  readonly learnEpochExpBits: number;
  /** Learning-rate mantissa (signed) and exponent (signed) widths. */
  readonly lrMantBits: number;
  readonly lrExpBits: number;
  /** Extra fraction bits of a learning weight, and the product's overflow shift (§6.2, §6.5). */
  readonly learnFrac: number;
  readonly overflowBits: number;
  /** The error register: errorBits-bit signed, |E'| ≤ 2^(errorBits−1) − 1. */
  readonly errorBits: number;
  readonly groupsPerCore: number;
}

export interface Target {
  readonly format: "lmuc-target/1";
  readonly name: string;
  readonly description: string;
  readonly limits: TargetLimits;
  readonly mesh: TargetMesh;
  readonly widths: TargetWidths;
  readonly synapseMemory: TargetSynapseMemory;
  readonly cost: TargetCost;
  readonly learning?: TargetLearning;
  /** Where the target was read from (not part of the hash). */
  readonly file?: string;
}
