/**
 * How bin/lmuc.js runs the bundled command line (dist/bundle/cli.cjs, scripts/bundle.ts): as one
 * CommonJS script compiled with V8's code cache, so a command starts from the bytecode of the
 * functions an earlier run compiled instead of parsing and compiling them again. Measured on the
 * bench VM against the ES-module bundle it replaces (38 chunk files), interleaved fresh processes:
 * `lmuc compile` of lmu-memory q=8 0.80–0.85 s → 0.74–0.79 s; about half from loading one
 * file instead of a module graph, half from the cache. Node 22's module.enableCompileCache does
 * this for ES modules; Node 20, which we support, has only vm.Script's cachedData.
 *
 * The cache is written by `npm run build` beside the bundle (a compile of an example, so the
 * functions a compile runs are in it). V8 refuses a cache made by another Node version or with
 * other flags (the script then compiles as without one); the command then writes its own to the
 * temporary directory at exit, keyed by Node version and the bundle's size and time, and later
 * commands use that. A cache never changes what a command computes, only how fast it starts.
 * LMUC_CODE_CACHE=off runs without one; =write (the build) rewrites the one beside the bundle.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import vm from "node:vm";

type Main = (argv: string[]) => Promise<number>;

/** Where this process reads and writes code caches for `bundle`: beside it (shipped), and the per-user fallback. */
export function codeCachePaths(bundle: string): { shipped: string; local: string } {
  const st = statSync(bundle);
  const key = `${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}`.replace(/[^A-Za-z0-9.-]/g, "_");
  return { shipped: `${bundle}.cache`, local: join(tmpdir(), `lmuc-code-cache-${key}`) };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes via a temporary file and a rename, so a reader never sees half a cache; failures (read-only folders) are ignored. */
function writeQuietly(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch {
    // No cache next time: the command itself is unaffected.
  }
}

/** Loads the CommonJS bundle `bundle` (its `main` export) through the code cache. */
export function loadBundledMain(bundle: string): Main {
  const mode = process.env.LMUC_CODE_CACHE;
  const source = readFileSync(bundle, "utf8");
  const paths = mode === "off" ? undefined : codeCachePaths(bundle);
  // A local cache exists only where the shipped one was refused: it goes first.
  const cachedData = paths && mode !== "write" ? (readIfPresent(paths.local) ?? readIfPresent(paths.shipped)) : undefined;
  // The bundle has no import() left (esbuild inlines them), but a script without a loader for
  // one would throw; the main context's loader is there from Node 20.12.
  const loader = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
    ...(loader ? { importModuleDynamically: loader as never } : {}),
  });
  const module = { exports: {} as { main?: Main } };
  const init = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  init.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  if (paths && (mode === "write" || cachedData === undefined || script.cachedDataRejected === true)) {
    // At exit: the functions this command compiled are then in the cache too.
    const target = mode === "write" ? paths.shipped : paths.local;
    process.once("exit", () => writeQuietly(target, script.createCachedData()));
  }
  if (typeof module.exports.main !== "function") throw new Error(`${bundle} does not export main: run npm run build`);
  return module.exports.main;
}
