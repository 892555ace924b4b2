/**
 * The spiking conversion of the psdigits LMU (tanh, recurrent through h) and its evaluation:
 * the converted network has the populations and the host sample-and-hold the conversion states;
 * the spiking run does not depend on the number of worker threads (byte-identical logits on 1
 * and 2 workers), and the sample-and-hold node holds its input of every K-th step.
 * Small sizes (K = 4, 6 neurons per unit, the first 4 test sequences) keep it under a few seconds.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadNetworkFile } from "../../src/api.js";
import { evaluateNetwork } from "../../src/evaluate/evaluate.js";
import type { Dataset } from "../../src/evaluate/dataset.js";
import { importTorchModel } from "../../src/importers/index.js";
import { readNpy } from "../../src/io/arrays.js";
import { luSolve } from "../../src/math/linalg.js";
import { mat, matmul } from "../../src/math/matrix.js";
import { convertCells, DEFAULT_CONVERSION } from "../../src/passes/convert-cells.js";
import { cellRanges } from "../../src/sim/cell-ranges.js";
import { compileCellProgram } from "../../src/sim/cell.js";
import { planNode, publishStateful, updateStateful } from "../../src/sim/nodes.js";

const MODELS = "test/fixtures/models/psdigits";
const dir = mkdtempSync(join(tmpdir(), "lmuc-spiking-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dataset(count: number): Dataset {
  const x = readNpy(gunzipSync(readFileSync(join(MODELS, "test-x.npy.gz"))));
  const y = readNpy(gunzipSync(readFileSync(join(MODELS, "test-y.npy.gz"))));
  const [, steps, d] = x.shape;
  return { sequences: count, steps, dimensions: d, x: Float64Array.from(x.data.subarray(0, count * steps * d)), labels: Int32Array.from(y.data.subarray(0, count), Number), inputsSha256: "x", labelsSha256: "y" };
}

describe("spiking conversion of a trained LMU cell", () => {
  importTorchModel(join(MODELS, "lmu-tanh.pt"), join(dir, "lmu.yaml"));
  const net = loadNetworkFile(join(dir, "lmu.yaml"));
  const data = dataset(4);
  const small = { ...DEFAULT_CONVERSION, presentationSteps: 4, hiddenPerUnit: 6, memoryPerDimension: 6 };

  test("memory and hidden become neuron arrays; h_{t−1} goes through a sample-and-hold every K steps", () => {
    const program = compileCellProgram(net);
    const ranges = cellRanges(program, data.x, 0, data.sequences, data.steps);
    const conv = convertCells(net, { ranges, xRows: mat(data.steps * 4, 1) }, small);
    expect(conv.cells).toBeUndefined();
    // 32 memory dimensions and 64 hidden units, 6 neurons each, spiking ReLU.
    expect(conv.ensembles.map((e) => [e.id, e.nNeurons, e.dimensions, e.neuron.type])).toEqual([
      ["memory", 192, 32, "spiking-relu"],
      ["hidden", 384, 64, "spiking-relu"],
    ]);
    const hold = conv.nodes.find((n) => n.id === "h-held")!;
    // Default averaging: 5 % of K, at least one step.
    expect(hold.output).toEqual({ kind: "sample-hold", periodSteps: 4, averageSteps: 1 });
    // Each neuron reads exactly one unit (axis-aligned encoders).
    const enc = conv.ensembles[1].encoders;
    if (enc.kind !== "explicit") throw new Error("explicit encoders expected");
    for (let i = 0; i < 384; i++) expect(enc.values.data.subarray(i * 64, (i + 1) * 64).filter((v) => v !== 0).length).toBe(1);
  });

  test("the memory's inputs use the memory synapse (0.2 s); a chip build leads its recurrence by chipLeadSteps substeps", () => {
    const program = compileCellProgram(net);
    const ranges = cellRanges(program, data.x, 0, data.sequences, data.steps);
    const input = { ranges, xRows: mat(data.steps * 4, 1) };
    const float = convertCells(net, input, small);
    const byId = (c: typeof float, id: string) => c.connections.find((k) => k.id === id)!;
    for (const id of ["memory/recurrent", "u/memory"]) expect(byId(float, id).synapse).toEqual({ kind: "lowpass", tauSeconds: 0.2 });
    expect(byId(float, "memory/hidden").synapse).toEqual({ kind: "lowpass", tauSeconds: 0.005 });
    const rec = (c: typeof float) => {
      const t = byId(c, "memory/recurrent").transform;
      if (t.kind !== "matrix") throw new Error("matrix expected");
      return t.values.data;
    };
    // Chip builds only: with chipLeadSteps 0 they equal the float conversion; with 1 they differ.
    expect(Array.from(rec(convertCells(net, { ...input, forChip: true }, { ...small, chipLeadSteps: 0 })))).toEqual(Array.from(rec(float)));
    const led = rec(convertCells(net, { ...input, forChip: true }, small));
    const diff = led.reduce((m, v, k) => Math.max(m, Math.abs(v - rec(float)[k])), 0);
    expect(diff).toBeGreaterThan(1e-6);
    // A quarter-step part of the lead is a power of the substep: with M_l the recurrence led by l,
    // M_0⁻¹·M_0.5 = R⁻¹·Ak^½·R, whose square is M_0⁻¹·M_1 (to solver round-off; 0.5 ≠ 1 also differs).
    const recMat = (lead: number) => mat(32, 32, Float64Array.from(rec(convertCells(net, { ...input, forChip: true }, { ...small, chipLeadSteps: lead }))));
    const M0 = recMat(0);
    const half = luSolve(M0, recMat(0.5)), whole = luSolve(M0, recMat(1));
    const squared = matmul(half, half);
    const err = squared.data.reduce((m, v, k) => Math.max(m, Math.abs(v - whole.data[k])), 0);
    expect(err).toBeLessThan(1e-9);
    expect(half.data.reduce((m, v, k) => Math.max(m, Math.abs(v - whole.data[k])), 0)).toBeGreaterThan(1e-6);
  });

  test("a sample-and-hold of period 3 outputs the input of steps 3, 6, … from the step after", () => {
    const p = planNode({ id: "s", sizeIn: 1, sizeOut: 1, output: { kind: "sample-hold", periodSteps: 3, averageSteps: 1 }, role: "cell" }, 0.001);
    const seen: number[] = [];
    for (let n = 1; n <= 8; n++) {
      publishStateful(p);
      seen.push(p.output[0]);
      p.input[0] = 10 * n;
      updateStateful(p);
    }
    expect(seen).toEqual([0, 0, 0, 30, 30, 30, 60, 60]);
  });

  test("averaging over the last 2 steps of each period of 3 holds (20 + 30)/2, then (50 + 60)/2", () => {
    const p = planNode({ id: "s", sizeIn: 1, sizeOut: 1, output: { kind: "sample-hold", periodSteps: 3, averageSteps: 2 }, role: "cell" }, 0.001);
    const seen: number[] = [];
    for (let n = 1; n <= 7; n++) {
      publishStateful(p);
      seen.push(p.output[0]);
      p.input[0] = 10 * n;
      updateStateful(p);
    }
    expect(seen).toEqual([0, 0, 0, 25, 25, 25, 55]);
  });

  test("spiking logits are identical on 1 and 2 workers", async () => {
    const run = (workers: number) => evaluateNetwork(net, data, { modes: ["spiking"], workers, spiking: { conversion: small } });
    const one = await run(1);
    const two = await run(2);
    expect(one.modes.spiking!.logits).toEqual(two.modes.spiking!.logits);
    expect(one.modes.spiking!.spiking!.spikes_per_sequence).toBeGreaterThan(0);
    expect(one.modes.spiking!.spiking!.presentation_steps).toBe(4);
  });
});
