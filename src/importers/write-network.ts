/**
 * An imported model on disk: a YAML network plus one .npy file per tensor beside it, named
 * `<stem>.<tensor>.npy`. Weights stay binary (exact, and psMNIST-size models would make a YAML
 * of megabytes of decimals); the YAML stays small enough to read and edit. Every file's bytes
 * are built before the first one is written, so a bad model leaves nothing on disk; each file
 * is written atomically, the YAML last.
 */
import { rmSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { writeFileAtomic } from "../io/write.js";
import type { ImportedModel, ImportedTensor } from "./lmu-map.js";

/** numpy .npy v1.0: magic, header dict padded with spaces to a 64-byte boundary, then the data. */
export function npyBytes(shape: readonly number[], data: Float64Array, float32: boolean): Uint8Array {
  const descr = float32 ? "<f4" : "<f8";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const itemBytes = float32 ? 4 : 8;
  const out = new Uint8Array(10 + header.length + data.length * itemBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const base = 10 + header.length;
  for (let i = 0; i < data.length; i++) {
    if (float32) view.setFloat32(base + 4 * i, data[i], true);
    else view.setFloat64(base + 8 * i, data[i], true);
  }
  return out;
}

export interface ImportOutput {
  readonly yamlPath: string;
  readonly files: readonly string[];
}

function stemOf(path: string): string {
  return basename(path, extname(path));
}

/** The network text; `fileOf` names each tensor's .npy (relative to the YAML). */
export function networkYaml(model: ImportedModel, source: string, name: string, fileOf: (group: "cell" | "readout", t: ImportedTensor) => string, calibrationInputs?: string): string {
  const ref = (group: "cell" | "readout", t: ImportedTensor): string => `{ file: ${fileOf(group, t)} }`;
  const cellLines = model.cell.map((t) => `    ${t.name}: ${ref("cell", t)}`.padEnd(40) + `  # ${model.sourceKeys[t.name]} [${t.shape.join(", ")}]`);
  const readoutLines = model.readout.map((t) => `    ${t.name}: ${ref("readout", t)}`.padEnd(40) + `  # ${model.sourceKeys[t.name]} [${t.shape.join(", ")}]`);
  const what = model.kind === "lmu" ? "LMU (LMUCell)" : "LMUFFT";
  return [
    `# Imported by 'lmuc import' from ${basename(source)}: pytorch-lmu ${what} + Linear readout.`,
    `# ${model.thetaNote}.`,
    `lmuc: 1`,
    `name: ${name}`,
    ``,
    `inputs:`,
    `  x: { dimensions: ${model.inputSize} }           # one dataset row per sequence step`,
    ``,
    `cells:`,
    `  lmu:`,
    `    kind: ${model.kind}`,
    `    input: x`,
    `    hidden: ${model.hiddenSize}`,
    `    nonlinearity: ${model.nonlinearity}`,
    `    order: ${model.order}`,
    `    theta_steps: ${model.thetaSteps}`,
    ...cellLines,
    // JSON quoting is valid YAML and keeps any path a plain string.
    ...(calibrationInputs !== undefined ? [`    calibration: { inputs: ${JSON.stringify(calibrationInputs)} }`.padEnd(40) + "  # the ranges of its spiking conversion (lmuc compile)"] : []),
    ``,
    `readouts:`,
    `  logits:`,
    `    from: lmu                                   # the hidden state after the last step`,
    ...readoutLines,
    ``,
  ].join("\n");
}

/** Writes `<yamlPath>` and its .npy files; returns every path written. */
/** `calibrationInputs`: a .npy of input sequences, named in the cell's calibration block relative to the YAML. */
export function writeImportedNetwork(model: ImportedModel, source: string, yamlPath: string, calibrationInputs?: string): ImportOutput {
  const stem = stemOf(yamlPath);
  const dir = dirname(yamlPath);
  const pending: [string, Uint8Array | string][] = [];
  const fileOf = (group: "cell" | "readout", t: ImportedTensor): string => `${stem}.${group === "readout" ? "readout-" : ""}${t.name}.npy`;
  for (const t of model.cell) pending.push([join(dir, fileOf("cell", t)), npyBytes(t.shape, t.data, t.float32)]);
  for (const t of model.readout) pending.push([join(dir, fileOf("readout", t)), npyBytes(t.shape, t.data, t.float32)]);
  const calibration = calibrationInputs !== undefined ? relative(resolve(dir), resolve(calibrationInputs)).split(sep).join("/") : undefined;
  pending.push([yamlPath, networkYaml(model, source, stem, fileOf, calibration)]);
  const written: string[] = [];
  try {
    for (const [path, contents] of pending) {
      writeFileAtomic(path, contents);
      written.push(path);
    }
  } catch (e) {
    // A network without all its weights is worse than none: take back what was written.
    for (const path of written) rmSync(path, { force: true });
    throw e;
  }
  return { yamlPath, files: written };
}
