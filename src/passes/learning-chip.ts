/**
 * PES learned connections on the chip (hardware-model.md §6.1): after partition, each learned
 * connection from a chip ensemble becomes a learning core of its own (a learning core holds only
 * learning synapse groups) with
 *  - one input axon per pre neuron, fed by an output axon of the neuron's compartment, each a
 *    dense row of 2·d learned weights (the first d carry +decoders, the rest −decoders);
 *  - 2·d non-spiking readout compartments: u filters the weighted spikes with the connection's
 *    synapse, v = u (vmin −2^23 + 1, so both halves stay linear and the value is (v+ − v−)/2σ);
 *  - a learning group: traces, epochs, rate and error scaling from learning-params.ts.
 * On the host, the learned connection becomes a connection from the readout (an external
 * ensemble whose output the runner fills with v/σ) to the connection's post, and its error
 * connections feed a passthrough node `<id>/error`, the group's error channel: the runner writes
 * clip(rne(errorScale·e)) into the chip's error register from it every step (§6.3).
 *
 * Connections the chip cannot learn are refused here with a located LMU3103; a learning rate the
 * registers cannot hold is a warning (LMU3102) with what to change.
 */
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BuiltConnection, BuiltEnsemble, BuiltNetwork, BuiltErrorConnection } from "../ir/built.js";
import type { ChipConfig, CoreConfig, LearningGroupConfig } from "../ir/core.js";
import type { BlockPlacement, NeuronPlacement } from "../ir/host.js";
import type { NodeIR } from "../ir/network.js";
import { mat } from "../math/matrix.js";
import type { CoreUsage } from "../partition/report.js";
import { Simulator } from "../sim/simulator.js";
import { denseRowBits } from "../target/cost.js";
import type { Target } from "../target/types.js";
import { chooseLearning, type LearningChoice } from "./learning-params.js";
import { decayRegisters } from "./quantize.js";

/** What report.json says about one learned connection. */
export interface LearningReport extends LearningChoice {
  readonly connection: string;
  readonly pre: string;
  readonly post: string;
  readonly dims: number;
  readonly preNeurons: number;
  /** The learning core, and the host node whose value is the error (the group's channel). */
  readonly core: number;
  readonly errorChannel: string;
  readonly readout: string;
  /** Calibration: peak |error| and mean rate of the active pre neurons. */
  readonly errorPeak: number;
  readonly meanActiveRateHz: number;
}

interface LearnedPlan {
  readonly conn: BuiltConnection;
  readonly pre: BuiltEnsemble;
  readonly errors: readonly BuiltErrorConnection[];
  readonly choice: LearningChoice;
  readonly readoutDecayU: number;
  readonly errorPeak: number;
  readonly meanActiveRateHz: number;
}

const errorNodeId = (c: string): string => `${c}/error`;
const readoutId = (c: string): string => `${c}/readout`;

/** Learned connections of `built` (with their error connections) that read chip ensembles. */
function learnedOnChip(built: BuiltNetwork, onChip: (e: BuiltEnsemble) => boolean): { conn: BuiltConnection; pre: BuiltEnsemble; errors: BuiltErrorConnection[] }[] {
  const out: { conn: BuiltConnection; pre: BuiltEnsemble; errors: BuiltErrorConnection[] }[] = [];
  for (const c of built.connections) {
    if (!c.learning || c.source.kind !== "neurons") continue;
    const pre = built.ensembles.find((e) => e.id === c.source.id)!;
    if (!onChip(pre)) continue;
    out.push({ conn: c, pre, errors: (built.errorConnections ?? []).filter((e) => e.target.id === c.id) });
  }
  return out;
}

function refusals(conn: BuiltConnection, pre: BuiltEnsemble, target: Target, dtSeconds: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = `learned connection '${conn.id}' (${pre.id} → ${conn.target.id})`;
  if (!target.learning) out.push(diag("LMU3103", `${at}: target '${target.name}' has no learning engine`, conn.origin));
  if (conn.target.kind !== "node") out.push(diag("LMU3103", `${at}: the chip learns into readout compartments the host reads, so the post must be a node; connect to a passthrough node and from there to '${conn.target.id}'`, conn.origin));
  const preSynapse = conn.learning!.preSynapse;
  if (preSynapse.kind !== "lowpass") out.push(diag("LMU3103", `${at}: the chip's pre-synaptic trace is a lowpass filter; give pre_synapse a time constant (Nengo's default is 0.005)`, conn.origin));
  else if (target.learning && Math.round(preSynapse.tauSeconds / dtSeconds) > 2 ** target.learning.traceTauBits - 1) {
    out.push(diag("LMU3103", `${at}: pre_synapse ${preSynapse.tauSeconds} s is more steps than the trace's ${target.learning.traceTauBits}-bit time constant holds (${2 ** target.learning.traceTauBits - 1})`, conn.origin));
  }
  if (pre.nNeurons > target.limits.inputAxonsPerCore) out.push(diag("LMU3103", `${at}: ${pre.nNeurons} pre neurons need as many input axons on one learning core, the target has ${target.limits.inputAxonsPerCore}; learn from a smaller ensemble`, conn.origin));
  if (2 * conn.weights.rows > target.limits.compartmentsPerCore) out.push(diag("LMU3103", `${at}: ${conn.weights.rows} dimensions need ${2 * conn.weights.rows} readout compartments on one core`, conn.origin));
  return out;
}

/**
 * A float run of the network (its calibration length) that records each learned connection's
 * error (through a copy of its error connections into a probe node) and its pre neurons' rates.
 */
function calibrateLearning(built: BuiltNetwork, learned: readonly { conn: BuiltConnection; pre: BuiltEnsemble; errors: BuiltErrorConnection[] }[], steps: number): { errorPeak: number; rateSumHz: number; meanActiveRateHz: number }[] {
  const nodes: NodeIR[] = learned.map(({ conn }) => ({ id: errorNodeId(conn.id), sizeIn: conn.weights.rows, sizeOut: conn.weights.rows, output: { kind: "passthrough" }, role: "user" }));
  const copies: BuiltConnection[] = learned.flatMap(({ conn, errors }) => errors.map((e) => ({ ...e, id: `${e.id}/calibrate`, target: { kind: "node" as const, id: errorNodeId(conn.id), indices: e.target.indices } })));
  const sim = new Simulator({ ...built, nodes: [...built.nodes, ...nodes], connections: [...built.connections, ...copies], probes: [] }, { expectedSteps: 16 });
  const views = learned.map(({ conn, pre }) => ({ error: sim.nodeOutputView(errorNodeId(conn.id))!, output: sim.ensembleView(pre.id)!.output, spikes: new Float64Array(pre.nNeurons), peak: 0 }));
  for (let n = 0; n < steps; n++) {
    sim.step();
    for (const v of views) {
      for (let j = 0; j < v.error.length; j++) v.peak = Math.max(v.peak, Math.abs(v.error[j]));
      for (let i = 0; i < v.output.length; i++) if (v.output[i] !== 0) v.spikes[i]++;
    }
  }
  const seconds = Math.max(1, steps) * built.dtSeconds;
  return views.map((v) => {
    const rates = Array.from(v.spikes, (s) => s / seconds);
    const active = rates.filter((r) => r > 0);
    return { errorPeak: v.peak, rateSumHz: rates.reduce((a, b) => a + b, 0), meanActiveRateHz: active.length ? active.reduce((a, b) => a + b, 0) / active.length : 0 };
  });
}

/**
 * Chooses every learned connection's registers. Throws LMU3103 for a connection the chip cannot
 * learn; `warnings` gets LMU3102 (rate) and LMU3104 (pre-synapse not a whole number of steps).
 */
export function planLearning(built: BuiltNetwork, target: Target, calibrationSteps: number, onChip: (e: BuiltEnsemble) => boolean, warnings: Diagnostic[]): LearnedPlan[] {
  const learned = learnedOnChip(built, onChip);
  if (learned.length === 0) return [];
  const refused = learned.flatMap(({ conn, pre }) => refusals(conn, pre, target, built.dtSeconds));
  if (refused.length > 0) throw new DiagnosticError(refused);
  const dt = built.dtSeconds;
  const cal = calibrateLearning(built, learned, calibrationSteps);
  return learned.map(({ conn, pre, errors }, k) => {
    const rule = conn.learning!;
    const tauSteps = (rule.preSynapse as { tauSeconds: number }).tauSeconds / dt;
    const traceTauSteps = Math.max(1, Math.round(tauSteps));
    if (Math.abs(traceTauSteps - tauSteps) > 1e-6 * tauSteps) {
      warnings.push(diag("LMU3104", `learned connection '${conn.id}': pre_synapse ${tauSteps * dt} s is ${tauSteps.toPrecision(4)} steps; the chip's trace uses ${traceTauSteps}. Give a multiple of dt = ${dt} s to match the float rule`, conn.origin));
    }
    const readoutDecayU = conn.synapse.kind === "lowpass" && conn.synapse.tauSeconds > 0 ? decayRegisters(-Math.expm1(-dt / conn.synapse.tauSeconds), 0).decayU : 4095;
    let initialDecoderMax = 0;
    for (const w of conn.weights.data) initialDecoderMax = Math.max(initialDecoderMax, Math.abs(w));
    const choice = chooseLearning(
      { learningRate: rule.learningRate, nPre: pre.nNeurons, dtSeconds: dt, traceTauSteps, errorPeak: cal[k].errorPeak, rateSumHz: cal[k].rateSumHz, meanActiveRateHz: cal[k].meanActiveRateHz, initialDecoderMax, readoutGain: 4096 / (readoutDecayU + 1) },
      target.learning!,
    );
    if (choice.rateProblem) warnings.push(diag("LMU3102", `learned connection '${conn.id}': ${choice.rateProblem}`, conn.origin));
    if (cal[k].errorPeak === 0) warnings.push(diag("LMU3105", `learned connection '${conn.id}': its error was 0 throughout the ${calibrationSteps * dt} s calibration run, so its range is assumed to be ±1`, conn.origin));
    return { conn, pre, errors, choice, readoutDecayU, errorPeak: cal[k].errorPeak, meanActiveRateHz: cal[k].meanActiveRateHz };
  });
}

/** The stored weight field of decoder value w on the choice's lattice (Wgt = 2·L, |L| ≤ 127). */
function latticeField(w: number, c: LearningChoice): number {
  const L = Math.max(-127, Math.min(127, Math.round(w / c.decoderUnit)));
  return L === 0 ? 0 : 2 * L;
}

function learningCore(plan: LearnedPlan, index: number, chipOf: number): CoreConfig {
  const { conn, pre, choice: c } = plan;
  const d = conn.weights.rows, n = pre.nNeurons, width = 2 * d;
  const W = conn.weights; // d × n: W = T·Dᵀ
  const rows = Array.from({ length: n }, (_, i) => {
    const weights = new Int32Array(width);
    for (let r = 0; r < d; r++) {
      const f = latticeField(W.data[r * n + i], c);
      weights[r] = f;
      weights[d + r] = -f;
    }
    return { offsets: Int32Array.from({ length: width }, (_, j) => j), weights };
  });
  const group: LearningGroupConfig = {
    label: conn.id, firstAxon: 0, nAxons: n, readoutStart: 0, dims: d, errorChannel: errorNodeId(conn.id), errorScale: c.errorScale, errorMax: c.errorMax,
    profile: { traceEpochSteps: c.traceEpochSteps, learnEpochExp: c.learnEpochExp, traceTauSteps: c.traceTauSteps, traceDecay: c.traceDecay, traceMagInt: c.traceMagInt, traceMagFrac: c.traceMagFrac, lrMant: c.lrMant, lrExp: c.lrExp },
  };
  return {
    index, chip: chipOf, blocks: [{ label: readoutId(conn.id), start: 0, count: width, source: `learned readout of ${conn.id} (PES)`, ...(conn.origin ? { origin: conn.origin } : {}) }],
    nCompartments: width, vmin: -(2 ** 23) + 1, vmax: 2 ** 23 - 1,
    // v = u every step (dv 4095 keeps |v|/4096 of the last one), never a spike.
    cxProfiles: [{ decayU: plan.readoutDecayU, decayV: 4095, refractDelay: 1 }], vthProfiles: [2 ** 17 - 1],
    cxProfile: new Uint8Array(width), cxVthProfile: new Uint8Array(width), biasMant: new Int32Array(width), biasExp: new Uint8Array(width),
    synapseFormats: [{ weightBits: 8, isMixed: true, weightExp: c.weightExp, compression: "dense", idxBits: 0 }],
    inputAxons: Array.from({ length: n }, (_, a) => ({ format: 0, row: a, base: 0 })),
    synapseRows: rows, outputAxons: [], learningGroups: [group],
  };
}

/** The host's view of the readout: an external ensemble whose "output" is v/σ per compartment. */
function readoutEnsemble(plan: LearnedPlan): BuiltEnsemble {
  const d = plan.conn.weights.rows, w = 2 * d;
  // Never stepped (external); gain and encoders only describe the ± halves for the verifier.
  const encoders = mat(w, d);
  for (let r = 0; r < d; r++) {
    encoders.data[r * d + r] = 1;
    encoders.data[(d + r) * d + r] = -1;
  }
  return {
    id: readoutId(plan.conn.id), nNeurons: w, dimensions: d, neuron: { type: "spiking-relu", amplitude: 1 }, radius: 1,
    gain: new Float64Array(w).fill(1), bias: new Float64Array(w), encoders, evalPoints: mat(0, d), initialVoltage: new Float64Array(w),
    role: "user", external: true, ...(plan.conn.origin ? { origin: plan.conn.origin } : {}),
  };
}

export interface LearningLowered {
  readonly chip: ChipConfig;
  readonly host: BuiltNetwork;
  /** Placements to add for the host (the readouts, read as values), and host ensembles no longer read. */
  readonly readouts: readonly NeuronPlacement[];
  readonly usage: readonly CoreUsage[];
  readonly reports: readonly LearningReport[];
}

/** Adds a learning core per plan to `chip` and rewires `host` (see the module comment). */
export function attachLearning(chip: ChipConfig, placements: readonly BlockPlacement[], host: BuiltNetwork, plans: readonly LearnedPlan[], target: Target, usage: readonly CoreUsage[]): LearningLowered {
  // Nothing learns on chip: everything as it was, byte for byte.
  if (plans.length === 0) return { chip, host, readouts: [], usage, reports: [] };
  const cores = chip.cores.map((c) => ({ ...c, outputAxons: [...c.outputAxons] }));
  const used = new Set(cores.map((c) => c.index));
  const newUsage: CoreUsage[] = usage.map((u) => ({ ...u }));
  const readouts: NeuronPlacement[] = [];
  const reports: LearningReport[] = [];
  let next = 0;
  for (const plan of plans) {
    while (used.has(next)) next++;
    const index = next;
    used.add(index);
    const chipOf = Math.floor(index / target.limits.coresPerChip);
    const core = learningCore(plan, index, chipOf);
    cores.push({ ...core, outputAxons: [] });
    const place = placements.find((p) => p.block === plan.pre.id)!;
    for (const s of place.segments) {
      const src = cores.find((c) => c.index === s.core)!;
      for (let i = 0; i < s.count; i++) src.outputAxons.push({ compartment: s.localStart + i, core: index, axon: s.neuronStart + i });
      const u = newUsage.find((x) => x.core === s.core);
      if (u) (u as { outputAxons: number }).outputAxons += s.count;
    }
    const n = plan.pre.nNeurons, width = core.nCompartments;
    newUsage.push({ core: index, chip: chipOf, compartments: width, inputAxons: n, outputAxons: 0, synapseBits: n * denseRowBits(width, target), blocks: [readoutId(plan.conn.id)] });
    readouts.push({ ensemble: readoutId(plan.conn.id), segments: [{ core: index, localStart: 0, count: width, neuronStart: 0 }], sigmaV: new Float64Array(width).fill(plan.choice.readoutScale), readsValue: true });
    reports.push({
      connection: plan.conn.id, pre: plan.pre.id, post: plan.conn.target.id, dims: plan.conn.weights.rows, preNeurons: n, core: index, errorChannel: errorNodeId(plan.conn.id), readout: readoutId(plan.conn.id),
      errorPeak: plan.errorPeak, meanActiveRateHz: plan.meanActiveRateHz, ...plan.choice,
    });
  }
  return { chip: { ...chip, cores, learningEngine: { traceBits: target.learning!.traceBits, learnFrac: target.learning!.learnFrac, overflowBits: target.learning!.overflowBits } }, host: rewireHost(host, plans), readouts, usage: newUsage, reports };
}

/** The host network with each learned connection read from its readout and its errors into `<id>/error`. */
function rewireHost(host: BuiltNetwork, plans: readonly LearnedPlan[]): BuiltNetwork {
  const learnedIds = new Set(plans.map((p) => p.conn.id));
  const connections: BuiltConnection[] = host.connections.filter((c) => !learnedIds.has(c.id));
  const nodes: NodeIR[] = [...host.nodes];
  const ensembles: BuiltEnsemble[] = [...host.ensembles];
  for (const plan of plans) {
    const { conn } = plan;
    const d = conn.weights.rows;
    ensembles.push(readoutEnsemble(plan));
    // value = (v+ − v−)/(2σ): the runner hands the host v/σ of each compartment.
    const W = mat(d, 2 * d);
    for (let r = 0; r < d; r++) {
      W.data[r * 2 * d + r] = 0.5;
      W.data[r * 2 * d + d + r] = -0.5;
    }
    const origin = conn.origin ? { origin: conn.origin } : {};
    connections.push({ id: readoutId(conn.id), source: { kind: "neurons", id: readoutId(conn.id), indices: Array.from({ length: 2 * d }, (_, i) => i) }, target: conn.target, weights: W, synapse: { kind: "none" }, ...origin });
    nodes.push({ id: errorNodeId(conn.id), sizeIn: d, sizeOut: d, output: { kind: "passthrough" }, role: "user", ...origin });
    for (const e of plan.errors) {
      const { target: t, ...rest } = e;
      connections.push({ ...rest, target: { kind: "node", id: errorNodeId(conn.id), indices: t.indices } });
    }
  }
  const errorConnections = (host.errorConnections ?? []).filter((e) => !learnedIds.has(e.target.id));
  const { errorConnections: _, ...rest } = host;
  return { ...rest, nodes, ensembles, connections, ...(errorConnections.length ? { errorConnections } : {}) };
}
