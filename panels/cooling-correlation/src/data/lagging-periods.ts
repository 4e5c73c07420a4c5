/**
 * Where the response lagged the load by more than a threshold: the lag estimated again in overlapping windows
 * (half a window apart), each window whose lag exceeds the threshold marked, overlapping marks merged. Windows
 * where the load barely moves say nothing about lag and are skipped.
 */
import { laggedCorrelation } from './lagged-correlation';

export interface LagPeriod {
  /** first and last grid index of the period */
  from: number;
  to: number;
  /** the longest window lag inside it, grid samples */
  lag: number;
}

export interface LaggingSettings {
  /** window length, grid samples (≥ 2 × maxLag so a window can show the lag) */
  window: number;
  /** longest lag looked for, grid samples */
  maxLag: number;
  /** a window lagging more than this is marked, grid samples */
  threshold: number;
}

/** A window where the load's standard deviation is below this share of the whole range's is skipped. */
const MIN_LOAD_MOVEMENT = 0.05;
/** A window's peak must reach this |r| for its lag to mean anything. */
const MIN_WINDOW_R = 0.5;

function std(v: Float64Array, from: number, to: number): number {
  let n = 0;
  let s = 0;
  let ss = 0;
  for (let i = from; i < to; i++) {
    if (!Number.isNaN(v[i])) {
      n++;
      s += v[i];
      ss += v[i] * v[i];
    }
  }
  return n > 1 ? Math.sqrt(Math.max(0, ss / n - (s / n) ** 2)) : 0;
}

export function laggingPeriods(load: Float64Array, response: Float64Array, s: LaggingSettings): LagPeriod[] {
  const n = load.length;
  const window = Math.min(n, Math.max(s.window, 2 * s.maxLag + 2));
  const step = Math.max(1, Math.floor(window / 2));
  const overall = std(load, 0, n);
  const periods: LagPeriod[] = [];
  if (overall === 0 || window < 8) {
    return periods;
  }
  for (let start = 0; start + window <= n; start += step) {
    if (std(load, start, start + window) < MIN_LOAD_MOVEMENT * overall) {
      continue;
    }
    const curve = laggedCorrelation(
      load.subarray(start, start + window),
      response.subarray(start, start + window),
      Math.min(s.maxLag, window - 8)
    );
    // only lags ≥ 0 (the response following) count here
    let best = -1;
    for (let k = 0; k < curve.r.length; k++) {
      if (
        curve.lags[k] >= 0 &&
        Number.isFinite(curve.r[k]) &&
        (best < 0 || Math.abs(curve.r[k]) > Math.abs(curve.r[best]))
      ) {
        best = k;
      }
    }
    if (best < 0 || Math.abs(curve.r[best]) < MIN_WINDOW_R || curve.lags[best] <= s.threshold) {
      continue;
    }
    const lag = curve.lags[best];
    const last = periods[periods.length - 1];
    if (last && start <= last.to) {
      last.to = start + window - 1;
      last.lag = Math.max(last.lag, lag);
    } else {
      periods.push({ from: start, to: start + window - 1, lag });
    }
  }
  return periods;
}
