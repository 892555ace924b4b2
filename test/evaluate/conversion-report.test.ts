/**
 * Conversion choices in the network file (the cell's `conversion:` block): validated with located
 * errors, carried in the IR, overridden by flags, each reported with its source; the K sweep,
 * logit traces and spiking summary of a sharded run merge to the document of the run in one
 * piece, byte for byte. Tiny conversions (K 2 and 3, 3 neurons per unit, 2 psdigits sequences)
 * keep it to a few seconds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadNetworkFile } from "../../src/api.js";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { resolveConversion, unknownOptions } from "../../src/evaluate/conversion.js";
import type { Dataset } from "../../src/evaluate/dataset.js";
import { evaluateNetwork, evaluationJson, type EvaluationDoc } from "../../src/evaluate/evaluate.js";
import { renderEvaluationHtml } from "../../src/evaluate/html.js";
import { mergeEvaluations } from "../../src/evaluate/merge.js";
import { CONVERSION_FIELDS, parseConversionFlag } from "../../src/frontend/conversion.js";
import { importTorchModel } from "../../src/importers/index.js";
import { readNpy } from "../../src/io/arrays.js";
import { DEFAULT_CONVERSION } from "../../src/passes/convert-cells.js";
import { expectCleanError, lmuc } from "../helpers/cli.js";

const MODELS = "test/fixtures/models/psdigits";
const dir = mkdtempSync(join(tmpdir(), "lmuc-conversion-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

importTorchModel(join(MODELS, "lmufft-relu.pt"), join(dir, "fft.yaml"));
const imported = readFileSync(join(dir, "fft.yaml"), "utf8");

/** The imported network with `block` (YAML lines, 4-space indented) as the cell's conversion block; returns its path. */
function withBlock(name: string, block: string): string {
  const text = imported.replace("    kind: lmu-fft\n", `    conversion:\n${block}    kind: lmu-fft\n`);
  if (text === imported) throw new Error("the imported network has no 'kind: lmu-fft' line to anchor the block");
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

function dataset(count: number): Dataset {
  const x = readNpy(gunzipSync(readFileSync(join(MODELS, "test-x.npy.gz"))));
  const y = readNpy(gunzipSync(readFileSync(join(MODELS, "test-y.npy.gz"))));
  const [, steps, d] = x.shape;
  return { sequences: count, steps, dimensions: d, x: Float64Array.from(x.data.subarray(0, count * steps * d)), labels: Int32Array.from(y.data.subarray(0, count), Number), inputsSha256: "x", labelsSha256: "y" };
}

function diagnosticsOf(fn: () => unknown): DiagnosticError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DiagnosticError) return e;
    throw e;
  }
  throw new Error("expected a DiagnosticError");
}

describe("the conversion block of a trained cell", () => {
  test("is carried in the IR with each value's line and column", () => {
    const net = loadNetworkFile(withBlock("ok.yaml", "      presentation_steps: 3\n      max_rates: [200, 400]\n"));
    // "conversion:" is line 11 of the imported file (after "lmu:"): its keys on lines 12 and 13, values at columns 27 and 18.
    expect(net.cells![0].conversion).toEqual([
      { option: "presentationSteps", key: "presentation_steps", value: 3, origin: expect.objectContaining({ line: 12, column: 27 }) },
      { option: "maxRatesHz", key: "max_rates", value: [200, 400], origin: expect.objectContaining({ line: 13, column: 18 }) },
    ]);
  });

  test("a value the schema accepts but the choice cannot take is LMU7050 at the value (max_rates low above high)", () => {
    const e = diagnosticsOf(() => loadNetworkFile(withBlock("bad.yaml", "      max_rates: [400, 200]\n")));
    expect(e.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column])).toEqual([["LMU7050", 12, 18]]);
    expect(e.diagnostics[0].message).toContain("must be [low, high]");
  });

  test("an unknown choice is refused with the line of its key, and evaluate exits 2 writing nothing", async () => {
    const file = withBlock("typo.yaml", "      presentation_stepz: 3\n");
    const e = diagnosticsOf(() => loadNetworkFile(file));
    expect(e.diagnostics[0].location?.line).toBe(12);
    expect(e.diagnostics[0].message).toContain("presentation_stepz");
    const r = await lmuc("evaluate", file, "--inputs", "x.npy", "--labels", "y.npy", "--mode", "spiking", "--out", join(dir, "never.json"));
    expectCleanError(r);
    expect(r.err).toContain("typo.yaml:12:");
  });

  test("the table, ConversionOptions and the schema name the same choices (a new option needs one row in each)", () => {
    const schema = JSON.parse(readFileSync("schemas/network.schema.json", "utf8"));
    expect(Object.keys(schema.$defs.conversion.properties).sort()).toEqual(CONVERSION_FIELDS.map((f) => f.key).sort());
    expect(unknownOptions()).toEqual([]);
    expect(CONVERSION_FIELDS.map((f) => f.option).sort()).toEqual(Object.keys(DEFAULT_CONVERSION).sort());
  });
});

describe("which choice wins", () => {
  const net = loadNetworkFile(withBlock("prec.yaml", "      presentation_steps: 3\n      synapse: 0.004\n"));
  const cell = net.cells![0];
  test("flag over file over default; chip mode always runs the chip's neurons", () => {
    const { options, choices } = resolveConversion(cell, { presentationSteps: 7 }, "chip");
    expect([options.presentationSteps, options.synapseSeconds, options.hiddenPerUnit, options.chipNeurons]).toEqual([7, 0.004, DEFAULT_CONVERSION.hiddenPerUnit, true]);
    const by = Object.fromEntries(choices.map((c) => [c.key, c]));
    expect(by.presentation_steps).toEqual({ key: "presentation_steps", value: 7, source: "flag" });
    expect(by.synapse).toEqual({ key: "synapse", value: 0.004, source: "file", line: 13, column: 16 });
    expect(by.hidden_neurons_per_unit.source).toBe("default");
    expect(by.chip_neurons).toEqual({ key: "chip_neurons", value: true, source: "mode" });
    // every option is reported, one row each
    expect(choices).toHaveLength(Object.keys(DEFAULT_CONVERSION).length);
  });

  test("--conversion KEY=VALUE is checked as the file's value is; lists as low:high", () => {
    expect(parseConversionFlag("max_rates=200:400", "--conversion")).toEqual({ key: "max_rates", option: "maxRatesHz", value: [200, 400] });
    expect(parseConversionFlag("neuron=relu", "--conversion").value).toBe("relu");
    expect(() => parseConversionFlag("presentation_steps=0", "--conversion")).toThrow(/integer from 1/);
    expect(() => parseConversionFlag("synapse", "--conversion")).toThrow(/KEY=VALUE/);
  });
});

describe("K sweep, traces and merged shards", () => {
  const net = loadNetworkFile(withBlock("tiny.yaml", "      hidden_neurons_per_unit: 3\n      memory_neurons_per_dimension: 3\n"));
  const data = dataset(2);
  const run = (shard?: { index: number; count: number }): Promise<EvaluationDoc> =>
    evaluateNetwork(net, data, { modes: ["float", "spiking"], workers: 1, presentationSweep: [2, 3], ...(shard ? { shard } : {}) });

  test("two shards merged equal the whole run byte for byte, spiking summary, sweep and traces included", async () => {
    const whole = await run();
    const parts = [await run({ index: 1, count: 2 }), await run({ index: 2, count: 2 })];
    const merged = mergeEvaluations(parts.map((doc, i) => ({ path: `part${i}`, doc })));
    expect(evaluationJson(merged)).toBe(evaluationJson(whole));
    const sp = whole.modes.spiking!.spiking!;
    // K 2 is the main result; K 3 the one sweep entry; 2 sequences each
    expect([sp.presentation_steps, sp.per_sequence.agrees.length]).toEqual([2, 2]);
    expect(whole.presentation_sweep!.map((e) => [e.presentation_steps, e.modes.spiking!.total])).toEqual([[3, 2]]);
    expect(merged.modes.spiking!.spiking!.agreement).toBe(sp.agreement);
    expect(sp.spikes_per_sequence).toBeGreaterThan(0);
    // the choices say where K came from (the sweep is a flag) and the neuron counts (the file)
    const src = Object.fromEntries(sp.conversion.map((c) => [c.key, c.source]));
    expect([src.presentation_steps, src.hidden_neurons_per_unit, src.synapse]).toEqual(["flag", "file", "default"]);
    // sequences 0 and 1 traced: 64 steps × 10 logits in float and spiking; the last step is the logits
    expect(whole.traces!.map((t) => [t.sequence, t.modes.float!.length, t.modes.spiking!.length, t.modes.spiking![63].length])).toEqual([[0, 64, 64, 10], [1, 64, 64, 10]]);
    expect(whole.traces![1].modes.float![63]).toEqual(whole.modes.float!.logits[1]);
    expect(whole.traces![1].modes.spiking![63]).toEqual(whole.modes.spiking!.logits[1]);
    const html = renderEvaluationHtml(whole, data.labels);
    expect(html).toContain("Accuracy against presentation steps K");
    expect(html).toContain("sequence 1 <span class=\"muted\">(label");
  });
});
