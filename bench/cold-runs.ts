/**
 * What the cold benches share: each case run `reps` times in a fresh process, interleaved across
 * cases (so a noisy minute hits every case alike), the child printing one JSON result; and the
 * median those benches report.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * This process's own peak resident memory (MiB): Linux's VmHWM. Not resourceUsage().maxRSS: on
 * Linux a spawned child's maxRSS starts from its parent's (it survives the exec), so children of
 * `npm run bench` (a ~380 MiB process by then) all reported ~379 MiB. Elsewhere, maxRSS.
 */
export function peakRssMiB(): number {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kib !== undefined) return Number(kib) / 1024;
  } catch {
    // No /proc: the portable figure below.
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** The middle value (upper middle for an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Per case name, the JSON results of `node <script> ...childArgs <name>` that exited 0; failures are printed with their diagnostic line. */
export function coldRuns<T>(script: string, childArgs: readonly string[], names: readonly string[], reps: number): Map<string, T[]> {
  const runs = new Map<string, T[]>(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (const name of names) {
      const p = spawnSync(process.execPath, [script, ...childArgs, name], { encoding: "utf8", maxBuffer: 1 << 24 });
      if (p.status === 0) runs.get(name)!.push(JSON.parse(p.stdout) as T);
      else console.log(`${name}: failed (exit ${p.status}): ${p.stderr.split("\n").find((l) => /LMU\d{4}|Error/.test(l)) ?? p.stderr.slice(0, 200)}`);
    }
  }
  return runs;
}
