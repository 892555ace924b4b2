/**
 * ChipConfig (per-core registers, as emitted and loaded from disk) → EmuModel (the emulator's
 * flat form). Compartments are numbered core by core in core-index order; each core's input
 * axons become one synapse group; output axons become routes.
 */
import type { ChipConfig } from "../ir/core.js";
import { weightContribution } from "./arith.js";
import type { EmuAxonRow, EmuModel, EmuRoute } from "./model.js";

export interface ChipLayout {
  readonly model: EmuModel;
  /** First global compartment of each core, by position in chip.cores. */
  readonly coreOffset: Int32Array;
  /** chip.cores position of each core index. */
  readonly corePosition: ReadonlyMap<number, number>;
  /** Emulator input index of each host input id. */
  readonly inputIndex: ReadonlyMap<string, number>;
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
  const synapses = cores.map((c, ci) => ({
    label: `core ${c.index}`,
    block: ci,
    weightExp: 0,
    weightBits: 8,
    isMixed: true,
    axons: c.inputAxons.map((a): EmuAxonRow => {
      const row = c.synapseRows[a.row];
      const exp = c.synapseFormats[a.format].weightExp;
      const targets = new Int32Array(row.offsets.length);
      const weights = new Int32Array(row.offsets.length);
      for (let k = 0; k < row.offsets.length; k++) {
        targets[k] = coreOffset[ci] + a.base + row.offsets[k];
        weights[k] = weightContribution(row.weights[k], exp);
      }
      return { targets, weights };
    }),
  }));
  // A compartment can drive several axons of one core (one per connection): each needs its own
  // route, since a route maps a source to at most one axon.
  const routes: EmuRoute[] = [];
  cores.forEach((c, ci) => {
    const byTarget = new Map<number, EmuRoute[]>();
    for (const o of c.outputAxons) {
      const tpos = corePosition.get(o.core)!;
      const list = byTarget.get(tpos) ?? [];
      let route = list.find((r) => r.axonOf[o.compartment] === -1);
      if (!route) {
        route = { source: "block", index: ci, synapse: tpos, axonOf: new Int32Array(c.nCompartments).fill(-1) };
        list.push(route);
        routes.push(route);
      }
      route.axonOf[o.compartment] = o.axon;
      byTarget.set(tpos, list);
    }
  });
  const inputIndex = new Map(chip.inputs.map((inp, i) => [inp.id, i]));
  chip.inputs.forEach((inp, ii) => {
    const byTarget = new Map<number, EmuRoute[]>();
    for (const t of inp.targets) {
      const tpos = corePosition.get(t.core)!;
      const list = byTarget.get(tpos) ?? [];
      let route = list.find((r) => r.axonOf[t.channel] === -1);
      if (!route) {
        route = { source: "input", index: ii, synapse: tpos, axonOf: new Int32Array(inp.channels).fill(-1) };
        list.push(route);
        routes.push(route);
      }
      route.axonOf[t.channel] = t.axon;
      byTarget.set(tpos, list);
    }
  });
  const model: EmuModel = {
    compartments: { count: total, decayU, decayV, vth, bias, vmin, vmax, refractDelay },
    blocks,
    synapses,
    routes,
    inputs: chip.inputs.map((i) => ({ label: i.id, count: i.channels })),
    delaySlots: 1,
  };
  return { model, coreOffset, corePosition, inputIndex };
}
