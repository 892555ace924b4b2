/**
 * Issue 9: the source is layered, and the layers are declared here. Every import in src/ (type
 * imports included: they couple as much as value imports) must point to the same or a lower
 * layer, and the units (folders, or the files named below) must not import each other in a loop.
 * Add a folder or file to a layer when you add one (the test fails on a unit it does not know).
 *
 * Layers, lowest first, and why each sits where it does:
 *   foundation  generic helpers with no knowledge of networks or hardware
 *   numerics    neuron models, NEF sampling and solving, LMU matrices: maths the IR names
 *   target-model a target's types and its memory cost model, which the IR verifiers price by
 *   ir          the IRs and their verifiers and printers (plain typed data)
 *   frontend    network files (and imported models) → NetworkIR; the target file loader, which
 *               reuses the frontend's located parsing
 *   simulation  the float simulator, and the chip emulator (which runs the host part on it)
 *   partition   QuantizedNetwork → ChipConfig (a pass, below the pass list that runs it)
 *   passes      every compiler pass and the pipelines that list and run them
 *   backends    ChipConfig ↔ files (cores.bin, chip.yaml, build folders)
 *   drivers     compile, build folders, the library API: passes and backends put together
 *   tools       compare and verify, which drive the drivers
 *   entry       the command line and the package index
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const LAYERS: readonly (readonly string[])[] = [
  ["util", "diagnostics", "math", "io", "signals", "version.ts", "compare/metrics.ts"],
  ["neurons", "nef", "lmu"],
  ["target/types.ts", "target/cost.ts"],
  ["ir"],
  // importers/ (trained-model import) produces NetworkIR like the frontend.
  ["frontend", "importers", "target"],
  ["sim", "emulator"],
  ["partition"],
  ["passes"],
  ["backends"],
  ["compile.ts", "build.ts", "api.ts"],
  ["compare", "verify", "evaluate"],
  ["cli", "index.ts"],
];

/**
 * Known uphill imports, each with its reason; the test fails when one disappears (delete it here
 * then), so this list can only shrink.
 */
const ALLOWED: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [
  { from: "nef/functions.ts", to: "ir/network.ts", why: "FunctionSpec (a type) is declared with the IR but evaluated by nef; moving it to nef/ touches the shared ir/network.ts" },
];

const SRC = resolve("src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Every relative import of a file (static, re-export, type-only, dynamic), as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, ".ts"));
}

/** The unit a src-relative path belongs to: the longest declared file or folder containing it. */
function unitOf(path: string): string | undefined {
  let best: string | undefined;
  for (const layer of LAYERS) for (const u of layer) if ((path === u || path.startsWith(`${u}/`)) && (!best || u.length > best.length)) best = u;
  return best;
}

const layerOf = new Map(LAYERS.flatMap((units, i) => units.map((u) => [u, i] as const)));

const edges: { from: string; to: string; fromUnit: string; toUnit: string }[] = [];
const unknown: string[] = [];
for (const file of sourceFiles(SRC)) {
  const from = relative(SRC, file);
  const fromUnit = unitOf(from);
  if (!fromUnit) unknown.push(from);
  for (const to of importsOf(file)) {
    const toUnit = unitOf(to);
    if (!toUnit) unknown.push(`${to} (imported by ${from})`);
    if (fromUnit && toUnit && fromUnit !== toUnit) edges.push({ from, to, fromUnit, toUnit });
  }
}
const allowed = (e: { from: string; to: string }): boolean => ALLOWED.some((a) => a.from === e.from && a.to === e.to);

describe("layers", () => {
  test("the scan sees the source: over 80 files and their imports", () => {
    // A broken import regex would make every other test here pass vacuously.
    expect(sourceFiles(SRC).length).toBeGreaterThan(80);
    expect(edges.length).toBeGreaterThan(200);
    expect(importsOf(join(SRC, "compile.ts"))).toContain("passes/pipeline.ts");
  });

  test("every file belongs to a declared layer", () => {
    expect(unknown).toEqual([]);
  });

  test("no import points to a higher layer", () => {
    const uphill = edges.filter((e) => layerOf.get(e.toUnit)! > layerOf.get(e.fromUnit)! && !allowed(e)).map((e) => `${e.from} → ${e.to}`);
    expect(uphill).toEqual([]);
  });

  test("every allowed exception still exists (the list only shrinks)", () => {
    for (const a of ALLOWED) expect(edges.some((e) => e.from === a.from && e.to === a.to)).toBe(true);
  });

  test("no loop between units", () => {
    const next = new Map<string, Set<string>>();
    for (const e of edges) if (!allowed(e)) next.set(e.fromUnit, (next.get(e.fromUnit) ?? new Set()).add(e.toUnit));
    const state = new Map<string, "open" | "done">();
    const loops: string[] = [];
    const visit = (u: string, path: string[]): void => {
      if (state.get(u) === "done") return;
      if (state.get(u) === "open") {
        loops.push([...path.slice(path.indexOf(u)), u].join(" → "));
        return;
      }
      state.set(u, "open");
      for (const v of [...(next.get(u) ?? [])].sort()) visit(v, [...path, u]);
      state.set(u, "done");
    };
    for (const u of [...next.keys()].sort()) visit(u, []);
    expect(loops).toEqual([]);
  });
});
