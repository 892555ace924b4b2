/**
 * One pass of the fill planner: cores filled one after another, each with heavy pieces first (as
 * large as still fit every limit: binary search on the size), then light blocks poured into what
 * is left (next the block adding the fewest new threshold profiles; when no block's rest fits the
 * core's threshold profiles, only compartments whose thresholds it can take). Each core's pieces
 * are laid out in the order, among those tried, with the fewest synapse bits: a dense row needs its
 * part to start within the compartment-base range, past it every row is sparse.
 */
import type { Target, TargetLimits } from "../target/types.js";
import { heavyOrder, heavyPieceRows, type BlockState, type CoreState, type FillVariant, type OrderData, type Piece, type PieceCost } from "./fill-data.js";
import type { Memory } from "./memory.js";
import { denseIsSmaller, extent, isRange, rowExtent } from "./rows.js";
import { candidateRows, rowMayReach, rowSpans } from "./shared-rows.js";

class CoreFiller {
  private readonly L: TargetLimits;
  /** Compartments a core takes at most (the target's, or fewer in a balanced variant). */
  private readonly CX: number;
  private readonly heavy: BlockState[];
  private readonly light: BlockState[];
  private readonly orderOf: Map<BlockState, OrderData>;
  // Scratch: the stored rows of a candidate piece.
  private readonly scLen: Int32Array;
  private readonly scCount: Int32Array;
  private readonly scExp: Int8Array;

  constructor(private readonly states: BlockState[], target: Target, private readonly mem: Memory, private readonly variant: FillVariant, private readonly maxCores: number) {
    this.L = target.limits;
    this.CX = Math.min(this.L.compartmentsPerCore, variant.coreCap);
    for (const s of states) {
      s.taken.fill(0);
      s.left = s.d.b.n;
      s.cursor = 0;
      s.vthLeft = new Map();
      for (const v of s.d.b.vthMant) s.vthLeft.set(v, (s.vthLeft.get(v) ?? 0) + 1);
    }
    this.heavy = states.filter((s) => s.d.heavy);
    this.light = states.filter((s) => !s.d.heavy);
    this.orderOf = new Map(this.heavy.map((s) => [s, heavyOrder(s.d, variant.order)]));
    const maxRows = Math.max(0, ...states.map((s) => s.d.groups.reduce((a, g) => a + g.nPre, 0)));
    this.scLen = new Int32Array(maxRows);
    this.scCount = new Int32Array(maxRows);
    this.scExp = new Int8Array(maxRows);
  }

  /**
   * Fills the scratch rows of piece `comps` of s; returns how many rows it stores. A heavy piece
   * (`at`: its first position in the block's order) is counted from its rows' synapse positions.
   */
  private pieceRows(s: BlockState, comps: Int32Array, at?: number): number {
    const size = comps.length;
    let k = 0;
    const od = this.orderOf.get(s);
    if (od && at !== undefined) return heavyPieceRows(od, at, size, this.scLen, this.scCount, this.scExp);
    const range = isRange(comps);
    let lo = Infinity, hi = -Infinity;
    for (let t = 0; t < size; t++) {
      if (comps[t] < lo) lo = comps[t];
      if (comps[t] > hi) hi = comps[t];
    }
    for (const g of s.d.groups) {
      // Only rows whose span meets lo..hi can have a field here; the totals taken from the rows
      // (bits, formats, counts) do not depend on the order they are visited in.
      const spans = rowSpans(g);
      const { rows, from, to } = candidateRows(g, lo, hi);
      for (let t = from; t < to; t++) {
        const j = rows[t];
        if (!rowMayReach(spans, j, lo, hi)) continue;
        rowExtent(g, j, comps, range, extent);
        const c = extent[0], last = extent[1];
        if (c === 0) continue;
        this.scLen[k] = last + 1;
        this.scCount[k] = c;
        this.scExp[k++] = g.rowExp[j];
      }
    }
    return k;
  }
  private pieceCost(s: BlockState, comps: Int32Array, at?: number): PieceCost {
    const k = this.pieceRows(s, comps, at);
    const size = comps.length;
    const idx = this.mem.idxBits(size);
    const rowLen = this.scLen.slice(0, k), rowCount = this.scCount.slice(0, k), rowExp = this.scExp.slice(0, k), rowDense = new Uint8Array(k);
    let bits = 0;
    const formats = new Set<number>();
    for (let r = 0; r < k; r++) {
      const dense = denseIsSmaller(rowLen[r], rowCount[r], idx);
      rowDense[r] = dense ? 1 : 0;
      bits += this.mem.rowBits(dense ? rowLen[r] : rowCount[r], dense, idx);
      formats.add(dense ? this.mem.formatKey(rowExp[r], true, 0) : this.mem.formatKey(rowExp[r], false, idx));
    }
    let out = 0;
    for (let t = 0; t < size; t++) out += s.estOut[comps[t]];
    return { s, comps, rows: k, out, early: { bits, formats }, late: new Map(), rowLen, rowCount, rowExp, rowDense };
  }
  /** Bits and formats of p when it starts at local compartment ls. */
  private costAt(p: PieceCost, ls: number): { readonly bits: number; readonly formats: Set<number> } {
    if (ls <= this.mem.baseMax) return p.early;
    const idx = this.mem.idxBits(ls - this.mem.baseMax + p.comps.length);
    let c = p.late.get(idx);
    if (!c) {
      let bits = 0;
      const formats = new Set<number>();
      for (let r = 0; r < p.rowLen.length; r++) {
        bits += this.mem.rowBits(p.rowDense[r] ? p.rowLen[r] : p.rowCount[r], false, idx);
        formats.add(this.mem.formatKey(p.rowExp[r], false, idx));
      }
      p.late.set(idx, (c = { bits, formats }));
    }
    return c;
  }
  /**
   * The local order of `pieces` with the fewest synapse bits among those tried (as given; by size,
   * so more pieces start within reach of their own base; every order of up to 5 pieces) that
   * keeps to the core's synapse formats; undefined when none does or bits run out.
   */
  private arrange(pieces: PieceCost[]): PieceCost[] | undefined {
    const evaluate = (order: readonly PieceCost[]): { bits: number; ok: boolean } => {
      let ls = 0, bits = 0;
      const formats = new Set<number>();
      for (const p of order) {
        const c = this.costAt(p, ls);
        bits += c.bits;
        for (const f of c.formats) formats.add(f);
        ls += p.comps.length;
      }
      return { bits, ok: bits <= this.L.synapseBitsPerCore && formats.size <= this.L.synapseFormatsPerCore };
    };
    // All pieces but the last within reach of the base as given: every row as cheap as it gets.
    let reach = 0;
    for (let i = 0; i < pieces.length - 1; i++) reach += pieces[i].comps.length;
    if (reach <= this.mem.baseMax) return evaluate(pieces).ok ? pieces : undefined;
    const orders: PieceCost[][] = [pieces, [...pieces].sort((a, b) => a.comps.length - b.comps.length)];
    if (pieces.length <= 5) {
      const permute = (done: PieceCost[], rest: PieceCost[]): void => {
        if (rest.length === 0) orders.push(done);
        else rest.forEach((p, i) => permute([...done, p], [...rest.slice(0, i), ...rest.slice(i + 1)]));
      };
      permute([], pieces);
    }
    let best: PieceCost[] | undefined, bestBits = Infinity;
    for (const order of orders) {
      const { bits, ok } = evaluate(order);
      if (ok && bits < bestBits) [best, bestBits] = [order, bits];
    }
    return best;
  }
  private compatible(core: CoreState, s: BlockState): boolean {
    return (core.pieces.length === 0 || (core.vmin === s.d.b.vmin && core.vmax === s.d.b.vmax)) && (core.cx.has(s.d.cxKey) || core.cx.size < this.L.cxProfilesPerCore);
  }

  /** The core's local order with piece `comps` of s added, or undefined if it does not fit (every limit, output axons as expected). */
  private fits(core: CoreState, s: BlockState, comps: Int32Array, at?: number): { piece: PieceCost; arranged: PieceCost[] } | undefined {
    const m = comps.length;
    if (core.n + m > this.CX || !this.compatible(core, s)) return undefined;
    const vth = s.d.b.vthMant;
    const seen = new Set<number>();
    for (let t = 0; t < m; t++) {
      const v = vth[comps[t]];
      if (!core.vth.has(v) && !seen.has(v)) {
        seen.add(v);
        if (core.vth.size + seen.size > this.L.vthProfilesPerCore) return undefined;
      }
    }
    let out = 0;
    for (let t = 0; t < m; t++) out += s.estOut[comps[t]];
    if (core.outAxons + out > this.L.outputAxonsPerCore) return undefined;
    const piece = this.pieceCost(s, comps, at);
    if (core.inAxons + piece.rows > this.L.inputAxonsPerCore) return undefined;
    const arranged = this.arrange([...core.arranged, piece]);
    return arranged ? { piece, arranged } : undefined;
  }
  /** The longest prefix of `list`, at most cap long, that fits the core (binary search: the limits grow with the piece). */
  private maxFit(core: CoreState, s: BlockState, list: Int32Array, cap: number, at?: number): number {
    if (cap <= 0) return 0;
    if (this.fits(core, s, list.subarray(0, cap), at)) return cap;
    if (!this.fits(core, s, list.subarray(0, 1), at)) return 0;
    let lo = 1, hi = cap;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.fits(core, s, list.subarray(0, mid), at)) lo = mid;
      else hi = mid;
    }
    return lo;
  }
  private add(core: CoreState, s: BlockState, comps: Int32Array, at?: number): void {
    const { piece, arranged } = this.fits(core, s, comps.slice(), at)!;
    if (core.pieces.length === 0) [core.vmin, core.vmax] = [s.d.b.vmin, s.d.b.vmax];
    core.pieces.push(piece);
    core.arranged = arranged;
    core.cx.add(s.d.cxKey);
    core.inAxons += piece.rows;
    core.outAxons += piece.out;
    core.n += comps.length;
    for (let t = 0; t < comps.length; t++) {
      const c = comps[t], v = s.d.b.vthMant[c];
      core.vth.add(v);
      s.taken[c] = 1;
      const left = s.vthLeft.get(v)! - 1;
      if (left === 0) s.vthLeft.delete(v);
      else s.vthLeft.set(v, left);
    }
    s.left -= comps.length;
    if (at !== undefined) s.cursor = at + comps.length;
    else while (s.cursor < s.d.b.n && s.taken[s.cursor]) s.cursor++;
  }

  /** The light block to pour next and which of its threshold values the core can take (undefined: all). */
  private chooseLight(core: CoreState, skip: Set<BlockState>): { s: BlockState; allowed?: Set<number> } | undefined {
    // Fewest new threshold profiles among the blocks whose rest fits the core's profiles; then a
    // block already cut (to keep the parts few), then network order.
    let pick: BlockState | undefined, pickFresh = Infinity, pickStarted = false;
    for (const s of this.light) {
      if (s.left === 0 || skip.has(s) || !this.compatible(core, s)) continue;
      let fresh = 0;
      for (const v of s.vthLeft.keys()) if (!core.vth.has(v)) fresh++;
      if (core.vth.size + fresh > this.L.vthProfilesPerCore) continue;
      const started = s.left < s.d.b.n;
      if (fresh < pickFresh || (fresh === pickFresh && started && !pickStarted)) [pick, pickFresh, pickStarted] = [s, fresh, started];
    }
    if (pick) return { s: pick };
    // No block's rest fits: the block with most compartments whose thresholds the core has or can
    // still take (the free profiles going to that block's most common new values).
    const free = this.L.vthProfilesPerCore - core.vth.size;
    let bestCount = 0, bestAllowed: Set<number> | undefined;
    for (const s of this.light) {
      if (s.left === 0 || skip.has(s) || !this.compatible(core, s)) continue;
      const fresh = [...s.vthLeft].filter(([v]) => !core.vth.has(v)).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const allowed = new Set(core.vth);
      for (const [v] of fresh.slice(0, Math.max(0, free))) allowed.add(v);
      let count = 0;
      for (const [v, c] of s.vthLeft) if (allowed.has(v)) count += c;
      if (count > bestCount) [pick, bestCount, bestAllowed] = [s, count, allowed];
    }
    return pick ? { s: pick, allowed: bestAllowed } : undefined;
  }

  /** Heavy pieces first (the local order is settled by arrange); each taken from the block's order at its first unplaced compartment. */
  private fillHeavy(core: CoreState): void {
    const heavyCap = this.light.some((s) => s.left > 0) ? this.variant.heavyPerCore : Infinity;
    let heavyHere = 0;
    for (const s of this.heavy) {
      while (s.left > 0 && heavyHere < heavyCap && core.n < this.CX) {
        const cap = Math.min(s.left, this.variant.pieceCap, heavyCap - heavyHere, this.CX - core.n);
        const order = this.orderOf.get(s)!.order;
        const m = this.maxFit(core, s, order.subarray(s.cursor, s.cursor + cap), cap, s.cursor);
        if (m === 0) break;
        this.add(core, s, order.subarray(s.cursor, s.cursor + m), s.cursor);
        heavyHere += m;
      }
      if (heavyHere >= heavyCap || core.n >= this.CX) break;
    }
  }

  /** Then light blocks poured into what is left. */
  private fillLight(core: CoreState): void {
    const skip = new Set<BlockState>();
    while (core.n < this.CX) {
      const choice = this.chooseLight(core, skip);
      if (!choice) break;
      const { s, allowed } = choice;
      const room = this.CX - core.n;
      const list = new Int32Array(Math.min(room, s.left));
      let len = 0;
      for (let c = s.cursor; c < s.d.b.n && len < list.length; c++) if (!s.taken[c] && (!allowed || allowed.has(s.d.b.vthMant[c]))) list[len++] = c;
      const m = this.maxFit(core, s, list, len);
      if (m === 0) skip.add(s);
      else this.add(core, s, list.subarray(0, m));
    }
  }

  /** The pieces of each core, in local order; undefined if some compartment cannot be placed or more than maxCores cores are needed. */
  run(): Piece[][] | undefined {
    const cores: Piece[][] = [];
    let remaining = this.states.reduce((a, s) => a + s.d.b.n, 0);
    while (remaining > 0) {
      if (cores.length >= this.maxCores) return undefined;
      const core: CoreState = { pieces: [], arranged: [], n: 0, inAxons: 0, outAxons: 0, cx: new Set(), vth: new Set(), vmin: 0, vmax: 0 };
      this.fillHeavy(core);
      this.fillLight(core);
      if (core.n === 0) return undefined;
      remaining -= core.n;
      cores.push(core.arranged.map(({ s, comps, rows }) => ({ s, comps, rows })));
    }
    return cores;
  }
}

/**
 * One pass of the fill: the pieces of each core, in local order; undefined if some compartment
 * cannot be placed, or as soon as more than `maxCores` cores would be needed (a plan no better
 * than one already found is not finished).
 */
export function fillOnce(states: BlockState[], target: Target, mem: Memory, variant: FillVariant, maxCores = Infinity): Piece[][] | undefined {
  return new CoreFiller(states, target, mem, variant, maxCores).run();
}
