/**
 * partition: QuantizedNetwork → ChipConfig. Splits blocks that exceed a core into contiguous
 * parts (the fewest that fit every limit), packs parts into shared cores (first fit, largest
 * first), then places cores on chips and the mesh so that expected spike traffic × hops is small
 * (greedy by traffic, then pairwise swaps). Placement never changes results, only cost.
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { ChipConfig, CompartmentProfile, CoreBlock, CoreConfig, HostInput, InputAxon, OutputAxon, SynapseFormat, SynapseRow } from "../ir/core.js";
import { synapseRowBits } from "../ir/verify-core.js";
import type { Target } from "../target/target.js";
import type { QBlock, QGroup, QuantizedNetwork } from "./quantize.js";

interface Row {
  /** Offsets from the part's first compartment. */
  readonly offsets: Int32Array;
  readonly weights: Int32Array;
  readonly dense: boolean;
  readonly weightExp: number;
}

interface Part {
  readonly block: QBlock;
  readonly part: number;
  readonly start: number;
  readonly size: number;
  /** For each incoming group, one row per pre (null: no synapse in this part). */
  readonly rows: { readonly group: QGroup; readonly rows: (Row | null)[] }[];
  readonly inAxons: number;
  outAxons: number;
  core: number;
  localStart: number;
}

export interface CoreUsage {
  readonly core: number;
  readonly chip: number;
  readonly compartments: number;
  readonly inputAxons: number;
  readonly outputAxons: number;
  readonly synapseBits: number;
  readonly blocks: readonly string[];
}

export interface PartitionReport {
  readonly cores: number;
  readonly chips: number;
  /** max over resources of ceil(total / per-core limit), on the unsplit blocks. */
  readonly lowerBound: number;
  readonly lowerBoundBy: string;
  readonly usage: readonly CoreUsage[];
  readonly totals: { readonly compartments: number; readonly inputAxons: number; readonly outputAxons: number; readonly synapseBits: number };
  /** Σ expected spike messages/s × hops between cores, before and after swap refinement. */
  readonly trafficCostInitial: number;
  readonly trafficCost: number;
  readonly splits: readonly { readonly block: string; readonly parts: number; readonly reason: string }[];
}

const denseFormat = (weightExp: number): SynapseFormat => ({ weightBits: 8, isMixed: true, weightExp, compression: "dense", idxBits: 0 });

function idxBitsFor(maxOffset: number, target: Target): number {
  for (const b of target.widths.idxBitsOptions) if (b > 0 && maxOffset < 2 ** b) return b;
  return target.widths.idxBitsOptions[target.widths.idxBitsOptions.length - 1];
}

function sparseFormat(weightExp: number, maxOffset: number, target: Target): SynapseFormat {
  return { weightBits: 8, isMixed: true, weightExp, compression: "sparse", idxBits: idxBitsFor(maxOffset, target) };
}

/**
 * Rows of group g restricted to post compartments [start, start+size). A row is stored dense
 * (zeros included, no indices) when that takes fewer bits than listing its non-zero entries with
 * their indices; otherwise sparse. Rows with no non-zero entry are not stored at all.
 */
function rowsFor(g: QGroup, start: number, size: number, idxBits: number): (Row | null)[] {
  const out: (Row | null)[] = [];
  for (let j = 0; j < g.nPre; j++) {
    const base = j * g.nPost;
    let count = 0;
    for (let i = start; i < start + size; i++) if (g.wgt[base + i] !== 0) count++;
    if (count === 0) {
      out.push(null);
      continue;
    }
    if (size * 8 <= count * (8 + idxBits)) {
      const weights = g.wgt.slice(base + start, base + start + size);
      out.push({ offsets: Int32Array.from({ length: size }, (_, i) => i), weights, dense: true, weightExp: g.rowExp[j] });
      continue;
    }
    const offsets = new Int32Array(count), weights = new Int32Array(count);
    let k = 0;
    for (let i = start; i < start + size; i++) {
      const w = g.wgt[base + i];
      if (w !== 0) {
        offsets[k] = i - start;
        weights[k++] = w;
      }
    }
    out.push({ offsets, weights, dense: false, weightExp: g.rowExp[j] });
  }
  return out;
}

/** Synapse bits of a part's rows when its first compartment sits at `localStart` on its core. */
function partBits(p: Pick<Part, "rows" | "size">, localStart: number, target: Target): number {
  const baseLimit = target.limits.compartmentBase.max;
  let bits = 0;
  for (const { rows } of p.rows) {
    for (const r of rows) {
      if (!r) continue;
      const fmt = r.dense && localStart <= baseLimit ? denseFormat(r.weightExp) : sparseFormat(r.weightExp, localStart - Math.min(localStart, baseLimit) + p.size, target);
      bits += synapseRowBits(r.offsets.length, fmt, target);
    }
  }
  return bits;
}

/**
 * The synapse formats a part's rows take when its first compartment sits at `localStart`, keyed as
 * step 5 tells formats apart (exponent, compression, index bits): dense rows become sparse past
 * the compartment-base limit, and sparse formats with different index bits are distinct formats.
 */
function partFormats(p: Pick<Part, "rows" | "size">, localStart: number, target: Target): Set<string> {
  const baseLimit = target.limits.compartmentBase.max;
  const out = new Set<string>();
  for (const { rows } of p.rows) {
    for (const r of rows) {
      if (!r) continue;
      const f = r.dense && localStart <= baseLimit ? denseFormat(r.weightExp) : sparseFormat(r.weightExp, localStart - Math.min(localStart, baseLimit) + p.size, target);
      out.add(`${f.weightExp}/${f.compression}/${f.idxBits}`);
    }
  }
  return out;
}

function makeParts(b: QBlock, k: number, incoming: QGroup[], target: Target): Part[] {
  const size = Math.ceil(b.n / k);
  const parts: Part[] = [];
  for (let s = 0, idx = 0; s < b.n; s += size, idx++) {
    const n = Math.min(size, b.n - s);
    const rows = incoming.map((g) => ({ group: g, rows: rowsFor(g, s, n, idxBitsFor(n, target)) }));
    const inAxons = rows.reduce((acc, r) => acc + r.rows.filter((x) => x !== null).length, 0);
    parts.push({ block: b, part: idx, start: s, size: n, rows, inAxons, outAxons: 0, core: -1, localStart: 0 });
  }
  return parts;
}

export function partition(q: QuantizedNetwork, target: Target): { chip: ChipConfig; report: PartitionReport } {
  const L = target.limits;
  const incoming = new Map<string, QGroup[]>(q.blocks.map((b) => [b.id, []]));
  for (const g of q.groups) incoming.get(g.post)!.push(g);
  const splits: PartitionReport["splits"][number][] = [];

  // 1. Split each block into the fewest parts that fit compartments, input axons, synapse memory,
  //    threshold profiles and synapse formats.
  const partsOf = new Map<string, Part[]>();
  const kOf = new Map<string, number>();
  const reasonOf = new Map<string, string>();
  const splitBlock = (b: QBlock, kMin: number): void => {
    const groups = incoming.get(b.id)!;
    let k = Math.max(kMin, Math.ceil(b.n / L.compartmentsPerCore));
    let parts = makeParts(b, k, groups, target);
    // The first per-core limit some part exceeds on a core of its own, or undefined when all fit.
    // Threshold profiles and synapse formats count too: packing can only add to them.
    const overLimit = (ps: Part[]): { reason: string; part: Part } | undefined => {
      for (const p of ps) {
        const reason = p.size > L.compartmentsPerCore ? "compartments" : p.inAxons > L.inputAxonsPerCore ? "input axons" : partBits(p, 0, target) > L.synapseBitsPerCore ? "synapse memory"
          : new Set(p.block.vthMant.subarray(p.start, p.start + p.size)).size > L.vthProfilesPerCore ? "threshold profiles" : partFormats(p, 0, target).size > L.synapseFormatsPerCore ? "synapse formats" : undefined;
        if (reason) return { reason, part: p };
      }
      return undefined;
    };
    let problem = overLimit(parts);
    const first = problem?.reason;
    for (; problem !== undefined; problem = overLimit(parts)) {
      if (k >= b.n) {
        const limit = problem.reason === "synapse formats" ? `${L.synapseFormatsPerCore} synapse formats (neuron ${problem.part.start}'s inputs need ${partFormats(problem.part, 0, target).size})` : `synapse memory (${L.synapseBitsPerCore} bits)`;
        throw new DiagnosticError([diag("LMU4003", `ensemble '${b.id}': even one compartment per core exceeds the core's ${limit}`, b.origin)]);
      }
      k = Math.min(b.n, k + Math.max(1, Math.floor(k / 4)));
      parts = makeParts(b, k, groups, target);
    }
    if (!reasonOf.has(b.id) && k > 1) reasonOf.set(b.id, first ?? "compartments");
    kOf.set(b.id, k);
    partsOf.set(b.id, parts);
  };
  for (const b of q.blocks) {
    // One compartment's fan-in can never be split: it needs an input axon per pre that reaches it.
    const fanIn = new Int32Array(b.n);
    for (const g of incoming.get(b.id)!) for (let j = 0; j < g.nPre; j++) for (let i = 0; i < b.n; i++) if (g.wgt[j * g.nPost + i] !== 0) fanIn[i]++;
    const worst = Math.max(0, ...fanIn);
    if (worst > L.inputAxonsPerCore) {
      throw new DiagnosticError([diag("LMU4003", `ensemble '${b.id}': neuron ${fanIn.indexOf(worst)} receives ${worst} inputs, but a core has at most ${L.inputAxonsPerCore} input axons`, b.origin)]);
    }
    splitBlock(b, 1);
  }

  // 2. Output axons: one per (compartment, target part) it reaches. A part over the limit is
  // split further (fewer compartments per part, fewer output axons each) until all fit.
  let allParts: Part[] = [];
  let targetsOfPre = new Map<string, { part: Part; groupIndex: number }[]>();
  for (let round = 0; ; round++) {
    allParts = [...partsOf.values()].flat();
    targetsOfPre = new Map();
    for (const p of allParts) {
      p.rows.forEach(({ group }, gi) => {
        if (group.pre.kind !== "block") return;
        const list = targetsOfPre.get(group.pre.block) ?? [];
        list.push({ part: p, groupIndex: gi });
        targetsOfPre.set(group.pre.block, list);
      });
    }
    const over = new Map<string, number>();
    for (const p of allParts) {
      let out = 0;
      for (const { part, groupIndex } of targetsOfPre.get(p.block.id) ?? []) {
        const rows = part.rows[groupIndex].rows;
        for (let j = p.start; j < p.start + p.size; j++) if (rows[j]) out++;
      }
      p.outAxons = out;
      if (out > L.outputAxonsPerCore) over.set(p.block.id, Math.max(over.get(p.block.id) ?? 0, out / L.outputAxonsPerCore));
    }
    if (over.size === 0) break;
    for (const [id, factor] of over) {
      const b = q.blocks.find((x) => x.id === id)!;
      const k = kOf.get(id)!;
      if (k >= b.n || round > 40) {
        throw new DiagnosticError([diag("LMU4003", `ensemble '${id}': a single neuron drives more targets than a core's ${L.outputAxonsPerCore} output axons`, b.origin, { hint: "reduce the ensemble's fan-out" })]);
      }
      reasonOf.set(id, "output axons");
      splitBlock(b, Math.min(b.n, Math.max(k + 1, Math.ceil(k * factor))));
    }
  }
  for (const [id, k] of kOf) if (k > 1) splits.push({ block: id, parts: k, reason: reasonOf.get(id) ?? "synapse memory" });

  // 3. Pack parts into cores: largest first, first core where everything still fits.
  interface Bin { parts: Part[]; compartments: number; inAxons: number; outAxons: number; bits: number; cx: Set<string>; vth: Set<number>; formats: Set<string>; vmin: number; vmax: number }
  const bins: Bin[] = [];
  const vthOf = (p: Part): Set<number> => new Set(p.block.vthMant.subarray(p.start, p.start + p.size));
  const order = [...allParts].sort((a, b) => b.size - a.size || b.inAxons - a.inAxons || (a.block.id < b.block.id ? -1 : a.block.id > b.block.id ? 1 : a.part - b.part));
  for (const p of order) {
    const cxKey = `${p.block.decayU}/${p.block.decayV}/${p.block.refractDelay}`;
    // Among the cores where everything fits, the one whose threshold profiles grow least (profiles,
    // not compartments, are what run out first when many small blocks share cores).
    let best: { bin: Bin; bits: number; cx: Set<string>; vth: Set<number>; formats: Set<string>; grow: number } | undefined;
    for (const bin of bins) {
      if (bin.vmin !== p.block.vmin || bin.vmax !== p.block.vmax) continue;
      const bits = partBits(p, bin.compartments, target);
      const cx = new Set([...bin.cx, cxKey]), vth = new Set([...bin.vth, ...vthOf(p)]);
      const formats = new Set([...bin.formats, ...partFormats(p, bin.compartments, target)]);
      if (bin.compartments + p.size <= L.compartmentsPerCore && bin.inAxons + p.inAxons <= L.inputAxonsPerCore && bin.outAxons + p.outAxons <= L.outputAxonsPerCore && bin.bits + bits <= L.synapseBitsPerCore && cx.size <= L.cxProfilesPerCore && vth.size <= L.vthProfilesPerCore && formats.size <= L.synapseFormatsPerCore) {
        const grow = vth.size - bin.vth.size;
        if (!best || grow < best.grow) best = { bin, bits, cx, vth, formats, grow };
        if (grow === 0) break;
      }
    }
    if (best) {
      const { bin, bits, cx, vth, formats } = best;
      p.localStart = bin.compartments;
      p.core = bins.indexOf(bin);
      Object.assign(bin, { compartments: bin.compartments + p.size, inAxons: bin.inAxons + p.inAxons, outAxons: bin.outAxons + p.outAxons, bits: bin.bits + bits, cx, vth, formats });
      bin.parts.push(p);
    } else {
      p.localStart = 0;
      p.core = bins.length;
      bins.push({ parts: [p], compartments: p.size, inAxons: p.inAxons, outAxons: p.outAxons, bits: partBits(p, 0, target), cx: new Set([cxKey]), vth: new Set(vthOf(p)), formats: partFormats(p, 0, target), vmin: p.block.vmin, vmax: p.block.vmax });
    }
  }
  const maxCores = L.coresPerChip * L.chipsPerBoard;
  if (bins.length > maxCores) {
    throw new DiagnosticError([diag("LMU4004", `the network needs ${bins.length} cores but the ${target.name} board has ${maxCores} (${L.chipsPerBoard} chips × ${L.coresPerChip} cores)`)]);
  }

  // 4. Placement: expected messages/s between bins, then positions on the mesh.
  const rateOf = new Map<string, Float64Array>(q.blocks.map((b) => [b.id, b.ratesHz]));
  const nb = bins.length;
  const traffic = new Float64Array(nb * nb);
  for (const p of allParts) {
    const rates = rateOf.get(p.block.id)!;
    for (const { part, groupIndex } of targetsOfPre.get(p.block.id) ?? []) {
      const rows = part.rows[groupIndex].rows;
      let t = 0;
      for (let j = p.start; j < p.start + p.size; j++) if (rows[j]) t += rates[j];
      if (p.core !== part.core) {
        traffic[p.core * nb + part.core] += t;
        traffic[part.core * nb + p.core] += t;
      }
    }
  }
  const cpt = target.mesh.coresPerTile, tx = target.mesh.tilesX;
  const hops = (a: number, b: number): number => {
    const ca = Math.floor(a / L.coresPerChip), cb = Math.floor(b / L.coresPerChip);
    const la = a % L.coresPerChip, lb = b % L.coresPerChip;
    const ta = Math.floor(la / cpt), tb = Math.floor(lb / cpt);
    // Chip-to-chip links are slower than any on-chip route; count a chip crossing as a mesh diameter.
    const chipPenalty = ca === cb ? 0 : tx + target.mesh.tilesY;
    return Math.abs((ta % tx) - (tb % tx)) + Math.abs(Math.floor(ta / tx) - Math.floor(tb / tx)) + chipPenalty;
  };
  // Greedy order: start from the busiest bin, then always the bin with most traffic to those placed.
  const position = new Int32Array(nb).fill(-1);
  const placedOrder: number[] = [];
  const totalTraffic = (i: number): number => {
    let s = 0;
    for (let j = 0; j < nb; j++) s += traffic[i * nb + j];
    return s;
  };
  while (placedOrder.length < nb) {
    let best = -1, bestScore = -1;
    for (let i = 0; i < nb; i++) {
      if (position[i] >= 0) continue;
      let score = 0;
      if (placedOrder.length === 0) score = totalTraffic(i);
      else for (const j of placedOrder) score += traffic[i * nb + j];
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    position[best] = placedOrder.length;
    placedOrder.push(best);
  }
  const cost = (): number => {
    let c = 0;
    for (let i = 0; i < nb; i++) for (let j = i + 1; j < nb; j++) if (traffic[i * nb + j] > 0) c += traffic[i * nb + j] * hops(position[i], position[j]);
    return c;
  };
  const trafficCostInitial = cost();
  let current = trafficCostInitial;
  for (let pass = 0; pass < 4 && nb <= 512; pass++) {
    let improved = false;
    for (let i = 0; i < nb; i++) {
      for (let j = i + 1; j < nb; j++) {
        [position[i], position[j]] = [position[j], position[i]];
        const c = cost();
        if (c + 1e-9 < current) {
          current = c;
          improved = true;
        } else [position[i], position[j]] = [position[j], position[i]];
      }
    }
    if (!improved) break;
  }

  // 5. Assemble the per-core configuration.
  const coreOfBin = (bin: number): number => position[bin];
  const axonCount = new Int32Array(nb);
  const coreRows: SynapseRow[][] = bins.map(() => []);
  const coreAxons: InputAxon[][] = bins.map(() => []);
  const coreFormats: SynapseFormat[][] = bins.map(() => []);
  const formatIndex = (bin: number, f: SynapseFormat): number => {
    const list = coreFormats[bin];
    const k = list.findIndex((x) => x.weightExp === f.weightExp && x.compression === f.compression && x.idxBits === f.idxBits && x.weightBits === f.weightBits && x.isMixed === f.isMixed);
    if (k >= 0) return k;
    list.push(f);
    return list.length - 1;
  };
  /** For each (pre block, pre compartment) and each (input, channel): the (core, axon) pairs it drives. */
  const outOfBlock = new Map<string, OutputAxon[][]>(q.blocks.map((b) => [b.id, Array.from({ length: b.n }, () => [])]));
  const outOfInput = new Map<string, { core: number; axon: number }[][]>(q.inputs.map((i) => [i.id, Array.from({ length: i.channels }, () => [])]));
  // Deterministic axon numbering: bins in position order, parts in local order, groups, pres.
  const binsByPosition = [...bins.keys()].sort((a, b) => position[a] - position[b]);
  const baseLimit = target.limits.compartmentBase.max;
  for (const bin of binsByPosition) {
    const parts = [...bins[bin].parts].sort((a, b) => a.localStart - b.localStart);
    for (const p of parts) {
      for (const { group, rows } of p.rows) {
        rows.forEach((r, j) => {
          if (!r) return;
          const dense = r.dense && p.localStart <= baseLimit;
          const base = dense ? p.localStart : Math.min(p.localStart, baseLimit);
          const shift = p.localStart - base;
          const fmt = dense ? denseFormat(r.weightExp) : sparseFormat(r.weightExp, shift + p.size, target);
          const rowIndex = coreRows[bin].length;
          coreRows[bin].push({ offsets: shift === 0 ? r.offsets : r.offsets.map((o) => o + shift), weights: r.weights });
          const axon = axonCount[bin]++;
          coreAxons[bin].push({ format: formatIndex(bin, fmt), row: rowIndex, base });
          if (group.pre.kind === "block") outOfBlock.get(group.pre.block)![j].push({ compartment: -1, core: coreOfBin(bin), axon });
          else outOfInput.get(group.pre.input)![j].push({ core: coreOfBin(bin), axon });
        });
      }
    }
  }
  const cores: CoreConfig[] = binsByPosition.map((bin) => {
    const b = bins[bin];
    const parts = [...b.parts].sort((x, y) => x.localStart - y.localStart);
    const n = b.compartments;
    const cxProfiles: CompartmentProfile[] = [];
    const vthProfiles: number[] = [];
    const cxProfile = new Uint8Array(n), cxVthProfile = new Uint8Array(n), biasMant = new Int32Array(n), biasExp = new Uint8Array(n);
    const blocks: CoreBlock[] = [];
    const outputAxons: OutputAxon[] = [];
    for (const p of parts) {
      const blk = p.block;
      let ci = cxProfiles.findIndex((c) => c.decayU === blk.decayU && c.decayV === blk.decayV && c.refractDelay === blk.refractDelay);
      if (ci < 0) ci = cxProfiles.push({ decayU: blk.decayU, decayV: blk.decayV, refractDelay: blk.refractDelay }) - 1;
      for (let i = 0; i < p.size; i++) {
        const c = p.localStart + i;
        const mant = blk.vthMant[p.start + i];
        let vi = vthProfiles.indexOf(mant);
        if (vi < 0) vi = vthProfiles.push(mant) - 1;
        cxProfile[c] = ci;
        cxVthProfile[c] = vi;
        biasMant[c] = blk.biasMant[p.start + i];
        biasExp[c] = blk.biasExp[p.start + i];
        for (const o of outOfBlock.get(blk.id)![p.start + i]) outputAxons.push({ compartment: c, core: o.core, axon: o.axon });
      }
      blocks.push({ label: p.size === blk.n ? blk.id : `${blk.id}[${p.start}:${p.start + p.size}]`, start: p.localStart, count: p.size, source: `ensemble ${blk.id}`, ...(blk.origin ? { origin: blk.origin } : {}) });
    }
    const index = position[bin];
    return {
      index, chip: Math.floor(index / L.coresPerChip), blocks, nCompartments: n, vmin: b.vmin, vmax: b.vmax, cxProfiles, vthProfiles,
      cxProfile, cxVthProfile, biasMant, biasExp, synapseFormats: coreFormats[bin], inputAxons: coreAxons[bin], synapseRows: coreRows[bin], outputAxons,
    };
  });
  const inputs: HostInput[] = q.inputs.map((i) => ({
    id: i.id,
    channels: i.channels,
    targets: outOfInput.get(i.id)!.flatMap((list, channel) => list.map((t) => ({ channel, core: t.core, axon: t.axon }))),
  }));
  const chip: ChipConfig = { format: "lmuc-chip/1", target: target.name, dtSeconds: q.dtSeconds, cores, inputs };

  // 6. Report: usage per core and the lower bound from the unsplit totals.
  const usage: CoreUsage[] = binsByPosition.map((bin) => ({ core: position[bin], chip: Math.floor(position[bin] / L.coresPerChip), compartments: bins[bin].compartments, inputAxons: bins[bin].inAxons, outputAxons: bins[bin].outAxons, synapseBits: bins[bin].bits, blocks: bins[bin].parts.map((p) => p.block.id) }));
  const totals = usage.reduce((t, u) => ({ compartments: t.compartments + u.compartments, inputAxons: t.inputAxons + u.inputAxons, outputAxons: t.outputAxons + u.outputAxons, synapseBits: t.synapseBits + u.synapseBits }), { compartments: 0, inputAxons: 0, outputAxons: 0, synapseBits: 0 });
  // Unsplit synapse bits: every block whole, at local start 0 (splitting only adds chunk overhead).
  const unsplitBits = q.blocks.reduce((s, b) => s + partBits({ rows: incoming.get(b.id)!.map((g) => ({ group: g, rows: rowsFor(g, 0, b.n, idxBitsFor(b.n, target)) })), size: b.n }, 0, target), 0);
  const bounds: [number, string][] = [
    [Math.ceil(totals.compartments / L.compartmentsPerCore), "compartments"],
    [Math.ceil(unsplitBits / L.synapseBitsPerCore), "synapse memory"],
    [Math.ceil(totals.outputAxons / L.outputAxonsPerCore), "output axons"],
    [Math.ceil(q.groups.reduce((s, g) => s + g.nPre, 0) / L.inputAxonsPerCore), "input axons"],
  ];
  const [lowerBound, lowerBoundBy] = bounds.reduce((a, b) => (b[0] > a[0] ? b : a));
  const report: PartitionReport = { cores: cores.length, chips: Math.max(1, ...cores.map((c) => c.chip + 1)), lowerBound: Math.max(1, lowerBound), lowerBoundBy, usage, totals, trafficCostInitial, trafficCost: current, splits };
  return { chip, report };
}
