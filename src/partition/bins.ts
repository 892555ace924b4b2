/**
 * Plans and bins: a plan is the parts of each core in local order; a bin totals one core's use of
 * every per-core resource, to check a plan against the target's limits.
 */
import type { QuantizedNetwork, QGroup } from "../ir/quantized.js";
import type { Target } from "../target/types.js";
import { cxKeyOf, distinctIn, iotaFrom, type Memory, type Part } from "./memory.js";
import { isRange, partBits, partFormats, partNeeds } from "./rows.js";

/** Cores, each a list of parts in local order. */
export type Plan = Part[][];

export interface Bin {
  parts: Part[];
  compartments: number;
  inAxons: number;
  outAxons: number;
  bits: number;
  cx: Set<string>;
  vth: Set<number>;
  formats: Set<number>;
  vmin: number;
  vmax: number;
}

/**
 * Output axons: one per (compartment, target part whose row for it is stored). Sets each part's
 * outAxons and returns, per pre block, the (part, group index) pairs it feeds.
 */
export function countOutputAxons(parts: readonly Part[]): Map<string, { part: Part; groupIndex: number }[]> {
  const targetsOfPre = new Map<string, { part: Part; groupIndex: number }[]>();
  for (const p of parts) {
    p.groups.forEach((group, gi) => {
      if (group.pre.kind !== "block") return;
      const list = targetsOfPre.get(group.pre.block) ?? [];
      list.push({ part: p, groupIndex: gi });
      targetsOfPre.set(group.pre.block, list);
    });
  }
  for (const p of parts) {
    let out = 0;
    for (const { part, groupIndex } of targetsOfPre.get(p.block.id) ?? []) {
      const stored = part.stored[groupIndex];
      const g = part.groups[groupIndex];
      out += storedOf(stored, g.rowOfPre, p.comps);
    }
    p.outAxons = out;
  }
  return targetsOfPre;
}

/**
 * How many of the pres `comps` have their row stored (stored[row] is 0 or 1). Legacy recounts
 * every part's output axons after each split round (psMNIST: 7 rounds, 12.8M visits in all), so
 * the common cases get loops of their own: a contiguous part, and rows not shared.
 */
function storedOf(stored: Uint8Array, shared: Int32Array | undefined, comps: Int32Array): number {
  let out = 0;
  const n = comps.length;
  if (n > 0 && isRange(comps)) {
    const lo = comps[0], hi = lo + n;
    if (shared === undefined) for (let k = lo; k < hi; k++) out += stored[k];
    else for (let k = lo; k < hi; k++) {
      const j = shared[k];
      if (j >= 0) out += stored[j];
    }
    return out;
  }
  for (let t = 0; t < n; t++) {
    const j = shared === undefined ? comps[t] : shared[comps[t]];
    if (j >= 0) out += stored[j];
  }
  return out;
}

/** Sets core and localStart of every part of the plan and totals each core's use. */
export function binsOf(plan: Plan, mem: Memory): Bin[] {
  return plan.map((parts, core) => {
    const bin: Bin = { parts, compartments: 0, inAxons: 0, outAxons: 0, bits: 0, cx: new Set(), vth: new Set(), formats: new Set(), vmin: parts[0].block.vmin, vmax: parts[0].block.vmax };
    for (const p of parts) {
      p.core = core;
      p.localStart = bin.compartments;
      bin.bits += partBits(p, p.localStart, mem);
      for (const f of partFormats(p, p.localStart, mem)) bin.formats.add(f);
      for (const v of distinctIn(p.block.vthMant, p.comps)) bin.vth.add(v);
      bin.cx.add(cxKeyOf(p.block));
      bin.compartments += p.comps.length;
      bin.inAxons += p.inAxons;
      bin.outAxons += p.outAxons;
    }
    return bin;
  });
}

/** The first limit a core breaks, or undefined. */
export function binProblem(bin: Bin, target: Target): string | undefined {
  const L = target.limits;
  if (bin.compartments > L.compartmentsPerCore) return "compartments";
  if (bin.inAxons > L.inputAxonsPerCore) return "input axons";
  if (bin.outAxons > L.outputAxonsPerCore) return "output axons";
  if (bin.bits > L.synapseBitsPerCore) return "synapse memory";
  if (bin.cx.size > L.cxProfilesPerCore) return "compartment profiles";
  if (bin.vth.size > L.vthProfilesPerCore) return "threshold profiles";
  if (bin.formats.size > L.synapseFormatsPerCore) return "synapse formats";
  if (bin.parts.some((p) => p.block.vmin !== bin.vmin || p.block.vmax !== bin.vmax)) return "vmin/vmax";
  return undefined;
}

/** Why a block has several parts: the first limit the whole block breaks on a core of its own, else "packing". */
export function aloneReasons(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, plan: Plan, target: Target, mem: Memory): Map<string, string> {
  const L = target.limits;
  const count = new Map<string, number>();
  for (const p of plan.flat()) count.set(p.block.id, (count.get(p.block.id) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const b of q.blocks) {
    if ((count.get(b.id) ?? 0) < 2) continue;
    const whole = partNeeds(incoming.get(b.id)!, iotaFrom(0, b.n), mem);
    const reason = b.n > L.compartmentsPerCore ? "compartments" : whole.inAxons > L.inputAxonsPerCore ? "input axons" : whole.bits > L.synapseBitsPerCore ? "synapse memory"
      : new Set(b.vthMant).size > L.vthProfilesPerCore ? "threshold profiles" : whole.formats > L.synapseFormatsPerCore ? "synapse formats" : "packing";
    out.set(b.id, reason);
  }
  return out;
}

