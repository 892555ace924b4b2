/**
 * Verifiers: structural invariants each stage must hold. A failure after a pass is a compiler
 * bug (LMU9001), not a user error: passes must produce valid IR from valid IR.
 */
import type { BuiltNetwork } from "./built.js";
import type { Endpoint, NetworkIR } from "./network.js";

const finite = (a: ArrayLike<number>): boolean => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
};

export function verifyNetwork(net: NetworkIR): string[] {
  const problems: string[] = [];
  const sizes = new Map<string, { value: number; neurons: number; input: number }>();
  const ids = new Set<string>();
  const declare = (id: string): void => {
    if (ids.has(id)) problems.push(`duplicate object id '${id}'`);
    ids.add(id);
  };
  if (!(net.dtSeconds > 0)) problems.push(`dt must be positive, got ${net.dtSeconds}`);
  for (const n of net.nodes) {
    declare(n.id);
    sizes.set(n.id, { value: n.sizeOut, neurons: 0, input: n.sizeIn });
    const o = n.output;
    if (o.kind === "linear-system" && (o.Ad.rows !== n.sizeOut || o.Ad.cols !== n.sizeOut || o.Bd.rows !== n.sizeOut || o.Bd.cols !== n.sizeIn)) problems.push(`node '${n.id}': linear system matrices do not match sizes ${n.sizeIn}→${n.sizeOut}`);
    if ((o.kind === "passthrough" || o.kind === "function" || o.kind === "linear-system" || o.kind === "delay" || o.kind === "sample-hold") !== n.sizeIn > 0) problems.push(`node '${n.id}': size_in ${n.sizeIn} does not fit a ${o.kind} node`);
    if (o.kind === "sample-hold" && !(Number.isInteger(o.periodSteps) && o.periodSteps >= 1 && Number.isInteger(o.averageSteps) && o.averageSteps >= 1 && o.averageSteps <= o.periodSteps)) {
      problems.push(`node '${n.id}': sample-hold period and averaging must be whole numbers of steps, 1 ≤ average ≤ period`);
    }
    if (o.kind === "delay" && !(Number.isInteger(o.delaySteps) && o.delaySteps >= 1)) problems.push(`node '${n.id}': delay must be a whole number of steps ≥ 1`);
  }
  for (const e of net.ensembles) {
    declare(e.id);
    sizes.set(e.id, { value: e.dimensions, neurons: e.nNeurons, input: e.dimensions });
    if (!(e.nNeurons >= 1 && e.dimensions >= 1)) problems.push(`ensemble '${e.id}': sizes must be positive`);
    if (e.encoders.kind === "explicit" && (e.encoders.values.rows !== e.nNeurons || e.encoders.values.cols !== e.dimensions)) problems.push(`ensemble '${e.id}': encoders shape`);
    if (e.gain && (e.gain.length !== e.nNeurons || !finite(e.gain))) problems.push(`ensemble '${e.id}': gain`);
  }
  for (const l of net.lmus) {
    declare(l.id);
    sizes.set(l.id, { value: l.order, neurons: l.implementation.kind === "neurons" && l.implementation.layout === "single" ? l.implementation.ensemble.nNeurons : 0, input: 1 });
  }
  const checkEnd = (where: string, ep: { id: string; part: string; indices?: readonly number[] }, role: "from" | "to"): number => {
    const s = sizes.get(ep.id);
    if (!s) {
      problems.push(`${where}: unknown id '${ep.id}'`);
      return 0;
    }
    const full = ep.part === "neurons" ? s.neurons : role === "to" ? s.input : s.value;
    for (const i of ep.indices ?? []) if (!(Number.isInteger(i) && i >= 0 && i < full)) problems.push(`${where}: index ${i} out of range for '${ep.id}' (${full})`);
    return ep.indices ? ep.indices.length : full;
  };
  for (const c of net.connections) {
    const where = `connection ${c.id}`;
    checkEnd(where, c.from, "from");
    const dOut = checkEnd(where, c.to, "to");
    if (c.transform.kind === "matrix") {
      if (c.transform.values.rows !== dOut) problems.push(`${where}: transform has ${c.transform.values.rows} rows, target takes ${dOut}`);
      if (!finite(c.transform.values.data)) problems.push(`${where}: transform is not finite`);
    }
    if (c.synapse.kind === "lowpass" && !(c.synapse.tauSeconds >= 0)) problems.push(`${where}: negative synapse`);
  }
  for (const p of net.probes) checkEnd(`probe ${p.id}`, p.target, "from");
  for (const n of net.nodes) if (n.untilSeconds !== undefined && !(Number.isFinite(n.untilSeconds) && n.sizeIn > 0)) problems.push(`node '${n.id}': until needs a finite time and an input`);
  verifyLearningNetwork(net, (where, ep) => checkEnd(where, ep, "from"), problems);
  return problems;
}

/** Learned connections start at an ensemble's decoded value; error connections feed one of them. */
function verifyLearningNetwork(net: NetworkIR, checkFrom: (where: string, ep: Endpoint) => number, problems: string[]): void {
  const conns = new Map(net.connections.map((c) => [c.id, c]));
  const ensIds = new Set(net.ensembles.map((e) => e.id));
  for (const c of net.connections) {
    const r = c.learningRule;
    if (!r) continue;
    if (!ensIds.has(c.from.id) || c.from.part !== "value") problems.push(`connection ${c.id}: PES needs a decoded connection from an ensemble`);
    if (!(r.learningRate >= 0 && Number.isFinite(r.learningRate))) problems.push(`connection ${c.id}: learning rate must be finite and ≥ 0`);
  }
  for (const e of net.errorConnections ?? []) {
    const where = `error connection ${e.id}`;
    checkFrom(where, e.from);
    const learned = conns.get(e.to.id);
    if (!learned?.learningRule) problems.push(`${where}: '${e.to.id}' is not a learned connection`);
  }
}

export function verifyBuilt(net: BuiltNetwork): string[] {
  const problems: string[] = [];
  const ens = new Map(net.ensembles.map((e) => [e.id, e]));
  const nodes = new Map(net.nodes.map((n) => [n.id, n]));
  for (const e of net.ensembles) {
    // An external ensemble (the host's view of a chip ensemble: asExternal) has no parameters;
    // builds written before asExternal dropped them still carry them all.
    const n = e.external && e.gain.length === 0 ? 0 : e.nNeurons;
    if (e.gain.length !== n || e.bias.length !== n || e.initialVoltage.length !== n) problems.push(`ensemble '${e.id}': per-neuron arrays must have ${n} entries`);
    if (e.encoders.rows !== n || e.encoders.cols !== e.dimensions) problems.push(`ensemble '${e.id}': encoders must be ${n}×${e.dimensions}`);
    if (e.evalPoints.cols !== e.dimensions) problems.push(`ensemble '${e.id}': eval points must have ${e.dimensions} columns`);
    if (!finite(e.gain) || !finite(e.bias) || !finite(e.encoders.data) || !finite(e.initialVoltage)) problems.push(`ensemble '${e.id}': non-finite parameters`);
    for (let i = 0; i < n; i++) if (!(e.gain[i] > 0)) { problems.push(`ensemble '${e.id}': gain ${i} is not positive`); break; }
  }
  for (const c of net.connections) {
    const where = `connection ${c.id}`;
    const s = c.source;
    const srcSize = s.kind === "node" ? nodes.get(s.id)?.sizeOut : ens.get(s.id)?.nNeurons;
    if (srcSize === undefined) problems.push(`${where}: unknown source '${s.id}'`);
    for (const i of s.indices) if (srcSize !== undefined && !(i >= 0 && i < srcSize)) problems.push(`${where}: source index ${i} out of range`);
    const t = c.target;
    const tSize = t.kind === "node" ? nodes.get(t.id)?.sizeIn : t.kind === "neurons" ? ens.get(t.id)?.nNeurons : ens.get(t.id)?.dimensions;
    if (tSize === undefined) problems.push(`${where}: unknown target '${t.id}'`);
    for (const i of t.indices) if (tSize !== undefined && !(i >= 0 && i < tSize)) problems.push(`${where}: target index ${i} out of range`);
    if (c.weights.rows !== t.indices.length) problems.push(`${where}: weights have ${c.weights.rows} rows, target has ${t.indices.length} indices`);
    const expectCols = s.kind === "node" ? (s.fn.kind === "product" ? 1 : s.fn.kind === "tabulated" ? s.fn.ys[0].length : s.fn.kind === "zero" ? s.fn.size : s.indices.length) : s.indices.length;
    if (c.weights.cols !== expectCols) problems.push(`${where}: weights have ${c.weights.cols} columns, source gives ${expectCols}`);
    if (!finite(c.weights.data)) problems.push(`${where}: non-finite weights`);
  }
  for (const p of net.probes) {
    if (p.target.kind === "decoded") {
      const e = ens.get(p.target.id);
      if (!e || p.target.weights.cols !== e.nNeurons || p.target.weights.rows !== p.size) problems.push(`probe '${p.id}': decoder weights shape`);
    }
    if (!(p.sampleEverySteps >= 1)) problems.push(`probe '${p.id}': sample_every must be ≥ 1 step`);
  }
  verifyLearningBuilt(net, problems);
  return problems;
}

/** A learned connection reads all neurons of its ensemble; each error matches its output size. */
function verifyLearningBuilt(net: BuiltNetwork, problems: string[]): void {
  const ens = new Map(net.ensembles.map((e) => [e.id, e]));
  const nodes = new Map(net.nodes.map((n) => [n.id, n]));
  const learned = new Map(net.connections.filter((c) => c.learning).map((c) => [c.id, c]));
  for (const c of learned.values()) {
    const e = c.source.kind === "neurons" ? ens.get(c.source.id) : undefined;
    if (!e || !c.decoders || c.source.indices.length !== e.nNeurons) problems.push(`connection ${c.id}: a learned connection must decode all neurons of an ensemble`);
  }
  for (const ec of net.errorConnections ?? []) {
    const where = `error connection ${ec.id}`;
    const c = learned.get(ec.target.id);
    if (!c) {
      problems.push(`${where}: '${ec.target.id}' is not a learned connection`);
      continue;
    }
    const s = ec.source;
    const srcSize = s.kind === "node" ? nodes.get(s.id)?.sizeOut : ens.get(s.id)?.nNeurons;
    if (srcSize === undefined) problems.push(`${where}: unknown source '${s.id}'`);
    for (const i of ec.target.indices) if (!(i >= 0 && i < c.weights.rows)) problems.push(`${where}: error index ${i} out of range (${c.weights.rows})`);
    if (ec.weights.rows !== ec.target.indices.length) problems.push(`${where}: weights have ${ec.weights.rows} rows, the error has ${ec.target.indices.length}`);
    if (!finite(ec.weights.data)) problems.push(`${where}: non-finite weights`);
  }
}
