/** Ordinary least squares of `y[i + lag]` on `x[i]` over the pairs where both are present (NaN = gap). */

export interface LinearFit {
  /** response units per load unit */
  slope: number;
  intercept: number;
  /** coefficient of determination, 0…1 */
  r2: number;
  /** pairs fitted */
  n: number;
  /** lag-1 autocorrelation of the residuals, in order of time: how far from independent the pairs are */
  residualAutocorrelation: number;
}

export function fitAtLag(x: Float64Array, y: Float64Array, lag: number): LinearFit {
  let n = 0;
  let sx = 0;
  let sy = 0;
  forPairs(x, y, lag, (a, b) => {
    n++;
    sx += a;
    sy += b;
  });
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  forPairs(x, y, lag, (a, b) => {
    sxx += (a - mx) ** 2;
    syy += (b - my) ** 2;
    sxy += (a - mx) * (b - my);
  });
  const slope = sxx > 0 ? sxy / sxx : NaN;
  const intercept = my - slope * mx;
  const r2 = sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN;
  // residual autocorrelation over consecutive pairs (a gap breaks the chain)
  let num = 0;
  let den = 0;
  let prev = NaN;
  forPairs(x, y, lag, (a, b, consecutive) => {
    const e = b - (intercept + slope * a);
    den += e * e;
    if (consecutive && Number.isFinite(prev)) {
      num += e * prev;
    }
    prev = e;
  });
  return { slope, intercept, r2, n, residualAutocorrelation: den > 0 ? num / den : 0 };
}

/** Calls `f(x[i], y[i+lag], previousIndexWasAPair)` for each present pair in time order. */
export function forPairs(
  x: Float64Array,
  y: Float64Array,
  lag: number,
  f: (a: number, b: number, consecutive: boolean) => void
): void {
  let last = -2;
  for (let i = Math.max(0, -lag); i < x.length && i + lag < y.length; i++) {
    const a = x[i];
    const b = y[i + lag];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      continue;
    }
    f(a, b, last === i - 1);
    last = i;
  }
}
