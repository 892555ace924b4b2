/**
 * The pass pipeline, in one place. Each pass is a pure function from one IR to the next; the
 * runner verifies the output of every pass and can hand every intermediate IR to a callback
 * (for `lmuc ir` and `--dump-ir-after`).
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { BuiltNetwork } from "../ir/built.js";
import type { NetworkIR } from "../ir/network.js";
import { verifyBuilt, verifyNetwork } from "../ir/verify.js";
import { buildNef, type RateCurveFor } from "./build-nef.js";
import { expandLmus } from "./expand-lmu.js";

export type StageIR = NetworkIR | BuiltNetwork;

export interface PassInfo {
  readonly name: string;
  readonly description: string;
}

export const FLOAT_PASSES: readonly PassInfo[] = [
  { name: "frontend", description: "YAML → checked NetworkIR" },
  { name: "expand-lmu", description: "LMU blocks → nodes, ensembles and connections; legendre readouts → transforms" },
  { name: "build-nef", description: "draw parameters, gains and biases, solve decoders → BuiltNetwork" },
];

/** Stops compilation with LMU9001 when a pass produced IR its verifier rejects. */
export function check(name: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new DiagnosticError([diag("LMU9001", `IR verification failed after '${name}': ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ""}`)]);
  }
}

export function runFloatPipeline(net: NetworkIR, onPass?: (name: string, ir: StageIR) => void, opts: { rateCurveFor?: RateCurveFor } = {}): BuiltNetwork {
  check("frontend", verifyNetwork(net));
  onPass?.("frontend", net);
  const expanded = expandLmus(net);
  check("expand-lmu", verifyNetwork(expanded));
  onPass?.("expand-lmu", expanded);
  const built = buildNef(expanded, opts);
  check("build-nef", verifyBuilt(built));
  onPass?.("build-nef", built);
  return built;
}
