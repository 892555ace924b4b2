/**
 * The child process of bench/compile.ts: what bin/lmuc.js does (the bundled command line through
 * its code cache), then one line with this process's peak RSS and CPU seconds. A file of its own
 * so that the child loads nothing bin/lmuc.js does not: run as part of compile.js it also loaded
 * yaml and the bench's network builders, ~50 ms and ~2.6k page faults more per q=8 compile.
 *
 * `node dist/bench/compile-child.js <lmuc args…>`: one run.
 * `node dist/bench/compile-child.js --warm N <lmuc args…>`: the same command N times in this one
 * process, each run to its own output folder (`-o DIR` becomes DIR-0, DIR-1, …), and the seconds
 * of each run.
 */
import { fileURLToPath } from "node:url";
import { loadBundledMain } from "../src/cli/launch.js";
import { peakRssMiB } from "./cold-runs.js";

const main = loadBundledMain(fileURLToPath(new URL("../bundle/cli.cjs", import.meta.url)));
if (process.argv[2] === "--warm") {
  const repeats = Number(process.argv[3]);
  const args = process.argv.slice(4);
  const outAt = args.indexOf("-o") + 1;
  const seconds: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const runArgs = args.map((a, i) => (outAt > 0 && i === outAt ? `${a}-${k}` : a));
    const t0 = performance.now();
    const exit = await main([process.argv[0], "lmuc", ...runArgs]);
    seconds.push((performance.now() - t0) / 1000);
    if (exit !== 0) break;
  }
  process.stdout.write(`\nBENCH ${JSON.stringify({ seconds })}\n`);
} else {
  const exit = await main([process.argv[0], "lmuc", ...process.argv.slice(2)]);
  const cpu = process.cpuUsage();
  process.stdout.write(`\nBENCH ${JSON.stringify({ exit, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: peakRssMiB() })}\n`);
}
