/** Locates files that ship with the package (schemas, targets), from source, dist or an install. */
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

let root: string | undefined;

function isRoot(dir: string): boolean {
  return existsSync(join(dir, "schemas", "network.schema.json")) && existsSync(join(dir, "package.json"));
}

/** The folder holding package.json and schemas/: found from the running script, then the working directory. */
export function packageRoot(): string {
  if (root) return root;
  const starts: string[] = [];
  if (process.argv[1]) {
    try {
      starts.push(dirname(realpathSync(process.argv[1])));
    } catch {
      /* argv[1] may not be a file (REPL, -e) */
    }
  }
  starts.push(process.cwd());
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (isRoot(dir)) return (root = dir);
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error("cannot find the lmuc package root (the folder with schemas/network.schema.json)");
}

export function schemaPath(name: string): string {
  return join(packageRoot(), "schemas", name);
}
