/**
 * Up-front estimates of what building and simulating a network will cost, so a network that
 * would run for hours or exhaust memory is refused with a located error before any of it starts.
 * The constants are seconds per unit of work measured on the project's shared 2-core x86-64
 * machine under load (Node 20), and every decoded reader is charged its own solve, so estimates
 * run 2–5× above a quiet machine's time (lmu-delay: 9.5 s estimated, about 3 s measured). That is
 * the safe side: the budget exists to stop hangs, not to schedule work.
 */

/** Estimated build + simulation work a network may need before lmuc refuses it. */
export const BUDGET_SECONDS = 120;

/** Seconds per (sample · kept frequency bin · dimension) of the white-noise synthesis (a direct sum). */
const WHITE_NOISE_SECONDS_PER_TERM = 2e-8;
/** Seconds per order³ of the ZOH discretization (Padé matrix exponential with squaring). */
const ZOH_SECONDS_PER_ORDER_CUBED = 6.5e-8;
/** Seconds per (point · dimension²) of the scattered-hypersphere spherical transform (SIMD batch, issue 12; was 7e-8). */
const SCATTERED_SECONDS_PER_POINT_DIM2 = 2e-8;
/** Seconds per (eval point · neuron²) of the LstsqL2 decoder solve (Gram matrix and Cholesky on the SIMD kernels, issue 12: 3.7 GFLOP/s loaded; was 1.5e-9). */
const SOLVE_SECONDS_PER_EVAL_NEURON2 = 5e-10;

export interface Cost {
  readonly seconds: number;
  /** Largest single allocation, in bytes. */
  readonly bytes: number;
  /** What the work is, for the message: "synthesizing 2e8 white-noise samples". */
  readonly what: string;
}

/** Nengo's WhiteSignal: 2N samples with N = ceil(period/dt/2), a direct sum over the kept bins. */
export function whiteNoiseCost(periodSeconds: number, highHz: number, dtSeconds: number, dims: number): Cost {
  const nCoef = Math.ceil(periodSeconds / dtSeconds / 2);
  const samples = 2 * nCoef;
  const kept = Math.min(nCoef, Math.floor(highHz * samples * dtSeconds));
  return {
    seconds: samples * kept * dims * WHITE_NOISE_SECONDS_PER_TERM,
    bytes: (samples + 2 * (nCoef + 1)) * dims * 8,
    what: `synthesizing ${fmtCount(samples)} white-noise samples × ${fmtCount(kept)} frequency bins × ${dims} dimension${dims === 1 ? "" : "s"}`,
  };
}

export function zohCost(order: number): Cost {
  return { seconds: order ** 3 * ZOH_SECONDS_PER_ORDER_CUBED, bytes: order * order * 8 * 8, what: `the zero-order-hold discretization of an order-${order} LMU (work grows with order³)` };
}

export function scatteredCost(points: number, dims: number, what: string): Cost {
  return { seconds: points * dims * dims * SCATTERED_SECONDS_PER_POINT_DIM2, bytes: points * dims * 8, what: `drawing ${fmtCount(points)} scattered-hypersphere ${what} in ${dims} dimensions (work grows with dimensions²)` };
}

export function solveCost(evalPoints: number, neurons: number, ensembles: number): Cost {
  return {
    seconds: ensembles * (evalPoints * neurons * neurons + neurons ** 3) * SOLVE_SECONDS_PER_EVAL_NEURON2,
    bytes: evalPoints * neurons * 8,
    what: `solving decoders for ${ensembles === 1 ? "" : `${ensembles} ensembles of `}${fmtCount(neurons)} neurons on ${fmtCount(evalPoints)} eval points (work grows with eval points × neurons²)`,
  };
}

export function fmtSeconds(s: number): string {
  if (s < 120) return `${s.toPrecision(2)} s`;
  if (s < 7200) return `${(s / 60).toPrecision(2)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toPrecision(2)} h`;
  return `${(s / 86400).toExponential(1)} days`;
}

export function fmtBytes(b: number): string {
  return b >= 1 << 30 ? `${(b / (1 << 30)).toPrecision(3)} GiB` : `${(b / (1 << 20)).toPrecision(3)} MiB`;
}

function fmtCount(n: number): string {
  return n >= 1e6 ? n.toExponential(2).replace("e+", "e") : String(n);
}
