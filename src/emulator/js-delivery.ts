/**
 * Spike delivery in JavaScript (hardware-model.md §2.9 step 3, §3.5): the emulator's path when
 * the WebAssembly kernel (deliver.ts) is not used ("dense-js", "sparse", or no WebAssembly), and
 * the reference the kernel is tested against. Allocates nothing per step.
 */
import type { RowTables, SourceTables } from "./rows.js";

export class JsDelivery {
  private readonly segPtr: Int32Array;
  private readonly segRoute: Int32Array;
  /** The axon row of each segment; −1 for an unused axon (a message that adds nothing). */
  private readonly segRow: Int32Array;
  /** Synaptic entries of each row (what the cost model counts). */
  private readonly rowEntries: Int32Array;
  /** Dense rows: offset of the weights in denseWeight, or −1 for a general row. */
  private readonly rowDense: Int32Array;
  /** Dense rows: first target, span length and delay. */
  private readonly rowT0: Int32Array;
  private readonly rowLength: Int32Array;
  private readonly rowDelay: Int32Array;
  /** General rows: the slice [begin, end) of the entry table. */
  private readonly rowBegin: Int32Array;
  private readonly rowEnd: Int32Array;
  private readonly denseWeight: Float64Array;
  private readonly entTarget: Int32Array;
  private readonly entWeight: Int32Array;
  /** Per-entry delay, or null when every delay is 0 (the fast path). */
  private readonly entDelay: Int32Array | null;
  private readonly qRing: Float64Array;
  private readonly slots: number;

  constructor(
    rows: RowTables,
    sources: SourceTables,
    /** Compartments (the ring's slot length). */
    private readonly n: number,
    /** The per-route counters (the engine's ActivityCounts arrays). */
    private readonly routeMessages: Int32Array,
    private readonly routeSynOps: Int32Array,
  ) {
    this.segPtr = sources.segPtr;
    this.segRoute = sources.segRoute;
    this.segRow = sources.segRow;
    this.rowEntries = rows.rowEntries;
    this.rowDense = rows.rowDense;
    this.rowT0 = rows.rowT0;
    this.rowLength = rows.rowLength;
    this.rowDelay = rows.rowDelay;
    this.rowBegin = rows.rowBegin;
    this.rowEnd = rows.rowEnd;
    this.denseWeight = rows.denseWeight;
    this.entTarget = rows.entTarget;
    this.entWeight = rows.entWeight;
    this.entDelay = rows.entDelay;
    this.qRing = rows.qRing;
    this.slots = rows.slots;
  }

  /** Add every row the source drives into the ring (§2.9 step 3, §3.5). */
  deliver(source: number, slot: number): void {
    const segPtr = this.segPtr;
    const segRow = this.segRow;
    const segRoute = this.segRoute;
    const routeMessages = this.routeMessages;
    const routeSynOps = this.routeSynOps;
    for (let g = segPtr[source], gEnd = segPtr[source + 1]; g < gEnd; g++) {
      const r = segRoute[g];
      routeMessages[r]++;
      const row = segRow[g];
      if (row < 0) continue;
      routeSynOps[r] += this.rowEntries[row];
      const dense = this.rowDense[row];
      if (dense >= 0) this.addDense(row, dense, slot);
      else this.addGeneral(this.rowBegin[row], this.rowEnd[row], slot);
    }
  }

  /** q[slot + delay][t0 + i] += w[i] over the row's span. */
  private addDense(row: number, dense: number, slot: number): void {
    let at = this.rowT0[row];
    if (this.slots > 1) {
      let s = slot + this.rowDelay[row];
      if (s >= this.slots) s -= this.slots;
      at += s * this.n;
    }
    const length = this.rowLength[row];
    const q = this.qRing;
    const w = this.denseWeight;
    for (let i = 0; i < length; i++) q[at + i] += w[dense + i];
  }

  /** The general row: entries [begin, end) of the (target, weight[, delay]) table. */
  private addGeneral(begin: number, end: number, slot: number): void {
    const target = this.entTarget;
    const weight = this.entWeight;
    const q = this.qRing;
    const delay = this.entDelay;
    if (delay === null) {
      for (let e = begin; e < end; e++) q[target[e]] += weight[e];
    } else {
      const n = this.n;
      const slots = this.slots;
      for (let e = begin; e < end; e++) {
        let s = slot + delay[e];
        if (s >= slots) s -= slots;
        q[s * n + target[e]] += weight[e];
      }
    }
  }
}
