/**
 * The float reference simulator: Nengo's step semantics (float-semantics.md §1) on a BuiltNetwork.
 *
 * Everything is laid out once in the constructor; `step()` touches only typed arrays and
 * preallocated plan records (no Map lookups, no allocation). Per step:
 *   A. stateful nodes (linear systems, delays) publish their state as output;
 *   B. every other object, in dependency order of synapse-free connections: its input is reset,
 *      synapse states (from step n−1) and synapse-free contributions (from step n) are added,
 *      then it computes its output (node function, or encode + neuron step);
 *   C. stateful nodes accumulate their input;
 *   D. every synapse updates from this step's connection output; stateful nodes update;
 *   E. probes record (filtered probes record their state before updating it).
 */
import type { BuiltConnection, BuiltNetwork, BuiltProbe } from "../ir/built.js";
import type { NodeIR, NodeOutput } from "../ir/network.js";
import { applyFunction, functionOutputSize } from "../nef/functions.js";
import { stepLif, stepLifRate, stepRelu, stepSpikingRelu } from "../neurons/step.js";
import { whiteSignal } from "../signals/white-noise.js";
import { lowpassCoefficients } from "./synapse.js";
import { runSteps } from "../util/run-steps.js";

const enum SourceKind {
  Node,
  Neurons,
}
const enum TargetKind {
  EnsembleValue,
  Neurons,
  Node,
}

interface ConnPlan {
  readonly id: string;
  readonly sourceKind: SourceKind;
  /** Index into nodePlans or ensPlans. */
  readonly source: number;
  readonly sourceIndices: Int32Array;
  readonly identitySource: boolean;
  /** Function applied to node outputs (undefined = identity). */
  readonly fn: BuiltConnection["source"] extends infer S ? (S extends { fn: infer F } ? F : never) | undefined : never;
  readonly fnIn: Float64Array;
  readonly fnOut: Float64Array;
  readonly dOut: number;
  readonly dIn: number;
  /** Row-major dOut × dIn (node sources) or, for neuron sources, dIn × dOut (one row per source neuron). */
  readonly weights: Float64Array;
  readonly targetKind: TargetKind;
  readonly target: number;
  readonly targetIndices: Int32Array;
  readonly targetGain: Float64Array | undefined;
  /** This step's connection output w_n. */
  readonly w: Float64Array;
  readonly filtered: boolean;
  /** Lowpass state, read by the target in the next step. */
  readonly state: Float64Array;
  readonly a: number;
  readonly b: number;
}

interface NodePlan {
  readonly node: NodeIR;
  readonly input: Float64Array;
  readonly output: Float64Array;
  readonly stateful: boolean;
  readonly incoming: ConnPlan[];
  /** Precomputed samples (white noise, per dimension). */
  readonly samples?: Float64Array[];
  /** Linear system state and scratch, or the delay ring. */
  readonly state?: Float64Array;
  readonly scratch?: Float64Array;
  ringPos: number;
}

interface EnsPlan {
  readonly id: string;
  readonly n: number;
  readonly d: number;
  readonly x: Float64Array;
  readonly J: Float64Array;
  readonly bias: Float64Array;
  readonly gain: Float64Array;
  /** (gain/radius) ⊙ E, n × d. */
  readonly scaledEncoders: Float64Array;
  readonly output: Float64Array;
  readonly voltage: Float64Array;
  readonly refractory: Float64Array;
  readonly neuron: BuiltNetwork["ensembles"][number]["neuron"];
  readonly incoming: ConnPlan[];
  readonly hasDecodedInput: boolean;
  /** Runs elsewhere (the chip): output and voltage are written from outside before each step. */
  readonly external: boolean;
  /** Indices of neurons with non-zero output this step, ascending; valid for activeCount entries. */
  readonly active: Int32Array;
  activeCount: number;
}

export interface SpikeRecord {
  /** Per recorded neuron, the 0-based rows (steps − 1) with at least one spike. */
  readonly spikeSteps: number[][];
  /** Per recorded neuron, spike counts matching spikeSteps (more than 1 only for spiking ReLU). */
  readonly spikeCounts: number[][];
}

interface ProbePlan {
  readonly probe: BuiltProbe;
  readonly kind: "node" | "decoded" | "neurons-output" | "voltage" | "spikes";
  readonly src: Float64Array;
  readonly indices: Int32Array;
  /** Decoded probes: n × d, one row per neuron. */
  readonly weightsT?: Float64Array;
  readonly ensemble?: EnsPlan;
  readonly n: number;
  readonly value: Float64Array;
  readonly filtered: boolean;
  readonly state: Float64Array;
  readonly a: number;
  readonly b: number;
  readonly every: number;
  data: Float64Array;
  rows: number;
  /** Spike probes: (row, probe index, count) triples, appended as spikes happen. */
  spikeLog?: Int32Array;
  spikeLogLength?: number;
  readonly amplitudeOverDt: number;
}

export interface ProbeResult {
  readonly id: string;
  readonly attr: BuiltProbe["attr"];
  /** rows × size, row-major; row k is the (k+1)-th recorded step. */
  readonly data: Float64Array;
  readonly rows: number;
  readonly size: number;
  readonly sampleEverySteps: number;
  readonly spikes?: SpikeRecord;
}

const idx = (a: readonly number[]): Int32Array => Int32Array.from(a);

/**
 * out = M·x (or out += M·x when `accumulate`), M row-major rows × cols. Each row's dot product is
 * summed from 0 in column order, so results are bit-identical to the plain loop; four rows at a
 * time give the CPU four independent addition chains (measured 1.7× on an 800×8 encoder).
 */
function matVec(M: Float64Array, x: Float64Array, out: Float64Array, rows: number, cols: number, accumulate: boolean): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const r0 = i * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols;
    for (let j = 0; j < cols; j++) {
      const xj = x[j];
      s0 += M[r0 + j] * xj;
      s1 += M[r1 + j] * xj;
      s2 += M[r2 + j] * xj;
      s3 += M[r3 + j] * xj;
    }
    if (accumulate) {
      out[i] += s0;
      out[i + 1] += s1;
      out[i + 2] += s2;
      out[i + 3] += s3;
    } else {
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
  }
  for (; i < rows; i++) {
    let s = 0;
    const r = i * cols;
    for (let j = 0; j < cols; j++) s += M[r + j] * x[j];
    out[i] = accumulate ? out[i] + s : s;
  }
}

export class Simulator {
  readonly dtSeconds: number;
  private n = 0;
  private readonly nodes: NodePlan[] = [];
  private readonly ensembles: EnsPlan[] = [];
  /** Non-stateful nodes and ensembles in evaluation order: >= 0 ensemble index, < 0 is ~node index. */
  private readonly order: Int32Array;
  private readonly statefulNodes: NodePlan[] = [];
  private readonly conns: ConnPlan[] = [];
  private readonly filteredConns: ConnPlan[] = [];
  private readonly probes: ProbePlan[] = [];
  private readonly capacityRows: number;
  /**
   * Benchmark baseline only: evaluate W·a densely (no skipping of silent neurons), as a
   * straightforward operator-per-connection simulator does. Same results, slower.
   */
  private readonly naive: boolean;

  constructor(
    readonly network: BuiltNetwork,
    opts: { expectedSteps?: number; naive?: boolean } = {},
  ) {
    this.dtSeconds = network.dtSeconds;
    this.naive = opts.naive ?? false;
    this.capacityRows = Math.max(16, opts.expectedSteps ?? 1024);
    const nodeIndex = new Map<string, number>();
    const ensIndex = new Map<string, number>();
    network.nodes.forEach((node, i) => {
      nodeIndex.set(node.id, i);
      this.nodes.push(this.planNode(node));
    });
    network.ensembles.forEach((e, i) => {
      ensIndex.set(e.id, i);
      const n = e.nNeurons, d = e.dimensions;
      const scaledEncoders = new Float64Array(n * d);
      for (let k = 0; k < n; k++) {
        const g = e.gain[k] / e.radius;
        for (let j = 0; j < d; j++) scaledEncoders[k * d + j] = e.encoders.data[k * d + j] * g;
      }
      this.ensembles.push({
        id: e.id, n, d, x: new Float64Array(d), J: new Float64Array(n), bias: e.bias, gain: e.gain, scaledEncoders,
        output: new Float64Array(n), voltage: Float64Array.from(e.initialVoltage), refractory: new Float64Array(n),
        neuron: e.neuron, incoming: [], hasDecodedInput: false, active: new Int32Array(n), activeCount: 0, external: e.external ?? false,
      });
    });
    for (const c of network.connections) {
      const plan = this.planConnection(c, nodeIndex, ensIndex);
      this.conns.push(plan);
      if (plan.filtered) this.filteredConns.push(plan);
      if (plan.targetKind === TargetKind.Node) this.nodes[plan.target].incoming.push(plan);
      else {
        this.ensembles[plan.target].incoming.push(plan);
        if (plan.targetKind === TargetKind.EnsembleValue) (this.ensembles[plan.target] as { hasDecodedInput: boolean }).hasDecodedInput = true;
      }
    }
    for (const p of this.nodes) if (p.stateful) this.statefulNodes.push(p);
    this.order = this.evaluationOrder();
    for (const p of network.probes) this.probes.push(this.planProbe(p, nodeIndex, ensIndex));
  }

  private planNode(node: NodeIR): NodePlan {
    const out = node.output;
    const base = { node, input: new Float64Array(node.sizeIn), output: new Float64Array(node.sizeOut), incoming: [] as ConnPlan[], ringPos: 0 };
    switch (out.kind) {
      case "white-noise":
        return { ...base, stateful: false, samples: whiteSignal({ periodSeconds: out.periodSeconds, highHz: out.highHz, rms: out.rms, dtSeconds: this.dtSeconds, dims: node.sizeOut, seed: out.seed, ...(out.y0 !== undefined ? { y0: out.y0 } : {}) }) };
      case "linear-system":
        return { ...base, stateful: true, state: new Float64Array(node.sizeOut), scratch: new Float64Array(node.sizeOut) };
      case "delay":
        return { ...base, stateful: true, state: new Float64Array(node.sizeIn * out.delaySteps) };
      default:
        return { ...base, stateful: false };
    }
  }

  private planConnection(c: BuiltConnection, nodeIndex: Map<string, number>, ensIndex: Map<string, number>): ConnPlan {
    const dOut = c.weights.rows;
    const dIn = c.weights.cols;
    const src = c.source;
    const sourceKind = src.kind === "node" ? SourceKind.Node : SourceKind.Neurons;
    const source = src.kind === "node" ? nodeIndex.get(src.id)! : ensIndex.get(src.id)!;
    let weights: Float64Array;
    if (sourceKind === SourceKind.Neurons) {
      // Transposed so each spiking neuron adds one contiguous row.
      weights = new Float64Array(dIn * dOut);
      for (let r = 0; r < dOut; r++) for (let i = 0; i < dIn; i++) weights[i * dOut + r] = c.weights.data[r * dIn + i];
    } else {
      weights = c.weights.data;
    }
    const fn = src.kind === "node" && src.fn.kind !== "identity" ? src.fn : undefined;
    const nSrcIdx = src.indices.length;
    const t = c.target;
    const targetKind = t.kind === "ensemble" ? TargetKind.EnsembleValue : t.kind === "neurons" ? TargetKind.Neurons : TargetKind.Node;
    const target = t.kind === "node" ? nodeIndex.get(t.id)! : ensIndex.get(t.id)!;
    const targetGain = t.kind === "neurons" && t.gainScaled ? this.network.ensembles[target].gain : undefined;
    const coef = c.synapse.kind === "lowpass" ? lowpassCoefficients(c.synapse.tauSeconds, this.dtSeconds) : { a: 0, b: 1 };
    const srcSize = src.kind === "node" ? this.network.nodes[source].sizeOut : this.network.ensembles[source].nNeurons;
    const identitySource = nSrcIdx === srcSize && src.indices.every((v, i) => v === i);
    return {
      id: c.id, sourceKind, source, sourceIndices: idx(src.indices), identitySource, fn,
      fnIn: new Float64Array(nSrcIdx), fnOut: new Float64Array(fn ? functionOutputSize(fn, nSrcIdx) : nSrcIdx),
      dOut, dIn, weights, targetKind, target, targetIndices: idx(t.indices), targetGain,
      w: new Float64Array(dOut), filtered: c.synapse.kind === "lowpass", state: new Float64Array(dOut), a: coef.a, b: coef.b,
    };
  }

  /** Topological order over synapse-free edges; stateful nodes are excluded (their output does not depend on this step's input). */
  private evaluationOrder(): Int32Array {
    const objs: number[] = [];
    this.ensembles.forEach((_, i) => objs.push(i));
    this.nodes.forEach((p, i) => {
      if (!p.stateful) objs.push(~i);
    });
    const deps = new Map<number, number[]>();
    for (const o of objs) deps.set(o, []);
    for (const c of this.conns) {
      if (c.filtered) continue;
      const from = c.sourceKind === SourceKind.Node ? ~c.source : c.source;
      const to = c.targetKind === TargetKind.Node ? ~c.target : c.target;
      if (!deps.has(from) || !deps.has(to)) continue; // stateful ends impose no order
      deps.get(to)!.push(from);
    }
    const out: number[] = [];
    const mark = new Map<number, number>();
    const visit = (o: number): void => {
      const m = mark.get(o);
      if (m === 2) return;
      if (m === 1) throw new Error("algebraic loop reached the simulator (the frontend should have rejected it)");
      mark.set(o, 1);
      for (const d of deps.get(o)!) visit(d);
      mark.set(o, 2);
      out.push(o);
    };
    for (const o of objs) visit(o);
    return Int32Array.from(out);
  }

  private planProbe(p: BuiltProbe, nodeIndex: Map<string, number>, ensIndex: Map<string, number>): ProbePlan {
    const coef = p.synapse.kind === "lowpass" ? lowpassCoefficients(p.synapse.tauSeconds, this.dtSeconds) : { a: 0, b: 1 };
    const base = {
      probe: p, value: new Float64Array(p.size), filtered: p.synapse.kind === "lowpass", state: new Float64Array(p.size),
      a: coef.a, b: coef.b, every: p.sampleEverySteps, rows: 0, data: new Float64Array(0), n: 0, amplitudeOverDt: 0,
    };
    const t = p.target;
    if (t.kind === "node") {
      const np = this.nodes[nodeIndex.get(t.id)!];
      return { ...base, kind: "node", src: np.output, indices: idx(t.indices), data: new Float64Array(p.size * this.capacityRows) };
    }
    const e = this.ensembles[ensIndex.get(t.id)!];
    if (t.kind === "decoded") {
      const W = t.weights;
      const weightsT = new Float64Array(W.rows * W.cols);
      for (let r = 0; r < W.rows; r++) for (let i = 0; i < W.cols; i++) weightsT[i * W.rows + r] = W.data[r * W.cols + i];
      return { ...base, kind: "decoded", src: e.output, indices: new Int32Array(0), weightsT, ensemble: e, n: e.n, data: new Float64Array(p.size * this.capacityRows) };
    }
    const indices = idx(t.indices);
    if (p.attr === "voltage") return { ...base, kind: "voltage", src: e.voltage, indices, data: new Float64Array(p.size * this.capacityRows) };
    if (p.attr === "spikes") {
      const amplitude = e.neuron.amplitude;
      return { ...base, kind: "spikes", src: e.output, indices, spikeLog: new Int32Array(3 * 1024), spikeLogLength: 0, amplitudeOverDt: amplitude / this.dtSeconds };
    }
    return { ...base, kind: "neurons-output", src: e.output, indices, data: new Float64Array(p.size * this.capacityRows) };
  }

  get stepCount(): number {
    return this.n;
  }

  get timeSeconds(): number {
    return this.n * this.dtSeconds;
  }

  /** Computes w_n = W·(source now) into c.w. */
  private connectionOutput(c: ConnPlan): void {
    const w = c.w;
    const dOut = c.dOut;
    w.fill(0);
    if (c.sourceKind === SourceKind.Neurons) {
      const src = this.ensembles[c.source];
      const a = src.output;
      const W = c.weights;
      if (c.identitySource && !this.naive) {
        // Event-driven: only neurons that fired (or have non-zero rate), in ascending order as the
        // dense loop would visit them, so the sums are bit-identical.
        const active = src.active;
        for (let k = 0; k < src.activeCount; k++) {
          const i = active[k];
          const ai = a[i];
          const row = i * dOut;
          for (let r = 0; r < dOut; r++) w[r] += W[row + r] * ai;
        }
        return;
      }
      const sidx = c.sourceIndices;
      const dIn = c.dIn;
      for (let i = 0; i < dIn; i++) {
        const ai = a[c.identitySource ? i : sidx[i]];
        if (ai === 0 && !this.naive) continue;
        const row = i * dOut;
        for (let r = 0; r < dOut; r++) w[r] += W[row + r] * ai;
      }
      return;
    }
    const out = this.nodes[c.source].output;
    const sidx = c.sourceIndices;
    const fin = c.fnIn;
    for (let i = 0; i < sidx.length; i++) fin[i] = out[sidx[i]];
    let x = fin;
    if (c.fn) {
      applyFunction(c.fn, fin, 0, fin.length, c.fnOut, 0);
      x = c.fnOut;
    }
    matVec(c.weights, x, w, dOut, c.dIn, false);
  }

  /** Adds a connection's contribution (synapse state, or this step's w for synapse-free ones) to its target. */
  private deliver(c: ConnPlan, dst: Float64Array): void {
    if (!c.filtered) this.connectionOutput(c);
    const v = c.filtered ? c.state : c.w;
    const ti = c.targetIndices;
    const g = c.targetGain;
    if (g) for (let r = 0; r < ti.length; r++) dst[ti[r]] += g[ti[r]] * v[r];
    else for (let r = 0; r < ti.length; r++) dst[ti[r]] += v[r];
  }

  private evalNode(p: NodePlan, t: number): void {
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
        const k = this.n % len;
        for (let i = 0; i < out.length; i++) out[i] = s[i][k];
        return;
      }
      case "data": {
        const rows = o.values.rows, cols = o.values.cols;
        let r = this.n - 1;
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
        return;
      case "function":
        applyFunction(o.fn, p.input, 0, p.input.length, out, 0);
        return;
      case "linear-system":
      case "delay":
        return; // published in phase A
    }
  }

  private stepEnsemble(e: EnsPlan): void {
    if (e.external) {
      this.collectActive(e);
      return;
    }
    const J = e.J;
    J.set(e.bias);
    const x = e.x;
    const inc = e.incoming;
    if (e.hasDecodedInput) x.fill(0);
    for (let k = 0; k < inc.length; k++) {
      const c = inc[k];
      this.deliver(c, c.targetKind === TargetKind.EnsembleValue ? x : J);
    }
    if (e.hasDecodedInput) matVec(e.scaledEncoders, x, J, e.n, e.d, true);
    const m = e.neuron;
    const dt = this.dtSeconds;
    switch (m.type) {
      case "lif":
        stepLif(dt, m.tauRcSeconds, m.tauRefSeconds, m.minVoltage, m.amplitude, J, e.voltage, e.refractory, e.output, e.n);
        break;
      case "spiking-relu":
        stepSpikingRelu(dt, m.amplitude, J, e.voltage, e.output, e.n);
        break;
      case "relu":
        stepRelu(m.amplitude, J, e.output, e.n);
        break;
      case "lif-rate":
        stepLifRate(m.tauRcSeconds, m.tauRefSeconds, m.amplitude, J, e.output, e.n);
        break;
    }
    this.collectActive(e);
  }

  private collectActive(e: EnsPlan): void {
    const out = e.output, active = e.active;
    let count = 0;
    for (let i = 0; i < e.n; i++) if (out[i] !== 0) active[count++] = i;
    e.activeCount = count;
  }

  /**
   * Output (Hz: spikes × amplitude/dt) and voltage arrays of an external ensemble, to be filled
   * before each step by whoever runs it (the chip emulator).
   */
  externalState(id: string): { readonly output: Float64Array; readonly voltage: Float64Array } {
    const e = this.ensembles.find((x) => x.id === id);
    if (!e || !e.external) throw new Error(`'${id}' is not an external ensemble of this simulator`);
    return { output: e.output, voltage: e.voltage };
  }

  /** Advances one step (n → n+1). */
  step(): void {
    this.n += 1;
    const t = this.n * this.dtSeconds;
    // A. stateful nodes publish their state.
    for (const p of this.statefulNodes) {
      const o = p.node.output;
      if (o.kind === "linear-system") p.output.set(p.state!);
      else if (o.kind === "delay") {
        const size = p.node.sizeIn;
        p.output.set(p.state!.subarray(p.ringPos * size, (p.ringPos + 1) * size));
      }
    }
    // B. everything else, in dependency order.
    const order = this.order;
    for (let k = 0; k < order.length; k++) {
      const o = order[k];
      if (o >= 0) this.stepEnsemble(this.ensembles[o]);
      else {
        const p = this.nodes[~o];
        if (p.node.sizeIn > 0) {
          p.input.fill(0);
          for (const c of p.incoming) this.deliver(c, p.input);
        }
        this.evalNode(p, t);
      }
    }
    // C. stateful nodes take their input.
    for (const p of this.statefulNodes) {
      p.input.fill(0);
      for (const c of p.incoming) this.deliver(c, p.input);
    }
    // D. synapses and stateful nodes update.
    const fc = this.filteredConns;
    for (let k = 0; k < fc.length; k++) {
      const c = fc[k];
      this.connectionOutput(c);
      const s = c.state, w = c.w, a = c.a, b = c.b;
      for (let r = 0; r < s.length; r++) s[r] = a * s[r] + b * w[r];
    }
    for (const p of this.statefulNodes) {
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
      }
    }
    // E. probes.
    for (const pr of this.probes) this.record(pr);
  }

  private record(pr: ProbePlan): void {
    const v = pr.value;
    switch (pr.kind) {
      case "spikes": {
        if (this.n % pr.every !== 0) return;
        const src = pr.src, ix = pr.indices;
        const row = this.n / pr.every - 1;
        let log = pr.spikeLog!, at = pr.spikeLogLength!;
        for (let i = 0; i < ix.length; i++) {
          const a = src[ix[i]];
          if (a !== 0) {
            if (at + 3 > log.length) {
              const bigger = new Int32Array(log.length * 2);
              bigger.set(log);
              log = pr.spikeLog = bigger;
            }
            log[at] = row;
            log[at + 1] = i;
            log[at + 2] = Math.round(a / pr.amplitudeOverDt);
            at += 3;
          }
        }
        pr.spikeLogLength = at;
        return;
      }
      case "decoded": {
        v.fill(0);
        const a = pr.src, W = pr.weightsT!, d = v.length;
        const e = pr.ensemble!, active = e.active;
        for (let k = 0; k < e.activeCount; k++) {
          const i = active[k];
          const ai = a[i];
          for (let r = 0; r < d; r++) v[r] += W[i * d + r] * ai;
        }
        break;
      }
      default: {
        const src = pr.src, ix = pr.indices;
        for (let i = 0; i < ix.length; i++) v[i] = src[ix[i]];
      }
    }
    const take = this.n % pr.every === 0;
    if (pr.filtered) {
      if (take) this.append(pr, pr.state);
      const s = pr.state, a = pr.a, b = pr.b;
      for (let i = 0; i < s.length; i++) s[i] = a * s[i] + b * v[i];
    } else if (take) this.append(pr, v);
  }

  private append(pr: ProbePlan, v: Float64Array): void {
    const size = v.length;
    if ((pr.rows + 1) * size > pr.data.length) {
      const bigger = new Float64Array(Math.max(pr.data.length * 2, size * 16));
      bigger.set(pr.data);
      pr.data = bigger;
    }
    pr.data.set(v, pr.rows * size);
    pr.rows += 1;
  }

  run(steps: number, onProgress?: (done: number, total: number) => void): void {
    runSteps(() => this.step(), steps, onProgress);
  }

  probeResults(): ProbeResult[] {
    return this.probes.map((pr) => ({
      id: pr.probe.id,
      attr: pr.probe.attr,
      data: pr.kind === "spikes" ? new Float64Array(0) : pr.data.slice(0, pr.rows * pr.probe.size),
      rows: pr.kind === "spikes" ? Math.floor(this.n / pr.every) : pr.rows,
      size: pr.probe.size,
      sampleEverySteps: pr.every,
      ...(pr.spikeLog ? { spikes: this.spikeRecord(pr) } : {}),
    }));
  }

  private spikeRecord(pr: ProbePlan): SpikeRecord {
    const spikeSteps: number[][] = Array.from(pr.indices, () => []);
    const spikeCounts: number[][] = Array.from(pr.indices, () => []);
    const log = pr.spikeLog!;
    for (let k = 0; k < pr.spikeLogLength!; k += 3) {
      spikeSteps[log[k + 1]].push(log[k]);
      spikeCounts[log[k + 1]].push(log[k + 2]);
    }
    return { spikeSteps, spikeCounts };
  }

  /** Read-only views of an ensemble's state after the last step (for calibration and hosts). */
  ensembleView(id: string): { readonly J: Float64Array; readonly bias: Float64Array; readonly output: Float64Array; readonly voltage: Float64Array } | undefined {
    const e = this.ensembles.find((x) => x.id === id);
    return e ? { J: e.J, bias: e.bias, output: e.output, voltage: e.voltage } : undefined;
  }

  /** Read-only view of a node's output after the last step. */
  nodeOutputView(id: string): Float64Array | undefined {
    return this.nodes.find((p) => p.node.id === id)?.output;
  }

  /** Total neuron count (for throughput reports). */
  get neuronCount(): number {
    return this.ensembles.reduce((s, e) => s + e.n, 0);
  }
}
