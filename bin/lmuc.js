#!/usr/bin/env node
// The bundled command line (scripts/bundle.ts: one module graph instead of ~150 files to load).
import { main } from "../dist/bundle/main.js";
main(process.argv).then((code) => { process.exitCode = code; });
