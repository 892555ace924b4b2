/**
 * Per-step neuron kernels for the simulator's hot loop (float-semantics §4).
 *
 * Each kernel works on neurons [offset, offset + n) of flat typed arrays, so one set of arrays can
 * hold every ensemble of a network. They allocate nothing and keep Nengo's operation order
 * (`nengo/neurons.py`): the reference vectors require identical spike trains, and a single spike
 * flips if the voltage update rounds differently near threshold.
 */

/**
 * One LIF step (§4.1). Updates `voltage` and `refractory` in place, writes `output` (Hz: 0 or
 * amplitude/dt) and, if given, `spikeCounts` (0 or 1). Returns how many neurons spiked.
 *
 * `refractory` is stored unclamped, exactly as Nengo stores it: it keeps decreasing by dt while a
 * neuron is silent. Only clip(dt − r, 0, dt) is ever used, so clamping would not change behaviour,
 * but keeping Nengo's value lets probes of refractory time be compared directly.
 */
export function stepLif(
  dtSeconds: number,
  tauRcSeconds: number,
  tauRefSeconds: number,
  minVoltage: number,
  amplitude: number,
  J: Float64Array,
  voltage: Float64Array,
  refractory: Float64Array,
  output: Float64Array,
  n: number,
  offset = 0,
  spikeCounts?: Int32Array | Float64Array,
  /** If given, the indices of the neurons that spiked, ascending, from active[0] (the return value counts them). */
  active?: Int32Array,
): number {
  const spikeOutputHz = amplitude / dtSeconds;
  // A neuron outside its refractory period integrates the whole step, and expm1 of the same
  // argument is the same double: computing it once is exact and saves most expm1 calls.
  const fullStepDecay = Math.expm1(-dtSeconds / tauRcSeconds);
  const end = offset + n;
  let spiking = 0;
  for (let i = offset; i < end; i++) {
    const r = refractory[i] - dtSeconds;
    // The part of this step the neuron is not refractory: sub-step resolution, so a refractory
    // period that ends mid-step still lets the neuron integrate for the remainder.
    const deltaSeconds = Math.min(Math.max(dtSeconds - r, 0), dtSeconds);
    const j = J[i];
    let v = voltage[i];
    // Exact relaxation of tau_rc·dv/dt = J − v over deltaSeconds; expm1 keeps small steps accurate.
    // Fully refractory (Δ = 0) multiplies by expm1(−0) = −0: v is unchanged, no call needed.
    v -= (j - v) * (deltaSeconds === dtSeconds ? fullStepDecay : deltaSeconds === 0 ? -0 : Math.expm1(-deltaSeconds / tauRcSeconds));
    if (v > 1) {
      // Invert the same exponential to find when v crossed 1, measured from the step start; the
      // refractory period runs from that instant, not from the end of the step.
      const tSpikeSeconds = dtSeconds + tauRcSeconds * Math.log1p(-(v - 1) / (j - 1));
      voltage[i] = 0;
      refractory[i] = tauRefSeconds + tSpikeSeconds;
      output[i] = spikeOutputHz;
      if (spikeCounts !== undefined) spikeCounts[i] = 1;
      if (active !== undefined) active[spiking] = i;
      spiking++;
    } else {
      voltage[i] = v < minVoltage ? minVoltage : v;
      refractory[i] = r;
      output[i] = 0;
      if (spikeCounts !== undefined) spikeCounts[i] = 0;
    }
  }
  return spiking;
}

/**
 * One SpikingRectifiedLinear step (§4.4). Several spikes per step are possible when J·dt > 1.
 * Writes `output` (Hz: count·amplitude/dt) and optionally `spikeCounts`; returns how many neurons
 * emitted at least one spike.
 */
/** The chip's integrate-and-fire in float: v += J·dt, a spike when v > 1 (strict), then v = 0. */
export function stepResetIf(dtSeconds: number, amplitude: number, J: Float64Array, voltage: Float64Array, output: Float64Array, n: number): void {
  const spikeOutputHz = amplitude / dtSeconds;
  for (let i = 0; i < n; i++) {
    const j = J[i];
    const v = voltage[i] + (j > 0 ? j : 0) * dtSeconds;
    if (v > 1) {
      output[i] = spikeOutputHz;
      voltage[i] = 0;
    } else {
      output[i] = 0;
      voltage[i] = v;
    }
  }
}

export function stepSpikingRelu(
  dtSeconds: number,
  amplitude: number,
  J: Float64Array,
  voltage: Float64Array,
  output: Float64Array,
  n: number,
  offset = 0,
  spikeCounts?: Int32Array | Float64Array,
): number {
  // Nengo computes (amplitude/dt)·k, not k·amplitude/dt; the order matters in the last bit.
  const spikeOutputHz = amplitude / dtSeconds;
  const end = offset + n;
  let spiking = 0;
  for (let i = offset; i < end; i++) {
    const j = J[i];
    const v = voltage[i] + (j > 0 ? j : 0) * dtSeconds;
    const k = Math.floor(v);
    voltage[i] = v - k;
    output[i] = spikeOutputHz * k;
    if (spikeCounts !== undefined) spikeCounts[i] = k;
    if (k > 0) spiking++;
  }
  return spiking;
}

/** RectifiedLinear (§4.3): output = amplitude·max(J, 0) Hz. */
export function stepRelu(amplitude: number, J: Float64Array, output: Float64Array, n: number, offset = 0): void {
  const end = offset + n;
  for (let i = offset; i < end; i++) {
    const j = J[i];
    output[i] = amplitude * (j > 0 ? j : 0);
  }
}

/**
 * LIFRate (§4.2): amplitude / (tau_ref + tau_rc·log1p(1/(J − 1))) Hz above threshold, else 0.
 * Testing J − 1 > 0 rather than J > 1 follows Nengo; both agree, and NaN currents give 0.
 */
export function stepLifRate(
  tauRcSeconds: number,
  tauRefSeconds: number,
  amplitude: number,
  J: Float64Array,
  output: Float64Array,
  n: number,
  offset = 0,
): void {
  const end = offset + n;
  for (let i = offset; i < end; i++) {
    const jm1 = J[i] - 1;
    output[i] = jm1 > 0 ? amplitude / (tauRefSeconds + tauRcSeconds * Math.log1p(1.0 / jm1)) : 0;
  }
}
