/**
 * How long a run is: `--duration S` or `--steps N`, parsed the same way by every command that runs
 * a network (simulate, emulate, compare), and checked against what the run would cost before
 * anything is allocated: a run of 1e15 steps, or one whose probe arrays need more memory than a
 * process can hold, is a usage error with the numbers, not a crash inside a typed array.
 */
import { InvalidArgumentError } from "commander";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { NetworkIR, ProbeIR } from "../ir/network.js";

/** Most steps one run may take (100,000 s at dt = 1 ms). */
export const MAX_STEPS = 1e8;
/** Most bytes the recorded probe values of one run may take, over every copy the command keeps. */
export const MAX_PROBE_BYTES = 2 * 1024 ** 3;

export interface RunLengthOptions {
  readonly duration?: number;
  readonly steps?: number;
}

export interface RunCost {
  /** Probe values recorded per step (probe size / sample_every, summed; spike probes not counted). */
  readonly valuesPerStep: number;
  /** How many runs' probe arrays the command holds at once (float, emulator, ideal twin…). */
  readonly copies: number;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

export function formatBytes(bytes: number): string {
  let x = bytes;
  let u = 0;
  while (x >= 1024 && u < UNITS.length - 1) {
    x /= 1024;
    u++;
  }
  return `${u === 0 ? x.toFixed(0) : x.toPrecision(3)} ${UNITS[u]}`;
}

const count = (x: number): string => (x >= 1e6 ? x.toExponential(2).replace(/\.?0+e\+?/, "e") : String(x));

/**
 * Steps for a run: `steps`, or round(duration / dt), or round(defaultSeconds / dt). Both options
 * at once, less than one step, more than MAX_STEPS, or probe arrays over MAX_PROBE_BYTES → an error
 * saying what the run would cost and what the limit is (exit 2).
 */
export function resolveSteps(opts: RunLengthOptions, dtSeconds: number, defaultSeconds: number, cost?: RunCost): number {
  if (opts.duration !== undefined && opts.steps !== undefined) throw new InvalidArgumentError("give --duration or --steps, not both");
  const asked = opts.steps !== undefined ? `--steps ${opts.steps}` : opts.duration !== undefined ? `--duration ${opts.duration}` : `the default ${defaultSeconds} s`;
  const steps = opts.steps ?? Math.round((opts.duration ?? defaultSeconds) / dtSeconds);
  if (!(steps >= 1)) throw new InvalidArgumentError(`${asked} is less than one step (dt = ${dtSeconds} s)`);
  const bytes = cost ? steps * cost.valuesPerStep * 8 * cost.copies : 0;
  const memory = cost && cost.valuesPerStep > 0 ? `its probe arrays would need ${formatBytes(bytes)} (${count(steps)} steps × ${+cost.valuesPerStep.toPrecision(6)} values × 8 bytes${cost.copies > 1 ? ` × ${cost.copies} runs` : ""})` : "";
  const inSteps = opts.steps !== undefined ? ":" : ` is ${count(steps)} steps at dt = ${dtSeconds} s;`;
  if (steps > MAX_STEPS) {
    throw new DiagnosticError([
      diag("LMU8005", `${asked}${inSteps} a run takes at most ${count(MAX_STEPS)} steps${memory ? `; ${memory}` : ""}`, undefined, { hint: "run fewer steps (or a shorter --duration)" }),
    ]);
  }
  if (bytes > MAX_PROBE_BYTES) {
    throw new DiagnosticError([
      diag("LMU8005", `${asked}${inSteps} ${memory}, more than the ${formatBytes(MAX_PROBE_BYTES)} a run may record`, undefined, {
        hint: "run fewer steps, or record less: fewer probes, probes on slices, or sample_every",
      }),
    ]);
  }
  return steps;
}

/** Values the probes of a network record per step, from its declared sizes (before it is built). */
export function networkProbeValues(net: NetworkIR): number {
  const full = new Map<string, { value: number; neurons: number }>();
  for (const n of net.nodes) full.set(n.id, { value: n.sizeOut, neurons: 0 });
  for (const e of net.ensembles) full.set(e.id, { value: e.dimensions, neurons: e.nNeurons });
  for (const l of net.lmus) {
    const impl = l.implementation;
    const neurons = impl.kind === "neurons" ? (impl.layout === "single" ? impl.ensemble.nNeurons : impl.ensemble.nNeurons * l.order) : 0;
    full.set(l.id, { value: l.order, neurons });
  }
  let values = 0;
  for (const p of net.probes) values += probeValues(p, full.get(p.target.id));
  return values;
}

function probeValues(p: ProbeIR, size: { value: number; neurons: number } | undefined): number {
  if (p.attr === "spikes" || !size) return 0;
  const whole = p.target.part === "neurons" || p.attr === "voltage" ? size.neurons : size.value;
  return (p.target.indices?.length ?? whole) / Math.max(1, p.sampleEverySteps);
}

/** Values built probes record per step (the emulator's host program carries their sizes). */
export function builtProbeValues(probes: readonly { readonly attr: string; readonly size: number; readonly sampleEverySteps: number }[]): number {
  let values = 0;
  for (const p of probes) if (p.attr !== "spikes") values += p.size / Math.max(1, p.sampleEverySteps);
  return values;
}
