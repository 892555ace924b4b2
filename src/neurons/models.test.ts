// Checks models.ts against neuron-tuning.json (Nengo 4.1), with the comparisons and tolerances of
// the reference README ("neuron-tuning.json → Tests").
import { loadFixture, toF64 } from "../../test/helpers/fixtures.js";
import { NeuronParamError, type NeuronModel, gainBias, isSpiking, maxRatesIntercepts, rates } from "./models.js";
import { stepLif, stepSpikingRelu } from "./step.js";

interface StoredNeuron {
  type: "LIF" | "LIFRate" | "RectifiedLinear" | "SpikingRectifiedLinear";
  tau_rc?: number;
  tau_ref?: number;
  min_voltage?: number;
  amplitude: number;
}

function modelOf(s: StoredNeuron): NeuronModel {
  switch (s.type) {
    case "LIF":
      return { type: "lif", tauRcSeconds: s.tau_rc!, tauRefSeconds: s.tau_ref!, minVoltage: s.min_voltage!, amplitude: s.amplitude };
    case "LIFRate":
      return { type: "lif-rate", tauRcSeconds: s.tau_rc!, tauRefSeconds: s.tau_ref!, amplitude: s.amplitude };
    case "RectifiedLinear":
      return { type: "relu", amplitude: s.amplitude };
    case "SpikingRectifiedLinear":
      return { type: "spiking-relu", amplitude: s.amplitude };
  }
}

/** Largest |x − ref| / (relTol·|ref| + absTol) over the arrays; ≤ 1 means every element passes. */
function worstRatio(x: ArrayLike<number>, ref: ArrayLike<number>, relTol: number, absTol: number): number {
  expect(x.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = Math.abs(x[i] - ref[i]) / (relTol * Math.abs(ref[i]) + absTol);
    if (Number.isNaN(r)) return Infinity; // a NaN result must fail, not be skipped
    if (r > worst) worst = r;
  }
  return worst;
}

const tuning = loadFixture("reference/neuron-tuning.json.gz");
const maxRates = toF64(tuning.max_rates);
const intercepts = toF64(tuning.intercepts);
const types: any[] = tuning.types;

describe("neuron-tuning.json", () => {
  it("holds the four neuron types the README lists", () => {
    // README: lif (0.02, 0.002), lif (0.05, 0.001), rectified_linear, spiking_rectified_linear.
    expect(types.map((t) => t.name)).toEqual([
      "lif_tau_rc_0.02_tau_ref_0.002",
      "lif_tau_rc_0.05_tau_ref_0.001",
      "rectified_linear",
      "spiking_rectified_linear",
    ]);
  });

  describe.each(types.map((t) => [t.name, t] as const))("%s", (_name, t) => {
    const model = modelOf(t.neuron);

    it("gainBias matches per element within 1e-12·|ref| + 1e-12", () => {
      // §6.1 in Nengo's operation order gives the same doubles up to ~1 ulp (exp may differ by 1 ulp).
      const { gain, bias } = gainBias(model, maxRates, intercepts);
      expect(worstRatio(gain, toF64(t.gain), 1e-12, 1e-12)).toBeLessThanOrEqual(1);
      expect(worstRatio(bias, toF64(t.bias), 1e-12, 1e-12)).toBeLessThanOrEqual(1);
    });

    it("maxRatesIntercepts inverts the stored gain/bias within 1e-9·|ref| + 1e-9", () => {
      const inv = maxRatesIntercepts(model, toF64(t.gain), toF64(t.bias));
      expect(worstRatio(inv.maxRatesHz, toF64(t.max_rates_from_gain_bias), 1e-9, 1e-9)).toBeLessThanOrEqual(1);
      expect(worstRatio(inv.intercepts, toF64(t.intercepts_from_gain_bias), 1e-9, 1e-9)).toBeLessThanOrEqual(1);
    });

    it("tuning_rates_hz: rate curve at J = gain·x + bias within 1e-9·|ref| + 1e-9 Hz", () => {
      const gain = toF64(t.gain);
      const bias = toF64(t.bias);
      const xs = toF64(t.tuning_x);
      const n = gain.length;
      expect(t.tuning_rates_hz.shape).toEqual([xs.length, n]);
      const got = new Float64Array(xs.length * n);
      const J = new Float64Array(n);
      const row = new Float64Array(n);
      for (let k = 0; k < xs.length; k++) {
        // README: "Compute J as gain·x + bias in that order."
        for (let i = 0; i < n; i++) J[i] = gain[i] * xs[k] + bias[i];
        rates(model, J, row);
        got.set(row, k * n);
      }
      expect(worstRatio(got, toF64(t.tuning_rates_hz), 1e-9, 1e-9)).toBeLessThanOrEqual(1);
    });

    it("rates_of_J_hz: rate curve at explicit currents within 1e-9·|ref| + 1e-9 Hz", () => {
      // Includes J = 1 (→ 0 for LIF), 1 + 1e-9, 0.999 and −2.
      const got = rates(model, toF64(t.J));
      expect(worstRatio(got, toF64(t.rates_of_J_hz), 1e-9, 1e-9)).toBeLessThanOrEqual(1);
    });

    it("rate at x̂ = 1 equals max_rates·amplitude within 1e-9 relative", () => {
      // Property from the README: gain/bias put rate r at x̂ = 1 (amplitude is 1 in every type here).
      const { gain, bias } = gainBias(model, maxRates, intercepts);
      const J = new Float64Array(gain.length);
      for (let i = 0; i < J.length; i++) J[i] = gain[i] * 1 + bias[i];
      const r = rates(model, J);
      const want = maxRates.map((v) => v * model.amplitude);
      expect(worstRatio(r, want, 1e-9, 0)).toBeLessThanOrEqual(1);
    });

    if (t.settled_spiking) {
      it("settled spiking rate (100 settle + 1000 counted steps from v = 0) is exact", () => {
        // Nengo's settled_firingrate: total += output each counted step, then total / 1000. Same
        // kernel arithmetic → bitwise-equal totals.
        const s = t.settled_spiking;
        const J = toF64(s.J);
        const n = J.length;
        const voltage = new Float64Array(n).fill(s.initial_voltage);
        const refractory = new Float64Array(n);
        const out = new Float64Array(n);
        const total = new Float64Array(n);
        const step = (): void => {
          if (model.type === "lif") {
            stepLif(s.dt, model.tauRcSeconds, model.tauRefSeconds, model.minVoltage, model.amplitude, J, voltage, refractory, out, n);
          } else {
            stepSpikingRelu(s.dt, model.amplitude, J, voltage, out, n);
          }
        };
        for (let k = 0; k < s.settle_steps; k++) step();
        for (let k = 0; k < s.count_steps; k++) {
          step();
          for (let i = 0; i < n; i++) total[i] += out[i];
        }
        const rateHz = Array.from(total, (v) => v / s.count_steps);
        expect(rateHz).toEqual(s.rate_hz.data);
      });
    }
  });
});

describe("gainBias rejects unrealisable neurons", () => {
  const lif: NeuronModel = { type: "lif", tauRcSeconds: 0.02, tauRefSeconds: 0.002, minVoltage: 0, amplitude: 1 };
  const relu: NeuronModel = { type: "relu", amplitude: 1 };

  function thrown(fn: () => unknown): NeuronParamError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(NeuronParamError);
      return e as NeuronParamError;
    }
    throw new Error("expected a NeuronParamError");
  }

  it("LIF max rate at or above 1/tau_ref = 500 Hz, reporting the neuron index", () => {
    // 500 Hz needs infinite current (z = 1/0); 600 Hz is beyond the refractory limit.
    expect(thrown(() => gainBias(lif, Float64Array.of(300, 500), Float64Array.of(0, 0))).neuronIndex).toBe(1);
    expect(thrown(() => gainBias(lif, Float64Array.of(600), Float64Array.of(0))).neuronIndex).toBe(0);
    // Just below the limit is still realisable.
    expect(() => gainBias(lif, Float64Array.of(499.9), Float64Array.of(0))).not.toThrow();
  });

  it("intercept ≥ 1 gives a non-positive or infinite gain", () => {
    expect(thrown(() => gainBias(lif, Float64Array.of(200, 200, 200), Float64Array.of(0.5, 0.9, 1))).neuronIndex).toBe(2);
    expect(thrown(() => gainBias(lif, Float64Array.of(200), Float64Array.of(1.5))).neuronIndex).toBe(0);
    expect(thrown(() => gainBias(relu, Float64Array.of(200, 200), Float64Array.of(0, 1))).neuronIndex).toBe(1);
    expect(thrown(() => gainBias(relu, Float64Array.of(200), Float64Array.of(2))).neuronIndex).toBe(0);
  });

  it("a zero or negative max rate gives gain ≤ 0", () => {
    expect(thrown(() => gainBias(lif, Float64Array.of(0), Float64Array.of(0))).message).toMatch(/gain/);
    expect(thrown(() => gainBias(relu, Float64Array.of(-10), Float64Array.of(0))).neuronIndex).toBe(0);
  });
});

describe("rate curves beyond the fixture", () => {
  it("LIF uses the LIFRate curve and SpikingRectifiedLinear the RectifiedLinear curve, with amplitude", () => {
    const J = Float64Array.of(-1, 0, 1, 1.5, 3);
    const lif = rates({ type: "lif", tauRcSeconds: 0.02, tauRefSeconds: 0.002, minVoltage: -1, amplitude: 0.5 }, J);
    const lifRate = rates({ type: "lif-rate", tauRcSeconds: 0.02, tauRefSeconds: 0.002, amplitude: 0.5 }, J);
    expect(lif).toEqual(lifRate);
    // J = 3: 0.5 / (0.002 + 0.02·ln 1.5); J ≤ 1 is silent.
    expect(lif[4]).toBeCloseTo(0.5 / (0.002 + 0.02 * Math.log(1.5)), 12);
    expect(Array.from(lif.subarray(0, 3))).toEqual([0, 0, 0]);
    const srl = rates({ type: "spiking-relu", amplitude: 2 }, J);
    expect(Array.from(srl)).toEqual([0, 0, 2, 3, 6]);
  });

  it("isSpiking is true only for lif and spiking-relu", () => {
    expect(isSpiking({ type: "lif", tauRcSeconds: 0.02, tauRefSeconds: 0.002, minVoltage: 0, amplitude: 1 })).toBe(true);
    expect(isSpiking({ type: "spiking-relu", amplitude: 1 })).toBe(true);
    expect(isSpiking({ type: "lif-rate", tauRcSeconds: 0.02, tauRefSeconds: 0.002, amplitude: 1 })).toBe(false);
    expect(isSpiking({ type: "relu", amplitude: 1 })).toBe(false);
  });
});
