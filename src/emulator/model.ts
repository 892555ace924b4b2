/**
 * The emulator's in-memory network: plain typed data, already reduced to the integers the chip
 * holds (hardware-model.md §1.2: thresholds, biases and weights are stored scaled). It is close to
 * the `lmuc-conformance/1` layout but not tied to it, so the compiler's emitted configurations and
 * the conformance vectors both load into it.
 */
import {
  DECAY_MAX,
  REAL_WEIGHT_BITS,
  REFRACT_MAX,
  REFRACT_MIN,
  WEIGHT_EXP_MAX,
  WEIGHT_EXP_MIN,
  isRepresentableBias,
  isRepresentableVmax,
  isRepresentableVmin,
  isRepresentableVth,
  isRepresentableWeight,
} from "./arith.js";

/** Per-compartment registers, indexed by global compartment index. */
export interface EmuCompartments {
  count: number;
  /** du register 0..4095 (the chip adds 1, §2.2). */
  decayU: Int32Array;
  /** dv register 0..4095. */
  decayV: Int32Array;
  /** Threshold, scaled: mantissa · 2^6. */
  vth: Int32Array;
  /** Bias, scaled: mantissa · 2^exp. */
  bias: Int32Array;
  /** Lower voltage limit (≤ 0). */
  vmin: Int32Array;
  /** Upper voltage limit (≥ 0). */
  vmax: Int32Array;
  /** Refractory period in steps, 1..63; 1 = none. */
  refractDelay: Int32Array;
}

/** Compartments start..start+count−1: one core's worth. */
export interface EmuBlock {
  label: string;
  start: number;
  count: number;
  /** Placement, for the cost model; −1 = unknown (counted as core 0). */
  core: number;
}

/** The weight row one input axon selects. */
export interface EmuAxonRow {
  /** Global compartment indices. */
  targets: Int32Array;
  /** The D values reaching q (Wgt · 2^(6 + wgtExp), already shifted). */
  weights: Int32Array;
  /** Per-entry synaptic delay 0..delaySlots−1 (§3.5); absent = all 0. */
  delays?: Int32Array;
}

/** A synapse group: owned by its post block; `axons[a]` is null for an unused axon. */
export interface EmuSynapseGroup {
  label: string;
  block: number;
  weightExp: number;
  /** Real weight bits (1..6 or 8), not the 3-bit code. */
  weightBits: number;
  isMixed: boolean;
  axons: (EmuAxonRow | null)[];
}

/** Spikes of a block's compartments (or a host input's channels) onto input axons of one synapse group. */
export interface EmuRoute {
  source: "block" | "input";
  /** Block index or input index. */
  index: number;
  /** Target synapse group index. */
  synapse: number;
  /** Input axon driven by local source i (compartment start + i, or channel i); −1 = none. */
  axonOf: Int32Array;
}

/** A host spike input with `count` channels. */
export interface EmuInput {
  label: string;
  count: number;
}

/**
 * A PES learning group (hardware-model.md §6, conformance README "Learning"): one synapse group
 * whose every input axon has one dense row of 2·dims weights onto the readout compartments
 * readoutStart … readoutStart + 2·dims − 1 (the first dims carry +decoders, the rest −decoders).
 * The emulator keeps one trace per axon and changes the row weights on learning epochs.
 */
export interface EmuLearningGroup {
  label: string;
  /** Index of the learned synapse group in `synapses`. */
  synapse: number;
  /** First readout compartment (global index) and the error dimensions d. */
  readoutStart: number;
  dims: number;
  /** Traces update in steps t with t mod trainEpoch = 0, weights where t mod learnEpoch = 0. */
  trainEpoch: number;
  /** A multiple of trainEpoch: a weight update uses the trace just updated in the same step. */
  learnEpoch: number;
  /** The float64 factor a trace is multiplied by per trace update, exp(−trainEpoch/τ) as recorded. */
  traceDecay: number;
  /** Trace increment of a marked axon: an integer plus a multiple of 1/128 (exact in float64). */
  traceMag: number;
  /** Cap on a rounded trace magnitude (127 on Loihi 1). */
  traceMax: number;
  /** Learning-rate mantissa and exponent (nengo-loihi: 1, −7). */
  lrInt: number;
  lrExp: number;
  /** Extra fraction bits of a learning weight (7) and the product's overflow shift (2). */
  learnFrac: number;
  overflowBits: number;
  /** 6 + the group's weightExp: weights reach q as multiples of 2^realWeightExp. */
  realWeightExp: number;
  /** 8 − weightBits + isMixed: learned weights are multiples of 2^(realWeightExp + shiftBits). */
  shiftBits: number;
  /** Cap on a learned weight's magnitude in units of 2^(realWeightExp + shiftBits). */
  weightMax: number;
}

export interface EmuModel {
  compartments: EmuCompartments;
  blocks: EmuBlock[];
  synapses: EmuSynapseGroup[];
  routes: EmuRoute[];
  inputs: EmuInput[];
  /** Length of each compartment's dendritic delay ring; 1 = no delays (§3.5). */
  delaySlots: number;
  /** PES learning groups, in the order the emulator updates them (absent or [] = no learning). */
  learning?: EmuLearningGroup[];
}

/** Largest delay ring the emulator accepts (6-bit delay field, [P18]). */
export const MAX_DELAY_SLOTS = 64;

export interface ValidateOptions {
  /**
   * Also check that every register fits its hardware field (§1.2, §3.2): threshold mantissa,
   * bias mantissa/exponent, vmin/vmax forms, weights expressible in the group's format, targets
   * inside the group's block, one vmin/vmax per core. Default true. Without it only what the
   * emulator itself needs is checked (indices, lengths, decay and refractory ranges, vmin ≤ 0 ≤ vmax).
   */
  hardware?: boolean;
  /** Stop after this many problems (default 50): a broken model can produce one per weight. */
  maxProblems?: number;
}

/**
 * Problems with the model, as messages naming the offending field; [] when the emulator can run it
 * (and, with `hardware`, the chip could hold it).
 */
export function validateModel(m: EmuModel, opts: ValidateOptions = {}): string[] {
  const hardware = opts.hardware ?? true;
  const maxProblems = opts.maxProblems ?? 50;
  const problems: string[] = [];
  const add = (msg: string): boolean => {
    if (problems.length < maxProblems) problems.push(msg);
    return problems.length < maxProblems;
  };

  const cx = m.compartments;
  const n = cx.count;
  if (!Number.isInteger(n) || n < 0) {
    add(`compartments.count must be a non-negative integer, got ${n}`);
    return problems;
  }
  const arrays: [string, Int32Array][] = [
    ["decayU", cx.decayU],
    ["decayV", cx.decayV],
    ["vth", cx.vth],
    ["bias", cx.bias],
    ["vmin", cx.vmin],
    ["vmax", cx.vmax],
    ["refractDelay", cx.refractDelay],
  ];
  let lengthsOk = true;
  for (const [name, arr] of arrays) {
    if (!(arr instanceof Int32Array) || arr.length !== n) {
      lengthsOk = false;
      add(`compartments.${name} must be an Int32Array of length ${n}, got ${arr instanceof Int32Array ? `length ${arr.length}` : typeof arr}`);
    }
  }
  if (!lengthsOk) return problems;

  for (let i = 0; i < n; i++) {
    if (cx.decayU[i] < 0 || cx.decayU[i] > DECAY_MAX) if (!add(`compartments.decayU[${i}] = ${cx.decayU[i]} is outside 0..${DECAY_MAX}`)) return problems;
    if (cx.decayV[i] < 0 || cx.decayV[i] > DECAY_MAX) if (!add(`compartments.decayV[${i}] = ${cx.decayV[i]} is outside 0..${DECAY_MAX}`)) return problems;
    if (cx.refractDelay[i] < REFRACT_MIN || cx.refractDelay[i] > REFRACT_MAX) {
      if (!add(`compartments.refractDelay[${i}] = ${cx.refractDelay[i]} is outside ${REFRACT_MIN}..${REFRACT_MAX}`)) return problems;
    }
    if (cx.vmin[i] > 0 || cx.vmax[i] < 0) {
      if (!add(`compartments[${i}]: need vmin ≤ 0 ≤ vmax (a spike resets v to 0), got vmin ${cx.vmin[i]}, vmax ${cx.vmax[i]}`)) return problems;
    }
    if (cx.vth[i] < 0) if (!add(`compartments.vth[${i}] = ${cx.vth[i]} is negative`)) return problems;
    if (hardware) {
      if (!isRepresentableVth(cx.vth[i])) if (!add(`compartments.vth[${i}] = ${cx.vth[i]} is not mantissa·2^6 with mantissa 1..131071`)) return problems;
      if (!isRepresentableBias(cx.bias[i])) if (!add(`compartments.bias[${i}] = ${cx.bias[i]} is not mantissa·2^exp with |mantissa| ≤ 4095, exp 0..7`)) return problems;
      if (!isRepresentableVmin(cx.vmin[i])) if (!add(`compartments.vmin[${i}] = ${cx.vmin[i]} is not −2^k + 1 (k 0..31)`)) return problems;
      if (!isRepresentableVmax(cx.vmax[i])) if (!add(`compartments.vmax[${i}] = ${cx.vmax[i]} is not 2^(9+2j) − 1 (j 0..7)`)) return problems;
    }
  }

  if (!Number.isInteger(m.delaySlots) || m.delaySlots < 1 || m.delaySlots > MAX_DELAY_SLOTS) {
    add(`delaySlots must be an integer in 1..${MAX_DELAY_SLOTS}, got ${m.delaySlots}`);
  }

  // Blocks must partition the compartments: each compartment is updated by exactly one core.
  const owner = new Int32Array(n).fill(-1);
  m.blocks.forEach((b, bi) => {
    if (!Number.isInteger(b.start) || !Number.isInteger(b.count) || b.start < 0 || b.count < 0 || b.start + b.count > n) {
      add(`blocks[${bi}] (${b.label}): range ${b.start}..${b.start + b.count - 1} is outside 0..${n - 1}`);
      return;
    }
    if (!Number.isInteger(b.core) || b.core < -1) add(`blocks[${bi}] (${b.label}): core must be an integer ≥ −1, got ${b.core}`);
    for (let i = b.start; i < b.start + b.count; i++) {
      if (owner[i] >= 0) {
        add(`blocks[${bi}] (${b.label}) overlaps blocks[${owner[i]}] at compartment ${i}`);
        return;
      }
      owner[i] = bi;
    }
  });
  const orphan = owner.indexOf(-1);
  if (orphan >= 0) add(`compartment ${orphan} belongs to no block`);

  if (hardware) {
    // vmin/vmax are per-core registers: every compartment of a core must share them (§2.5).
    const limitsByCore = new Map<string, { vmin: number; vmax: number; block: number }>();
    m.blocks.forEach((b, bi) => {
      if (b.count === 0 || b.start < 0 || b.start + b.count > n) return;
      const key = b.core >= 0 ? `core ${b.core}` : `block ${bi}`;
      for (let i = b.start; i < b.start + b.count; i++) {
        const seen = limitsByCore.get(key);
        if (seen === undefined) limitsByCore.set(key, { vmin: cx.vmin[i], vmax: cx.vmax[i], block: bi });
        else if (seen.vmin !== cx.vmin[i] || seen.vmax !== cx.vmax[i]) {
          add(`${key}: compartment ${i} has vmin/vmax ${cx.vmin[i]}/${cx.vmax[i]} but blocks[${seen.block}] uses ${seen.vmin}/${seen.vmax}; they are per-core registers`);
          return;
        }
      }
    });
  }

  m.inputs.forEach((inp, ii) => {
    if (!Number.isInteger(inp.count) || inp.count < 0) add(`inputs[${ii}] (${inp.label}): count must be a non-negative integer, got ${inp.count}`);
  });

  validateSynapses(m, add, hardware);
  validateRoutes(m, add);
  for (const p of validateLearning(m, hardware)) if (!add(p)) break;
  return problems;
}

/** validateModel's checks of the synapse groups and their rows. */
function validateSynapses(m: EmuModel, add: (msg: string) => boolean, hardware: boolean): void {
  const n = m.compartments.count;
  m.synapses.forEach((g, gi) => {
    const where = `synapses[${gi}] (${g.label})`;
    const block = m.blocks[g.block];
    if (!Number.isInteger(g.block) || block === undefined) {
      add(`${where}: block ${g.block} does not exist`);
    }
    if (hardware) {
      if (!Number.isInteger(g.weightExp) || g.weightExp < WEIGHT_EXP_MIN || g.weightExp > WEIGHT_EXP_MAX) {
        add(`${where}: weightExp ${g.weightExp} is outside ${WEIGHT_EXP_MIN}..${WEIGHT_EXP_MAX}`);
      }
      if (!REAL_WEIGHT_BITS.includes(g.weightBits) || g.weightBits === 0) {
        add(`${where}: weightBits ${g.weightBits} is not a real weight width (1..6 or 8)`);
      }
    }
    for (let a = 0; a < g.axons.length; a++) {
      const row = g.axons[a];
      if (row === null) continue;
      const rw = `${where}.axons[${a}]`;
      if (!(row.targets instanceof Int32Array) || !(row.weights instanceof Int32Array) || row.targets.length !== row.weights.length) {
        if (!add(`${rw}: targets and weights must be Int32Arrays of equal length`)) return;
        continue;
      }
      if (row.delays !== undefined && (!(row.delays instanceof Int32Array) || row.delays.length !== row.targets.length)) {
        if (!add(`${rw}: delays must be an Int32Array as long as targets`)) return;
        continue;
      }
      for (let j = 0; j < row.targets.length; j++) {
        const t = row.targets[j];
        if (t < 0 || t >= n) {
          if (!add(`${rw}.targets[${j}] = ${t} is outside 0..${n - 1}`)) return;
        } else if (hardware && block !== undefined && (t < block.start || t >= block.start + block.count)) {
          if (!add(`${rw}.targets[${j}] = ${t} is outside its block ${block.start}..${block.start + block.count - 1}`)) return;
        }
        if (row.delays !== undefined && (row.delays[j] < 0 || row.delays[j] >= m.delaySlots)) {
          if (!add(`${rw}.delays[${j}] = ${row.delays[j]} is outside 0..${m.delaySlots - 1} (delaySlots ${m.delaySlots})`)) return;
        }
        if (hardware && !isRepresentableWeight(row.weights[j], g.weightExp, g.weightBits, g.isMixed)) {
          if (!add(`${rw}.weights[${j}] = ${row.weights[j]} is not expressible with weightExp ${g.weightExp}, ${g.weightBits} bits${g.isMixed ? ", mixed sign" : ""}`)) return;
        }
      }
    }
  });
}

/** validateModel's checks of the routes; `add` records a problem and says whether to go on. */
function validateRoutes(m: EmuModel, add: (msg: string) => boolean): void {
  m.routes.forEach((r, ri) => {
    const where = `routes[${ri}]`;
    let sources: number;
    if (r.source === "block") {
      const b = m.blocks[r.index];
      if (b === undefined) {
        add(`${where}: block ${r.index} does not exist`);
        return;
      }
      sources = b.count;
    } else if (r.source === "input") {
      const inp = m.inputs[r.index];
      if (inp === undefined) {
        add(`${where}: input ${r.index} does not exist`);
        return;
      }
      sources = inp.count;
    } else {
      add(`${where}: source must be "block" or "input", got ${String(r.source)}`);
      return;
    }
    const g = m.synapses[r.synapse];
    if (g === undefined) {
      add(`${where}: synapse group ${r.synapse} does not exist`);
      return;
    }
    if (!(r.axonOf instanceof Int32Array) || r.axonOf.length !== sources) {
      add(`${where}: axonOf must be an Int32Array of length ${sources} (one per source), got length ${r.axonOf?.length}`);
      return;
    }
    for (let i = 0; i < sources; i++) {
      const a = r.axonOf[i];
      if (a < -1 || a >= g.axons.length) {
        if (!add(`${where}.axonOf[${i}] = ${a} is outside −1..${g.axons.length - 1} (axons of synapses[${r.synapse}])`)) return;
      }
    }
  });
}

/** What is wrong with the learning groups (validateModel's part for them). */
function validateLearning(m: EmuModel, hardware: boolean): string[] {
  const out: string[] = [];
  const n = m.compartments.count;
  const seen = new Set<number>();
  (m.learning ?? []).forEach((L, li) => {
    const where = `learning[${li}] (${L.label})`;
    const g = m.synapses[L.synapse];
    if (!Number.isInteger(L.synapse) || g === undefined) {
      out.push(`${where}: synapse group ${L.synapse} does not exist`);
      return;
    }
    if (seen.has(L.synapse)) out.push(`${where}: synapse group ${L.synapse} is learned by two groups`);
    seen.add(L.synapse);
    const width = 2 * L.dims;
    if (!Number.isInteger(L.dims) || L.dims < 1 || !Number.isInteger(L.readoutStart) || L.readoutStart < 0 || L.readoutStart + width > n) {
      out.push(`${where}: readout ${L.readoutStart}..${L.readoutStart + width - 1} (2·dims, dims ${L.dims}) is outside the compartments 0..${n - 1}`);
      return;
    }
    const ints: [string, number, number][] = [
      ["trainEpoch", L.trainEpoch, 1], ["learnEpoch", L.learnEpoch, 1], ["traceMax", L.traceMax, 0], ["weightMax", L.weightMax, 0],
      ["lrInt", L.lrInt, -(2 ** 20)], ["lrExp", L.lrExp, -64], ["learnFrac", L.learnFrac, -64], ["overflowBits", L.overflowBits, -64],
      ["realWeightExp", L.realWeightExp, -64], ["shiftBits", L.shiftBits, -64],
    ];
    for (const [name, v, lo] of ints) if (!Number.isInteger(v) || v < lo || Math.abs(v) > 2 ** 20) out.push(`${where}: ${name} must be an integer ≥ ${lo}, got ${v}`);
    if (L.learnEpoch % L.trainEpoch !== 0) out.push(`${where}: learnEpoch ${L.learnEpoch} must be a multiple of trainEpoch ${L.trainEpoch} (a weight update reads the trace of its own step)`);
    if (!(L.traceDecay >= 0 && L.traceDecay <= 1)) out.push(`${where}: traceDecay must lie in [0, 1], got ${L.traceDecay}`);
    if (!(L.traceMag >= 0 && Number.isFinite(L.traceMag))) out.push(`${where}: traceMag must be a finite number ≥ 0, got ${L.traceMag}`);
    if (hardware && (L.realWeightExp !== 6 + g.weightExp || L.shiftBits !== 8 - g.weightBits + (g.isMixed ? 1 : 0))) {
      out.push(`${where}: realWeightExp ${L.realWeightExp} / shiftBits ${L.shiftBits} do not follow from synapses[${L.synapse}]'s format (expected ${6 + g.weightExp} / ${8 - g.weightBits + (g.isMixed ? 1 : 0)})`);
    }
    g.axons.forEach((row, a) => {
      if (row === null) {
        out.push(`${where}: axon ${a} of synapses[${L.synapse}] has no row; a learned axon needs its row of 2·dims weights`);
        return;
      }
      if (row.delays !== undefined && row.delays.some((d) => d !== 0)) out.push(`${where}: axon ${a} has synaptic delays; learned rows have none`);
      const hit = new Uint8Array(width);
      for (let k = 0; k < row.targets.length; k++) {
        const j = row.targets[k] - L.readoutStart;
        if (j < 0 || j >= width) out.push(`${where}: axon ${a} targets compartment ${row.targets[k]}, outside the readout ${L.readoutStart}..${L.readoutStart + width - 1}`);
        else if (hit[j]++ > 0) out.push(`${where}: axon ${a} targets compartment ${row.targets[k]} twice`);
      }
    });
  });
  return out;
}
