/**
 * Bundles the command line (dist/src/cli/main.js, tsc's output) and the evaluate worker into
 * dist/bundle/, which bin/lmuc.js runs. Why: Node's ESM loader pays per module (resolve, read,
 * link, evaluate), and a compile loaded ~150 of them plus the CommonJS files of yaml and commander:
 * ~0.1 s of every command's cold start (`lmuc --version` 0.25 → 0.18 s, `lmuc compile` of
 * lmu-memory q=8 0.95 → 0.84 s on the bench VM). The library entry (dist/src/index.js) stays
 * tsc's modules, one per source file.
 *
 * Code splitting keeps main.ts's per-command dynamic imports lazy (a command still loads only
 * its own code), chunks sit beside the entries so that `new URL("./worker.js", import.meta.url)`
 * finds the worker from any chunk, and esbuild's output is a function of its input: same sources,
 * same bytes. Run by `npm run build` after gen-validators; run as a script only.
 */
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../src/util/paths.js";

const root = packageRoot();
const outdir = join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "dist/src/cli/main.js", worker: "dist/src/evaluate/worker.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunk-[hash]",
  // CommonJS dependencies (commander, yaml) call require() for Node's modules: an ES module has none.
  banner: { js: 'import { createRequire as __lmucCreateRequire } from "node:module"; const require = __lmucCreateRequire(import.meta.url);' },
  legalComments: "none",
  logLevel: "warning",
});
