/**
 * Bundles the command line (dist/src/cli/main.js, tsc's output) and the evaluate worker into
 * dist/bundle/, which bin/lmuc.js runs. Why: Node's ESM loader pays per module (resolve, read,
 * link, evaluate), and a compile loaded ~150 of them plus the CommonJS files of yaml and commander:
 * ~0.1 s of every command's cold start (`lmuc --version` 0.25 → 0.18 s, `lmuc compile` of
 * lmu-memory q=8 0.95 → 0.84 s on the bench VM). The library entry (dist/src/index.js) stays
 * tsc's modules, one per source file.
 *
 * The command line is one CommonJS file (cli.cjs): Node 20 can give V8's code cache only to a
 * script (vm.Script's cachedData), not to ES modules, and one file loads faster than the 38
 * chunks an ES-module split made (src/cli/launch.ts has the measurements). Its few modules'
 * `import.meta.url` become the bundle's own file URL, so files found beside a module (the
 * worker, the package root) are found beside the bundle. The evaluate worker stays an ES module
 * of its own (worker.js, beside cli.cjs). Last, runs of the command line write the code caches
 * (cli.cjs.cache with the functions a compile runs, and dist/validators/*.cjs.cache). esbuild's
 * output is a function of its input: same sources, same bundle bytes (the caches are V8's and
 * may differ between builds).
 * Run by `npm run build` after gen-validators; run as a script only.
 */
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../src/util/paths.js";

const root = packageRoot();
const outdir = join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
const common = { absWorkingDir: root, outdir, bundle: true, platform: "node", target: "node20", legalComments: "none", logLevel: "warning" } as const;
await build({
  ...common,
  entryPoints: { cli: "dist/src/cli/main.js" },
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  define: { "import.meta.url": "__lmucModuleUrl" },
  banner: { js: 'const __lmucModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
await build({
  ...common,
  entryPoints: { worker: "dist/src/evaluate/worker.js" },
  format: "esm",
  // CommonJS dependencies (yaml) call require() for Node's modules: an ES module has none.
  banner: { js: 'import { createRequire as __lmucCreateRequire } from "node:module"; const require = __lmucCreateRequire(import.meta.url);' },
});

// The code caches (src/util/code-cache.ts). Each run in write mode writes the caches of the files
// it loaded: reading a build back writes the host and report validators', then a compile (last,
// so that the bundle's cache holds what a compile runs) the bundle's and the network and target
// validators'.
const scratch = mkdtempSync(join(tmpdir(), "lmuc-cache-"));
try {
  const build = join(scratch, "build"), compile = ["compile", join(root, "examples", "lmu-delay.yaml"), "-o", build, "-q"];
  for (const [mode, args] of [["off", compile], ["write", ["inspect", build]], ["write", compile]] as const) {
    const r = spawnSync(process.execPath, [join(root, "bin", "lmuc.js"), ...args], { env: { ...process.env, LMUC_CODE_CACHE: mode }, encoding: "utf8" });
    // Without a cache every command still runs (as before it): say so, do not fail the build.
    if (r.status !== 0) console.warn(`bundle: code cache not written (lmuc ${args[0]} exited ${r.status}): ${r.stderr.split("\n").slice(0, 3).join(" ")}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
