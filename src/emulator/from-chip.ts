/**
 * ChipConfig (per-core registers, as emitted and loaded from disk) → EmuModel (the emulator's
 * flat form). Compartments are numbered core by core in core-index order; each core's input
 * axons become one synapse group; output axons become routes. A learning group's axons become a
 * synapse group of their own (appended after the cores' groups) with its EmuLearningGroup, so the
 * emulator can rewrite their weights.
 */
import type { ChipConfig, CoreConfig, LearningGroupConfig } from "../ir/core.js";
import { weightContribution } from "./arith.js";
import type { EmuAxonRow, EmuLearningGroup, EmuModel, EmuRoute, EmuSynapseGroup } from "./model.js";

export interface ChipLayout {
  readonly model: EmuModel;
  /** First global compartment of each core, by position in chip.cores. */
  readonly coreOffset: Int32Array;
  /** chip.cores position of each core index. */
  readonly corePosition: ReadonlyMap<number, number>;
  /** Emulator input index of each host input id. */
  readonly inputIndex: ReadonlyMap<string, number>;
  /** Per emulator learning group (model.learning order): its error channel and host error scaling. */
  readonly learningGroups: readonly { readonly errorChannel: string; readonly errorScale: number; readonly errorMax: number; readonly dims: number }[];
}

export function chipToModel(chip: ChipConfig): ChipLayout {
  const cores = chip.cores;
  const corePosition = new Map(cores.map((c, i) => [c.index, i]));
  const coreOffset = new Int32Array(cores.length);
  let total = 0;
  cores.forEach((c, i) => {
    coreOffset[i] = total;
    total += c.nCompartments;
  });
  const decayU = new Int32Array(total), decayV = new Int32Array(total), vth = new Int32Array(total), bias = new Int32Array(total);
  const vmin = new Int32Array(total), vmax = new Int32Array(total), refractDelay = new Int32Array(total);
  cores.forEach((c, ci) => {
    for (let k = 0; k < c.nCompartments; k++) {
      const g = coreOffset[ci] + k;
      const p = c.cxProfiles[c.cxProfile[k]];
      decayU[g] = p.decayU;
      decayV[g] = p.decayV;
      refractDelay[g] = p.refractDelay;
      vth[g] = c.vthProfiles[c.cxVthProfile[k]] * 64;
      bias[g] = c.biasMant[k] * 2 ** c.biasExp[k];
      vmin[g] = c.vmin;
      vmax[g] = c.vmax;
    }
  });
  const blocks = cores.map((c, ci) => ({ label: `core ${c.index}`, start: coreOffset[ci], count: c.nCompartments, core: c.index }));
  const axonRow = (c: CoreConfig, ci: number, axon: number): EmuAxonRow => {
    const a = c.inputAxons[axon];
    const row = c.synapseRows[a.row];
    const exp = c.synapseFormats[a.format].weightExp;
    const targets = new Int32Array(row.offsets.length);
    const weights = new Int32Array(row.offsets.length);
    for (let k = 0; k < row.offsets.length; k++) {
      targets[k] = coreOffset[ci] + a.base + row.offsets[k];
      weights[k] = weightContribution(row.weights[k], exp);
    }
    return { targets, weights };
  };
  const synapses: EmuSynapseGroup[] = cores.map((c, ci) => ({
    label: `core ${c.index}`,
    block: ci,
    weightExp: 0,
    weightBits: 8,
    isMixed: true,
    axons: c.inputAxons.map((_, a) => axonRow(c, ci, a)),
  }));
  const learned = learnedGroups(chip, synapses, coreOffset, axonRow);
  /** Emulator synapse group and axon of input axon `axon` of the core at position `tpos`. */
  const synapseOf = (tpos: number, axon: number): [number, number] => learned.redirect.get(`${tpos}:${axon}`) ?? [tpos, axon];
  // A compartment can drive several axons of one core (one per connection): each needs its own
  // route, since a route maps a source to at most one axon.
  const routes: EmuRoute[] = [];
  cores.forEach((c, ci) => {
    const byTarget = new Map<number, EmuRoute[]>();
    for (const o of c.outputAxons) {
      const [syn, axon] = synapseOf(corePosition.get(o.core)!, o.axon);
      const list = byTarget.get(syn) ?? [];
      let route = list.find((r) => r.axonOf[o.compartment] === -1);
      if (!route) {
        route = { source: "block", index: ci, synapse: syn, axonOf: new Int32Array(c.nCompartments).fill(-1) };
        list.push(route);
        routes.push(route);
      }
      route.axonOf[o.compartment] = axon;
      byTarget.set(syn, list);
    }
  });
  const inputIndex = new Map(chip.inputs.map((inp, i) => [inp.id, i]));
  chip.inputs.forEach((inp, ii) => {
    const byTarget = new Map<number, EmuRoute[]>();
    for (const t of inp.targets) {
      const [syn, axon] = synapseOf(corePosition.get(t.core)!, t.axon);
      const list = byTarget.get(syn) ?? [];
      let route = list.find((r) => r.axonOf[t.channel] === -1);
      if (!route) {
        route = { source: "input", index: ii, synapse: syn, axonOf: new Int32Array(inp.channels).fill(-1) };
        list.push(route);
        routes.push(route);
      }
      route.axonOf[t.channel] = axon;
      byTarget.set(syn, list);
    }
  });
  const model: EmuModel = {
    compartments: { count: total, decayU, decayV, vth, bias, vmin, vmax, refractDelay },
    blocks,
    synapses,
    routes,
    inputs: chip.inputs.map((i) => ({ label: i.id, count: i.channels })),
    delaySlots: 1,
    ...(learned.groups.length === 0 ? {} : { learning: learned.groups }),
  };
  return { model, coreOffset, corePosition, inputIndex, learningGroups: learned.host };
}

/**
 * Moves every learning group's axons out of its core's synapse group into a group of their own
 * (appended to `synapses`; the core group keeps a null row there) and builds its EmuLearningGroup.
 */
function learnedGroups(
  chip: ChipConfig,
  synapses: EmuSynapseGroup[],
  coreOffset: Int32Array,
  axonRow: (c: CoreConfig, ci: number, axon: number) => EmuAxonRow,
): { groups: EmuLearningGroup[]; host: ChipLayout["learningGroups"]; redirect: Map<string, [number, number]> } {
  const groups: EmuLearningGroup[] = [];
  const host: { errorChannel: string; errorScale: number; errorMax: number; dims: number }[] = [];
  const redirect = new Map<string, [number, number]>();
  chip.cores.forEach((c, ci) => {
    for (const g of c.learningGroups ?? []) {
      const engine = chip.learningEngine;
      if (engine === undefined) throw new RangeError(`core ${c.index} has learning groups but the chip has no learningEngine`);
      const format = c.synapseFormats[c.inputAxons[g.firstAxon].format];
      const syn = synapses.length;
      const axons: EmuAxonRow[] = [];
      for (let a = 0; a < g.nAxons; a++) {
        axons.push(axonRow(c, ci, g.firstAxon + a));
        synapses[ci].axons[g.firstAxon + a] = null;
        redirect.set(`${ci}:${g.firstAxon + a}`, [syn, a]);
      }
      synapses.push({ label: `core ${c.index} ${g.label}`, block: ci, weightExp: format.weightExp, weightBits: format.weightBits, isMixed: format.isMixed, axons });
      groups.push(learningSpec(g, syn, coreOffset[ci], format, engine));
      host.push({ errorChannel: g.errorChannel, errorScale: g.errorScale, errorMax: g.errorMax, dims: g.dims });
    }
  });
  return { groups, host, redirect };
}

function learningSpec(
  g: LearningGroupConfig,
  synapse: number,
  offset: number,
  format: { weightExp: number; weightBits: number; isMixed: boolean },
  engine: NonNullable<ChipConfig["learningEngine"]>,
): EmuLearningGroup {
  const p = g.profile;
  const shiftBits = 8 - format.weightBits + (format.isMixed ? 1 : 0);
  return {
    label: g.label,
    synapse,
    readoutStart: offset + g.readoutStart,
    dims: g.dims,
    trainEpoch: p.traceEpochSteps,
    learnEpoch: p.traceEpochSteps * 2 ** p.learnEpochExp,
    traceDecay: p.traceDecay,
    traceMag: p.traceMagInt + p.traceMagFrac / 128,
    traceMax: 2 ** engine.traceBits - 1,
    lrInt: p.lrMant,
    lrExp: p.lrExp,
    learnFrac: engine.learnFrac,
    overflowBits: engine.overflowBits,
    realWeightExp: 6 + format.weightExp,
    shiftBits,
    weightMax: 2 ** (8 - shiftBits) - 1,
  };
}
