/**
 * Tuning curves of one chip ensemble in float (Nengo's rate curve) and as the chip runs it (whole
 * steps of integration and of refractory period, passes/chip-rates.ts), and the ratio of the two
 * over the ensemble's own evaluation points: the rate difference the raster shows, predicted.
 */
import type { BuiltEnsemble } from "../ir/built.js";
import { isSpiking, rates } from "../neurons/models.js";
import { chipRateCurve } from "../passes/chip-rates.js";
import type { TuningComparison } from "./report-types.js";

const CURVE_NEURONS = 8;
const CURVE_POINTS = 101;

/** The first spiking ensemble among `candidates` (ids, in report order) that the build holds. */
export function tuningComparison(ensembles: readonly BuiltEnsemble[], candidates: readonly string[], dt: number): TuningComparison | undefined {
  const ens = candidates.map((id) => ensembles.find((e) => e.id === id)).find((e) => e && isSpiking(e.neuron) && e.nNeurons > 0);
  if (!ens) return undefined;
  const chip = chipRateCurve(ens.neuron, dt);
  const n = ens.nNeurons, d = ens.dimensions;
  const shown = Array.from({ length: Math.min(CURVE_NEURONS, n) }, (_, k) => Math.floor((k * n) / Math.min(CURVE_NEURONS, n)));
  const x = Array.from({ length: CURVE_POINTS }, (_, k) => Number((-1 + (2 * k) / (CURVE_POINTS - 1)).toFixed(3)));
  const J = new Float64Array(CURVE_POINTS);
  const floatCurves: number[][] = [], chipCurves: number[][] = [];
  for (const i of shown) {
    for (let k = 0; k < x.length; k++) J[k] = ens.gain[i] * x[k] + ens.bias[i];
    floatCurves.push(Array.from(rates(ens.neuron, J), (v) => Number(v.toPrecision(4))));
    chipCurves.push(Array.from(J, (j) => Number(chip(j).toPrecision(4))));
  }
  // Σ chip rate / Σ float rate over every neuron and evaluation point (x·e / radius along each encoder).
  const pts = ens.evalPoints;
  // At most ~1000 points per neuron: the ratio is a mean, not a fit.
  const every = Math.max(1, Math.ceil(pts.rows / 1000));
  const Jn = new Float64Array(pts.rows);
  let sumFloat = 0, sumChip = 0;
  const out = new Float64Array(pts.rows);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < pts.rows; p += every) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += ens.encoders.data[i * d + k] * pts.data[p * d + k];
      Jn[p] = ens.gain[i] * (dot / ens.radius) + ens.bias[i];
    }
    rates(ens.neuron, Jn, out);
    for (let p = 0; p < pts.rows; p += every) {
      sumFloat += out[p];
      sumChip += chip(Jn[p]);
    }
  }
  return { ensemble: ens.id, neuron: ens.neuron.type, neurons: shown, x, float: floatCurves, chip: chipCurves, chipToFloatRateRatio: sumFloat > 0 ? sumChip / sumFloat : 1 };
}
