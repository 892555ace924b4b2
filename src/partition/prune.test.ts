/**
 * The planners' core caps (fillPlan's and legacyPlan's maxCores): partition stops a plan once it
 * needs more cores than one it already has can beat. A cap at or above a plan's core count must
 * give that very plan (same pieces on the same cores); one core below it, no plan.
 */
import { rowsFromDense, type QBlock, type QGroup, type QuantizedNetwork, type BlockScale, type WeightReport } from "../ir/quantized.js";
import { loadTarget } from "../target/target.js";
import { fillPlan } from "./fill.js";
import { blockData, fillVariants } from "./fill-data.js";
import { legacyPlan } from "./legacy.js";
import { lowerBound } from "./bound.js";
import { Memory } from "./memory.js";
import { partBits } from "./rows.js";

const target = loadTarget("tiny");

/** Two blocks of 24 and 20 compartments connected both ways, a quarter of the weights non-zero (deterministic). */
function network(): QuantizedNetwork {
  const block = (id: string, n: number): QBlock => ({
    id, n, decayU: 40, decayV: 200, refractDelay: 3, vthMant: new Int32Array(n).fill(100), biasMant: new Int32Array(n), biasExp: new Uint8Array(n),
    vmin: 0, vmax: 2 ** 23 - 1, scale: {} as BlockScale, ratesHz: new Float64Array(n).fill(10),
  });
  const blocks = [block("a", 24), block("b", 20)];
  let seed = 7;
  const next = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const groups: QGroup[] = [];
  for (const pre of blocks) {
    for (const post of blocks) {
      if (post === pre) continue;
      const wgt = Int16Array.from({ length: pre.n * post.n }, () => (next() < 0.25 ? 2 * (1 + Math.floor(next() * 100)) : 0));
      groups.push({
        id: `${pre.id}->${post.id}`, pre: { kind: "block", block: pre.id }, post: post.id, nPre: pre.n, nPost: post.n, weightExp: 0,
        rowExp: new Int8Array(pre.n), ...rowsFromDense(pre.n, post.n, wgt), connections: [`${pre.id}->${post.id}`], report: {} as WeightReport,
      });
    }
  }
  return { stage: "quantized", name: "caps", dtSeconds: 0.001, blocks, groups, inputs: [] } as unknown as QuantizedNetwork;
}

function setup() {
  const q = network();
  const incoming = new Map<string, QGroup[]>(q.blocks.map((b) => [b.id, q.groups.filter((g) => g.post === b.id)]));
  return { q, incoming, mem: new Memory(target), bound: lowerBound(q, incoming, target).value };
}

/** A plan as text: each core's pieces (block and compartments). */
const fillText = (cores: readonly (readonly { s: { d: { b: QBlock } }; comps: Int32Array }[])[]): string => cores.map((ps) => ps.map((p) => `${p.s.d.b.id}:${p.comps.join(",")}`).join(" ")).join(" | ");

test("fillPlan: capped at its own core count, the same plan; one below, none", () => {
  const { q, incoming, mem, bound } = setup();
  const data = blockData(q, incoming, target);
  const variant = fillVariants(data, target, bound)[0];
  const free = fillPlan(data, target, variant, mem)!;
  // tiny's cores are small: this network needs several (else the cap would test nothing).
  expect(free.cores.length).toBeGreaterThanOrEqual(3);
  const capped = fillPlan(blockData(q, incoming, target), target, variant, mem, free.cores.length)!;
  expect(fillText(capped.cores)).toBe(fillText(free.cores));
  expect(capped.rows).toBe(free.rows);
  expect(fillPlan(blockData(q, incoming, target), target, variant, mem, free.cores.length - 1)).toBeUndefined();
});

test("legacyPlan: capped at its own core count, the same plan; one below, none", () => {
  const { q, incoming, mem } = setup();
  const free = legacyPlan(q, incoming, target, mem)!;
  expect(free.plan.length).toBeGreaterThanOrEqual(3);
  const text = (plan: typeof free.plan): string => plan.map((core) => core.map((p) => `${p.block.id}:${p.comps.join(",")}`).join(" ")).join(" | ");
  const capped = legacyPlan(q, incoming, target, new Memory(target), free.plan.length)!;
  expect(text(capped.plan)).toBe(text(free.plan));
  expect(legacyPlan(q, incoming, target, new Memory(target), free.plan.length - 1)).toBeUndefined();
});

/**
 * An LMU memory as the hardware passes leave it on loihi1: an 800-compartment ensemble and its
 * 64 decode compartments, all-to-all both ways. After the ensemble (local start 800, past the
 * compartment base's 255) the decode block's dense rows would turn sparse and outgrow the synapse
 * memory; before it they fit. With two such memories each decode block must join its own.
 */
function memories(count: number): QuantizedNetwork {
  const block = (id: string, n: number): QBlock => ({
    id, n, decayU: 40, decayV: 200, refractDelay: 1, vthMant: new Int32Array(n).fill(id.startsWith("dec") ? 8 : 100), biasMant: new Int32Array(n), biasExp: new Uint8Array(n),
    vmin: 0, vmax: 2 ** 23 - 1, scale: {} as BlockScale, ratesHz: new Float64Array(n).fill(10),
  });
  let seed = 11;
  const next = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const blocks: QBlock[] = [], groups: QGroup[] = [];
  for (let k = 0; k < count; k++) {
    const mem = block(`mem${k}`, 800), dec = block(`dec${k}`, 64);
    blocks.push(mem, dec);
    for (const [pre, post] of [[mem, dec], [dec, mem]]) {
      const wgt = Int16Array.from({ length: pre.n * post.n }, () => 2 * (1 + Math.floor(next() * 120)) * (next() < 0.5 ? -1 : 1));
      groups.push({
        id: `${pre.id}->${post.id}`, pre: { kind: "block", block: pre.id }, post: post.id, nPre: pre.n, nPost: post.n, weightExp: 0,
        rowExp: new Int8Array(pre.n), ...rowsFromDense(pre.n, post.n, wgt), connections: [`${pre.id}->${post.id}`], report: {} as WeightReport,
      });
    }
  }
  return { stage: "quantized", name: "memories", dtSeconds: 0.001, blocks, groups, inputs: [] } as unknown as QuantizedNetwork;
}

test("legacyPlan puts an LMU memory's decode block before its ensemble on one core, beside its own ensemble", () => {
  const loihi1 = loadTarget("loihi1");
  for (const count of [1, 2]) {
    const q = memories(count);
    const incoming = new Map<string, QGroup[]>(q.blocks.map((b) => [b.id, q.groups.filter((g) => g.post === b.id)]));
    const mem = new Memory(loihi1);
    // The premise: after the ensemble the decode block does not fit.
    const dec = legacyPlan(q, incoming, loihi1, mem)!.plan[0][0];
    expect(partBits(dec, 0, mem) + partBits(legacyPlan(q, incoming, loihi1, mem)!.plan[0][1], 64, mem)).toBeLessThanOrEqual(loihi1.limits.synapseBitsPerCore);
    expect(partBits(dec, 800, mem) + partBits(legacyPlan(q, incoming, loihi1, mem)!.plan[0][1], 0, mem)).toBeGreaterThan(loihi1.limits.synapseBitsPerCore);
    const { plan } = legacyPlan(q, incoming, loihi1, mem)!;
    expect(plan.map((core) => core.map((p) => `${p.block.id}:${p.comps.length}`).join(" "))).toEqual(Array.from({ length: count }, (_, k) => `dec${k}:64 mem${k}:800`));
  }
});
