/**
 * net-pes-delay (../shared/reference/README.md): Nengo's PES on a decoded connection, checked
 * with the README's comparisons. The network is built from the vector's own fields (sizes,
 * synapses, learning rate, gate time, delays, neuron type), so other vectors of the format work.
 */
import { build, loadNetworkObject } from "../api.js";
import type { BuiltNetwork } from "../ir/built.js";
import type { NetworkIR } from "../ir/network.js";
import { discretize, lmuMatrices } from "../lmu/matrices.js";
import { mat } from "../math/matrix.js";
import { activities, solveLstsqL2 } from "../nef/solver.js";
import type { NeuronModel } from "../neurons/models.js";
import { Simulator, type ProbeResult } from "../sim/simulator.js";
import { lowpassCoefficients } from "../sim/synapse.js";
import type { ReferenceCheck } from "./reference.js";

type Stored = { shape: number[]; data: number[] };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The learned connection's IR id in pesNetwork (the third connection). */
const LEARNED = "c1";

export function isPesVector(j: Json): boolean {
  return Array.isArray(j.variants) && j.learned_connection?.learning_rule !== undefined && j.target?.values !== undefined;
}

const shaped = (a: Stored): Stored => ({ shape: a.shape, data: a.data });

/** Nengo's synapse description ({Lowpass: τ} or null) in the network format. */
function synapseOf(s: Json | null | undefined): number | null {
  if (s === null || s === undefined) return null;
  if (typeof s.Lowpass === "number") return s.Lowpass;
  throw new Error(`unsupported synapse ${JSON.stringify(s)} (the format has Lowpass only)`);
}

function neuronOf(n: Json): object {
  if (n.type === "LIF") return { type: "lif", tau_rc: n.tau_rc, tau_ref: n.tau_ref, min_voltage: n.min_voltage ?? 0, amplitude: n.amplitude ?? 1 };
  if (n.type === "SpikingRectifiedLinear") return { type: "spiking-relu", amplitude: n.amplitude ?? 1 };
  throw new Error(`unsupported neuron type ${String(n.type)}`);
}

/**
 * The vector's network in the network format: the stored LMU output m feeds the ensemble; the
 * learned connection starts from the stored initial decoders; the error is out − target, gated
 * off from t_off (synapse-free, as in the generator).
 */
export function pesNetwork(ref: Json, variant: Json, learningRate?: number, firstRowsOnly = false): object {
  const ens = ref.ensemble, lc = ref.learned_connection, rule = lc.learning_rule;
  const d = ref.target.values.shape[1] as number;
  const rows = (a: Stored): Stored => (firstRowsOnly ? { shape: [1, a.shape[1]], data: a.data.slice(0, a.shape[1]) } : shaped(a));
  return {
    name: `net-pes-delay-${variant.name}`,
    dt: ref.dt,
    nodes: {
      m: { output: { kind: "data", values: rows(ref.lmu_node.output) } },
      target: { output: { kind: "data", values: rows(ref.target.values) } },
      out: { size_in: d },
      err: { size_in: d, until: ref.error_gate.t_off },
    },
    ensembles: {
      ens: {
        n_neurons: ens.n_neurons, dimensions: ens.dimensions, radius: ens.radius, neuron: neuronOf(variant.neuron),
        encoders: shaped(ens.encoders), gain: shaped(variant.gain), bias: shaped(variant.bias), initial_voltage: shaped(variant.initial_voltage),
        // The decoders are given, so eval points are never used (checkInitialDecoders solves on the stored ones).
        n_eval_points: 1,
      },
    },
    connections: [
      { from: "m", to: "ens", synapse: synapseOf(ref.input_connection.synapse) },
      {
        id: "learned", from: "ens", to: "out", function: { zero: d }, decoders: shaped(variant.initial_decoders), synapse: synapseOf(lc.synapse),
        learning_rule: { pes: { learning_rate: learningRate ?? rule.learning_rate, pre_synapse: synapseOf(rule.pre_synapse) } },
      },
      { from: "out", to: "err", synapse: null },
      { from: "target", to: "err", transform: -1, synapse: null },
      { from: "err", to: "learned.learning", synapse: null },
    ],
    probes: { out: "out", err: "err", spikes: { target: "ens.neurons", attr: "spikes" } },
  };
}

/**
 * The network through the frontend with one-row data nodes, then given the full series: the
 * frontend (JSON → YAML text → checks) would spend seconds on 70,000 numbers it only copies.
 */
export function pesNetworkIR(ref: Json, variant: Json, learningRate?: number): NetworkIR {
  const net = loadNetworkObject(pesNetwork(ref, variant, learningRate, true), "<net-pes-delay>");
  const full: Record<string, Stored> = { m: ref.lmu_node.output, target: ref.target.values };
  return {
    ...net,
    nodes: net.nodes.map((n) => {
      const a = full[n.id];
      if (!a || n.output.kind !== "data") return n;
      return { ...n, output: { ...n.output, values: mat(a.shape[0], a.shape[1], a.data) } };
    }),
  };
}

interface PesRun {
  readonly probes: Record<string, ProbeResult>;
  /** Per checkpoint: W (d × n) used in step rows[c]+1, and s_pre after that step. */
  readonly decoders: Float64Array[];
  readonly preFiltered: Float64Array[];
}

/** Runs the whole vector, stopping at each checkpoint row to read the learned state. */
export function runPes(built: BuiltNetwork, steps: number, rows: readonly number[]): PesRun {
  const sim = new Simulator(built, { expectedSteps: steps });
  const decoders: Float64Array[] = [], preFiltered: Float64Array[] = [];
  for (const row of rows) {
    sim.run(row - sim.stepCount);
    decoders.push(sim.learnedState(LEARNED)!.weights);
    sim.step();
    preFiltered.push(sim.learnedState(LEARNED)!.preFiltered);
  }
  sim.run(steps - sim.stepCount);
  return { probes: Object.fromEntries(sim.probeResults().map((p) => [p.id, p])), decoders, preFiltered };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const within = (what: string, err: number, tol: number): ReferenceCheck => ({ what, pass: err <= tol, detail: `max abs error ${err.toExponential(2)} (tolerance ${tol.toExponential(2)})` });

/** NRMSE over rows [from, to) of d-column data. */
export function nrmseRows(y: ArrayLike<number>, ideal: ArrayLike<number>, d: number, from: number, to: number): number {
  let num = 0, den = 0;
  for (let k = from * d; k < to * d; k++) {
    num += (y[k] - ideal[k]) ** 2;
    den += ideal[k] ** 2;
  }
  return Math.sqrt(num / den);
}

function spikeCheck(what: string, got: number[][], want: number[][]): ReferenceCheck {
  for (let i = 0; i < want.length; i++) {
    const a = got[i] ?? [], b = want[i];
    for (let k = 0; k < Math.max(a.length, b.length); k++) {
      if (a[k] !== b[k]) return { what, pass: false, detail: `neuron ${i}: expected a spike at row ${b[k] ?? "none"}, got ${a[k] ?? "none"}` };
    }
  }
  return { what, pass: true, detail: `all ${want.reduce((s, l) => s + l.length, 0)} spikes identical` };
}

/** Shared checks: coefficients, our own LMU recurrence, the delay node vs the stored target. */
function checkInputs(ref: Json): ReferenceCheck[] {
  const checks: ReferenceCheck[] = [];
  const dt = ref.dt as number;
  const coef = (what: string, s: Json, a: number, b: number): void => {
    const c = lowpassCoefficients(synapseOf(s) ?? 0, dt);
    checks.push(within(`${what} Lowpass a, b`, Math.max(Math.abs(c.a - a), Math.abs(c.b - b)), 1e-15));
  };
  coef("input synapse", ref.input_connection.synapse, ref.input_connection.a, ref.input_connection.b);
  coef("learned synapse", ref.learned_connection.synapse, ref.learned_connection.a, ref.learned_connection.b);
  const rule = ref.learned_connection.learning_rule;
  coef("PES pre-synapse", rule.pre_synapse, rule.pre_a, rule.pre_b);
  const n = ref.ensemble.n_neurons as number;
  checks.push({ what: "PES alpha = −κ·dt/n", pass: (-rule.learning_rate * dt) / n === rule.alpha, detail: `${(-rule.learning_rate * dt) / n} vs stored ${rule.alpha}` });
  // Our own ZOH LMU recurrence on the stored input.
  const q = ref.lmu.order as number, N = ref.n_steps as number, u = ref.input.u.data as number[];
  const { A, B } = lmuMatrices(q, ref.lmu.theta);
  const { Ad, Bd } = discretize(A, B, dt, "zoh");
  const m = new Float64Array(q), next = new Float64Array(q);
  let mErr = 0;
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < q; i++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += Ad.data[i * q + j] * m[j];
      next[i] = s + Bd.data[i] * u[k];
    }
    m.set(next);
    for (let i = 0; i < q; i++) mErr = Math.max(mErr, Math.abs(m[i] - ref.lmu_node.output.data[k * q + i]));
  }
  checks.push(within("own LMU recurrence m vs lmu_node.output", mErr, 1e-12));
  checks.push(checkDelayNodes(ref));
  return checks;
}

/** Each target column through a `delay` node (the seed's IdealDelay) and a synapse-0 connection. */
function checkDelayNodes(ref: Json): ReferenceCheck {
  const N = ref.n_steps as number, d = ref.target.values.shape[1] as number;
  const delays = ref.target.delays_seconds as number[], lags = ref.target.lag_rows as number[];
  const nodes: Json = { u: { output: { kind: "data", values: [0] } }, sink: { size_in: d } };
  const connections: Json[] = [];
  for (let j = 0; j < d; j++) {
    nodes[`delay${j}`] = { size_in: 1, delay: delays[j] };
    connections.push({ from: "u", to: `delay${j}`, synapse: null }, { from: `delay${j}`, to: `sink[${j}]`, synapse: 0 });
  }
  const net = loadNetworkObject({ dt: ref.dt, nodes, connections, probes: { sink: "sink" } }, "<net-pes-delay target>");
  const u = ref.input.u.data as number[];
  // The input series is set after the frontend (see pesNetworkIR).
  const withU = { ...net, nodes: net.nodes.map((n) => (n.id === "u" && n.output.kind === "data" ? { ...n, output: { ...n.output, values: mat(u.length, 1, u) } } : n)) };
  const sim = new Simulator(build(withU), { expectedSteps: N });
  sim.run(N);
  const got = sim.probeResults()[0].data;
  const want = ref.target.values.data as number[];
  let firstOk = true;
  for (let j = 0; j < d; j++) {
    let first = -1;
    for (let k = 0; k < N && first < 0; k++) if (want[k * d + j] !== 0) first = k;
    if (first !== lags[j] || want[first * d + j] !== ref.input.u.data[0]) firstOk = false;
  }
  const err = maxAbsDiff(got, want);
  return { what: "delay nodes (delay: delays_seconds, then synapse 0) vs target.values", pass: err === 0 && firstOk, detail: `max abs error ${err}; first non-zero rows ${firstOk ? "= lag_rows, equal to u[0]" : "differ from lag_rows"}` };
}

function checkVariant(ref: Json, v: Json): ReferenceCheck[] {
  const name = v.name as string, N = ref.n_steps as number, d = ref.target.values.shape[1] as number;
  const cp = v.checkpoints, rows = cp.rows as number[], offRow = ref.error_gate.first_off_row as number;
  const run = runPes(build(pesNetworkIR(ref, v)), N, rows);
  const checks: ReferenceCheck[] = [spikeCheck(`${name}: spike trains`, run.probes.spikes.spikes!.spikeSteps, v.spike_steps)];
  checks.push(within(`${name}: output`, maxAbsDiff(run.probes.out.data, v.output.data), 1e-9));
  checks.push(within(`${name}: error`, maxAbsDiff(run.probes.err.data, v.error.data), 1e-9));
  const nPre = ref.ensemble.n_neurons as number, per = nPre * d;
  let decWorst = 0, preWorst = 0;
  rows.forEach((_, c) => {
    // Stored [n, d]; ours W is [d, n].
    const want = cp.decoders.data.slice(c * per, (c + 1) * per) as number[];
    const got = new Float64Array(per);
    for (let i = 0; i < nPre; i++) for (let r = 0; r < d; r++) got[i * d + r] = run.decoders[c][r * nPre + i];
    decWorst = Math.max(decWorst, maxAbsDiff(got, want) / maxAbs(want));
    const wantPre = cp.pre_filtered.data.slice(c * nPre, (c + 1) * nPre) as number[];
    preWorst = Math.max(preWorst, maxAbsDiff(run.preFiltered[c], wantPre) / maxAbs(wantPre));
  });
  checks.push({ what: `${name}: checkpoint decoders`, pass: decWorst <= 1e-9, detail: `worst relative error ${decWorst.toExponential(2)} (tolerance 1e-9 × max |ref|)` });
  checks.push({ what: `${name}: checkpoint PES pre-filter`, pass: preWorst <= 1e-12, detail: `worst relative error ${preWorst.toExponential(2)} (tolerance 1e-12 × max |ref|)` });
  checks.push(...gateChecks(name, run, rows, offRow, d, N));
  checks.push(...resultChecks(ref, v, run.probes.out.data));
  return checks;
}

/** Learning off: the error is exactly 0, and the decoders stop changing, from first_off_row on. */
function gateChecks(name: string, run: PesRun, rows: readonly number[], offRow: number, d: number, N: number): ReferenceCheck[] {
  const err = run.probes.err.data;
  let nonZero = 0;
  for (let k = offRow * d; k < N * d; k++) if (err[k] !== 0) nonZero++;
  const after = rows.map((r, c) => ({ r, c })).filter((x) => x.r >= offRow);
  const frozen = after.every((x) => maxAbsDiff(run.decoders[x.c], run.decoders[after[0].c]) === 0);
  return [
    { what: `${name}: error after the gate`, pass: nonZero === 0, detail: `${nonZero} non-zero entries from row ${offRow}` },
    { what: `${name}: decoders frozen after the gate`, pass: frozen, detail: `${after.length} checkpoints after row ${offRow} ${frozen ? "are identical" : "differ"}` },
  ];
}

function resultChecks(ref: Json, v: Json, out: Float64Array): ReferenceCheck[] {
  const N = ref.n_steps as number, d = ref.target.values.shape[1] as number, y = ref.target.values.data as number[];
  const offRow = ref.error_gate.first_off_row as number, perSecond = Math.round(1 / ref.dt);
  const ours: Record<string, number | number[]> = {
    nrmse_first_20pct: nrmseRows(out, y, d, 0, Math.floor(0.2 * N)),
    nrmse_last_20pct: nrmseRows(out, y, d, Math.floor(0.8 * N), N),
    nrmse_learning_on: nrmseRows(out, y, d, 0, offRow),
    nrmse_learning_off: nrmseRows(out, y, d, offRow, N),
    nrmse_per_second: Array.from({ length: Math.floor(N / perSecond) }, (_, s) => nrmseRows(out, y, d, s * perSecond, (s + 1) * perSecond)),
  };
  // The untrained output: the same network with a zero learning rate.
  const untrained = runPes(build(pesNetworkIR(ref, v, 0)), N, []).probes.out.data;
  ours.nrmse_initial_decoders_last_20pct = nrmseRows(untrained, y, d, Math.floor(0.8 * N), N);
  const checks: ReferenceCheck[] = [];
  for (const [key, value] of Object.entries(ours)) {
    const want = v.results[key];
    if (want === undefined) continue;
    const a = Array.isArray(value) ? value : [value], b = Array.isArray(want) ? (want as number[]) : [want as number];
    let worst = a.length === b.length ? 0 : Infinity;
    for (let i = 0; i < Math.min(a.length, b.length); i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
    checks.push({ what: `${v.name}: results.${key}`, pass: worst <= 1e-9, detail: `${a.map((x) => x.toFixed(4)).join(", ")} (relative error ${worst.toExponential(2)}, tolerance 1e-9)` });
  }
  const first = ours.nrmse_first_20pct as number, last = ours.nrmse_last_20pct as number;
  checks.push({ what: `${v.name}: learning converges`, pass: last < 0.5 * first, detail: `NRMSE ${first.toFixed(3)} (first 20%) → ${last.toFixed(3)} (last 20%, learning off)` });
  return checks;
}

/** With `function_readout_C`, our LstsqL2 solve of the initial decoders against the stored ones (rel 1e-8); zero otherwise. */
function checkInitialDecoders(ref: Json, v: Json): ReferenceCheck {
  const ens = ref.ensemble, C = ref.learned_connection.function_readout_C as Stored | null;
  const P = mat(ens.eval_points.shape[0], ens.eval_points.shape[1], ens.eval_points.data);
  const E = mat(ens.encoders.shape[0], ens.encoders.shape[1], ens.encoders.data);
  const neuron = neuronModel(v.neuron);
  const A = activities(neuron, P, E, Float64Array.from(v.gain.data as number[]), Float64Array.from(v.bias.data as number[]), ens.radius);
  const d = v.initial_decoders.shape[1] as number;
  const Y = mat(P.rows, d);
  if (C) {
    for (let k = 0; k < P.rows; k++) for (let r = 0; r < d; r++) {
      let s = 0;
      for (let j = 0; j < P.cols; j++) s += C.data[r * P.cols + j] * P.data[k * P.cols + j];
      Y.data[k * d + r] = s;
    }
  }
  const D = solveLstsqL2(A, Y, ref.learned_connection.solver.reg).decoders;
  const want = v.initial_decoders.data as number[];
  const err = maxAbsDiff(D.data, want), scale = maxAbs(want);
  return { what: `${v.name}: initial decoders (own LstsqL2 solve)`, pass: scale === 0 ? err === 0 : err <= 1e-8 * scale, detail: `max abs error ${err.toExponential(2)}${scale === 0 ? " (all zero)" : ` (tolerance 1e-8 × ${scale.toExponential(2)})`}` };
}

function neuronModel(n: Json): NeuronModel {
  if (n.type === "LIF") return { type: "lif", tauRcSeconds: n.tau_rc, tauRefSeconds: n.tau_ref, minVoltage: n.min_voltage ?? 0, amplitude: n.amplitude ?? 1 };
  return { type: "spiking-relu", amplitude: n.amplitude ?? 1 };
}

export function checkPesDelay(ref: Json): ReferenceCheck[] {
  const checks = checkInputs(ref);
  for (const v of ref.variants as Json[]) checks.push(checkInitialDecoders(ref, v), ...checkVariant(ref, v));
  return checks;
}
