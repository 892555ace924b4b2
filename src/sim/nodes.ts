/**
 * Nodes in the float simulator: their run-time plans, the output of every node kind at step n,
 * and the stateful kinds (linear systems, delay lines) that publish their state before anything
 * reads it and take their input after everything has been evaluated.
 */
import type { NodeIR, NodeOutput } from "../ir/network.js";
import { applyFunction } from "../nef/functions.js";
import { whiteSignal } from "../signals/white-noise.js";
import type { ConnPlan, NodePlan } from "./plan.js";

export function planNode(node: NodeIR, dtSeconds: number): NodePlan {
  const out = node.output;
  const base = { node, input: new Float64Array(node.sizeIn), output: new Float64Array(node.sizeOut), incoming: [] as ConnPlan[], ringPos: 0 };
  switch (out.kind) {
    case "white-noise":
      return { ...base, stateful: false, samples: whiteSignal({ periodSeconds: out.periodSeconds, highHz: out.highHz, rms: out.rms, dtSeconds, dims: node.sizeOut, seed: out.seed, ...(out.y0 !== undefined ? { y0: out.y0 } : {}) }) };
    case "linear-system":
      return { ...base, stateful: true, state: new Float64Array(node.sizeOut), scratch: new Float64Array(node.sizeOut) };
    case "delay":
      return { ...base, stateful: true, state: new Float64Array(node.sizeIn * out.delaySteps) };
    case "sample-hold":
      return { ...base, stateful: true, state: new Float64Array(node.sizeIn), scratch: new Float64Array(node.sizeIn) };
    default:
      return { ...base, stateful: false };
  }
}

/** Output of a non-stateful node at step n (time t = n·dt), from its input of the same step. */
export function evalNode(p: NodePlan, t: number, n: number): void {
  const out = p.output;
  const o: NodeOutput = p.node.output;
  switch (o.kind) {
    case "constant":
      for (let i = 0; i < out.length; i++) out[i] = o.value[i];
      return;
    case "step": {
      const v = t >= o.timeSeconds ? o.after : o.before;
      for (let i = 0; i < out.length; i++) out[i] = v[i];
      return;
    }
    case "sine":
      for (let i = 0; i < out.length; i++) out[i] = o.offset[i] + o.amplitude[i] * Math.sin(2 * Math.PI * o.frequencyHz * t + o.phaseRadians);
      return;
    case "piecewise": {
      const ts = o.timesSeconds;
      let k = -1;
      while (k + 1 < ts.length && ts[k + 1] <= t) k++;
      if (o.interpolation === "zero" || k === ts.length - 1) {
        for (let i = 0; i < out.length; i++) out[i] = k < 0 ? (o.interpolation === "zero" ? 0 : o.values[0][i]) : o.values[k][i];
      } else if (k < 0) {
        for (let i = 0; i < out.length; i++) out[i] = o.values[0][i];
      } else {
        const f = (t - ts[k]) / (ts[k + 1] - ts[k]);
        for (let i = 0; i < out.length; i++) out[i] = o.values[k][i] + f * (o.values[k + 1][i] - o.values[k][i]);
      }
      return;
    }
    case "white-noise": {
      const s = p.samples!;
      const len = s[0].length;
      const k = n % len;
      for (let i = 0; i < out.length; i++) out[i] = s[i][k];
      return;
    }
    case "data": {
      const rows = o.values.rows, cols = o.values.cols;
      let r = n - 1;
      if (r >= rows) {
        if (o.afterEnd === "zero") {
          out.fill(0);
          return;
        }
        r = o.afterEnd === "hold" ? rows - 1 : r % rows;
      }
      for (let i = 0; i < cols; i++) out[i] = o.values.data[r * cols + i];
      return;
    }
    case "passthrough":
      out.set(p.input);
      break;
    case "function":
      applyFunction(o.fn, p.input, 0, p.input.length, out, 0);
      break;
    case "linear-system":
    case "delay":
    case "sample-hold":
      return; // published before the step's evaluation
  }
  // Nengo's `x if t < t_off else 0`, with Nengo's t = n·dt.
  const until = p.node.untilSeconds;
  if (until !== undefined && t >= until) out.fill(0);
}

/** A stateful node's output at step n is its state from step n−1. */
export function publishStateful(p: NodePlan): void {
  const o = p.node.output;
  if (o.kind === "linear-system" || o.kind === "sample-hold") p.output.set(p.state!);
  else if (o.kind === "delay") {
    const size = p.node.sizeIn, state = p.state!, out = p.output, at = p.ringPos * size;
    for (let i = 0; i < size; i++) out[i] = state[at + i];
  }
}

/** Advances a stateful node's state with this step's input. */
export function updateStateful(p: NodePlan): void {
  const o = p.node.output;
  if (o.kind === "linear-system") {
    const x = p.state!, tmp = p.scratch!, u = p.input;
    const q = x.length, m = u.length;
    const Ad = o.Ad.data, Bd = o.Bd.data;
    for (let i = 0; i < q; i++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += Ad[i * q + j] * x[j];
      for (let j = 0; j < m; j++) s += Bd[i * m + j] * u[j];
      tmp[i] = s;
    }
    x.set(tmp);
  } else if (o.kind === "delay") {
    const size = p.node.sizeIn;
    p.state!.set(p.input, p.ringPos * size);
    p.ringPos = (p.ringPos + 1) % o.delaySteps;
  } else if (o.kind === "sample-hold") {
    // ringPos counts steps modulo the period; the last averageSteps inputs of a period are summed
    // in scratch, and their mean becomes the held value at the period's last step.
    p.ringPos = (p.ringPos + 1) % o.periodSteps;
    const sum = p.scratch!, u = p.input;
    const phase = p.ringPos === 0 ? o.periodSteps : p.ringPos;
    if (phase > o.periodSteps - o.averageSteps) for (let i = 0; i < sum.length; i++) sum[i] += u[i];
    if (p.ringPos === 0) {
      const state = p.state!;
      for (let i = 0; i < sum.length; i++) state[i] = sum[i] / o.averageSteps;
      sum.fill(0);
    }
  }
}
