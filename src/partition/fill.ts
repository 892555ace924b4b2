/**
 * The fill planner: cores are filled one after another (fill-core.ts fills one). "Heavy" blocks
 * (many rows, which every cut repeats) come first, as pieces taken in order from the block and as
 * large as still fit every limit; then "light" blocks are poured into the compartments left. A
 * variant is rerun with the part counts it produced until the output axons it expected fit.
 */
import type { Target } from "../target/types.js";
import { fillOnce } from "./fill-core.js";
import type { BlockData, BlockState, FillPlan, FillVariant, Piece } from "./fill-data.js";
import type { Memory } from "./memory.js";
import { isRange } from "./rows.js";
import { candidateRows, lowerBoundIn, presOfRow, rowMayReach, rowSpans } from "./shared-rows.js";

/**
 * For each pre compartment of each block, how many of the pieces' rows it feeds (its output
 * axons, as countOutputAxons would count them once the pieces are parts).
 */
function pieceOutputAxons(cores: readonly (readonly Piece[])[], data: readonly BlockData[]): Map<string, Int32Array> {
  const perPre = new Map<string, Int32Array>(data.map((d) => [d.b.id, new Int32Array(d.b.n)]));
  for (const pieces of cores) {
    for (const { s, comps } of pieces) {
      const d = s.d;
      const range = isRange(comps);
      const sorted = range ? comps : Int32Array.from(comps).sort();
      for (const gi of d.blockGroups) {
        const g = d.groups[gi];
        const cnt = perPre.get((g.pre as { block: string }).block)!;
        const spans = rowSpans(g);
        const lo = range ? comps[0] : Math.min(...comps), hi = range ? comps[comps.length - 1] : Math.max(...comps);
        // Counts only: the order the rows are visited in does not matter.
        const { rows, from, to } = candidateRows(g, lo, hi);
        for (let t = from; t < to; t++) {
          const j = rows[t];
          if (!rowMayReach(spans, j, lo, hi)) continue;
          const base = g.rowBase[j];
          let any = false;
          if (range) {
            // Only the compartments within the row's span can hold its fields.
            const from = Math.max(comps[0], spans.first[j]), to = Math.min(comps[0] + comps.length - 1, spans.last[j]);
            for (let i = base + from, e = base + to; i <= e && !any; i++) any = g.wgt[i] !== 0;
          } else {
            // Only the compartments within the row's span can hold its fields (sorted: a binary search to the first).
            const last = spans.last[j];
            for (let t = lowerBoundIn(sorted, 0, sorted.length, spans.first[j]); t < sorted.length && sorted[t] <= last && !any; t++) any = g.wgt[base + sorted[t]] !== 0;
          }
          if (any) for (const k of presOfRow(g)[j]) cnt[k]++;
        }
      }
    }
  }
  return perPre;
}

/**
 * Runs one fill variant, rerunning it while the output axons it expected (from the part counts of
 * the previous run) fall short of what its pieces need. Undefined when it cannot place everything,
 * or when a run needs more than `maxCores` cores: the caller has a plan that good already, and a
 * variant is given up at its first run past it (not rerun in the hope that one with more
 * expected output axons, which only tightens every core, would need fewer cores).
 */
export function fillPlan(data: readonly BlockData[], target: Target, variant: FillVariant, mem: Memory, maxCores = Infinity): FillPlan | undefined {
  const L = target.limits;
  const states: BlockState[] = data.map((d) => ({ d, estOut: new Float64Array(d.b.n), taken: new Uint8Array(d.b.n), left: d.b.n, cursor: 0, vthLeft: new Map() }));
  const expected = new Map<string, number>(data.map((d) => [d.b.id, d.minParts]));
  for (let attempt = 0; attempt < 6; attempt++) {
    for (const s of states) {
      s.estOut.fill(0);
      for (const { post, nz } of s.d.outGroups) {
        const e = expected.get(post)!;
        for (let j = 0; j < nz.length; j++) if (nz[j]) s.estOut[j] += e;
      }
    }
    const cores = fillOnce(states, target, mem, variant, maxCores);
    if (!cores) return undefined;
    const outs = pieceOutputAxons(cores, data);
    const over = cores.some((pieces) => {
      let out = 0;
      for (const { s, comps } of pieces) {
        const cnt = outs.get(s.d.b.id)!;
        for (let t = 0; t < comps.length; t++) out += cnt[comps[t]];
      }
      return out > L.outputAxonsPerCore;
    });
    if (!over) return { cores, rows: cores.reduce((a, pieces) => a + pieces.reduce((b, p) => b + p.rows, 0), 0) };
    let changed = false;
    const count = new Map<string, number>();
    for (const pieces of cores) for (const { s } of pieces) count.set(s.d.b.id, (count.get(s.d.b.id) ?? 0) + 1);
    for (const [id, k] of count) {
      if (k > expected.get(id)!) {
        expected.set(id, k);
        changed = true;
      }
    }
    if (!changed) return undefined;
  }
  return undefined;
}

