/**
 * Issue 8, the API from another project: `npm pack` the package, install the tarball into a fresh
 * project outside the repository (offline), and run there, verbatim, the README's TypeScript API
 * snippet (load, simulate, compile, writeBuild, readBuild, emulate lmu-memory), the `lmuc` command,
 * and a type check of `import … from "lmuc"` against the shipped declarations.
 *
 * Offline: the package's runtime dependencies (ajv, yaml, commander) are linked from this repo's
 * node_modules before `npm install --offline <tgz>`; npm accepts them as installed and needs no
 * registry. Node resolves a linked package's own dependencies from its real path (the repo).
 *
 * Speed: packing uses the dist/ that `npm ci` / `npm run build` wrote, rebuilt first if any
 * source file is newer (about 20 s); `npm run test:pack` (LMUC_PACK_FULL=1) packs with npm's own
 * prepare step, as a publish would.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = process.cwd();
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const RUNTIME_DEPS = Object.keys(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).dependencies as Record<string, string>);

let tmp: string;
let project: string;

/** Newest modification time under `dir` of files whose name passes `keep`. */
function newest(dir: string, keep: (name: string) => boolean): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, keep));
    else if (keep(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function distIsCurrent(): boolean {
  const index = join(REPO, "dist", "src", "index.js");
  if (!existsSync(index)) return false;
  const sources = newest(join(REPO, "src"), (n) => n.endsWith(".ts") && !n.endsWith(".test.ts"));
  return newest(join(REPO, "dist", "src"), (n) => n.endsWith(".js")) >= sources;
}

function run(cmd: string, args: string[], cwd: string): { code: number; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-pack-"));
  const full = process.env.LMUC_PACK_FULL === "1";
  if (!full && !distIsCurrent()) execFileSync(NPM, ["run", "build"], { cwd: REPO, stdio: "pipe" });
  const packed = JSON.parse(execFileSync(NPM, ["pack", "--json", "--pack-destination", tmp, ...(full ? [] : ["--ignore-scripts"])], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as { filename: string }[];
  const tgz = join(tmp, packed[0].filename);

  project = join(tmp, "consumer");
  mkdirSync(join(project, "node_modules"), { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }, null, 2));
  for (const dep of RUNTIME_DEPS) symlinkSync(join(REPO, "node_modules", dep), join(project, "node_modules", dep), "dir");
  const r = run(NPM, ["install", "--offline", "--no-audit", "--no-fund", tgz], project);
  if (r.code !== 0) throw new Error(`npm install --offline of the packed tarball failed (exit ${r.code}):\n${r.err}`);
  // The README's snippet reads examples/lmu-memory.yaml from the working directory: the shipped copy.
  mkdirSync(join(project, "examples"));
  writeFileSync(join(project, "examples", "lmu-memory.yaml"), readFileSync(join(project, "node_modules", "lmuc", "examples", "lmu-memory.yaml")));
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed package installed into another project", () => {
  test("the tarball ships the compiled API, its declarations, the schemas and targets, and no tests", () => {
    const pkg = join(project, "node_modules", "lmuc");
    for (const f of ["dist/src/index.js", "dist/src/index.d.ts", "schemas/network.schema.json", "targets/loihi1.yaml", "bin/lmuc.js"]) expect({ f, present: existsSync(join(pkg, f)) }).toEqual({ f, present: true });
    expect(existsSync(join(pkg, "test"))).toBe(false);
    expect(existsSync(join(pkg, "src"))).toBe(false);
  });

  test("the README's API snippet runs there verbatim: 2000 float steps, a build of 5 files, 2000 emulated steps", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    const snippet = /## The TypeScript API\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toContain('from "lmuc"');
    // What the snippet computed, for the assertions below (its consts are module-scope).
    const report = `\nconsole.log(JSON.stringify({ floatSteps: result.steps, floatProbes: result.probes.map((p) => [p.id, p.rows]), cores: compiled.chip.cores.length, loadedCores: b.chip.cores.length, emulated: run.stats().steps, emuProbes: run.probeResults().map((p) => [p.id, p.rows]) }));\n`;
    writeFileSync(join(project, "snippet.mjs"), snippet + report);
    const r = run(process.execPath, ["snippet.mjs"], project);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out.trim().split("\n").pop()!);
    // lmu-memory probes its 4-dimensional state and its input every step: 2000 rows each.
    expect(got.floatSteps).toBe(2000);
    expect(got.floatProbes.map((p: [string, number]) => p[1])).toEqual(got.floatProbes.map(() => 2000));
    expect(got.loadedCores).toBe(got.cores);
    expect(got.cores).toBeGreaterThanOrEqual(1);
    expect(got.emulated).toBe(2000);
    expect(got.emuProbes).toEqual(got.floatProbes);
    expect(readdirSync(join(project, "out", "mem")).sort()).toEqual(["chip.yaml", "cores.bin", "host.json", "manifest.json", "report.json"]);
  });

  test("the installed lmuc command finds its schemas from its own location, whatever the working directory", () => {
    const bin = join(project, "node_modules", "lmuc", "bin", "lmuc.js");
    const r = run(process.execPath, [bin, "validate", resolve(project, "examples", "lmu-memory.yaml")], tmpdir());
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: .*lmu-memory\.yaml: 'lmu-memory' with/);
  });

  test("TypeScript in the other project type-checks against the shipped declarations (exports → types)", () => {
    writeFileSync(
      join(project, "check.ts"),
      [
        'import { compile, loadNetworkObject, loadTarget, type CompileResult, type NetworkIR } from "lmuc";',
        'const net: NetworkIR = loadNetworkObject({ name: "t", nodes: { u: { output: 0.5 } }, ensembles: { e: { n_neurons: 10, dimensions: 1 } }, connections: [{ from: "u", to: "e" }] });',
        'const r: CompileResult = compile(net, loadTarget("loihi1"));',
        "const cores: number = r.chip.cores.length;",
        "// @ts-expect-error: the API is typed; a string is not a network",
        'compile("net.yaml", loadTarget("loihi1"));',
        "export { cores };",
        "",
      ].join("\n"),
    );
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    const args = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "--typeRoots", join(REPO, "node_modules", "@types"), "--types", "node", "check.ts"];
    const r = run(process.execPath, [tsc, ...args], project);
    expect(r.out + r.err).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("inside the repository", () => {
  test('`import … from "lmuc"` resolves to the package itself through its exports', () => {
    const r = run(process.execPath, ["--input-type=module", "-e", 'const m = await import("lmuc"); console.log(typeof m.compile, typeof m.readBuild, typeof m.HardwareRun);'], REPO);
    expect(r.err).toBe("");
    expect(r.out.trim()).toBe("function function function");
  });
});
