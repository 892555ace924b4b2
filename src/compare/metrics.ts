/** Accuracy metrics, with the reference README's definitions. */

/** sqrt(Σ(y − y*)²) / sqrt(Σ y*²) over all rows and dimensions: no per-dimension averaging, no mean removal. */
export function nrmse(y: ArrayLike<number>, ideal: ArrayLike<number>): number {
  if (y.length !== ideal.length) throw new RangeError(`nrmse: ${y.length} values vs ${ideal.length} ideal values`);
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    const e = y[i] - ideal[i];
    num += e * e;
    den += ideal[i] * ideal[i];
  }
  return den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num) / Math.sqrt(den);
}

export function rmse(y: ArrayLike<number>, ideal: ArrayLike<number>): number {
  let num = 0;
  for (let i = 0; i < y.length; i++) num += (y[i] - ideal[i]) ** 2;
  return y.length === 0 ? 0 : Math.sqrt(num / y.length);
}
