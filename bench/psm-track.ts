/**
 * How closely a trained cell's spiking conversion tracks its float run, per sequence step: the
 * hidden state h (what the readout reads) and the memory m, each read as evaluate reads the
 * logits (the mean of the last averageSteps rows of every sequence step), against the float
 * cell's h_t and m_t; NRMSE over every step and unit, and of the final h and logits alone.
 * The float simulator runs the converted network (rate or spiking neurons), so this separates
 * the conversion's mapping error (neuron relu) from spike noise — cheaply, on a prefix of one
 * sequence if asked.
 *
 *   node dist/bench/psm-track.js NET.yaml [steps] [KEY=VALUE ...]     (conversion choices as --conversion takes them)
 */
import { loadNetworkFile } from "../src/api.js";
import type { ConnectionIR, NetworkIR } from "../src/ir/network.js";
import { mat } from "../src/math/matrix.js";
import { parseConversionFlag } from "../src/frontend/conversion.js";
import { chipRateCurve } from "../src/passes/chip-rates.js";
import { averageSteps, convertCells, CONVERTED, defaultConversion, memoryRanges, type ConversionOptions } from "../src/passes/convert-cells.js";
import { runFloatPipeline } from "../src/passes/pipeline.js";
import { cellRanges } from "../src/sim/cell-ranges.js";
import { compileCellProgram, type CellProgram } from "../src/sim/cell.js";
import { Simulator } from "../src/sim/simulator.js";
import { loadInputs } from "../src/evaluate/dataset.js";

export interface Tracking {
  readonly steps: number;
  readonly K: number;
  /** NRMSE over every step and unit / dimension. */
  readonly hiddenNrmse: number;
  readonly memoryNrmse: number;
  /** Of the last step's h and logits alone. */
  readonly finalHiddenNrmse: number;
  readonly logitNrmse: number;
  /** Per quarter of the steps: h NRMSE (how the error grows along the sequence). */
  readonly hiddenByQuarter: number[];
  /** m NRMSE of the lower and upper half of the Legendre dimensions, over every step. */
  readonly memoryLowHigh: number[];
  /** m NRMSE against the float m one step earlier and one later (a misaligned step shows here). */
  readonly memoryLagged: number[];
  /** One cell step from the converted network's own h_{t−1}, m_{t−1} (its per-step error, before the loop carries it on): h and m NRMSE. */
  readonly oneStep: { hidden: number; memory: number };
  readonly seconds: number;
}

/** The float cell's h_t and m_t after every step of one sequence. */
export function floatTrajectory(p: CellProgram, x: Float64Array, steps: number): { h: Float64Array; m: Float64Array; logits: Float64Array } {
  const { hidden: H, order: q } = p;
  const hs = new Float64Array(steps * H), ms = new Float64Array(steps * q);
  let h = new Float64Array(H), m = new Float64Array(q);
  for (let t = 0; t < steps; t++) {
    let u = p.uBias + p.ex[0] * x[t];
    for (let k = 0; k < p.eh.length; k++) u += p.eh[k] * h[k];
    for (let k = 0; k < p.em.length; k++) u += p.em[k] * m[k];
    if (p.reluU && u < 0) u = 0;
    const mn = new Float64Array(q);
    for (let i = 0; i < q; i++) {
      let a = p.B[i] * u;
      for (let k = 0; k < q; k++) a += p.A[i * q + k] * m[k];
      mn[i] = a;
    }
    const hn = new Float64Array(H);
    for (let i = 0; i < H; i++) {
      let a = p.Wx[i] * x[t] + (p.hBias.length ? p.hBias[i] : 0);
      for (let k = 0; k < q; k++) a += p.Wm[i * q + k] * mn[k];
      for (let k = 0; k < p.Wh.length / H; k++) a += p.Wh[i * H + k] * h[k];
      hn[i] = p.tanh ? Math.tanh(a) : Math.max(a, 0);
    }
    h = hn;
    m = mn;
    hs.set(h, t * H);
    ms.set(m, t * q);
  }
  const logits = new Float64Array(p.outputs);
  for (let o = 0; o < p.outputs; o++) {
    let s = p.readoutBias[o];
    for (let k = 0; k < H; k++) s += p.readoutWeight[o * H + k] * h[k];
    logits[o] = s;
  }
  return { h: hs, m: ms, logits };
}

/** The cell's step t from the converted run's h_{t−1} and m_{t−1}, against the converted run's h_t and m_t. */
export function oneStepError(p: CellProgram, x: Float64Array, h: Float64Array, m: Float64Array, steps: number): { hidden: number; memory: number } {
  const { hidden: H, order: q } = p;
  const href = new Float64Array(steps * H), mref = new Float64Array(steps * q);
  for (let t = 0; t < steps; t++) {
    const hp = t > 0 ? h.subarray((t - 1) * H, t * H) : new Float64Array(H);
    const mp = t > 0 ? m.subarray((t - 1) * q, t * q) : new Float64Array(q);
    let u = p.uBias + p.ex[0] * x[t];
    for (let k = 0; k < p.eh.length; k++) u += p.eh[k] * hp[k];
    for (let k = 0; k < p.em.length; k++) u += p.em[k] * mp[k];
    if (p.reluU && u < 0) u = 0;
    for (let i = 0; i < q; i++) {
      let a = p.B[i] * u;
      for (let k = 0; k < q; k++) a += p.A[i * q + k] * mp[k];
      mref[t * q + i] = a;
    }
    for (let i = 0; i < H; i++) {
      let a = p.Wx[i] * x[t] + (p.hBias.length ? p.hBias[i] : 0);
      for (let k = 0; k < q; k++) a += p.Wm[i * q + k] * m[t * q + k];
      for (let k = 0; k < p.Wh.length / H; k++) a += p.Wh[i * H + k] * hp[k];
      href[t * H + i] = p.tanh ? Math.tanh(a) : Math.max(a, 0);
    }
  }
  return { hidden: nrmse(h, href), memory: nrmse(m, mref) };
}

function nrmse(a: Float64Array, ref: Float64Array, from = 0, to = ref.length): number {
  let se = 0, sr = 0;
  for (let i = from; i < to; i++) {
    se += (a[i] - ref[i]) ** 2;
    sr += ref[i] ** 2;
  }
  return sr > 0 ? Math.sqrt(se / sr) : 0;
}

function halves(a: Float64Array, ref: Float64Array, q: number): number[] {
  return [0, 1].map((half) => {
    let se = 0, sr = 0;
    for (let i = 0; i < ref.length; i++) {
      if ((i % q < q / 2 ? 0 : 1) !== half) continue;
      se += (a[i] - ref[i]) ** 2;
      sr += ref[i] ** 2;
    }
    return Math.sqrt(se / sr);
  });
}

/** Per sequence step, the mean of the last `avg` of its K rows of a probe's data ([steps·K, size]). */
function stepMeans(data: Float64Array, size: number, steps: number, K: number, avg: number): Float64Array {
  const out = new Float64Array(steps * size);
  for (let t = 0; t < steps; t++) {
    for (let r = (t + 1) * K - avg; r < (t + 1) * K; r++) for (let k = 0; k < size; k++) out[t * size + k] += data[r * size + k] / avg;
  }
  return out;
}

export function trackConversion(netFile: string, steps: number | undefined, conversion: Partial<ConversionOptions>, sequence = 0): Tracking {
  const t0 = performance.now();
  const net = cutLoop(loadNetworkFile(netFile));
  const program = compileCellProgram(net);
  const cell = net.cells!.find((c) => c.id === net.readouts![0].from)!;
  const data = loadInputs(cell.calibration!.inputsFile, program.inputSize);
  const n = Math.min(steps ?? data.steps, data.steps);
  const o: ConversionOptions = { ...defaultConversion(cell), ...conversion };
  const K = o.presentationSteps, avg = averageSteps(o);
  const ranges = cellRanges(program, data.x, 0, data.sequences, data.steps);
  const x = data.x.subarray(sequence * data.steps, sequence * data.steps + n);
  const xRows = mat(n * K, 1);
  for (let t = 0; t < n; t++) for (let k = 0; k < K; k++) xRows.data[t * K + k] = x[t];
  const rate = o.chipNeurons ? { rate: chipRateCurve({ type: o.neuron, amplitude: 1 }, net.dtSeconds) } : {};
  const conv = convertCells(net, { ranges, xRows, ...rate }, o);
  const withProbes = probeHiddenAndMemory(conv, o, memoryScale(ranges.memoryAbs, o.rangeMargin));
  const sim = new Simulator(runFloatPipeline(withProbes), { expectedSteps: n * K });
  for (let s = 0; s < n * K; s++) sim.step();
  const res = sim.probeResults();
  const get = (id: string) => res.find((r) => r.id === id)!;
  const h = stepMeans(get("track-h").data, program.hidden, n, K, avg);
  // Rate neurons: m at the step's last substep (an average would lag it by half the window).
  const m = stepMeans(get("track-m").data, program.order, n, K, o.neuron === "relu" ? 1 : avg);
  const lg = stepMeans(get(CONVERTED.logits).data, program.outputs, n, K, avg);
  const f = floatTrajectory(program, x, n);
  const H = program.hidden;
  const quarters = [0, 1, 2, 3].map((k) => nrmse(h, f.h, Math.floor((k * n) / 4) * H, Math.floor(((k + 1) * n) / 4) * H));
  return {
    steps: n, K,
    hiddenNrmse: nrmse(h, f.h), memoryNrmse: nrmse(m, f.m),
    finalHiddenNrmse: nrmse(h, f.h, (n - 1) * H, n * H),
    logitNrmse: nrmse(lg.subarray((n - 1) * program.outputs), f.logits),
    hiddenByQuarter: quarters,
    memoryLowHigh: halves(m, f.m, program.order),
    oneStep: oneStepError(program, x, h, m, n),
    memoryLagged: [nrmse(m.subarray(program.order), f.m.subarray(0, f.m.length - program.order)), nrmse(m.subarray(0, m.length - program.order), f.m.subarray(program.order))],
    seconds: (performance.now() - t0) / 1000,
  };
}

/** PSM_NO_LOOP=1: e_h and W_h zeroed (the memory's input is x alone), to test the memory's mapping by itself. */
function cutLoop(net: NetworkIR): NetworkIR {
  if (!process.env.PSM_NO_LOOP) return net;
  const zero = (m: { rows: number; cols: number; data: Float64Array } | undefined) => (m ? { ...m, data: new Float64Array(m.data.length) } : m);
  return { ...net, cells: net.cells!.map((c) => ({ ...c, eh: zero(c.eh), Wh: zero(c.Wh), ex: { ...c.ex, data: c.ex.data.map(() => 1) } })) };
}

/** Probes on h (as the readout reads it) and on m decoded from the memory's neurons (5 ms). */
function probeHiddenAndMemory(conv: NetworkIR, o: ConversionOptions, scale: ReturnType<typeof mat>): NetworkIR {
  const rec = conv.connections.find((c) => c.id === "memory/recurrent")!;
  const q = conv.ensembles.find((e) => e.id === CONVERTED.memory)?.dimensions;
  const none = { kind: "none" } as const;
  const probe = (id: string, target: string) => ({ id, target: { id: target, part: "value" as const, text: target }, attr: "output" as const, synapse: none, sampleEverySteps: 1, solver: { reg: 0.1, weights: false } });
  const extra: ConnectionIR[] = [];
  const nodes = [...conv.nodes];
  if (q !== undefined && rec.decoders) {
    nodes.push({ id: "track-m", sizeIn: q, sizeOut: q, output: { kind: "passthrough" }, role: "cell" });
    // No synapse with rate neurons (the rate is the value); spikes are read through the readout's.
    const synapse = o.neuron === "relu" ? none : ({ kind: "lowpass", tauSeconds: o.readoutSynapseSeconds } as const);
    extra.push({ ...rec, id: "memory/track-m", to: { id: "track-m", part: "value", text: "track-m" }, transform: { kind: "matrix", values: scale }, synapse });
  }
  return { ...conv, nodes, connections: [...conv.connections, ...extra], probes: [...conv.probes, probe("track-h", "h"), ...(extra.length ? [probe("track-m", "track-m")] : [])] };
}

/** diag(R): the memory ensemble represents m_i / R_i (convertCells' scaling). */
function memoryScale(memoryAbs: Float64Array, margin: number): ReturnType<typeof mat> {
  const R = memoryRanges(memoryAbs, margin), q = R.length;
  const d = mat(q, q);
  R.forEach((r, i) => (d.data[i * q + i] = r));
  return d;
}

if (process.argv[1]?.endsWith("psm-track.js")) {
  const [file, stepsArg, ...kv] = process.argv.slice(2);
  const conversion: Record<string, unknown> = {};
  for (const a of kv) {
    const { option, value } = parseConversionFlag(a, "psm-track");
    conversion[option] = value;
  }
  const r = trackConversion(file, stepsArg ? Number(stepsArg) : undefined, conversion as Partial<ConversionOptions>);
  console.log(JSON.stringify(r));
}
