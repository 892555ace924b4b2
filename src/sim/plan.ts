/**
 * The simulator's run-time layout: per-object plan records holding typed arrays, built once by
 * the Simulator's constructor and then only read and written in place by `step()`.
 */
import type { BuiltConnection, BuiltNetwork, BuiltProbe } from "../ir/built.js";
import type { PackedMatVec, PackedRowSum } from "../math/blas.js";
import type { NodeIR } from "../ir/network.js";
// Declared where they are compared in hot loops: a const enum imported from another module is
// emitted as a property load (isolatedModules), not an inlined constant.
import type { SourceKind, TargetKind } from "./simulator.js";

export interface ConnPlan {
  readonly id: string;
  readonly sourceKind: SourceKind;
  /** Index into nodePlans or ensPlans. */
  readonly source: number;
  readonly sourceIndices: Int32Array;
  readonly identitySource: boolean;
  /** Function applied to node outputs (undefined = identity). */
  readonly fn: BuiltConnection["source"] extends infer S ? (S extends { fn: infer F } ? F : never) | undefined : never;
  readonly fnIn: Float64Array;
  readonly fnOut: Float64Array;
  readonly dOut: number;
  readonly dIn: number;
  /** Row-major dOut × dIn (node sources) or, for neuron sources, dIn × dOut (one row per source neuron). */
  readonly weights: Float64Array;
  readonly targetKind: TargetKind;
  readonly target: number;
  readonly targetIndices: Int32Array;
  readonly targetGain: Float64Array | undefined;
  /** Event-driven W·a of a fixed neuron-source connection on the SIMD kernel (same sums), or null. */
  readonly eventKernel: PackedRowSum | null;
  /** W·f(x) of a fixed node-source connection on the SIMD kernel (same sums, column order), or null. */
  readonly nodeKernel: PackedMatVec | null;
  /** This step's connection output w_n. */
  readonly w: Float64Array;
  readonly filtered: boolean;
  /** Lowpass state, read by the target in the next step. */
  readonly state: Float64Array;
  readonly a: number;
  readonly b: number;
}

export interface NodePlan {
  readonly node: NodeIR;
  readonly input: Float64Array;
  readonly output: Float64Array;
  readonly stateful: boolean;
  readonly incoming: ConnPlan[];
  /** Precomputed samples (white noise, per dimension). */
  readonly samples?: Float64Array[];
  /** Linear system state and scratch, or the delay ring. */
  readonly state?: Float64Array;
  readonly scratch?: Float64Array;
  ringPos: number;
}

export interface EnsPlan {
  readonly id: string;
  readonly n: number;
  readonly d: number;
  readonly x: Float64Array;
  readonly J: Float64Array;
  readonly bias: Float64Array;
  readonly gain: Float64Array;
  /** (gain/radius) ⊙ E, n × d. */
  readonly scaledEncoders: Float64Array;
  /** scaledEncoders on the SIMD mat-vec kernel (same sums), for the larger ensembles; else null. */
  readonly encoderKernel: PackedMatVec | null;
  readonly output: Float64Array;
  readonly voltage: Float64Array;
  readonly refractory: Float64Array;
  readonly neuron: BuiltNetwork["ensembles"][number]["neuron"];
  readonly incoming: ConnPlan[];
  readonly hasDecodedInput: boolean;
  /** Runs elsewhere (the chip): output and voltage are written from outside before each step. */
  readonly external: boolean;
  /** Indices of neurons with non-zero output this step, ascending; valid for activeCount entries. */
  readonly active: Int32Array;
  activeCount: number;
}

export interface SpikeRecord {
  /** Per recorded neuron, the 0-based rows (steps − 1) with at least one spike. */
  readonly spikeSteps: number[][];
  /** Per recorded neuron, spike counts matching spikeSteps (more than 1 only for spiking ReLU). */
  readonly spikeCounts: number[][];
}

export interface ProbePlan {
  readonly probe: BuiltProbe;
  readonly kind: "node" | "decoded" | "neurons-output" | "voltage" | "spikes";
  readonly src: Float64Array;
  readonly indices: Int32Array;
  /** Decoded probes: n × d, one row per neuron. */
  readonly weightsT?: Float64Array;
  readonly ensemble?: EnsPlan;
  readonly n: number;
  readonly value: Float64Array;
  readonly filtered: boolean;
  readonly state: Float64Array;
  readonly a: number;
  readonly b: number;
  readonly every: number;
  data: Float64Array;
  rows: number;
  /** Spike probes: (row, probe index, count) triples, appended as spikes happen. */
  spikeLog?: Int32Array;
  spikeLogLength?: number;
  readonly amplitudeOverDt: number;
}

export interface ProbeResult {
  readonly id: string;
  readonly attr: BuiltProbe["attr"];
  /** rows × size, row-major; row k is the (k+1)-th recorded step. */
  readonly data: Float64Array;
  readonly rows: number;
  readonly size: number;
  readonly sampleEverySteps: number;
  readonly spikes?: SpikeRecord;
}

export const idx = (a: readonly number[]): Int32Array => Int32Array.from(a);

/**
 * out = M·x (or out += M·x when `accumulate`), M row-major rows × cols. Each row's dot product is
 * summed from 0 in column order, so results are bit-identical to the plain loop; four rows at a
 * time give the CPU four independent addition chains (measured 1.7× on an 800×8 encoder).
 */
export function matVec(M: Float64Array, x: Float64Array, out: Float64Array, rows: number, cols: number, accumulate: boolean): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const r0 = i * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols;
    for (let j = 0; j < cols; j++) {
      const xj = x[j];
      s0 += M[r0 + j] * xj;
      s1 += M[r1 + j] * xj;
      s2 += M[r2 + j] * xj;
      s3 += M[r3 + j] * xj;
    }
    if (accumulate) {
      out[i] += s0;
      out[i + 1] += s1;
      out[i + 2] += s2;
      out[i + 3] += s3;
    } else {
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
  }
  for (; i < rows; i++) {
    let s = 0;
    const r = i * cols;
    for (let j = 0; j < cols; j++) s += M[r + j] * x[j];
    out[i] = accumulate ? out[i] + s : s;
  }
}
