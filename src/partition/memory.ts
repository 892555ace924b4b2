/**
 * Resource accounting for partition: what a part (a set of a block's compartments placed side by
 * side on one core) is, and the synapse-memory lookups the planners repeat, cached. Prices come
 * from the target's cost model (target/cost.ts).
 */
import type { SynapseFormat } from "../ir/core.js";
import type { QBlock, QGroup } from "../ir/quantized.js";
import { EMITTED_WEIGHT_BITS, indexBitsFor, synapseRowBits } from "../target/cost.js";
import type { Target } from "../target/types.js";

/** How reports name a block: the user's ensemble, or a decode block the compiler added. */
export function blockNoun(b: QBlock): string {
  return b.integrator ? "decode block" : "ensemble";
}

export interface Row {
  /** Offsets from the part's first compartment. */
  readonly offsets: Int32Array;
  readonly weights: Int32Array;
  readonly dense: boolean;
  readonly weightExp: number;
}

export interface Part {
  readonly block: QBlock;
  /** The block's compartments in this part, in their order on the core: at localStart, localStart + 1, … */
  readonly comps: Int32Array;
  /**
   * For each incoming group, one row per pre (null: no synapse in this part). Built when first
   * read (assembly reads it for the chosen plan only): the planners need only what follows.
   */
  readonly rows: readonly { readonly group: QGroup; readonly rows: (Row | null)[] }[];
  /** The incoming groups, in the order of rows. */
  readonly groups: readonly QGroup[];
  /** Per incoming group, per row: 1 when this part stores it. */
  readonly stored: readonly Uint8Array[];
  /** Per stored row (any order): its entries (dense: length to the last synapse; sparse: synapses), dense or not, weight exponent. */
  readonly rowEntries: Int32Array;
  readonly rowDense: Uint8Array;
  readonly rowExp: Int8Array;
  readonly inAxons: number;
  outAxons: number;
  core: number;
  localStart: number;
}


export const denseFormat = (weightExp: number): SynapseFormat => ({ weightBits: EMITTED_WEIGHT_BITS, isMixed: true, weightExp, compression: "dense", idxBits: 0 });

export function sparseFormat(weightExp: number, maxOffset: number, target: Target): SynapseFormat {
  return { weightBits: EMITTED_WEIGHT_BITS, isMixed: true, weightExp, compression: "sparse", idxBits: indexBitsFor(maxOffset, target) };
}

export const iotaFrom = (start: number, n: number): Int32Array => {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = start + i;
  return a;
};

/**
 * The synapse-memory cost model of a target, with the lookups the planners repeat cached: index
 * bits for a largest offset, bits of a row of n entries (dense, or sparse with given index bits),
 * and a number naming each synapse format the way the assembly (step 3) tells them apart.
 */
export class Memory {
  readonly baseMax: number;
  private readonly idxCache: Int8Array;
  private readonly denseFmt: SynapseFormat;
  private readonly sparseFmts = new Map<number, SynapseFormat>();
  private readonly expMin: number;
  private readonly iotas = new Map<number, Int32Array>();

  constructor(readonly target: Target) {
    this.baseMax = target.limits.compartmentBase.max;
    this.idxCache = new Int8Array(1 << 16).fill(-1);
    this.denseFmt = denseFormat(0);
    for (const b of target.widths.idxBitsOptions) this.sparseFmts.set(b, { weightBits: EMITTED_WEIGHT_BITS, isMixed: true, weightExp: 0, compression: "sparse", idxBits: b });
    this.expMin = target.widths.weightExp.min;
  }

  idxBits(maxOffset: number): number {
    if (maxOffset >= this.idxCache.length) return indexBitsFor(maxOffset, this.target);
    let b = this.idxCache[maxOffset];
    if (b < 0) b = this.idxCache[maxOffset] = indexBitsFor(maxOffset, this.target);
    return b;
  }

  rowBits(entries: number, dense: boolean, idxBits: number): number {
    return synapseRowBits(entries, dense ? this.denseFmt : this.sparseFmts.get(idxBits)!, this.target);
  }

  /** 0, 1, …, n − 1, shared by every dense row of length n (rows are never written to). */
  iota(n: number): Int32Array {
    let a = this.iotas.get(n);
    if (!a) this.iotas.set(n, (a = iotaFrom(0, n)));
    return a;
  }

  formatKey(weightExp: number, dense: boolean, idxBits: number): number {
    return weightExp - this.expMin + 64 * (dense ? 0 : 1 + idxBits);
  }
}


export const cxKeyOf = (b: QBlock): string => `${b.decayU}/${b.decayV}/${b.refractDelay}`;

export function distinctIn(values: Int32Array, comps: Int32Array): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < comps.length; i++) s.add(values[comps[i]]);
  return s;
}

