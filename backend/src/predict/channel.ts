/**
 * One expected-vs-actual channel: learns what a healthy unit does from its first `learnSamples` good inputs,
 * then watches the residual (actual − expected) with an EWMA and raises or clears with on/off delays and a
 * hysteresis band. Cold start says "learning"; missing, non-finite, out-of-order and flat-lined inputs put the
 * channel in "degraded" and never alarm by themselves.
 */
import { Ewma, robustLinearFit, type LinearFit } from './stats';

/**
 * How `expected` follows the input x:
 * - `mean`: a constant (y against its own healthy level, e.g. a rack inlet against its peers' median);
 * - `linear`: a + b·x;
 * - `proportional`: b·x through the origin (fan laws: airflow ∝ fan speed, filter ΔP ∝ airflow², pump flow ∝
 *   speed) — valid beyond the range seen while learning, which is where a degrading unit goes.
 * - `saturating`: x / (a + b·x), fitted as x / y = a + b·x: a rack's exhaust − inlet against its heat, where the
 *   air it moves (x / y, the heat per kelvin) rises with the load as its servers' fans speed up — so the curve
 *   between idle and a full job is right on loads the learning window never saw.
 * `ratio` residuals are (actual / expected − 1), so a threshold is a share (0.1 = 10 %); else in y's unit.
 */
export type ChannelModel = 'mean' | 'linear' | 'proportional' | 'saturating';

export interface ChannelSpec {
  model: ChannelModel;
  ratio?: boolean;
  /** smallest deviation worth an alarm, in the residual's unit: the practical-significance floor */
  minEffect: number;
  /** the threshold is max(minEffect, k × the EWMA's spread while learning); @default 5 */
  k?: number;
  /** EWMA weight of a new residual; @default 0.05 (≈ the last 20 evaluations) */
  lambda?: number;
  /** which way is a fault: `low` (residual below), `high`, or `both`; @default both */
  direction?: 'low' | 'high' | 'both';
  /** evaluations the deviation must hold before raising, and be gone before clearing; @default 18 and 30 */
  onCount?: number;
  offCount?: number;
  /** good inputs needed before the model is trusted; @default 360 (the predictor passes prediction.learn) */
  learnSamples?: number;
  /** inputs missing this many evaluations in a row: degraded; @default 30 */
  missingCount?: number;
  /** identical y this many evaluations in a row: a flat-lined sensor, degraded; @default 180; 0: never. A
   * `reading` given to push() (the sensor itself, when y is its difference to a moving reference such as its
   * peers) degrades after twice as many identical values: a quantised real sensor may hold still for a while */
  flatCount?: number;
  /** judge flat-lining on the `reading` only, not on y: y is a quantised difference (a rack's GPU aggregate
   * against its own GPUs, both whole degrees) that holds the same value for long stretches on a healthy unit */
  flatReadingOnly?: boolean;
  /**
   * judge only near inputs seen while learning: x's learned range in this many bins, and an x whose bin and its
   * neighbours held no learning sample is not judged (a rack that learned idle and full load has not learned a
   * half-load job: its curve between is a guess). @default none (the whole range, with its margin)
   */
  coverageBins?: number;
  /**
   * y follows its expected value through a first-order lag of this time constant, s (a rack's exhaust behind its
   * load: the servers' thermal mass). The model is learned on x through the same lag and judged against the
   * expected value lagged; each starts over after a gap and is used from two time constants on. @default none
   */
  lagS?: number;
}

/** coverageBins: a bin counts as seen with this many learning samples (5 minutes at the 10 s cadence): a load
 * passed through on a ramp is not a load learned */
const SEEN = 30;

export type ChannelState = 'learning' | 'normal' | 'alarm' | 'degraded';

export class ResidualChannel {
  state: ChannelState = 'learning';
  /** the last evaluation whose residual was judged (its deviation is as of then), Unix ms */
  judgedAt = -Infinity;
  /** why degraded, for the detectors' status */
  reason?: string;
  private xs: number[] = [];
  private ys: number[] = [];
  private fit?: LinearFit;
  /** coverageBins: learning samples per bin of x's learned range */
  private seen?: Uint32Array;
  private level = 0;
  private threshold = 0;
  private readonly ewma: Ewma;
  private streak = 0;
  private missing = 0;
  private lastY = NaN;
  private flat = 0;
  private lastReading = NaN;
  private flatReading = 0;
  private lastT = -Infinity;
  /** after degraded or a restart the EWMA starts again; no decision until it has settled */
  private settle = 0;
  private deviationNow = 0;
  /** lagS: x and the expected value through the lag, and since when the lag has run (Unix ms) */
  private xLag = 0;
  private eLag?: number;
  private lagFrom?: number;

  constructor(private readonly spec: ChannelSpec) {
    this.ewma = new Ewma(spec.lambda ?? 0.05);
  }

  /** good inputs still needed before the model is trusted (0 once learned) */
  get learningLeft(): number {
    return this.fit ? 0 : (this.spec.learnSamples ?? 360) - this.xs.length;
  }

  /** the EWMA's deviation from healthy, in thresholds (≥ 1 is alarm level); 0 while learning or degraded */
  get score(): number {
    return this.state === 'normal' || this.state === 'alarm' ? Math.abs(this.deviationNow) / this.threshold : 0;
  }

  /** the EWMA's deviation from healthy, in the residual's unit (signed) */
  get deviation(): number {
    return this.deviationNow;
  }

  /** expected y at x (for evidence text); undefined while learning */
  expected(x: number): number | undefined {
    if (!this.fit) return undefined;
    if (this.spec.model === 'saturating') {
      const g = this.fit.a + this.fit.b * x;
      return g > 1e-9 ? x / g : undefined;
    }
    return this.spec.model === 'mean' ? this.fit.a : this.fit.a + this.fit.b * x;
  }

  /**
   * Feeds one evaluation: `y` actual, `x` the model's input (ignored by `mean`); undefined = not available.
   * `reading`: the raw sensor value behind y when y is relative to something that moves (a rack inlet against its
   * peers' median): a frozen sensor then still reads as flat-lined.
   */
  push(t: number, y: number | undefined, x = 0, reading?: number): ChannelState {
    if (!(t > this.lastT)) return this.state; // out of order or repeated: ignored
    const prevT = this.lastT;
    this.lastT = t;
    if (y === undefined || !Number.isFinite(y) || !Number.isFinite(x)) {
      this.lagFrom = this.eLag = undefined;
      if (++this.missing >= (this.spec.missingCount ?? 30) && this.state !== 'learning') this.degrade('no input');
      return this.state;
    }
    this.missing = 0;
    const flatCount = this.spec.flatCount ?? 180;
    this.flat = y === this.lastY ? this.flat + 1 : 0;
    this.lastY = y;
    if (flatCount > 0 && this.flat >= flatCount && !this.spec.flatReadingOnly) {
      this.degrade('input unchanged (flat-lined sensor?)');
      return this.state;
    }
    if (reading !== undefined) {
      this.flatReading = reading === this.lastReading ? this.flatReading + 1 : 0;
      this.lastReading = reading;
      if (flatCount > 0 && this.flatReading >= 2 * flatCount) {
        this.degrade('reading unchanged (flat-lined sensor?)');
        return this.state;
      }
    }
    const lagMs = (this.spec.lagS ?? 0) * 1000;
    let alpha = 1;
    if (lagMs > 0) {
      if (this.lagFrom === undefined) {
        this.lagFrom = t;
        this.xLag = x;
      } else {
        alpha = 1 - Math.exp(-(t - prevT) / lagMs);
        this.xLag += alpha * (x - this.xLag);
      }
      if (t - this.lagFrom < 2 * lagMs) {
        this.eLag = undefined;
        return this.state;
      }
    }
    if (!this.fit) {
      this.learn(lagMs > 0 ? this.xLag : x, y);
      return this.state;
    }
    // the expected value through the lag runs on every input, judged or not (a stale one would be a step)
    if (lagMs > 0) {
      const e = this.expected(x);
      if (e !== undefined)
        this.eLag = this.eLag === undefined ? (this.expected(this.xLag) ?? e) : this.eLag + alpha * (e - this.eLag);
    }
    // a straight line is trusted only near the inputs it was learned on (20 % of their span beyond, at least 1);
    // outside it the channel neither raises nor clears
    if (this.spec.model !== 'mean' && this.spec.model !== 'proportional' && this.fit) {
      const pad = Math.max(1, 0.2 * (this.fit.xMax - this.fit.xMin));
      if (x < this.fit.xMin - pad || x > this.fit.xMax + pad) return this.state;
    }
    if (this.seen) {
      const b = this.binOf(x, this.seen.length);
      const near = Math.max(
        this.seen[b] as number,
        (this.seen[b - 1] as number | undefined) ?? 0,
        (this.seen[b + 1] as number | undefined) ?? 0,
      );
      if (near < SEEN) return this.state;
    }
    let e = this.expected(x);
    if (lagMs > 0) e = this.eLag;
    const r = e === undefined ? undefined : !this.spec.ratio ? y - e : e > 1e-9 ? y / e - 1 : undefined;
    if (r === undefined) return this.state;
    this.judgedAt = t;
    if (this.state === 'degraded') {
      this.state = 'normal';
      this.reason = undefined;
      this.ewma.reset();
      this.settle = Math.round(2 / (this.spec.lambda ?? 0.05));
      this.streak = 0;
    }
    const dev = this.ewma.push(r) - this.level;
    this.deviationNow = dev;
    if (this.settle > 0) {
      this.settle--;
      return this.state;
    }
    const dir = this.spec.direction ?? 'both';
    const signed = dir === 'low' ? -dev : dir === 'high' ? dev : Math.abs(dev);
    if (this.state === 'normal') {
      this.streak = signed > this.threshold ? this.streak + 1 : 0;
      if (this.streak >= (this.spec.onCount ?? 18)) {
        this.state = 'alarm';
        this.streak = 0;
      }
    } else {
      // hysteresis: clears only below 60 % of the threshold
      this.streak = signed < 0.6 * this.threshold ? this.streak + 1 : 0;
      if (this.streak >= (this.spec.offCount ?? 30)) {
        this.state = 'normal';
        this.streak = 0;
      }
    }
    return this.state;
  }

  /** the bin of x in the learned range of x (clamped to the end bins) */
  private binOf(x: number, nb: number): number {
    const f = this.fit as LinearFit;
    const span = f.xMax - f.xMin;
    return span > 0 ? Math.min(nb - 1, Math.max(0, Math.floor(((x - f.xMin) / span) * nb))) : 0;
  }

  private degrade(reason: string): void {
    this.lagFrom = this.eLag = undefined;
    this.state = this.fit ? 'degraded' : 'learning';
    this.reason = reason;
    this.streak = 0;
    this.deviationNow = 0;
  }

  private learn(x: number, y: number): void {
    this.xs.push(x);
    this.ys.push(y);
    if (this.xs.length < (this.spec.learnSamples ?? 360)) return;
    const fit = this.fitModel();
    const learned = this.xs;
    this.xs = [];
    this.ys = [];
    if (!fit) return;
    this.fit = fit.fit;
    const nb = this.spec.coverageBins ?? 0;
    if (nb > 0) {
      const seen = new Uint32Array(nb);
      for (const x of learned) {
        const b = this.binOf(x, nb);
        seen[b] = (seen[b] as number) + 1;
      }
      this.seen = seen;
    }
    // the EWMA's own spread over the learning window: residuals are autocorrelated, so σ of single residuals
    // would understate how far the average wanders on a healthy unit
    const e = new Ewma(this.spec.lambda ?? 0.05);
    const devs: number[] = [];
    for (const r of fit.residuals) devs.push(e.push(r));
    const tail = devs.slice(Math.min(devs.length - 1, Math.round(2 / (this.spec.lambda ?? 0.05))));
    const sorted = [...tail].sort((p, q) => p - q);
    this.level = sorted[sorted.length >> 1] as number;
    const abs = tail.map((d) => Math.abs(d - this.level)).sort((p, q) => p - q);
    const mad = abs[abs.length >> 1] as number;
    // the widest the average wandered on the healthy unit (jobs starting, the plant staging), with a margin:
    // an alarm means "not seen in the learning window", not "unusual for a quiet hour"
    const widest = abs[abs.length - 1] as number;
    this.threshold = Math.max(this.spec.minEffect, (this.spec.k ?? 5) * 1.4826 * mad, 1.25 * widest);
    this.state = 'normal';
    this.ewma.reset();
    for (const r of fit.residuals.slice(-Math.round(2 / (this.spec.lambda ?? 0.05)))) this.ewma.push(r);
  }

  private fitModel(): { fit: LinearFit; residuals: number[] } | undefined {
    const { xs, ys } = this;
    let fit: LinearFit | undefined;
    if (this.spec.model === 'saturating') {
      // heat per kelvin against heat, on the samples that carry it (heat and a positive rise)
      const gx: number[] = [];
      const gy: number[] = [];
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i] as number;
        const y = ys[i] as number;
        if (x > 0 && y > 0) {
          gx.push(x);
          gy.push(x / y);
        }
      }
      fit = robustLinearFit(gx, gy);
    } else if (this.spec.model === 'mean') {
      fit = robustLinearFit(
        xs.map(() => 0),
        ys,
      );
    } else if (this.spec.model === 'linear') {
      fit = robustLinearFit(xs, ys);
    } else {
      // through the origin: b = Σxy / Σx² over the inputs that carry information
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < xs.length; i++) {
        sxy += (xs[i] as number) * (ys[i] as number);
        sxx += (xs[i] as number) ** 2;
      }
      if (sxx > 0)
        fit = { a: 0, b: sxy / sxx, sd: 0, n: xs.length, xMin: Math.min(...xs), xMax: Math.max(...xs), mx: 0, sxx };
    }
    if (!fit) return undefined;
    const f = fit;
    const residuals: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] as number;
      const e =
        this.spec.model === 'mean' ? f.a : this.spec.model === 'saturating' ? x / (f.a + f.b * x) : f.a + f.b * x;
      if (!Number.isFinite(e)) continue;
      const y = ys[i] as number;
      if (!this.spec.ratio) residuals.push(y - e);
      else if (e > 1e-9) residuals.push(y / e - 1);
    }
    return residuals.length ? { fit: f, residuals } : undefined;
  }
}
