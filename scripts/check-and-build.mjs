// `npm test`'s first phase: the type check (tsconfig.json: src, test, bench, scripts) and the build
// (tsconfig.build.json → dist/, then the generated validators) run side by side on the two cores:
// each is a single-threaded tsc of ~15 CPU s, so one after the other they were ~30 s of the suite's
// wall time. Both always run to the end; the outputs are printed whole, one after the other, and
// the exit code is the first failure's.
import { spawn } from "node:child_process";

const tsc = "node_modules/typescript/bin/tsc";
function run(name, steps) {
  return new Promise((resolve) => {
    let out = "";
    const next = (i) => {
      if (i === steps.length) return resolve({ name, code: 0, out });
      const p = spawn(process.execPath, steps[i], { stdio: ["ignore", "pipe", "pipe"] });
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (out += d));
      p.on("close", (code) => (code === 0 ? next(i + 1) : resolve({ name, code: code ?? 1, out })));
    };
    next(0);
  });
}

const results = await Promise.all([
  run("type check (tsc --noEmit -p tsconfig.json)", [[tsc, "--noEmit", "-p", "tsconfig.json"]]),
  run("build (tsc -p tsconfig.build.json, validators, bundle)", [[tsc, "-p", "tsconfig.build.json"], ["dist/scripts/gen-validators.js"], ["dist/scripts/bundle.js"]]),
]);
let code = 0;
for (const r of results) {
  if (r.out) process.stdout.write(r.out);
  console.log(`${r.name}: ${r.code === 0 ? "ok" : `failed (exit ${r.code})`}`);
  if (r.code !== 0 && code === 0) code = r.code;
}
process.exit(code);
