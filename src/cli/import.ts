/** `lmuc import`: formatting only; the work is in ../importers. */
import { existsSync } from "node:fs";
import { basename, extname } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { importTorchModel } from "../importers/index.js";
import { positiveNumber } from "./options.js";

export interface ImportIo {
  out(text: string): void;
  err(text: string): void;
}

export function addImportCommand(program: Command, io: ImportIo): void {
  program
    .command("import")
    .description("import a trained PyTorch LMU (pytorch-lmu LMU or LMUFFT state dict + Linear readout) as a network file with .npy weights beside it")
    .argument("<model.pt>", "a torch.save file of the model's state_dict()")
    .requiredOption("-o, --out <network.yaml>", "the network file to write (its .npy weights go beside it)")
    .option("--theta-steps <n>", "θ in sequence steps when it cannot be recovered from the stored A and B", positiveNumber("--theta-steps"))
    .option("--calibration-inputs <x.npy>", "input sequences [sequences, steps, inputs] to name in the cell's calibration block (what lmuc compile scales the spiking conversion to)")
    .option("--json", "print the result as JSON")
    .action((file: string, opts: { out: string; thetaSteps?: number; calibrationInputs?: string; json?: boolean }) => {
      if (![".yaml", ".yml"].includes(extname(opts.out))) throw new InvalidArgumentError(`--out must name a .yaml file, got '${opts.out}'`);
      const cal = opts.calibrationInputs;
      if (cal !== undefined && (!cal.endsWith(".npy") || !existsSync(cal))) throw new InvalidArgumentError(`--calibration-inputs must name an existing .npy file, got '${cal}'`);
      const r = importTorchModel(file, opts.out, { ...(opts.thetaSteps !== undefined ? { thetaSteps: opts.thetaSteps } : {}), ...(cal !== undefined ? { calibrationInputs: cal } : {}) });
      const m = r.model;
      if (opts.json) {
        io.out(JSON.stringify({ ok: true, model: file, network: opts.out, kind: m.kind, input_size: m.inputSize, hidden: m.hiddenSize, order: m.order, theta_steps: m.thetaSteps, classes: m.classes, files: r.files, notes: r.notes, seconds: r.seconds }, null, 2) + "\n");
        return;
      }
      io.out(`${file}: pytorch-lmu ${m.kind === "lmu" ? "LMU" : "LMUFFT"}, input ${m.inputSize}, hidden ${m.hiddenSize} (${m.nonlinearity}), order ${m.order}, theta ${m.thetaSteps} steps, readout ${m.classes} outputs\n`);
      for (const n of r.notes) io.out(`  note: ${n}\n`);
      io.out(`wrote ${opts.out} and ${r.files.length - 1} weight files (${basename(r.files[0])}, …) in ${r.seconds.toFixed(2)} s\n`);
    });
}
