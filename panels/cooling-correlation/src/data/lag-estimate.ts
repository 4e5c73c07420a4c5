/**
 * The response lag from a lagged-correlation curve: the lag of the strongest correlation (|r|, so an inverse
 * response counts too), refined between grid samples by a parabola through the peak and its neighbours, with a
 * 95 % confidence interval — the lags whose r is not significantly weaker than the peak's.
 *
 * Significance uses Fisher's z (atanh r, standard error 1/√(n_eff − 3)) with an effective sample size that
 * discounts autocorrelated residuals (n_eff = n (1 − ρ) / (1 + ρ), ρ the residuals' lag-1 autocorrelation):
 * smooth thermal series have far fewer independent points than grid points, and pretending otherwise would give
 * a confidence interval narrower than the data supports.
 */
import type { LaggedCorrelation } from './lagged-correlation';
import { fitAtLag, type LinearFit } from './regression';

/** 95 % two-sided normal quantile */
const Z95 = 1.959964;

export interface LagEstimate {
  /** best lag in grid samples, refined between samples (may be fractional) */
  lag: number;
  /** the whole grid sample nearest the peak, where `fit` was computed */
  lagIndex: number;
  /** 95 % confidence interval of the lag, in grid samples */
  ci: [number, number];
  /** Pearson r at the peak (signed) */
  r: number;
  /** the regression of response on load at `lagIndex` */
  fit: LinearFit;
  /** independent-equivalent pairs behind the confidence interval */
  effectiveN: number;
  /** the peak sits at the edge of the searched lags: the true lag may be longer (or shorter) */
  atEdge: boolean;
}

export function estimateLag(x: Float64Array, y: Float64Array, curve: LaggedCorrelation): LagEstimate | undefined {
  const { lags, r } = curve;
  let best = -1;
  for (let k = 0; k < r.length; k++) {
    if (Number.isFinite(r[k]) && (best < 0 || Math.abs(r[k]) > Math.abs(r[best]))) {
      best = k;
    }
  }
  if (best < 0) {
    return undefined;
  }
  const peak = Math.abs(r[best]);
  let lag = lags[best];
  const left = Math.abs(r[best - 1]);
  const right = Math.abs(r[best + 1]);
  if (Number.isFinite(left) && Number.isFinite(right)) {
    const curvature = left - 2 * peak + right;
    if (curvature < 0) {
      lag += (0.5 * (left - right)) / curvature;
    }
  }
  const fit = fitAtLag(x, y, lags[best]);
  const rho = Math.min(0.999, Math.max(0, fit.residualAutocorrelation));
  const effectiveN = Math.max(4, Math.min(fit.n, (fit.n * (1 - rho)) / (1 + rho)));
  const floor = Math.atanh(Math.min(peak, 0.999999)) - Z95 / Math.sqrt(effectiveN - 3);
  const within = (k: number) => Number.isFinite(r[k]) && Math.atanh(Math.min(Math.abs(r[k]), 0.999999)) >= floor;
  let lo = best;
  let hi = best;
  while (lo > 0 && within(lo - 1)) {
    lo--;
  }
  while (hi < r.length - 1 && within(hi + 1)) {
    hi++;
  }
  return {
    lag,
    lagIndex: lags[best],
    ci: [lags[lo], lags[hi]],
    r: r[best],
    fit,
    effectiveN,
    atEdge: best === 0 || best === r.length - 1,
  };
}
