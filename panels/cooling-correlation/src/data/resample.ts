/**
 * Puts series sampled at different rates, with gaps, onto one regular time grid: the grid step is the coarsest
 * native interval among them (finer would invent data), the span is where all of them overlap. A grid point takes
 * the mean of the samples within half a step of it, else the linear interpolation of its neighbours when they are
 * at most `maxGapMs` apart, else NaN (a gap).
 */

/** One series as it came: times in ms (ascending), values (null or NaN = missing). */
export interface RawSeries {
  times: ArrayLike<number>;
  values: ArrayLike<number | null | undefined>;
}

export interface Grid {
  /** ms of the first grid point */
  start: number;
  /** ms between grid points */
  step: number;
  length: number;
}

export interface ResampleSettings {
  /** grid step in ms; 0 = the coarsest median sampling interval of the series. @default 0 */
  stepMs: number;
  /** neighbours further apart than this leave a gap, ms; 0 = 5 × the series' median interval. @default 0 */
  maxGapMs: number;
  /** the grid never gets more points than this: a coarser step is used instead. @default 200000 */
  maxPoints: number;
}

export const DEFAULT_RESAMPLE: ResampleSettings = { stepMs: 0, maxGapMs: 0, maxPoints: 200_000 };

/** Median interval between consecutive present samples, ms; NaN with fewer than two. */
export function medianInterval(s: RawSeries): number {
  const gaps: number[] = [];
  let prev = NaN;
  for (let i = 0; i < s.times.length; i++) {
    if (!isPresent(s.values[i])) {
      continue;
    }
    const t = s.times[i];
    if (Number.isFinite(prev) && t > prev) {
      gaps.push(t - prev);
    }
    prev = t;
  }
  if (gaps.length === 0) {
    return NaN;
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

function isPresent(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** First and last time with a present value. */
function extent(s: RawSeries): [number, number] | undefined {
  let lo = NaN;
  let hi = NaN;
  for (let i = 0; i < s.times.length; i++) {
    if (isPresent(s.values[i])) {
      if (Number.isNaN(lo)) {
        lo = s.times[i];
      }
      hi = s.times[i];
    }
  }
  return Number.isNaN(lo) ? undefined : [lo, hi];
}

/**
 * The common grid of `series`, or undefined when they do not overlap or any has fewer than two samples.
 */
export function commonGrid(series: RawSeries[], settings: ResampleSettings = DEFAULT_RESAMPLE): Grid | undefined {
  let start = -Infinity;
  let end = Infinity;
  let coarsest = 0;
  for (const s of series) {
    const e = extent(s);
    const interval = medianInterval(s);
    if (!e || !Number.isFinite(interval)) {
      return undefined;
    }
    start = Math.max(start, e[0]);
    end = Math.min(end, e[1]);
    coarsest = Math.max(coarsest, interval);
  }
  if (series.length === 0 || !(end > start)) {
    return undefined;
  }
  let step = settings.stepMs > 0 ? settings.stepMs : coarsest;
  step = Math.max(step, (end - start) / Math.max(1, settings.maxPoints - 1));
  return { start, step, length: Math.floor((end - start) / step) + 1 };
}

/** `s` on `grid`: bucket means, interpolation across short gaps, NaN across long ones. */
export function resample(s: RawSeries, grid: Grid, maxGapMs = 0): Float64Array {
  const maxGap = maxGapMs > 0 ? maxGapMs : 5 * medianInterval(s);
  const out = new Float64Array(grid.length).fill(NaN);
  const n = s.times.length;
  const half = grid.step / 2;
  // `i` walks the samples once: the first sample not before the current bucket
  let i = 0;
  // the last present sample before the bucket, for interpolation
  let prevT = NaN;
  let prevV = NaN;
  for (let k = 0; k < grid.length; k++) {
    const t = grid.start + k * grid.step;
    const lo = t - half;
    const hi = t + half;
    for (; i < n && s.times[i] < lo; i++) {
      const v = s.values[i];
      if (isPresent(v)) {
        prevT = s.times[i];
        prevV = v;
      }
    }
    let sum = 0;
    let count = 0;
    let j = i;
    for (; j < n && s.times[j] < hi; j++) {
      const v = s.values[j];
      if (isPresent(v)) {
        sum += v;
        count++;
      }
    }
    if (count > 0) {
      out[k] = sum / count;
      continue;
    }
    // nothing in the bucket: interpolate between the neighbours if the gap between them is short
    let nextT = NaN;
    let nextV = NaN;
    for (; j < n; j++) {
      const v = s.values[j];
      if (isPresent(v)) {
        nextT = s.times[j];
        nextV = v;
        break;
      }
    }
    if (Number.isFinite(prevT) && Number.isFinite(nextT) && nextT - prevT <= maxGap) {
      out[k] = prevV + ((nextV - prevV) * (t - prevT)) / (nextT - prevT);
    }
  }
  return out;
}

/** Share of grid points that are gaps (NaN), 0…1. */
export function gapShare(values: Float64Array): number {
  let gaps = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      gaps++;
    }
  }
  return values.length ? gaps / values.length : 1;
}
