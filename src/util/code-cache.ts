/**
 * CommonJS files run as scripts with V8's code cache, so a process starts from the bytecode an
 * earlier run compiled instead of parsing and compiling the file again. Used for the bundled
 * command line (src/cli/launch.ts) and the generated schema validators (schema-validator.ts:
 * network.cjs and target.cjs, 0.7 MB of generated code, took ~60 ms of every compile to load
 * and first run). Node 22's module.enableCompileCache does this for any module; Node 20, which
 * we support, has only vm.Script's cachedData.
 *
 * A file's cache sits beside it (`<file>.cache`, written by `npm run build`, which runs a compile
 * with LMUC_CODE_CACHE=write). V8 refuses a cache made by another Node version or with other
 * flags; the file then compiles as without one, and the process writes its own cache to the
 * temporary directory at exit, keyed by Node version, flags and the file's size and time, which
 * later processes read first. A cache never changes what runs, only how fast it starts.
 * LMUC_CODE_CACHE=off: no cache read or written.
 */
import { createHash } from "node:crypto";
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import vm from "node:vm";

/** The modification time of `file` (ms), or undefined if it cannot be read. */
function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Where caches for `file` are read and written: beside it (shipped), and this Node's own. */
export function codeCachePaths(file: string, st: { size: number; mtimeMs: number } = statSync(file)): { shipped: string; local: string } {
  const key = createHash("sha256")
    .update([process.version, process.arch, process.execArgv.join(" "), process.env.NODE_OPTIONS ?? "", st.size, Math.floor(st.mtimeMs), file].join("\n"))
    .digest("hex")
    .slice(0, 20);
  return { shipped: `${file}.cache`, local: join(tmpdir(), `lmuc-code-cache-${basename(file)}-${key}`) };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Through a temporary file and a rename, so no reader sees half a cache; failures (read-only folders) are ignored. */
function writeQuietly(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch {
    // No cache next time; what ran is unaffected.
  }
}

/** module.exports of CommonJS file `file`, compiled with its code cache (see above). */
export function requireWithCodeCache(file: string): unknown {
  const mode = process.env.LMUC_CODE_CACHE;
  const source = readFileSync(file, "utf8");
  const st = statSync(file);
  const paths = mode === "off" ? undefined : codeCachePaths(file, st);
  // A local cache exists only where the shipped one was refused or missing: it goes first. V8
  // checks a cache against its source's length only, so a shipped cache older than its file (the
  // file regenerated since the build wrote the cache) is not used: it may hold another source's
  // code. (npm gives every file of a package the same time: equal times pass.)
  const shippedCurrent = paths !== undefined && (mtimeOf(paths.shipped) ?? -Infinity) >= st.mtimeMs;
  const cachedData = paths && mode !== "write" ? (readIfPresent(paths.local) ?? (shippedCurrent ? readIfPresent(paths.shipped) : undefined)) : undefined;
  // Our files have no import(), but a script without a loader for one would throw; the main
  // context's loader is there from Node 20.12.
  const loader = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    ...(loader ? { importModuleDynamically: loader as never } : {}),
  });
  const module = { exports: {} as unknown };
  const init = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  init.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if (paths && (mode === "write" || cachedData === undefined || script.cachedDataRejected === true)) {
    // At exit: the functions this process compiled are then in the cache too.
    const target = mode === "write" ? paths.shipped : paths.local;
    process.once("exit", () => writeQuietly(target, script.createCachedData()));
  }
  return module.exports;
}
