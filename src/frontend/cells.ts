/**
 * The trained-model sections of a network file: `inputs` (per-step dataset inputs), `cells`
 * (pytorch-lmu LMU / LMUFFT cells with their stored weights) and `readouts` (linear with bias).
 * Both cell kinds become one TrainedCellIR; every tensor's shape is checked against the sizes
 * the cell declares, with a message naming the field and the shape it should have.
 */
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { mat, type Mat } from "../math/matrix.js";
import type { NetworkIR, ReadoutIR, SequenceInputIR, TrainedCellIR } from "../ir/network.js";
import { readCalibrationBlock } from "./calibration.js";
import { readConversionBlock } from "./conversion.js";
import type { JsonPath } from "./source.js";
import { readMatrix, readVector, type Ctx } from "./values.js";

type Obj = Record<string, unknown>;

export type TrainedSections = Pick<NetworkIR, "sequenceInputs" | "cells" | "readouts">;

/** Fields each cell kind takes, beyond the common ones; anything else is an error naming the kind. */
const KIND_FIELDS: Record<TrainedCellIR["kind"], readonly string[]> = {
  lmu: ["e_x", "e_h", "e_m", "W_x", "W_h", "W_m"],
  "lmu-fft": ["W_u", "b_u", "W_h", "b_h"],
};
const COMMON = ["kind", "input", "hidden", "nonlinearity", "order", "theta_steps", "A", "B", "conversion", "calibration"];

function cell(ctx: Ctx, id: string, o: Obj, path: JsonPath, inputs: ReadonlyMap<string, SequenceInputIR>): TrainedCellIR {
  const kind = o.kind as TrainedCellIR["kind"];
  const err = (message: string, p: JsonPath, key = false): never => {
    throw new DiagnosticError([diag("LMU7020", message, ctx.src.locate(p, key))]);
  };
  for (const k of Object.keys(o)) {
    if (!COMMON.includes(k) && !KIND_FIELDS[kind].includes(k)) err(`'${k}' does not apply to a cell of kind ${kind} (it takes ${KIND_FIELDS[kind].join(", ")})`, [...path, k], true);
  }
  for (const k of KIND_FIELDS[kind]) if (o[k] === undefined) err(`a cell of kind ${kind} needs '${k}'`, path, true);
  const input = inputs.get(o.input as string);
  if (!input) err(`unknown input '${String(o.input)}': a cell reads one of the network's inputs (${[...inputs.keys()].join(", ") || "none declared"})`, [...path, "input"]);
  const d = input!.dimensions;
  const H = o.hidden as number;
  const order = o.order as number;
  const m = (k: string, rows: number, cols: number, why: string): Mat => readMatrix(ctx, o[k], [...path, k], rows, cols, k, why);
  const common = {
    id,
    kind,
    input: input!.id,
    inputSize: d,
    hiddenSize: H,
    order,
    thetaSteps: o.theta_steps as number,
    A: m("A", order, order, "order × order"),
    B: m("B", order, 1, "order × 1"),
    ...(o.conversion !== undefined ? { conversion: readConversionBlock(ctx, o.conversion, [...path, "conversion"]) } : {}),
    ...(o.calibration !== undefined ? { calibration: readCalibrationBlock(ctx, o.calibration, [...path, "calibration"]) } : {}),
    origin: ctx.src.locate(path, true),
  };
  if (kind === "lmu") {
    return {
      ...common,
      hiddenNonlinearity: (o.nonlinearity as "tanh" | "relu" | undefined) ?? "tanh",
      memoryInputNonlinearity: "none",
      ex: m("e_x", 1, d, `1 × input dimensions (${d})`),
      eh: m("e_h", 1, H, `1 × hidden (${H})`),
      em: m("e_m", 1, order, `1 × order (${order})`),
      uBias: 0,
      Wx: m("W_x", H, d, `hidden (${H}) × input dimensions (${d})`),
      Wh: m("W_h", H, H, `hidden × hidden (${H})`),
      Wm: m("W_m", H, order, `hidden (${H}) × order (${order})`),
    };
  }
  // LMUFFT's W_h acts on [m; x]: its first `order` columns read the memory, the rest the input.
  const wh = m("W_h", H, order + d, `hidden (${H}) × (order + input dimensions) (${order + d}), acting on [m; x]`);
  const Wm = mat(H, order);
  const Wx = mat(H, d);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < order; j++) Wm.data[i * order + j] = wh.data[i * (order + d) + j];
    for (let j = 0; j < d; j++) Wx.data[i * d + j] = wh.data[i * (order + d) + order + j];
  }
  return {
    ...common,
    hiddenNonlinearity: (o.nonlinearity as "tanh" | "relu" | undefined) ?? "relu",
    memoryInputNonlinearity: "relu",
    ex: m("W_u", 1, d, `1 × input dimensions (${d})`),
    uBias: readVector(ctx, o.b_u, [...path, "b_u"], 1, "b_u")[0],
    Wx,
    Wm,
    hBias: readVector(ctx, o.b_h, [...path, "b_h"], H, "b_h"),
  };
}

function readout(ctx: Ctx, id: string, o: Obj, path: JsonPath, cells: ReadonlyMap<string, TrainedCellIR>): ReadoutIR {
  const from = cells.get(o.from as string);
  if (!from) throw new DiagnosticError([diag("LMU7020", `unknown cell '${String(o.from)}': a readout reads the hidden state of one of the network's cells (${[...cells.keys()].join(", ") || "none declared"})`, ctx.src.locate([...path, "from"]))]);
  const weight = readMatrix(ctx, o.weight, [...path, "weight"], undefined, from.hiddenSize, "weight", `outputs × hidden of '${from.id}' (${from.hiddenSize})`);
  const bias = readVector(ctx, o.bias, [...path, "bias"], weight.rows, "bias");
  return { id, from: from.id, weight, bias, origin: ctx.src.locate(path, true) };
}

/**
 * Converts the three sections; `declare` registers an id with the converter (duplicate ids are
 * reported there). Collects every independent problem before throwing.
 */
export function convertTrainedSections(ctx: Ctx, doc: Obj, declare: (id: string, path: JsonPath) => boolean): TrainedSections {
  const section = (k: string): [string, Obj][] => Object.entries((doc[k] as Obj | undefined) ?? {}) as [string, Obj][];
  if (doc.inputs === undefined && doc.cells === undefined && doc.readouts === undefined) return {};
  const diagnostics: Diagnostic[] = [];
  const guard = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof DiagnosticError) diagnostics.push(...e.diagnostics);
      else throw e;
      return undefined;
    }
  };
  const inputs = new Map<string, SequenceInputIR>();
  for (const [id, o] of section("inputs")) {
    if (declare(id, ["inputs", id])) inputs.set(id, { id, dimensions: o.dimensions as number, origin: ctx.src.locate(["inputs", id], true) });
  }
  const cells = new Map<string, TrainedCellIR>();
  const declaredCells = new Set<string>();
  for (const [id, o] of section("cells")) {
    if (!declare(id, ["cells", id])) continue;
    declaredCells.add(id);
    const c = guard(() => cell(ctx, id, o, ["cells", id], inputs));
    if (c) cells.set(id, c);
  }
  const readouts: ReadoutIR[] = [];
  for (const [id, o] of section("readouts")) {
    if (!declare(id, ["readouts", id])) continue;
    // A readout of a cell that failed to convert would only repeat that cell's error.
    if (declaredCells.has(o.from as string) && !cells.has(o.from as string)) continue;
    const r = guard(() => readout(ctx, id, o, ["readouts", id], cells));
    if (r) readouts.push(r);
  }
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics);
  return { sequenceInputs: [...inputs.values()], cells: [...cells.values()], readouts };
}

/**
 * Passes that take no calibration inputs call this: a located error instead of silently dropping
 * the cell, which says what to add. (`lmuc compile` itself converts a trained cell when it has
 * calibration inputs: cli/compile-trained.ts.)
 */
export function rejectTrainedCells(net: NetworkIR, what: string): void {
  const first = net.cells?.[0];
  if (!first) return;
  throw new DiagnosticError([diag("LMU7040", `${what} cannot run trained cell '${first.id}' (${first.kind}, ${first.hiddenSize} hidden units) as it stands: ${trainedCellFix(first.id, what)}`, first.origin)]);
}

/** What to add so that a trained cell converts: the same words wherever a conversion lacks its inputs. */
export function trainedCellFix(cellId: string, what: string): string {
  const how = "its spiking conversion scales each population to the range the cell's float run takes over input sequences";
  if (what === "lmuc simulate") return `${how}, so simulate the converted network with lmuc evaluate --mode spiking --inputs X.npy --labels Y.npy`;
  return `${how}; name them on the cell (cells.${cellId}.calibration: { inputs: x.npy }, a .npy [sequences, steps, inputs] relative to the network file), or give ${what === "lmuc compile" ? "--inputs X.npy" : "them"} (lmuc import --calibration-inputs X.npy writes the block)`;
}
