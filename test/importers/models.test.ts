/**
 * Imported pytorch-lmu models reproduce PyTorch: logits of every psdigits test sequence against
 * the float64 recomputation (≤ 1e-9) and PyTorch's float32 (≤ 1e-4), the test accuracies of the
 * models README, and the psMNIST-size model's stored logits.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNetworkFile } from "../../src/frontend/index.js";
import { importTorchModel } from "../../src/importers/index.js";
import { mapLmuStateDict } from "../../src/importers/lmu-map.js";
import { readTorchFile, type TorchStateDict, type TorchTensor } from "../../src/importers/torch.js";
import { CellState, compileCellProgram, runCellSequence } from "../../src/sim/cell.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { maxAbsDiff, MODELS, npyFixture } from "./helpers.js";

function runAll(yaml: string, x: Float64Array, n: number, steps: number): Float64Array {
  const p = compileCellProgram(loadNetworkFile(yaml));
  const s = new CellState(p);
  const out = new Float64Array(n * p.outputs);
  for (let i = 0; i < n; i++) runCellSequence(p, s, x, i * steps * p.inputSize, steps, out, i * p.outputs);
  return out;
}

function argmaxRows(v: ArrayLike<number>, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < v.length / cols; r++) {
    let best = 0;
    for (let k = 1; k < cols; k++) if (v[r * cols + k] > v[r * cols + best]) best = k;
    out.push(best);
  }
  return out;
}

describe.each([
  // model, kind, hidden, correct of 360 (models README: 98.06 % and 93.61 %)
  ["lmu-tanh", "lmu", 64, 353],
  ["lmufft-relu", "lmu-fft", 96, 337],
] as const)("%s", (model, kind, hidden, correct) => {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-import-"));
  const yaml = join(dir, `${model}.yaml`);
  const imported = importTorchModel(join(MODELS, "psdigits", `${model}.pt`), yaml);
  const x = npyFixture("psdigits/test-x");
  const labels = npyFixture("psdigits/test-y").data;
  const logits = runAll(yaml, x.data, 360, 64);

  test(`recognised as ${kind}, ${hidden} hidden, order 32, θ = 64 steps recovered from A and B, 10 classes`, () => {
    const m = imported.model;
    expect([m.kind, m.hiddenSize, m.order, m.thetaSteps, m.classes, m.inputSize]).toEqual([kind, hidden, 32, 64, 10, 1]);
  });

  test("logits of all 360 test sequences match the float64 recomputation to ≤ 1e-9", () => {
    expect(maxAbsDiff(logits, npyFixture(`psdigits/${model}.logits64`).data)).toBeLessThanOrEqual(1e-9);
  });

  test("logits match PyTorch's float32 to ≤ 1e-4, with the same prediction for every sequence", () => {
    const torch = npyFixture(`psdigits/${model}.logits`).data;
    expect(maxAbsDiff(logits, torch)).toBeLessThanOrEqual(1e-4);
    expect(argmaxRows(logits, 10)).toEqual(argmaxRows(torch, 10));
  });

  test(`test accuracy ${correct}/360`, () => {
    expect(argmaxRows(logits, 10).filter((p, i) => p === labels[i]).length).toBe(correct);
  });
});

test("psmnist-shape (order 256, θ = 784, 212 hidden) imports and reproduces PyTorch's logits of its 2 inputs to ≤ 1e-4", () => {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-import-"));
  const yaml = join(dir, "psm.yaml");
  const r = importTorchModel(join(MODELS, "psmnist-shape", "psmnist-shape-untrained.pt"), yaml);
  expect([r.model.order, r.model.thetaSteps, r.model.hiddenSize]).toEqual([256, 784, 212]);
  const x = npyFixture("psmnist-shape/psmnist-shape-untrained.x");
  expect(x.shape).toEqual([2, 784, 1]);
  const logits = runAll(yaml, x.data, 2, 784);
  expect(maxAbsDiff(logits, npyFixture("psmnist-shape/psmnist-shape-untrained.logits").data)).toBeLessThanOrEqual(1e-4);
});

describe("state dicts that do not fit", () => {
  const sd = readTorchFile(join(MODELS, "psdigits", "lmu-tanh.pt"));
  const edit = (f: (m: Map<string, TorchTensor>) => void): TorchStateDict => {
    const tensors = new Map(sd.tensors);
    f(tensors);
    return { ...sd, file: "edited.pt", tensors };
  };
  const message = (s: TorchStateDict): string => {
    try {
      mapLmuStateDict(s);
    } catch (e) {
      if (e instanceof DiagnosticError) return `${e.diagnostics[0].code} ${e.diagnostics[0].message}`;
      throw e;
    }
    throw new Error("expected a DiagnosticError");
  };

  test("a missing key is named with the shape it should have", () => {
    expect(message(edit((m) => m.delete("lmu.cell.e_m")))).toMatch(/^LMU7010 edited\.pt: the state dict has no 'lmu\.cell\.e_m' \(memory encoder of the memory: 1 × memory_size, shape \[1, 32\]\)/);
  });

  test("a mismatched shape names the key, its shape and the expected one", () => {
    const wm = sd.tensors.get("lmu.cell.W_m")!;
    const cut = { ...wm, shape: [64, 31], data: wm.data.subarray(0, 64 * 31) };
    expect(message(edit((m) => m.set("lmu.cell.W_m", cut)))).toBe("LMU7011 edited.pt: 'lmu.cell.W_m' has shape [64, 31], expected [64, 32] (hidden kernel of the memory: hidden_size × memory_size)");
  });

  test("no Linear readout after the LMU", () => {
    expect(message(edit((m) => m.delete("classifier.bias")))).toContain("no Linear readout found");
  });
});
