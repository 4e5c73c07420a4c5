import { decimalScale } from './columns';
import { MINUTE_MS, QUALITY_BAD, type Series } from './series';

/**
 * 1-minute and 1-hour statistics of one point-hour. Bad-quality samples are left out of count/min/max/sum/last
 * and counted in `bad`; a bucket with only bad samples has count 0 and NaN min/max/last.
 */
export interface MinuteBuckets {
  /** number of minutes that hold samples */
  n: number;
  /** minute within the hour, 0…59, increasing */
  minute: Uint8Array;
  count: Uint32Array;
  bad: Uint32Array;
  min: Float64Array;
  max: Float64Array;
  sum: Float64Array;
  last: Float64Array;
}

export interface BucketStats {
  count: number;
  bad: number;
  min: number;
  max: number;
  sum: number;
  last: number;
}

export function emptyMinuteBuckets(n: number): MinuteBuckets {
  return {
    n,
    minute: new Uint8Array(n),
    count: new Uint32Array(n),
    bad: new Uint32Array(n),
    min: new Float64Array(n).fill(NaN),
    max: new Float64Array(n).fill(NaN),
    sum: new Float64Array(n),
    last: new Float64Array(n).fill(NaN),
  };
}

/**
 * Float sums of exact decimals drift (0.1 + 0.2); when every input has ≤ d decimals the true sum has too, so
 * rounding to d decimals gives the exact sum back and keeps the rollup blob compressible.
 */
function snapSums(sums: Float64Array, n: number, d: number): void {
  if (d < 0) return;
  const p = 10 ** d;
  for (let i = 0; i < n; i++) {
    const x = (sums[i] as number) * p;
    if (Math.abs(x) < 2 ** 50) sums[i] = Math.round(x) / p;
  }
}

/** Minute buckets of samples that are sorted, unique in time and all inside the hour starting at hourStart. */
export function computeMinuteBuckets(s: Series, hourStart: number): MinuteBuckets {
  const acc = emptyMinuteBuckets(60);
  const present = new Uint8Array(60);
  // imported bindings are getter calls once compiled to CommonJS: read them once, not per sample
  const minuteMs = MINUTE_MS;
  const bad = QUALITY_BAD;
  for (let i = 0; i < s.n; i++) {
    const m = Math.floor(((s.ts[i] as number) - hourStart) / minuteMs);
    if (m < 0 || m > 59) throw new RangeError(`sample at ${s.ts[i]} is outside the hour ${hourStart}`);
    present[m] = 1;
    if (s.quality[i] === bad) {
      acc.bad[m] = (acc.bad[m] as number) + 1;
      continue;
    }
    const v = s.num[i] as number;
    if (acc.count[m] === 0) {
      acc.min[m] = v;
      acc.max[m] = v;
    } else {
      if (v < (acc.min[m] as number)) acc.min[m] = v;
      if (v > (acc.max[m] as number)) acc.max[m] = v;
    }
    acc.count[m] = (acc.count[m] as number) + 1;
    acc.sum[m] = (acc.sum[m] as number) + v;
    acc.last[m] = v;
  }
  let n = 0;
  for (let m = 0; m < 60; m++) if (present[m]) n++;
  const out = emptyMinuteBuckets(n);
  let k = 0;
  for (let m = 0; m < 60; m++) {
    if (!present[m]) continue;
    out.minute[k] = m;
    out.count[k] = acc.count[m] as number;
    out.bad[k] = acc.bad[m] as number;
    out.min[k] = acc.min[m] as number;
    out.max[k] = acc.max[m] as number;
    out.sum[k] = acc.sum[m] as number;
    out.last[k] = acc.last[m] as number;
    k++;
  }
  snapSums(out.sum, out.n, decimalScale(s.num, s.str ? 0 : s.n));
  return out;
}

/** Combines two bucket stats where every sample of `later` comes after every sample of `earlier`. */
export function combineStats(earlier: BucketStats, later: BucketStats): BucketStats {
  if (later.count === 0) return { ...earlier, bad: earlier.bad + later.bad };
  if (earlier.count === 0) return { ...later, bad: earlier.bad + later.bad };
  return {
    count: earlier.count + later.count,
    bad: earlier.bad + later.bad,
    min: Math.min(earlier.min, later.min),
    max: Math.max(earlier.max, later.max),
    sum: earlier.sum + later.sum,
    last: later.last,
  };
}

export function bucketAt(b: MinuteBuckets, k: number): BucketStats {
  return {
    count: b.count[k] as number,
    bad: b.bad[k] as number,
    min: b.min[k] as number,
    max: b.max[k] as number,
    sum: b.sum[k] as number,
    last: b.last[k] as number,
  };
}

/** The decimals of a rollup's values, so sums of sums can be snapped back to exact decimals. */
function rollupDecimals(b: MinuteBuckets): number {
  const vals = new Float64Array(b.n * 3);
  let k = 0;
  for (let i = 0; i < b.n; i++) {
    if (b.count[i] === 0) continue;
    vals[k++] = b.min[i] as number;
    vals[k++] = b.max[i] as number;
    vals[k++] = b.sum[i] as number;
  }
  // no values constrain nothing: 6 keeps the other side's decimals when merging
  return k === 0 ? 6 : decimalScale(vals, k);
}

/** Merges minute buckets of an hour where every sample of `later` comes after every sample of `earlier`. */
export function mergeMinuteBuckets(earlier: MinuteBuckets, later: MinuteBuckets): MinuteBuckets {
  const minutes = new Set<number>();
  for (let i = 0; i < earlier.n; i++) minutes.add(earlier.minute[i] as number);
  for (let i = 0; i < later.n; i++) minutes.add(later.minute[i] as number);
  const sorted = [...minutes].sort((a, b) => a - b);
  const out = emptyMinuteBuckets(sorted.length);
  let i = 0;
  let j = 0;
  sorted.forEach((m, k) => {
    let st: BucketStats | undefined;
    if (i < earlier.n && earlier.minute[i] === m) st = bucketAt(earlier, i++);
    if (j < later.n && later.minute[j] === m) {
      const l = bucketAt(later, j++);
      st = st ? combineStats(st, l) : l;
    }
    const s = st as BucketStats;
    out.minute[k] = m;
    out.count[k] = s.count;
    out.bad[k] = s.bad;
    out.min[k] = s.min;
    out.max[k] = s.max;
    out.sum[k] = s.sum;
    out.last[k] = s.last;
  });
  snapSums(out.sum, out.n, Math.min(rollupDecimals(earlier), rollupDecimals(later)));
  return out;
}

/** The hour's own bucket, folded from its minutes. */
export function hourStats(b: MinuteBuckets): BucketStats {
  let st: BucketStats = { count: 0, bad: 0, min: NaN, max: NaN, sum: 0, last: NaN };
  for (let k = 0; k < b.n; k++) st = combineStats(st, bucketAt(b, k));
  const sums = new Float64Array([st.sum]);
  snapSums(sums, 1, rollupDecimals(b));
  st.sum = sums[0] as number;
  return st;
}
