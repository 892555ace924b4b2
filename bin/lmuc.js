#!/usr/bin/env node
// The bundled command line (scripts/bundle.ts: one CommonJS file instead of ~150 modules), started
// through V8's code cache (src/cli/launch.ts).
import { fileURLToPath } from "node:url";
import { loadBundledMain } from "../dist/src/cli/launch.js";

const main = loadBundledMain(fileURLToPath(new URL("../dist/bundle/cli.cjs", import.meta.url)));
main(process.argv).then((code) => { process.exitCode = code; });
