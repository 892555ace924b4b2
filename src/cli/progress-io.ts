/**
 * Progress of a command's phases on stderr (src/util/progress.ts): one bar or line per phase,
 * shown only for phases that last over half a second on a terminal, or over one interval (5 s)
 * off it; nothing with --quiet or --json.
 */
import { Progress } from "../util/progress.js";

export interface ProgressIo {
  err(text: string): void;
  isTty: boolean;
}

/** Phases counted in passes ("compile", "build …"); every other phase counts steps. */
const unitsOf = (phase: string): [string, string] => (phase === "compile" || phase.startsWith("build") ? ["passes", "passes/s"] : ["steps", "steps/s"]);

/** A reporter of (phase, done, total): a new bar per phase, the previous one cleared. Undefined when quiet. */
export function phaseProgress(io: ProgressIo, quiet: boolean): ((phase: string, done: number, total: number) => void) | undefined {
  if (quiet) return undefined;
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
