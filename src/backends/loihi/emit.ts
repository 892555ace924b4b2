/**
 * Emitter: ChipConfig (CoreIR) → cores.bin (the authoritative, self-contained binary) and
 * chip.yaml (a deterministic, human-readable view of the same data). Same ChipConfig → same bytes.
 *
 * ============================================================================================
 *  cores.bin, format version 1
 * ============================================================================================
 *  Conventions
 *    - Multi-byte integers are little-endian. `u8/u16/u32` are byte-aligned.
 *    - `str` = u32 byte length + that many bytes of UTF-8.
 *    - Register images are bit-packed LSB first (bit i of the stream is bit i mod 8 of byte ⌊i/8⌋;
 *      a field's least significant bit comes first), with no padding between fields; a section of
 *      packed fields ends with zero bits up to the next byte. `sN` = N-bit two's complement,
 *      `uN` inside a packed section = N-bit unsigned. Widths written `w.x` come from the header's
 *      width table (below) and are derived from the target (`coreFieldWidths`).
 *
 *  Header
 *    char[4]  magic "LMUC"
 *    u16      format version = 1
 *    u16      flags: bit 0 = learning sections follow (learning.ts); other bits 0 (reserved)
 *    u32      file length in bytes, trailer included
 *    str      target name (e.g. "loihi1")
 *    str      chip format ("lmuc-chip/1")
 *    f64      dt in seconds (IEEE 754 binary64)
 *    u8       W = 20, then W × u8: the field widths, in WIDTH_ORDER:
 *               decay, refractDelay, vthMant, cxProfileIndex, vthProfileIndex, biasMant, biasExp,
 *               weightBitsCode, weightExp, compression, idxBitsCode, formatIndex, rowIndex, base,
 *               weight, compartment, core, axon, vminCode, vmaxCode
 *    u8       n, then n × u8: real weight bits by wgtBits code (Loihi 1: 0 1 2 3 4 5 6 8)
 *    u8       n, then n × u8: real index bits by idxBits code (Loihi 1: 0 6 7 8 9 10 11 12)
 *    u8       vmax exponent base (9), u8 vmax exponent step (2): vmax = 2^(base + step·j) − 1
 *    u32      number of cores C
 *    u32      number of host inputs H
 *
 *  Core (C times, in core-index order)
 *    u32      byte length of this core record, this field included
 *    u32      core index, u32 chip
 *    u32      nCompartments N, nCxProfiles P, nVthProfiles T, nFormats F,
 *             nInputAxons A, nRows R, nOutputAxons O, nBlocks B
 *    packed   vmin code k (w.vminCode; vmin = −2^k + 1), vmax code j (w.vmaxCode)
 *             cxProfile table, P × [du (w.decay), dv (w.decay), refractDelay (w.refractDelay)]
 *             vthProfile table, T × [mantissa (w.vthMant)]; threshold = mantissa · 2^vthExp
 *             cxCfg, N × [cx profile (w.cxProfileIndex), vth profile (w.vthProfileIndex),
 *                         bias mantissa (s w.biasMant), bias exponent (w.biasExp)]
 *             synFmt, F × [wgtBits code (w.weightBitsCode), isMixed (1), wgtExp (s w.weightExp),
 *                          compression (w.compression: 0 sparse, 3 dense), idxBits code (w.idxBitsCode)]
 *             synapse map, A × [format index (w.formatIndex; hardware synFmtId = index + 1),
 *                               row index (w.rowIndex), compartment base (s w.base; −1 = unused)]
 *    packed   synapse rows, R × [entry count (u32 field), then count × entries:
 *                 index (the format's real idxBits; only for sparse formats, omitted when 0)
 *                 Wgt (s w.weight)]
 *             A row is stored in the format of the lowest-numbered input axon that uses it (every
 *             row is used by at least one axon, all in one format); dense rows have offsets 0..n−1.
 *    packed   output axons, O × [compartment (w.compartment), target core (w.core; index in
 *             this file), target input axon (w.axon)]
 *    blocks   B × [str label, u32 start, u32 count, str source,
 *                  u8 origin kind (0 none, 1 location, 2 location + JSON path),
 *                  kind ≥ 1: str "file:line:col"; kind 2: str path]
 *
 *  Host inputs (H times)
 *    str id, u32 channels, u32 number of targets K, K × [u32 channel, u32 core, u32 axon]
 *
 *  Trailer
 *    byte[32] sha256 of every preceding byte
 * ============================================================================================
 */
import { createHash } from "node:crypto";
import { diag, DiagnosticError } from "../../diagnostics/diagnostic.js";
import type { ChipConfig, CoreConfig, SynapseFormat } from "../../ir/core.js";
import { coreLocalIds, coreSynapseBits, effectiveWeightsInto, rowFormats, verifyChip, vmaxCode, vminCode } from "../../ir/verify-core.js";
import { coreTile, type Target } from "../../target/target.js";
import { TextBytes } from "../../io/text-bytes.js";
import { BitWriter, bitsFor } from "./bits.js";
import { chipHasLearning, FLAG_LEARNING, learningEngineYaml, learningYaml, verifyLearning, writeLearningGroups, writeLearningHeader } from "./learning.js";

export const CORES_BIN_MAGIC = "LMUC";
export const CORES_BIN_VERSION = 1;
export const TRAILER_BYTES = 32;

/** Field widths of the register images, in bits. */
export interface CoreFieldWidths {
  readonly decay: number;
  readonly refractDelay: number;
  readonly vthMant: number;
  readonly cxProfileIndex: number;
  readonly vthProfileIndex: number;
  readonly biasMant: number;
  readonly biasExp: number;
  readonly weightBitsCode: number;
  readonly weightExp: number;
  readonly compression: number;
  readonly idxBitsCode: number;
  readonly formatIndex: number;
  readonly rowIndex: number;
  readonly base: number;
  readonly weight: number;
  readonly compartment: number;
  readonly core: number;
  readonly axon: number;
  readonly vminCode: number;
  readonly vmaxCode: number;
}

/** The order of the header's width table. */
export const WIDTH_ORDER: readonly (keyof CoreFieldWidths)[] = [
  "decay", "refractDelay", "vthMant", "cxProfileIndex", "vthProfileIndex", "biasMant", "biasExp",
  "weightBitsCode", "weightExp", "compression", "idxBitsCode", "formatIndex", "rowIndex", "base",
  "weight", "compartment", "core", "axon", "vminCode", "vmaxCode",
];

/** Hardware compression codes (§3.1). */
export const COMPRESSION_CODE = { sparse: 0, dense: 3 } as const;

/** Field widths for a target: register widths from `widths`, index widths from the limits. Loihi 1: 12 6 17 5 3 13 3 3 4 2 3 4 12 9 9 10 12 12 5 3. */
export function coreFieldWidths(target: Target): CoreFieldWidths {
  const W = target.widths;
  const L = target.limits;
  return {
    decay: W.decayBits,
    refractDelay: W.refractDelayBits,
    vthMant: W.vthMantBits,
    cxProfileIndex: bitsFor(L.cxProfilesPerCore - 1),
    vthProfileIndex: bitsFor(L.vthProfilesPerCore - 1),
    biasMant: W.biasMantBits,
    biasExp: W.biasExpBits,
    weightBitsCode: bitsFor(W.weightBitsOptions.length - 1),
    weightExp: W.weightExpBits,
    compression: 2,
    idxBitsCode: bitsFor(W.idxBitsOptions.length - 1),
    formatIndex: bitsFor(L.synapseFormatsPerCore - 1),
    rowIndex: bitsFor(L.inputAxonsPerCore - 1),
    base: bitsFor(L.compartmentBase.max) + 1,
    weight: W.weightFieldBits,
    compartment: bitsFor(L.compartmentsPerCore - 1),
    core: bitsFor(L.coresPerChip * L.chipsPerBoard - 1),
    axon: bitsFor(L.inputAxonsPerCore - 1),
    vminCode: bitsFor(W.vminExpMax),
    vmaxCode: bitsFor(W.vmaxCodeMax),
  };
}

/** "file:line:col", as block origins are stored. */
export function formatOrigin(o: { file: string; line: number; column: number }): string {
  return `${o.file}:${o.line}:${o.column}`;
}

/** Throws LMU5001 (one diagnostic per problem, at most 20) unless `chip` is valid for `target`. */
export function assertChipValid(chip: ChipConfig, target: Target): void {
  const problems = [...verifyChip(chip, target), ...verifyLearning(chip, target)];
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20).map((m) => diag("LMU5001", m));
  if (problems.length > 20) shown.push(diag("LMU5001", `… and ${problems.length - 20} more problems`));
  throw new DiagnosticError(shown);
}

export interface EmitOptions {
  /**
   * chip.yaml lists every synapse entry (offsets, Wgt, D) while the chip has at most this many
   * entries in all; above it, rows are summarised (row, format, entry count) and cores.bin is the
   * only full record. Default 1,000,000 (about 15 MB of YAML; a full Loihi 1 chip has ~15 M).
   */
  readonly maxYamlEntries?: number;
  /** The caller has verified `chip` against this target (verifyChip and verifyLearning, as assertChipValid does): not verified again. */
  readonly verified?: boolean;
}

export const DEFAULT_MAX_YAML_ENTRIES = 1_000_000;

export function emitChip(chip: ChipConfig, target: Target, options: EmitOptions = {}): { chipYaml: string; coresBin: Uint8Array } {
  const { coresBin, chipYamlBytes } = emitChipBytes(chip, target, options);
  return { coresBin, chipYaml: new TextDecoder().decode(chipYamlBytes) };
}

/** emitChip with chip.yaml as its UTF-8 bytes (writeBuildFolder hashes and writes them as they are). */
export function emitChipBytes(chip: ChipConfig, target: Target, options: EmitOptions = {}): { chipYamlBytes: Uint8Array; coresBin: Uint8Array } {
  if (!options.verified) assertChipValid(chip, target);
  return { coresBin: emitCoresBin(chip, target), chipYamlBytes: chipYamlBytes(chip, target, options) };
}

// ---------------------------------------------------------------- cores.bin

/** cores.bin for a chip already known to be valid (see `emitChip`). */
export function emitCoresBin(chip: ChipConfig, target: Target): Uint8Array {
  const w = coreFieldWidths(target);
  const W = target.widths;
  // Sized for the synapse tables (at most 2 bytes an entry with its share of row headers): the
  // writer's doublings and copies were 3× the file's 10 MB for psMNIST, and pages never written
  // cost nothing.
  let entries = 0;
  for (const core of chip.cores) for (const row of core.synapseRows) entries += row.weights.length;
  const out = new BitWriter(4096 + 2 * entries);
  for (const ch of CORES_BIN_MAGIC) out.writeU8(ch.charCodeAt(0), "magic");
  out.writeU16(CORES_BIN_VERSION, "version");
  const learning = chipHasLearning(chip);
  out.writeU16(learning ? FLAG_LEARNING : 0, "flags");
  out.writeU32(0, "file length"); // patched below
  out.writeString(target.name, "target name");
  out.writeString(chip.format, "chip format");
  out.writeF64(chip.dtSeconds);
  out.writeU8(WIDTH_ORDER.length, "width count");
  for (const k of WIDTH_ORDER) out.writeU8(w[k], `width ${k}`);
  for (const opts of [W.weightBitsOptions, W.idxBitsOptions]) {
    out.writeU8(opts.length, "option count");
    for (const o of opts) out.writeU8(o, "option");
  }
  out.writeU8(W.vmaxExpBase, "vmax exponent base");
  out.writeU8(W.vmaxExpStep, "vmax exponent step");
  out.writeU32(chip.cores.length, "core count");
  out.writeU32(chip.inputs.length, "input count");
  if (learning) writeLearningHeader(out, chip, target);

  for (const core of chip.cores) writeCore(out, core, target, w, learning);

  for (const inp of chip.inputs) {
    out.writeString(inp.id, "input id");
    out.writeU32(inp.channels, "input channels");
    out.writeU32(inp.targets.length, "input target count");
    for (const t of inp.targets) {
      out.writeU32(t.channel, "input target channel");
      out.writeU32(t.core, "input target core");
      out.writeU32(t.axon, "input target axon");
    }
  }
  out.align();
  out.patchU32(8, out.byteLength + TRAILER_BYTES, "file length");
  out.writeBytes(createHash("sha256").update(out.view()).digest());
  return out.view();
}

function writeCore(out: BitWriter, core: CoreConfig, target: Target, w: CoreFieldWidths, learning = false): void {
  const W = target.widths;
  out.align();
  const start = out.byteLength;
  out.writeU32(0, "core length"); // patched below
  out.writeU32(core.index, "core index");
  out.writeU32(core.chip, "core chip");
  const counts: [number, string][] = [
    [core.nCompartments, "nCompartments"],
    [core.cxProfiles.length, "nCxProfiles"],
    [core.vthProfiles.length, "nVthProfiles"],
    [core.synapseFormats.length, "nFormats"],
    [core.inputAxons.length, "nInputAxons"],
    [core.synapseRows.length, "nRows"],
    [core.outputAxons.length, "nOutputAxons"],
    [core.blocks.length, "nBlocks"],
  ];
  for (const [n, name] of counts) out.writeU32(n, name);

  out.writeUnsigned(vminCode(core.vmin, target), w.vminCode, "vmin code");
  out.writeUnsigned(vmaxCode(core.vmax, target), w.vmaxCode, "vmax code");
  for (const p of core.cxProfiles) {
    out.writeUnsigned(p.decayU, w.decay, "decayU");
    out.writeUnsigned(p.decayV, w.decay, "decayV");
    out.writeUnsigned(p.refractDelay, w.refractDelay, "refractDelay");
  }
  for (const m of core.vthProfiles) out.writeUnsigned(m, w.vthMant, "vthMant");
  for (let c = 0; c < core.nCompartments; c++) {
    out.writeUnsigned(core.cxProfile[c], w.cxProfileIndex, "cxProfile");
    out.writeUnsigned(core.cxVthProfile[c], w.vthProfileIndex, "cxVthProfile");
    out.writeSigned(core.biasMant[c], w.biasMant, "biasMant");
    out.writeUnsigned(core.biasExp[c], w.biasExp, "biasExp");
  }
  for (const f of core.synapseFormats) {
    out.writeUnsigned(W.weightBitsOptions.indexOf(f.weightBits), w.weightBitsCode, "weightBits code");
    out.writeBool(f.isMixed, "isMixed");
    out.writeSigned(f.weightExp, w.weightExp, "weightExp");
    out.writeUnsigned(COMPRESSION_CODE[f.compression], w.compression, "compression");
    out.writeUnsigned(f.compression === "sparse" ? W.idxBitsOptions.indexOf(f.idxBits) : 0, w.idxBitsCode, "idxBits code");
  }
  for (const a of core.inputAxons) {
    out.writeUnsigned(a.format, w.formatIndex, "axon format");
    out.writeUnsigned(a.row, w.rowIndex, "axon row");
    out.writeSigned(a.base, w.base, "axon base");
  }
  out.align();

  const fmts = rowFormats(core);
  core.synapseRows.forEach((row, r) => {
    const f: SynapseFormat = core.synapseFormats[fmts[r]];
    const idxBits = f.compression === "sparse" ? f.idxBits : 0;
    out.writeUnsigned(row.weights.length, 32, "row entry count");
    out.writeRowFields(idxBits > 0 ? row.offsets : null, idxBits, row.weights, w.weight, "row index", "Wgt");
  });
  out.align();

  for (const o of core.outputAxons) {
    out.writeUnsigned(o.compartment, w.compartment, "output compartment");
    out.writeUnsigned(o.core, w.core, "output core");
    out.writeUnsigned(o.axon, w.axon, "output axon");
  }
  out.align();

  for (const b of core.blocks) {
    out.writeString(b.label, "block label");
    out.writeU32(b.start, "block start");
    out.writeU32(b.count, "block count");
    out.writeString(b.source, "block source");
    if (!b.origin) out.writeU8(0, "origin kind");
    else {
      out.writeU8(b.origin.path === undefined ? 1 : 2, "origin kind");
      out.writeString(formatOrigin(b.origin), "block origin");
      if (b.origin.path !== undefined) out.writeString(b.origin.path, "block origin path");
    }
  }
  out.align();
  if (learning) writeLearningGroups(out, core, target, w);
  out.align();
  out.patchU32(start, out.byteLength - start, "core length");
}

// ---------------------------------------------------------------- chip.yaml

/** A YAML double-quoted scalar; escapes everything YAML might read as a break or control. */
export function yamlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else out += ch;
  }
  return out + '"';
}

const flow = (pairs: [string, string | number | boolean][]): string => `{ ${pairs.map(([k, v]) => `${k}: ${v}`).join(", ")} }`;

/**
 * chip.yaml: deterministic, readable, complete (parseChipYaml reads it back) for a valid chip,
 * unless the chip has more synapse entries than `options.maxYamlEntries` (rows are then summarised).
 */
export function emitChipYaml(chip: ChipConfig, target: Target, options: EmitOptions = {}): string {
  return new TextDecoder().decode(chipYamlBytes(chip, target, options));
}

/** chip.yaml's text as UTF-8 bytes. */
function chipYamlBytes(chip: ChipConfig, target: Target, options: EmitOptions): Uint8Array {
  let entries = 0;
  for (const core of chip.cores) for (const row of core.synapseRows) entries += row.weights.length;
  const fullRows = entries <= (options.maxYamlEntries ?? DEFAULT_MAX_YAML_ENTRIES);
  // Written as bytes (text-bytes.ts): the number lists are most of the file.
  // Sized for the synapse lists (~3 numbers of a few digits per entry) so it seldom grows: each
  // doubling is a copy into fresh pages.
  const w = new TextBytes((1 << 16) + (fullRows ? 24 * entries : 0));
  const push = (s: string): void => {
    w.line(s);
  };
  push("# lmuc chip configuration: a readable view of cores.bin (cores.bin is authoritative).");
  push(`# Registers are ${target.name} integers. vth = mant·2^${target.widths.vthExp}; bias = bias_mant·2^bias_exp;`);
  push(`# Wgt is the stored ${target.widths.weightFieldBits}-bit weight field, d = shl(sh(Wgt, weight_exp), ${target.widths.weightShift}) what one spike adds to q.`);
  if (!fullRows) push(`# synapse rows are summarised: the chip has ${entries} synapse entries (over ${options.maxYamlEntries ?? DEFAULT_MAX_YAML_ENTRIES}); cores.bin holds them all.`);
  push(`format: ${chip.format}`);
  push(`target: ${yamlString(chip.target)}`);
  push(`dt: ${String(chip.dtSeconds)}`);
  for (const line of learningEngineYaml(chip)) push(line);
  const local = coreLocalIds(chip);
  push(chip.cores.length === 0 ? "cores: []" : "cores:");
  chip.cores.forEach((core, i) => {
    const t = coreTile(local[i], target);
    push(`  - core: ${core.index}`);
    push(`    chip: ${core.chip}`);
    push(`    placement: ${flow([["core_in_chip", local[i]], ["tile", t.tile], ["x", t.x], ["y", t.y]])}`);
    push(`    compartments: ${core.nCompartments}`);
    push(`    vmin: ${core.vmin}`);
    push(`    vmax: ${core.vmax}`);
    push(`    synapse_bits: ${coreSynapseBits(core, target)}   # of ${target.limits.synapseBitsPerCore}`);
    if (core.blocks.length === 0) push("    blocks: []");
    else push("    blocks:");
    for (const b of core.blocks) {
      const pairs: [string, string | number][] = [["label", yamlString(b.label)], ["start", b.start], ["count", b.count], ["source", yamlString(b.source)]];
      if (b.origin) pairs.push(["origin", yamlString(formatOrigin(b.origin))]);
      if (b.origin?.path !== undefined) pairs.push(["origin_path", yamlString(b.origin.path)]);
      push(`      - ${flow(pairs)}`);
    }
    push(core.cxProfiles.length === 0 ? "    cx_profiles: []" : "    cx_profiles:");
    core.cxProfiles.forEach((p, k) => push(`      - ${flow([["du", p.decayU], ["dv", p.decayV], ["refract", p.refractDelay]])}   # ${k}`));
    push(core.vthProfiles.length === 0 ? "    vth_profiles: []" : "    vth_profiles:");
    core.vthProfiles.forEach((m, k) => push(`      - ${flow([["mant", m], ["vth", m * 2 ** target.widths.vthExp]])}   # ${k}`));
    const groups = compartmentGroups(core);
    if (groups.length > 8 && groups.length * 2 > core.nCompartments) {
      // Many runs shorter than 2 on average: one list per register beats one line per run.
      push("    compartment_columns:   # per compartment: profile, threshold profile, bias = bias_mant·2^bias_exp");
      w.text("      cx: ").list(core.cxProfile).line("");
      w.text("      vth: ").list(core.cxVthProfile).line("");
      w.text("      bias_mant: ").list(core.biasMant).line("");
      w.text("      bias_exp: ").list(core.biasExp).line("");
    } else {
      push(groups.length === 0 ? "    compartment_groups: []" : "    compartment_groups:   # runs of compartments with identical registers");
      for (const g of groups) {
        push(`      - ${flow([["first", g.first], ["count", g.count], ["cx", g.cx], ["vth", g.vth], ["bias_mant", g.biasMant], ["bias_exp", g.biasExp], ["bias", g.biasMant * 2 ** g.biasExp]])}`);
      }
    }
    push(core.synapseFormats.length === 0 ? "    synapse_formats: []" : "    synapse_formats:");
    core.synapseFormats.forEach((f, k) =>
      push(`      - ${flow([["weight_bits", f.weightBits], ["mixed", f.isMixed], ["weight_exp", f.weightExp], ["compression", f.compression], ["idx_bits", f.idxBits]])}   # ${k}`),
    );
    push(core.inputAxons.length === 0 ? "    input_axons: []" : "    input_axons:");
    // The many per-axon lines as flow() writes them, number by number.
    core.inputAxons.forEach((a, k) => w.text("      - { axon: ").num(k).text(", format: ").num(a.format).text(", row: ").num(a.row).text(", base: ").num(a.base).line(" }"));
    const fmts = rowFormats(core);
    push(core.synapseRows.length === 0 ? "    synapse_rows: []" : "    synapse_rows:");
    let d = new Float64Array(0);
    core.synapseRows.forEach((row, r) => {
      if (!fullRows) {
        push(`      - ${flow([["row", r], ["format", fmts[r]], ["entries", row.weights.length]])}`);
        return;
      }
      const f = core.synapseFormats[fmts[r]];
      const n = row.weights.length;
      if (d.length < n) d = new Float64Array(Math.max(n, 2 * d.length));
      effectiveWeightsInto(row.weights, f.weightExp, target, d);
      w.text("      - row: ").num(r).line("");
      w.text("        format: ").num(fmts[r]).line("");
      w.text("        entries: ").num(n).line("");
      if (f.compression === "sparse") w.text("        offsets: ").list(row.offsets).line("");
      w.text("        wgt: ").list(row.weights).line("");
      w.text("        d: ").list(d.subarray(0, n)).line("");
    });
    push(core.outputAxons.length === 0 ? "    output_axons: []" : "    output_axons:");
    for (const o of core.outputAxons) w.text("      - { compartment: ").num(o.compartment).text(", core: ").num(o.core).text(", axon: ").num(o.axon).line(" }");
    for (const line of learningYaml(core, yamlString)) push(line);
  });
  push(chip.inputs.length === 0 ? "inputs: []" : "inputs:");
  for (const inp of chip.inputs) {
    push(`  - id: ${yamlString(inp.id)}`);
    push(`    channels: ${inp.channels}`);
    push(inp.targets.length === 0 ? "    targets: []" : "    targets:");
    for (const t of inp.targets) push(`      - ${flow([["channel", t.channel], ["core", t.core], ["axon", t.axon]])}`);
  }
  return w.bytes();
}

export interface CompartmentGroup {
  readonly first: number;
  readonly count: number;
  readonly cx: number;
  readonly vth: number;
  readonly biasMant: number;
  readonly biasExp: number;
}

/** Maximal runs of consecutive compartments with identical (profile, threshold profile, bias). */
export function compartmentGroups(core: CoreConfig): CompartmentGroup[] {
  const out: CompartmentGroup[] = [];
  let first = 0;
  for (let c = 1; c <= core.nCompartments; c++) {
    const same =
      c < core.nCompartments &&
      core.cxProfile[c] === core.cxProfile[first] &&
      core.cxVthProfile[c] === core.cxVthProfile[first] &&
      core.biasMant[c] === core.biasMant[first] &&
      core.biasExp[c] === core.biasExp[first];
    if (same) continue;
    out.push({ first, count: c - first, cx: core.cxProfile[first], vth: core.cxVthProfile[first], biasMant: core.biasMant[first], biasExp: core.biasExp[first] });
    first = c;
  }
  return out;
}
