// Checks the per-step kernels against lif-spiking.json (Nengo 4.1), with the comparisons and
// tolerances of the reference README ("lif-spiking.json → Tests").
import { loadFixture, toF64 } from "../../test/helpers/fixtures.js";
import { rates } from "./models.js";
import { stepLif, stepLifRate, stepRelu, stepSpikingRelu } from "./step.js";

const spiking = loadFixture("reference/lif-spiking.json.gz");
const cases: any[] = spiking.cases;

/**
 * Neurons live at [OFFSET, OFFSET + n) of arrays with PAD extra slots, filled with a sentinel, so
 * every case also checks that a kernel touches only its own slice of a shared network array.
 */
const OFFSET = 3;
const PAD = 7;
const SENTINEL = -12345.5;
const INT_SENTINEL = -12345;

function padded(n: number): Float64Array {
  return new Float64Array(n + PAD).fill(SENTINEL);
}

/** Values outside [OFFSET, OFFSET + n) that differ from their sentinel: must be none. */
function sentinelsTouched(arr: Float64Array | Int32Array, n: number, sentinel: number): number {
  let touched = 0;
  for (let i = 0; i < arr.length; i++) {
    if ((i < OFFSET || i >= OFFSET + n) && arr[i] !== sentinel) touched++;
  }
  return touched;
}

interface Run {
  counts: Int32Array; // [steps × n]
  output: Float64Array;
  voltage: Float64Array;
  refractory: Float64Array; // raw r, unclamped
  returned: Int32Array; // per step: the kernel's return value
  sentinelsTouched: number; // writes outside the case's slice of the padded arrays
}

/** Drives one case's neurons through all steps, exactly as Nengo's Node → ens.neurons (gain 1, bias 0). */
function simulate(c: any): Run {
  const n: number = c.n_neurons;
  const steps: number = c.n_steps;
  const dt: number = c.dt;
  const nu = c.neuron;
  const Jall = toF64(c.J);
  const J = padded(n);
  const v = padded(n);
  const r = padded(n);
  const out = padded(n);
  const cnt = new Int32Array(n + PAD).fill(INT_SENTINEL);
  v.set(toF64(c.initial_voltage), OFFSET);
  r.fill(c.initial_refractory_time ?? 0, OFFSET, OFFSET + n);

  const run: Run = {
    counts: new Int32Array(steps * n),
    output: new Float64Array(steps * n),
    voltage: new Float64Array(steps * n),
    refractory: new Float64Array(steps * n),
    returned: new Int32Array(steps),
    sentinelsTouched: 0,
  };
  for (let k = 0; k < steps; k++) {
    J.set(Jall.subarray(k * n, (k + 1) * n), OFFSET); // row k is step k+1
    if (nu.type === "LIF") {
      run.returned[k] = stepLif(dt, nu.tau_rc, nu.tau_ref, nu.min_voltage, nu.amplitude, J, v, r, out, n, OFFSET, cnt);
    } else {
      run.returned[k] = stepSpikingRelu(dt, nu.amplitude, J, v, out, n, OFFSET, cnt);
    }
    run.counts.set(cnt.subarray(OFFSET, OFFSET + n), k * n);
    run.output.set(out.subarray(OFFSET, OFFSET + n), k * n);
    run.voltage.set(v.subarray(OFFSET, OFFSET + n), k * n);
    run.refractory.set(r.subarray(OFFSET, OFFSET + n), k * n);
  }
  for (const arr of [J, v, r, out]) run.sentinelsTouched += sentinelsTouched(arr, n, SENTINEL);
  run.sentinelsTouched += sentinelsTouched(cnt, n, INT_SENTINEL);
  return run;
}

function maxAbsErr(x: ArrayLike<number>, ref: ArrayLike<number>, map: (v: number) => number = (v) => v): number {
  expect(x.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(map(x[i]) - map(ref[i]));
    if (Number.isNaN(e)) return Infinity; // a NaN result must fail, not be skipped
    if (e > worst) worst = e;
  }
  return worst;
}

describe("lif-spiking.json", () => {
  it("holds the four cases the README lists", () => {
    expect(cases.map((c) => c.name)).toEqual([
      "lif_default",
      "lif_tau_rc_0.05_tau_ref_0.001_min_voltage_-1_amplitude_0.5",
      "spiking_rectified_linear",
      "spiking_rectified_linear_amplitude_2",
    ]);
  });

  describe.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const run = simulate(c);
    const n: number = c.n_neurons;

    it("writes only neurons [offset, offset + n) of the shared arrays", () => {
      expect(run.sentinelsTouched).toBe(0);
    });

    it("spike counts are identical at every step and neuron", () => {
      // README: exact. A spike count is an integer; any rounding difference that flips a threshold
      // crossing shows up here.
      expect(Array.from(run.counts)).toEqual(c.spike_counts_per_step.data);
    });

    it("outputs are bitwise equal: (amplitude/dt)·count Hz", () => {
      expect(Array.from(run.output)).toEqual(c.output.data);
    });

    it("the kernel returns how many neurons spiked in the step", () => {
      const want = new Int32Array(c.n_steps);
      for (let k = 0; k < c.n_steps; k++) {
        for (let i = 0; i < n; i++) if (c.spike_counts_per_step.data[k * n + i] > 0) want[k]++;
      }
      expect(Array.from(run.returned)).toEqual(Array.from(want));
    });

    it("spike_steps lists the rows with at least one spike", () => {
      const steps: number[][] = Array.from({ length: n }, () => []);
      for (let k = 0; k < c.n_steps; k++) {
        for (let i = 0; i < n; i++) if (run.counts[k * n + i] > 0) steps[i].push(k);
      }
      expect(steps).toEqual(c.spike_steps);
    });

    it("voltage after each step within abs 1e-9", () => {
      // README measured 3e-14 with JS Math.expm1/Math.log1p.
      expect(maxAbsErr(run.voltage, c.voltage.data)).toBeLessThanOrEqual(1e-9);
    });

    if (c.neuron.type === "LIF") {
      it("max(refractory, 0) after each step within abs 1e-12", () => {
        expect(maxAbsErr(run.refractory, c.refractory_time.data, (v) => Math.max(v, 0))).toBeLessThanOrEqual(1e-12);
      });

      it("refractory time is stored unclamped, as Nengo stores it (raw values within abs 1e-12)", () => {
        // Stronger than the README's max(r, 0): same arithmetic, so the negative tail matches too.
        expect(Math.min(...c.refractory_time.data)).toBeLessThan(-0.5); // the fixture does go far negative
        expect(maxAbsErr(run.refractory, c.refractory_time.data)).toBeLessThanOrEqual(1e-12);
      });
    }
  });

  it("SpikingRectifiedLinear emits several spikes in one step when J·dt > 1", () => {
    // README: "Some neurons fire several spikes per step"; make sure the fixture exercises it.
    const c = cases.find((x) => x.name === "spiking_rectified_linear");
    expect(Math.max(...c.spike_counts_per_step.data)).toBeGreaterThan(1);
  });
});

describe("LIF edge cases (§4.1)", () => {
  const dt = 0.001;

  it("J exactly 1 never spikes: v approaches 1 but never exceeds it", () => {
    const J = Float64Array.of(1);
    const v = Float64Array.of(0.999);
    const r = new Float64Array(1);
    const out = new Float64Array(1);
    let spikes = 0;
    for (let k = 0; k < 10000; k++) spikes += stepLif(dt, 0.02, 0.002, 0, 1, J, v, r, out, 1);
    expect(spikes).toBe(0);
    expect(v[0]).toBeLessThanOrEqual(1);
    // The threshold is strict: v sitting exactly on 1 with J = 1 stays there without spiking.
    v[0] = 1;
    expect(stepLif(dt, 0.02, 0.002, 0, 1, J, v, r, out, 1)).toBe(0);
    expect(v[0]).toBe(1);
  });

  it("relaxes with expm1, so a tiny Δ/tau_rc keeps full relative precision", () => {
    // tau_rc = 1e6 s makes Δ/tau_rc = 1e-9: 1 − exp(−x) would lose ~7 digits, expm1 loses none.
    // From v = 0 the update is v = J·(−expm1(−x)) = J·x·(1 − x/2 + …).
    const x = dt / 1e6;
    const J = Float64Array.of(1e3);
    const v = new Float64Array(1);
    stepLif(dt, 1e6, 0.002, 0, 1, J, v, new Float64Array(1), new Float64Array(1), 1);
    const want = 1e3 * x * (1 - x / 2);
    expect(Math.abs(v[0] - want) / want).toBeLessThan(1e-14);
  });

  it("refractory time has sub-step resolution: the period ends mid-step and the neuron integrates the rest", () => {
    // Start just below threshold so the crossing happens ~2 µs into step 1; with tau_ref = 2.5 ms
    // the refractory period then ends about half-way through step 3.
    const tauRc = 0.02, tauRef = 0.0025;
    const J = Float64Array.of(1.2);
    const v = Float64Array.of(0.99999);
    const r = new Float64Array(1);
    const out = new Float64Array(1);
    expect(stepLif(dt, tauRc, tauRef, 0, 1, J, v, r, out, 1)).toBe(1);
    expect(out[0]).toBe(1 / dt);
    const tCross = r[0] - tauRef;
    expect(tCross).toBeGreaterThan(0);
    expect(tCross).toBeLessThan(1e-5);
    // Step 2: r − dt > dt, so Δ = 0 and v stays at the reset value.
    expect(stepLif(dt, tauRc, tauRef, 0, 1, J, v, r, out, 1)).toBe(0);
    expect(v[0]).toBe(0);
    // Step 3: Δ = dt − r ≈ 0.5 ms; v relaxes toward J for exactly that long.
    expect(stepLif(dt, tauRc, tauRef, 0, 1, J, v, r, out, 1)).toBe(0);
    const deltaSeconds = dt - r[0];
    expect(deltaSeconds).toBeGreaterThan(0.00049);
    expect(deltaSeconds).toBeLessThan(0.0005);
    expect(v[0]).toBeCloseTo(1.2 * (1 - Math.exp(-deltaSeconds / tauRc)), 14);
  });

  it("min_voltage clamps negative input; the default 0 holds v at 0", () => {
    const J = Float64Array.of(-100, -100);
    const v = Float64Array.of(0.5, 0.5);
    const r = new Float64Array(2);
    const out = new Float64Array(2);
    for (let k = 0; k < 100; k++) {
      stepLif(dt, 0.02, 0.002, -1, 1, J, v, r, out, 1, 0);
      stepLif(dt, 0.02, 0.002, 0, 1, J, v, r, out, 1, 1);
    }
    expect(v[0]).toBe(-1);
    expect(v[1]).toBe(0);
  });
});

describe("rate kernels", () => {
  const J = Float64Array.of(SENTINEL, -2, 0, 0.999, 1, 1 + 1e-9, 1.5, 3, 100, SENTINEL);

  it("stepLifRate on a slice equals rates() of the same currents", () => {
    const out = Float64Array.from(J);
    stepLifRate(0.02, 0.002, 0.5, J, out, 8, 1);
    const want = rates({ type: "lif-rate", tauRcSeconds: 0.02, tauRefSeconds: 0.002, amplitude: 0.5 }, J.subarray(1, 9));
    expect(Array.from(out.subarray(1, 9))).toEqual(Array.from(want));
    expect([out[0], out[9]]).toEqual([SENTINEL, SENTINEL]);
  });

  it("stepRelu on a slice is amplitude·max(J, 0)", () => {
    const out = Float64Array.from(J);
    stepRelu(2, J, out, 8, 1);
    expect(Array.from(out)).toEqual([SENTINEL, 0, 0, 1.998, 2, 2 * (1 + 1e-9), 3, 6, 200, SENTINEL]);
  });
});

describe("stepLif's active list", () => {
  it("lists exactly the neurons with non-zero output, ascending, every step", () => {
    // 200 neurons at currents 0..4 (about half above threshold, rates up to ~300 Hz) for 300
    // steps: each step's list must equal a scan of the outputs (what the simulator did before).
    const n = 200, dt = 0.001;
    const J = Float64Array.from({ length: n }, (_, i) => (4 * i) / n);
    const v = new Float64Array(n), r = new Float64Array(n), out = new Float64Array(n), active = new Int32Array(n);
    let listed = 0;
    for (let k = 0; k < 300; k++) {
      const count = stepLif(dt, 0.02, 0.002, 0, 1, J, v, r, out, n, 0, undefined, active);
      const scanned = Array.from(out.keys()).filter((i) => out[i] !== 0);
      expect(Array.from(active.subarray(0, count))).toEqual(scanned);
      listed += count;
    }
    expect(listed).toBeGreaterThan(1000);
  });
});
