/**
 * Progress of a command's phases on stderr (src/util/progress.ts): one bar or line per phase,
 * shown only for phases that last over half a second on a terminal, or over one interval (5 s)
 * off it (when io.progressLines); nothing with --quiet or --json.
 */
import { Progress } from "../util/progress.js";

export interface ProgressIo {
  err(text: string): void;
  isTty: boolean;
  /**
   * Off a terminal, write a line every 5 s (the `lmuc` process sets it). Programs that run
   * main(argv, io) in-process (the tests) leave it unset and get no lines whose presence would
   * depend on the machine's speed.
   */
  progressLines?: boolean;
}

/** Phases counted in passes ("compile"), in connections whose decoders are solved ("build …", "… solve decoders"); every other phase counts steps. */
const unitsOf = (phase: string): [string, string] =>
  phase === "compile" ? ["passes", "passes/s"] : phase.startsWith("build") || phase.endsWith("solve decoders") ? ["connections", "connections/s"] : ["steps", "steps/s"];

/** A reporter of (phase, done, total): a new bar per phase, the previous one cleared. Undefined when quiet. */
export function phaseProgress(io: ProgressIo, quiet: boolean): ((phase: string, done: number, total: number) => void) | undefined {
  if (quiet || (!io.isTty && io.progressLines !== true)) return undefined;
  let phase = "";
  let bar: Progress | undefined;
  return (name, done, total) => {
    if (name !== phase || !bar) {
      bar?.end();
      phase = name;
      const [unit, rateUnit] = unitsOf(name);
      bar = new Progress({ tty: io.isTty, write: (s) => io.err(s), label: name, unit, rateUnit, showAfterSeconds: 0.5, intervalSeconds: 5 });
    }
    bar.update(done, total);
  };
}
