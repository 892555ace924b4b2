/**
 * partition (fast-check): on random quantized networks and random per-core limits, partition either
 * refuses with a located LMU4003/LMU4004 or returns a configuration that
 * - verifyChip accepts (every limit of every core, every register field);
 * - places every compartment of every block exactly once, with its own registers (threshold,
 *   bias, decays, refractory delay) and the block's vmin/vmax;
 * - delivers exactly the quantized network's synapses: every non-zero weight of every group, from
 *   its pre compartment or host input channel to its post compartment, once, with its row's
 *   weight exponent, and nothing else;
 * - uses at least the reported lower bound of cores;
 * - is the same, byte for byte, when run again.
 * Plus the lower bound's pieces on hand-computed cases.
 */
import fc from "fast-check";
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { emitCoresBin } from "../backends/loihi/emit.js";
import type { ChipConfig } from "../ir/core.js";
import type { HwInput } from "../ir/hw.js";
import { verifyChip } from "../ir/verify-core.js";
import { loadTarget, type Target } from "../target/target.js";
import { partition } from "./index.js";
import { fieldAt, rowsFromDense, type BlockScale, type QBlock, type QGroup, type QuantizedNetwork, type WeightReport } from "../ir/quantized.js";

const loihi1 = loadTarget("loihi1");
const tiny = loadTarget("tiny");

/** tiny's registers with other per-core capacities. */
function smallTarget(l: { cx: number; inAx: number; outAx: number; bits: number; cxp: number; vth: number; fmt: number; base: number }): Target {
  return {
    ...tiny,
    limits: {
      ...tiny.limits,
      compartmentsPerCore: l.cx,
      inputAxonsPerCore: l.inAx,
      outputAxonsPerCore: l.outAx,
      synapseBitsPerCore: l.bits,
      cxProfilesPerCore: l.cxp,
      vthProfilesPerCore: l.vth,
      synapseFormatsPerCore: l.fmt,
      compartmentBase: { min: 0, max: l.base },
      coresPerChip: 16,
      chipsPerBoard: 16,
    },
    mesh: { tilesX: 2, tilesY: 2, coresPerTile: 4 },
  };
}

const targetArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(loihi1) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        cx: fc.integer({ min: 4, max: 96 }),
        inAx: fc.integer({ min: 24, max: 400 }),
        outAx: fc.integer({ min: 24, max: 400 }),
        bits: fc.integer({ min: 32, max: 2048 }).map((w) => w * 64),
        cxp: fc.integer({ min: 1, max: 6 }),
        vth: fc.integer({ min: 1, max: 7 }),
        fmt: fc.integer({ min: 2, max: 15 }),
        base: fc.constantFrom(15, 63, 255),
      })
      .map(smallTarget),
  },
);

interface BlockSpec {
  n: number;
  vth: number[];
  profile: number;
  vminNeg: boolean;
}

interface GroupSpec {
  /** Pre: a block index, or −1 − k for host input k. */
  pre: number;
  post: number;
  density: number;
  exps: number[];
  seed: number;
}

const netArb = fc
  .record({
    blocks: fc.array(
      fc.record({ n: fc.integer({ min: 1, max: 90 }), vth: fc.array(fc.integer({ min: 1, max: 131071 }), { minLength: 1, maxLength: 4 }), profile: fc.integer({ min: 0, max: 2 }), vminNeg: fc.boolean() }),
      { minLength: 1, maxLength: 6 },
    ),
    inputs: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 0, maxLength: 3 }),
    edges: fc.array(
      fc.record({ pre: fc.integer({ min: -3, max: 5 }), post: fc.integer({ min: 0, max: 5 }), density: fc.constantFrom(0.02, 0.1, 0.4, 0.8, 1), exps: fc.array(fc.integer({ min: -2, max: 3 }), { minLength: 1, maxLength: 3 }), seed: fc.integer() }),
      { maxLength: 8 },
    ),
    vminsDiffer: fc.boolean(),
  })
  .map(({ blocks, inputs, edges, vminsDiffer }) => makeNetwork(blocks, inputs, edges, vminsDiffer));

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROFILES = [
  { decayU: 40, decayV: 200, refractDelay: 3 },
  { decayU: 741, decayV: 200, refractDelay: 3 },
  { decayU: 4095, decayV: 0, refractDelay: 1 },
];

function makeNetwork(blocks: BlockSpec[], inputs: number[], edges: GroupSpec[], vminsDiffer: boolean): QuantizedNetwork {
  const qBlocks: QBlock[] = blocks.map((s, k) => {
    const r = rng(k * 7919 + s.n);
    const vthMant = Int32Array.from({ length: s.n }, () => s.vth[Math.floor(r() * s.vth.length)]);
    return {
      id: `b${k}`,
      n: s.n,
      ...PROFILES[s.profile],
      vthMant,
      biasMant: Int32Array.from({ length: s.n }, () => Math.floor(r() * 8191) - 4095),
      biasExp: Uint8Array.from({ length: s.n }, () => Math.floor(r() * 8)),
      vmin: vminsDiffer && s.vminNeg ? -(2 ** 10) + 1 : 0,
      vmax: 2 ** 23 - 1,
      scale: {} as BlockScale,
      ratesHz: Float64Array.from({ length: s.n }, () => r() * 100),
    };
  });
  const qInputs: HwInput[] = inputs.map((channels, k) => ({ id: `in${k}`, channels, scale: new Float64Array(channels), connection: `c${k}`, ratesHz: new Float64Array(channels).fill(10) }));
  const groups: QGroup[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    const post = qBlocks[e.post % qBlocks.length];
    let pre: QGroup["pre"], nPre: number;
    if (e.pre >= 0 || qInputs.length === 0) {
      const b = qBlocks[Math.abs(e.pre) % qBlocks.length];
      pre = { kind: "block", block: b.id };
      nPre = b.n;
    } else {
      const inp = qInputs[(-1 - e.pre) % qInputs.length];
      pre = { kind: "input", input: inp.id };
      nPre = inp.channels;
    }
    // One group per (pre, post): then each synapse on the chip names its group.
    const key = `${pre.kind === "block" ? pre.block : pre.input}->${post.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const r = rng(e.seed);
    const wgt = new Int16Array(nPre * post.n);
    for (let i = 0; i < wgt.length; i++) if (r() < e.density) wgt[i] = (Math.floor(r() * 127) + 1) * 2 * (r() < 0.5 ? -1 : 1);
    const rowExp = Int8Array.from({ length: nPre }, () => e.exps[Math.floor(r() * e.exps.length)]);
    groups.push({
      id: `g${groups.length}`, pre, post: post.id, nPre, nPost: post.n, weightExp: Math.max(...rowExp), rowExp, ...rowsFromDense(nPre, post.n, wgt),
      connections: [key], report: {} as WeightReport,
    });
  }
  return { stage: "quantized", name: "random", dtSeconds: 0.001, blocks: qBlocks, groups, inputs: qInputs } as unknown as QuantizedNetwork;
}

/** Local compartment → (block, neuron) of every core, from the cores' blocks ("id" or "id[s:e]"). */
function neuronsOf(chip: ChipConfig, q: QuantizedNetwork): { block: QBlock; neuron: number }[][] {
  const byId = new Map(q.blocks.map((b) => [b.id, b]));
  return chip.cores.map((core) => {
    const out: { block: QBlock; neuron: number }[] = new Array(core.nCompartments);
    for (const cb of core.blocks) {
      const block = byId.get(cb.source.replace(/^(ensemble|decode block) /, ""))!;
      const m = /\[(\d+):(\d+)\]$/.exec(cb.label);
      const start = m ? Number(m[1]) : 0;
      expect(m ? Number(m[2]) - start : block.n).toBe(cb.count);
      for (let k = 0; k < cb.count; k++) out[cb.start + k] = { block, neuron: start + k };
    }
    return out;
  });
}

function checkConfiguration(q: QuantizedNetwork, target: Target, chip: ChipConfig): void {
  expect(verifyChip(chip, target)).toEqual([]);
  const where = neuronsOf(chip, q);
  // Every compartment once, with its registers.
  const placed = new Map(q.blocks.map((b) => [b.id, new Int32Array(b.n)]));
  const wrongRegisters: string[] = [];
  chip.cores.forEach((core, ci) => {
    for (let c = 0; c < core.nCompartments; c++) {
      const { block, neuron } = where[ci][c];
      placed.get(block.id)![neuron]++;
      const cx = core.cxProfiles[core.cxProfile[c]];
      const ok = core.vthProfiles[core.cxVthProfile[c]] === block.vthMant[neuron] && core.biasMant[c] === block.biasMant[neuron] && core.biasExp[c] === block.biasExp[neuron]
        && cx.decayU === block.decayU && cx.decayV === block.decayV && cx.refractDelay === block.refractDelay && core.vmin === block.vmin && core.vmax === block.vmax;
      if (!ok) wrongRegisters.push(`core ${ci} compartment ${c} (${block.id}[${neuron}])`);
    }
  });
  expect(wrongRegisters.slice(0, 5)).toEqual([]);
  for (const [id, counts] of placed) expect({ id, wrong: [...counts].filter((x) => x !== 1).length }).toEqual({ id, wrong: 0 });

  // Every synapse delivered once, with its weight and exponent.
  const got = new Map<string, [number, number, number]>();
  const deliver = (source: string, core: number, axon: number): void => {
    const cfg = chip.cores[core];
    const a = cfg.inputAxons[axon];
    const row = cfg.synapseRows[a.row];
    const exp = cfg.synapseFormats[a.format].weightExp;
    for (let k = 0; k < row.offsets.length; k++) {
      if (row.weights[k] === 0) continue;
      const { block, neuron } = where[core][a.base + row.offsets[k]];
      const key = `${source}->${block.id}[${neuron}]`;
      const prev = got.get(key);
      got.set(key, [row.weights[k], exp, (prev?.[2] ?? 0) + 1]);
    }
  };
  chip.cores.forEach((core, ci) => {
    for (const o of core.outputAxons) {
      const { block, neuron } = where[ci][o.compartment];
      deliver(`${block.id}[${neuron}]`, o.core, o.axon);
    }
  });
  for (const inp of chip.inputs) for (const t of inp.targets) deliver(`${inp.id}[${t.channel}]`, t.core, t.axon);
  let expected = 0;
  const wrongSynapses: string[] = [];
  for (const g of q.groups) {
    const pre = g.pre.kind === "block" ? g.pre.block : g.pre.input;
    for (let j = 0; j < g.nPre; j++) {
      for (let i = 0; i < g.nPost; i++) {
        const w = fieldAt(g, j, i);
        if (w === 0) continue;
        expected++;
        const key = `${pre}[${j}]->${g.post}[${i}]`;
        const x = got.get(key);
        if (!x || x[0] !== w || x[1] !== g.rowExp[j] || x[2] !== 1) wrongSynapses.push(`${key}: got ${JSON.stringify(x)}, want [${w}, ${g.rowExp[j]}, 1]`);
      }
    }
  }
  expect(wrongSynapses.slice(0, 5)).toEqual([]);
  expect(got.size).toBe(expected);
}

describe("partition on random networks and limits", () => {
  test("valid, every compartment and synapse exactly once, ≥ the lower bound, deterministic; or a located LMU4003/LMU4004", () => {
    fc.assert(
      fc.property(netArb, targetArb, (q, target) => {
        let result: ReturnType<typeof partition>;
        try {
          result = partition(q, target);
        } catch (e) {
          expect(e).toBeInstanceOf(DiagnosticError);
          for (const d of (e as DiagnosticError).diagnostics) expect(["LMU4003", "LMU4004"]).toContain(d.code);
          return;
        }
        const { chip, report } = result;
        checkConfiguration(q, target, chip);
        expect(report.cores).toBe(chip.cores.length);
        expect(report.cores).toBeGreaterThanOrEqual(report.lowerBound);
        const again = partition(q, target);
        expect(Buffer.from(emitCoresBin(again.chip, target)).equals(Buffer.from(emitCoresBin(chip, target)))).toBe(true);
        expect(again.report).toEqual(report);
      }),
      { numRuns: 150 },
    );
  });
});

describe("lower bound", () => {
  /** One block of n compartments, one dense group of r rows from a host input. */
  const single = (n: number, rows: number, fill: (j: number, i: number) => number): QuantizedNetwork => {
    const q = makeNetwork([{ n, vth: [100], profile: 0, vminNeg: false }], [rows], [{ pre: -1, post: 0, density: 1, exps: [0], seed: 1 }], false);
    const g = q.groups[0];
    const dense = new Int16Array(rows * n);
    for (let j = 0; j < rows; j++) for (let i = 0; i < n; i++) dense[j * n + i] = fill(j, i);
    return { ...q, groups: [{ ...g, ...rowsFromDense(rows, n, dense) }] };
  };

  test("synapse memory: each row at the fewest bits any chunking allows (62 dense entries in 512 bits), not its unsplit cost", () => {
    // 610 rows × 600 non-zero weights: whole rows cost 9·576 + 256 = 5440 bits (3.17 cores), but
    // rows cut at 62 entries store the same weights in 9·512 + 384 = 4992 bits (2.91 cores).
    const q = single(600, 610, () => 2);
    const { report, chip } = partition(q, loihi1);
    expect(report.lowerBound).toBe(3);
    expect(report.lowerBoundBy).toBe("synapse memory");
    expect(chip.cores.length).toBe(3);
    checkConfiguration(q, loihi1, chip);
  });

  test("compartments, and vmin/vmax classes add up (they cannot share a core)", () => {
    const q = makeNetwork(
      [
        { n: 700, vth: [1], profile: 0, vminNeg: false },
        { n: 700, vth: [1], profile: 0, vminNeg: true },
      ],
      [],
      [],
      true,
    );
    const { report } = partition(q, loihi1);
    expect(report.lowerBound).toBe(2);
    expect(report.cores).toBe(2);
  });

  test("threshold profiles: 15 distinct thresholds need 3 cores of 7 profiles", () => {
    const q = makeNetwork([{ n: 30, vth: [1], profile: 0, vminNeg: false }], [], [], false);
    const vth = q.blocks[0].vthMant;
    for (let i = 0; i < 30; i++) vth[i] = 1 + (i % 15);
    const { report, chip } = partition(q, loihi1);
    expect(report.lowerBound).toBe(3);
    expect(report.lowerBoundBy).toBe("threshold profiles");
    expect(chip.cores.length).toBe(3);
    checkConfiguration(q, loihi1, chip);
  });
});

describe("packing", () => {
  test("a small block with many rows goes first on its core, so the big block's dense rows keep their own base: one core, not two", () => {
    // a: 800 compartments fed densely by 80 host channels (80 × 7232 bits); b: 64 compartments fed
    // densely by a's 800 (800 × 576 bits). Together 1,039,360 bits: one core, if b sits at 0..63
    // and a at 64 (≤ 255, its rows stay dense); b after a (at 800) would need sparse rows.
    const q = makeNetwork(
      [
        { n: 800, vth: [100], profile: 0, vminNeg: false },
        { n: 64, vth: [100], profile: 0, vminNeg: false },
      ],
      [80],
      [
        { pre: -1, post: 0, density: 1, exps: [0], seed: 1 },
        { pre: 0, post: 1, density: 1, exps: [0], seed: 2 },
      ],
      false,
    );
    const { report, chip } = partition(q, loihi1);
    expect([report.cores, report.lowerBound]).toEqual([1, 1]);
    expect(chip.cores[0].blocks.map((b) => [b.label, b.start])).toEqual([["b1", 0], ["b0", 64]]);
    checkConfiguration(q, loihi1, chip);
  });

  test("heavy blocks spread over the cores and light blocks cut to fill every core: the lower bound", () => {
    // Twelve 1000-compartment blocks fed by 2 host rows each, and b0 → b1 dense 1000 × 1000:
    // b1 needs about 8 cores of synapse memory, but compartments bind (12,000 / 1024 → 12 cores),
    // so every core but the last must be full to the last compartment.
    const blocks = Array.from({ length: 12 }, () => ({ n: 1000, vth: [100, 200], profile: 1, vminNeg: false }));
    const edges: GroupSpec[] = blocks.map((_, k) => ({ pre: -1, post: k, density: 1, exps: [5], seed: k + 1 }));
    edges.push({ pre: 0, post: 1, density: 1, exps: [3], seed: 100 });
    const q = makeNetwork(blocks, [2], edges, false);
    const { report, chip } = partition(q, loihi1);
    expect(report.lowerBoundBy).toBe("compartments");
    expect([report.cores, report.lowerBound]).toEqual([12, 12]);
    checkConfiguration(q, loihi1, chip);
  }, 60_000);
});
