/**
 * The lower bound on cores (partition's report): Σ over vmin/vmax classes (which cannot share a
 * core) of the largest per-resource bound, each of which no configuration can beat: compartments;
 * synapse memory, each non-zero weight row stored at the fewest bits any chunking of its synapses
 * allows (§3.4 with the 8-bit weights this compiler emits; a row cut into pieces can take fewer
 * bits than whole, so a row's unsplit cost is not a bound); input axons, one per non-zero row;
 * output axons, one per (pre compartment, connection it has a synapse in); distinct threshold
 * values, compartment profiles and weight exponents over their per-core table sizes.
 */
import { rowNonzeros, type QBlock, type QGroup, type QuantizedNetwork } from "../ir/quantized.js";
import { minRowBitsTable } from "../target/cost.js";
import type { Target } from "../target/types.js";
import { cxKeyOf } from "./memory.js";
import { presOfRow } from "./shared-rows.js";

export function lowerBound(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target): { value: number; by: string } {
  const L = target.limits;
  interface ClassTotals { compartments: number; bits: number; inAxons: number; outAxons: number; vth: Set<number>; cx: Set<string>; exps: Set<number> }
  const classes = new Map<string, ClassTotals>();
  const classOf = (b: QBlock): ClassTotals => {
    const key = `${b.vmin}/${b.vmax}`;
    let c = classes.get(key);
    if (!c) classes.set(key, (c = { compartments: 0, bits: 0, inAxons: 0, outAxons: 0, vth: new Set(), cx: new Set(), exps: new Set() }));
    return c;
  };
  const blockById = new Map(q.blocks.map((b) => [b.id, b]));
  const maxPost = Math.max(0, ...q.groups.map((g) => g.nPost));
  const fmin = minRowBitsTable(maxPost, target);
  for (const b of q.blocks) {
    const c = classOf(b);
    c.compartments += b.n;
    for (const v of b.vthMant) c.vth.add(v);
    if (b.n > 0) c.cx.add(cxKeyOf(b));
    for (const g of incoming.get(b.id)!) {
      for (let j = 0; j < g.nPre; j++) {
        const nnz = rowNonzeros(g, j);
        if (nnz === 0) continue;
        c.bits += fmin[nnz];
        c.inAxons++;
        c.exps.add(g.rowExp[j]);
        // A pre compartment with a synapse in g needs an output axon of its own core for it.
        // (pres sharing the row's input axon each still need their own).
        if (g.pre.kind === "block") classOf(blockById.get(g.pre.block)!).outAxons += g.rowOfPre ? presOfRow(g)[j].length : 1;
      }
    }
  }
  let value = 0, by = "compartments", largest = -1;
  for (const c of classes.values()) {
    const bounds: [number, string][] = [
      [Math.ceil(c.compartments / L.compartmentsPerCore), "compartments"],
      [Math.ceil(c.bits / L.synapseBitsPerCore), "synapse memory"],
      [Math.ceil(c.inAxons / L.inputAxonsPerCore), "input axons"],
      [Math.ceil(c.outAxons / L.outputAxonsPerCore), "output axons"],
      [Math.ceil(c.vth.size / L.vthProfilesPerCore), "threshold profiles"],
      [Math.ceil(c.cx.size / L.cxProfilesPerCore), "compartment profiles"],
      [Math.ceil(c.exps.size / L.synapseFormatsPerCore), "synapse formats"],
    ];
    const [v, name] = bounds.reduce((a, x) => (x[0] > a[0] ? x : a));
    value += v;
    if (v > largest) [largest, by] = [v, name];
  }
  if (classes.size > 1) by = `${by} (${classes.size} vmin/vmax classes, which cannot share a core)`;
  return { value: Math.max(1, value), by };
}

