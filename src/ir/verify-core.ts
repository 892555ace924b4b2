/**
 * CoreIR verifier: a ChipConfig is valid for a target when every register field fits its width,
 * every per-core limit holds (spec §4.1, synaptic memory by the §3.4 cost model), every index
 * points at something that exists and the blocks tile each core's compartments exactly once.
 * Synapse memory is priced by the target's cost model (target/cost.ts).
 *
 * Conventions this verifier fixes (core.ts leaves them open):
 * - `cores[i].index === i`; `OutputAxon.core` and host-input targets name a core by that index.
 * - A core's number on its chip (for tile coordinates) is its rank among the cores with the same
 *   `chip`, in index order (`coreLocalIds`).
 * - A synapse row has the format of the input axons that use it: every row is used by at least one
 *   axon and all its axons share one format (on the chip the format id is in the row's chunk headers).
 * - Dense rows have offsets 0, 1, …, n−1; sparse offsets fit the format's index bits.
 * - vmin = −2^k + 1 (k = 0..vminExpMax), vmax = 2^(base + step·j) − 1 (j = 0..vmaxCodeMax).
 */
import * as cost from "../target/cost.js";
import type { Target } from "../target/types.js";
import type { ChipConfig, CoreConfig, SynapseFormat } from "./core.js";

/** Real bits per stored entry of a row in `format` (§3.4; the target's cost model, target/cost.ts). */
export function synapseEntryBits(format: SynapseFormat, target: Target): number {
  return cost.synapseEntryBits(format, target);
}

/** Synaptic memory of one weight row of `entries` entries in `format` (§3.4; target/cost.ts). */
export function synapseRowBits(entries: number, format: SynapseFormat, target: Target): number {
  return cost.synapseRowBits(entries, format, target);
}

/**
 * For each synapse row of a core, the format index it is stored in: that of the lowest-numbered
 * input axon using it; −1 for a row no axon uses.
 */
export function rowFormats(core: CoreConfig): Int32Array {
  const out = new Int32Array(core.synapseRows.length).fill(-1);
  for (const a of core.inputAxons) {
    if (Number.isInteger(a.row) && a.row >= 0 && a.row < out.length && out[a.row] < 0) out[a.row] = a.format;
  }
  return out;
}

/** Synaptic memory bits of a core: Σ over its rows (shared rows once) in their formats (§3.4). */
export function coreSynapseBits(core: CoreConfig, target: Target): number {
  const fmts = rowFormats(core);
  let bits = 0;
  for (let r = 0; r < core.synapseRows.length; r++) {
    const f = core.synapseFormats[fmts[r]];
    if (f) bits += synapseRowBits(core.synapseRows[r].weights.length, f, target);
  }
  return bits;
}

/** S of §3.2: the low S bits of every stored Wgt are zero. */
export function weightShiftS(format: SynapseFormat): number {
  return 8 - format.weightBits + (format.isMixed ? 1 : 0);
}

/** D = shl(sh(Wgt, wgtExp), weightShift) (§3.2): what a stored weight adds to q, floor-shifted when wgtExp < 0. */
export function effectiveWeight(wgt: number, weightExp: number, target: Target): number {
  const shifted = weightExp >= 0 ? wgt * 2 ** weightExp : Math.floor(wgt / 2 ** -weightExp);
  return shifted * 2 ** target.widths.weightShift;
}

/** out[k] = effectiveWeight(wgts[k], weightExp, target) for a row, its powers of two taken once (chip.yaml writes every row's D). */
export function effectiveWeightsInto(wgts: ArrayLike<number>, weightExp: number, target: Target, out: Float64Array): void {
  const n = wgts.length, shift = 2 ** target.widths.weightShift;
  if (weightExp >= 0) {
    const up = 2 ** weightExp;
    for (let k = 0; k < n; k++) out[k] = wgts[k] * up * shift;
  } else {
    const down = 2 ** -weightExp;
    for (let k = 0; k < n; k++) out[k] = Math.floor(wgts[k] / down) * shift;
  }
}

/** Per-chip core numbers: the rank of each core among the cores of its chip, in index order. */
export function coreLocalIds(chip: ChipConfig): number[] {
  const counts = new Map<number, number>();
  return chip.cores.map((c) => {
    const n = counts.get(c.chip) ?? 0;
    counts.set(c.chip, n + 1);
    return n;
  });
}

/** vmin register code k (vmin = −2^k + 1), or −1 if vmin is not of that form within the target. */
export function vminCode(vmin: number, target: Target): number {
  for (let k = 0; k <= target.widths.vminExpMax; k++) if (vmin === -(2 ** k) + 1) return k;
  return -1;
}

/** vmax register code j (vmax = 2^(base + step·j) − 1), or −1. */
export function vmaxCode(vmax: number, target: Target): number {
  const w = target.widths;
  for (let j = 0; j <= w.vmaxCodeMax; j++) if (vmax === 2 ** (w.vmaxExpBase + w.vmaxExpStep * j) - 1) return j;
  return -1;
}

const MAX_PER_KIND = 3;

/** Collects problems, keeping the first few of each kind and counting the rest. */
class Problems {
  readonly list: string[] = [];
  private readonly counts = new Map<string, number>();
  add(kind: string, message: string): void {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= MAX_PER_KIND) this.list.push(message);
  }
  finish(): string[] {
    for (const [kind, n] of this.counts) if (n > MAX_PER_KIND) this.list.push(`${kind}: ${n - MAX_PER_KIND} more like the above`);
    return this.list;
  }
}

/** No lone surrogates: the emitters write strings as UTF-8, which cannot encode one. */
const isWellFormedUtf16 = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);
const inRange = (x: unknown, lo: number, hi: number): boolean => isInt(x) && x >= lo && x <= hi;

/** Every way `chip` fails to be a valid configuration of `target`; [] when it is valid. */
export function verifyChip(chip: ChipConfig, target: Target): string[] {
  const p = new Problems();
  const L = target.limits;
  if (chip.format !== "lmuc-chip/1") p.add("format", `format must be "lmuc-chip/1", got ${JSON.stringify(chip.format)}`);
  if (chip.target !== target.name) p.add("target", `chip was built for target '${chip.target}', not '${target.name}'`);
  if (!(typeof chip.dtSeconds === "number" && Number.isFinite(chip.dtSeconds) && chip.dtSeconds > 0)) p.add("dt", `dtSeconds must be a positive finite number, got ${chip.dtSeconds}`);
  const perChip = new Map<number, number>();
  chip.cores.forEach((core, i) => {
    if (core.index !== i) p.add("core index", `cores[${i}] has index ${core.index}; core indices must be 0, 1, 2, … in order`);
    if (!inRange(core.chip, 0, L.chipsPerBoard - 1)) p.add("chip", `core ${i}: chip ${core.chip} is outside 0..${L.chipsPerBoard - 1}`);
    perChip.set(core.chip, (perChip.get(core.chip) ?? 0) + 1);
    verifyCore(chip, core, i, target, p);
  });
  for (const [c, n] of perChip) if (n > L.coresPerChip) p.add("cores per chip", `chip ${c} has ${n} cores; the target allows ${L.coresPerChip}`);
  const ids = new Set<string>();
  chip.inputs.forEach((inp, k) => {
    const what = `host input ${k} ('${inp.id}')`;
    if (typeof inp.id !== "string" || !isWellFormedUtf16(inp.id)) p.add("input id", `${what}: id must be a well-formed string`);
    if (ids.has(inp.id)) p.add("input id", `${what}: duplicate id`);
    ids.add(inp.id);
    if (!inRange(inp.channels, 0, 0xffffffff)) p.add("input channels", `${what}: channels must be a non-negative integer, got ${inp.channels}`);
    inp.targets.forEach((t, j) => {
      if (!inRange(t.channel, 0, inp.channels - 1)) p.add("input target", `${what} target ${j}: channel ${t.channel} is outside 0..${inp.channels - 1}`);
      const core = isInt(t.core) ? chip.cores[t.core] : undefined;
      if (!core) p.add("input target", `${what} target ${j}: core ${t.core} does not exist`);
      else if (!inRange(t.axon, 0, core.inputAxons.length - 1)) p.add("input target", `${what} target ${j}: core ${t.core} has no input axon ${t.axon} (it has ${core.inputAxons.length})`);
    });
  });
  return p.finish();
}

function verifyCore(chip: ChipConfig, core: CoreConfig, i: number, target: Target, p: Problems): void {
  const L = target.limits;
  const W = target.widths;
  const at = `core ${i}`;
  const n = core.nCompartments;
  if (!inRange(n, 0, L.compartmentsPerCore)) {
    p.add("compartments", `${at}: ${n} compartments; the target allows ${L.compartmentsPerCore} per core`);
    return;
  }
  for (const [name, arr] of [["cxProfile", core.cxProfile], ["cxVthProfile", core.cxVthProfile], ["biasMant", core.biasMant], ["biasExp", core.biasExp]] as const) {
    if (arr.length !== n) p.add("array length", `${at}: ${name} has ${arr.length} entries for ${n} compartments`);
  }
  if (vminCode(core.vmin, target) < 0) p.add("vmin", `${at}: vmin ${core.vmin} is not −2^k + 1 for k in 0..${W.vminExpMax}`);
  if (vmaxCode(core.vmax, target) < 0) p.add("vmax", `${at}: vmax ${core.vmax} is not 2^(${W.vmaxExpBase} + ${W.vmaxExpStep}j) − 1 for j in 0..${W.vmaxCodeMax}`);
  verifyProfiles(core, at, target, p);
  verifyBlocks(core, at, p);
  verifySynapseFormats(core, at, target, p);
  const rowFmt = verifyInputAxons(core, at, target, p);
  verifyRows(core, at, rowFmt, target, p);
  verifyOutputAxons(chip, core, at, target, p);
}

/** Compartment and threshold profiles, and every compartment's registers. */
function verifyProfiles(core: CoreConfig, at: string, target: Target, p: Problems): void {
  const L = target.limits;
  const W = target.widths;
  const n = core.nCompartments;
  if (core.cxProfiles.length > L.cxProfilesPerCore) p.add("cx profiles", `${at}: ${core.cxProfiles.length} compartment profiles; the target allows ${L.cxProfilesPerCore}`);
  const decayMax = 2 ** W.decayBits - 1;
  const refractMax = Math.min(L.refractDelay.max, 2 ** W.refractDelayBits - 1);
  core.cxProfiles.forEach((c, k) => {
    if (!inRange(c.decayU, 0, decayMax)) p.add("decayU", `${at} cx profile ${k}: decayU ${c.decayU} is outside 0..${decayMax}`);
    if (!inRange(c.decayV, 0, decayMax)) p.add("decayV", `${at} cx profile ${k}: decayV ${c.decayV} is outside 0..${decayMax}`);
    if (!inRange(c.refractDelay, L.refractDelay.min, refractMax)) p.add("refractDelay", `${at} cx profile ${k}: refractDelay ${c.refractDelay} is outside ${L.refractDelay.min}..${refractMax}`);
  });
  if (core.vthProfiles.length > L.vthProfilesPerCore) p.add("vth profiles", `${at}: ${core.vthProfiles.length} threshold profiles; the target allows ${L.vthProfilesPerCore}`);
  const vthMax = 2 ** W.vthMantBits - 1;
  core.vthProfiles.forEach((m, k) => {
    if (!inRange(m, 1, vthMax)) p.add("vth", `${at} vth profile ${k}: mantissa ${m} is outside 1..${vthMax}`);
  });

  const biasMax = 2 ** (W.biasMantBits - 1) - 1;
  const biasExpMax = 2 ** W.biasExpBits - 1;
  const m = Math.min(n, core.cxProfile.length, core.cxVthProfile.length, core.biasMant.length, core.biasExp.length);
  for (let c = 0; c < m; c++) {
    if (core.cxProfile[c] >= core.cxProfiles.length) p.add("cxProfile", `${at} compartment ${c}: profile ${core.cxProfile[c]} does not exist (${core.cxProfiles.length} profiles)`);
    if (core.cxVthProfile[c] >= core.vthProfiles.length) p.add("cxVthProfile", `${at} compartment ${c}: threshold profile ${core.cxVthProfile[c]} does not exist (${core.vthProfiles.length} profiles)`);
    if (!inRange(core.biasMant[c], -biasMax, biasMax)) p.add("biasMant", `${at} compartment ${c}: bias mantissa ${core.biasMant[c]} is outside ±${biasMax}`);
    if (!inRange(core.biasExp[c], 0, biasExpMax)) p.add("biasExp", `${at} compartment ${c}: bias exponent ${core.biasExp[c]} is outside 0..${biasExpMax}`);
  }
}

/** Blocks cover the compartments 0..n−1 exactly once, with well-formed strings. */
function verifyBlocks(core: CoreConfig, at: string, p: Problems): void {
  const n = core.nCompartments;
  const cover = new Uint8Array(n);
  core.blocks.forEach((b, k) => {
    for (const [name, s] of [["label", b.label], ["source", b.source]] as const) {
      if (typeof s !== "string" || !isWellFormedUtf16(s)) p.add("block strings", `${at} block ${k}: ${name} must be a well-formed string`);
    }
    if (b.origin) {
      const o = b.origin;
      if (typeof o.file !== "string" || !isWellFormedUtf16(o.file) || !inRange(o.line, 0, 0xffffffff) || !inRange(o.column, 0, 0xffffffff) || (o.path !== undefined && (typeof o.path !== "string" || !isWellFormedUtf16(o.path)))) {
        p.add("block origin", `${at} block ${k}: origin must have a file, a line and a column (non-negative integers)`);
      }
    }
    if (!inRange(b.start, 0, n) || !inRange(b.count, 0, n) || b.start + b.count > n) {
      p.add("block range", `${at} block ${k} ('${b.label}'): compartments ${b.start}..${b.start + b.count - 1} are outside 0..${n - 1}`);
      return;
    }
    for (let c = b.start; c < b.start + b.count; c++) cover[c]++;
  });
  for (let c = 0; c < n; c++) {
    if (cover[c] === 0) p.add("block cover", `${at}: compartment ${c} belongs to no block`);
    else if (cover[c] > 1) p.add("block cover", `${at}: compartment ${c} belongs to ${cover[c]} blocks`);
  }
}

/** Synapse formats: count and fields within the target's options. */
function verifySynapseFormats(core: CoreConfig, at: string, target: Target, p: Problems): void {
  const L = target.limits;
  const W = target.widths;
  if (core.synapseFormats.length > L.synapseFormatsPerCore) p.add("synapse formats", `${at}: ${core.synapseFormats.length} synapse formats; the target allows ${L.synapseFormatsPerCore}`);
  core.synapseFormats.forEach((f, k) => {
    const where = `${at} synapse format ${k}`;
    if (!W.weightBitsOptions.includes(f.weightBits)) p.add("weightBits", `${where}: weightBits ${f.weightBits} is not one of ${W.weightBitsOptions.join(", ")}`);
    if (typeof f.isMixed !== "boolean") p.add("isMixed", `${where}: isMixed must be true or false`);
    if (!inRange(f.weightExp, W.weightExp.min, W.weightExp.max)) p.add("weightExp", `${where}: weightExp ${f.weightExp} is outside ${W.weightExp.min}..${W.weightExp.max}`);
    if (f.compression === "dense") {
      if (f.idxBits !== 0) p.add("idxBits", `${where}: a dense format has idxBits 0, got ${f.idxBits}`);
    } else if (f.compression === "sparse") {
      if (!W.idxBitsOptions.includes(f.idxBits)) p.add("idxBits", `${where}: idxBits ${f.idxBits} is not one of ${W.idxBitsOptions.join(", ")}`);
    } else {
      p.add("compression", `${where}: compression must be "dense" or "sparse", got ${JSON.stringify(f.compression)}`);
    }
  });
}

/** Input axons point at existing formats and rows, share a row's format, and reach only the core's compartments; returns each row's format (−1: unused). */
function verifyInputAxons(core: CoreConfig, at: string, target: Target, p: Problems): Int32Array {
  const L = target.limits;
  const n = core.nCompartments;
  if (core.inputAxons.length > L.inputAxonsPerCore) p.add("input axons", `${at}: ${core.inputAxons.length} input axons; the target allows ${L.inputAxonsPerCore}`);
  const rows = core.synapseRows;
  const rowFmt = new Int32Array(rows.length).fill(-1);
  const rowMax = rows.map((row) => {
    let max = -1;
    for (let j = 0; j < row.offsets.length; j++) if (row.offsets[j] > max) max = row.offsets[j];
    return max;
  });
  core.inputAxons.forEach((a, k) => {
    const where = `${at} input axon ${k}`;
    const f = isInt(a.format) ? core.synapseFormats[a.format] : undefined;
    if (!f || a.format < 0) p.add("axon format", `${where}: format ${a.format} does not exist (${core.synapseFormats.length} formats)`);
    const row = isInt(a.row) && a.row >= 0 ? rows[a.row] : undefined;
    if (!row) p.add("axon row", `${where}: row ${a.row} does not exist (${rows.length} rows)`);
    if (!(a.base === -1 || inRange(a.base, L.compartmentBase.min, L.compartmentBase.max))) p.add("axon base", `${where}: compartment base ${a.base} is outside ${L.compartmentBase.min}..${L.compartmentBase.max} (or −1, unused)`);
    if (!row || !f || a.format < 0) return;
    if (rowFmt[a.row] < 0) rowFmt[a.row] = a.format;
    else if (rowFmt[a.row] !== a.format) p.add("row format", `${where}: uses row ${a.row} in format ${a.format}, but another axon uses it in format ${rowFmt[a.row]}`);
    const max = rowMax[a.row];
    if (a.base >= 0 && max >= 0 && a.base + max >= n) p.add("axon reach", `${at} input axon ${k}: base ${a.base} + offset ${max} reaches compartment ${a.base + max}, but the core has ${n}`);
  });
  return rowFmt;
}

/** Rows: offsets fit their format, weights fit the field and its grid, and the core's synapse memory (§3.4) fits. */
function verifyRows(core: CoreConfig, at: string, rowFmt: Int32Array, target: Target, p: Problems): void {
  const L = target.limits;
  const W = target.widths;
  const n = core.nCompartments;
  const rows = core.synapseRows;
  const wgtMin = -(2 ** (W.weightFieldBits - 1));
  const wgtMax = 2 ** (W.weightFieldBits - 1) - 1;
  rows.forEach((row, r) => {
    const where = `${at} row ${r}`;
    if (row.offsets.length !== row.weights.length) {
      p.add("row length", `${where}: ${row.offsets.length} offsets but ${row.weights.length} weights`);
      return;
    }
    if (rowFmt[r] < 0) {
      p.add("row unused", `${where}: no input axon uses this row (its format is undefined)`);
      return;
    }
    const f = core.synapseFormats[rowFmt[r]];
    const step = 2 ** Math.max(0, weightShiftS(f));
    const idxLimit = f.compression === "sparse" ? Math.min(2 ** f.idxBits, n) : n;
    for (let j = 0; j < row.offsets.length; j++) {
      const o = row.offsets[j];
      if (f.compression === "dense" && o !== j) {
        p.add("dense offsets", `${where}: dense format ${rowFmt[r]} needs offsets 0, 1, 2, …, but entry ${j} has offset ${o}`);
        break;
      }
      if (f.compression === "sparse" && !(o >= 0 && o < idxLimit)) p.add("sparse offsets", `${where} entry ${j}: offset ${o} is outside 0..${idxLimit - 1} (${f.idxBits} index bits, ${n} compartments)`);
      const w = row.weights[j];
      if (w < wgtMin || w > wgtMax) p.add("weight", `${where} entry ${j}: weight ${w} does not fit the ${W.weightFieldBits}-bit signed field`);
      else if (w % step !== 0) p.add("weight", `${where} entry ${j}: weight ${w} must be a multiple of ${step} (format ${rowFmt[r]}: ${f.weightBits} bits${f.isMixed ? ", mixed sign" : ""})`);
    }
  });
  const bits = coreSynapseBits(core, target);
  if (bits > L.synapseBitsPerCore) p.add("synapse bits", `${at}: synapse rows need ${bits} bits of synaptic memory; the target has ${L.synapseBitsPerCore}`);
}

/** Output axons leave existing compartments for existing input axons. */
function verifyOutputAxons(chip: ChipConfig, core: CoreConfig, at: string, target: Target, p: Problems): void {
  const L = target.limits;
  const n = core.nCompartments;
  if (core.outputAxons.length > L.outputAxonsPerCore) p.add("output axons", `${at}: ${core.outputAxons.length} output axons; the target allows ${L.outputAxonsPerCore}`);
  core.outputAxons.forEach((o, k) => {
    const where = `${at} output axon ${k}`;
    if (!inRange(o.compartment, 0, n - 1)) p.add("output compartment", `${where}: compartment ${o.compartment} is outside 0..${n - 1}`);
    const dest = isInt(o.core) && o.core >= 0 ? chip.cores[o.core] : undefined;
    if (!dest) p.add("output target", `${where}: target core ${o.core} does not exist`);
    else if (!inRange(o.axon, 0, dest.inputAxons.length - 1)) p.add("output target", `${where}: core ${o.core} has no input axon ${o.axon} (it has ${dest.inputAxons.length})`);
  });
}
