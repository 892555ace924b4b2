/**
 * compare on a network without an LMU (issue 13): float and chip measured against the target a
 * probe states (`reference:`) and against the network's exact functions. In the long set: a
 * compile, an emulation and three float runs take 2-6 s (npm test is at its time limit).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkText } from "../api.js";
import { loadTarget } from "../target/target.js";
import { compareNetwork } from "./compare.js";
import { NET } from "../../test/helpers/reference-net.js";

test("compare measures float and chip against the stated target and against the network's exact functions", () => {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-ref-"));
  try {
    const report = compareNetwork(loadNetworkText(NET, "square-chain.yaml"), loadTarget("loihi1"), { steps: 1000, buildDir: join(dir, "b"), source: { file: "square-chain.yaml" } });
    const b = report.probes.find((p) => p.id === "b")!;
    expect(b.references!.map((r) => r.kind)).toEqual(["target want", "ideal functions"]);
    // 60 neurons computing x² from a 1 Hz sine: a few per cent off in float, the chip within 2× of it
    // (measured 0.06-0.09 float and 0.09-0.12 chip vs ideal functions at 2 s).
    const direct = b.references![1];
    expect(direct.nrmseFloat).toBeLessThan(0.2);
    expect(direct.nrmseEmulator).toBeLessThan(0.3);
    // A host node copying stim, measured against stim: the reference goes through the same
    // synapse (20 ms) and sampling (every 2 steps), so both runs match it exactly.
    const copy = report.probes.find((p) => p.id === "copy")!;
    expect(copy.references![0]).toEqual({ kind: "target stim", nrmseFloat: 0, nrmseEmulator: 0 });
    // The hidden reference probes are not reported as probes of their own.
    expect(report.probes.map((p) => p.id)).toEqual(["b", "copy"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
