/**
 * The statistics the detectors need, small enough to run on every sample: a linear fit by least squares with one
 * robust refit, an EWMA, and a windowed trend forecast to a limit with a prediction interval. Closed forms on at
 * most two regressors — a linear-algebra library would add a dependency and allocations for a 3×3 solve.
 */

/** y ≈ a + b·x, fitted by least squares; `sd` the residual standard deviation. */
export interface LinearFit {
  a: number;
  b: number;
  sd: number;
  n: number;
  /** range of x seen while learning: a prediction outside it is an extrapolation */
  xMin: number;
  xMax: number;
  /** mean of x and Σ(x − mean)²: what a prediction interval at a new x needs */
  mx: number;
  sxx: number;
}

/** Ordinary least squares over the points `keep` accepts (all by default). */
export function linearFit(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  keep?: (i: number) => boolean,
): LinearFit | undefined {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let xMin = Infinity;
  let xMax = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (keep && !keep(i)) continue;
    const x = xs[i] as number;
    n++;
    sx += x;
    sy += ys[i] as number;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
  }
  if (n < 3) return undefined;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep && !keep(i)) continue;
    const dx = (xs[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[i] as number) - my);
  }
  // no spread in x: the best model is the mean (b = 0)
  const b = sxx > 1e-12 * n ? sxy / sxx : 0;
  const a = my - b * mx;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep && !keep(i)) continue;
    const r = (ys[i] as number) - a - b * (xs[i] as number);
    ss += r * r;
  }
  return { a, b, sd: Math.sqrt(ss / Math.max(1, n - 2)), n, xMin, xMax, mx, sxx };
}

/**
 * Least squares, then once more without the points beyond 3 robust standard deviations (1.4826 × MAD) of the
 * first fit: a few faulty minutes in the learning window do not bend the healthy model.
 */
export function robustLinearFit(xs: ArrayLike<number>, ys: ArrayLike<number>): LinearFit | undefined {
  const first = linearFit(xs, ys);
  if (!first) return undefined;
  const res = Array.from({ length: xs.length }, (_, i) => (ys[i] as number) - first.a - first.b * (xs[i] as number));
  const abs = res.map(Math.abs).sort((p, q) => p - q);
  const mad = abs[Math.floor(abs.length / 2)] as number;
  const cut = 3 * 1.4826 * mad;
  if (!(cut > 0)) return first;
  return linearFit(xs, ys, (i) => Math.abs(res[i] as number) <= cut) ?? first;
}

/** Exponentially weighted moving average; `lambda` the weight of a new value (0.05 ≈ the last 20 values). */
export class Ewma {
  value: number | undefined;
  constructor(private readonly lambda: number) {}
  push(x: number): number {
    this.value = this.value === undefined ? x : this.value + this.lambda * (x - this.value);
    return this.value;
  }
  reset(): void {
    this.value = undefined;
  }
}

/** Time for a trend to reach a limit: `mid` the fit's estimate, `lo`–`hi` its 90 % interval, minutes. */
export interface TimeToLimit {
  mid: number;
  lo: number;
  hi: number;
  /** value now (the fit's), and the slope per minute */
  level: number;
  slopePerMin: number;
}

/**
 * A fixed-length window of (time, value) for trend forecasts: a ring buffer, so pushing allocates nothing. The
 * forecast is a straight line over the window; its interval follows from the slope's standard error (90 %,
 * z = 1.645), so a noisy or flat trend gives a wide interval or none.
 */
export class TrendWindow {
  private readonly t: Float64Array;
  private readonly v: Float64Array;
  private start = 0;
  private size = 0;

  constructor(
    private readonly capacity: number,
    /** oldest sample kept, ms before the newest */
    private readonly spanMs: number,
  ) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  push(t: number, v: number): void {
    const last = this.size ? (this.t[(this.start + this.size - 1) % this.capacity] as number) : -Infinity;
    // out of order or repeated: ignored, the window stays sorted
    if (!(t > last) || !Number.isFinite(v)) return;
    if (this.size === this.capacity) {
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    this.t[(this.start + this.size) % this.capacity] = t;
    this.v[(this.start + this.size) % this.capacity] = v;
    this.size++;
    while (this.size > 1 && t - (this.t[this.start] as number) > this.spanMs) {
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
  }

  clear(): void {
    this.size = 0;
  }

  get length(): number {
    return this.size;
  }

  /** the newest value, or undefined */
  last(): number | undefined {
    return this.size ? (this.v[(this.start + this.size - 1) % this.capacity] as number) : undefined;
  }

  /**
   * When the trend reaches `limit` going up (or down with `below`), within `horizonMin` minutes. Undefined: too
   * few samples (fewer than `minSamples` or a window shorter than a quarter of its span), or not heading there.
   * `lastMs`: fit only the newest samples within this many ms (the window's recent part).
   */
  timeTo(
    limit: number,
    horizonMin: number,
    opts: { below?: boolean; minSamples?: number; lastMs?: number } = {},
  ): TimeToLimit | undefined {
    let n = this.size;
    if (n === 0) return undefined;
    const t0 = this.t[(this.start + n - 1) % this.capacity] as number;
    let first = this.start;
    const span = opts.lastMs !== undefined ? Math.min(opts.lastMs, this.spanMs) : this.spanMs;
    if (opts.lastMs !== undefined)
      while (n > 1 && t0 - (this.t[first] as number) > opts.lastMs) {
        first = (first + 1) % this.capacity;
        n--;
      }
    if (n < (opts.minSamples ?? 12)) return undefined;
    if (t0 - (this.t[first] as number) < span / 4) return undefined;
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < n; k++) {
      const i = (first + k) % this.capacity;
      sx += ((this.t[i] as number) - t0) / 60_000;
      sy += this.v[i] as number;
    }
    const mx = sx / n;
    const my = sy / n;
    let sxx = 0;
    let sxy = 0;
    for (let k = 0; k < n; k++) {
      const i = (first + k) % this.capacity;
      const dx = ((this.t[i] as number) - t0) / 60_000 - mx;
      sxx += dx * dx;
      sxy += dx * ((this.v[i] as number) - my);
    }
    if (!(sxx > 0)) return undefined;
    const b = sxy / sxx;
    const level = my - b * mx; // the line at t0 (x = 0)
    let ss = 0;
    for (let k = 0; k < n; k++) {
      const i = (first + k) % this.capacity;
      const r = (this.v[i] as number) - level - (b * ((this.t[i] as number) - t0)) / 60_000;
      ss += r * r;
    }
    const se = Math.sqrt(ss / Math.max(1, n - 2) / sxx);
    const sign = opts.below ? -1 : 1;
    const gap = sign * (limit - level);
    const slope = sign * b;
    // already there: zero minutes, whatever the slope says
    if (gap <= 0) return { mid: 0, lo: 0, hi: 0, level, slopePerMin: b };
    if (!(slope > 0)) return undefined;
    const mid = gap / slope;
    if (mid > horizonMin) return undefined;
    const fast = slope + 1.645 * se;
    const slow = slope - 1.645 * se;
    return {
      mid,
      lo: gap / fast,
      hi: slow > 0 ? Math.min(gap / slow, horizonMin * 4) : horizonMin * 4,
      level,
      slopePerMin: b,
    };
  }
}

/** Median of a few numbers (peers of a rack): sorts a copy. */
export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The 90 % prediction interval half-width of a fit at x (a new observation, not the mean). */
export function predictionHalfWidth(f: LinearFit, x: number): number {
  return 1.645 * f.sd * Math.sqrt(1 + 1 / f.n + (f.sxx > 0 ? (x - f.mx) ** 2 / f.sxx : 0));
}
