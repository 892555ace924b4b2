/**
 * Stable text of the hardware IRs (`lmuc ir --after lower|quantize|partition`): one summary line
 * per block, group, input and core with its key registers and counts, instead of every weight.
 * Float values go through `num` (6 significant digits), arrays as their range, so the text is
 * the same on every machine and short enough to read (a few hundred lines for psmnist-lmu).
 */
import type { ChipConfig, CoreConfig } from "./core.js";
import { preCountOf, type HwNetwork } from "./hw.js";
import { num } from "./print.js";
import type { QGroup, QuantizedNetwork } from "./quantized.js";

/** "min..max (n)" of an array followed by `zeros` zeros (a window's uncovered entries), or "[]" when empty. */
function range(a: ArrayLike<number>, zeros = 0): string {
  const n = a.length + zeros;
  if (n === 0) return "[]";
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < lo) lo = a[i];
    if (a[i] > hi) hi = a[i];
  }
  if (zeros > 0) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
  return lo === hi ? `${num(lo)} ×${n}` : `${num(lo)}..${num(hi)} (${n})`;
}

function countNonzero(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

/** The rows of a shared-row group, one per pre. */
function unsharedRows(data: Float64Array, cols: number, rowOfPre: Int32Array): Float64Array {
  const out = new Float64Array(rowOfPre.length * cols);
  rowOfPre.forEach((r, j) => out.set(data.subarray(r * cols, (r + 1) * cols), j * cols));
  return out;
}

const preName = (pre: HwNetwork["groups"][number]["pre"]): string => (pre.kind === "block" ? pre.block : `input ${pre.input}`);

/** The host part in one line per kind (it is a BuiltNetwork, printed in full by `lmuc ir --after build-nef`). */
function hostLines(host: HwNetwork["host"], toHost: readonly string[]): string[] {
  return [`host nodes ${host.nodes.length} ensembles ${host.ensembles.length} connections ${host.connections.length} probes ${host.probes.length}`, `host reads ${toHost.length ? toHost.join(", ") : "(nothing)"}`];
}

export function printHw(hw: HwNetwork): string {
  const lines = [`hw '${hw.name}' dt ${num(hw.dtSeconds)} s: ${hw.blocks.length} blocks, ${hw.groups.length} groups, ${hw.inputs.length} inputs`];
  for (const b of hw.blocks) {
    lines.push(`block ${b.id}${b.integrator ? " (decode)" : ""} n ${b.n} ${b.neuron} decayU ${num(b.decayU)} decayV ${num(b.decayV)} vth ${num(b.vth)} refract ${b.refractDelay} vmin ${num(b.vmin)}`);
    lines.push(`  bias ${range(b.bias)} uPeak ${range(b.uPeak)} rates ${range(b.ratesHz)} Hz`);
  }
  const size = new Map(hw.blocks.map((b) => [b.id, b.n]));
  for (const g of hw.groups) {
    // A window is printed as the whole group it stands for (the uncovered entries are zeros).
    // Shared rows are printed once per pre that reads them: the text is that of the unshared group.
    const nPost = g.postStart === undefined && g.rowStart === undefined ? g.weights.cols : size.get(g.post) ?? g.weights.cols;
    const data = g.rowOfPre ? unsharedRows(g.weights.data, g.weights.cols, g.rowOfPre) : g.weights.data;
    const nPre = preCountOf(g);
    const zeros = nPre * (nPost - g.weights.cols);
    lines.push(`group ${g.id}: ${preName(g.pre)} -> ${g.post} ${nPre}x${nPost} nonzero ${countNonzero(data)} weights ${range(data, zeros)} from ${g.connections.join(", ")}`);
  }
  for (const i of hw.inputs) lines.push(`input ${i.id} channels ${i.channels} for ${i.connection} scale ${range(i.scale)}`);
  for (const n of hw.notes) lines.push(`note ${n.message}`);
  return [...lines, ...hostLines(hw.host, hw.toHost)].join("\n") + "\n";
}

/** The range of every stored field of g, the zeros outside its rows' spans included. */
function fieldRange(g: QGroup): string {
  const spans: number[] = [];
  for (let j = 0; j < g.nPre; j++) for (let i = g.spanFirst[j]; i <= g.spanLast[j]; i++) spans.push(g.wgt[g.rowBase[j] + i]);
  return range(spans, g.nPre * g.nPost - spans.length);
}

export function printQuantized(q: QuantizedNetwork): string {
  const lines = [`quantized '${q.name}' dt ${num(q.dtSeconds)} s: ${q.blocks.length} blocks, ${q.groups.length} groups, ${q.inputs.length} inputs, ${q.warnings.length} warnings`];
  for (const b of q.blocks) {
    lines.push(`block ${b.id}${b.integrator ? " (decode)" : ""} n ${b.n} decayU ${b.decayU} decayV ${b.decayV} refract ${b.refractDelay} vmin ${b.vmin} vmax ${b.vmax}`);
    lines.push(`  vthMant ${range(b.vthMant)} biasMant ${range(b.biasMant)} biasExp ${range(b.biasExp)} sigma0 ${num(b.scale.sigma0)} classes ${range(b.scale.scaleClass)}`);
  }
  for (const g of q.groups) {
    const r = g.report;
    lines.push(`group ${g.id}: ${preName(g.pre)} -> ${g.post} ${g.nPre}x${g.nPost} weightExp ${g.weightExp} rowExp ${range(g.rowExp)} wgt ${fieldRange(g)} nonzero ${r.nonzero} rounded-to-zero ${r.roundedToZero} max-rel-error ${num(r.maxRelError)}`);
  }
  for (const w of q.warnings) lines.push(`warning ${w.code} ${w.message}`);
  return [...lines, ...hostLines(q.host, q.toHost)].join("\n") + "\n";
}

function coreLines(c: CoreConfig): string[] {
  let entries = 0;
  for (const r of c.synapseRows) entries += r.weights.length;
  const formats = c.synapseFormats.map((f) => `${f.compression}${f.compression === "sparse" ? `/${f.idxBits}` : ""}@${f.weightExp}`).join(" ");
  const lines = [
    `core ${c.index} chip ${c.chip}: ${c.nCompartments} compartments, ${c.inputAxons.length} input axons, ${c.synapseRows.length} rows (${entries} synapses), ${c.outputAxons.length} output axons, vmin ${c.vmin} vmax ${c.vmax}`,
    `  cx profiles ${c.cxProfiles.map((p) => `${p.decayU}/${p.decayV}/${p.refractDelay}`).join(" ")}; vth profiles ${c.vthProfiles.join(" ")}; formats ${formats}`,
  ];
  for (const b of c.blocks) lines.push(`  block ${b.label} at ${b.start}..${b.start + b.count - 1} (${b.source})`);
  return lines;
}

export function printChip(chip: ChipConfig): string {
  const lines = [`chip ${chip.format} target ${chip.target} dt ${num(chip.dtSeconds)} s: ${chip.cores.length} cores, ${chip.inputs.length} host inputs`];
  for (const c of chip.cores) lines.push(...coreLines(c));
  for (const i of chip.inputs) lines.push(`input ${i.id} channels ${i.channels} -> ${i.targets.length} axons on cores ${[...new Set(i.targets.map((t) => t.core))].join(", ")}`);
  return lines.join("\n") + "\n";
}
