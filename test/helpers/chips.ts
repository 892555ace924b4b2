/**
 * CoreIR test material: a hand-built two-core ChipConfig and a fast-check generator of random
 * ChipConfigs that are valid for a given target (every width, limit and index respected).
 */
import fc from "fast-check";
import type { ChipConfig, CompartmentProfile, CoreBlock, CoreConfig, HostInput, InputAxon, OutputAxon, SynapseFormat, SynapseRow } from "../../src/ir/core.js";
import { synapseRowBits, weightShiftS } from "../../src/ir/verify-core.js";
import type { Target } from "../../src/target/target.js";

const row = (offsets: number[], weights: number[]): SynapseRow => ({ offsets: Int32Array.from(offsets), weights: Int32Array.from(weights) });

/**
 * Two cores for loihi1: core 0 (chip 0, 4 compartments, one block, a dense 8-bit format) feeds
 * core 1 (chip 1, 3 compartments, two blocks, a sparse and a dense 4-bit format), which feeds back.
 * A host input drives core 0.
 */
export function twoCoreChip(): ChipConfig {
  const core0: CoreConfig = {
    index: 0,
    chip: 0,
    blocks: [{ label: "ens_a", start: 0, count: 4, source: "ensemble a", origin: { file: "net.yaml", line: 12, column: 5, path: "/ensembles/a" } }],
    nCompartments: 4,
    vmin: 0,
    vmax: 2 ** 23 - 1,
    cxProfiles: [
      { decayU: 4094, decayV: 200, refractDelay: 3 },
      { decayU: 741, decayV: 0, refractDelay: 1 },
    ],
    vthProfiles: [2612, 255],
    cxProfile: Uint8Array.from([0, 0, 0, 1]),
    cxVthProfile: Uint8Array.from([0, 0, 1, 1]),
    biasMant: Int32Array.from([3188, 3188, -4095, 0]),
    biasExp: Uint8Array.from([7, 7, 0, 0]),
    synapseFormats: [{ weightBits: 8, isMixed: true, weightExp: 0, compression: "dense", idxBits: 0 }],
    inputAxons: [
      { format: 0, row: 0, base: 0 },
      { format: 0, row: 0, base: 0 },
      { format: 0, row: 1, base: 2 },
    ],
    synapseRows: [row([0, 1, 2, 3], [254, -254, 2, 0]), row([0, 1], [-256, 128])],
    outputAxons: [
      { compartment: 0, core: 1, axon: 0 },
      { compartment: 1, core: 1, axon: 1 },
      { compartment: 1, core: 1, axon: 0 },
    ],
  };
  const core1: CoreConfig = {
    index: 1,
    chip: 1,
    blocks: [
      { label: "ens_b[0:2]", start: 0, count: 2, source: "ensemble b, part 0" },
      { label: "decode:b", start: 2, count: 1, source: "decode population of b", origin: { file: "C:\\nets\\x:y.yaml", line: 3, column: 1 } },
    ],
    nCompartments: 3,
    vmin: -(2 ** 23) + 1,
    vmax: 2 ** 11 - 1,
    cxProfiles: [{ decayU: 4095, decayV: 4095, refractDelay: 63 }],
    vthProfiles: [131071],
    cxProfile: Uint8Array.from([0, 0, 0]),
    cxVthProfile: Uint8Array.from([0, 0, 0]),
    biasMant: Int32Array.from([0, 0, 1]),
    biasExp: Uint8Array.from([0, 0, 0]),
    synapseFormats: [
      { weightBits: 8, isMixed: true, weightExp: -2, compression: "sparse", idxBits: 6 },
      { weightBits: 4, isMixed: false, weightExp: 7, compression: "dense", idxBits: 0 },
    ],
    inputAxons: [
      { format: 0, row: 0, base: 0 },
      { format: 1, row: 1, base: 1 },
    ],
    synapseRows: [row([2, 0], [254, -254]), row([0, 1], [16, 240])],
    outputAxons: [{ compartment: 2, core: 0, axon: 2 }],
  };
  return {
    format: "lmuc-chip/1",
    target: "loihi1",
    dtSeconds: 0.001,
    cores: [core0, core1],
    inputs: [{ id: "stim", channels: 2, targets: [{ channel: 0, core: 0, axon: 0 }, { channel: 1, core: 0, axon: 1 }] }],
  };
}

type Gen = fc.GeneratorValue;

const int = (g: Gen, min: number, max: number): number => g(fc.integer, { min, max });
const bool = (g: Gen): boolean => g(fc.boolean);
const text = (g: Gen): string => g(fc.string, { unit: "binary", maxLength: 6 });

export interface RandomChipOptions {
  maxCores?: number;
  maxCompartments?: number;
  maxAxons?: number;
  maxRowLength?: number;
}

/**
 * A random ChipConfig valid for `target`, drawn with fast-check's `gen` (use as
 * `fc.property(fc.gen(), (g) => { const chip = randomChip(g, target); … })`).
 */
export function randomChip(g: Gen, target: Target, opts: RandomChipOptions = {}): ChipConfig {
  const L = target.limits;
  const maxCores = Math.min(opts.maxCores ?? 3, L.coresPerChip);
  const nCores = int(g, 0, maxCores);
  // Pass 1: sizes other cores need to know (input axon counts, for routing).
  const skel = Array.from({ length: nCores }, () => {
    const n = int(g, 0, Math.min(L.compartmentsPerCore, opts.maxCompartments ?? 40));
    const nFmt = int(g, 0, Math.min(L.synapseFormatsPerCore, 4));
    const nAx = nFmt === 0 ? 0 : int(g, 0, Math.min(L.inputAxonsPerCore, opts.maxAxons ?? 10));
    return { n, nFmt, nAx, chip: int(g, 0, L.chipsPerBoard - 1) };
  });
  const withAxons = skel.map((s, i) => (s.nAx > 0 ? i : -1)).filter((i) => i >= 0);
  const cores = skel.map((s, index) => randomCore(g, target, index, s, skel, withAxons, opts));
  const inputs: HostInput[] = [];
  const nIn = int(g, 0, 2);
  for (let k = 0; k < nIn; k++) {
    const channels = int(g, 0, 3);
    const targets: { channel: number; core: number; axon: number }[] = [];
    if (channels > 0 && withAxons.length > 0) {
      const nt = int(g, 0, 4);
      for (let j = 0; j < nt; j++) {
        const core = withAxons[int(g, 0, withAxons.length - 1)];
        targets.push({ channel: int(g, 0, channels - 1), core, axon: int(g, 0, skel[core].nAx - 1) });
      }
    }
    inputs.push({ id: `${text(g)}#${k}`, channels, targets });
  }
  const dtSeconds = g(fc.double, { min: 1e-6, max: 1, noNaN: true });
  return { format: "lmuc-chip/1", target: target.name, dtSeconds, cores, inputs };
}

function randomCore(
  g: Gen,
  target: Target,
  index: number,
  s: { n: number; nFmt: number; nAx: number; chip: number },
  skel: { nAx: number }[],
  withAxons: number[],
  opts: RandomChipOptions,
): CoreConfig {
  const L = target.limits;
  const W = target.widths;
  const n = s.n;
  const cxProfiles: CompartmentProfile[] = Array.from({ length: int(g, n > 0 ? 1 : 0, Math.min(L.cxProfilesPerCore, 4)) }, () => ({
    decayU: int(g, 0, 2 ** W.decayBits - 1),
    decayV: int(g, 0, 2 ** W.decayBits - 1),
    refractDelay: int(g, L.refractDelay.min, L.refractDelay.max),
  }));
  const vthProfiles = Array.from({ length: int(g, n > 0 ? 1 : 0, Math.min(L.vthProfilesPerCore, 3)) }, () => int(g, 1, 2 ** W.vthMantBits - 1));
  const biasMax = 2 ** (W.biasMantBits - 1) - 1;
  const cxProfile = new Uint8Array(n);
  const cxVthProfile = new Uint8Array(n);
  const biasMant = new Int32Array(n);
  const biasExp = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    // Runs of equal values now and then, so chip.yaml's groups get exercised.
    if (c > 0 && bool(g)) {
      cxProfile[c] = cxProfile[c - 1];
      cxVthProfile[c] = cxVthProfile[c - 1];
      biasMant[c] = biasMant[c - 1];
      biasExp[c] = biasExp[c - 1];
      continue;
    }
    cxProfile[c] = int(g, 0, cxProfiles.length - 1);
    cxVthProfile[c] = int(g, 0, vthProfiles.length - 1);
    biasMant[c] = int(g, -biasMax, biasMax);
    biasExp[c] = int(g, 0, 2 ** W.biasExpBits - 1);
  }
  const blocks: CoreBlock[] = [];
  for (let start = 0; start < n; ) {
    const count = int(g, 1, n - start);
    const block: CoreBlock = { label: text(g), start, count, source: text(g) };
    if (bool(g)) {
      const origin = { file: text(g), line: int(g, 0, 2 ** 32 - 1), column: int(g, 0, 5000) };
      blocks.push({ ...block, origin: bool(g) ? { ...origin, path: text(g) } : origin });
    } else blocks.push(block);
    start += count;
  }
  const synapseFormats: SynapseFormat[] = Array.from({ length: s.nFmt }, () => {
    const dense = bool(g);
    return {
      weightBits: W.weightBitsOptions[int(g, 0, W.weightBitsOptions.length - 1)],
      isMixed: bool(g),
      weightExp: int(g, W.weightExp.min, W.weightExp.max),
      compression: dense ? "dense" : "sparse",
      idxBits: dense ? 0 : W.idxBitsOptions[int(g, 0, W.idxBitsOptions.length - 1)],
    };
  });
  const wgtMin = -(2 ** (W.weightFieldBits - 1));
  const wgtMax = 2 ** (W.weightFieldBits - 1) - 1;
  const inputAxons: InputAxon[] = [];
  const synapseRows: SynapseRow[] = [];
  const rowFmt: number[] = [];
  const rowReach: number[] = []; // largest offset + 1
  let bits = 0;
  const maxRow = opts.maxRowLength ?? 20;
  const pickBase = (reach: number): number => {
    const hi = Math.min(L.compartmentBase.max, n - Math.max(reach, 1));
    return hi < L.compartmentBase.min || (bool(g) && int(g, 0, 5) === 0) ? -1 : int(g, L.compartmentBase.min, hi);
  };
  for (let a = 0; a < s.nAx; a++) {
    if (synapseRows.length > 0 && int(g, 0, 3) === 0) {
      const r = int(g, 0, synapseRows.length - 1);
      inputAxons.push({ format: rowFmt[r], row: r, base: pickBase(rowReach[r]) });
      continue;
    }
    const format = int(g, 0, synapseFormats.length - 1);
    const f = synapseFormats[format];
    const base = pickBase(1);
    const room = n - Math.max(base, 0);
    const limit = f.compression === "sparse" ? Math.min(2 ** f.idxBits, room) : room;
    let len = limit > 0 ? int(g, 0, Math.min(maxRow, f.compression === "dense" ? room : maxRow)) : 0;
    if (bits + synapseRowBits(len, f, target) > L.synapseBitsPerCore) len = 0;
    bits += synapseRowBits(len, f, target);
    const step = 2 ** weightShiftS(f);
    const offsets = Int32Array.from({ length: len }, (_, j) => (f.compression === "dense" ? j : int(g, 0, limit - 1)));
    const weights = Int32Array.from({ length: len }, () => step * int(g, Math.ceil(wgtMin / step), Math.floor(wgtMax / step)));
    synapseRows.push({ offsets, weights });
    rowFmt.push(format);
    rowReach.push(offsets.reduce((m, o) => Math.max(m, o + 1), 0));
    inputAxons.push({ format, row: synapseRows.length - 1, base });
  }
  const outputAxons: OutputAxon[] = [];
  if (n > 0 && withAxons.length > 0) {
    const nOut = int(g, 0, Math.min(L.outputAxonsPerCore, 8));
    for (let k = 0; k < nOut; k++) {
      const core = withAxons[int(g, 0, withAxons.length - 1)];
      outputAxons.push({ compartment: int(g, 0, n - 1), core, axon: int(g, 0, skel[core].nAx - 1) });
    }
  }
  const vmin = -(2 ** int(g, 0, W.vminExpMax)) + 1;
  const vmax = 2 ** (W.vmaxExpBase + W.vmaxExpStep * int(g, 0, W.vmaxCodeMax)) - 1;
  return { index, chip: s.chip, blocks, nCompartments: n, vmin, vmax, cxProfiles, vthProfiles, cxProfile, cxVthProfile, biasMant, biasExp, synapseFormats, inputAxons, synapseRows, outputAxons };
}
