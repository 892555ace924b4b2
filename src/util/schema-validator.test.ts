/**
 * The validators `npm run build` generates (scripts/gen-validators.ts) must report exactly what
 * ajv compiling the schema at run time reports: the same errors in the same order, with the same
 * paths, params, values and schema objects, since the frontend's messages and its choice among
 * oneOf branches are made from them. Here both are made from the schema files as they are now and
 * run on many bad documents: every test/errors file, and every leaf of the examples, targets and
 * a build's host.json and report.json replaced by values of the wrong kind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { ErrorObject, ValidateFunction } from "ajv";
import { validatorModule } from "../../scripts/gen-validators.js";
import { loadNetworkFile } from "../api.js";
import { writeBuild } from "../build.js";
import { compileNetwork } from "../compile.js";
import { loadTarget } from "../target/target.js";
import { compiledSchemaValidator } from "./schema-validator.js";

const require = createRequire(import.meta.url);

function generated(schemaText: string): { validate: ValidateFunction; rootSchema: object } {
  const module = { exports: {} as Record<string, unknown> };
  new Function("module", "exports", "require", validatorModule(schemaText))(module, module.exports, require);
  return { validate: module.exports as unknown as ValidateFunction, rootSchema: module.exports.rootSchema as object };
}

/** Every object and array inside `root`, by identity. */
function partsOf(root: unknown, set = new Set<unknown>()): Set<unknown> {
  if (typeof root === "object" && root !== null && !set.has(root)) {
    set.add(root);
    for (const v of Object.values(root)) partsOf(v, set);
  }
  return set;
}

const WRONG: readonly unknown[] = ["x", -1, 0.5, null, [], {}, { dist: "nope" }, true];

/** The document with one leaf replaced, for every leaf and every wrong value (capped for speed). */
function mutations(doc: unknown, limit: number): unknown[] {
  const out: unknown[] = [];
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node !== "object" || node === null) return void paths.push(path);
    for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
    if (path.length > 0) paths.push(path);
  };
  walk(doc, []);
  paths.forEach((path, i) => {
    const value = WRONG[i % WRONG.length];
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    let node = copy;
    for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
    out.push(copy);
  });
  return out.slice(0, limit);
}

function errorsOf(validate: ValidateFunction, doc: unknown): readonly ErrorObject[] {
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}

function checkSame(schema: string, docs: readonly unknown[]): { documents: number; failing: number } {
  const text = readFileSync(join("schemas", schema), "utf8");
  const gen = generated(text);
  const ref = compiledSchemaValidator(text);
  const parts = partsOf(gen.rootSchema);
  let failing = 0;
  for (const doc of docs) {
    const a = errorsOf(gen.validate, doc);
    const b = errorsOf(ref.validate, doc);
    expect(a).toEqual(b);
    // Identity: branch-telling in frontend/schema.ts walks rootSchema for these very objects.
    for (const e of a) expect({ schemaPath: e.schemaPath, inRoot: parts.has(e.parentSchema) }).toEqual({ schemaPath: e.schemaPath, inRoot: true });
    if (a.length > 0) failing++;
  }
  return { documents: docs.length, failing };
}

const yamlIn = (dir: string): unknown[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => {
      try {
        return [parse(readFileSync(join(dir, f), "utf8")) as unknown];
      } catch {
        return []; // the YAML syntax error case: nothing for a schema to see
      }
    });

describe("generated schema validators", () => {
  test("network schema: test/errors, the examples and their mutations give the same errors as ajv at run time", () => {
    const examples = yamlIn("examples");
    const docs = [...yamlIn(join("test", "errors")), ...examples, ...examples.flatMap((d) => mutations(d, 150))];
    const r = checkSame("network.schema.json", docs);
    // 401 documents today (5 valid examples, their mutations, the error files), 340 rejected: the
    // comparison covers many kinds of error, not just valid files.
    expect(r.documents).toBeGreaterThan(300);
    expect(r.failing).toBeGreaterThan(r.documents / 2);
  });

  test("target schema: the shipped targets and their mutations give the same errors", () => {
    const targets = yamlIn("targets");
    const r = checkSame("target.schema.json", [...targets, ...targets.flatMap((d) => mutations(d, 200))]);
    // 212 documents today, 202 rejected.
    expect(r.documents).toBeGreaterThan(100);
    expect(r.failing).toBeGreaterThan(r.documents / 2);
  });

  test("host and report schemas: a compiled build's files and their mutations give the same errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "lmuc-validators-"));
    try {
      const file = join("test", "golden", "small-lmu.yaml");
      const target = loadTarget("loihi1");
      writeBuild(dir, compileNetwork(loadNetworkFile(file), target), target, { file });
      for (const name of ["host", "report"]) {
        const doc = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as unknown;
        const r = checkSame(`${name}.schema.json`, [doc, ...mutations(doc, 150)]);
        // 151 documents each (the build's own file is valid); today 128 (host) and 55 (report, whose
        // statistics accept most numbers) are rejected.
        expect(r.documents).toBe(151);
        expect(r.failing).toBeGreaterThan(name === "host" ? 100 : 40);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
