/**
 * Placement on the mesh: cores (bins) get positions on chips and tiles so that expected spike
 * traffic × hops is small: greedy by traffic (the busiest bin first, then always the bin with most
 * traffic to those placed), then pairwise swaps. Placement never changes results, only cost.
 */
import type { QuantizedNetwork } from "../ir/quantized.js";
import type { Target } from "../target/types.js";
import type { Part } from "./memory.js";
import { rowOfPre } from "./shared-rows.js";

/** Expected messages/s between bins (symmetric nb × nb): each pre part's rates over the rows stored for it in another core. */
export function binTraffic(q: QuantizedNetwork, allParts: readonly Part[], targetsOfPre: Map<string, { part: Part; groupIndex: number }[]>, nb: number): Float64Array {
  const rateOf = new Map<string, Float64Array>(q.blocks.map((b) => [b.id, b.ratesHz]));
  const traffic = new Float64Array(nb * nb);
  for (const p of allParts) {
    const rates = rateOf.get(p.block.id)!;
    for (const { part, groupIndex } of targetsOfPre.get(p.block.id) ?? []) {
      const stored = part.stored[groupIndex];
      let t = 0;
      const g = part.groups[groupIndex];
      for (let k = 0; k < p.comps.length; k++) {
        const j = rowOfPre(g, p.comps[k]);
        if (j >= 0 && stored[j] === 1) t += rates[p.comps[k]];
      }
      if (p.core !== part.core) {
        traffic[p.core * nb + part.core] += t;
        traffic[part.core * nb + p.core] += t;
      }
    }
  }
  return traffic;
}

/** Hops between core positions a and b (nb × nb). Chip-to-chip links are slower than any on-chip route: a chip crossing counts as a mesh diameter. */
function hopTable(nb: number, target: Target): Float64Array {
  const L = target.limits, cpt = target.mesh.coresPerTile, tx = target.mesh.tilesX;
  const meshHops = (a: number, b: number): number => {
    const ca = Math.floor(a / L.coresPerChip), cb = Math.floor(b / L.coresPerChip);
    const la = a % L.coresPerChip, lb = b % L.coresPerChip;
    const ta = Math.floor(la / cpt), tb = Math.floor(lb / cpt);
    const chipPenalty = ca === cb ? 0 : tx + target.mesh.tilesY;
    return Math.abs((ta % tx) - (tb % tx)) + Math.abs(Math.floor(ta / tx) - Math.floor(tb / tx)) + chipPenalty;
  };
  const table = new Float64Array(nb * nb);
  for (let a = 0; a < nb; a++) for (let b = 0; b < nb; b++) table[a * nb + b] = meshHops(a, b);
  return table;
}

/** Greedy order: start from the busiest bin, then always the bin with most traffic to those placed. */
function greedyPositions(traffic: Float64Array, nb: number): Int32Array {
  const position = new Int32Array(nb).fill(-1);
  const toPlaced = new Float64Array(nb);
  for (let placed = 0; placed < nb; placed++) {
    let pick = -1, bestScore = -1;
    for (let i = 0; i < nb; i++) {
      if (position[i] >= 0) continue;
      let score = 0;
      if (placed === 0) for (let j = 0; j < nb; j++) score += traffic[i * nb + j];
      else score = toPlaced[i];
      if (score > bestScore) {
        pick = i;
        bestScore = score;
      }
    }
    position[pick] = placed;
    for (let i = 0; i < nb; i++) toPlaced[i] += traffic[i * nb + pick];
  }
  return position;
}

/** Σ traffic × hops over bin pairs at their positions. */
function trafficCost(traffic: Float64Array, hops: Float64Array, position: Int32Array, nb: number): number {
  let c = 0;
  for (let i = 0; i < nb; i++) for (let j = i + 1; j < nb; j++) if (traffic[i * nb + j] > 0) c += traffic[i * nb + j] * hops[position[i] * nb + position[j]];
  return c;
}

/** Pairwise swaps (in place), each priced by the change in the two swapped bins' terms only; up to 4 passes, at most 512 bins. */
function refineBySwaps(traffic: Float64Array, hops: Float64Array, position: Int32Array, nb: number): void {
  const neighbours: number[][] = Array.from({ length: nb }, (_, i) => {
    const list: number[] = [];
    for (let j = 0; j < nb; j++) if (j !== i && traffic[i * nb + j] > 0) list.push(j);
    return list;
  });
  const h = (a: number, b: number): number => hops[a * nb + b];
  for (let pass = 0; pass < 4 && nb <= 512; pass++) {
    let improved = false;
    for (let i = 0; i < nb; i++) {
      for (let j = i + 1; j < nb; j++) {
        const pi = position[i], pj = position[j];
        let delta = 0;
        for (const k of neighbours[i]) if (k !== j) delta += traffic[i * nb + k] * (h(pj, position[k]) - h(pi, position[k]));
        for (const k of neighbours[j]) if (k !== i) delta += traffic[j * nb + k] * (h(pi, position[k]) - h(pj, position[k]));
        if (delta < -1e-9) {
          position[i] = pj;
          position[j] = pi;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
}

/** Each bin's core index (its position on the mesh), with the traffic cost before and after swap refinement. */
export function placeOnMesh(traffic: Float64Array, nb: number, target: Target): { position: Int32Array; trafficCostInitial: number; trafficCost: number } {
  const hops = hopTable(nb, target);
  const position = greedyPositions(traffic, nb);
  const trafficCostInitial = trafficCost(traffic, hops, position, nb);
  refineBySwaps(traffic, hops, position, nb);
  return { position, trafficCostInitial, trafficCost: trafficCost(traffic, hops, position, nb) };
}
