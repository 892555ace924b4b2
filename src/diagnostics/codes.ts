/**
 * The one table of diagnostic codes. Ranges: LMU1xxx syntax and schema, 2xxx network semantics,
 * 3xxx quantization, 4xxx partitioning and resources, 5xxx emission, 6xxx emulator,
 * 8xxx command line and files, 9xxx internal (a compiler bug).
 * `hint` says what the user can do about it; it is printed under the message.
 */
export interface CodeInfo {
  readonly title: string;
  readonly hint?: string;
}

export const CODES = {
  LMU1001: { title: "YAML syntax error", hint: "fix the YAML syntax at the marked position" },
  LMU1002: { title: "schema violation", hint: "see schemas/network.schema.json for the accepted fields" },
  LMU1003: { title: "not a finite number", hint: "write a finite number; NaN and Infinity are not accepted" },
  LMU1004: { title: "duplicate id", hint: "give every node, ensemble, LMU and probe a distinct id" },
  LMU1005: { title: "array file error", hint: "check the file's shape and contents" },
  LMU2001: { title: "unknown reference", hint: "refer to the id of a declared node, ensemble or LMU" },
  LMU2002: { title: "dimension mismatch" },
  LMU2003: { title: "algebraic loop", hint: "give one connection of the loop a synapse (0 delays by one step)" },
  LMU2004: { title: "size out of range" },
  LMU2005: { title: "invalid neuron parameters", hint: "LIF max_rates must stay below 1/tau_ref and intercepts below 1; lower max_rates (or tau_ref), or give gain and bias" },
  LMU2006: { title: "invalid slice" },
  LMU2007: { title: "invalid connection" },
  LMU2008: { title: "decoder solve failed" },
  LMU2009: { title: "invalid LMU parameters" },
  LMU2010: { title: "invalid probe" },
  LMU2011: { title: "invalid time parameters" },
  LMU1010: { title: "invalid target file", hint: "see schemas/target.schema.json and targets/loihi1.yaml for the accepted fields" },
  LMU5001: { title: "chip configuration does not fit the target", hint: "this is a bug in lmuc's partitioner or quantizer; please report it with the input file" },
  LMU5002: { title: "not a readable lmuc build folder", hint: "compile the network again (lmuc compile) to create the build folder" },
  LMU5003: { title: "build folder damaged", hint: "a file was changed or cut short after the build; recompile to regenerate the build folder" },
  LMU5004: { title: "invalid cores.bin", hint: "the binary is damaged or was written for another target or lmuc version; recompile" },
  LMU5005: { title: "refusing to replace a folder that is not an lmuc build", hint: "choose another output folder, or remove that folder yourself" },
  LMU5006: { title: "invalid chip.yaml", hint: "chip.yaml is a report; recompile to regenerate it (cores.bin is the authoritative configuration)" },
  LMU3001: { title: "parameter clipped to its register" },
  LMU3002: { title: "weights lost to quantization" },
  LMU3003: { title: "accumulator may wrap" },
  LMU4001: { title: "conflicting input synapses on a chip ensemble" },
  LMU4002: { title: "not representable on the chip" },
  LMU4003: { title: "does not fit a core", hint: "reduce the fan-in (fewer or sparser inputs) or use a target with larger cores" },
  LMU4004: { title: "does not fit the board", hint: "use a target with more chips, or a smaller network" },
  LMU8001: { title: "cannot read file", hint: "check the path" },
  LMU8002: { title: "bad command-line option" },
  LMU8003: { title: "cannot write output", hint: "check that the output folder is writable" },
  LMU8004: { title: "not a recognised vector or report file" },
  LMU7001: { title: "not a readable PyTorch file", hint: "give a file written by torch.save (PyTorch ≥ 1.6 zip format); re-save legacy files with torch.save(model.state_dict(), path)" },
  LMU7002: { title: "refused pickle content", hint: "lmuc reads state dicts as data only: save model.state_dict(), not the model object" },
  LMU7003: { title: "unsupported tensor", hint: "save float32, float64, float16 or int64 tensors" },
  LMU7010: { title: "state dict does not match a known LMU model", hint: "lmuc imports pytorch-lmu LMU/LMUCell or LMUFFT state dicts with a Linear readout" },
  LMU7011: { title: "tensor shape does not fit the model" },
  LMU7020: { title: "invalid trained cell", hint: "see the cells section of schemas/network.schema.json; lmuc import writes a valid one" },
  LMU7030: { title: "invalid dataset", hint: "inputs are a .npy of shape [sequences, steps, input dimensions], labels a .npy of integer classes [sequences]" },
  LMU7031: { title: "evaluation mode not available", hint: "use --mode float" },
  LMU7032: { title: "evaluation parts do not fit together", hint: "merge the parts of one evaluation: same network, same dataset, shards of the same count" },
  LMU7040: { title: "trained cells are not supported here yet", hint: "evaluate the network with lmuc evaluate --mode float; spiking and on-chip conversion of trained cells comes with the next release" },
  LMU9001: { title: "internal error: IR verification failed after a pass", hint: "this is a bug in lmuc; please report it with the input file" },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;
