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
  LMU2012: { title: "invalid distribution", hint: "see the README's network format for each distribution's parameters" },
  LMU1011: { title: "number too large", hint: "rescale the network so its values stay within ±1e9 (e.g. a smaller radius or transform, inputs in other units)" },
  LMU1012: { title: "reference vector field lmuc cannot honour", hint: "lmuc verify rebuilds a Nengo network vector from its own fields only; the named field asks for something lmuc does not simulate" },
  LMU2201: { title: "learning rule on a connection that has no decoders to learn", hint: "PES learns the decoders of a connection from an ensemble's decoded value" },
  LMU2202: { title: "error connection without a learned connection", hint: "target '<id>.learning' of a connection that has learning_rule and id: <id>" },
  LMU2203: { title: "error signal of the wrong size", hint: "the error has the learned connection's output dimensions" },
  LMU2204: { title: "more than one learning rule on a connection" },
  LMU2205: { title: "duplicate connection id", hint: "give every connection its own id" },
  LMU2206: { title: "invalid node timing field (until, delay)" },
  LMU2207: { title: "error signal from an LMU", hint: "connect the LMU to a passthrough node and take the error from there" },
  LMU1010: { title: "invalid target file", hint: "see schemas/target.schema.json and targets/loihi1.yaml for the accepted fields" },
  LMU5001: { title: "chip configuration does not fit the target", hint: "this is a bug in lmuc's partitioner or quantizer; please report it with the input file" },
  LMU5002: { title: "not a readable lmuc build folder", hint: "compile the network again (lmuc compile) to create the build folder" },
  LMU5003: { title: "build folder damaged", hint: "a file was changed or cut short after the build; recompile to regenerate the build folder" },
  LMU5004: { title: "invalid cores.bin", hint: "the binary is damaged or was written for another target or lmuc version; recompile" },
  LMU5005: { title: "refusing to replace a folder that is not an lmuc build", hint: "choose another output folder, or remove that folder yourself" },
  LMU5006: { title: "invalid chip.yaml", hint: "chip.yaml is a report; recompile to regenerate it (cores.bin is the authoritative configuration)" },
  LMU5007: { title: "build folder incomplete", hint: "a build needs manifest.json, chip.yaml, cores.bin, host.json and report.json; recompile the network (lmuc compile)" },
  LMU5008: { title: "build file refused before reading", hint: "build files are regular files of bounded size; recompile the network (lmuc compile) to regenerate the build" },
  LMU5009: { title: "invalid host.json or report.json", hint: "lmuc compile writes these files; recompile instead of editing them" },
  LMU6001: { title: "register overflow under --overflow error", hint: "the network drives this register past its width: scale down the input, transform or gain; --overflow warn lists every overflow, --overflow wrap runs on as the chip would" },
  LMU3001: { title: "parameter clipped to its register" },
  LMU3002: { title: "weights lost to quantization" },
  LMU3003: { title: "accumulator may wrap" },
  LMU3101: { title: "online learning is not compiled to the chip yet", hint: "simulate the network in float (lmuc simulate); compile it without learning_rule and error connections" },
  LMU4001: { title: "conflicting input synapses on a chip ensemble" },
  LMU4002: { title: "not representable on the chip" },
  LMU4003: { title: "does not fit a core", hint: "reduce the fan-in (fewer or sparser inputs) or use a target with larger cores" },
  LMU4004: { title: "does not fit the board", hint: "use a target with more chips, or a smaller network" },
  LMU6101: { title: "conformance vector needs a feature this emulator does not implement", hint: "the vector's \"requires\" lists it; use an lmuc version that implements it (this one implements: learning)" },
  LMU8001: { title: "cannot read file", hint: "check the path" },
  LMU8002: { title: "bad command-line option" },
  LMU8003: { title: "cannot write output", hint: "check that the output folder is writable" },
  LMU8004: { title: "not a recognised vector or report file" },
  LMU8005: { title: "run too long or too large", hint: "run fewer steps, or record less (fewer probes, slices, sample_every)" },
  LMU9001: { title: "internal error: IR verification failed after a pass", hint: "this is a bug in lmuc; please report it with the input file" },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;
