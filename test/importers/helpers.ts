/** Fixture access for the trained-model tests: gzipped .npy copies of ../shared/models (see its README). */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readNpy, type NumericArray } from "../../src/io/arrays.js";

export const MODELS = join(process.cwd(), "test", "fixtures", "models");

export function npyFixture(rel: string): NumericArray {
  return readNpy(gunzipSync(readFileSync(join(MODELS, `${rel}.npy.gz`))));
}

/** A fresh folder holding the psdigits test set as plain .npy files (what a user passes to evaluate). */
export function psdigitsDataset(): { dir: string; x: string; y: string } {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-eval-"));
  for (const f of ["test-x", "test-y"]) writeFileSync(join(dir, `${f}.npy`), gunzipSync(readFileSync(join(MODELS, "psdigits", `${f}.npy.gz`))));
  return { dir, x: join(dir, "test-x.npy"), y: join(dir, "test-y.npy") };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths ${a.length} and ${b.length} differ`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
