/**
 * Band-limited periodic white noise, following Nengo's WhiteSignal (spec §10), with our Rng in
 * place of numpy's RandomState (so the samples differ from Nengo's, as §10 allows: reference
 * comparisons use stored input samples).
 */
import { Rng } from "../util/rng.js";

export interface WhiteSignalOptions {
  /** Period of the signal; the generated signal repeats exactly after 2N steps, N = ceil(period/dt/2). */
  periodSeconds: number;
  /** Cut-off: every frequency bin strictly above this is zeroed. */
  highHz: number;
  /** Target root-mean-square amplitude. */
  rms: number;
  dtSeconds: number;
  dims: number;
  seed: number;
  /** If given, each dimension is rolled so that the sample output at step 1 (t = dt) is the one closest to y0. */
  y0?: number;
}

/**
 * One Float64Array of 2N samples per dimension (spec §10 steps 1–4):
 * 1. N = ceil(period/dt/2); draw N+1 complex coefficients per dimension, all imaginary parts
 *    first, then all real parts, each N(0, rms/√2), in bin-major order (bin k, dimension j) —
 *    the C order of numpy's (N+1, dims) array, so the stream layout matches Nengo's.
 * 2. Zero DC, the Nyquist imaginary part, and every bin with rfftfreq(2N, dt) > high.
 * 3. Divide by sqrt(1 − zeroed/N) (skipped if that is 0), multiply by sqrt(2N), inverse real FFT.
 * 4. Optional roll towards y0.
 * The inverse FFT is a direct sum over the kept bins only, O(2N·K) for K kept bins: K is small
 * for the low cut-offs used as test inputs, and this avoids a general FFT for arbitrary 2N.
 */
export function whiteSignal(opts: WhiteSignalOptions): Float64Array[] {
  const { periodSeconds, highHz, rms, dtSeconds, dims, seed, y0 } = opts;
  if (!(periodSeconds > 0) || !Number.isFinite(periodSeconds)) throw new RangeError(`periodSeconds must be > 0, got ${periodSeconds}`);
  if (!(dtSeconds > 0) || !Number.isFinite(dtSeconds)) throw new RangeError(`dtSeconds must be > 0, got ${dtSeconds}`);
  if (!(rms >= 0) || !Number.isFinite(rms)) throw new RangeError(`rms must be >= 0, got ${rms}`);
  if (!Number.isSafeInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive integer, got ${dims}`);
  // Nengo refuses high < 1/period: every non-DC bin would be zeroed and the signal would be 0.
  if (!(highHz >= 1 / periodSeconds)) {
    throw new RangeError(`highHz must be >= 1/periodSeconds = ${1 / periodSeconds} to give a non-zero signal, got ${highHz}`);
  }
  if (y0 !== undefined && !Number.isFinite(y0)) throw new RangeError(`y0 must be finite, got ${y0}`);

  // Same expression as Nengo (period / dt / 2) so the rounding of N agrees with it.
  const nCoef = Math.ceil(periodSeconds / dtSeconds / 2);
  const nSamples = 2 * nCoef;
  const nBins = nCoef + 1;
  const sigma = rms * Math.sqrt(0.5);

  const rng = new Rng(seed);
  const imag = new Float64Array(nBins * dims);
  const real = new Float64Array(nBins * dims);
  for (let i = 0; i < imag.length; i++) imag[i] = rng.normal(0, sigma);
  for (let i = 0; i < real.length; i++) real[i] = rng.normal(0, sigma);

  // numpy's rfftfreq computes k · (1/(n·d)); the same product decides the cut identically.
  const freqStepHz = 1 / (nSamples * dtSeconds);
  let zeroed = 0;
  const kept: number[] = [];
  for (let k = 0; k < nBins; k++) {
    if (k * freqStepHz > highHz) zeroed++;
    else if (k > 0) kept.push(k);
  }
  const powerCorrection = Math.sqrt(1 - zeroed / nCoef);
  const gain = (powerCorrection > 0 ? 1 / powerCorrection : 1) * Math.sqrt(nSamples);

  // cos/sin of 2π·m/(2N) for m in [0, 2N): the phase k·t is reduced mod 2N with exact integer
  // arithmetic, so every term uses a small, exactly representable table index.
  const cosTable = new Float64Array(nSamples);
  const sinTable = new Float64Array(nSamples);
  for (let m = 0; m < nSamples; m++) {
    const angle = (2 * Math.PI * m) / nSamples;
    cosTable[m] = Math.cos(angle);
    sinTable[m] = Math.sin(angle);
  }

  const out: Float64Array[] = [];
  for (let j = 0; j < dims; j++) {
    const x = new Float64Array(nSamples);
    // irfft: x[t] = (1/2N)·(X_0 + X_N·(−1)^t + 2·Σ_{0<k<N} (Re X_k·cos − Im X_k·sin)(2πkt/2N)).
    // X_0 = 0 and Im X_N = 0 by step 2, so only kept bins contribute.
    for (const k of kept) {
      const re = real[k * dims + j] * gain;
      const im = k === nCoef ? 0 : imag[k * dims + j] * gain;
      const weight = (k === nCoef ? 1 : 2) / nSamples;
      const a = re * weight, b = im * weight;
      let phase = 0;
      for (let t = 0; t < nSamples; t++) {
        x[t] += a * cosTable[phase] - b * sinTable[phase];
        phase += k;
        if (phase >= nSamples) phase -= nSamples;
      }
    }
    out.push(y0 === undefined ? x : rollTowards(x, y0));
  }
  return out;
}

/**
 * Nengo's shift: offset = first index of the sample closest to y0, then roll by 1 − offset, so
 * that index 1 (output at step 1, t = dt) holds that sample.
 */
function rollTowards(x: Float64Array, y0: number): Float64Array {
  let offset = 0;
  for (let t = 1; t < x.length; t++) {
    if (Math.abs(y0 - x[t]) < Math.abs(y0 - x[offset])) offset = t;
  }
  const n = x.length;
  const rolled = new Float64Array(n);
  for (let t = 0; t < n; t++) rolled[t] = x[(((t + offset - 1) % n) + n) % n];
  return rolled;
}

/** Output at simulator step `step` (spec §10.5): sample `step mod 2N`, so the signal repeats every period. */
export function whiteSignalAt(signal: Float64Array, step: number): number {
  if (!Number.isSafeInteger(step)) throw new RangeError(`step must be an integer, got ${step}`);
  const n = signal.length;
  if (n === 0) throw new RangeError("empty white-noise signal");
  return signal[((step % n) + n) % n];
}
