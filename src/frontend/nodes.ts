/** Node outputs (constant, step, sine, piecewise, white-noise, data, passthrough, function) → NodeIR. */
import type { Mat } from "../math/matrix.js";
import type { NodeIR, NodeOutput } from "../ir/network.js";
import { deriveSeed } from "../util/rng.js";
import type { ConverterBase, Obj } from "./converter-base.js";
import { whiteNoiseCost } from "./cost.js";
import { nodeTimeFields } from "./learning.js";
import type { JsonPath } from "./source.js";
import { readArray } from "./values.js";

export function nodeOutput(c: ConverterBase, o: Obj, path: JsonPath, id: string): { output: NodeOutput; sizeIn: number; sizeOut: number } {
  const sizeIn = (o.size_in as number | undefined) ?? 0;
  if (o.output !== undefined && o.size_in !== undefined) {
    c.error("LMU2007", "a node has either an output (a signal of time) or size_in (it transforms its input), not both", [...path, "size_in"], true);
  }
  if (o.function !== undefined && o.size_in === undefined) {
    c.error("LMU2007", "a node with a function needs size_in (the size of the input it applies the function to)", [...path, "function"], true);
  }
  if (o.output === undefined) {
    if (o.size_in === undefined) c.error("LMU1002", `node '${id}' needs an output (a signal) or size_in (a passthrough or function node)`, path, true);
    if (o.function === undefined) return { output: { kind: "passthrough" }, sizeIn, sizeOut: sizeIn };
    const fn = c.functionSpec(o.function, [...path, "function"]);
    const sizeOut = c.functionOutputSize(fn, sizeIn, [...path, "function"], undefined);
    return { output: { kind: "function", fn }, sizeIn, sizeOut };
  }
  const out = o.output;
  const opath = [...path, "output"];
  const vec = (x: unknown): number[] => (x === undefined ? [] : typeof x === "number" ? [x] : (x as number[]));
  if (typeof out === "number" || Array.isArray(out)) {
    const value = vec(out);
    if (value.length === 0) c.error("LMU2002", "a constant output needs at least one value", opath);
    return { output: { kind: "constant", value }, sizeIn: 0, sizeOut: value.length };
  }
  const oo = out as Obj;
  const sameSize = (names: string[]): number => {
    const sizes = names.map((k) => ({ k, n: vec(oo[k]).length })).filter((s) => s.n > 1);
    const size = sizes.length > 0 ? sizes[0].n : 1;
    for (const s of sizes) if (s.n !== size) c.error("LMU2002", `'${s.k}' has ${s.n} values but '${sizes[0].k}' has ${size}`, [...opath, s.k]);
    return size;
  };
  const broadcast = (x: unknown, n: number, dflt: number): number[] => {
    const v = vec(x);
    if (v.length === 0) return new Array<number>(n).fill(dflt);
    if (v.length === 1) return new Array<number>(n).fill(v[0]);
    return v;
  };
  switch (oo.kind as string) {
    case "constant": {
      const value = vec(oo.value);
      return { output: { kind: "constant", value }, sizeIn: 0, sizeOut: value.length };
    }
    case "step": {
      const n = sameSize(["before", "after"]);
      return { output: { kind: "step", timeSeconds: oo.time as number, before: broadcast(oo.before, n, 0), after: broadcast(oo.after, n, 1) }, sizeIn: 0, sizeOut: n };
    }
    case "sine": {
      const n = sameSize(["amplitude", "offset"]);
      return { output: { kind: "sine", frequencyHz: oo.frequency as number, amplitude: broadcast(oo.amplitude, n, 1), phaseRadians: (oo.phase as number | undefined) ?? 0, offset: broadcast(oo.offset, n, 0) }, sizeIn: 0, sizeOut: n };
    }
    case "piecewise": {
      const times = oo.times as number[];
      const raw = oo.values as number[] | number[][];
      const values = raw.map((r) => (typeof r === "number" ? [r] : r));
      if (values.length !== times.length) c.error("LMU2002", `piecewise has ${times.length} times but ${values.length} values`, [...opath, "values"]);
      for (let i = 1; i < times.length; i++) if (!(times[i] > times[i - 1])) c.error("LMU2011", "piecewise times must be strictly increasing", [...opath, "times", i]);
      const n = values[0].length;
      values.forEach((v, i) => {
        if (v.length !== n) c.error("LMU2002", `piecewise value ${i} has ${v.length} entries, the first has ${n}`, [...opath, "values", i]);
      });
      return { output: { kind: "piecewise", timesSeconds: times, values, interpolation: (oo.interpolation as "zero" | "linear" | undefined) ?? "zero" }, sizeIn: 0, sizeOut: n };
    }
    case "white-noise": {
      const dims = (oo.dimensions as number | undefined) ?? 1;
      const period = oo.period as number;
      const highHz = oo.high as number;
      if (period / c.dtSeconds > 1e8) c.error("LMU2004", `a white-noise period of ${period} s is ${Math.round(period / c.dtSeconds)} steps; at most 1e8 are generated`, [...opath, "period"]);
      // Nengo refuses this too: every frequency bin but DC would be cut and the signal would be 0.
      if (!(highHz >= 1 / period)) c.error("LMU2011", `white-noise high ${highHz} Hz is below 1/period = ${1 / period} Hz, the lowest frequency a signal of period ${period} s has; raise high or lengthen the period`, [...opath, "high"]);
      c.charge(whiteNoiseCost(period, highHz, c.dtSeconds, dims), [...opath, "period"], "shorten the period (the signal repeats after it) or lower high");
      return {
        output: {
          kind: "white-noise",
          periodSeconds: period,
          highHz,
          rms: (oo.rms as number | undefined) ?? 0.5,
          seed: (oo.seed as number | undefined) ?? deriveSeed(c.seed, `node/${id}/white-noise`),
          ...(oo.y0 !== undefined ? { y0: oo.y0 as number } : {}),
        },
        sizeIn: 0,
        sizeOut: dims,
      };
    }
    case "data": {
      const arr = readArray(c.ctx, oo.values, [...opath, "values"]);
      const values: Mat = arr.shape.length === 1 ? { rows: arr.shape[0], cols: 1, data: arr.data } : { rows: arr.shape[0], cols: arr.shape[1], data: arr.data };
      if (values.rows === 0 || values.cols === 0) c.error("LMU2002", "data has no samples", [...opath, "values"]);
      const source = typeof oo.values === "object" && oo.values !== null && "file" in (oo.values as Obj) ? String((oo.values as Obj).file) : "inline";
      return { output: { kind: "data", values, afterEnd: (oo.after_end as "repeat" | "hold" | "zero" | undefined) ?? "repeat", source }, sizeIn: 0, sizeOut: values.cols };
    }
  }
  return c.error("LMU1002", "unknown output kind", opath);
}

export function nodeIR(c: ConverterBase, id: string, o: Obj, path: JsonPath): NodeIR {
  const { output, sizeIn, sizeOut } = nodeOutput(c, o, path, id);
  return { id, sizeIn, sizeOut, ...nodeTimeFields(c, o, path, output, sizeIn), role: "user", origin: c.loc(path, true) };
}
