/**
 * How bin/lmuc.js runs the bundled command line (dist/bundle/cli.cjs, scripts/bundle.ts): one
 * CommonJS script compiled with V8's code cache (src/util/code-cache.ts). Measured on the bench
 * VM against the ES-module bundle it replaced (38 chunk files), 8 interleaved fresh processes:
 * `lmuc compile` of lmu-memory q=8 0.815 s → 0.79 s as one script → 0.76 s with the cache
 * (medians).
 */
import { requireWithCodeCache } from "../util/code-cache.js";

type Main = (argv: string[]) => Promise<number>;

/** The `main` export of the CommonJS bundle `bundle`, loaded through its code cache. */
export function loadBundledMain(bundle: string): Main {
  const exports = requireWithCodeCache(bundle) as { main?: Main };
  if (typeof exports.main !== "function") throw new Error(`${bundle} does not export main: run npm run build`);
  return exports.main;
}
