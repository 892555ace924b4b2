/** The named functions a connection or node can compute. Allocation-free: they write into `out`. */
import type { FunctionSpec } from "../ir/network.js";

export function functionOutputSize(fn: FunctionSpec, sizeIn: number): number {
  switch (fn.kind) {
    case "identity":
    case "square":
      return sizeIn;
    case "product":
    case "legendre-delay":
      return 1;
    case "tabulated":
      return fn.ys[0].length;
    case "zero":
      return fn.size;
  }
}

export function describeFunction(fn: FunctionSpec): string {
  switch (fn.kind) {
    case "legendre-delay":
      return `legendre-delay(${fn.delaySeconds})`;
    case "tabulated":
      return `tabulated(${fn.xs.length} points)`;
    case "zero":
      return fn.size === 1 ? "zero" : `zero(${fn.size})`;
    default:
      return fn.kind;
  }
}

/** Evaluates fn on x[offset .. offset+sizeIn) and writes its output into out[outOffset ..). */
export function applyFunction(fn: FunctionSpec, x: ArrayLike<number>, offset: number, sizeIn: number, out: Float64Array, outOffset = 0): void {
  switch (fn.kind) {
    case "identity":
      for (let i = 0; i < sizeIn; i++) out[outOffset + i] = x[offset + i];
      return;
    case "square":
      for (let i = 0; i < sizeIn; i++) out[outOffset + i] = x[offset + i] * x[offset + i];
      return;
    case "product": {
      let p = 1;
      for (let i = 0; i < sizeIn; i++) p *= x[offset + i];
      out[outOffset] = p;
      return;
    }
    case "tabulated": {
      const v = x[offset];
      const xs = fn.xs;
      const last = xs.length - 1;
      const w = fn.ys[0].length;
      if (v <= xs[0] || v >= xs[last]) {
        const row = fn.ys[v <= xs[0] ? 0 : last];
        for (let j = 0; j < w; j++) out[outOffset + j] = row[j];
        return;
      }
      let lo = 0, hi = last;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (xs[mid] <= v) lo = mid;
        else hi = mid;
      }
      const f = (v - xs[lo]) / (xs[hi] - xs[lo]);
      for (let j = 0; j < w; j++) out[outOffset + j] = fn.ys[lo][j] + f * (fn.ys[hi][j] - fn.ys[lo][j]);
      return;
    }
    case "zero":
      for (let j = 0; j < fn.size; j++) out[outOffset + j] = 0;
      return;
    case "legendre-delay":
      throw new Error("legendre-delay is folded into the transform by the expand-lmu pass");
  }
}
