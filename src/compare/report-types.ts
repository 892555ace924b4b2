/** report.json of `lmuc compare`: float simulator vs chip emulator vs ideal, on the same inputs. */
import type { LearningComparison } from "./learning-panel.js";
import type { ConnectionQuantReport } from "../passes/compile-report.js";

export interface TraceSet {
  /** Time of each plotted sample, seconds: every `strideSamples`-th recorded sample (metrics use every one). */
  readonly t: readonly number[];
  /** The probe dimensions drawn as lines, and why these ("all", or those with the largest emulator − float error). */
  readonly dims: readonly number[];
  readonly selection: "all" | "largest emulator − float error";
  readonly strideSamples: number;
  /** [line][sample], one line per entry of `dims`. */
  readonly float: readonly (readonly number[])[];
  readonly emulator: readonly (readonly number[])[];
  readonly ideal?: readonly (readonly number[])[];
}

/** Every dimension, mean over `columns` equal time bins: [dimension][column]. */
export interface HeatMap {
  readonly columns: number;
  readonly endSeconds: number;
  readonly float: readonly (readonly number[])[];
  readonly emulator: readonly (readonly number[])[];
  readonly ideal?: readonly (readonly number[])[];
}

/** Every recorded sample of [startSeconds, endSeconds), for the dimensions drawn as lines. */
export interface TraceWindow {
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly t: readonly number[];
  readonly float: readonly (readonly number[])[];
  readonly emulator: readonly (readonly number[])[];
  readonly ideal?: readonly (readonly number[])[];
}

/** NRMSE over all dimensions in consecutive windows ending at `t`. */
export interface SlidingNrmse {
  readonly windowSeconds: number;
  readonly t: readonly number[];
  readonly refKind?: string;
  readonly floatVsRef?: readonly number[];
  readonly emulatorVsRef?: readonly number[];
  readonly emulatorVsFloat: readonly number[];
}

/** One reference a probe is measured against: the ideal LMU, the exactly delayed input. */
export interface ProbeReference {
  readonly kind: string;
  readonly nrmseFloat: number;
  readonly nrmseEmulator: number;
}

export interface ProbeComparison {
  readonly id: string;
  readonly attr: string;
  readonly size: number;
  /** NRMSE (reference README definition) of each run against the first reference, and emulator vs float. */
  readonly nrmseFloatVsIdeal?: number;
  readonly nrmseEmulatorVsIdeal?: number;
  readonly nrmseEmulatorVsFloat: number;
  /** Pearson correlation of emulator and float over all samples and dimensions. */
  readonly correlation: number;
  /** What "ideal" means for this probe: the first of `references` ("target <endpoint>" stated in the file, "ideal LMU", "exact delay" or "ideal functions"). */
  readonly idealKind?: string;
  /** Every reference this probe has, in order: ideal LMU, then exact delay (legendre-delay readouts). */
  readonly references?: readonly ProbeReference[];
  readonly traces: TraceSet;
  readonly heat?: HeatMap;
  readonly window?: TraceWindow;
  readonly sliding?: SlidingNrmse;
}

export interface SpikeComparison {
  readonly ensemble: string;
  readonly neurons: number;
  readonly meanRateFloatHz: number;
  readonly meanRateEmulatorHz: number;
  /** Spike counts of a few neurons per bin of `binSteps` steps over the WHOLE run: [neuron][bin]. */
  readonly raster: {
    readonly binSteps: number;
    readonly bins: number;
    readonly neurons: readonly number[];
    readonly float: readonly (readonly number[])[];
    readonly emulator: readonly (readonly number[])[];
  };
  /** The same neurons' spikes at full resolution in one window: 0-based rows (row r is step r + 1), [neuron][spike]. */
  readonly window: { readonly startSeconds: number; readonly endSeconds: number; readonly float: readonly (readonly number[])[]; readonly emulator: readonly (readonly number[])[] };
  /** Mean rate of all the ensemble's neurons per bin, Hz. */
  readonly population: { readonly binSteps: number; readonly float: readonly number[]; readonly emulator: readonly number[] };
  /** Neurons per bin of mean rate over the run. */
  readonly rateHistogram: { readonly edgesHz: readonly number[]; readonly float: readonly number[]; readonly emulator: readonly number[] };
}

/** Rate (Hz) vs x (units of the radius, along each neuron's encoder) in float and as the chip runs it. */
export interface TuningComparison {
  readonly ensemble: string;
  readonly neuron: string;
  readonly neurons: readonly number[];
  readonly x: readonly number[];
  readonly float: readonly (readonly number[])[];
  readonly chip: readonly (readonly number[])[];
  /** Σ chip rate / Σ float rate over all neurons and evaluation points: the expected rate difference. */
  readonly chipToFloatRateRatio: number;
}

export interface CauseFigures {
  readonly synaptic: number;
  readonly compartments: number;
  readonly messages: number;
  readonly learning: number;
}

export interface CoreCost {
  readonly core: number;
  readonly chip: number;
  readonly compartments: number;
  readonly inputAxons: number;
  readonly outputAxons: number;
  readonly synapseBits: number;
  /** Fractions of the per-core limits in use. */
  readonly utilisation: { readonly compartments: number; readonly inputAxons: number; readonly outputAxons: number; readonly synapseBits: number };
  readonly nsPerStep: number;
  readonly pjPerStep: number;
  readonly synapticEvents: number;
  readonly spikes: number;
  /** nsPerStep and pjPerStep by cause (they add up to them). */
  readonly nsByCause?: CauseFigures;
  readonly pjByCause?: CauseFigures;
  /** Where the core sits: chip, tile and its mesh coordinates (hardware-model §7.2). */
  readonly tile?: number;
  readonly x?: number;
  readonly y?: number;
  readonly blocks?: readonly string[];
}

export interface BlockHeadroom {
  readonly block: string;
  /** 2^21 / the largest |q| one step can bring: if every input spiked at once, and at the calibrated rates (absent: unbounded). */
  readonly worstCase?: number;
  readonly typical?: number;
}

export interface CompareReport {
  readonly format: "lmuc-compare/1";
  readonly lmuc: string;
  readonly network: string;
  readonly source: string;
  readonly target: string;
  readonly dtSeconds: number;
  readonly steps: number;
  readonly chip: { readonly cores: number; readonly lowerBound: number; readonly chips: number; readonly neuronsOnChip: number; readonly build: string };
  readonly probes: readonly ProbeComparison[];
  readonly spikes: readonly SpikeComparison[];
  readonly tuning?: TuningComparison;
  readonly cost: {
    readonly stepNsMean: number;
    readonly stepNsMax: number;
    readonly energyPjMean: number;
    /** Modelled chip time per step relative to real time (dt). */
    readonly realTimeFactor: number;
    readonly synapticEvents: number;
    readonly overflows: { readonly q: number; readonly u: number; readonly uBias: number };
    readonly perCore: readonly CoreCost[];
    /** Barrier synchronisation per step, ns (part of the step time; no core owns it). */
    readonly barrierNs?: number;
    /** Static power per chip (W) from the measured system figures, for a note: not in energyPjMean. */
    readonly staticWattsPerChip?: number;
    /** Spike messages per step between cores (from −1: the host's input encoders). */
    readonly traffic?: readonly { readonly from: number; readonly to: number; readonly messagesPerStep: number; readonly hops: number }[];
  };
  /** What compile reports per connection (quantization loss) and per block (accumulator headroom). */
  readonly quantization?: { readonly connections: readonly ConnectionQuantReport[]; readonly headroom: readonly BlockHeadroom[] };
  readonly check?: { readonly maxNrmse: number; readonly passed: boolean; readonly worst: number };
  /** Learning curves, float vs chip, of learned connections whose output and target are probed. */
  readonly learning?: readonly LearningComparison[];
}
