/**
 * ajv validators of the shipped JSON Schemas (schemas/*.schema.json). Compiling a schema with ajv
 * costs every command ~0.1–0.2 s (the network schema) before any work, plus loading ajv itself,
 * so `npm run build` writes each validator ahead of time as standalone code
 * (dist/validators/<name>.cjs, scripts/gen-validators.ts): the same generated function ajv would
 * compile at run time, with the same options, so the same errors (paths, messages, params).
 * A generated validator is used only when it was made from the schema file as it is now (it holds
 * the schema's text); otherwise — a source checkout without a build, an edited schema — ajv
 * compiles the schema here, as before.
 *
 * In the generated code every schema object the errors point to (`schema`, `parentSchema` with
 * `verbose`) is a part of the one `rootSchema` it exports, as with run-time compilation, where
 * they are parts of the parsed schema: callers that tell oneOf branches apart by object identity
 * resolve their `$ref`s in `rootSchema`.
 */
import type { Options, ValidateFunction } from "ajv";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { requireWithCodeCache } from "./code-cache.js";
import { join } from "node:path";
import { packageRoot, schemaPath } from "./paths.js";

/** ajv's options for every shipped schema, at run time and in the generated code alike. */
export const SCHEMA_AJV_OPTIONS: Options = {
  allErrors: true,
  strict: false,
  // verbose: errors carry the failing value (for "got …") and their schema (to tell oneOf branches apart).
  verbose: true,
  // Unoptimized generated code validates the same and compiles in about half the time (the fallback pays it).
  code: { optimize: false },
};

export interface SchemaValidator {
  readonly validate: ValidateFunction;
  /** The schema the validator checks; errors' `schema`/`parentSchema` objects are parts of it. */
  readonly rootSchema: object;
  /** Whether the validator came from dist/validators (false: compiled by ajv in this process). */
  readonly generated: boolean;
}

/** Where `npm run build` writes the standalone validator of `schemas/<name>`. */
export function generatedValidatorPath(name: string): string {
  return join(packageRoot(), "dist", "validators", name.replace(/\.schema\.json$/, "") + ".cjs");
}

/** What a generated validator module exports (CommonJS: loaded synchronously, like ajv itself). */
interface GeneratedModule {
  (data: unknown): boolean;
  schemaText?: string;
  rootSchema?: object;
}

const require = createRequire(import.meta.url);
const cache = new Map<string, SchemaValidator>();

/** The validator of `schemas/<name>` (e.g. "network.schema.json"), made once per process. */
export function schemaValidator(name: string): SchemaValidator {
  const hit = cache.get(name);
  if (hit) return hit;
  const text = readFileSync(schemaPath(name), "utf8");
  let made: SchemaValidator | undefined;
  const file = generatedValidatorPath(name);
  if (existsSync(file)) {
    const mod = requireWithCodeCache(file) as GeneratedModule;
    // Made from another version of the schema (edited since the build): not this schema's checks.
    if (mod.schemaText === text && mod.rootSchema) made = { validate: mod as unknown as ValidateFunction, rootSchema: mod.rootSchema, generated: true };
  }
  made ??= compiledSchemaValidator(text);
  cache.set(name, made);
  return made;
}

/** A schema's validator compiled by ajv in this process (the fallback; tests compare it with the generated one). */
export function compiledSchemaValidator(schemaText: string): SchemaValidator {
  const { Ajv } = require("ajv") as typeof import("ajv");
  const rootSchema = JSON.parse(schemaText) as object;
  return { validate: new Ajv(SCHEMA_AJV_OPTIONS).compile(rootSchema), rootSchema, generated: false };
}
