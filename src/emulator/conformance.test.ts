// Every lmuc-conformance/1 vector (test/fixtures/conformance, recorded from nengo-loihi's emulator)
// must pass bit for bit; a corrupted copy must report where it first diverges; other formats fail
// with a ConformanceFormatError naming the JSON path.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadFixture } from "../../test/helpers/fixtures.js";
import { ConformanceFormatError, ConformanceUnsupportedError, loadConformance, runConformance } from "./conformance.js";
import { Emulator } from "./engine.js";
import { validateModel } from "./model.js";

const files = readdirSync(join(process.cwd(), "test", "fixtures", "conformance"))
  .filter((f) => f.endsWith(".json.gz"))
  .sort();

const raw = (file: string): any => loadFixture(`conformance/${file}`);

describe("conformance vectors", () => {
  test("all nine are present", () => {
    expect(files).toEqual([
      "chain.json.gz",
      "lmu-memory-q4.json.gz",
      "overflow-lif-fast.json.gz",
      "overflow-relu.json.gz",
      "pes-delay.json.gz",
      "pes-small.json.gz",
      "refractory-sweep.json.gz",
      "tuning-lif.json.gz",
      "tuning-relu.json.gz",
    ]);
  });

  test.each(files)("%s passes bit-exactly", (file) => {
    const json = raw(file);
    const result = runConformance(json);
    expect(result.firstMismatch).toBeUndefined();
    expect(result.pass).toBe(true);
    expect(result.steps).toBe(json.steps);
  });

  test("the whole set finishes (a hang guard at 20 s; its speed is measured by npm run bench, not here)", () => {
    // The seven base vectors; the learning vectors are in conformance-learning.test.ts. A bound
    // tight enough to track speed would fail on a loaded machine without the code changing.
    const cases = files.filter((f) => !f.startsWith("pes-")).map((f) => loadConformance(raw(f)));
    const seconds = cases.reduce((sum, c) => sum + runConformance(c).seconds, 0);
    expect(seconds).toBeLessThan(20);
  });

  test("the loaded networks fit the chip's register widths, except the deliberately unreachable thresholds", () => {
    for (const f of files) {
      const problems = validateModel(loadConformance(raw(f)).model);
      // The overflow vectors use vth = 2^23, one past the 17-bit mantissa, so nothing ever spikes.
      for (const p of problems) expect(p).toMatch(/vth\[\d+\] = 8388608 /);
    }
  });

  test("the overflow vectors do overflow (counted under the wrap policy)", () => {
    for (const f of ["overflow-relu.json.gz", "overflow-lif-fast.json.gz"]) {
      const c = loadConformance(raw(f));
      const emu = new Emulator(c.model);
      for (let t = 1; t <= c.steps; t++) emu.step(c.inputSpikes.get(t));
      const { q, u, uBias } = emu.overflowTotals;
      expect(q + u + uBias).toBeGreaterThan(0);
    }
  });
});

describe("mismatch reports", () => {
  test("one changed weight is reported at the step and compartment where it first shows", () => {
    const json = raw("overflow-relu.json.gz");
    const axon = json.synapses[0].axons[0];
    const target: number = axon.targets[0];
    axon.weights[0] += 128;
    const firstInputStep: number = Math.min(...json.input_spikes.filter((s: any) => s[2].includes(0)).map((s: any) => s[0]));
    const result = runConformance(json);
    expect(result.pass).toBe(false);
    expect(result.firstMismatch).toMatchObject({ step: firstInputStep, compartment: target, quantity: "u" });
    const m = result.firstMismatch!;
    expect(m.got - m.expected).toBe(128);
  });

  test("a corrupted weight in a spiking network is caught, no later than the first spike it changes", () => {
    const json = raw("chain.json.gz");
    json.synapses[4].axons[0].weights[0] += 4096;
    const result = runConformance(json);
    expect(result.pass).toBe(false);
    expect(result.firstMismatch!.step).toBeGreaterThan(1);
    expect(["spike", "u", "v", "final_u", "final_v"]).toContain(result.firstMismatch!.quantity);
  });

  test("a wrong expected spike is reported as a spike mismatch", () => {
    const json = raw("tuning-lif.json.gz");
    const [step, cxs] = json.expected.spikes[0];
    json.expected.spikes[0] = [step, cxs.slice(1)];
    json.expected.spike_counts[step - 1] -= 1;
    const result = runConformance(json);
    expect(result.firstMismatch).toEqual({ step, compartment: Math.min(...cxs), quantity: "spike", expected: 0, got: 1 });
  });

  test("final states are compared", () => {
    const json = raw("tuning-relu.json.gz");
    const last = json.compartments.count - 1;
    json.expected.final_v[last] += 1;
    const result = runConformance(json);
    expect(result.firstMismatch).toMatchObject({ step: json.steps, compartment: last, quantity: "final_v" });
  });
});

describe("format errors", () => {
  const expectFormatError = (json: unknown, path: string, detail: RegExp) => {
    let caught: unknown;
    try {
      loadConformance(json);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConformanceFormatError);
    expect((caught as ConformanceFormatError).path).toBe(path);
    expect((caught as Error).message).toMatch(detail);
  };

  test("another format is refused at $.format", () => {
    expectFormatError({ ...raw("tuning-relu.json.gz"), format: "lmuc-conformance/2" }, "$.format", /expected "lmuc-conformance\/1", got "lmuc-conformance\/2"/);
    expectFormatError([], "$", /expected an object/);
    expectFormatError({ name: "x" }, "$.format", /got undefined/);
  });

  test("malformed fields are named by their JSON path", () => {
    const a = raw("overflow-relu.json.gz");
    a.synapses[0].axons[3].weights[1] = 1.5;
    expectFormatError(a, "$.synapses[0].axons[3].weights[1]", /expected an integer, got number 1.5/);

    const b = raw("overflow-relu.json.gz");
    b.compartments.decay_u[1] = 5000;
    expectFormatError(b, "$.compartments.decay_u[1]", /5000 is outside 0..4095/);

    const c = raw("chain.json.gz");
    c.routes[2].axon_of = c.routes[2].axon_of.slice(1);
    expectFormatError(c, "$.routes[2].axon_of", /expected 150 entries, got 149/);

    const d = raw("tuning-lif.json.gz");
    d.expected.u_trace.pop();
    expectFormatError(d, "$.expected.u_trace", /expected 400 rows/);

    const e = raw("overflow-lif-fast.json.gz");
    e.input_spikes[0][2] = [0, 200];
    expectFormatError(e, "$.input_spikes[0][2][1]", /200 is outside 0..199/);

    const f = raw("tuning-relu.json.gz");
    f.expected.spike_counts[0] += 1;
    expectFormatError(f, "$.expected.spike_counts[0]", /expected.spikes lists/);
  });
});
