import { parallelJobs, withParallelMinWork } from "../math/parallel.js";
import { Rng } from "../util/rng.js";
import { sphericalAnglePpf, wallisIntegrals } from "./samplers.js";
import { sphericalAnglePpfBatch } from "./spherical-batch.js";

describe("sphericalAnglePpfBatch", () => {
  it("returns exactly sphericalAnglePpf's angle for every point (0 of 4,340 differ, edge u included)", () => {
    // Expected 0 mismatches: the batch performs the scalar version's operations in its order,
    // only interleaved across points; the encoders and eval points (and so the pinned build
    // hashes) depend on these bits.
    const rng = new Rng(12);
    let mismatches = 0;
    for (const m of [1, 2, 3, 7, 40, 253, 254]) {
      const wallis = wallisIntegrals(m);
      const u = new Float64Array(620);
      for (let i = 0; i < u.length; i++) u[i] = rng.uniform();
      u.set([0, 0.5, 1 - 1e-17, 1e-300, 0.25, 0.75, 1e-9, 1 - 1e-9, 0.4999999999999999, 0.5000000000000001], 0);
      const out = new Float64Array(u.length);
      sphericalAnglePpfBatch(m, u, wallis, out);
      for (let i = 0; i < u.length; i++) if (!Object.is(out[i], sphericalAnglePpf(m, u[i], wallis))) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it("gives the same angles with half of the points (their whole Newton iterations) on the helper thread (0 of 620 differ)", () => {
    // Each point's iteration is independent of the others, and the helper runs the same function
    // (sent as its source text), so which thread runs it changes no bit.
    const m = 200, wallis = wallisIntegrals(m), rng = new Rng(13);
    const u = Float64Array.from({ length: 620 }, () => rng.uniform());
    const out = new Float64Array(u.length);
    const before = parallelJobs();
    let mismatches = 0;
    // Until the helper has taken part (it may be slow to wake), at most 20 times.
    for (let r = 0; r < 20 && parallelJobs() === before; r++) {
      withParallelMinWork(0, () => sphericalAnglePpfBatch(m, u, wallis, out));
      for (let i = 0; i < u.length; i++) if (!Object.is(out[i], sphericalAnglePpf(m, u[i], wallis))) mismatches++;
    }
    expect(parallelJobs()).toBeGreaterThan(before);
    expect(mismatches).toBe(0);
  });
});
