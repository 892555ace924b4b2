/**
 * The sigma-delta decode block, run on the bit-exact emulator: its spikes must account for the
 * value it receives. Per row, Σ(on spikes − off spikes) counts quanta of Σ y·dt, so the running
 * difference between the quanta that arrived and the quanta that left stays bounded (by the L
 * levels of error plus one step's largest input) instead of drifting, for the whole run. Measured:
 * at most 1.7 quanta (bound 8) with 264 net quanta sent on row 0.
 */
import { loadNetworkText } from "../api.js";
import { compileNetwork } from "../compile.js";
import { HardwareRun } from "../emulator/runner.js";
import type { HwNetwork } from "../ir/hw.js";
import { loadTarget } from "../target/target.js";
import { DECODE_LEVELS, decodeCompartment } from "./decode-neurons.js";

const NET = `
lmuc: 1
name: decode-chain
dt: 0.001
seed: 11
nodes:
  stim:
    output: { kind: white-noise, period: 2, high: 5, rms: 0.5, seed: 3 }
ensembles:
  a: { n_neurons: 300, dimensions: 2, neuron: lif }
  b: { n_neurons: 300, dimensions: 2, neuron: lif }
connections:
  - { from: stim, to: "a[0]", synapse: 0.01 }
  - { from: a, to: b, synapse: 0.02, transform: [[0.5, 0.5], [1, -1]] }
probes:
  b: { target: b, synapse: 0.01 }
`;

test("every quantum a decode block receives leaves it as a spike: |received − sent| ≤ L + 1 + largest step input (in quanta) on every row for 3000 steps", () => {
  let hw: HwNetwork | undefined;
  const r = compileNetwork(loadNetworkText(NET, "decode-chain.yaml"), loadTarget("loihi1"), { decodeNeurons: "always", onPass: (name, ir) => void (name === "lower" ? (hw = ir as HwNetwork) : undefined) });
  const block = hw!.blocks.find((b) => b.integrator)!;
  expect(block.n).toBe(2 * 2 * DECODE_LEVELS);
  const input = hw!.groups.find((g) => g.post === block.id && g.pre.kind === "block" && g.pre.block === "a")!;
  const run = new HardwareRun(r.chip, r.host, { expectedSteps: 3000, overflow: "error" });
  // Global compartment index of the block's first compartment and of ensemble a's neurons.
  const base = (label: string): number => {
    let offset = 0;
    for (const core of r.chip.cores) {
      const b = core.blocks.find((x) => x.label === label);
      if (b) return offset + b.start;
      offset += core.nCompartments;
    }
    throw new Error(label);
  };
  const blockAt = base(block.id);
  expect(r.chip.cores.flatMap((c) => c.blocks).filter((b) => b.label === "a")).toHaveLength(1);
  const aAt = base("a");
  const received = [0, 0], sent = [0, 0], worst = [0, 0];
  let previous = new Int32Array(0);
  for (let step = 0; step < 3000; step++) {
    run.step();
    // What a's spikes of the previous step delivered into this step (float weights, in quanta,
    // leak gain included), against what the block fired this step.
    for (const n of previous) for (let r2 = 0; r2 < 2; r2++) received[r2] += input.weights.data[n * block.n + decodeCompartment(r2, 0)];
    const { indices, count } = run.emulator.spikedLastStep();
    const now: number[] = [];
    for (let j = 0; j < count; j++) {
      const c = indices[j] - blockAt;
      if (c >= 0 && c < block.n) sent[Math.floor(c / (2 * DECODE_LEVELS))] += c % 2 === 0 ? 1 : -1;
      const n = indices[j] - aAt;
      if (n >= 0 && n < 300) now.push(n);
    }
    previous = Int32Array.from(now);
    for (let r2 = 0; r2 < 2; r2++) worst[r2] = Math.max(worst[r2], Math.abs(received[r2] - sent[r2]));
  }
  for (let r2 = 0; r2 < 2; r2++) {
    const bound = block.uPeak[decodeCompartment(r2, 0)]; // L + 1 + peak step input, in quanta
    expect(Math.abs(sent[r2])).toBeGreaterThan(0);
    expect(worst[r2]).toBeLessThanOrEqual(bound);
  }
});
