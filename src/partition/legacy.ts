/**
 * The legacy planner: each block split into the fewest equal contiguous parts that fit a core
 * alone, packed first fit, largest first. It still wins on 6 of the 12 builds the hash test pins
 * (as few cores as the fill planner, and no more stored rows), so partition runs it beside the
 * fill planner and keeps the better plan.
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { QBlock, QGroup, QuantizedNetwork } from "../ir/quantized.js";
import type { Target } from "../target/types.js";
import { countOutputAxons, type Plan } from "./bins.js";
import { blockNoun, cxKeyOf, distinctIn, iotaFrom, type Memory, type Part } from "./memory.js";
import { makePart, partBits, partFormats, partNeeds } from "./rows.js";

/** Per block: its parts, how many, and the first limit that made it split. */
interface Splits {
  readonly partsOf: Map<string, Part[]>;
  readonly kOf: Map<string, number>;
  readonly reasonOf: Map<string, string>;
}

/**
 * The first per-core limit some of the k equal parts of b exceeds on a core of its own, or
 * undefined when all fit. Threshold profiles and synapse formats count too: packing can only add to them.
 */
function overLimit(b: QBlock, groups: QGroup[], k: number, target: Target, mem: Memory): { reason: string; comps: Int32Array; formats: number } | undefined {
  const L = target.limits;
  const size = Math.ceil(b.n / k);
  for (let s = 0; s < b.n; s += size) {
    const comps = iotaFrom(s, Math.min(size, b.n - s));
    const needs = partNeeds(groups, comps, mem);
    const reason = comps.length > L.compartmentsPerCore ? "compartments" : needs.inAxons > L.inputAxonsPerCore ? "input axons" : needs.bits > L.synapseBitsPerCore ? "synapse memory"
      : distinctIn(b.vthMant, comps).size > L.vthProfilesPerCore ? "threshold profiles" : needs.formats > L.synapseFormatsPerCore ? "synapse formats" : undefined;
    if (reason) return { reason, comps, formats: needs.formats };
  }
  return undefined;
}

/** Splits b into at least kMin equal parts, as few as fit a core alone each (LMU4003 when one compartment does not). */
function splitBlock(st: Splits, b: QBlock, kMin: number, incoming: Map<string, QGroup[]>, target: Target, mem: Memory): void {
  const L = target.limits;
  const groups = incoming.get(b.id)!;
  let k = Math.max(kMin, Math.ceil(b.n / L.compartmentsPerCore));
  let problem = overLimit(b, groups, k, target, mem);
  const first = problem?.reason;
  for (; problem !== undefined; problem = overLimit(b, groups, k, target, mem)) {
    if (k >= b.n) {
      const limit = problem.reason === "synapse formats" ? `${L.synapseFormatsPerCore} synapse formats (neuron ${problem.comps[0]}'s inputs need ${problem.formats})` : `synapse memory (${L.synapseBitsPerCore} bits)`;
      const hint = b.integrator ? "the decode neurons of this connection need more than one core offers; --decode-neurons never lowers it to neuron-to-neuron weights instead" : undefined;
      throw new DiagnosticError([diag("LMU4003", `${blockNoun(b)} '${b.id}': even one compartment per core exceeds the core's ${limit}`, b.origin, hint ? { hint } : {})]);
    }
    k = Math.min(b.n, k + Math.max(1, Math.floor(k / 4)));
  }
  if (!st.reasonOf.has(b.id) && k > 1) st.reasonOf.set(b.id, first ?? "compartments");
  st.kOf.set(b.id, k);
  const size = Math.ceil(b.n / k);
  const parts: Part[] = [];
  for (let s = 0; s < b.n; s += size) parts.push(makePart(b, iotaFrom(s, Math.min(size, b.n - s)), groups, mem));
  st.partsOf.set(b.id, parts);
}

/**
 * Output axons: a part over the limit (less `room`, a share of it left free) is split further
 * (fewer compartments per part) until all fit.
 */
function splitForOutputAxons(st: Splits, q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target, mem: Memory, room = 0): Part[] {
  const L = target.limits, limit = Math.floor(L.outputAxonsPerCore * (1 - room));
  for (let round = 0; ; round++) {
    const allParts = [...st.partsOf.values()].flat();
    countOutputAxons(allParts);
    const over = new Map<string, number>();
    for (const p of allParts) if (p.outAxons > limit) over.set(p.block.id, Math.max(over.get(p.block.id) ?? 0, p.outAxons / limit));
    if (over.size === 0) return allParts;
    for (const [id, factor] of over) {
      const b = q.blocks.find((x) => x.id === id)!;
      const k = st.kOf.get(id)!;
      if (k >= b.n || round > 40) {
        throw new DiagnosticError([diag("LMU4003", `${blockNoun(b)} '${id}': a single neuron drives more targets than a core's ${L.outputAxonsPerCore} output axons`, b.origin, { hint: "reduce the ensemble's fan-out" })]);
      }
      st.reasonOf.set(id, "output axons");
      splitBlock(st, b, Math.min(b.n, Math.max(k + 1, Math.ceil(k * factor))), incoming, target, mem);
    }
  }
}

interface LegacyBin { parts: Part[]; compartments: number; inAxons: number; outAxons: number; bits: number; cx: Set<string>; vth: Set<number>; formats: Set<number>; vmin: number; vmax: number }

/**
 * Synapse bits and formats of a core's parts laid out in `order` (each part's rows cost what they
 * cost at its local start: dense rows turn sparse past the compartment-base limit).
 */
function layoutCost(order: readonly Part[], mem: Memory): { bits: number; formats: Set<number> } {
  let at = 0, bits = 0;
  const formats = new Set<number>();
  for (const q of order) {
    bits += partBits(q, at, mem);
    for (const f of partFormats(q, at, mem)) formats.add(f);
    at += q.comps.length;
  }
  return { bits, formats };
}

/**
 * Largest first, into the core (among those where everything fits) whose threshold profiles grow
 * least; undefined past maxCores cores. Parts go after a core's others; only when no core takes
 * a part that way is it tried in a core with the core's parts smallest first (as the fill planner
 * arranges them): a decode block's 64 compartments after an 800-neuron ensemble sit past the
 * compartment-base limit, where its dense rows turn sparse and outgrow the synapse memory, but
 * fit before it. Every LMU memory's decode block took a core of its own that way.
 */
function packLargestFirst(allParts: Part[], target: Target, mem: Memory, maxCores: number, linked: ReadonlyMap<string, ReadonlySet<string>>): Plan | undefined {
  const L = target.limits;
  const bins: LegacyBin[] = [];
  const order = [...allParts].sort((a, b) => b.comps.length - a.comps.length || b.inAxons - a.inAxons || (a.block.id < b.block.id ? -1 : a.block.id > b.block.id ? 1 : a.comps[0] - b.comps[0]));
  for (const p of order) {
    const cxKey = cxKeyOf(p.block);
    const pv = distinctIn(p.block.vthMant, p.comps);
    let pick: { bin: LegacyBin; bits: number; cx: Set<string>; vth: Set<number>; formats: Set<number>; grow: number; parts?: Part[] } | undefined;
    const open = (bin: LegacyBin): boolean =>
      bin.vmin === p.block.vmin && bin.vmax === p.block.vmax &&
      bin.compartments + p.comps.length <= L.compartmentsPerCore && bin.inAxons + p.inAxons <= L.inputAxonsPerCore && bin.outAxons + p.outAxons <= L.outputAxonsPerCore;
    for (const bin of bins) {
      if (!open(bin)) continue;
      const bits = partBits(p, bin.compartments, mem);
      if (bin.bits + bits > L.synapseBitsPerCore) continue;
      const cx = new Set([...bin.cx, cxKey]), vth = new Set([...bin.vth, ...pv]);
      const formats = new Set([...bin.formats, ...partFormats(p, bin.compartments, mem)]);
      if (cx.size <= L.cxProfilesPerCore && vth.size <= L.vthProfilesPerCore && formats.size <= L.synapseFormatsPerCore) {
        const grow = vth.size - bin.vth.size;
        if (!pick || grow < pick.grow) pick = { bin, bits, cx, vth, formats, grow };
        if (grow === 0) break;
      }
    }
    if (!pick) {
      // Among the cores that take it, the one holding most blocks it is wired to (its own
      // ensemble, for a decode block): their spikes then stay on the core.
      const near = linked.get(p.block.id);
      let pickLinks = -1;
      for (const bin of bins) {
        if (!open(bin)) continue;
        const parts = [...bin.parts, p].sort((a, b) => a.comps.length - b.comps.length);
        const cost = layoutCost(parts, mem);
        const cx = new Set([...bin.cx, cxKey]), vth = new Set([...bin.vth, ...pv]);
        if (cost.bits > L.synapseBitsPerCore || cx.size > L.cxProfilesPerCore || vth.size > L.vthProfilesPerCore || cost.formats.size > L.synapseFormatsPerCore) continue;
        const grow = vth.size - bin.vth.size;
        const links = bin.parts.reduce((k, q) => k + (near?.has(q.block.id) ? 1 : 0), 0);
        if (!pick || grow < pick.grow || (grow === pick.grow && links > pickLinks)) {
          pick = { bin, bits: cost.bits - bin.bits, cx, vth, formats: cost.formats, grow, parts };
          pickLinks = links;
        }
      }
    }
    if (pick) {
      const { bin, bits, cx, vth, formats } = pick;
      Object.assign(bin, { compartments: bin.compartments + p.comps.length, inAxons: bin.inAxons + p.inAxons, outAxons: bin.outAxons + p.outAxons, bits: bin.bits + bits, cx, vth, formats });
      if (pick.parts) bin.parts = pick.parts;
      else bin.parts.push(p);
    } else {
      if (bins.length >= maxCores) return undefined;
      bins.push({ parts: [p], compartments: p.comps.length, inAxons: p.inAxons, outAxons: p.outAxons, bits: partBits(p, 0, mem), cx: new Set([cxKey]), vth: pv, formats: partFormats(p, 0, mem), vmin: p.block.vmin, vmax: p.block.vmax });
    }
  }
  return bins.map((b) => b.parts);
}

/**
 * Share of a core's output axons a second packing leaves free when it splits blocks for output
 * axons: parts cut to the limit fill their core's output axons and take no partner. psmnist-shape
 * imported: its memory's 38 parts at 3996 of 4096 each, its decode parts needing ~110: 96 cores
 * with the limit, 79 with this room.
 */
export const OUTPUT_AXON_ROOM = 0.03;

/** The legacy plan, or undefined when it needs more than `maxCores` cores (the fill planner's plan is better then). */
export function legacyPlan(q: QuantizedNetwork, incoming: Map<string, QGroup[]>, target: Target, mem: Memory, maxCores = Infinity): { plan: Plan; reasons: Map<string, string> } | undefined {
  const linked = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    if (!linked.has(a)) linked.set(a, new Set());
    linked.get(a)!.add(b);
  };
  for (const g of q.groups) {
    if (g.pre.kind !== "block") continue;
    link(g.pre.block, g.post);
    link(g.post, g.pre.block);
  }
  const first: Splits = { partsOf: new Map(), kOf: new Map(), reasonOf: new Map() };
  for (const b of q.blocks) splitBlock(first, b, 1, incoming, target, mem);
  // Packed as split, and again with the output-axon splits leaving room: the second is kept only
  // with fewer cores (both share the first splits; the second costs its re-splits and packing).
  let best: { plan: Plan; st: Splits } | undefined;
  let previous: Splits | undefined;
  for (const room of [0, OUTPUT_AXON_ROOM]) {
    const st: Splits = { partsOf: new Map(first.partsOf), kOf: new Map(first.kOf), reasonOf: new Map(first.reasonOf) };
    const parts = splitForOutputAxons(st, q, incoming, target, mem, room);
    // The same splits pack the same way: nothing to try.
    const same = previous !== undefined && [...st.kOf].every(([id, k]) => previous!.kOf.get(id) === k);
    previous = st;
    if (same) continue;
    const plan = packLargestFirst(parts, target, mem, best ? best.plan.length - 1 : maxCores, linked);
    if (plan && (!best || plan.length < best.plan.length)) best = { plan, st };
  }
  if (!best) return undefined;
  const reasons = new Map<string, string>();
  for (const [id, k] of best.st.kOf) if (k > 1) reasons.set(id, best.st.reasonOf.get(id) ?? "synapse memory");
  return { plan: best.plan, reasons };
}
