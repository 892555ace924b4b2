/**
 * Nengo's PES (net-pes-delay.json, both neuron types) through the frontend, build and float
 * simulator, with every comparison of the reference README's "Tests" table; and a vector with a
 * learning rate 1% off fails exactly on what depends on it.
 */
import { loadFixture } from "../../test/helpers/fixtures.js";
import { referenceKind, verifyReference } from "./reference.js";

const vector = () => loadFixture("reference/net-pes-delay.json.gz");

describe("net-pes-delay", () => {
  test("recognised, and every README comparison passes for both variants", () => {
    const json = vector();
    expect(referenceKind(json)).toBe("net-pes-delay");
    const result = verifyReference(json);
    const failed = result.checks.filter((c) => !c.pass).map((c) => `${c.what}: ${c.detail}`);
    expect(failed).toEqual([]);
    // Per variant: initial decoders, spikes, output, error, checkpoint decoders and pre-filter,
    // the gate (2), six results.* fields and convergence = 15; plus 6 shared checks (three
    // Lowpass coefficient pairs, alpha, our LMU recurrence, the delay nodes).
    expect(result.checks.length).toBe(6 + 15 * json.variants.length);
    for (const v of json.variants) {
      for (const what of ["spike trains", "output", "error", "checkpoint decoders", "checkpoint PES pre-filter"]) {
        expect(result.checks.map((c) => c.what)).toContain(`${v.name}: ${what}`);
      }
    }
    expect(result.pass).toBe(true);
  });

  test("a learning rate 1% off fails alpha, output, error, decoders and NRMSEs, but not the spikes or the pre-filter", () => {
    const json = vector();
    json.variants = json.variants.slice(0, 1); // one variant shows it; the first test runs both
    json.learned_connection.learning_rule.learning_rate *= 1.01;
    const failed = new Set(verifyReference(json).checks.filter((c) => !c.pass).map((c) => c.what));
    expect(failed.has("PES alpha = −κ·dt/n")).toBe(true);
    for (const v of json.variants) {
      expect(failed.has(`${v.name}: output`)).toBe(true);
      expect(failed.has(`${v.name}: checkpoint decoders`)).toBe(true);
      expect(failed.has(`${v.name}: results.nrmse_last_20pct`)).toBe(true);
      // Nothing feeds back into the ensemble: its spikes and the PES filter do not depend on κ.
      expect(failed.has(`${v.name}: spike trains`)).toBe(false);
      expect(failed.has(`${v.name}: checkpoint PES pre-filter`)).toBe(false);
    }
  });
});
