import type { Matcher } from './ast';
import type { RollupStat } from './rollup-plan';
import { labelsKey, matchesAll, METRIC_NAME, type Labels } from './labels';

/**
 * Samples of one series with from ≤ t ≤ to, in time order. Typed arrays from the historian (no boxed number per
 * sample: a 24 h range over 1,000 series walks millions). A sample with `stale[i]` true is a stale marker (no
 * value from there on); its `v` is meaningless. No `stale`: none is.
 */
export interface RawSamples {
  /** Unix ms */
  t: ArrayLike<number>;
  v: ArrayLike<number>;
  stale?: ArrayLike<boolean | number>;
  /**
   * Per sample, the ms it stands for: 0 (or no array) for a raw sample, the bucket width for a rollup bucket read
   * where raw retention has expired (stamped at the bucket's start; see rollup-plan.ts). An instant selector looks
   * back at least that far, so hour buckets still answer with the 5 min lookback.
   */
  bucketMs?: ArrayLike<number>;
}

export interface SeriesRef {
  labels: Labels;
  /** unique per series, for the source's own use */
  id: string;
}

/**
 * What the evaluator reads: series by label matchers and their samples. The evaluator (eval.ts) is pure over this
 * interface; historian-source.ts implements it over the historian and catalog, MemorySource below over arrays.
 */
export interface SampleSource {
  select(matchers: readonly Matcher[]): SeriesRef[];
  /** `stat`: what a rollup bucket gives where only rollups are left (@default 'last'). A read that returns
   * buckets under 'count' gives its raw samples as 1 each, so the window's sum is its sample count */
  samples(ref: SeriesRef, from: number, to: number, stat?: RollupStat): RawSamples;
  /**
   * Optional: each series' newest sample by time (`v` null: a stale marker) from a cache, without reading the
   * samples. An instant selector at a time at or after that sample needs nothing else (it is then the newest
   * sample at or before the time), so alert rules evaluated at "now" never read the store. null: the series has
   * no samples at all; undefined: the source cannot vouch for its newest sample (samples() is asked).
   */
  newest?(refs: readonly SeriesRef[]): Array<NewestSample | null | undefined>;
}

export interface NewestSample {
  t: number;
  v: number | null;
}

/** Binary search: the first index with t[i] ≥ x. */
export function lowerBound(t: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface MemorySeries {
  labels: Record<string, string>;
  t: number[];
  v: Array<number | null>;
}

/** Series held in arrays (tests, and anything computed in memory). Samples must be in time order. */
export class MemorySource implements SampleSource {
  private readonly series: Array<{ ref: SeriesRef; t: number[]; v: Array<number | null> }>;

  constructor(series: readonly MemorySeries[]) {
    this.series = series.map((s) => {
      const labels: Labels = new Map(Object.entries(s.labels));
      return { ref: { labels, id: labelsKey(labels) }, t: s.t, v: s.v };
    });
  }

  select(matchers: readonly Matcher[]): SeriesRef[] {
    return this.series.filter((s) => matchesAll(s.ref.labels, matchers)).map((s) => s.ref);
  }

  newest(refs: readonly SeriesRef[]): Array<NewestSample | null> {
    return refs.map((ref) => {
      const s = this.series.find((x) => x.ref.id === ref.id);
      return s && s.t.length ? { t: s.t[s.t.length - 1]!, v: s.v[s.v.length - 1]! } : null;
    });
  }

  samples(ref: SeriesRef, from: number, to: number): RawSamples {
    const s = this.series.find((x) => x.ref.id === ref.id);
    if (!s) return { t: [], v: [] };
    const a = lowerBound(s.t, from);
    const b = lowerBound(s.t, to + 1);
    const v = s.v.slice(a, b);
    return { t: s.t.slice(a, b), v: v.map((x) => x ?? NaN), stale: v.map((x) => x === null) };
  }
}

export { METRIC_NAME };
