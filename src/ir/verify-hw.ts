/**
 * Verifiers of the hardware IRs before they become a ChipConfig (which verify-core.ts checks):
 * HwNetwork (float chip part) and QuantizedNetwork (its integers). They check the shape the next
 * pass relies on: unique block ids, groups between existing blocks and inputs with matching sizes,
 * per-compartment arrays of the block's length, finite values.
 */
import type { HwNetwork } from "./hw.js";
import type { QuantizedNetwork } from "./quantized.js";

/** Block sizes by id, with a problem for each duplicate. */
function blockSizes(blocks: readonly { readonly id: string; readonly n: number }[], problems: string[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const b of blocks) {
    if (sizes.has(b.id)) problems.push(`block '${b.id}' appears twice`);
    if (!Number.isInteger(b.n) || b.n < 0) problems.push(`block '${b.id}': size ${b.n} is not a non-negative integer`);
    sizes.set(b.id, b.n);
  }
  return sizes;
}

/** The size of a group's pre side, or undefined (with a problem) when its pre does not exist. */
function preSize(pre: HwNetwork["groups"][number]["pre"], sizes: Map<string, number>, inputs: Map<string, number>, at: string, problems: string[]): number | undefined {
  const n = pre.kind === "block" ? sizes.get(pre.block) : inputs.get(pre.input);
  if (n === undefined) problems.push(`${at}: pre ${pre.kind} '${pre.kind === "block" ? pre.block : pre.input}' does not exist`);
  return n;
}

/** Whether every entry is finite: x·0 is 0 for finite x and NaN otherwise, so one sum tells (no branch per entry over ~26M weights). */
const allFinite = (a: Float64Array): boolean => {
  let z = 0;
  for (let i = 0; i < a.length; i++) z += a[i] * 0;
  return z === 0;
};

export function verifyHw(hw: HwNetwork): string[] {
  const problems: string[] = [];
  const sizes = blockSizes(hw.blocks, problems);
  for (const b of hw.blocks) {
    for (const [name, arr] of [["bias", b.bias], ["uPeak", b.uPeak], ["ratesHz", b.ratesHz]] as const) {
      if (arr.length !== b.n) problems.push(`block '${b.id}': ${name} has ${arr.length} entries for ${b.n} compartments`);
      else if (!allFinite(arr)) problems.push(`block '${b.id}': ${name} is not finite`);
    }
    if (!(b.vth > 0) || !(b.decayU >= 0 && b.decayU <= 1) || !(b.decayV >= 0 && b.decayV <= 1)) problems.push(`block '${b.id}': threshold or decays out of range`);
  }
  const inputs = new Map(hw.inputs.map((i) => [i.id, i.channels]));
  for (const g of hw.groups) {
    const at = `group '${g.id}'`;
    const nPre = preSize(g.pre, sizes, inputs, at, problems);
    const nPost = sizes.get(g.post);
    // With shared rows the checks below see the weights' rows; rowOfPre must map every pre to one.
    const nRows = g.rowOfPre ? g.weights.rows : nPre;
    if (g.rowOfPre) {
      if (nPre !== undefined && g.rowOfPre.length !== nPre) problems.push(`${at}: rowOfPre has ${g.rowOfPre.length} entries, but its pre has ${nPre}`);
      if (g.rowOfPre.some((r) => !(Number.isInteger(r) && r >= 0 && r < g.weights.rows))) problems.push(`${at}: a rowOfPre entry is outside 0..${g.weights.rows - 1}`);
    }
    if (nPost === undefined) problems.push(`${at}: post block '${g.post}' does not exist`);
    else if (g.rowStart !== undefined) {
      if (g.postStart !== undefined) problems.push(`${at}: has both a post window and per-row windows`);
      if (nRows !== undefined && g.weights.rows !== nRows) problems.push(`${at}: weights have ${g.weights.rows} rows, not ${nRows}`);
      if (g.rowStart.length !== g.weights.rows) problems.push(`${at}: ${g.rowStart.length} row windows for ${g.weights.rows} rows`);
      else if (g.rowStart.some((s) => s < 0 || s + g.weights.cols > nPost)) problems.push(`${at}: a row window of ${g.weights.cols} columns does not fit ${nPost} compartments`);
    } else if (g.postStart !== undefined) {
      if (!(Number.isInteger(g.postStart) && g.postStart >= 0 && g.postStart + g.weights.cols <= nPost)) problems.push(`${at}: its ${g.weights.cols} columns from post compartment ${g.postStart} do not fit ${nPost} compartments`);
      if (nRows !== undefined && g.weights.rows !== nRows) problems.push(`${at}: weights have ${g.weights.rows} rows, not ${nRows}`);
    } else if (nRows !== undefined && (g.weights.rows !== nRows || g.weights.cols !== nPost)) problems.push(`${at}: weights are ${g.weights.rows}×${g.weights.cols}, not ${nRows}×${nPost}`);
    if (!allFinite(g.weights.data)) problems.push(`${at}: weights are not finite`);
  }
  for (const id of hw.toHost) if (!sizes.has(id)) problems.push(`host reads block '${id}', which does not exist`);
  return problems;
}

export function verifyQuantized(q: QuantizedNetwork): string[] {
  const problems: string[] = [];
  const sizes = blockSizes(q.blocks, problems);
  for (const b of q.blocks) {
    for (const [name, arr] of [["vthMant", b.vthMant], ["biasMant", b.biasMant], ["biasExp", b.biasExp], ["ratesHz", b.ratesHz]] as const) {
      if (arr.length !== b.n) problems.push(`block '${b.id}': ${name} has ${arr.length} entries for ${b.n} compartments`);
    }
    for (const v of b.vthMant) if (!(Number.isInteger(v) && v > 0)) problems.push(`block '${b.id}': threshold mantissa ${v} is not a positive integer`);
  }
  const inputs = new Map(q.inputs.map((i) => [i.id, i.channels]));
  for (const g of q.groups) {
    const at = `group '${g.id}'`;
    const nPre = preSize(g.pre, sizes, inputs, at, problems);
    if (sizes.get(g.post) !== g.nPost) problems.push(`${at}: post block '${g.post}' does not have ${g.nPost} compartments`);
    if (g.rowOfPre) {
      const used = new Uint8Array(g.nPre);
      if (nPre !== undefined && g.rowOfPre.length !== nPre) problems.push(`${at}: rowOfPre has ${g.rowOfPre.length} entries, but its pre has ${nPre}`);
      for (const r of g.rowOfPre) {
        if (!(Number.isInteger(r) && r >= -1 && r < g.nPre)) problems.push(`${at}: rowOfPre entry ${r} is outside −1..${g.nPre - 1}`);
        else if (r >= 0) used[r] = 1;
      }
      if (used.includes(0)) problems.push(`${at}: row ${used.indexOf(0)} is driven by no pre`);
    } else if (nPre !== undefined && nPre !== g.nPre) problems.push(`${at}: ${g.nPre} pres, but its pre has ${nPre}`);
    if (g.rowExp.length !== g.nPre || g.rowBase.length !== g.nPre || g.spanFirst.length !== g.nPre || g.spanLast.length !== g.nPre) {
      problems.push(`${at}: ${g.rowExp.length} row exponents, ${g.rowBase.length} row bases and ${g.spanFirst.length}/${g.spanLast.length} spans for ${g.nPre} rows`);
      continue;
    }
    for (let j = 0; j < g.nPre; j++) {
      const f = g.spanFirst[j], l = g.spanLast[j];
      if (f > l) continue;
      // A span holds its first and last non-zero field, within the post and within wgt.
      if (f < 0 || l >= g.nPost || g.rowBase[j] + f < 0 || g.rowBase[j] + l >= g.wgt.length || g.wgt[g.rowBase[j] + f] === 0 || g.wgt[g.rowBase[j] + l] === 0) {
        problems.push(`${at}: row ${j}'s span ${f}..${l} (base ${g.rowBase[j]}) is not its first to last stored field within ${g.nPost} compartments and ${g.wgt.length} fields`);
        break;
      }
    }
  }
  return problems.slice(0, 20);
}
