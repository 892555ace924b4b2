/**
 * Issue 14 item 2: the two partition rules that fit the psMNIST memory on one chip change no sum
 * the chip computes. Shared input axons (pres with identical rows, a decode row's levels, send to
 * one axon: every spike still delivers the row) and merged decode posts (an LMU's per-dimension
 * ensembles partitioned as one block, one row per hub compartment per core) are switched off and
 * on for the same quantized network: the emulated probes are bit for bit the same over 300 steps,
 * while the merged build needs fewer input axons and output axons.
 */
import { loadNetworkObject } from "../../src/api.js";
import { compileNetwork } from "../../src/compile.js";
import { HardwareRun } from "../../src/emulator/runner.js";
import type { HostProgram } from "../../src/ir/host.js";
import type { QuantizedNetwork } from "../../src/ir/quantized.js";
import { verifyChip } from "../../src/ir/verify-core.js";
import { partition, type PartitionOptions } from "../../src/partition/index.js";
import { loadTarget } from "../../src/target/target.js";
import { lmuMemory } from "../../bench/networks.js";

const loihi1 = loadTarget("loihi1");

function emulate(q: QuantizedNetwork, host: HostProgram, opts: PartitionOptions, steps: number): { probes: Float64Array[]; inAxons: number; outAxons: number; cores: number } {
  const p = partition(q, loihi1, opts);
  expect(verifyChip(p.chip, loihi1)).toEqual([]);
  const placements = host.placements.map((pl) => ({ ...pl, segments: p.placements.find((b) => b.block === pl.ensemble)!.segments }));
  const run = new HardwareRun(p.chip, { ...host, placements }, { expectedSteps: steps, overflow: "error" });
  run.run(steps);
  return {
    probes: run.probeResults().map((r) => Float64Array.from(r.data)),
    inAxons: p.chip.cores.reduce((s, c) => s + c.inputAxons.length, 0),
    outAxons: p.chip.cores.reduce((s, c) => s + c.outputAxons.length, 0),
    cores: p.chip.cores.length,
  };
}

test("an order-6 per-dimension LMU with its recurrence on chip (a 6-row hub into 6 ensembles): probes identical with and without shared axons and merged posts; the hub's levels share input axons", () => {
  const net = loadNetworkObject(lmuMemory(6, 30, "per-dimension"), "examples/lmu-memory.yaml");
  let q: QuantizedNetwork | undefined;
  const r = compileNetwork(net, loihi1, { decodeNeurons: "always", calibrationSteps: 300, onPass: (name, ir) => { if (name === "quantize") q = ir as QuantizedNetwork; } });
  expect(r.report.decodeHubs).toMatchObject([{ path: "chip", decodeBlocks: 1 }]);
  const steps = 300;
  const plain = emulate(q!, r.host, { mergeDecodePosts: false, shareRows: false }, steps);
  const shared = emulate(q!, r.host, { mergeDecodePosts: false }, steps);
  const both = emulate(q!, r.host, {}, steps);
  expect(plain.probes.length).toBeGreaterThan(0);
  expect(plain.probes.some((p) => p.some((v) => v !== 0))).toBe(true);
  for (const other of [shared, both]) other.probes.forEach((p, k) => expect(Array.from(p)).toEqual(Array.from(plain.probes[k])));
  // The hub's 6 rows × 8 levels reach each of the 6 ensembles: 48 axons each unshared, 12 shared
  // (on, off per row); the hub's own feedback and other decode paths share theirs too (405 measured).
  expect(plain.inAxons - shared.inAxons).toBeGreaterThanOrEqual(6 * (48 - 12));
  // Merged, a hub compartment sends one spike per core instead of one per ensemble.
  expect(both.outAxons).toBeLessThan(shared.outAxons);
}, 60_000);
