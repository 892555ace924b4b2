/**
 * HardwareRun.reset(): lmuc evaluate runs thousands of sequences on one build and resets the run
 * between them instead of rebuilding the chip's tables (8–10 s on a 40-core build). A run after
 * reset() must equal a fresh run, bit for bit: lmu-memory, 300 steps, every probe value.
 */
import { loadNetworkFile } from "../api.js";
import { compileNetwork } from "../compile.js";
import { loadTarget } from "../target/target.js";
import { HardwareRun } from "./runner.js";

test("a run after reset() equals a fresh run (lmu-memory, 300 steps)", () => {
  const { chip, host } = compileNetwork(loadNetworkFile("examples/lmu-memory.yaml"), loadTarget("loihi1"), { calibrationSteps: 500 });
  const fresh = new HardwareRun(chip, host, { expectedSteps: 300 });
  fresh.run(300);
  const reused = new HardwareRun(chip, host, { expectedSteps: 300 });
  reused.run(123);
  reused.reset();
  reused.run(300);
  const a = fresh.probeResults(), b = reused.probeResults();
  expect(b.map((p) => p.id)).toEqual(a.map((p) => p.id));
  a.forEach((p, k) => expect(Array.from(b[k].data)).toEqual(Array.from(p.data)));
  expect(reused.stats().spikes).toBe(fresh.stats().spikes);
  expect(reused.stats().spikes).toBeGreaterThan(0);
});
