/**
 * NetworkIR: the float-level network as the user described it, after parsing and checking, with
 * nothing drawn at random yet. Plain data (serializable with ./json.ts); no methods.
 * Every object carries `origin`, the place in the user's file that asked for it, so that errors
 * found in any later pass still point at a YAML line.
 */
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { Mat } from "../math/matrix.js";
import type { NeuronModel } from "../neurons/models.js";
import type { Distribution } from "../nef/samplers.js";

export type { Distribution, NeuronModel };

/** Explicit values or a distribution to draw them from (seeded per object). */
export type VectorSpec = { readonly kind: "explicit"; readonly values: Float64Array } | { readonly kind: "dist"; readonly dist: Distribution };
export type MatrixSpec = { readonly kind: "explicit"; readonly values: Mat } | { readonly kind: "dist"; readonly dist: Distribution };

export type Synapse = { readonly kind: "none" } | { readonly kind: "lowpass"; readonly tauSeconds: number };

/** Functions a connection can compute (decoded: at build time only; from a node: every step). */
export type FunctionSpec =
  | { readonly kind: "identity" }
  | { readonly kind: "square" }
  | { readonly kind: "product" }
  /** Shifted-Legendre readout of an LMU state: u(t − delaySeconds) (linear, so it folds into the transform). */
  | { readonly kind: "legendre-delay"; readonly delaySeconds: number }
  /** Piecewise-linear 1-D table: y(x) for x in xs (sorted); outside the table the end values hold. */
  | { readonly kind: "tabulated"; readonly xs: readonly number[]; readonly ys: readonly (readonly number[])[] }
  /** All zeros, `size` of them (Nengo's `lambda x: 0`): the usual start of a learned connection. */
  | { readonly kind: "zero"; readonly size: number };

export type NodeOutput =
  | { readonly kind: "constant"; readonly value: readonly number[] }
  | { readonly kind: "step"; readonly timeSeconds: number; readonly before: readonly number[]; readonly after: readonly number[] }
  | { readonly kind: "sine"; readonly frequencyHz: number; readonly amplitude: readonly number[]; readonly phaseRadians: number; readonly offset: readonly number[] }
  | { readonly kind: "piecewise"; readonly timesSeconds: readonly number[]; readonly values: readonly (readonly number[])[]; readonly interpolation: "zero" | "linear" }
  | { readonly kind: "white-noise"; readonly periodSeconds: number; readonly highHz: number; readonly rms: number; readonly seed: number; readonly y0?: number }
  /** Samples: row n−1 is output at step n (the reference convention). */
  | { readonly kind: "data"; readonly values: Mat; readonly afterEnd: "repeat" | "hold" | "zero"; readonly source: string }
  /** Output = input of the same step. */
  | { readonly kind: "passthrough" }
  /** Output = f(input of the same step). */
  | { readonly kind: "function"; readonly fn: FunctionSpec }
  /**
   * Discrete linear system: output at step n is the state x_n; after the step x_{n+1} = Ad·x_n + Bd·u_n.
   * The ideal LMU: one step behind its input, like the neural LMU with a synapse.
   */
  | { readonly kind: "linear-system"; readonly Ad: Mat; readonly Bd: Mat }
  /** Output at step n = input at step n − delaySteps (0 before the start). */
  | { readonly kind: "delay"; readonly delaySteps: number }
  /**
   * Sample-and-hold clocked every periodSteps steps: output at step n is the mean of its input
   * over the averageSteps steps ending at the last step m < n that is a multiple of periodSteps
   * (0 before the first). A trained cell's recurrence on h_{t−1}, held over the K steps of
   * sequence step t (passes/convert-cells.ts); averaging the settled end of the step cuts spike noise.
   */
  | { readonly kind: "sample-hold"; readonly periodSteps: number; readonly averageSteps: number };

/** Why a node exists; `user` nodes come from the file, the rest from passes. */
export type NodeRole = "user" | "lmu-ideal" | "lmu-input" | "lmu-output" | "exact-delay" | "cell";

export interface NodeIR {
  readonly id: string;
  readonly sizeIn: number;
  readonly sizeOut: number;
  readonly output: NodeOutput;
  readonly role: NodeRole;
  /**
   * A passthrough or function node whose output is 0 from t = n·dt ≥ untilSeconds on (Nengo's
   * `lambda t, x: x if t < t_off else 0`): an error signal that switches learning off.
   */
  readonly untilSeconds?: number;
  readonly origin?: SourceLocation;
}

export interface EnsembleIR {
  readonly id: string;
  readonly nNeurons: number;
  readonly dimensions: number;
  readonly neuron: NeuronModel;
  readonly radius: number;
  readonly maxRatesHz: VectorSpec;
  readonly intercepts: VectorSpec;
  /** Given together, they replace max rates and intercepts. */
  readonly gain?: Float64Array;
  readonly bias?: Float64Array;
  readonly encoders: MatrixSpec;
  /** Unit-ball eval points (multiplied by the radius at build time); count used for a distribution. */
  readonly evalPoints: MatrixSpec;
  readonly nEvalPoints: number;
  readonly initialVoltage: VectorSpec;
  readonly seed: number;
  readonly role: "user" | "lmu-state";
  readonly origin?: SourceLocation;
}

/** Parameters for the ensembles that represent an LMU's state. */
export interface LmuEnsembleTemplate {
  readonly nNeurons: number;
  readonly neuron: NeuronModel;
  readonly radius: number;
  readonly maxRatesHz: VectorSpec;
  readonly intercepts: VectorSpec;
  readonly gain?: Float64Array;
  readonly bias?: Float64Array;
  readonly encoders: MatrixSpec;
  readonly evalPoints: MatrixSpec;
  readonly nEvalPoints?: number;
  readonly initialVoltage: VectorSpec;
  readonly solverReg: number;
  readonly decoders?: Mat;
}

export type LmuImplementation =
  | { readonly kind: "ideal" }
  | {
      readonly kind: "neurons";
      /** One ensemble for the whole state, or one 1-D ensemble per state dimension. */
      readonly layout: "single" | "per-dimension";
      readonly mapping: "continuous" | "discrete";
      readonly tauSeconds: number;
      readonly ensemble: LmuEnsembleTemplate;
    };

export interface LmuIR {
  readonly id: string;
  readonly order: number;
  readonly thetaSeconds: number;
  readonly discretization: "zoh" | "euler";
  /** Where the LMU's scalar input comes from (immediate, no synapse: the LMU's own dynamics filter it). */
  readonly input: Endpoint;
  readonly implementation: LmuImplementation;
  readonly seed: number;
  readonly origin?: SourceLocation;
}

/** One end of a connection or a probe target: an object, its neurons or its decoded value, and a slice. */
export interface Endpoint {
  readonly id: string;
  /** `neurons` only for ensembles (`ens.neurons`). */
  readonly part: "value" | "neurons";
  /** Selected component indices; undefined = all. */
  readonly indices?: readonly number[];
  readonly text: string;
}

export type TransformSpec =
  | { readonly kind: "scalar"; readonly value: number }
  | { readonly kind: "matrix"; readonly values: Mat }
  | { readonly kind: "dist"; readonly dist: Distribution; readonly rows: number; readonly cols: number };

export interface SolverSpec {
  readonly reg: number;
  /** Solve for full neuron-to-neuron weights (Nengo's weights=True). */
  readonly weights: boolean;
}

export interface ConnectionIR {
  readonly id: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly transform: TransformSpec;
  readonly fn: FunctionSpec;
  readonly synapse: Synapse;
  readonly solver: SolverSpec;
  /** Explicit decoders [n_pre × d_f] replace the solve. */
  readonly decoders?: Mat;
  /** Explicit eval points for this connection (unit ball; default: the ensemble's). */
  readonly evalPoints?: Mat;
  readonly seed: number;
  /** Learns its decoders online (only on a decoded connection from an ensemble). */
  readonly learningRule?: LearningRuleIR;
  readonly origin?: SourceLocation;
}

/**
 * Nengo's PES (float-semantics.md §12a): Δ = outer(−κ·dt/n · e, s_pre) added to the connection's
 * weights, with s_pre the pre ensemble's activity through `preSynapse`.
 */
export interface LearningRuleIR {
  readonly kind: "pes";
  readonly learningRate: number;
  readonly preSynapse: Synapse;
}

/**
 * A connection whose target is a learned connection's error input (`<connection>.learning`).
 * `to.id` is the learned connection's IR id; `to` has the connection's output size.
 */
export type ErrorConnectionIR = ConnectionIR;

export type ProbeAttr = "decoded" | "output" | "spikes" | "voltage";

export interface ProbeIR {
  readonly id: string;
  readonly target: Endpoint;
  readonly attr: ProbeAttr;
  readonly synapse: Synapse;
  readonly sampleEverySteps: number;
  readonly solver: SolverSpec;
  readonly decoders?: Mat;
  /**
   * The value this probe should show (`reference:` in the file): a node, ensemble or LMU value of
   * the probe's size. `compare` records it through the probe's synapse in the float run and
   * reports each run's NRMSE against it.
   */
  readonly reference?: Endpoint;
  readonly origin?: SourceLocation;
}

/** Per-step input from a dataset: at sequence step t the value is row t of the current sequence. */
export interface SequenceInputIR {
  readonly id: string;
  readonly dimensions: number;
  readonly origin?: SourceLocation;
}

/**
 * A trained LMU cell (pytorch-lmu `LMU`/`LMUCell` or `LMUFFT`); its float run is one cell step per
 * sequence step, from zero state:
 *   u_t = f_u(e_x·x_t + e_h·h_{t−1} + e_m·m_{t−1} + b_u)      (scalar memory input)
 *   m_t = A·m_{t−1} + B·u_t                                    (A, B: stored ZOH matrices, dt = 1 step)
 *   h_t = f_h(W_x·x_t + W_h·h_{t−1} + W_m·m_t + b_h)
 * LMUFFT has no recurrence through h (eh, em, Wh absent), f_u = relu, and its W_h on [m; x] is
 * split into Wm and Wx. Absent terms are absent, not zero, so a later lowering places no synapses.
 */
export interface TrainedCellIR {
  readonly id: string;
  readonly kind: "lmu" | "lmu-fft";
  /** Id of the sequence input feeding x_t. */
  readonly input: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly order: number;
  /** θ of the stored discretization, in sequence steps (informational: A and B are used as stored). */
  readonly thetaSteps: number;
  readonly hiddenNonlinearity: "tanh" | "relu";
  readonly memoryInputNonlinearity: "none" | "relu";
  /** order × order and order × 1. */
  readonly A: Mat;
  readonly B: Mat;
  /** 1 × inputSize, 1 × hiddenSize, 1 × order. */
  readonly ex: Mat;
  readonly eh?: Mat;
  readonly em?: Mat;
  readonly uBias: number;
  /** hiddenSize × inputSize, hiddenSize × hiddenSize, hiddenSize × order. */
  readonly Wx: Mat;
  readonly Wh?: Mat;
  readonly Wm: Mat;
  readonly hBias?: Float64Array;
  /** Spiking-conversion choices the network file sets (its `conversion:` block), in file order. */
  readonly conversion?: readonly ConversionSetting[];
  /** The network file's `calibration:` block: the inputs the conversion's ranges come from. */
  readonly calibration?: CellCalibration;
  readonly origin?: SourceLocation;
}

/** Calibration inputs named on a trained cell: a .npy [sequences, steps, inputs], resolved against the network file's folder. */
export interface CellCalibration {
  /** Absolute path. */
  readonly inputsFile: string;
  /** As written in the file (what messages and build records name). */
  readonly inputs: string;
  /** Only the first N sequences (default: all). */
  readonly sequences?: number;
  readonly origin?: SourceLocation;
}

export type ConversionValue = number | string | boolean | readonly number[];

/** One conversion choice set in the network file: the ConversionOptions name, its YAML key, where. */
export interface ConversionSetting {
  readonly option: string;
  readonly key: string;
  readonly value: ConversionValue;
  readonly origin?: SourceLocation;
}

/** A linear readout with bias of a cell's hidden state after the last sequence step: y = W·h + b. */
export interface ReadoutIR {
  readonly id: string;
  /** Id of the trained cell it reads. */
  readonly from: string;
  /** outputs × hiddenSize. */
  readonly weight: Mat;
  readonly bias: Float64Array;
  readonly origin?: SourceLocation;
}

export interface NetworkIR {
  readonly stage: "network";
  readonly name: string;
  readonly dtSeconds: number;
  readonly seed: number;
  readonly file: string;
  readonly nodes: readonly NodeIR[];
  readonly ensembles: readonly EnsembleIR[];
  readonly lmus: readonly LmuIR[];
  readonly connections: readonly ConnectionIR[];
  readonly probes: readonly ProbeIR[];
  /** Error signals into learned connections (absent when nothing learns). */
  readonly errorConnections?: readonly ErrorConnectionIR[];
  /** Trained models (lmuc import): dataset inputs, cells and readouts; absent in hand-written networks. */
  readonly sequenceInputs?: readonly SequenceInputIR[];
  readonly cells?: readonly TrainedCellIR[];
  readonly readouts?: readonly ReadoutIR[];
}
