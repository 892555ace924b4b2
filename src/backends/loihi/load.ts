/**
 * Loader: cores.bin → ChipConfig (see the format spec at the top of emit.ts). The binary alone
 * carries the whole configuration; the target is needed only to check that the file was written
 * for it (name, field widths, code tables). Every failure is a DiagnosticError LMU5004, never a
 * stack trace; a decoded configuration is verified before it is returned.
 * Also `parseChipYaml`, which reads chip.yaml back (LMU5006 on errors).
 */
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { diag, DiagnosticError } from "../../diagnostics/diagnostic.js";
import type { SourceLocation } from "../../diagnostics/diagnostic.js";
import type { ChipConfig, CompartmentProfile, CoreBlock, CoreConfig, HostInput, InputAxon, OutputAxon, SynapseFormat, SynapseRow } from "../../ir/core.js";
import { verifyChip } from "../../ir/verify-core.js";
import type { Target } from "../../target/target.js";
import { BitReader } from "./bits.js";
import { CORES_BIN_MAGIC, CORES_BIN_VERSION, coreFieldWidths, TRAILER_BYTES, WIDTH_ORDER, type CoreFieldWidths } from "./emit.js";
import { FLAG_LEARNING, learningFromYaml, readLearningGroups, readLearningHeader, verifyLearning } from "./learning.js";

function bad(message: string, file: string): never {
  throw new DiagnosticError([diag("LMU5004", `${file}: ${message}`)]);
}

/** Decodes cores.bin; `file` names it in messages. */
export function loadCoresBin(bytes: Uint8Array, target: Target, file = "cores.bin"): ChipConfig {
  const minimum = 12 + TRAILER_BYTES;
  if (bytes.length < minimum) bad(`${bytes.length} bytes is too short for an lmuc cores.bin (at least ${minimum})`, file);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== CORES_BIN_MAGIC) bad(`not an lmuc cores.bin (the file starts with ${JSON.stringify(magic)}, expected "${CORES_BIN_MAGIC}")`, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== CORES_BIN_VERSION) bad(`format version ${version}; this lmuc reads version ${CORES_BIN_VERSION}`, file);
  const declared = view.getUint32(8, true);
  if (declared > bytes.length) bad(`truncated: ${bytes.length} of ${declared} bytes`, file);
  if (declared < bytes.length) bad(`${bytes.length - declared} unexpected bytes after the end (${declared} bytes)`, file);
  const body = bytes.subarray(0, bytes.length - TRAILER_BYTES);
  const digest = createHash("sha256").update(body).digest();
  const stored = bytes.subarray(bytes.length - TRAILER_BYTES);
  if (!digest.equals(stored)) bad("checksum mismatch: the file is damaged", file);

  const flags = view.getUint16(6, true);
  if ((flags & ~FLAG_LEARNING) !== 0) bad(`unknown header flags 0x${flags.toString(16)}; this lmuc knows only bit 0 (learning)`, file);
  let chip: ChipConfig;
  try {
    chip = decode(new BitReader(body), target, file, (flags & FLAG_LEARNING) !== 0);
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    if (e instanceof RangeError) bad(`corrupt: ${e.message}`, file);
    throw e;
  }
  const problems = [...verifyChip(chip, target), ...verifyLearning(chip, target)];
  if (problems.length > 0) {
    throw new DiagnosticError(problems.slice(0, 20).map((p) => diag("LMU5004", `${file}: decoded configuration is invalid: ${p}`)));
  }
  return chip;
}

function decode(r: BitReader, target: Target, file: string, learning = false): ChipConfig {
  r.readBytes(12, "header");
  const name = r.readString("target name");
  if (name !== target.name) bad(`built for target '${name}', not '${target.name}'`, file);
  const format = r.readString("chip format");
  if (format !== "lmuc-chip/1") bad(`unknown chip format ${JSON.stringify(format)}`, file);
  const dtSeconds = r.readF64("dt");
  const expected = coreFieldWidths(target);
  const nWidths = r.readU8("width count");
  if (nWidths !== WIDTH_ORDER.length) bad(`${nWidths} field widths in the header, expected ${WIDTH_ORDER.length}`, file);
  const widths: Record<string, number> = {};
  for (const k of WIDTH_ORDER) {
    widths[k] = r.readU8(`width ${k}`);
    if (widths[k] !== expected[k]) bad(`field '${k}' is ${widths[k]} bits wide in the file but ${expected[k]} in target '${target.name}' (written for another version of the target)`, file);
  }
  const w = widths as unknown as CoreFieldWidths;
  const tables: number[][] = [];
  for (const [label, want] of [["weight bits", target.widths.weightBitsOptions], ["index bits", target.widths.idxBitsOptions]] as const) {
    const n = r.readU8("option count");
    const got = Array.from({ length: n }, () => r.readU8("option"));
    if (got.join(",") !== want.join(",")) bad(`${label} codes [${got.join(", ")}] differ from target '${target.name}' [${want.join(", ")}]`, file);
    tables.push(got);
  }
  const [weightBitsOptions, idxBitsOptions] = tables;
  const vmaxBase = r.readU8("vmax exponent base");
  const vmaxStep = r.readU8("vmax exponent step");
  if (vmaxBase !== target.widths.vmaxExpBase || vmaxStep !== target.widths.vmaxExpStep) bad(`vmax encoding differs from target '${target.name}'`, file);
  const nCores = r.readU32("core count");
  const nInputs = r.readU32("input count");

  const learned = learning ? readLearningHeader(r, target) : undefined;
  const cores: CoreConfig[] = [];
  for (let i = 0; i < nCores; i++) {
    r.align();
    const start = r.bytePosition;
    const length = r.readU32("core length");
    let core = readCore(r, w, weightBitsOptions, idxBitsOptions, vmaxBase, vmaxStep, `core ${i}`);
    r.align();
    if (learned !== undefined) {
      const groups = readLearningGroups(r, learned.widths, w, `core ${i}`);
      if (groups.length > 0) core = { ...core, learningGroups: groups };
    }
    if (r.bytePosition - start !== length) bad(`core ${i}: record is ${r.bytePosition - start} bytes, its header says ${length}`, file);
    cores.push(core);
  }
  const inputs: HostInput[] = [];
  for (let k = 0; k < nInputs; k++) {
    const id = r.readString("input id");
    const channels = r.readU32("input channels");
    const n = r.readU32("input target count");
    if (n * 12 * 8 > r.remainingBits) throw new RangeError(`input ${k}: ${n} targets do not fit the remaining data`);
    const targets: { channel: number; core: number; axon: number }[] = [];
    for (let j = 0; j < n; j++) targets.push({ channel: r.readU32("input target channel"), core: r.readU32("input target core"), axon: r.readU32("input target axon") });
    inputs.push({ id, channels, targets });
  }
  r.align();
  if (r.remainingBits !== 0) bad(`${r.remainingBits / 8} unexpected bytes before the checksum`, file);
  return { format: "lmuc-chip/1", target: name, dtSeconds, cores, inputs, ...(learned === undefined ? {} : { learningEngine: learned.engine }) };
}

function readCore(r: BitReader, w: CoreFieldWidths, weightBitsOptions: number[], idxBitsOptions: number[], vmaxBase: number, vmaxStep: number, at: string): CoreConfig {
  const index = r.readU32(`${at} index`);
  const chip = r.readU32(`${at} chip`);
  const [n, nCx, nVth, nFmt, nAx, nRows, nOut, nBlocks] = ["nCompartments", "nCxProfiles", "nVthProfiles", "nFormats", "nInputAxons", "nRows", "nOutputAxons", "nBlocks"].map((k) => r.readU32(`${at} ${k}`));
  // Refuse counts the remaining data cannot hold before allocating for them.
  const cxBits = w.cxProfileIndex + w.vthProfileIndex + w.biasMant + w.biasExp;
  const need = nCx * (2 * w.decay + w.refractDelay) + nVth * w.vthMant + n * cxBits + nFmt + nAx * (w.formatIndex + w.rowIndex + w.base) + nRows * 32 + nOut + nBlocks * 32;
  if (need > r.remainingBits) throw new RangeError(`${at}: its counts need ${need} bits but only ${r.remainingBits} remain`);

  const vmin = -(2 ** r.readUnsigned(w.vminCode, `${at} vmin code`)) + 1;
  const vmax = 2 ** (vmaxBase + vmaxStep * r.readUnsigned(w.vmaxCode, `${at} vmax code`)) - 1;
  const cxProfiles: CompartmentProfile[] = [];
  for (let k = 0; k < nCx; k++) {
    cxProfiles.push({ decayU: r.readUnsigned(w.decay, "decayU"), decayV: r.readUnsigned(w.decay, "decayV"), refractDelay: r.readUnsigned(w.refractDelay, "refractDelay") });
  }
  const vthProfiles: number[] = [];
  for (let k = 0; k < nVth; k++) vthProfiles.push(r.readUnsigned(w.vthMant, "vthMant"));
  const cxProfile = new Uint8Array(n);
  const cxVthProfile = new Uint8Array(n);
  const biasMant = new Int32Array(n);
  const biasExp = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    cxProfile[c] = r.readUnsigned(w.cxProfileIndex, "cxProfile");
    cxVthProfile[c] = r.readUnsigned(w.vthProfileIndex, "cxVthProfile");
    biasMant[c] = r.readSigned(w.biasMant, "biasMant");
    biasExp[c] = r.readUnsigned(w.biasExp, "biasExp");
  }
  const synapseFormats: SynapseFormat[] = [];
  for (let k = 0; k < nFmt; k++) {
    const wbCode = r.readUnsigned(w.weightBitsCode, "weightBits code");
    const isMixed = r.readBool("isMixed");
    const weightExp = r.readSigned(w.weightExp, "weightExp");
    const comp = r.readUnsigned(w.compression, "compression");
    const idxCode = r.readUnsigned(w.idxBitsCode, "idxBits code");
    if (wbCode >= weightBitsOptions.length) throw new RangeError(`${at} format ${k}: weight bits code ${wbCode} is undefined`);
    if (comp !== 0 && comp !== 3) throw new RangeError(`${at} format ${k}: compression code ${comp} is not 0 (sparse) or 3 (dense)`);
    if (idxCode >= idxBitsOptions.length) throw new RangeError(`${at} format ${k}: index bits code ${idxCode} is undefined`);
    const compression = comp === 0 ? "sparse" : "dense";
    synapseFormats.push({ weightBits: weightBitsOptions[wbCode], isMixed, weightExp, compression, idxBits: compression === "sparse" ? idxBitsOptions[idxCode] : 0 });
  }
  const inputAxons: InputAxon[] = [];
  for (let k = 0; k < nAx; k++) {
    inputAxons.push({ format: r.readUnsigned(w.formatIndex, "axon format"), row: r.readUnsigned(w.rowIndex, "axon row"), base: r.readSigned(w.base, "axon base") });
  }
  r.align();
  const rowFormat = new Int32Array(nRows).fill(-1);
  for (const a of inputAxons) {
    if (a.row < nRows && rowFormat[a.row] < 0) rowFormat[a.row] = a.format;
  }
  const synapseRows: SynapseRow[] = [];
  for (let k = 0; k < nRows; k++) {
    const f = synapseFormats[rowFormat[k]];
    if (!f) throw new RangeError(`${at} row ${k}: no input axon with a valid format uses it`);
    const count = r.readUnsigned(32, "row entry count");
    const idxBits = f.compression === "sparse" ? f.idxBits : 0;
    if (count * (idxBits + w.weight) > r.remainingBits) throw new RangeError(`${at} row ${k}: ${count} entries do not fit the remaining data`);
    const offsets = new Int32Array(count);
    const weights = new Int32Array(count);
    for (let j = 0; j < count; j++) {
      offsets[j] = idxBits > 0 ? r.readUnsigned(idxBits, "row index") : f.compression === "dense" ? j : 0;
      weights[j] = r.readSigned(w.weight, "Wgt");
    }
    synapseRows.push({ offsets, weights });
  }
  r.align();
  const outputAxons: OutputAxon[] = [];
  for (let k = 0; k < nOut; k++) {
    outputAxons.push({ compartment: r.readUnsigned(w.compartment, "output compartment"), core: r.readUnsigned(w.core, "output core"), axon: r.readUnsigned(w.axon, "output axon") });
  }
  r.align();
  const blocks: CoreBlock[] = [];
  for (let k = 0; k < nBlocks; k++) {
    const label = r.readString("block label");
    const start = r.readU32("block start");
    const count = r.readU32("block count");
    const source = r.readString("block source");
    const kind = r.readU8("origin kind");
    if (kind > 2) throw new RangeError(`${at} block ${k}: origin kind ${kind} is undefined`);
    if (kind === 0) {
      blocks.push({ label, start, count, source });
      continue;
    }
    const origin = parseOrigin(r.readString("block origin"));
    if (!origin) throw new RangeError(`${at} block ${k}: origin is not file:line:col`);
    blocks.push({ label, start, count, source, origin: kind === 2 ? { ...origin, path: r.readString("block origin path") } : origin });
  }
  return { index, chip, blocks, nCompartments: n, vmin, vmax, cxProfiles, vthProfiles, cxProfile, cxVthProfile, biasMant, biasExp, synapseFormats, inputAxons, synapseRows, outputAxons };
}

/** "file:line:col" → location (the file may itself contain ':'). */
export function parseOrigin(s: string): SourceLocation | undefined {
  const m = /^([\s\S]*):(\d+):(\d+)$/.exec(s);
  if (!m) return undefined;
  return { file: m[1], line: Number(m[2]), column: Number(m[3]) };
}

// ---------------------------------------------------------------- chip.yaml

class YamlShapeError extends Error {}

type Obj = Record<string, unknown>;

function obj(x: unknown, what: string): Obj {
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw new YamlShapeError(`${what} must be a mapping`);
  return x as Obj;
}
function arr(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) throw new YamlShapeError(`${what} must be a list`);
  return x;
}
function int(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isInteger(v)) throw new YamlShapeError(`${what}.${k} must be an integer`);
  return v;
}
function str(o: Obj, k: string, what: string): string {
  const v = o[k];
  if (typeof v !== "string") throw new YamlShapeError(`${what}.${k} must be a string`);
  return v;
}
function yamlNumber(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new YamlShapeError(`${what}.${k} must be a number`);
  return v;
}
function ints(x: unknown, what: string): Int32Array {
  const a = arr(x, what);
  if (!a.every((v) => typeof v === "number" && Number.isInteger(v))) throw new YamlShapeError(`${what} must be a list of integers`);
  return Int32Array.from(a as number[]);
}

/**
 * Reads chip.yaml (as written by emitChipYaml) back into a ChipConfig. Structural problems are
 * LMU5006; the result is not verified against a target (use verifyChip).
 */
export function parseChipYaml(text: string, file = "chip.yaml"): ChipConfig {
  try {
    return chipFromYaml(obj(parseYaml(text), "the document"));
  } catch (e) {
    if (e instanceof YamlShapeError || (e instanceof Error && e.name.startsWith("YAML"))) {
      throw new DiagnosticError([diag("LMU5006", `${file}: ${e.message.split("\n")[0]}`)]);
    }
    throw e;
  }
}

function chipFromYaml(doc: Obj): ChipConfig {
  if (doc.format !== "lmuc-chip/1") throw new YamlShapeError(`format must be lmuc-chip/1, got ${JSON.stringify(doc.format)}`);
  const target = str(doc, "target", "chip");
  if (typeof doc.dt !== "number") throw new YamlShapeError("dt must be a number");
  const cores = arr(doc.cores, "cores").map((c, i) => coreFromYaml(obj(c, `cores[${i}]`), `cores[${i}]`));
  const inputs = arr(doc.inputs, "inputs").map((x, k): HostInput => {
    const o = obj(x, `inputs[${k}]`);
    const targets = arr(o.targets, `inputs[${k}].targets`).map((t, j) => {
      const to = obj(t, `inputs[${k}].targets[${j}]`);
      const w = `inputs[${k}].targets[${j}]`;
      return { channel: int(to, "channel", w), core: int(to, "core", w), axon: int(to, "axon", w) };
    });
    return { id: str(o, "id", `inputs[${k}]`), channels: int(o, "channels", `inputs[${k}]`), targets };
  });
  const engine = doc.learning_engine === undefined ? undefined : obj(doc.learning_engine, "learning_engine");
  const learningEngine = engine && { traceBits: int(engine, "trace_bits", "learning_engine"), learnFrac: int(engine, "learn_frac", "learning_engine"), overflowBits: int(engine, "overflow_bits", "learning_engine") };
  return { format: "lmuc-chip/1", target, dtSeconds: doc.dt, cores, inputs, ...(learningEngine === undefined ? {} : { learningEngine }) };
}

function coreFromYaml(o: Obj, at: string): CoreConfig {
  const n = int(o, "compartments", at);
  const blocks = arr(o.blocks, `${at}.blocks`).map((x, k): CoreBlock => {
    const b = obj(x, `${at}.blocks[${k}]`);
    const w = `${at}.blocks[${k}]`;
    const block = { label: str(b, "label", w), start: int(b, "start", w), count: int(b, "count", w), source: str(b, "source", w) };
    if (b.origin === undefined) return block;
    const origin = parseOrigin(str(b, "origin", w));
    if (!origin) throw new YamlShapeError(`${w}.origin must be file:line:col`);
    return { ...block, origin: b.origin_path === undefined ? origin : { ...origin, path: str(b, "origin_path", w) } };
  });
  const cxProfiles = arr(o.cx_profiles, `${at}.cx_profiles`).map((x, k): CompartmentProfile => {
    const p = obj(x, `${at}.cx_profiles[${k}]`);
    const w = `${at}.cx_profiles[${k}]`;
    return { decayU: int(p, "du", w), decayV: int(p, "dv", w), refractDelay: int(p, "refract", w) };
  });
  const vthProfiles = arr(o.vth_profiles, `${at}.vth_profiles`).map((x, k) => int(obj(x, `${at}.vth_profiles[${k}]`), "mant", `${at}.vth_profiles[${k}]`));
  const cxProfile = new Uint8Array(n);
  const cxVthProfile = new Uint8Array(n);
  const biasMant = new Int32Array(n);
  const biasExp = new Uint8Array(n);
  let next = 0;
  if (o.compartment_columns !== undefined) {
    const cols = obj(o.compartment_columns, `${at}.compartment_columns`);
    const columns = (["cx", "vth", "bias_mant", "bias_exp"] as const).map((k) => ints(cols[k], `${at}.compartment_columns.${k}`));
    if (columns.some((col) => col.length !== n)) throw new YamlShapeError(`${at}.compartment_columns must list ${n} values each`);
    cxProfile.set(columns[0]);
    cxVthProfile.set(columns[1]);
    biasMant.set(columns[2]);
    biasExp.set(columns[3]);
    next = n;
  }
  arr(o.compartment_groups ?? [], `${at}.compartment_groups`).forEach((x, k) => {
    const g = obj(x, `${at}.compartment_groups[${k}]`);
    const w = `${at}.compartment_groups[${k}]`;
    const first = int(g, "first", w);
    const count = int(g, "count", w);
    if (first !== next || count < 1 || first + count > n) throw new YamlShapeError(`${w} must continue at compartment ${next} within ${n} compartments`);
    cxProfile.fill(int(g, "cx", w), first, first + count);
    cxVthProfile.fill(int(g, "vth", w), first, first + count);
    biasMant.fill(int(g, "bias_mant", w), first, first + count);
    biasExp.fill(int(g, "bias_exp", w), first, first + count);
    next = first + count;
  });
  if (next !== n) throw new YamlShapeError(`${at}.compartment_groups cover ${next} of ${n} compartments`);
  const synapseFormats = arr(o.synapse_formats, `${at}.synapse_formats`).map((x, k): SynapseFormat => {
    const f = obj(x, `${at}.synapse_formats[${k}]`);
    const w = `${at}.synapse_formats[${k}]`;
    if (typeof f.mixed !== "boolean") throw new YamlShapeError(`${w}.mixed must be true or false`);
    if (f.compression !== "dense" && f.compression !== "sparse") throw new YamlShapeError(`${w}.compression must be dense or sparse`);
    return { weightBits: int(f, "weight_bits", w), isMixed: f.mixed, weightExp: int(f, "weight_exp", w), compression: f.compression, idxBits: int(f, "idx_bits", w) };
  });
  const inputAxons = arr(o.input_axons, `${at}.input_axons`).map((x, k): InputAxon => {
    const a = obj(x, `${at}.input_axons[${k}]`);
    const w = `${at}.input_axons[${k}]`;
    return { format: int(a, "format", w), row: int(a, "row", w), base: int(a, "base", w) };
  });
  const synapseRows = arr(o.synapse_rows, `${at}.synapse_rows`).map((x, k): SynapseRow => {
    const row = obj(x, `${at}.synapse_rows[${k}]`);
    const w = `${at}.synapse_rows[${k}]`;
    if (row.wgt === undefined) throw new YamlShapeError(`${w} has no weights (rows were summarised because the chip is large); read cores.bin instead`);
    const weights = ints(row.wgt, `${w}.wgt`);
    const offsets = row.offsets === undefined ? Int32Array.from({ length: weights.length }, (_, j) => j) : ints(row.offsets, `${w}.offsets`);
    if (offsets.length !== weights.length || int(row, "entries", w) !== weights.length) throw new YamlShapeError(`${w}: entries, offsets and wgt disagree in length`);
    return { offsets, weights };
  });
  const outputAxons = arr(o.output_axons, `${at}.output_axons`).map((x, k): OutputAxon => {
    const a = obj(x, `${at}.output_axons[${k}]`);
    const w = `${at}.output_axons[${k}]`;
    return { compartment: int(a, "compartment", w), core: int(a, "core", w), axon: int(a, "axon", w) };
  });
  const learningGroups = learningFromYaml(o, at, yamlNumber, str, (m) => {
    throw new YamlShapeError(m);
  });
  return {
    ...(learningGroups === undefined ? {} : { learningGroups }),
    index: int(o, "core", at),
    chip: int(o, "chip", at),
    blocks,
    nCompartments: n,
    vmin: int(o, "vmin", at),
    vmax: int(o, "vmax", at),
    cxProfiles,
    vthProfiles,
    cxProfile,
    cxVthProfile,
    biasMant,
    biasExp,
    synapseFormats,
    inputAxons,
    synapseRows,
    outputAxons,
  };
}
