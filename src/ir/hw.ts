/**
 * HwNetwork: the network split into what runs on the chip and what runs on the host, with the
 * chip part still in float ("simreal", hardware-model §2.7):
 *
 *   u ← (1 − δu)·u + δu·q          q = Σ weights of the spikes delivered this step
 *   v ← (1 − δv)·v + s_v·(u + bias)   s_v = δv for LIF, 1 for integrate-and-fire (spiking ReLU)
 *   spike when v > vth; then v ← 0 and the compartment is refractory for refractDelay − 1 steps
 *
 * Units: u, q, bias in the ensemble's current units (Nengo's J); a weight is the q one spike adds.
 * The host part is a BuiltNetwork run by the float simulator: chip ensembles whose spikes the
 * host reads appear there as `external` ensembles, and host values enter the chip as spikes of
 * on/off encoder ensembles (Nengo spiking ReLU pairs, hardware-model §5.12).
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { Mat } from "../math/matrix.js";
import type { BuiltNetwork } from "./built.js";

export interface HwBlock {
  /** The ensemble's id. */
  readonly id: string;
  readonly n: number;
  readonly neuron: "lif" | "if";
  /** Fraction of u lost per step, in [0, 1]; 1 = no filter (u = q). */
  readonly decayU: number;
  /**
   * u sums q as it comes (u ← (1 − δu)·u + q, no δu normalisation): a leaky integrator, as the
   * sigma-delta decode neurons use. Otherwise u is a unit-gain filter of q.
   */
  readonly integrator?: boolean;
  /** Fraction of v lost per step; 0 = perfect integration. */
  readonly decayV: number;
  readonly vth: number;
  readonly bias: Float64Array;
  /** Refractory period in steps (1 = none). */
  readonly refractDelay: number;
  /** Float voltage floor (LIF min_voltage; 0 for integrate-and-fire). */
  readonly vmin: number;
  /** Largest |u| the calibration run saw per compartment (current units): bounds its scale. */
  readonly uPeak: Float64Array;
  /** Expected firing rate per compartment (Hz), from calibration: weights placement by traffic. */
  readonly ratesHz: Float64Array;
  readonly origin?: SourceLocation;
}

export type HwPre = { readonly kind: "block"; readonly block: string } | { readonly kind: "input"; readonly input: string };

/** Weights from every pre (compartment or input channel) to every compartment of one post block. */
export interface HwGroup {
  readonly id: string;
  readonly pre: HwPre;
  readonly post: string;
  /**
   * q per spike in the post's current units; zeros are not stored on chip. nPre × nPost, or with
   * `postStart`, nPre × width: the post compartments postStart … postStart + width − 1, and no
   * synapse into any other (a memory ensemble's input to its decode hub reaches its own row's 8
   * of the hub's 2048 compartments; dense, the psMNIST memory's 256 inputs were 84 MB of zeros).
   */
  readonly weights: Mat;
  readonly postStart?: number;
  /**
   * Per-row windows instead (never with postStart): nPre × width, row j covering the post
   * compartments rowStart[j] … rowStart[j] + width − 1. Decode neurons' feedback and outputs and
   * on/off encoders into per-dimension ensembles reach 1–16 neighbouring compartments per row:
   * dense, psMNIST-shape's were 7 matrices of 4–7M entries, 99.6 % zeros that every pass read.
   */
  readonly rowStart?: Int32Array;
  /**
   * Rows shared between pres: pre j's weights are row rowOfPre[j] of `weights` (and of rowStart),
   * so weights has one row per distinct row. A decode block's levels send the same value: the 4
   * on compartments of a row share one row, its 4 off compartments the negated one (psMNIST's hub
   * → memory weights were 8 copies of each row, 84 MB written for 10).
   */
  readonly rowOfPre?: Int32Array;
  readonly connections: readonly string[];
  readonly origin?: SourceLocation;
}

/** The post compartment of column 0 of row j of g's weights (a row of weights, not a pre, where rows are shared). */
export function windowStartOf(g: HwGroup, j: number): number {
  return g.rowStart ? g.rowStart[j] : g.postStart ?? 0;
}

/** How many pres g connects: its weights' rows, or as many as rowOfPre maps. */
export function preCountOf(g: HwGroup): number {
  return g.rowOfPre ? g.rowOfPre.length : g.weights.rows;
}

/** The row of g's weights pre j reads (j itself unless rows are shared). */
export function rowOfPreIn(g: HwGroup, j: number): number {
  return g.rowOfPre ? g.rowOfPre[j] : j;
}

/** A host spike source feeding the chip: the spikes of host ensemble `id`, one channel per neuron. */
export interface HwInput {
  readonly id: string;
  readonly channels: number;
  /** Per row (channel pair): the value one spike of its on channel stands for (the full scale). */
  readonly scale: Float64Array;
  readonly connection: string;
  readonly ratesHz: Float64Array;
  readonly origin?: SourceLocation;
}

export interface HwNetwork {
  readonly stage: "hw";
  readonly name: string;
  readonly dtSeconds: number;
  readonly blocks: readonly HwBlock[];
  readonly groups: readonly HwGroup[];
  readonly inputs: readonly HwInput[];
  /** What runs on the host: nodes, encoders, decoding of chip spikes, probes. */
  readonly host: BuiltNetwork;
  /** Chip blocks whose spikes the host reads (an external ensemble of the same id). */
  readonly toHost: readonly string[];
  readonly notes: readonly { readonly message: string; readonly origin?: SourceLocation }[];
}
