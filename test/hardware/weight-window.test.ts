/**
 * Issue 12 item 2: a weight group may cover a window of its post block (HwGroup.postStart), as a
 * per-dimension memory ensemble's input to its decode hub does (8 of the hub's 2048
 * compartments). Quantize must treat the window exactly as the dense group it stands for: the
 * same stored fields, presence, row exponents, report, block scale and accumulator headroom, bit
 * for bit (fast-check over random windows and weights). And the verifier rejects a window that
 * runs past its post.
 */
import fc from "fast-check";
import type { BuiltNetwork } from "../../src/ir/built.js";
import type { HwBlock, HwGroup, HwNetwork } from "../../src/ir/hw.js";
import { verifyHw } from "../../src/ir/verify-hw.js";
import { denseFields } from "../../src/ir/quantized.js";
import { mat } from "../../src/math/matrix.js";
import { quantize } from "../../src/passes/quantize.js";

function block(id: string, n: number, rateHz: number): HwBlock {
  return {
    id, n, neuron: "lif", decayU: 0.2, decayV: 0.05, vth: 1, bias: new Float64Array(n).fill(1), refractDelay: 2, vmin: 0,
    uPeak: new Float64Array(n).fill(50), ratesHz: new Float64Array(n).fill(rateHz),
  };
}

function network(nPre: number, nPost: number, group: HwGroup): HwNetwork {
  return {
    stage: "hw", name: "window", dtSeconds: 0.001, blocks: [block("pre", nPre, 80), block("post", nPost, 40)], groups: [group],
    inputs: [], host: {} as BuiltNetwork, toHost: [], notes: [],
  };
}

/** The window's weights written into a dense nPre × nPost matrix (zeros elsewhere). */
function dense(nPre: number, nPost: number, start: number, width: number, w: Float64Array): Float64Array {
  const out = new Float64Array(nPre * nPost);
  for (let j = 0; j < nPre; j++) for (let c = 0; c < width; c++) out[j * nPost + start + c] = w[j * width + c];
  return out;
}

const cases = fc
  .record({ nPre: fc.integer({ min: 1, max: 12 }), nPost: fc.integer({ min: 1, max: 24 }), a: fc.nat(), b: fc.nat() })
  .chain(({ nPre, nPost, a, b }) => {
    const start = a % nPost, width = 1 + (b % (nPost - start));
    // Some exact zeros (no synapse), the rest spread over 6 decades of both signs.
    const weight = fc.oneof(fc.constant(0), fc.tuple(fc.boolean(), fc.integer({ min: -4000, max: 2000 })).map(([neg, e]) => (neg ? -1 : 1) * 10 ** (e / 1000)));
    return fc.array(weight, { minLength: nPre * width, maxLength: nPre * width }).map((ws) => ({ nPre, nPost, start, width, w: Float64Array.from(ws) }));
  });

test("property: a windowed group quantizes bit for bit as the dense group it stands for", () => {
  fc.assert(
    fc.property(cases, ({ nPre, nPost, start, width, w }) => {
      const g = { id: "c", pre: { kind: "block" as const, block: "pre" }, post: "post", connections: ["c"] };
      const windowed = network(nPre, nPost, { ...g, weights: mat(nPre, width, w), postStart: start });
      const full = network(nPre, nPost, { ...g, weights: mat(nPre, nPost, dense(nPre, nPost, start, width, w)) });
      expect(verifyHw(windowed)).toEqual([]);
      const run = (hw: HwNetwork) => {
        try {
          return quantize(hw, { maxWeightLoss: 1 });
        } catch (e) {
          return String(e);
        }
      };
      const qw = run(windowed), qd = run(full);
      if (typeof qw === "string" || typeof qd === "string") {
        expect(qw).toEqual(qd);
        return;
      }
      const [gw, gd] = [qw.groups[0], qd.groups[0]];
      expect([gw.nPre, gw.nPost]).toEqual([nPre, nPost]);
      expect(Array.from(denseFields(gw))).toEqual(Array.from(denseFields(gd)));
      expect(Array.from(gw.rowExp)).toEqual(Array.from(gd.rowExp));
      expect(gw.report).toEqual(gd.report);
      expect(qw.blockReports).toEqual(qd.blockReports);
    }),
    { numRuns: 300, seed: 12 },
  );
});

test("a window past the end of its post block is rejected by the verifier", () => {
  const hw = network(2, 8, { id: "c", pre: { kind: "block", block: "pre" }, post: "post", connections: ["c"], weights: mat(2, 4, new Float64Array(8).fill(1)), postStart: 5 });
  expect(verifyHw(hw)).toEqual(["group 'c': its 4 columns from post compartment 5 do not fit 8 compartments"]);
});
