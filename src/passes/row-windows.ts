/**
 * Per-row windows of a weight group (HwGroup.rowStart): when every row's nonzero weights lie
 * within a few neighbouring post compartments, each row stores only that span. The lowering
 * passes that make such groups (decode neurons, on/off encoders) know each row's span before
 * they write a weight, so the dense matrix is never allocated.
 */
import { mat, type Mat } from "../math/matrix.js";

/** A group's weights: dense (nRows × nPost), or windows of `weights.cols` columns from rowStart[k]. */
export interface WindowedWeights {
  readonly weights: Mat;
  readonly rowStart?: Int32Array;
}

/**
 * Weights for `nRows` rows over `nPost` post compartments where row k's nonzero entries lie in
 * [first[k], last[k]] (last < first: none). Windowed when the widest span is at most a quarter of
 * nPost (below that, the windows' starts cost more than the zeros they drop); `indexOf(k, i)`
 * is where row k's weight to post compartment i goes in weights.data.
 */
export function rowWindows(first: Int32Array, last: Int32Array, nPost: number): { weights: Mat; rowStart?: Int32Array; indexOf: (k: number, i: number) => number } {
  const nRows = first.length;
  let width = 0;
  for (let k = 0; k < nRows; k++) if (last[k] >= first[k]) width = Math.max(width, last[k] - first[k] + 1);
  if (width * 4 > nPost) {
    const weights = mat(nRows, nPost);
    return { weights, indexOf: (k, i) => k * nPost + i };
  }
  // A window ends within the block: a span near its end starts the window earlier.
  const rowStart = new Int32Array(nRows);
  for (let k = 0; k < nRows; k++) rowStart[k] = last[k] >= first[k] ? Math.min(first[k], nPost - width) : 0;
  const weights = mat(nRows, width);
  return { weights, rowStart, indexOf: (k, i) => k * width + i - rowStart[k] };
}

/** Drops the helper, keeping what a group stores. */
export function stored(w: { weights: Mat; rowStart?: Int32Array }): WindowedWeights {
  return w.rowStart ? { weights: w.weights, rowStart: w.rowStart } : { weights: w.weights };
}
