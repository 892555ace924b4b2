/**
 * The fill planner's heavy-piece row counts (heavyOrder + heavyPieceRows: synapse positions per
 * row, rows found by their first position within the widest span) must equal a direct count over
 * the weights for every piece: which rows a piece stores, each one's synapses in the piece, its
 * dense length and exponent. Random sparse groups, both orders, every piece start and several sizes.
 */
import { fieldAt, rowsFromDense, type QBlock, type QGroup } from "../ir/quantized.js";
import { heavyOrder, heavyPieceRows, lowerBoundIn, type BlockData, type HeavyOrder } from "./fill-data.js";

/** A deterministic pseudo-random sequence (LCG), so the test is the same every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomGroup(nPre: number, nPost: number, rand: () => number, local: boolean): QGroup {
  const wgt = new Int16Array(nPre * nPost), rowExp = new Int8Array(nPre);
  for (let j = 0; j < nPre; j++) {
    rowExp[j] = Math.floor(rand() * 4) - 1;
    // Local rows reach a few neighbouring compartments (a hub row's levels); others anywhere.
    const start = Math.floor(rand() * nPost), width = local ? 1 + Math.floor(rand() * 6) : nPost;
    if (rand() < 0.1) continue; // an empty row: never stored
    for (let i = start; i < Math.min(nPost, start + width); i++) if (rand() < 0.6) wgt[j * nPost + i] = 2 * (1 + Math.floor(rand() * 100));
  }
  return { id: "g", pre: { kind: "block", block: "p" }, post: "b", nPre, nPost, weightExp: 2, rowExp, ...rowsFromDense(nPre, nPost, wgt), connections: ["c"], report: {} as QGroup["report"] };
}

/** Sorted "len/count/exp" of every row the piece stores, counted from the weights directly. */
function direct(groups: readonly QGroup[], order: Int32Array, at: number, size: number): string[] {
  const out: string[] = [];
  for (const g of groups) {
    for (let j = 0; j < g.nPre; j++) {
      let count = 0, last = -1;
      for (let t = 0; t < size; t++) {
        if (fieldAt(g, j, order[at + t]) !== 0) {
          count++;
          last = t;
        }
      }
      if (count > 0) out.push(`${last + 1}/${count}/${g.rowExp[j]}`);
    }
  }
  return out.sort();
}

test("lowerBoundIn: first index whose value is ≥ x within the range", () => {
  const a = Int32Array.of(1, 3, 3, 7, 9);
  expect([0, 1, 2, 3, 4, 8, 9, 10].map((x) => lowerBoundIn(a, 0, 5, x))).toEqual([0, 0, 1, 1, 3, 4, 4, 5]);
  expect(lowerBoundIn(a, 2, 4, 0)).toBe(2);
});

test.each([
  ["index", true],
  ["density", true],
  ["index", false],
  ["density", false],
] as [HeavyOrder, boolean][])("heavy piece rows equal a direct count of the weights (%s order, local rows: %s)", (kind, local) => {
  const rand = rng(kind === "index" ? 7 : 11);
  const n = 37;
  const groups = [randomGroup(23, n, rand, local), randomGroup(5, n, rand, !local)];
  const d = { b: { n } as QBlock, groups, orders: new Map() } as unknown as BlockData;
  const od = heavyOrder(d, kind);
  const len = new Int32Array(64), count = new Int32Array(64), exp = new Int8Array(64);
  let compared = 0;
  for (let at = 0; at < n; at++) {
    for (const size of [1, 2, 5, 13, n]) {
      if (at + size > n) continue;
      const k = heavyPieceRows(od, at, size, len, count, exp);
      const got = Array.from({ length: k }, (_, r) => `${len[r]}/${count[r]}/${exp[r]}`).sort();
      expect({ at, size, rows: got }).toEqual({ at, size, rows: direct(groups, od.order, at, size) });
      compared++;
    }
  }
  // 37 starts with size 1, 36 with 2, 33 with 5, 25 with 13, 1 with 37.
  expect(compared).toBe(132);
});
