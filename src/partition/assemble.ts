/**
 * Assembly: the planned and placed bins become the per-core configuration (ChipConfig), with
 * where every block's neurons landed (placements) carried out as data. Axon numbering is
 * deterministic: bins in position order, parts in local order, groups, pres.
 */
import type { ChipConfig, CompartmentProfile, CoreBlock, CoreConfig, HostInput, InputAxon, OutputAxon, SynapseFormat, SynapseRow } from "../ir/core.js";
import type { BlockPlacement, PlacementSegment } from "../ir/host.js";
import type { QuantizedNetwork } from "../ir/quantized.js";
import type { Target } from "../target/types.js";
import type { Bin } from "./bins.js";
import { blockNoun, denseFormat, sparseFormat, type Memory, type Part } from "./memory.js";
import { presOfRow } from "./shared-rows.js";

/** Synapse rows, input axons and formats of every core, and which (core, axon) each pre compartment and host input channel drives. */
interface Wiring {
  readonly coreRows: SynapseRow[][];
  readonly coreAxons: InputAxon[][];
  readonly coreFormats: SynapseFormat[][];
  readonly outOfBlock: Map<string, OutputAxon[][]>;
  readonly outOfInput: Map<string, { core: number; axon: number }[][]>;
}

function formatIndex(list: SynapseFormat[], f: SynapseFormat): number {
  const k = list.findIndex((x) => x.weightExp === f.weightExp && x.compression === f.compression && x.idxBits === f.idxBits && x.weightBits === f.weightBits && x.isMixed === f.isMixed);
  if (k >= 0) return k;
  list.push(f);
  return list.length - 1;
}

/** A part's rows on its core: dense only from within the compartment-base range; past it, sparse from the last base. */
function wirePart(w: Wiring, bin: number, core: number, p: Part, mem: Memory, target: Target): void {
  const size = p.comps.length;
  for (const { group, rows } of p.rows) {
    rows.forEach((r, j) => {
      if (!r) return;
      const dense = r.dense && p.localStart <= mem.baseMax;
      const base = dense ? p.localStart : Math.min(p.localStart, mem.baseMax);
      const shift = p.localStart - base;
      const fmt = dense ? denseFormat(r.weightExp) : sparseFormat(r.weightExp, shift + size, target);
      const rowIndex = w.coreRows[bin].length;
      w.coreRows[bin].push({ offsets: shift === 0 ? r.offsets : r.offsets.map((o) => o + shift), weights: r.weights });
      const axon = w.coreAxons[bin].length;
      w.coreAxons[bin].push({ format: formatIndex(w.coreFormats[bin], fmt), row: rowIndex, base });
      if (group.pre.kind === "block") {
        const outs = w.outOfBlock.get(group.pre.block)!;
        for (const k of presOfRow(group)[j]) outs[k].push({ compartment: -1, core, axon });
      }
      else w.outOfInput.get(group.pre.input)![j].push({ core, axon });
    });
  }
}

function wire(q: QuantizedNetwork, bins: readonly Bin[], position: Int32Array, binsByPosition: readonly number[], mem: Memory, target: Target): Wiring {
  const w: Wiring = {
    coreRows: bins.map(() => []),
    coreAxons: bins.map(() => []),
    coreFormats: bins.map(() => []),
    outOfBlock: new Map(q.blocks.map((b) => [b.id, Array.from({ length: b.n }, () => [])])),
    outOfInput: new Map(q.inputs.map((i) => [i.id, Array.from({ length: i.channels }, () => [])])),
  };
  for (const bin of binsByPosition) for (const p of bins[bin].parts) wirePart(w, bin, position[bin], p, mem, target);
  return w;
}

/** One core's registers and blocks; each run of a block's consecutive neurons is a CoreBlock ("id" when it is the whole ensemble, else "id[s:e]") and a placement segment. */
function buildCore(b: Bin, index: number, w: Wiring, segments: Map<string, PlacementSegment[]>, target: Target): Omit<CoreConfig, "synapseFormats" | "inputAxons" | "synapseRows"> {
  const n = b.compartments;
  const cxProfiles: CompartmentProfile[] = [];
  const vthProfiles: number[] = [];
  const cxProfile = new Uint8Array(n), cxVthProfile = new Uint8Array(n), biasMant = new Int32Array(n), biasExp = new Uint8Array(n);
  const blocks: CoreBlock[] = [];
  const outputAxons: OutputAxon[] = [];
  for (const p of b.parts) {
    const blk = p.block;
    let ci = cxProfiles.findIndex((c) => c.decayU === blk.decayU && c.decayV === blk.decayV && c.refractDelay === blk.refractDelay);
    if (ci < 0) ci = cxProfiles.push({ decayU: blk.decayU, decayV: blk.decayV, refractDelay: blk.refractDelay }) - 1;
    for (let i = 0; i < p.comps.length; i++) {
      const c = p.localStart + i;
      const neuron = p.comps[i];
      const mant = blk.vthMant[neuron];
      let vi = vthProfiles.indexOf(mant);
      if (vi < 0) vi = vthProfiles.push(mant) - 1;
      cxProfile[c] = ci;
      cxVthProfile[c] = vi;
      biasMant[c] = blk.biasMant[neuron];
      biasExp[c] = blk.biasExp[neuron];
      for (const o of w.outOfBlock.get(blk.id)![neuron]) outputAxons.push({ compartment: c, core: o.core, axon: o.axon });
    }
    for (let i = 0; i < p.comps.length; ) {
      let e = i + 1;
      while (e < p.comps.length && p.comps[e] === p.comps[e - 1] + 1) e++;
      const s0 = p.comps[i], count = e - i;
      blocks.push({ label: count === blk.n ? blk.id : `${blk.id}[${s0}:${s0 + count}]`, start: p.localStart + i, count, source: `${blockNoun(blk)} ${blk.id}`, ...(blk.origin ? { origin: blk.origin } : {}) });
      segments.get(blk.id)!.push({ core: index, localStart: p.localStart + i, count, neuronStart: s0 });
      i = e;
    }
  }
  return { index, chip: Math.floor(index / target.limits.coresPerChip), blocks, nCompartments: n, vmin: b.vmin, vmax: b.vmax, cxProfiles, vthProfiles, cxProfile, cxVthProfile, biasMant, biasExp, outputAxons };
}

/** The chip configuration of the placed bins (core i at position i), and per block the segments its neurons occupy, in neuron order. */
export function assemble(q: QuantizedNetwork, bins: readonly Bin[], position: Int32Array, mem: Memory, target: Target): { chip: ChipConfig; placements: BlockPlacement[]; binsByPosition: number[] } {
  const binsByPosition = [...bins.keys()].sort((a, b) => position[a] - position[b]);
  const w = wire(q, bins, position, binsByPosition, mem, target);
  const segments = new Map<string, PlacementSegment[]>(q.blocks.map((b) => [b.id, []]));
  const cores: CoreConfig[] = binsByPosition.map((bin) => {
    const { outputAxons, ...regs } = buildCore(bins[bin], position[bin], w, segments, target);
    return { ...regs, synapseFormats: w.coreFormats[bin], inputAxons: w.coreAxons[bin], synapseRows: w.coreRows[bin], outputAxons };
  });
  const inputs: HostInput[] = q.inputs.map((i) => ({
    id: i.id,
    channels: i.channels,
    targets: w.outOfInput.get(i.id)!.flatMap((list, channel) => list.map((t) => ({ channel, core: t.core, axon: t.axon }))),
  }));
  const placements = q.blocks.map((b) => ({ block: b.id, segments: segments.get(b.id)!.sort((x, y) => x.neuronStart - y.neuronStart) }));
  return { chip: { format: "lmuc-chip/1", target: target.name, dtSeconds: q.dtSeconds, cores, inputs }, placements, binsByPosition };
}
