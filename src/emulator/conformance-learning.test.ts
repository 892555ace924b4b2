// The PES conformance vectors (pes-small, pes-delay; recorded from nengo-loihi's emulator with
// every U it drew) must pass bit for bit: spikes, states, the traces after every trace update and
// the weights after every weight update. The check must be able to fail: a changed U or error
// changes the learned weights, and the first mismatch names group, step, axon, expected and got.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadFixture } from "../../test/helpers/fixtures.js";
import { ConformanceFormatError, ConformanceUnsupportedError, loadConformance, runConformance } from "./conformance.js";
import { Emulator } from "./engine.js";
import { ReplayLearningRandom } from "./learning.js";

const pesFiles = readdirSync(join(process.cwd(), "test", "fixtures", "conformance"))
  .filter((f) => f.startsWith("pes-") && f.endsWith(".json.gz"))
  .sort();
const raw = (file: string): any => loadFixture(`conformance/${file}`);

/** The first weight-update step whose error is non-zero while some trace is non-zero: where U and E first matter. */
function firstEffectiveUpdate(json: any): number {
  const g = json.learning.groups[0];
  const traces = new Map<number, number[]>(json.expected.learning[0].traces.map(([t, x]: [number, number[]]) => [t, x]));
  return g.u_weight.map((e: [number, unknown]) => e[0]).find((t: number) => g.errors[t - 1].some((e: number) => e !== 0) && traces.get(t)!.some((x) => x > 0));
}

describe("learning conformance vectors", () => {
  test("both public PES vectors are present", () => {
    expect(pesFiles).toEqual(["pes-delay.json.gz", "pes-small.json.gz"]);
  });

  test.each(pesFiles)("%s passes bit-exactly, traces and weights included", (file) => {
    const json = raw(file);
    const result = runConformance(json);
    expect(result.firstMismatch).toBeUndefined();
    expect(result.pass).toBe(true);
    expect(result.steps).toBe(json.steps);
  });

  test.each(pesFiles)("%s: every epoch updates, learning changes the weights, and they stay on the lattice", (file) => {
    const json = raw(file);
    const c = loadConformance(json);
    const L = c.learning!;
    const emu = new Emulator(c.model, { learningRandom: new ReplayLearningRandom(L.random) });
    const g = L.groups[0];
    const spec = json.learning.groups[0];
    for (let t = 1; t <= c.steps; t++) {
      emu.learning!.setError(0, L.errors[0].subarray((t - 1) * g.dims, t * g.dims));
      emu.step(c.inputSpikes.get(t));
    }
    // One trace update per train epoch (2 steps) and one weight update per learn epoch (4 steps).
    expect(emu.learning!.traceUpdates).toBe(Math.floor(json.steps / spec.train_epoch));
    expect(emu.learning!.weightUpdates).toBe(Math.floor(json.steps / spec.learn_epoch));
    expect(emu.learning!.lostTraceSpikes).toBe(json.summary.learning.trace_spikes_lost);
    const unit = 2 ** (spec.real_weight_exp + spec.shift_bits);
    let changed = 0;
    for (let a = 0; a < spec.n_axons; a++) {
      for (let j = 0; j < 2 * spec.dims; j++) {
        const w = emu.learning!.weight(0, a, j);
        // Learned weights are multiples of 2^(6 + weight_exp + shift_bits) = 2^11 within ±127·2^11.
        expect(Math.abs(w) % unit).toBe(0);
        expect(Math.abs(w)).toBeLessThanOrEqual(spec.weight_max * unit);
        if (w !== json.synapses[spec.synapse].axons[a].weights[j]) changed++;
      }
    }
    expect(changed).toBeGreaterThan(spec.n_axons / 2);
  });

  test("both learning vectors finish (2600 steps, 1300 trace and 650 weight updates; a hang guard at 20 s, speed is for npm run bench)", () => {
    const cases = pesFiles.map((f) => loadConformance(raw(f)));
    const seconds = cases.reduce((sum, c) => sum + runConformance(c).seconds, 0);
    expect(seconds).toBeLessThan(20);
  });

  test("zeroing the weight U changes the first weight update where trace and error are both non-zero", () => {
    const json = raw("pes-small.json.gz");
    const step = firstEffectiveUpdate(json);
    // pes-small: the first traces appear in step 4, the first non-zero error at a weight update is in step 8.
    expect(step).toBe(8);
    for (const [, rows] of json.learning.groups[0].u_weight) for (const r of rows) r.fill(0);
    const m = runConformance(json).firstMismatch!;
    expect(m).toMatchObject({ step, quantity: "weight", group: 0 });
    expect(Math.abs(m.got - m.expected)).toBe(2 ** 11); // one rounding step on the 2^11 lattice
  });

  test("a negated error is caught at that weight update", () => {
    const json = raw("pes-delay.json.gz");
    const step = firstEffectiveUpdate(json);
    const row = json.learning.groups[0].errors[step - 1];
    json.learning.groups[0].errors[step - 1] = row.map((e: number) => -e);
    const m = runConformance(json).firstMismatch!;
    expect(m).toMatchObject({ step, quantity: "weight", group: 0 });
    expect(m.compartment).toBeGreaterThanOrEqual(json.learning.groups[0].readout_start);
  });

  test("a changed trace U is caught as a trace mismatch at a trace-update step", () => {
    const json = raw("pes-small.json.gz");
    for (const [, us] of json.learning.groups[0].u_trace) us.fill(0.999999);
    const m = runConformance(json).firstMismatch!;
    expect(m.quantity).toBe("trace");
    expect(m.step % json.learning.groups[0].train_epoch).toBe(0);
    expect(m.got).toBe(m.expected - 1); // rounding up became rounding down
  });

  test("a wrong recorded final weight is reported as final_weight with its axon", () => {
    const json = raw("pes-small.json.gz");
    json.expected.learning[0].final_weights[7][1] += 2048;
    expect(runConformance(json).firstMismatch).toMatchObject({ step: 1000, quantity: "final_weight", group: 0, axon: 7, compartment: 51 });
  });
});

describe("learning format", () => {
  const formatError = (json: unknown): ConformanceFormatError => {
    try {
      loadConformance(json);
    } catch (e) {
      if (e instanceof ConformanceFormatError) return e;
      throw e;
    }
    throw new Error("no error");
  };

  test("a vector requiring an unimplemented feature is refused by name, not run", () => {
    const json = raw("pes-small.json.gz");
    json.requires = ["learning", "graded-spikes"];
    expect(() => loadConformance(json)).toThrow(ConformanceUnsupportedError);
    expect(() => runConformance(json)).toThrow(/requires the feature "graded-spikes", which this emulator does not implement/);
  });

  test("learning without requires, or requires without learning, is malformed", () => {
    const a = raw("pes-small.json.gz");
    delete a.requires;
    expect(formatError(a).path).toBe("$.requires");
    const b = raw("tuning-lif.json.gz");
    b.requires = ["learning"];
    expect(formatError(b).path).toBe("$.learning");
  });

  test("recorded U must cover every epoch step, and fields are checked against the synapse group", () => {
    const a = raw("pes-small.json.gz");
    a.learning.groups[0].u_trace.pop();
    expect(formatError(a).message).toMatch(/\$\.learning\.groups\[0\]\.u_trace: expected 500 entries/);
    const b = raw("pes-small.json.gz");
    b.learning.groups[0].n_axons = 49;
    expect(formatError(b).path).toBe("$.learning.groups[0].n_axons");
    const c = raw("pes-small.json.gz");
    c.learning.groups[0].u_weight[3][1][2] = [0.5];
    expect(formatError(c).message).toMatch(/u_weight\[3\]\[1\]\[2\]: expected 2 U values/);
    const d = raw("pes-small.json.gz");
    d.learning.groups[0].trace_mag = 9;
    expect(formatError(d).message).toMatch(/differs from trace_mag_int \+ trace_mag_frac\/128 = 8.8984375/);
  });
});
