import type { BucketSeries, StoreResolution } from '../historian/types';

/**
 * Which resolution serves which part of a read, and what a rollup bucket stands for as a sample. Pure: the rule
 * README.md ("Reading from rollups") documents, kept apart from the historian I/O in historian-source.ts.
 *
 * The rule: raw samples wherever retention still holds them (answers then match Prometheus exactly, which the
 * differential test proves); 1-minute rollups where only they are left; 1-hour rollups before that. Horizons
 * are whole hours (retention drops whole point-hours), so the pieces never split a bucket.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface ReadPiece {
  /** inclusive, Unix ms */
  from: number;
  /** exclusive, Unix ms */
  to: number;
  resolution: StoreResolution;
  /** ms one sample of this piece spans: 0 for raw, else the bucket width */
  bucketMs: number;
}

/** The pieces of [from, to) by resolution, oldest first; empty pieces left out. */
export function planRead(from: number, to: number, horizon: Readonly<Record<StoreResolution, number>>): ReadPiece[] {
  const rawFrom = horizon.raw;
  const m1From = Math.min(horizon['1m'], rawFrom);
  const pieces: ReadPiece[] = [
    { from, to: Math.min(to, m1From), resolution: '1h', bucketMs: HOUR_MS },
    { from: Math.max(from, m1From), to: Math.min(to, rawFrom), resolution: '1m', bucketMs: MINUTE_MS },
    { from: Math.max(from, rawFrom), to, resolution: 'raw', bucketMs: 0 },
  ];
  return pieces.filter((p) => p.to > p.from);
}

/**
 * The statistic a bucket gives as its one sample. A range function that Prometheus computes from every sample
 * gets the bucket statistic it can be rebuilt from exactly (count_over_time sums the counts, avg_over_time divides
 * the summed sums by the summed counts, min/max/sum of buckets are those of their samples); every other use (an
 * instant selector, rate, quantile_over_time, …) sees the bucket's last good value, as the newest value is what
 * a selector reports.
 */
export type RollupStat = 'last' | 'sum' | 'count' | 'min' | 'max';

const STAT_OF: Readonly<Record<string, RollupStat>> = {
  sum_over_time: 'sum',
  avg_over_time: 'sum',
  count_over_time: 'count',
  min_over_time: 'min',
  max_over_time: 'max',
};

export function rollupStat(fn: string | undefined): RollupStat {
  return (fn !== undefined && STAT_OF[fn]) || 'last';
}

/** Quality codes, as the `plenum_quality` series holds them. */
const GOOD = 0;
const BAD = 2;

/**
 * Bucket k as one sample: the value, or null for a stale marker (a bucket that held only bad samples, as a bad
 * raw sample is one). Under `count` a raw sample stands for 1, so raw and rollup pieces add up alike.
 */
export function bucketValue(b: BucketSeries, k: number, stat: RollupStat): number | null {
  if (b.count[k] === 0) return null;
  return stat === 'last' ? b.last[k]! : b[stat][k]!;
}

/**
 * Bucket k of a point as one sample of its quality series (never stale). Rollups count bad samples but keep no
 * uncertain ones apart, so a bucket reads 2 (bad) when it held a bad sample, else 0; its count is every sample.
 */
export function bucketQuality(b: BucketSeries, k: number, stat: RollupStat): number {
  const bad = b.badCount[k]!;
  switch (stat) {
    case 'count':
      return b.count[k]! + bad;
    case 'sum':
      return BAD * bad;
    case 'min':
      return b.count[k]! > 0 ? GOOD : BAD;
    case 'max':
    case 'last':
      return bad > 0 ? BAD : GOOD;
  }
}
