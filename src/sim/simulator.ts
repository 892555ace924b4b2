/**
 * The float reference simulator: Nengo's step semantics (float-semantics.md §1) on a BuiltNetwork.
 *
 * Everything is laid out once in the constructor; `step()` touches only typed arrays and
 * preallocated plan records (no Map lookups, no allocation). Per step:
 *   A. stateful nodes (linear systems, delays) publish their state as output;
 *   B. every other object, in dependency order of synapse-free connections: its input is reset,
 *      synapse states (from step n−1) and synapse-free contributions (from step n) are added,
 *      then it computes its output (node function, or encode + neuron step);
 *   C. stateful nodes accumulate their input; learning rules gather their error;
 *   D. every synapse updates from this step's connection output; stateful nodes update; PES
 *      changes learned weights (pes.ts);
 *   E. probes record (filtered probes record their state before updating it).
 * Node kinds are in nodes.ts, probes in probes.ts, the plan records in plan.ts.
 */
import type { BuiltConnection, BuiltErrorConnection, BuiltNetwork } from "../ir/built.js";
import { applyFunction, functionOutputSize } from "../nef/functions.js";
import { stepLif, stepLifRate, stepRelu, stepResetIf, stepSpikingRelu } from "../neurons/step.js";
import { lowpassCoefficients } from "./synapse.js";
import { runSteps } from "../util/run-steps.js";
import { evalNode, planNode, publishStateful, updateStateful } from "./nodes.js";
import { planPes, pesUpdate, type PesPlan } from "./pes.js";
import { PackedMatVec, PackedRowSum } from "../math/blas.js";
import { idx, matVec, type ConnPlan, type EnsPlan, type NodePlan, type ProbePlan, type ProbeResult } from "./plan.js";
import { planProbe, probeResult, record } from "./probes.js";

export type { ProbeResult, SpikeRecord } from "./plan.js";

export const enum SourceKind {
  Node,
  Neurons,
}
export const enum TargetKind {
  EnsembleValue,
  Neurons,
  Node,
  /** The error input of a learned connection's rule (see pes.ts). */
  Learning,
}

/** Encoder matrices at least this large (n·d) go to the SIMD mat-vec kernel; below, copying x in and J out costs more than it saves. */
const ENCODER_KERNEL_MIN = 4096;

interface FusedNodeConns {
  /** The node whose whole output every member reads. */
  readonly source: number;
  readonly kernel: PackedMatVec;
  /** The stacked W·x: member k's rows from offsets[k]. */
  readonly out: Float64Array;
  readonly members: readonly ConnPlan[];
  readonly offsets: Int32Array;
}

/**
 * Below this many elements a loop beats a call of the typed-array builtins (set, fill): psMNIST's
 * 256 20-neuron dimension ensembles made ~2 million such calls in a compile's calibration run.
 */
const SMALL_ARRAY = 64;

function copyFrom(dst: Float64Array, src: Float64Array): void {
  const n = src.length;
  if (n > SMALL_ARRAY) dst.set(src);
  else for (let i = 0; i < n; i++) dst[i] = src[i];
}

function zero(a: Float64Array): void {
  const n = a.length;
  if (n > SMALL_ARRAY) a.fill(0);
  else for (let i = 0; i < n; i++) a[i] = 0;
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
  private filteredConns: ConnPlan[] = [];
  /** Filtered connections from one node's whole output, fused into one mat-vec (fuseNodeConnections). */
  private fused: FusedNodeConns[] = [];
  private readonly probes: ProbePlan[] = [];
  /** PES rules of learned connections, in network order, each with its error connections. */
  private readonly learning: PesPlan[] = [];
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
      this.nodes.push(planNode(node, this.dtSeconds));
    });
    network.ensembles.forEach((e, i) => {
      ensIndex.set(e.id, i);
      const n = e.nNeurons, d = e.dimensions;
      // An external ensemble's outputs and voltages are filled from outside; it has no parameters (asExternal).
      const external = e.external ?? false;
      const scaledEncoders = new Float64Array(external ? 0 : n * d);
      for (let k = 0; k < (external ? 0 : n); k++) {
        const g = e.gain[k] / e.radius;
        for (let j = 0; j < d; j++) scaledEncoders[k * d + j] = e.encoders.data[k * d + j] * g;
      }
      this.ensembles.push({
        id: e.id, n, d, x: new Float64Array(d), J: new Float64Array(n), bias: e.bias, gain: e.gain, scaledEncoders,
        encoderKernel: !external && !this.naive && d >= 4 && n * d >= ENCODER_KERNEL_MIN ? PackedMatVec.create(scaledEncoders, n, d) : null,
        output: new Float64Array(n), voltage: external ? new Float64Array(n) : Float64Array.from(e.initialVoltage), refractory: new Float64Array(n),
        neuron: e.neuron, incoming: [], hasDecodedInput: false, active: new Int32Array(n), activeCount: 0, external,
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
    this.planLearning(nodeIndex, ensIndex);
    if (!this.naive) this.fuseNodeConnections(new Set(network.connections.filter((c) => c.learning).map((c) => c.id)));
    for (const p of this.nodes) if (p.stateful) this.statefulNodes.push(p);
    this.order = this.evaluationOrder();
    const nodeOf = (id: string): NodePlan => this.nodes[nodeIndex.get(id)!];
    const ensOf = (id: string): EnsPlan => this.ensembles[ensIndex.get(id)!];
    for (const p of network.probes) this.probes.push(planProbe(p, nodeOf, ensOf, this.dtSeconds, this.capacityRows));
  }

  /**
   * Filtered connections that read one node's whole output (no function) with the same synapse
   * are computed as one stacked mat-vec: psMNIST's host memory feeds each of its 256 dimension
   * ensembles through a 1 × 256 lowpass connection, 256 small products and loops a step. Each
   * member's rows get the same sums in the same order on the kernel as on its own (PackedMatVec
   * and matVec both sum a row from 0 in column order), and its state the same update.
   */
  private fuseNodeConnections(learned: ReadonlySet<string>): void {
    const groups = new Map<string, ConnPlan[]>();
    for (const c of this.filteredConns) {
      if (c.sourceKind !== SourceKind.Node || !c.identitySource || c.fn || learned.has(c.id) || c.dIn < 4) continue;
      const key = `${c.source}/${c.a}/${c.b}`;
      const list = groups.get(key);
      if (list) list.push(c);
      else groups.set(key, [c]);
    }
    const fusedPlans = new Set<ConnPlan>();
    for (const members of groups.values()) {
      const dIn = members[0].dIn;
      let rows = 0;
      for (const m of members) rows += m.dOut;
      if (members.length < 2 || rows * dIn < ENCODER_KERNEL_MIN) continue;
      const stacked = new Float64Array(rows * dIn), offsets = new Int32Array(members.length);
      let at = 0;
      members.forEach((m, k) => {
        offsets[k] = at;
        stacked.set(m.weights.subarray(0, m.dOut * dIn), at * dIn);
        at += m.dOut;
      });
      const kernel = PackedMatVec.create(stacked, rows, dIn);
      if (kernel === null) continue;
      this.fused.push({ source: members[0].source, kernel, out: new Float64Array(rows), members, offsets });
      for (const m of members) fusedPlans.add(m);
    }
    if (fusedPlans.size > 0) this.filteredConns = this.filteredConns.filter((c) => !fusedPlans.has(c));
  }

  /** How many filtered connections run fused (tests check that fusion took part). */
  fusedConnections(): number {
    return this.fused.reduce((n, f) => n + f.members.length, 0);
  }

  /** PES rules on learned connections, and the error connections that feed them. */
  private planLearning(nodeIndex: Map<string, number>, ensIndex: Map<string, number>): void {
    const learnIndex = new Map<string, number>();
    this.network.connections.forEach((c, k) => {
      if (!c.learning) return;
      learnIndex.set(c.id, this.learning.length);
      this.learning.push(planPes(this.conns[k], this.ensembles[this.conns[k].source], c.learning, this.dtSeconds));
    });
    for (const c of this.network.errorConnections ?? []) {
      const plan = this.planConnection(c, nodeIndex, ensIndex, learnIndex);
      if (plan.filtered) this.filteredConns.push(plan);
      this.learning[plan.target].incoming.push(plan);
    }
  }

  private planConnection(c: BuiltConnection | BuiltErrorConnection, nodeIndex: Map<string, number>, ensIndex: Map<string, number>, learnIndex?: Map<string, number>): ConnPlan {
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
    const targetKind = t.kind === "ensemble" ? TargetKind.EnsembleValue : t.kind === "neurons" ? TargetKind.Neurons : t.kind === "learning" ? TargetKind.Learning : TargetKind.Node;
    const target = t.kind === "node" ? nodeIndex.get(t.id)! : t.kind === "learning" ? learnIndex!.get(t.id)! : ensIndex.get(t.id)!;
    // (Into an external ensemble nothing is delivered: the chip computes its input.)
    const targetGain = t.kind === "neurons" && t.gainScaled && !this.network.ensembles[target].external ? this.network.ensembles[target].gain : undefined;
    const coef = c.synapse.kind === "lowpass" ? lowpassCoefficients(c.synapse.tauSeconds, this.dtSeconds) : { a: 0, b: 1 };
    const srcSize = src.kind === "node" ? this.network.nodes[source].sizeOut : this.network.ensembles[source].nNeurons;
    const identitySource = nSrcIdx === srcSize && src.indices.every((v, i) => v === i);
    return {
      id: c.id, sourceKind, source, sourceIndices: idx(src.indices), identitySource, fn,
      fnIn: new Float64Array(nSrcIdx), fnOut: new Float64Array(fn ? functionOutputSize(fn, nSrcIdx) : nSrcIdx),
      dOut, dIn, weights, targetKind, target, targetIndices: idx(t.indices), targetGain,
      // Learned weights change in place, so only fixed ones get a packed copy.
      eventKernel: sourceKind === SourceKind.Neurons && identitySource && !this.naive && !("learning" in c && c.learning) && dOut >= 8 && dIn * dOut >= ENCODER_KERNEL_MIN ? PackedRowSum.create(weights, dIn, dOut) : null,
      nodeKernel: sourceKind === SourceKind.Node && !this.naive && !("learning" in c && c.learning) && dIn >= 4 && dIn * dOut >= ENCODER_KERNEL_MIN ? PackedMatVec.create(weights, dOut, dIn) : null,
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
      if (c.filtered || c.targetKind === TargetKind.Learning) continue;
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
    zero(w);
    if (c.sourceKind === SourceKind.Neurons) {
      const src = this.ensembles[c.source];
      const a = src.output;
      const W = c.weights;
      if (c.identitySource && !this.naive) {
        // Event-driven: only neurons that fired (or have non-zero rate), in ascending order as the
        // dense loop would visit them, so the sums are bit-identical.
        const active = src.active;
        if (c.eventKernel !== null) {
          c.eventKernel.sum(active, src.activeCount, a, w);
          return;
        }
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
    // A whole node's output without a function is read where it is (no gather: psMNIST's host
    // memory feeds each of its 256 dimension ensembles from all 256 values every step).
    if (c.identitySource && !c.fn) {
      if (c.nodeKernel !== null) c.nodeKernel.apply(out, w, false);
      else matVec(c.weights, out, w, dOut, c.dIn, false);
      return;
    }
    const sidx = c.sourceIndices;
    const fin = c.fnIn;
    for (let i = 0; i < sidx.length; i++) fin[i] = out[sidx[i]];
    let x = fin;
    if (c.fn) {
      applyFunction(c.fn, fin, 0, fin.length, c.fnOut, 0);
      x = c.fnOut;
    }
    if (c.nodeKernel !== null) c.nodeKernel.apply(x, w, false);
    else matVec(c.weights, x, w, dOut, c.dIn, false);
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

  private stepEnsemble(e: EnsPlan): void {
    if (e.external) {
      this.collectActive(e);
      return;
    }
    const J = e.J;
    copyFrom(J, e.bias);
    const x = e.x;
    const inc = e.incoming;
    if (e.hasDecodedInput) zero(x);
    for (let k = 0; k < inc.length; k++) {
      const c = inc[k];
      this.deliver(c, c.targetKind === TargetKind.EnsembleValue ? x : J);
    }
    if (e.hasDecodedInput) {
      if (e.encoderKernel !== null) e.encoderKernel.apply(x, J, true);
      else matVec(e.scaledEncoders, x, J, e.n, e.d, true);
    }
    const m = e.neuron;
    const dt = this.dtSeconds;
    switch (m.type) {
      case "lif": {
        // A LIF neuron's output is non-zero exactly when it spiked (for a non-zero amplitude):
        // the step lists them as it goes, and the scan of every output is skipped.
        const spiked = stepLif(dt, m.tauRcSeconds, m.tauRefSeconds, m.minVoltage, m.amplitude, J, e.voltage, e.refractory, e.output, e.n, 0, undefined, e.active);
        if (m.amplitude / dt !== 0) {
          e.activeCount = spiked;
          return;
        }
        break;
      }
      case "spiking-relu":
        if (m.resetToZero) stepResetIf(dt, m.amplitude, J, e.voltage, e.output, e.n);
        else stepSpikingRelu(dt, m.amplitude, J, e.voltage, e.output, e.n);
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
    const stateful = this.statefulNodes;
    for (let k = 0; k < stateful.length; k++) publishStateful(stateful[k]);
    // B. everything else, in dependency order.
    const order = this.order;
    for (let k = 0; k < order.length; k++) {
      const o = order[k];
      if (o >= 0) this.stepEnsemble(this.ensembles[o]);
      else {
        const p = this.nodes[~o];
        if (p.node.sizeIn > 0) {
          zero(p.input);
          for (const c of p.incoming) this.deliver(c, p.input);
        }
        evalNode(p, t, this.n);
      }
    }
    // C. stateful nodes take their input; learning rules take their error (before synapses move on).
    for (const p of stateful) {
      zero(p.input);
      for (const c of p.incoming) this.deliver(c, p.input);
    }
    const learning = this.learning;
    for (let k = 0; k < learning.length; k++) {
      const r = learning[k];
      zero(r.error);
      for (const c of r.incoming) this.deliver(c, r.error);
    }
    // D. synapses and stateful nodes update.
    const fc = this.filteredConns;
    for (let k = 0; k < fc.length; k++) {
      const c = fc[k];
      this.connectionOutput(c);
      const s = c.state, w = c.w, a = c.a, b = c.b;
      for (let r = 0; r < s.length; r++) s[r] = a * s[r] + b * w[r];
    }
    // Their order among the filtered connections does not matter: each updates its own state
    // from outputs this phase does not change.
    const fused = this.fused;
    for (let k = 0; k < fused.length; k++) {
      const f = fused[k];
      f.kernel.apply(this.nodes[f.source].output, f.out, false);
      const out = f.out, members = f.members;
      for (let m = 0; m < members.length; m++) {
        const c = members[m], s = c.state, a = c.a, b = c.b, off = f.offsets[m];
        for (let r = 0; r < s.length; r++) s[r] = a * s[r] + b * out[off + r];
      }
    }
    for (let k = 0; k < stateful.length; k++) updateStateful(stateful[k]);
    // D'. learned weights change after this step's connection output (used from step n+1).
    for (let k = 0; k < learning.length; k++) pesUpdate(learning[k]);
    // E. probes.
    const probes = this.probes;
    for (let k = 0; k < probes.length; k++) record(probes[k], this.n);
  }

  run(steps: number, onProgress?: (done: number, total: number) => void): void {
    runSteps(() => this.step(), steps, onProgress);
  }

  probeResults(): ProbeResult[] {
    return this.probes.map((pr) => probeResult(pr, this.n));
  }

  /**
   * A learned connection's current weights (d_out × n, row-major: W = decodersᵀ, the ones the
   * next step uses) and its PES pre-synaptic filter state after the last step, copied.
   */
  learnedState(connectionId: string): { readonly weights: Float64Array; readonly preFiltered: Float64Array } | undefined {
    const p = this.learning.find((r) => r.id === connectionId);
    if (!p) return undefined;
    const d = p.conn.dOut, nPre = p.pre.n, Wt = p.conn.weights;
    const weights = new Float64Array(d * nPre);
    for (let i = 0; i < nPre; i++) for (let r = 0; r < d; r++) weights[r * nPre + i] = Wt[i * d + r];
    return { weights, preFiltered: Float64Array.from(p.preFiltered) };
  }

  /** Read-only views of an ensemble's state after the last step (for calibration and hosts). */
  ensembleView(id: string): { readonly J: Float64Array; readonly bias: Float64Array; readonly output: Float64Array; readonly voltage: Float64Array } | undefined {
    const e = this.ensembles.find((x) => x.id === id);
    return e ? { J: e.J, bias: e.bias, output: e.output, voltage: e.voltage } : undefined;
  }

  /**
   * The neurons with non-zero output in the last step, ascending: indices[0 .. count()). Lets a
   * reader of every step (calibration) visit the ~5% that spiked instead of scanning all of them.
   */
  activeNeurons(id: string): { readonly indices: Int32Array; count(): number } | undefined {
    const e = this.ensembles.find((x) => x.id === id);
    return e ? { indices: e.active, count: () => e.activeCount } : undefined;
  }

  /** Read-only view of a node's output after the last step. */
  nodeOutputView(id: string): Float64Array | undefined {
    return this.nodes.find((p) => p.node.id === id)?.output;
  }

  /**
   * Read-only view of a node-source connection's W·f(x) of the last step (what its synapse took
   * in), or undefined where a step does not compute it (a connection into an external ensemble,
   * which the chip runs). Calibration reads its peaks here instead of computing the product again.
   */
  connectionOutputView(id: string): Float64Array | undefined {
    for (const f of this.fused) {
      const k = f.members.findIndex((c) => c.id === id);
      if (k >= 0) return f.out.subarray(f.offsets[k], f.offsets[k] + f.members[k].dOut);
    }
    const c = this.conns.find((x) => x.id === id);
    if (!c || c.sourceKind !== SourceKind.Node) return undefined;
    if (!c.filtered && (c.targetKind === TargetKind.EnsembleValue || c.targetKind === TargetKind.Neurons) && this.ensembles[c.target].external) return undefined;
    return c.w;
  }

  /** Total neuron count (for throughput reports). */
  get neuronCount(): number {
    return this.ensembles.reduce((s, e) => s + e.n, 0);
  }
}
