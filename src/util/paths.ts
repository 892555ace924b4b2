/**
 * Locates files that ship with the package (schemas, targets), from source, dist or an install.
 * They are found from this module's own location, never from process.argv[1] or the working
 * directory: a project that installed lmuc runs its own script from its own folder.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

function isRoot(dir: string): boolean {
  return existsSync(join(dir, "schemas", "network.schema.json")) && existsSync(join(dir, "package.json"));
}

/** The folder holding package.json and schemas/: the nearest such folder above this module (src/util or dist/src/util). */
export function packageRoot(): string {
  if (root) return root;
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (isRoot(dir)) return (root = dir);
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find the lmuc package root (the folder with schemas/network.schema.json) above ${here}; the installed package is incomplete`);
}

export function schemaPath(name: string): string {
  return join(packageRoot(), "schemas", name);
}
