/** Compiling in tests: the compile with everything it printed captured, and placement checks. */
import { compileNetwork, type CompileOptions, type CompileResult } from "../../src/compile.js";
import type { ChipConfig } from "../../src/ir/core.js";
import type { NetworkIR } from "../../src/ir/network.js";
import type { QuantizedNetwork } from "../../src/passes/quantize.js";
import type { Target } from "../../src/target/target.js";

export interface Compiled extends CompileResult {
  /** On-chip ensembles (the quantized blocks): id → neuron count. */
  readonly onChip: Map<string, number>;
  /** Whatever the compile wrote to stdout, stderr or the console (must be nothing). */
  readonly printed: string;
}

/** Compiles with stdout, stderr and console captured: the compiler itself must print nothing. */
export function compile(net: NetworkIR, target: Target, opts: CompileOptions = {}): Compiled {
  let printed = "";
  const record = (...args: unknown[]): void => void (printed += args.map(String).join(" "));
  const saved = { out: process.stdout.write, err: process.stderr.write, log: console.log, warn: console.warn, error: console.error, info: console.info };
  process.stdout.write = ((chunk: unknown) => (record(chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (record(chunk), true)) as typeof process.stderr.write;
  console.log = console.warn = console.error = console.info = record;
  let q: QuantizedNetwork | undefined;
  try {
    const r = compileNetwork(net, target, { ...opts, onPass: (name, ir) => void (name === "quantize" ? (q = ir as QuantizedNetwork) : undefined) });
    return { ...r, onChip: new Map(q!.blocks.map((b) => [b.id, b.n])), printed };
  } finally {
    Object.assign(process.stdout, { write: saved.out });
    Object.assign(process.stderr, { write: saved.err });
    Object.assign(console, { log: saved.log, warn: saved.warn, error: saved.error, info: saved.info });
  }
}

/**
 * For every on-chip ensemble, how many compartments hold each of its neurons, read from the
 * cores' blocks (label "id" for a whole block, "id[s:e]" for a part; source "ensemble id").
 */
export function placementCounts(chip: ChipConfig, onChip: Map<string, number>): Map<string, Int32Array> {
  const counts = new Map([...onChip].map(([id, n]) => [id, new Int32Array(n)]));
  for (const core of chip.cores) {
    for (const b of core.blocks) {
      const id = b.source.replace(/^(ensemble|decode block) /, "");
      const c = counts.get(id);
      if (!c) throw new Error(`core ${core.index} block '${b.label}' implements '${b.source}', which is not an on-chip ensemble`);
      const m = /\[(\d+):(\d+)\]$/.exec(b.label);
      const start = m ? Number(m[1]) : 0;
      expect(m ? Number(m[2]) - start : c.length).toBe(b.count);
      for (let i = start; i < start + b.count; i++) c[i]++;
    }
  }
  return counts;
}

/** Every neuron of every on-chip ensemble in exactly one compartment, by the blocks and by host.placements. */
export function expectEachNeuronPlacedOnce(r: Compiled): void {
  for (const [id, c] of placementCounts(r.chip, r.onChip)) {
    const wrong = [...c.keys()].filter((i) => c[i] !== 1);
    expect({ ensemble: id, neuronsNotPlacedExactlyOnce: wrong.slice(0, 5) }).toEqual({ ensemble: id, neuronsNotPlacedExactlyOnce: [] });
  }
  expect(r.chip.cores.reduce((s, core) => s + core.nCompartments, 0)).toBe([...r.onChip.values()].reduce((s, n) => s + n, 0));
  // The host reads chip ensembles through placements: their segments cover each neuron once too.
  for (const p of r.host.placements) {
    const seen = new Int32Array(r.onChip.get(p.ensemble)!);
    for (const s of p.segments) {
      const core = r.chip.cores[s.core];
      expect(s.localStart + s.count).toBeLessThanOrEqual(core.nCompartments);
      for (let i = 0; i < s.count; i++) seen[s.neuronStart + i]++;
    }
    expect([...seen].every((x) => x === 1)).toBe(true);
  }
}

