/**
 * Reading the JSON fixtures under test/fixtures (see test/fixtures/README.md). Paths resolve
 * from process.cwd() because jest runs at the project root and import.meta is unreliable
 * under ts-jest's ESM mode.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type Mat, mat } from "../../src/math/matrix.js";

/** A stored array: row-major (C order) data with its shape. */
export interface StoredArray {
  shape: number[];
  data: number[];
}

/**
 * Parsed fixture at test/fixtures/<relPath>; `.gz` files are gunzipped first. Typed `any`
 * because each fixture file has its own schema; callers narrow.
 */
export function loadFixture(relPath: string): any {
  const path = join(process.cwd(), "test", "fixtures", relPath);
  const raw = readFileSync(path);
  const text = relPath.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return JSON.parse(text);
}

function checkSize(arr: StoredArray): void {
  const expected = arr.shape.reduce((p, d) => p * d, 1);
  if (arr.data.length !== expected) {
    throw new RangeError(`stored array has ${arr.data.length} entries but shape [${arr.shape.join(", ")}]`);
  }
}

/** A 2-D stored array as a Mat. */
export function toMat(arr: StoredArray): Mat {
  if (arr.shape.length !== 2) throw new RangeError(`toMat needs a 2-D array, got shape [${arr.shape.join(", ")}]`);
  checkSize(arr);
  return mat(arr.shape[0], arr.shape[1], arr.data);
}

/** A stored array of any shape, flattened row-major. */
export function toF64(arr: StoredArray): Float64Array {
  checkSize(arr);
  return Float64Array.from(arr.data);
}
