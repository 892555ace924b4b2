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
  LMU2005: { title: "invalid neuron parameters" },
  LMU2006: { title: "invalid slice" },
  LMU2007: { title: "invalid connection" },
  LMU2008: { title: "decoder solve failed" },
  LMU2009: { title: "invalid LMU parameters" },
  LMU2010: { title: "invalid probe" },
  LMU2011: { title: "invalid time parameters" },
  LMU8001: { title: "cannot read file", hint: "check the path" },
  LMU8002: { title: "bad command-line option" },
  LMU8003: { title: "cannot write output", hint: "check that the output folder is writable" },
  LMU9001: { title: "internal error: IR verification failed after a pass", hint: "this is a bug in lmuc; please report it with the input file" },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;
