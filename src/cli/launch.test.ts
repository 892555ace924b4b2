/**
 * The code-cache launcher, in child processes (the cache is written at process exit): a tiny
 * CommonJS "bundle" is run through dist/src/cli/launch.js (built by npm test) with TMPDIR set to
 * a scratch folder, so the per-user cache lands there.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const launcher = pathToFileURL(join(process.cwd(), "dist", "src", "cli", "launch.js")).href;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lmuc-launch-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function bundle(): string {
  const file = join(dir, "cli.cjs");
  // A few functions, so V8 has bytecode to cache; main answers with its argument count.
  writeFileSync(file, "const sq = (x) => x * x;\nexports.main = async (argv) => { console.log('ran ' + sq(argv.length)); return 3; };\n");
  return file;
}

function run(file: string, env: Record<string, string> = {}): { stdout: string; status: number | null } {
  const code = `import(${JSON.stringify(launcher)}).then((m) => m.loadBundledMain(${JSON.stringify(file)})(["a", "b"])).then((c) => { process.exitCode = c; });`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { ...process.env, LMUC_CODE_CACHE: "", TMPDIR: dir, ...env } });
  return { stdout: r.stdout, status: r.status };
}

const localCaches = (): string[] => readdirSync(dir).filter((f) => f.startsWith("lmuc-code-cache-"));

describe("loadBundledMain", () => {
  it("runs the bundle's main, writes a local cache when there is none, then reads it without rewriting", () => {
    const file = bundle();
    // main returns 3 and prints 2² (two arguments): the exit code is the command's.
    expect(run(file)).toEqual({ stdout: "ran 4\n", status: 3 });
    expect(localCaches()).toHaveLength(1);
    const cache = join(dir, localCaches()[0]);
    const written = statSync(cache).mtimeMs;
    expect(run(file)).toEqual({ stdout: "ran 4\n", status: 3 });
    expect(statSync(cache).mtimeMs).toBe(written);
  });

  it("LMUC_CODE_CACHE=write writes the shipped cache beside the bundle, which later runs use", () => {
    const file = bundle();
    expect(run(file, { LMUC_CODE_CACHE: "write" }).status).toBe(3);
    expect(existsSync(`${file}.cache`)).toBe(true);
    expect(localCaches()).toEqual([]);
    // Accepted: nothing to write locally.
    expect(run(file).status).toBe(3);
    expect(localCaches()).toEqual([]);
  });

  it("a refused shipped cache (not V8's) still runs the command, and a local cache replaces it", () => {
    const file = bundle();
    writeFileSync(`${file}.cache`, Buffer.from("not a code cache"));
    expect(run(file)).toEqual({ stdout: "ran 4\n", status: 3 });
    expect(localCaches()).toHaveLength(1);
  });

  it("a shipped cache older than its file is not used: V8 would take a same-length source's code", () => {
    const file = join(dir, "cli.cjs");
    writeFileSync(file, "exports.main = async () => { console.log('ran A'); return 3; };\n");
    expect(run(file, { LMUC_CODE_CACHE: "write" })).toEqual({ stdout: "ran A\n", status: 3 });
    // The file regenerated after the cache, same length, other code.
    writeFileSync(file, "exports.main = async () => { console.log('ran B'); return 3; };\n");
    const later = statSync(`${file}.cache`).mtimeMs / 1000 + 60;
    utimesSync(file, later, later);
    expect(run(file)).toEqual({ stdout: "ran B\n", status: 3 });
  });

  it("LMUC_CODE_CACHE=off reads and writes no cache", () => {
    const file = bundle();
    expect(run(file, { LMUC_CODE_CACHE: "off" }).status).toBe(3);
    expect(localCaches()).toEqual([]);
    expect(existsSync(`${file}.cache`)).toBe(false);
  });
});
