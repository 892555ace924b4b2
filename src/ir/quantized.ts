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
   * Stored Wgt fields (|Wgt| ≤ 254 fits 16 bits), each row over a window of the post only: row
   * j's field for post compartment i is wgt[rowBase[j] + i] for spanFirst[j] ≤ i ≤ spanLast[j]
   * (its first and last non-zero field) and 0 outside that span, where nothing may be read. An
   * empty row has spanFirst > spanLast. Dense nPre × nPost arrays were most of a compile's fresh
   * memory and their zeros most of its scans (psMNIST: the rows of 5120 memory neurons into the
   * hub reach 8 of its 2048 compartments each).
   */
  readonly wgt: Int16Array;
  readonly rowBase: Int32Array;
  readonly spanFirst: Int32Array;
  readonly spanLast: Int32Array;
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

/** Row j's field for post compartment i (0 outside the row's span). */
export function fieldAt(g: Pick<QGroup, "wgt" | "rowBase" | "spanFirst" | "spanLast">, j: number, i: number): number {
  return i >= g.spanFirst[j] && i <= g.spanLast[j] ? g.wgt[g.rowBase[j] + i] : 0;
}

/** How many of row j's fields are non-zero (its span is all that is read). */
export function rowNonzeros(g: Pick<QGroup, "wgt" | "rowBase" | "spanFirst" | "spanLast">, j: number): number {
  let n = 0;
  for (let i = g.rowBase[j] + g.spanFirst[j], e = g.rowBase[j] + g.spanLast[j]; i <= e; i++) if (g.wgt[i] !== 0) n++;
  return n;
}

/** The rows of a dense nPre × nPost array of fields as QGroup stores them (the array itself, spans found by a scan). */
export function rowsFromDense(nPre: number, nPost: number, dense: Int16Array): Pick<QGroup, "wgt" | "rowBase" | "spanFirst" | "spanLast"> {
  const rowBase = new Int32Array(nPre), spanFirst = new Int32Array(nPre).fill(nPost), spanLast = new Int32Array(nPre).fill(-1);
  for (let j = 0; j < nPre; j++) {
    const base = j * nPost;
    rowBase[j] = base;
    let i = 0;
    while (i < nPost && dense[base + i] === 0) i++;
    if (i === nPost) continue;
    spanFirst[j] = i;
    let k = nPost - 1;
    while (dense[base + k] === 0) k--;
    spanLast[j] = k;
  }
  return { wgt: dense, rowBase, spanFirst, spanLast };
}

/** g's fields as a dense nPre × nPost array (tests compare groups this way). */
export function denseFields(g: Pick<QGroup, "nPre" | "nPost" | "wgt" | "rowBase" | "spanFirst" | "spanLast">): Int16Array {
  const out = new Int16Array(g.nPre * g.nPost);
  for (let j = 0; j < g.nPre; j++) {
    if (g.spanFirst[j] > g.spanLast[j]) continue;
    out.set(g.wgt.subarray(g.rowBase[j] + g.spanFirst[j], g.rowBase[j] + g.spanLast[j] + 1), j * g.nPost + g.spanFirst[j]);
  }
  return out;
}

/**
 * The spans of rows `rows` (in that order) of a source packed one after another: the new group's
 * wgt, rowBase and spans, each row's fields copied from fieldsOf(j)[baseOf(j) + i] over its span.
 */
export function packRows(rows: ArrayLike<number>, first: Int32Array, last: Int32Array, nPost: number, fieldsOf: (j: number) => Int16Array, baseOf: (j: number) => number): Pick<QGroup, "wgt" | "rowBase" | "spanFirst" | "spanLast"> {
  const n = rows.length;
  let total = 0;
  for (let r = 0; r < n; r++) total += Math.max(0, last[rows[r]] - first[rows[r]] + 1);
  const wgt = new Int16Array(total), rowBase = new Int32Array(n), spanFirst = new Int32Array(n).fill(nPost), spanLast = new Int32Array(n).fill(-1);
  let at = 0;
  for (let r = 0; r < n; r++) {
    const j = rows[r], f = first[j], l = last[j];
    if (f > l) continue;
    const b = baseOf(j);
    wgt.set(fieldsOf(j).subarray(b + f, b + l + 1), at);
    rowBase[r] = at - f;
    spanFirst[r] = f;
    spanLast[r] = l;
    at += l - f + 1;
  }
  return { wgt, rowBase, spanFirst, spanLast };
}
