/**
 * Issue 3, golden configuration: test/golden/small-lmu.yaml (20 LIF neurons, a decoded recurrent
 * connection, a constant input node) compiled for loihi1 must emit exactly
 * test/golden/small-lmu.chip.yaml. Any change to quantization, partitioning, placement or the
 * emitter shows up here as a readable diff of registers.
 *
 * After an intended change, regenerate with   UPDATE_GOLDEN=1 node scripts/jest.mjs test/hardware/golden.test.ts
 * and review the diff before committing it. CI never sets UPDATE_GOLDEN.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadNetworkFile } from "../../src/api.js";
import { emitChip } from "../../src/backends/loihi/emit.js";
import { weightContribution } from "../../src/emulator/arith.js";
import { parseChipYaml } from "../../src/backends/loihi/load.js";
import { compileNetwork, type CompileResult } from "../../src/compile.js";
import { verifyChip } from "../../src/ir/verify-core.js";
import { loadTarget } from "../../src/target/target.js";

const NET = "test/golden/small-lmu.yaml";
const GOLDEN = "test/golden/small-lmu.chip.yaml";
const target = loadTarget("loihi1");

let result: CompileResult;
let chipYaml: string;
beforeAll(() => {
  result = compileNetwork(loadNetworkFile(NET), target);
  chipYaml = emitChip(result.chip, target).chipYaml;
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, chipYaml);
});

test("the emitted chip.yaml equals the golden file byte for byte", () => {
  expect(existsSync(GOLDEN)).toBe(true);
  const golden = readFileSync(GOLDEN, "utf8");
  if (chipYaml !== golden) {
    // Name the first differing line: a register diff is easier to read than two 10 kB strings.
    const a = golden.split("\n"), b = chipYaml.split("\n");
    const i = a.findIndex((line, k) => line !== b[k]);
    expect({ line: i + 1, emitted: b[i] }).toEqual({ line: i + 1, emitted: a[i] });
  }
  expect(chipYaml).toBe(golden);
});

test("the golden file reads back as the compiled configuration", () => {
  const parsed = parseChipYaml(readFileSync(GOLDEN, "utf8"), GOLDEN);
  expect(verifyChip(parsed, target)).toEqual([]);
  expect(parsed).toEqual(result.chip);
});

/**
 * What the golden configuration must say regardless of exact values, derived from the network:
 * dt = 1 ms; synapse 0.1 s → δu = 1 − e^−0.01 = 0.00995, du = round(4095·δu) − 1 = 40;
 * tau_rc 20 ms → δv = 1 − e^−0.05 = 0.0488, dv = round(4095·δv) = 200; tau_ref 2 ms → 2 steps
 * refractory, register 2 + 1 = 3.
 */
describe("the golden configuration makes sense", () => {
  test("one core of 20 compartments, one block 'mem' located in the network file", () => {
    expect(result.chip.cores).toHaveLength(1);
    const core = result.chip.cores[0];
    expect(core.nCompartments).toBe(20);
    expect(core.blocks).toEqual([{ label: "mem", start: 0, count: 20, source: "ensemble mem", origin: { file: NET, line: 15, column: 3, path: "/ensembles/mem" } }]);
    expect(result.report.partition).toMatchObject({ cores: 1, lowerBound: 1 });
  });

  test("one compartment profile: du 40, dv 200, refractory 3 steps", () => {
    expect(result.chip.cores[0].cxProfiles).toEqual([{ decayU: 40, decayV: 200, refractDelay: 3 }]);
  });

  test("22 input axons: 2 from the host's on/off encoder of 'drive', then one per neuron for the recurrent connection", () => {
    const core = result.chip.cores[0];
    expect(core.inputAxons).toHaveLength(22);
    expect(result.chip.inputs).toEqual([{ id: "c0/encoder", channels: 2, targets: [{ channel: 0, core: 0, axon: 0 }, { channel: 1, core: 0, axon: 1 }] }]);
    // The off channel's row is the on channel's row negated.
    const [on, off] = [core.synapseRows[core.inputAxons[0].row], core.synapseRows[core.inputAxons[1].row]];
    expect(Array.from(off.weights)).toEqual(Array.from(on.weights, (w) => -w));
    // Every neuron routes its spikes to its own recurrent axon: compartment k → axon k + 2.
    expect(core.outputAxons).toEqual(Array.from({ length: 20 }, (_, k) => ({ compartment: k, core: 0, axon: k + 2 })));
  });

  test("recurrent rows of a 1-D ensemble are multiples of one pattern (decoder_j · encoder_i · gain_i): same signs up to the row's sign", () => {
    const core = result.chip.cores[0];
    const rows = core.inputAxons.slice(2).map((a) => Array.from(core.synapseRows[a.row].weights));
    const sign = (x: number): number => Math.sign(x);
    for (const r of rows) {
      expect(r).toHaveLength(20);
      const s = sign(r.reduce((acc, w, i) => acc + w * rows[0][i], 0));
      expect(s).not.toBe(0);
      // Entries that round to zero carry no sign; all others agree with the first row's pattern.
      expect(r.every((w, i) => w === 0 || rows[0][i] === 0 || sign(w) === s * sign(rows[0][i]))).toBe(true);
    }
  });

  test("registers are in range: thresholds ≤ 17-bit mantissa, biases |mant| ≤ 4095 with exponents 0..7, weight fields even in ±254", () => {
    const core = result.chip.cores[0];
    expect(core.vthProfiles.length).toBeGreaterThanOrEqual(1);
    expect(core.vthProfiles.length).toBeLessThanOrEqual(7);
    for (const m of core.vthProfiles) expect(m >= 1 && m <= 2 ** 17 - 1).toBe(true);
    for (let c = 0; c < 20; c++) expect(Math.abs(core.biasMant[c]) <= 4095 && core.biasExp[c] <= 7).toBe(true);
    for (const r of core.synapseRows) for (const w of r.weights) expect(w % 2 === 0 && Math.abs(w) <= 254).toBe(true);
    expect(verifyChip(result.chip, target)).toEqual([]);
  });
});

/**
 * The decode-neuron golden: test/golden/small-decode.yaml (the same leaky integrator, its
 * recurrence through a sigma-delta decode block, compiled with decodeNeurons "always") must emit
 * exactly test/golden/small-decode.chip.yaml. Regenerate as above.
 */
describe("golden configuration with a decode block", () => {
  const DECODE_NET = "test/golden/small-decode.yaml";
  const DECODE_GOLDEN = "test/golden/small-decode.chip.yaml";
  let decoded: CompileResult;
  let yaml: string;
  beforeAll(() => {
    decoded = compileNetwork(loadNetworkFile(DECODE_NET), target, { decodeNeurons: "always" });
    yaml = emitChip(decoded.chip, target).chipYaml;
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(DECODE_GOLDEN, yaml);
  });

  test("the emitted chip.yaml equals the golden file byte for byte, and reads back as the compiled configuration", () => {
    expect(yaml).toBe(readFileSync(DECODE_GOLDEN, "utf8"));
    const parsed = parseChipYaml(yaml, DECODE_GOLDEN);
    expect(verifyChip(parsed, target)).toEqual([]);
    expect(parsed).toEqual(decoded.chip);
  });

  /**
   * Leak 1/256 → du = round(4095/256) − 1 = 15 (the chip keeps 4080/4096 of u per step); v follows
   * u: dv = 4095; no refractory. One power-of-two scale σ for the block: threshold σ/2, level ℓ's
   * bias −ℓ·σ, and every feedback weight ±σ exactly, so a spike's value is exact.
   */
  test("the decode block: 8 compartments, du 15, dv 4095, refractory 1; threshold σ/2, biases 0, −σ, −2σ, −3σ (on and off alike); feedback ±σ", () => {
    const core = decoded.chip.cores.find((c) => c.blocks.some((b) => b.label === "c1/decode"))!;
    const block = core.blocks.find((b) => b.label === "c1/decode")!;
    expect(block.count).toBe(8);
    const local = Array.from({ length: 8 }, (_, k) => block.start + k);
    const profiles = new Set(local.map((c) => JSON.stringify(core.cxProfiles[core.cxProfile[c]])));
    expect([...profiles]).toEqual([JSON.stringify({ decayU: 15, decayV: 4095, refractDelay: 1 })]);
    const vth = new Set(local.map((c) => core.vthProfiles[core.cxVthProfile[c]] * 64));
    expect(vth.size).toBe(1);
    const half = [...vth][0];
    const sigma = 2 * half;
    expect(Math.log2(sigma) % 1).toBe(0);
    const bias = local.map((c) => core.biasMant[c] * 2 ** core.biasExp[c]);
    expect(bias).toEqual([0, 0, -sigma, -sigma, -2 * sigma, -2 * sigma, -3 * sigma, -3 * sigma]);
    // Feedback: each decode compartment's spike reaches all 8 with ±σ (on → on −σ, on → off +σ).
    const inBlock = (c: number): boolean => c >= block.start && c < block.start + 8;
    let checked = 0;
    for (const out of core.outputAxons.filter((o) => inBlock(o.compartment) && o.core === core.index)) {
      const axon = core.inputAxons[out.axon];
      const row = core.synapseRows[axon.row];
      const fmt = core.synapseFormats[axon.format];
      const feedback = new Map<number, number>();
      row.offsets.forEach((off, k) => {
        if (inBlock(axon.base + off)) feedback.set(axon.base + off - block.start, weightContribution(row.weights[k], fmt.weightExp));
      });
      if (feedback.size === 0) continue;
      const from = out.compartment - block.start;
      expect([...feedback.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      for (const [to, d] of feedback) expect(d).toBe((from % 2 === to % 2 ? -1 : 1) * sigma);
      checked++;
    }
    expect(checked).toBe(8);
  });
});
