/** `lmuc import`: a torch.save state dict → a network file with a trained cell (see write-network.ts). */
import { mapLmuStateDict, type ImportedModel } from "./lmu-map.js";
import { readTorchFile } from "./torch.js";
import { writeImportedNetwork } from "./write-network.js";

export interface ImportResult {
  readonly model: ImportedModel;
  readonly files: readonly string[];
  readonly notes: readonly string[];
  readonly seconds: number;
}

export function importTorchModel(ptPath: string, yamlPath: string, opts: { thetaSteps?: number; calibrationInputs?: string } = {}): ImportResult {
  const t0 = performance.now();
  const sd = readTorchFile(ptPath);
  const model = mapLmuStateDict(sd, opts.thetaSteps !== undefined ? { thetaSteps: opts.thetaSteps } : {});
  const { files } = writeImportedNetwork(model, ptPath, yamlPath, opts.calibrationInputs);
  return { model, files, notes: [...sd.notes, model.thetaNote], seconds: (performance.now() - t0) / 1000 };
}

export { readTorchBytes, readTorchFile } from "./torch.js";
export type { TorchStateDict, TorchTensor } from "./torch.js";
export { mapLmuStateDict } from "./lmu-map.js";
export type { ImportedModel } from "./lmu-map.js";
