/**
 * pytorch-lmu state dicts → an lmuc network with a trained cell. Recognises `LMU`/`LMUCell`
 * (keys `*e_x, e_h, e_m, W_x, W_h, W_m, A, B`) and `LMUFFT` (`*W_u.*, W_h.*, A, B`), plus one
 * `Linear` readout (`*.weight, *.bias`). The tensors keep their PyTorch names in the network
 * file so a user can check them against the model; the frontend turns both kinds into one IR.
 * θ is not in a state dict: it is recovered by matching the stored A and B against the ZOH
 * discretization of the LMU system (dt = 1 step), or given by the user.
 */
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { lmuZohMismatch, ZOH_STORAGE_MATCH } from "../lmu/matrices.js";
import type { TorchStateDict, TorchTensor } from "./torch.js";

export interface ImportedTensor {
  /** Name in the network file (and of its .npy file). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float64Array;
  /** float32 storages stay float32 on disk (exact); everything else is written as float64. */
  readonly float32: boolean;
}

export interface ImportedModel {
  readonly kind: "lmu" | "lmu-fft";
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly order: number;
  readonly thetaSteps: number;
  /** How θ was found, for the user. */
  readonly thetaNote: string;
  readonly classes: number;
  readonly nonlinearity: "tanh" | "relu";
  /** Cell tensors then readout tensors, in file order. */
  readonly cell: readonly ImportedTensor[];
  readonly readout: readonly ImportedTensor[];
  readonly sourceKeys: Readonly<Record<string, string>>;
}

function fail(code: DiagnosticCode, message: string): never {
  throw new DiagnosticError([diag(code, message)]);
}

function inferTheta(A: TorchTensor, B: TorchTensor, order: number, given: number | undefined, file: string): { thetaSteps: number; note: string } {
  if (given !== undefined) {
    const miss = lmuZohMismatch(A, B, order, given);
    return { thetaSteps: given, note: miss <= ZOH_STORAGE_MATCH ? `theta ${given} steps (given; matches the stored A and B to ${miss.toExponential(1)})` : `theta ${given} steps (given; the stored A and B differ from its ZOH discretization by up to ${miss.toExponential(2)}, they are used as stored)` };
  }
  // B_d[0] ≈ 1/θ for the Legendre system; search whole steps around that estimate.
  const estimate = 1 / Math.max(B.data[0], 1e-12);
  const centre = Math.round(estimate);
  let best = { thetaSteps: 0, miss: Infinity };
  // Nearest first: a ZOH of a psMNIST-size system costs ~0.5 s, and the estimate is usually exact.
  for (const k of [0, 1, -1, 2, -2, 3, -3, 4, -4]) {
    const t = centre + k;
    if (t < 1) continue;
    const miss = lmuZohMismatch(A, B, order, t);
    if (miss < best.miss) best = { thetaSteps: t, miss };
    if (best.miss <= ZOH_STORAGE_MATCH) break;
  }
  if (best.miss > ZOH_STORAGE_MATCH) {
    fail("LMU7010", `${file}: the stored A and B are not the ZOH discretization of an order-${order} LMU for any whole θ near ${estimate.toFixed(1)} steps (closest ${best.thetaSteps}: off by ${best.miss.toExponential(2)}); give θ with --theta-steps`);
  }
  return { thetaSteps: best.thetaSteps, note: `theta ${best.thetaSteps} steps (recovered: the stored A and B match its ZOH discretization to ${best.miss.toExponential(1)})` };
}

class Keys {
  readonly used = new Set<string>();
  constructor(readonly sd: TorchStateDict) {}

  get(key: string, expected: readonly number[], meaning: string): TorchTensor {
    const t = this.sd.tensors.get(key);
    if (!t) {
      const known = [...this.sd.tensors.keys()];
      return fail("LMU7010", `${this.sd.file}: the state dict has no '${key}' (${meaning}, shape [${expected.join(", ")}]); it has ${known.join(", ")}`);
    }
    const flat = t.shape.length === 1 && expected.length === 1;
    const ok = t.shape.length === expected.length && t.shape.every((s, i) => s === expected[i]);
    if (!ok && !flat) fail("LMU7011", `${this.sd.file}: '${key}' has shape [${t.shape.join(", ")}], expected [${expected.join(", ")}] (${meaning})`);
    if (!ok) fail("LMU7011", `${this.sd.file}: '${key}' has ${t.shape[0]} values, expected ${expected[0]} (${meaning})`);
    if (t.dtype !== "float32" && t.dtype !== "float64" && t.dtype !== "float16") fail("LMU7003", `${this.sd.file}: '${key}' is ${t.dtype}; a weight must be float32, float64 or float16`);
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) fail("LMU7011", `${this.sd.file}: '${key}' holds a non-finite value at flat index ${i}`);
    }
    this.used.add(key);
    return t;
  }

  dims(key: string, rank: number, meaning: string): readonly number[] {
    const t = this.sd.tensors.get(key);
    if (!t) return fail("LMU7010", `${this.sd.file}: the state dict has no '${key}' (${meaning})`);
    if (t.shape.length !== rank) fail("LMU7011", `${this.sd.file}: '${key}' has shape [${t.shape.join(", ")}], expected ${rank} dimensions (${meaning})`);
    return t.shape;
  }
}

function tensor(name: string, t: TorchTensor): ImportedTensor {
  return { name, shape: t.shape, data: t.data, float32: t.dtype === "float32" };
}

function findPrefix(sd: TorchStateDict, suffix: string): string | undefined {
  for (const k of sd.tensors.keys()) if (k === suffix || k.endsWith(`.${suffix}`)) return k.slice(0, k.length - suffix.length);
  return undefined;
}

function mapReadout(keys: Keys, cellPrefix: string, hidden: number): { tensors: ImportedTensor[]; classes: number; prefix: string } {
  const sd = keys.sd;
  const candidates = [...sd.tensors.keys()].filter((k) => k.endsWith("weight") && !k.startsWith(cellPrefix) && sd.tensors.has(`${k.slice(0, -"weight".length)}bias`));
  if (candidates.length === 0) fail("LMU7010", `${sd.file}: no Linear readout found: expected '<name>.weight' [classes, ${hidden}] and '<name>.bias' [classes] outside the LMU's '${cellPrefix}*' keys`);
  if (candidates.length > 1) fail("LMU7010", `${sd.file}: more than one Linear layer after the LMU (${candidates.join(", ")}); lmuc imports an LMU with one Linear readout`);
  const prefix = candidates[0].slice(0, -"weight".length);
  const [classes] = keys.dims(`${prefix}weight`, 2, "the readout's weight");
  const weight = keys.get(`${prefix}weight`, [classes, hidden], "readout weight: classes × hidden_size");
  const bias = keys.get(`${prefix}bias`, [classes], "readout bias: one per class");
  return { tensors: [tensor("weight", weight), tensor("bias", bias)], classes, prefix };
}

function finish(keys: Keys, model: Omit<ImportedModel, "sourceKeys">, names: Record<string, string>): ImportedModel {
  const extra = [...keys.sd.tensors.keys()].filter((k) => !keys.used.has(k) && !(k.endsWith(".H") || k === "H"));
  if (extra.length > 0) fail("LMU7010", `${keys.sd.file}: keys ${extra.map((k) => `'${k}'`).join(", ")} belong to no part of an LMU with a Linear readout; lmuc cannot place them`);
  return { ...model, sourceKeys: names };
}

/** Recognise the model in a state dict and check every tensor's shape. */
export function mapLmuStateDict(sd: TorchStateDict, opts: { thetaSteps?: number } = {}): ImportedModel {
  const keys = new Keys(sd);
  const lmuPrefix = findPrefix(sd, "e_x");
  const fftPrefix = findPrefix(sd, "W_u.weight");
  if (lmuPrefix !== undefined) {
    const p = lmuPrefix;
    const [order] = keys.dims(`${p}A`, 2, "the memory's state matrix");
    const [, d] = keys.dims(`${p}e_x`, 2, "the memory's input encoder");
    const [hidden] = keys.dims(`${p}W_h`, 2, "the hidden recurrent kernel");
    const A = keys.get(`${p}A`, [order, order], "discretized A: memory_size × memory_size");
    const B = keys.get(`${p}B`, [order, 1], "discretized B: memory_size × 1");
    const names: Record<string, string> = {};
    const cell: ImportedTensor[] = [tensor("A", A), tensor("B", B)];
    const spec: [string, number[], string][] = [
      ["e_x", [1, d], "memory encoder of the input: 1 × input_size"],
      ["e_h", [1, hidden], "memory encoder of the hidden state: 1 × hidden_size"],
      ["e_m", [1, order], "memory encoder of the memory: 1 × memory_size"],
      ["W_x", [hidden, d], "hidden kernel of the input: hidden_size × input_size"],
      ["W_h", [hidden, hidden], "hidden recurrent kernel: hidden_size × hidden_size"],
      ["W_m", [hidden, order], "hidden kernel of the memory: hidden_size × memory_size"],
    ];
    for (const [name, shape, meaning] of spec) {
      cell.push(tensor(name, keys.get(`${p}${name}`, shape, meaning)));
      names[name] = `${p}${name}`;
    }
    names.A = `${p}A`;
    names.B = `${p}B`;
    const theta = inferTheta(A, B, order, opts.thetaSteps, sd.file);
    const readout = mapReadout(keys, p, hidden);
    names.weight = `${readout.prefix}weight`;
    names.bias = `${readout.prefix}bias`;
    return finish(keys, { kind: "lmu", inputSize: d, hiddenSize: hidden, order, thetaSteps: theta.thetaSteps, thetaNote: theta.note, classes: readout.classes, nonlinearity: "tanh", cell, readout: readout.tensors }, names);
  }
  if (fftPrefix !== undefined) {
    const p = fftPrefix;
    const [order] = keys.dims(`${p}A`, 2, "the memory's state matrix");
    const [, d] = keys.dims(`${p}W_u.weight`, 2, "the memory's input layer");
    const [hidden] = keys.dims(`${p}W_h.weight`, 2, "the hidden layer");
    const A = keys.get(`${p}A`, [order, order], "discretized A: memory_size × memory_size");
    const B = keys.get(`${p}B`, [order, 1], "discretized B: memory_size × 1");
    const wu = keys.get(`${p}W_u.weight`, [1, d], "W_u weight: 1 × input_size");
    const bu = keys.get(`${p}W_u.bias`, [1], "W_u bias: 1 value");
    const wh = keys.get(`${p}W_h.weight`, [hidden, order + d], "W_h weight on [m; x]: hidden_size × (memory_size + input_size)");
    const bh = keys.get(`${p}W_h.bias`, [hidden], "W_h bias: hidden_size values");
    const theta = inferTheta(A, B, order, opts.thetaSteps, sd.file);
    const readout = mapReadout(keys, p, hidden);
    const names = { A: `${p}A`, B: `${p}B`, W_u: `${p}W_u.weight`, b_u: `${p}W_u.bias`, W_h: `${p}W_h.weight`, b_h: `${p}W_h.bias`, weight: `${readout.prefix}weight`, bias: `${readout.prefix}bias` };
    const cell = [tensor("A", A), tensor("B", B), tensor("W_u", wu), tensor("b_u", bu), tensor("W_h", wh), tensor("b_h", bh)];
    return finish(keys, { kind: "lmu-fft", inputSize: d, hiddenSize: hidden, order, thetaSteps: theta.thetaSteps, thetaNote: theta.note, classes: readout.classes, nonlinearity: "relu", cell, readout: readout.tensors }, names);
  }
  return fail("LMU7010", `${sd.file}: not a pytorch-lmu state dict: expected keys ending in 'e_x' (LMU/LMUCell) or 'W_u.weight' (LMUFFT); it has ${[...sd.tensors.keys()].join(", ")}`);
}
