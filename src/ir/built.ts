/**
 * BuiltNetwork: every random draw made and every decoder solved. This is all the float
 * simulator reads, and what lowering to hardware starts from. Plain data.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { Mat } from "../math/matrix.js";
import type { NeuronModel } from "../neurons/models.js";
import type { FunctionSpec, LearningRuleIR, NodeIR, ProbeAttr, Synapse } from "./network.js";

export interface BuiltEnsemble {
  readonly id: string;
  readonly nNeurons: number;
  readonly dimensions: number;
  readonly neuron: NeuronModel;
  readonly radius: number;
  readonly gain: Float64Array;
  readonly bias: Float64Array;
  /** Unit-length encoders, n × d. */
  readonly encoders: Mat;
  /** Radius-scaled eval points, m × d. */
  readonly evalPoints: Mat;
  readonly initialVoltage: Float64Array;
  readonly role: "user" | "lmu-state" | "encoder";
  /** Runs elsewhere (on the chip); the host simulator takes its spikes from outside. */
  readonly external?: boolean;
  readonly origin?: SourceLocation;
}

/**
 * e as the host program keeps a chip ensemble it reads spikes from: its size, neuron type and
 * name only. The chip runs its neurons and the host never solves for it (its decoders are in its
 * connections), so gains, biases, initial voltages, encoders (0 × d) and eval points (0 × d) are
 * left out: they were most of host.json (the eval points 3.8 of psMNIST's 5.1 MB; gains,
 * biases and encoders 0.87 of the 5 step LMUs' 1.68 MB), written, hashed and parsed back for nothing.
 */
export function asExternal(e: BuiltEnsemble): BuiltEnsemble {
  const none = new Float64Array(0);
  return { ...e, gain: none, bias: none, initialVoltage: none, encoders: { rows: 0, cols: e.dimensions, data: none }, evalPoints: { rows: 0, cols: e.dimensions, data: none }, external: true };
}

/** What a connection reads at run time. */
export type BuiltSource =
  /** w = W · f(node output[indices]). */
  | { readonly kind: "node"; readonly id: string; readonly indices: readonly number[]; readonly fn: FunctionSpec }
  /** w = W · a[indices] with a the ensemble's neuron outputs (decoded connections have W = T·Dᵀ). */
  | { readonly kind: "neurons"; readonly id: string; readonly indices: readonly number[] };

export type BuiltTarget =
  /** Adds to the ensemble's decoded input x (then encoded with gain/radius). */
  | { readonly kind: "ensemble"; readonly id: string; readonly indices: readonly number[] }
  /** Adds to the neurons' input current J; `gainScaled`: multiplied by the post gain first (Nengo does for every connection into .neurons except full-weight solves). */
  | { readonly kind: "neurons"; readonly id: string; readonly indices: readonly number[]; readonly gainScaled: boolean }
  | { readonly kind: "node"; readonly id: string; readonly indices: readonly number[] };

export interface SolveReport {
  readonly function: string;
  readonly reg: number;
  readonly nEvalPoints: number;
  readonly rmses: readonly number[];
  readonly explicit: boolean;
}

export interface BuiltConnection {
  readonly id: string;
  readonly source: BuiltSource;
  readonly target: BuiltTarget;
  /** d_out × d_in: rows = target indices, columns = source indices. */
  readonly weights: Mat;
  readonly synapse: Synapse;
  /** Decoders (n × d_f) of a decoded connection, kept for lowering and reports. */
  readonly decoders?: Mat;
  /** Value-space transform (d_out × d_f) of a decoded connection: weights = transform · decodersᵀ. */
  readonly transform?: Mat;
  readonly solve?: SolveReport;
  /** Online learning: `weights` are the initial W = T·Dᵀ, which the rule changes every step. */
  readonly learning?: LearningRuleIR;
  readonly origin?: SourceLocation;
}

/** A connection carrying an error signal into a learned connection's rule. */
export interface BuiltErrorConnection extends Omit<BuiltConnection, "target" | "learning"> {
  /** `id` is the learned connection; indices select its output dimensions (the error's size is its dOut). */
  readonly target: { readonly kind: "learning"; readonly id: string; readonly indices: readonly number[] };
}

export type BuiltProbeTarget =
  | { readonly kind: "node"; readonly id: string; readonly indices: readonly number[] }
  /** Decoded ensemble value: D^T·a restricted to indices; `weights` is d × n. */
  | { readonly kind: "decoded"; readonly id: string; readonly weights: Mat; readonly solve?: SolveReport }
  | { readonly kind: "neurons"; readonly id: string; readonly indices: readonly number[] };

export interface BuiltProbe {
  readonly id: string;
  readonly target: BuiltProbeTarget;
  readonly attr: ProbeAttr;
  readonly synapse: Synapse;
  readonly sampleEverySteps: number;
  readonly size: number;
  readonly origin?: SourceLocation;
}

export interface BuiltNetwork {
  readonly stage: "built";
  readonly name: string;
  readonly dtSeconds: number;
  readonly seed: number;
  readonly file: string;
  readonly nodes: readonly NodeIR[];
  readonly ensembles: readonly BuiltEnsemble[];
  readonly connections: readonly BuiltConnection[];
  readonly probes: readonly BuiltProbe[];
  /** Error signals into learned connections (absent when nothing learns). */
  readonly errorConnections?: readonly BuiltErrorConnection[];
}
