/**
 * `lmuc verify` on Nengo's float reference vectors: every kind passes with the tolerances of the
 * reference README, and a vector with one value changed fails, naming what.
 */
import { loadFixture } from "../../test/helpers/fixtures.js";
import { referenceKind, verifyReference } from "./reference.js";

const files = ["lmu-matrices", "neuron-tuning", "lif-spiking", "decoders", "net-lmu-memory", "net-delay"];

describe("verifyReference", () => {
  test.each(files)("%s: recognised and every check passes", (name) => {
    const json = loadFixture(`reference/${name}.json.gz`);
    expect(referenceKind(json)).toBe(name);
    const result = verifyReference(json);
    const failed = result.checks.filter((c) => !c.pass).map((c) => `${c.what}: ${c.detail}`);
    expect(failed).toEqual([]);
    expect(result.pass).toBe(true);
  });

  test("a tuning rate above 100 Hz changed by 1e-3 Hz (far beyond 1e-9·|ref| + 1e-9) fails on exactly that check", () => {
    const json = loadFixture("reference/neuron-tuning.json.gz");
    const k = json.types[0].tuning_rates_hz.data.findIndex((v: number) => v > 100);
    json.types[0].tuning_rates_hz.data[k] += 1e-3;
    const result = verifyReference(json);
    expect(result.pass).toBe(false);
    expect(result.checks.filter((c) => !c.pass).map((c) => c.what)).toEqual([`${json.types[0].name}: tuning curves`]);
  });

  test("a file that is no reference vector is not recognised", () => {
    expect(referenceKind({ format: "something-else" })).toBeUndefined();
    expect(verifyReference({ meta: {} }).pass).toBe(false);
  });
});
