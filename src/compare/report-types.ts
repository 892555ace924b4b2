/** report.json of `lmuc compare`: float simulator vs chip emulator vs ideal, on the same inputs. */
import type { LearningComparison } from "./learning-panel.js";

export interface TraceSet {
  /** Time of each plotted sample, seconds (downsampled for plotting; metrics use every step). */
  readonly t: readonly number[];
  /** [dimension][sample]; only the first few dimensions of a probe are kept for plots. */
  readonly float: readonly (readonly number[])[];
  readonly emulator: readonly (readonly number[])[];
  readonly ideal?: readonly (readonly number[])[];
}

export interface ProbeComparison {
  readonly id: string;
  readonly attr: string;
  readonly size: number;
  /** NRMSE (reference README definition) of each run against the ideal, and emulator vs float. */
  readonly nrmseFloatVsIdeal?: number;
  readonly nrmseEmulatorVsIdeal?: number;
  readonly nrmseEmulatorVsFloat: number;
  /** Pearson correlation of emulator and float over all samples and dimensions. */
  readonly correlation: number;
  /** What "ideal" means for this probe: "ideal LMU" or "exact delay". */
  readonly idealKind?: string;
  readonly traces: TraceSet;
}

export interface SpikeComparison {
  readonly ensemble: string;
  readonly neurons: number;
  readonly meanRateFloatHz: number;
  readonly meanRateEmulatorHz: number;
  /** A few neurons' spike steps in each run, for a raster. */
  readonly raster: readonly { readonly neuron: number; readonly float: readonly number[]; readonly emulator: readonly number[] }[];
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
  readonly cost: {
    readonly stepNsMean: number;
    readonly stepNsMax: number;
    readonly energyPjMean: number;
    /** Modelled chip time per step relative to real time (dt). */
    readonly realTimeFactor: number;
    readonly synapticEvents: number;
    readonly overflows: { readonly q: number; readonly u: number; readonly uBias: number };
    readonly perCore: readonly CoreCost[];
  };
  readonly check?: { readonly maxNrmse: number; readonly passed: boolean; readonly worst: number };
  /** Learning curves, float vs chip, of learned connections whose output and target are probed. */
  readonly learning?: readonly LearningComparison[];
}
