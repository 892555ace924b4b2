/**
 * Stable textual IR dumps (one line per object, MLIR-style), for `lmuc ir` and golden tests.
 * Large arrays print as shape, range and a content hash, so dumps stay short but any change shows.
 */
import { formatLocation, type SourceLocation } from "../diagnostics/diagnostic.js";
import type { Mat } from "../math/matrix.js";
import { describeFunction } from "../nef/functions.js";
import type { NeuronModel } from "../neurons/models.js";
import type { BuiltNetwork } from "./built.js";
import type { Distribution, Endpoint, LearningRuleIR, MatrixSpec, NetworkIR, NodeOutput, Synapse, TransformSpec, VectorSpec } from "./network.js";

/** FNV-1a over the float64 bytes: a short fingerprint that is the same on every machine. */
export function arrayHash(data: Float64Array): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

export function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const s = x.toPrecision(6);
  return s.includes("e") ? s : String(Number(s));
}

function summarize(data: Float64Array, shape: string): string {
  if (data.length <= 8) return `[${Array.from(data, num).join(", ")}]`;
  let lo = Infinity, hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return `<${shape} ${num(lo)}..${num(hi)} #${arrayHash(data)}>`;
}

const matStr = (m: Mat): string => summarize(m.data, `${m.rows}x${m.cols}`);
const vecStr = (v: Float64Array): string => summarize(v, `${v.length}`);

function distStr(d: Distribution): string {
  const { dist, ...rest } = d as Distribution & Record<string, unknown>;
  const args = Object.entries(rest).map(([k, v]) => `${k}=${Array.isArray(v) ? JSON.stringify(v) : String(v)}`);
  return `${dist}(${args.join(", ")})`;
}

const vspec = (s: VectorSpec): string => (s.kind === "explicit" ? vecStr(s.values) : distStr(s.dist));
const mspec = (s: MatrixSpec): string => (s.kind === "explicit" ? matStr(s.values) : distStr(s.dist));
const syn = (s: Synapse): string => (s.kind === "none" ? "none" : `lowpass(${num(s.tauSeconds)})`);
const ep = (e: Endpoint): string => `${e.id}${e.part === "neurons" ? ".neurons" : ""}${e.indices ? `[${e.indices.join(",")}]` : ""}`;
const at = (o: SourceLocation | undefined): string => (o ? `  @ ${formatLocation(o)}` : "");

function neuronStr(m: NeuronModel): string {
  switch (m.type) {
    case "lif":
      return `lif(tau_rc=${num(m.tauRcSeconds)}, tau_ref=${num(m.tauRefSeconds)}, min_voltage=${num(m.minVoltage)}, amplitude=${num(m.amplitude)})`;
    case "lif-rate":
      return `lif-rate(tau_rc=${num(m.tauRcSeconds)}, tau_ref=${num(m.tauRefSeconds)}, amplitude=${num(m.amplitude)})`;
    default:
      return `${m.type}(amplitude=${num(m.amplitude)})`;
  }
}

function outputStr(o: NodeOutput): string {
  const list = (v: readonly number[]): string => `[${v.map(num).join(", ")}]`;
  switch (o.kind) {
    case "constant":
      return `constant${list(o.value)}`;
    case "step":
      return `step(t=${num(o.timeSeconds)}, before=${list(o.before)}, after=${list(o.after)})`;
    case "sine":
      return `sine(f=${num(o.frequencyHz)}, amplitude=${list(o.amplitude)}, phase=${num(o.phaseRadians)}, offset=${list(o.offset)})`;
    case "piecewise":
      return `piecewise(${o.timesSeconds.length} points, ${o.interpolation})`;
    case "white-noise":
      return `white-noise(period=${num(o.periodSeconds)}, high=${num(o.highHz)}, rms=${num(o.rms)}, seed=${o.seed}${o.y0 !== undefined ? `, y0=${num(o.y0)}` : ""})`;
    case "data":
      return `data(${o.source}, ${matStr(o.values)}, after_end=${o.afterEnd})`;
    case "passthrough":
      return "passthrough";
    case "function":
      return `function(${describeFunction(o.fn)})`;
    case "linear-system":
      return `linear-system(Ad=${matStr(o.Ad)}, Bd=${matStr(o.Bd)})`;
    case "delay":
      return `delay(${o.delaySteps} steps)`;
    case "sample-hold":
      return `sample-hold(every ${o.periodSteps} steps, mean of the last ${o.averageSteps})`;
  }
}

function learnStr(r: LearningRuleIR): string {
  return `learning=pes(rate=${num(r.learningRate)}, pre_synapse=${syn(r.preSynapse)})`;
}

function transformStr(t: TransformSpec): string {
  if (t.kind === "scalar") return num(t.value);
  if (t.kind === "matrix") return matStr(t.values);
  return `${distStr(t.dist)}[${t.rows}x${t.cols}]`;
}

export function printNetwork(net: NetworkIR): string {
  const lines = [`network "${net.name}" stage=${net.stage} dt=${num(net.dtSeconds)} seed=${net.seed}`];
  for (const n of net.nodes) lines.push(`  node ${n.id} : ${n.sizeIn}->${n.sizeOut} ${outputStr(n.output)}${n.untilSeconds !== undefined ? ` until=${num(n.untilSeconds)}` : ""}${n.role !== "user" ? ` role=${n.role}` : ""}${at(n.origin)}`);
  for (const e of net.ensembles) {
    lines.push(`  ensemble ${e.id} : n=${e.nNeurons} d=${e.dimensions} ${neuronStr(e.neuron)} radius=${num(e.radius)} seed=${e.seed}${e.role !== "user" ? ` role=${e.role}` : ""}${at(e.origin)}`);
    lines.push(e.gain && e.bias ? `    gain=${vecStr(e.gain)} bias=${vecStr(e.bias)}` : `    max_rates=${vspec(e.maxRatesHz)} intercepts=${vspec(e.intercepts)}`);
    lines.push(`    encoders=${mspec(e.encoders)} eval_points=${mspec(e.evalPoints)} n_eval_points=${e.nEvalPoints} initial_voltage=${vspec(e.initialVoltage)}`);
  }
  for (const l of net.lmus) {
    const impl = l.implementation;
    const how = impl.kind === "ideal" ? "ideal" : `neurons(layout=${impl.layout}, mapping=${impl.mapping}, tau=${num(impl.tauSeconds)}, n=${impl.ensemble.nNeurons}, ${neuronStr(impl.ensemble.neuron)})`;
    lines.push(`  lmu ${l.id} : order=${l.order} theta=${num(l.thetaSeconds)} ${l.discretization} input=${ep(l.input)} ${how}${at(l.origin)}`);
  }
  for (const c of net.connections) {
    const extra = [c.fn.kind !== "identity" ? `function=${describeFunction(c.fn)}` : "", c.decoders ? `decoders=${matStr(c.decoders)}` : "", c.solver.weights ? "weights=true" : "", c.solver.reg !== 0.1 ? `reg=${num(c.solver.reg)}` : "", c.learningRule ? learnStr(c.learningRule) : ""].filter(Boolean).join(" ");
    lines.push(`  connection ${c.id} : ${ep(c.from)} -> ${ep(c.to)} transform=${transformStr(c.transform)} synapse=${syn(c.synapse)}${extra ? " " + extra : ""}${at(c.origin)}`);
  }
  for (const e of net.errorConnections ?? []) lines.push(`  error ${e.id} : ${ep(e.from)} -> ${e.to.text} (rule of ${e.to.id}) transform=${transformStr(e.transform)} synapse=${syn(e.synapse)}${e.fn.kind !== "identity" ? ` function=${describeFunction(e.fn)}` : ""}${at(e.origin)}`);
  for (const p of net.probes) lines.push(`  probe ${p.id} : ${ep(p.target)} attr=${p.attr} synapse=${syn(p.synapse)}${p.sampleEverySteps > 1 ? ` every=${p.sampleEverySteps}` : ""}${at(p.origin)}`);
  return lines.join("\n") + "\n";
}

export function printBuilt(net: BuiltNetwork): string {
  const lines = [`network "${net.name}" stage=${net.stage} dt=${num(net.dtSeconds)} seed=${net.seed}`];
  for (const n of net.nodes) lines.push(`  node ${n.id} : ${n.sizeIn}->${n.sizeOut} ${outputStr(n.output)}${n.untilSeconds !== undefined ? ` until=${num(n.untilSeconds)}` : ""}${n.role !== "user" ? ` role=${n.role}` : ""}${at(n.origin)}`);
  for (const e of net.ensembles) {
    lines.push(`  ensemble ${e.id} : n=${e.nNeurons} d=${e.dimensions} ${neuronStr(e.neuron)} radius=${num(e.radius)}${at(e.origin)}`);
    lines.push(`    gain=${vecStr(e.gain)} bias=${vecStr(e.bias)} encoders=${matStr(e.encoders)} eval_points=${matStr(e.evalPoints)} initial_voltage=${vecStr(e.initialVoltage)}`);
  }
  for (const c of net.connections) {
    const s = c.source, t = c.target;
    const src = s.kind === "node" ? `${s.id}[${s.indices.length}]${s.fn.kind !== "identity" ? ` ${describeFunction(s.fn)}` : ""}` : `${s.id}.neurons[${s.indices.length}]`;
    const dst = t.kind === "ensemble" ? `${t.id}[${t.indices.length}]` : t.kind === "neurons" ? `${t.id}.neurons[${t.indices.length}]${t.gainScaled ? " *gain" : ""}` : `${t.id}[${t.indices.length}]`;
    const solve = c.solve ? ` solve(${c.solve.function}, reg=${num(c.solve.reg)}${c.solve.explicit ? ", explicit" : `, m=${c.solve.nEvalPoints}, rmse=${c.solve.rmses.map(num).join("/")}`})` : "";
    lines.push(`  connection ${c.id} : ${src} -> ${dst} W=${matStr(c.weights)} synapse=${syn(c.synapse)}${solve}${c.learning ? ` ${learnStr(c.learning)}` : ""}${at(c.origin)}`);
  }
  for (const e of net.errorConnections ?? []) {
    const s = e.source;
    const src = s.kind === "node" ? `${s.id}[${s.indices.length}]${s.fn.kind !== "identity" ? ` ${describeFunction(s.fn)}` : ""}` : `${s.id}.neurons[${s.indices.length}]`;
    lines.push(`  error ${e.id} : ${src} -> ${e.target.id}.learning[${e.target.indices.length}] W=${matStr(e.weights)} synapse=${syn(e.synapse)}${at(e.origin)}`);
  }
  for (const p of net.probes) {
    const t = p.target;
    const what = t.kind === "decoded" ? `${t.id} decoded W=${matStr(t.weights)}` : `${t.id}${t.kind === "neurons" ? ".neurons" : ""}[${t.indices.length}]`;
    lines.push(`  probe ${p.id} : ${what} attr=${p.attr} synapse=${syn(p.synapse)}${at(p.origin)}`);
  }
  return lines.join("\n") + "\n";
}
