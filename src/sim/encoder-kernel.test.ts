/**
 * The float simulator's encoder mat-vec and event-driven W·a on the SIMD kernels (math/blas.ts
 * PackedMatVec, PackedRowSum) against the plain loops (plan.ts matVec, connectionOutput): an 8-d,
 * 800-neuron LMU memory (encoders and recurrence 800 × 8, above the kernel thresholds) run 300
 * steps both ways.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { build, loadNetworkObject, simulate } from "../api.js";
import { withoutKernels } from "../math/kernels.js";

test("encoder mat-vec on the SIMD kernel: every probe value bit-identical to the plain loop over 300 steps (0 differ)", () => {
  // Expected 0: the kernel sums each neuron's current in the loop's order (see blas.ts).
  const doc = parse(readFileSync("examples/lmu-memory.yaml", "utf8")) as { lmus: { mem: { order: number } } };
  doc.lmus.mem.order = 8;
  const built = build(loadNetworkObject(doc, "examples/lmu-memory.yaml"));
  const fast = simulate(built, 300).probes;
  const plain = withoutKernels(() => simulate(built, 300).probes);
  let differ = 0, nonzero = 0;
  fast.forEach((p, k) => p.data.forEach((v, i) => {
    if (!Object.is(v, plain[k].data[i])) differ++;
    if (Math.abs(v) > 1e-3) nonzero++;
  }));
  expect(differ).toBe(0);
  // The decoded state (300 steps × 8 dimensions) moves: the comparison is not of silence.
  expect(nonzero).toBeGreaterThan(1000);
});
