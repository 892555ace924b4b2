/**
 * Checks of the float simulator against Nengo's reference vectors (the format of
 * ../shared/reference, README "Tests" tables), for `lmuc verify` and the test suite alike.
 */
import { build, loadNetworkObject, simulate } from "../api.js";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { discretize, legendreReadout, lmuMatrices } from "../lmu/matrices.js";
import { mat, type Mat } from "../math/matrix.js";
import { activities, solveLstsqL2 } from "../nef/solver.js";
import { gainBias, maxRatesIntercepts, rates, type NeuronModel } from "../neurons/models.js";
import { stepLif, stepSpikingRelu } from "../neurons/step.js";
import { checkPesDelay, isPesVector } from "./reference-pes.js";

type Stored = { shape: number[]; data: number[] };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ReferenceCheck {
  readonly what: string;
  readonly pass: boolean;
  readonly detail: string;
}

export interface ReferenceResult {
  readonly kind: string;
  readonly checks: readonly ReferenceCheck[];
  readonly pass: boolean;
}

const shaped = (a: Stored): Stored => ({ shape: a.shape, data: a.data });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function within(what: string, err: number, tol: number): ReferenceCheck {
  return { what, pass: err <= tol, detail: `max abs error ${err.toExponential(2)} (tolerance ${tol})` };
}

function firstSpikeMismatch(got: number[][], want: number[][]): string | undefined {
  for (let i = 0; i < want.length; i++) {
    const a = got[i] ?? [], b = want[i];
    for (let k = 0; k < Math.max(a.length, b.length); k++) {
      if (a[k] !== b[k]) return `neuron ${i}: expected a spike at row ${b[k] ?? "none"}, got ${a[k] ?? "none"}`;
    }
  }
  return undefined;
}

function spikesIdentical(what: string, got: number[][], want: number[][]): ReferenceCheck {
  const mismatch = firstSpikeMismatch(got, want);
  const total = want.reduce((s, l) => s + l.length, 0);
  return { what, pass: !mismatch, detail: mismatch ?? `all ${total} spikes identical` };
}

/** A field of the vector that lmuc cannot honour: an error naming it, never a silent default. */
function unsupported(path: string, why: string): never {
  throw new DiagnosticError([diag("LMU1012", `reference vector field ${path}: ${why}`)]);
}

function need(x: Json, key: string, path: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (x === null || typeof x !== "object" || x[key] === undefined) unsupported(`${path}.${key}`, "missing");
  return x[key];
}

function stored(x: Json, key: string, path: string): Stored {
  const a = need(x, key, path) as Stored;
  if (!Array.isArray(a.shape) || !Array.isArray(a.data)) unsupported(`${path}.${key}`, "expected an array {shape, data}");
  return shaped(a);
}

function positive(x: Json, key: string, path: string): number {
  const v = need(x, key, path);
  if (typeof v !== "number" || !(v > 0)) unsupported(`${path}.${key}`, `expected a positive number, got ${JSON.stringify(v)}`);
  return v;
}

/** A Nengo synapse as lmuc's network format writes it: {Lowpass: τ} → τ, null → null (none). */
function synapseOf(x: Json, key: string, path: string): number | null {
  const s = need(x, key, path);
  if (s === null) return null;
  const kinds = typeof s === "object" ? Object.keys(s) : [];
  if (kinds.length !== 1 || kinds[0] !== "Lowpass") unsupported(`${path}.${key}`, `${JSON.stringify(s)} is not a synapse lmuc simulates (Lowpass or null)`);
  if (typeof s.Lowpass !== "number" || !(s.Lowpass >= 0)) unsupported(`${path}.${key}.Lowpass`, `expected a time constant ≥ 0 s, got ${JSON.stringify(s.Lowpass)}`);
  return s.Lowpass;
}

/** A decoded connection's function: only identity is stored in the network vectors. */
function identityOnly(x: Json, path: string): void {
  if (x.function !== undefined && x.function !== "identity") unsupported(`${path}.function`, `'${String(x.function)}' is not a function lmuc can rebuild here (identity)`);
}

const NEURON_FIELDS: Record<string, { type: string; fields: readonly string[] }> = {
  LIF: { type: "lif", fields: ["tau_rc", "tau_ref", "min_voltage", "amplitude"] },
  LIFRate: { type: "lif-rate", fields: ["tau_rc", "tau_ref", "amplitude"] },
  RectifiedLinear: { type: "relu", fields: ["amplitude"] },
  SpikingRectifiedLinear: { type: "spiking-relu", fields: ["amplitude"] },
};

/** A Nengo neuron type → the network format's `neuron`, every parameter from the file. */
function neuronSpec(n: Json, path: string): Record<string, unknown> {
  const known = NEURON_FIELDS[n?.type as string];
  if (!known) unsupported(`${path}.type`, `'${String(n?.type)}' is not a neuron type lmuc simulates (${Object.keys(NEURON_FIELDS).join(", ")})`);
  const extra = Object.keys(n).filter((k) => k !== "type" && !known.fields.includes(k));
  if (extra.length > 0) unsupported(`${path}.${extra[0]}`, `${n.type} neurons in lmuc have no parameter '${extra[0]}' (they take ${known.fields.join(", ")})`);
  const spec: Record<string, unknown> = { type: known.type };
  for (const f of known.fields) {
    if (typeof n[f] !== "number") unsupported(`${path}.${f}`, "missing (Nengo's default is not assumed)");
    spec[f] = n[f];
  }
  return spec;
}

/** The spiking types start from a drawn voltage in Nengo: a vector must store it to be reproduced. */
function initialVoltage(x: Json, path: string, neuron: Record<string, unknown>): Record<string, unknown> {
  if (x.initial_voltage !== undefined) return { initial_voltage: stored(x, "initial_voltage", path) };
  if (neuron.type === "lif" || neuron.type === "spiking-relu") unsupported(`${path}.initial_voltage`, "missing: a spiking ensemble's initial voltages are drawn at random and must be stored");
  return {};
}

/** The memory network of net-lmu-memory.json with one variant, built from the file's fields only. */
export function lmuMemoryNetwork(ref: Json, variant: Json, storedDecoders: boolean, index = 0): object {
  const ens = need(ref, "ensemble", "");
  const vpath = `variants[${index}]`;
  const neuron = neuronSpec(need(variant, "neuron", vpath), `${vpath}.neuron`);
  const input = need(ref, "input_connection", "");
  const recurrent = need(ref, "recurrent_connection", "");
  const probe = need(ref, "probe", "");
  identityOnly(recurrent, "recurrent_connection");
  const decoders = storedDecoders ? { decoders: stored(variant, "decoders", vpath) } : {};
  const probeSynapse = synapseOf(probe, "synapse", "probe");
  return {
    name: `net-lmu-memory-${String(variant.name)}`,
    dt: positive(ref, "dt", ""),
    nodes: { input: { output: { kind: "data", values: stored(need(ref, "input", ""), "u", "input") } } },
    ensembles: {
      ens: {
        n_neurons: need(ens, "n_neurons", "ensemble"), dimensions: need(ens, "dimensions", "ensemble"), radius: positive(ens, "radius", "ensemble"), neuron,
        encoders: stored(ens, "encoders", "ensemble"), gain: stored(variant, "gain", vpath), bias: stored(variant, "bias", vpath), eval_points: stored(ens, "eval_points", "ensemble"),
        ...initialVoltage(variant, vpath, neuron),
      },
    },
    connections: [
      { from: "input", to: "ens", transform: stored(input, "transform", "input_connection"), synapse: synapseOf(input, "synapse", "input_connection") },
      { from: "ens", to: "ens", transform: stored(recurrent, "transform", "recurrent_connection"), synapse: synapseOf(recurrent, "synapse", "recurrent_connection"), solver: { reg: need(need(recurrent, "solver", "recurrent_connection"), "reg", "recurrent_connection.solver") }, ...decoders },
    ],
    probes: {
      decoded: { target: "ens", ...(probeSynapse === null ? {} : { synapse: probeSynapse }), ...(storedDecoders ? decoders : { solver: { reg: need(need(probe, "solver", "probe"), "reg", "probe.solver") } }) },
      spikes: { target: "ens.neurons", attr: neuron.type === "lif" || neuron.type === "spiking-relu" ? "spikes" : "output" },
    },
  };
}

/** The delay network of net-delay.json with its stored weights, built from the file's fields only. */
export function delayNetwork(ref: Json): object {
  const ens = need(ref, "ensemble", "");
  const neuron = neuronSpec(need(ens, "neuron", "ensemble"), "ensemble.neuron");
  const input = need(ref, "input_connection", "");
  const recurrent = need(ref, "recurrent_connection", "");
  const readout = need(ref, "readout_connection", "");
  const probe = need(ref, "probe", "");
  identityOnly(recurrent, "recurrent_connection");
  identityOnly(readout, "readout_connection");
  const probeSynapse = synapseOf(probe, "synapse", "probe");
  const decoders = stored(ref, "decoders", "");
  return {
    dt: positive(ref, "dt", ""),
    nodes: { input: { output: { kind: "data", values: stored(need(ref, "input", ""), "u", "input") } }, readout: { size_in: need(ref, "readout_C", "").shape?.[0] ?? 1 } },
    ensembles: {
      ens: {
        n_neurons: need(ens, "n_neurons", "ensemble"), dimensions: need(ens, "dimensions", "ensemble"), radius: positive(ens, "radius", "ensemble"), neuron,
        encoders: stored(ens, "encoders", "ensemble"), gain: stored(ens, "gain", "ensemble"), bias: stored(ens, "bias", "ensemble"), eval_points: stored(ens, "eval_points", "ensemble"),
        ...initialVoltage(ens, "ensemble", neuron),
      },
    },
    connections: [
      { from: "input", to: "ens", transform: stored(input, "transform", "input_connection"), synapse: synapseOf(input, "synapse", "input_connection") },
      { from: "ens", to: "ens", transform: stored(recurrent, "transform", "recurrent_connection"), synapse: synapseOf(recurrent, "synapse", "recurrent_connection"), decoders },
      { from: "ens", to: "readout", transform: stored(readout, "transform", "readout_connection"), synapse: synapseOf(readout, "synapse", "readout_connection"), decoders },
    ],
    probes: { out: { target: "readout", ...(probeSynapse === null ? {} : { synapse: probeSynapse }) } },
  };
}

function runProbes(network: object, steps: number) {
  return Object.fromEntries(simulate(build(loadNetworkObject(network, "<reference>")), steps).probes.map((p) => [p.id, p]));
}

function checkLifSpiking(ref: Json): ReferenceCheck[] {
  const checks: ReferenceCheck[] = [];
  for (const [ci, c] of (ref.cases as Json[]).entries()) {
    const n = c.n_neurons as number, steps = c.n_steps as number, dt = c.dt as number;
    const model = neuronOf(c.neuron, `cases[${ci}].neuron`);
    if (model.type !== "lif" && model.type !== "spiking-relu") unsupported(`cases[${ci}].neuron.type`, `${String(c.neuron.type)} does not spike; lif-spiking cases are LIF or SpikingRectifiedLinear`);
    const v = Float64Array.from(c.initial_voltage.data as number[]);
    const r = new Float64Array(n), out = new Float64Array(n), J = new Float64Array(n);
    let spikeErr: string | undefined;
    let vErr = 0;
    for (let k = 0; k < steps; k++) {
      for (let i = 0; i < n; i++) J[i] = c.J.data[k * n + i];
      if (model.type === "lif") stepLif(dt, model.tauRcSeconds, model.tauRefSeconds, model.minVoltage, model.amplitude, J, v, r, out, n);
      else stepSpikingRelu(dt, model.amplitude, J, v, out, n);
      for (let i = 0; i < n; i++) {
        const count = Math.round((out[i] * dt) / model.amplitude);
        if (!spikeErr && count !== c.spike_counts_per_step.data[k * n + i]) spikeErr = `row ${k}, neuron ${i}: expected ${c.spike_counts_per_step.data[k * n + i]} spikes, got ${count}`;
        vErr = Math.max(vErr, Math.abs(v[i] - c.voltage.data[k * n + i]));
      }
    }
    checks.push({ what: `${c.name}: spike counts`, pass: !spikeErr, detail: spikeErr ?? `identical over ${steps} steps × ${n} neurons` });
    checks.push(within(`${c.name}: voltage`, vErr, 1e-9));
  }
  return checks;
}

function checkLmuMemory(ref: Json): ReferenceCheck[] {
  const steps = ref.n_steps as number;
  const checks: ReferenceCheck[] = [];
  for (const [i, variant] of (ref.variants as Json[]).entries()) {
    const p = runProbes(lmuMemoryNetwork(ref, variant, true, i), steps);
    checks.push(within(`${variant.name}: decoded probe (stored decoders)`, maxAbsDiff(p.decoded.data, variant.probe_decoded.data), 1e-9));
    if (variant.spike_steps) checks.push(spikesIdentical(`${variant.name}: spike trains`, p.spikes.spikes!.spikeSteps, variant.spike_steps));
  }
  return checks;
}

function checkDelay(ref: Json): ReferenceCheck[] {
  const p = runProbes(delayNetwork(ref), ref.n_steps as number);
  return [within("readout output (stored weights)", maxAbsDiff(p.out.data, ref.output.data), 1e-9)];
}

const toMat = (a: Stored): Mat => mat(a.shape[0], a.shape.length > 1 ? a.shape[1] : 1, a.data);

/** Largest per-element |x − ref| / (rel·|ref| + abs) — within tolerance when ≤ 1. */
function worstRatio(x: ArrayLike<number>, ref: ArrayLike<number>, rel: number, abs: number): number {
  if (x.length !== ref.length) return Infinity;
  let w = 0;
  for (let i = 0; i < x.length; i++) w = Math.max(w, Math.abs(x[i] - ref[i]) / (rel * Math.abs(ref[i]) + abs));
  return w;
}

function relToMax(what: string, x: ArrayLike<number>, ref: ArrayLike<number>, rel: number): ReferenceCheck {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]));
  const err = maxAbsDiff(x, ref);
  return { what, pass: err <= rel * m, detail: `max error ${err.toExponential(2)} (tolerance ${rel} × max |ref| = ${(rel * m).toExponential(2)})` };
}

function perElement(what: string, x: ArrayLike<number>, ref: ArrayLike<number>, rel: number, abs: number): ReferenceCheck {
  const w = worstRatio(x, ref, rel, abs);
  return { what, pass: w <= 1, detail: `worst error at ${(100 * w).toFixed(3)}% of the tolerance (${rel}·|ref| + ${abs})` };
}

/** A Nengo neuron type for the unit checks; an unknown type is an error naming `path`. */
function neuronOf(n: Json, path: string): NeuronModel {
  const spec = neuronSpec(n, path) as Record<string, number> & { type: string };
  switch (spec.type) {
    case "lif":
      return { type: "lif", tauRcSeconds: spec.tau_rc, tauRefSeconds: spec.tau_ref, minVoltage: spec.min_voltage, amplitude: spec.amplitude };
    case "lif-rate":
      return { type: "lif-rate", tauRcSeconds: spec.tau_rc, tauRefSeconds: spec.tau_ref, amplitude: spec.amplitude };
    case "relu":
      return { type: "relu", amplitude: spec.amplitude };
    default:
      return { type: "spiking-relu", amplitude: spec.amplitude };
  }
}

function checkLmuMatrices(ref: Json): ReferenceCheck[] {
  const checks: ReferenceCheck[] = [];
  for (const sys of ref.systems as Json[]) {
    const name = `order ${sys.order}, theta ${sys.theta}`;
    const { A, B } = lmuMatrices(sys.order, sys.theta);
    checks.push(relToMax(`${name}: A`, A.data, sys.A.data, 1e-15), relToMax(`${name}: B`, B.data, sys.B.data, 1e-15));
    for (const disc of sys.discretizations as Json[]) {
      const zoh = discretize(A, B, disc.dt, "zoh");
      const euler = discretize(A, B, disc.dt, "euler");
      checks.push(within(`${name}: ZOH Ad`, maxAbsDiff(zoh.Ad.data, disc.zoh.Ad.data), 1e-12), within(`${name}: ZOH Bd`, maxAbsDiff(zoh.Bd.data, disc.zoh.Bd.data), 1e-12));
      checks.push(within(`${name}: Euler Ad`, maxAbsDiff(euler.Ad.data, disc.euler.Ad.data), 1e-15), within(`${name}: Euler Bd`, maxAbsDiff(euler.Bd.data, disc.euler.Bd.data), 1e-15));
    }
    let cErr = 0;
    for (const ro of sys.legendre_readout as Json[]) cErr = Math.max(cErr, maxAbsDiff(legendreReadout(sys.order, ro.r), ro.C.data));
    checks.push(within(`${name}: Legendre readouts C(r)`, cErr, 1e-12));
  }
  return checks;
}

function checkNeuronTuning(ref: Json): ReferenceCheck[] {
  const checks: ReferenceCheck[] = [];
  const maxRates = Float64Array.from(ref.max_rates.data as number[]);
  const intercepts = Float64Array.from(ref.intercepts.data as number[]);
  for (const t of ref.types as Json[]) {
    const m = neuronOf(t.neuron, `types[${(ref.types as Json[]).indexOf(t)}].neuron`);
    const { gain, bias } = gainBias(m, maxRates, intercepts);
    checks.push(perElement(`${t.name}: gain`, gain, t.gain.data, 1e-12, 1e-12), perElement(`${t.name}: bias`, bias, t.bias.data, 1e-12, 1e-12));
    const inv = maxRatesIntercepts(m, Float64Array.from(t.gain.data as number[]), Float64Array.from(t.bias.data as number[]));
    checks.push(perElement(`${t.name}: max rates from gain/bias`, inv.maxRatesHz, t.max_rates_from_gain_bias.data, 1e-9, 1e-9));
    checks.push(perElement(`${t.name}: intercepts from gain/bias`, inv.intercepts, t.intercepts_from_gain_bias.data, 1e-9, 1e-9));
    const xs = t.tuning_x.data as number[];
    const n = gain.length;
    const J = new Float64Array(xs.length * n);
    xs.forEach((x, r) => {
      for (let i = 0; i < n; i++) J[r * n + i] = t.gain.data[i] * x + t.bias.data[i];
    });
    checks.push(perElement(`${t.name}: tuning curves`, rates(m, J), t.tuning_rates_hz.data, 1e-9, 1e-9));
    checks.push(perElement(`${t.name}: rates at explicit J`, rates(m, Float64Array.from(t.J.data as number[])), t.rates_of_J_hz.data, 1e-9, 1e-9));
  }
  return checks;
}

function checkDecoders(ref: Json): ReferenceCheck[] {
  const checks: ReferenceCheck[] = [];
  for (const [i, c] of (ref.cases as Json[]).entries()) {
    const m = neuronOf(c.neuron, `cases[${i}].neuron`);
    const A = activities(m, toMat(c.eval_points), toMat(c.encoders), Float64Array.from(c.gain.data as number[]), Float64Array.from(c.bias.data as number[]), c.radius);
    checks.push(relToMax(`${c.name}: activities`, A.data, c.activities.data, 1e-12));
    for (const f of c.functions as Json[]) {
      const solved = solveLstsqL2(A, toMat(f.targets), c.solver.reg);
      checks.push(relToMax(`${c.name}: decoders for ${f.function}`, solved.decoders.data, f.decoders.data, 1e-8));
      checks.push(perElement(`${c.name}: rmses for ${f.function}`, solved.rmses, f.rmses.data, 1e-8, 0));
    }
  }
  return checks;
}

/** Which reference file this is, by its contents; undefined if it is none lmuc checks. */
export function referenceKind(json: unknown): string | undefined {
  const j = json as Json;
  if (typeof j !== "object" || j === null || typeof j.meta !== "object") return undefined;
  if (Array.isArray(j.cases) && j.cases[0]?.spike_counts_per_step) return "lif-spiking";
  if (Array.isArray(j.cases) && j.cases[0]?.activities && j.cases[0]?.functions) return "decoders";
  if (Array.isArray(j.systems) && j.systems[0]?.discretizations) return "lmu-matrices";
  if (Array.isArray(j.types) && j.types[0]?.tuning_rates_hz) return "neuron-tuning";
  if (isPesVector(j)) return "net-pes-delay";
  if (Array.isArray(j.variants) && j.lmu && j.ideal?.state) return "net-lmu-memory";
  if (j.readout_C && j.results?.nrmse_vs_ideal_delay !== undefined) return "net-delay";
  return undefined;
}

export function verifyReference(json: unknown): ReferenceResult {
  const kind = referenceKind(json);
  const checkers: Record<string, (j: Json) => ReferenceCheck[]> = {
    "lif-spiking": checkLifSpiking,
    "net-lmu-memory": checkLmuMemory,
    "net-delay": checkDelay,
    "net-pes-delay": checkPesDelay,
    "lmu-matrices": checkLmuMatrices,
    "neuron-tuning": checkNeuronTuning,
    decoders: checkDecoders,
  };
  const checks = kind ? checkers[kind](json as Json) : [];
  return { kind: kind ?? "unknown", checks, pass: checks.length > 0 && checks.every((c) => c.pass) };
}
