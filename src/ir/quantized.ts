/**
 * QuantizedNetwork: the chip part in the chip's integers (register values per compartment, stored
 * weight fields per synapse), produced by quantize (passes/quantize.ts) and cut into cores by
 * partition (partition/). The host part is unchanged from HwNetwork.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.js";
import type { BuiltNetwork } from "./built.js";
import type { HwGroup, HwInput, HwNetwork } from "./hw.js";

/**
 * Scales of one block. Each compartment is in one of up to 7 classes c (one threshold profile
 * each): σu = σ0 · 2^−c, the largest its own bias and calibrated current allow. σ0 depends only on
 * the threshold and the voltage decay, so blocks of the same neuron type share threshold profiles
 * and pack into shared cores.
 */
export interface BlockScale {
  /** Class-0 scale: integer current units per float current unit, set by the threshold register. */
  readonly sigma0: number;
  readonly mu: number;
  readonly mv: number;
  /** Per compartment: the class and the resulting scales (σv = σu·Mv, σw = σu/Mu). */
  readonly scaleClass: Uint8Array;
  readonly sigmaU: Float64Array;
  readonly sigmaV: Float64Array;
  readonly sigmaW: Float64Array;
  /** How many compartments each limit pushed below class 0 (or clipped at the last class). */
  readonly boundBy: { readonly bias: number; readonly current: number; readonly clipped: number };
}

export interface QBlock {
  readonly id: string;
  /** A sigma-delta decode block (decode-neurons.ts), not a user's ensemble: reports say so. */
  readonly integrator?: boolean;
  readonly n: number;
  readonly decayU: number;
  readonly decayV: number;
  readonly refractDelay: number;
  /** Threshold mantissa per compartment (one value per scale class). */
  readonly vthMant: Int32Array;
  readonly biasMant: Int32Array;
  readonly biasExp: Uint8Array;
  readonly vmin: number;
  readonly vmax: number;
  readonly scale: BlockScale;
  readonly ratesHz: Float64Array;
  readonly origin?: SourceLocation;
}

export interface WeightReport {
  readonly weightExp: number;
  readonly mantissaBitsUsed: number;
  /** Largest and RMS |D − ideal| relative to the group's largest ideal weight. */
  readonly maxRelError: number;
  readonly rmsRelError: number;
  readonly nonzero: number;
  readonly roundedToZero: number;
  /** Share of Σ|ideal weight| carried by the weights that round to zero. */
  readonly lostMagnitude: number;
}

export interface QGroup {
  readonly id: string;
  readonly pre: HwGroup["pre"];
  readonly post: string;
  readonly nPre: number;
  readonly nPost: number;
  /** Largest weight exponent of the group's rows (for reports). */
  readonly weightExp: number;
  /** Weight exponent of each pre's row: each row uses the finest grid its largest weight allows. */
  readonly rowExp: Int8Array;
  /**
   * nPre × nPost stored Wgt fields (0 where no synapse or rounded away): 16 bits hold every
   * field (|Wgt| ≤ 254), and these arrays are most of a compile's fresh memory (psMNIST: 42 MB
   * in 32 bits for its 256 hub outputs alone).
   */
  readonly wgt: Int16Array;
  readonly connections: readonly string[];
  readonly report: WeightReport;
  /**
   * Input axons shared by pres whose rows are identical (the levels of a decode row): pre
   * compartment k drives row rowOfPre[k] (−1: no row), so nPre counts distinct rows. Absent: row
   * j belongs to pre compartment j. Every spike of every pre still delivers its row.
   */
  readonly rowOfPre?: Int32Array;
  readonly origin?: SourceLocation;
}

export interface BlockReport {
  readonly block: string;
  readonly scale: BlockScale;
  readonly decayU: number;
  readonly decayV: number;
  readonly vth: number;
  /** VTH_MAX / vth: how far the threshold could still grow. */
  readonly thresholdHeadroom: number;
  /** 2^21 / (largest q one step could bring if every input spiked at once). */
  readonly accumulatorHeadroomWorstCase: number;
  /** 2^21 / (largest q expected per step at the calibrated rates). */
  readonly accumulatorHeadroomExpected: number;
}

export interface QuantizedNetwork {
  readonly stage: "quantized";
  readonly name: string;
  readonly dtSeconds: number;
  readonly blocks: readonly QBlock[];
  readonly groups: readonly QGroup[];
  readonly inputs: readonly HwInput[];
  readonly host: BuiltNetwork;
  readonly toHost: readonly string[];
  readonly blockReports: readonly BlockReport[];
  readonly warnings: readonly Diagnostic[];
  readonly notes: HwNetwork["notes"];
}
