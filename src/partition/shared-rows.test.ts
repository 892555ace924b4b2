/**
 * shareIdenticalRows (fast-check): every pre compartment still reaches exactly its own row (same
 * stored fields, same exponent) through rowOfPre; rows are distinct; all-zero rows are dropped;
 * a group without duplicates is returned as it is (networks without them compile to the same bytes).
 */
import fc from "fast-check";
import { denseFields, rowsFromDense, type QGroup } from "../ir/quantized.js";
import { presOfRow, rowOfPre, shareIdenticalRows } from "./shared-rows.js";

function group(rows: readonly (readonly number[])[], exps: readonly number[]): QGroup {
  const nPost = rows[0].length;
  return {
    id: "g", pre: { kind: "block", block: "pre" }, post: "post", nPre: rows.length, nPost, weightExp: Math.max(...exps), rowExp: Int8Array.from(exps),
    ...rowsFromDense(rows.length, nPost, Int16Array.from(rows.flat())), connections: ["c"],
    report: { weightExp: 0, mantissaBitsUsed: 8, maxRelError: 0, rmsRelError: 0, nonzero: 0, roundedToZero: 0, lostMagnitude: 0 },
  };
}

// Few distinct row patterns so that duplicates are common; fields even, as stored (−4..4 × 2).
const groups = fc.record({ nPost: fc.integer({ min: 1, max: 6 }), patterns: fc.integer({ min: 1, max: 4 }), nPre: fc.integer({ min: 1, max: 24 }) }).chain(({ nPost, patterns, nPre }) =>
  fc
    .tuple(
      fc.array(fc.array(fc.integer({ min: -4, max: 4 }).map((x) => 2 * x), { minLength: nPost, maxLength: nPost }), { minLength: patterns, maxLength: patterns }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: patterns - 1 }), fc.integer({ min: -1, max: 0 })), { minLength: nPre, maxLength: nPre }),
    )
    .map(([pats, picks]) => group(picks.map(([k]) => pats[k]), picks.map(([, e]) => e))),
);

test("property: each pre's row is unchanged, rows are distinct and non-zero, zero rows have no row", () => {
  fc.assert(
    fc.property(groups, (g) => {
      const s = shareIdenticalRows(g);
      const n = g.nPost;
      const gd = denseFields(g), sd = denseFields(s);
      const key = (x: QGroup, j: number): string => `${x.rowExp[j]}:${Array.from((x === g ? gd : sd).subarray(j * n, (j + 1) * n)).join(",")}`;
      const distinct = new Set<string>();
      for (let j = 0; j < g.nPre; j++) if (gd.subarray(j * n, (j + 1) * n).some((w) => w !== 0)) distinct.add(key(g, j));
      if (s === g) {
        // Returned as is only when no two non-zero rows are identical.
        expect(distinct.size).toBe(Array.from({ length: g.nPre }, (_, j) => j).filter((j) => gd.subarray(j * n, (j + 1) * n).some((w) => w !== 0)).length);
        return;
      }
      expect(s.nPre).toBe(distinct.size);
      expect(new Set(Array.from({ length: s.nPre }, (_, r) => key(s, r))).size).toBe(s.nPre);
      for (let k = 0; k < g.nPre; k++) {
        const r = rowOfPre(s, k);
        if (gd.subarray(k * n, (k + 1) * n).every((w) => w === 0)) expect(r).toBe(-1);
        else {
          expect(key(s, r)).toBe(key(g, k));
          expect(Array.from(presOfRow(s)[r])).toContain(k);
        }
      }
      // Every row is driven by at least one pre.
      for (const pres of presOfRow(s)) expect(pres.length).toBeGreaterThan(0);
    }),
    { numRuns: 500, seed: 14 },
  );
});

test("a decode row's 4 on levels and 4 off levels become 2 rows", () => {
  const on = [64, 0, 128], off = [-64, 0, -128];
  const g = group([on, off, on, off, on, off, on, off], new Array(8).fill(-1));
  const s = shareIdenticalRows(g);
  expect(s.nPre).toBe(2);
  expect(Array.from(s.rowOfPre!)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
});

test("a group without duplicate rows is returned unchanged (same object)", () => {
  const g = group([[2, 0], [0, 2], [2, 2]], [-1, -1, -1]);
  expect(shareIdenticalRows(g)).toBe(g);
});
