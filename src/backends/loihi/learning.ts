/**
 * PES learning groups in the emitted configuration (cores.bin, chip.yaml) and their checks.
 * emit.ts and load.ts call these functions; everything about learning on disk is here.
 *
 * cores.bin: a chip with learning groups sets bit 0 of the header's flags (a chip without any
 * is written exactly as before, byte for byte). Then:
 *   after the header's "u32 number of host inputs":
 *     u8 LW = 8, then LW × u8: learning field widths, in LEARNING_WIDTH_ORDER:
 *        traceEpoch, learnEpochExp, traceTau, traceMagInt, traceMagFrac, lrMant, lrExp, errorMax
 *     u8 traceBits, u8 learnFrac, u8 overflowBits   (the engine's arithmetic, chip.learningEngine)
 *   at the end of every core record (inside its byte length):
 *     u32 number of learning groups G, then G × [
 *       str label, str error channel, f64 traceDecay, f64 errorScale,
 *       packed: firstAxon (w.axon), nAxons (w.axon + 1), readoutStart (w.compartment),
 *               dims (w.compartment), traceEpochSteps, learnEpochExp, traceTauSteps,
 *               traceMagInt, traceMagFrac, lrMant (signed), lrExp (signed), errorMax ]
 *     (widths from the learning width table; the weight format is that of the group's axons)
 */
import type { ChipConfig, CoreConfig, LearningGroupConfig } from "../../ir/core.js";
import type { Target, TargetLearning } from "../../target/target.js";
import { BitReader, BitWriter, fieldRange } from "./bits.js";
import type { CoreFieldWidths } from "./emit.js";

/** Header flag: learning sections follow. */
export const FLAG_LEARNING = 1;

export interface LearningFieldWidths {
  readonly traceEpoch: number;
  readonly learnEpochExp: number;
  readonly traceTau: number;
  readonly traceMagInt: number;
  readonly traceMagFrac: number;
  readonly lrMant: number;
  readonly lrExp: number;
  readonly errorMax: number;
}

export const LEARNING_WIDTH_ORDER: readonly (keyof LearningFieldWidths)[] = ["traceEpoch", "learnEpochExp", "traceTau", "traceMagInt", "traceMagFrac", "lrMant", "lrExp", "errorMax"];

export function learningFieldWidths(L: TargetLearning): LearningFieldWidths {
  return {
    traceEpoch: L.traceEpochBits,
    learnEpochExp: L.learnEpochExpBits,
    traceTau: L.traceTauBits,
    traceMagInt: L.traceMagIntBits,
    traceMagFrac: L.traceMagFracBits,
    lrMant: L.lrMantBits,
    lrExp: L.lrExpBits,
    errorMax: L.errorBits - 1,
  };
}

export function chipHasLearning(chip: ChipConfig): boolean {
  return chip.cores.some((c) => (c.learningGroups ?? []).length > 0);
}

/** The problems with the chip's learning groups for `target` ([] when none or all fine). */
export function verifyLearning(chip: ChipConfig, target: Target): string[] {
  if (!chipHasLearning(chip)) return [];
  const L = target.learning;
  if (L === undefined) return [`target '${target.name}' has no learning engine, but the chip has learning groups`];
  const out: string[] = [];
  const e = chip.learningEngine;
  if (e === undefined || e.traceBits !== L.traceBits || e.learnFrac !== L.learnFrac || e.overflowBits !== L.overflowBits) {
    out.push(`chip.learningEngine ${JSON.stringify(e)} differs from target '${target.name}' (traceBits ${L.traceBits}, learnFrac ${L.learnFrac}, overflowBits ${L.overflowBits})`);
  }
  for (const core of chip.cores) out.push(...verifyCoreLearning(core, L));
  return out;
}

function verifyCoreLearning(core: CoreConfig, L: TargetLearning): string[] {
  const groups = core.learningGroups ?? [];
  const out: string[] = [];
  if (groups.length > L.groupsPerCore) out.push(`core ${core.index}: ${groups.length} learning groups, the target allows ${L.groupsPerCore}`);
  const w = learningFieldWidths(L);
  const owner = new Int32Array(core.inputAxons.length).fill(-1);
  const rowUsers = new Int32Array(core.synapseRows.length);
  for (const a of core.inputAxons) if (a.row >= 0 && a.row < rowUsers.length) rowUsers[a.row]++;
  groups.forEach((g, gi) => {
    const at = `core ${core.index} learning group ${gi} (${g.label})`;
    const p = g.profile;
    const fits: [string, number, number, boolean][] = [
      ["traceEpochSteps", p.traceEpochSteps, w.traceEpoch, false], ["learnEpochExp", p.learnEpochExp, w.learnEpochExp, false],
      ["traceTauSteps", p.traceTauSteps, w.traceTau, false], ["traceMagInt", p.traceMagInt, w.traceMagInt, false],
      ["traceMagFrac", p.traceMagFrac, w.traceMagFrac, false], ["lrMant", p.lrMant, w.lrMant, true], ["lrExp", p.lrExp, w.lrExp, true],
      ["errorMax", g.errorMax, w.errorMax, false],
    ];
    for (const [name, v, bits, signed] of fits) {
      const r = fieldRange(bits, signed);
      if (!Number.isInteger(v) || v < r.min || v > r.max) out.push(`${at}: ${name} ${v} does not fit ${bits}-bit ${signed ? "signed" : "unsigned"}`);
    }
    if (p.traceEpochSteps < 1) out.push(`${at}: traceEpochSteps must be ≥ 1`);
    if (!(p.traceDecay >= 0 && p.traceDecay <= 1)) out.push(`${at}: traceDecay ${p.traceDecay} is outside [0, 1]`);
    if (!(g.errorScale > 0 && Number.isFinite(g.errorScale))) out.push(`${at}: errorScale must be a finite number > 0, got ${g.errorScale}`);
    if (!Number.isInteger(g.dims) || g.dims < 1 || !Number.isInteger(g.readoutStart) || g.readoutStart < 0 || g.readoutStart + 2 * g.dims > core.nCompartments) {
      out.push(`${at}: readout ${g.readoutStart}..${g.readoutStart + 2 * g.dims - 1} is outside the core's ${core.nCompartments} compartments`);
    }
    if (!Number.isInteger(g.firstAxon) || !Number.isInteger(g.nAxons) || g.nAxons < 1 || g.firstAxon < 0 || g.firstAxon + g.nAxons > core.inputAxons.length) {
      out.push(`${at}: axons ${g.firstAxon}..${g.firstAxon + g.nAxons - 1} are outside the core's ${core.inputAxons.length} input axons`);
      return;
    }
    let format = -1;
    for (let a = g.firstAxon; a < g.firstAxon + g.nAxons; a++) {
      if (owner[a] >= 0) out.push(`${at}: axon ${a} is also in learning group ${owner[a]}`);
      owner[a] = gi;
      const ax = core.inputAxons[a];
      const row = core.synapseRows[ax.row];
      if (format < 0) format = ax.format;
      if (ax.format !== format) out.push(`${at}: axon ${a} uses synapse format ${ax.format}, axon ${g.firstAxon} format ${format}: a group has one weight format`);
      if (core.synapseFormats[ax.format]?.compression !== "dense") out.push(`${at}: axon ${a}'s format is not dense`);
      if (ax.base !== g.readoutStart || row === undefined || row.weights.length !== 2 * g.dims) out.push(`${at}: axon ${a} must have a dense row of ${2 * g.dims} weights at base ${g.readoutStart}`);
      if (row !== undefined && rowUsers[ax.row] !== 1) out.push(`${at}: axon ${a}'s row ${ax.row} is shared with another axon; learned rows change and must be their own`);
    }
  });
  return out;
}

/** After the header: the learning width table and the engine's arithmetic (only with FLAG_LEARNING). */
export function writeLearningHeader(out: BitWriter, chip: ChipConfig, target: Target): void {
  const lw = learningFieldWidths(target.learning!);
  out.writeU8(LEARNING_WIDTH_ORDER.length, "learning width count");
  for (const k of LEARNING_WIDTH_ORDER) out.writeU8(lw[k], `learning width ${k}`);
  const e = chip.learningEngine!;
  out.writeU8(e.traceBits, "traceBits");
  out.writeU8(e.learnFrac, "learnFrac");
  out.writeU8(e.overflowBits, "overflowBits");
}

/** Reads what writeLearningHeader wrote; RangeError unless it matches `target`. */
export function readLearningHeader(r: BitReader, target: Target): { widths: LearningFieldWidths; engine: NonNullable<ChipConfig["learningEngine"]> } {
  const L = target.learning;
  if (L === undefined) throw new RangeError(`the file has learning groups but target '${target.name}' has no learning engine`);
  const want = learningFieldWidths(L);
  const n = r.readU8("learning width count");
  if (n !== LEARNING_WIDTH_ORDER.length) throw new RangeError(`${n} learning field widths, expected ${LEARNING_WIDTH_ORDER.length}`);
  for (const k of LEARNING_WIDTH_ORDER) {
    const got = r.readU8(`learning width ${k}`);
    if (got !== want[k]) throw new RangeError(`learning field '${k}' is ${got} bits wide in the file but ${want[k]} in target '${target.name}'`);
  }
  const engine = { traceBits: r.readU8("traceBits"), learnFrac: r.readU8("learnFrac"), overflowBits: r.readU8("overflowBits") };
  return { widths: want, engine };
}

/** The learning section at the end of a core record (only with FLAG_LEARNING). */
export function writeLearningGroups(out: BitWriter, core: CoreConfig, target: Target, w: CoreFieldWidths): void {
  const lw = learningFieldWidths(target.learning!);
  const groups = core.learningGroups ?? [];
  out.writeU32(groups.length, "learning group count");
  for (const g of groups) {
    out.writeString(g.label, "learning group label");
    out.writeString(g.errorChannel, "learning error channel");
    out.writeF64(g.profile.traceDecay);
    out.writeF64(g.errorScale);
    const p = g.profile;
    out.writeUnsigned(g.firstAxon, w.axon, "learning firstAxon");
    out.writeUnsigned(g.nAxons, w.axon + 1, "learning nAxons");
    out.writeUnsigned(g.readoutStart, w.compartment, "learning readoutStart");
    out.writeUnsigned(g.dims, w.compartment, "learning dims");
    out.writeUnsigned(p.traceEpochSteps, lw.traceEpoch, "traceEpochSteps");
    out.writeUnsigned(p.learnEpochExp, lw.learnEpochExp, "learnEpochExp");
    out.writeUnsigned(p.traceTauSteps, lw.traceTau, "traceTauSteps");
    out.writeUnsigned(p.traceMagInt, lw.traceMagInt, "traceMagInt");
    out.writeUnsigned(p.traceMagFrac, lw.traceMagFrac, "traceMagFrac");
    out.writeSigned(p.lrMant, lw.lrMant, "lrMant");
    out.writeSigned(p.lrExp, lw.lrExp, "lrExp");
    out.writeUnsigned(g.errorMax, lw.errorMax, "errorMax");
  }
}

export function readLearningGroups(r: BitReader, lw: LearningFieldWidths, w: CoreFieldWidths, at: string): LearningGroupConfig[] {
  r.align();
  const n = r.readU32(`${at} learning group count`);
  if (n * 200 > r.remainingBits) throw new RangeError(`${at}: ${n} learning groups do not fit the remaining data`);
  const out: LearningGroupConfig[] = [];
  for (let k = 0; k < n; k++) {
    const label = r.readString("learning group label");
    const errorChannel = r.readString("learning error channel");
    const traceDecay = r.readF64("traceDecay");
    const errorScale = r.readF64("errorScale");
    const firstAxon = r.readUnsigned(w.axon, "learning firstAxon");
    const nAxons = r.readUnsigned(w.axon + 1, "learning nAxons");
    const readoutStart = r.readUnsigned(w.compartment, "learning readoutStart");
    const dims = r.readUnsigned(w.compartment, "learning dims");
    const profile = {
      traceEpochSteps: r.readUnsigned(lw.traceEpoch, "traceEpochSteps"),
      learnEpochExp: r.readUnsigned(lw.learnEpochExp, "learnEpochExp"),
      traceTauSteps: r.readUnsigned(lw.traceTau, "traceTauSteps"),
      traceDecay,
      traceMagInt: r.readUnsigned(lw.traceMagInt, "traceMagInt"),
      traceMagFrac: r.readUnsigned(lw.traceMagFrac, "traceMagFrac"),
      lrMant: r.readSigned(lw.lrMant, "lrMant"),
      lrExp: r.readSigned(lw.lrExp, "lrExp"),
    };
    const errorMax = r.readUnsigned(lw.errorMax, "errorMax");
    out.push({ label, firstAxon, nAxons, readoutStart, dims, profile, errorChannel, errorScale, errorMax });
    r.align();
  }
  return out;
}

/** chip.yaml lines for a core's learning groups (none when it has none, so other chips read as before). */
export function learningYaml(core: CoreConfig, quote: (s: string) => string): string[] {
  const groups = core.learningGroups ?? [];
  if (groups.length === 0) return [];
  const lines = ["    learning_groups:   # PES: axons first_axon.. each a dense row of 2·dims weights onto readout_start..; traces every trace_epoch steps, weights every trace_epoch·2^learn_epoch_exp"];
  for (const g of groups) {
    const p = g.profile;
    lines.push(`      - { label: ${quote(g.label)}, first_axon: ${g.firstAxon}, axons: ${g.nAxons}, readout_start: ${g.readoutStart}, dims: ${g.dims}, error_channel: ${quote(g.errorChannel)}, error_scale: ${String(g.errorScale)}, error_max: ${g.errorMax},`);
    lines.push(`          trace_epoch: ${p.traceEpochSteps}, learn_epoch_exp: ${p.learnEpochExp}, trace_tau: ${p.traceTauSteps}, trace_decay: ${String(p.traceDecay)}, trace_mag_int: ${p.traceMagInt}, trace_mag_frac: ${p.traceMagFrac}, lr_mant: ${p.lrMant}, lr_exp: ${p.lrExp} }`);
  }
  return lines;
}

/** chip.yaml's top-level learning_engine line (only for chips with learning groups). */
export function learningEngineYaml(chip: ChipConfig): string[] {
  const e = chip.learningEngine;
  if (!chipHasLearning(chip) || e === undefined) return [];
  return [`learning_engine: { trace_bits: ${e.traceBits}, learn_frac: ${e.learnFrac}, overflow_bits: ${e.overflowBits} }`];
}

type Obj = Record<string, unknown>;

/** Reads learning_groups of a chip.yaml core (absent: no groups); `num` throws a located error. */
export function learningFromYaml(
  o: Obj,
  at: string,
  num: (o: Obj, k: string, what: string) => number,
  text: (o: Obj, k: string, what: string) => string,
  fail: (message: string) => never,
): LearningGroupConfig[] | undefined {
  if (o.learning_groups === undefined) return undefined;
  if (!Array.isArray(o.learning_groups)) fail(`${at}.learning_groups must be a list`);
  return (o.learning_groups as unknown[]).map((x, k): LearningGroupConfig => {
    const w = `${at}.learning_groups[${k}]`;
    if (typeof x !== "object" || x === null || Array.isArray(x)) fail(`${w} must be a mapping`);
    const g = x as Obj;
    return {
      label: text(g, "label", w),
      firstAxon: num(g, "first_axon", w),
      nAxons: num(g, "axons", w),
      readoutStart: num(g, "readout_start", w),
      dims: num(g, "dims", w),
      errorChannel: text(g, "error_channel", w),
      errorScale: num(g, "error_scale", w),
      errorMax: num(g, "error_max", w),
      profile: {
        traceEpochSteps: num(g, "trace_epoch", w),
        learnEpochExp: num(g, "learn_epoch_exp", w),
        traceTauSteps: num(g, "trace_tau", w),
        traceDecay: num(g, "trace_decay", w),
        traceMagInt: num(g, "trace_mag_int", w),
        traceMagFrac: num(g, "trace_mag_frac", w),
        lrMant: num(g, "lr_mant", w),
        lrExp: num(g, "lr_exp", w),
      },
    };
  });
}
