import { computeMinuteBuckets, hourStats, mergeMinuteBuckets, type BucketStats, type MinuteBuckets } from './rollup';
import { decodeMinuteBuckets, encodeMinuteBuckets } from './rollup-codec';
import { HOUR_MS, MINUTE_MS, sliceSeries, type Series } from './series';
import { makeSeries, seededRandom } from './test-helpers';

const HOUR = Math.floor(Date.UTC(2024, 5, 1, 12) / HOUR_MS) * HOUR_MS;

function randomHour(seed: number, n: number, decimals: number | null): Series {
  const r = seededRandom(seed);
  const ts = new Set<number>();
  while (ts.size < n) ts.add(HOUR + Math.floor(r() * HOUR_MS));
  const sorted = [...ts].sort((a, b) => a - b);
  const values = sorted.map(() => {
    const v = 20 + (r() - 0.5) * 10;
    return decimals === null ? v : Math.round(v * 10 ** decimals) / 10 ** decimals;
  });
  const quality = sorted.map(() => (r() < 0.05 ? 2 : r() < 0.05 ? 1 : 0));
  return makeSeries(sorted, values, 'number', quality);
}

/** brute force: per minute, straight from the definition */
function bruteForce(s: Series): Map<number, BucketStats> {
  const out = new Map<number, BucketStats>();
  for (let i = 0; i < s.n; i++) {
    const m = Math.floor(((s.ts[i] as number) - HOUR) / MINUTE_MS);
    const b = out.get(m) ?? { count: 0, bad: 0, min: NaN, max: NaN, sum: 0, last: NaN };
    const v = s.num[i] as number;
    if (s.quality[i] === 2) b.bad++;
    else {
      b.count++;
      b.min = b.count === 1 ? v : Math.min(b.min, v);
      b.max = b.count === 1 ? v : Math.max(b.max, v);
      b.sum += v;
      b.last = v;
    }
    out.set(m, b);
  }
  return out;
}

function expectMatches(got: MinuteBuckets, want: Map<number, BucketStats>): void {
  expect(got.n).toBe(want.size);
  for (let k = 0; k < got.n; k++) {
    const w = want.get(got.minute[k] as number) as BucketStats;
    expect(w).toBeDefined();
    expect(got.count[k]).toBe(w.count);
    expect(got.bad[k]).toBe(w.bad);
    expect(got.min[k]).toBe(w.min);
    expect(got.max[k]).toBe(w.max);
    expect(got.last[k]).toBe(w.last);
    expect(got.sum[k]).toBeCloseTo(w.sum, 9);
  }
}

describe('minute rollups', () => {
  it.each([
    [1, 1, 1],
    [2, 500, 1],
    [3, 3600, 3],
    [4, 700, null],
  ])('match brute force (seed %d, %d samples, %s decimals)', (seed, n, decimals) => {
    const s = randomHour(seed, n, decimals);
    expectMatches(computeMinuteBuckets(s, HOUR), bruteForce(s));
  });

  it('give exact decimal sums (no 0.1 + 0.2 drift)', () => {
    const s = makeSeries([HOUR, HOUR + 1, HOUR + 2], [0.1, 0.2, 0.3], 'number');
    expect(computeMinuteBuckets(s, HOUR).sum[0]).toBe(0.6);
  });

  it('count a minute with only bad samples with NaN statistics', () => {
    const s = makeSeries([HOUR, HOUR + 1000], [5, 6], 'number', [2, 2]);
    const b = computeMinuteBuckets(s, HOUR);
    expect(b.n).toBe(1);
    expect(b.count[0]).toBe(0);
    expect(b.bad[0]).toBe(2);
    expect(b.min[0]).toBeNaN();
    const h = hourStats(b);
    expect(h).toEqual({ count: 0, bad: 2, min: NaN, max: NaN, sum: 0, last: NaN });
  });

  it('merge of an earlier and a later part equals the rollup of the whole hour', () => {
    for (const seed of [5, 6, 7]) {
      const s = randomHour(seed, 900, 2);
      const cut = 1 + Math.floor(seededRandom(seed)() * 898);
      const merged = mergeMinuteBuckets(
        computeMinuteBuckets(sliceSeries(s, 0, cut), HOUR),
        computeMinuteBuckets(sliceSeries(s, cut, s.n), HOUR),
      );
      const whole = computeMinuteBuckets(s, HOUR);
      expectMatches(merged, bruteForce(s));
      expect(Array.from(merged.sum)).toEqual(Array.from(whole.sum));
      expect(hourStats(merged)).toEqual(hourStats(whole));
    }
  });

  it('the hour bucket folds its minutes', () => {
    const s = randomHour(8, 2000, 1);
    const h = hourStats(computeMinuteBuckets(s, HOUR));
    const good = Array.from(s.num).filter((_, i) => s.quality[i] !== 2);
    expect(h.count).toBe(good.length);
    expect(h.bad).toBe(s.n - good.length);
    expect(h.min).toBe(Math.min(...good));
    expect(h.max).toBe(Math.max(...good));
    expect(h.last).toBe(good[good.length - 1]);
    expect(h.sum).toBeCloseTo(
      good.reduce((a, b) => a + b, 0),
      6,
    );
  });
});

describe('rollup codec', () => {
  it.each([
    ['decimals', 1, 2000, 1],
    ['3 decimals', 2, 3000, 3],
    ['floats', 3, 500, null],
    ['one sample', 4, 1, 1],
  ])('round-trips %s exactly', (_name, seed, n, decimals) => {
    const b = computeMinuteBuckets(randomHour(seed as number, n as number, decimals as number | null), HOUR);
    const back = decodeMinuteBuckets(encodeMinuteBuckets(b));
    expect(back).toEqual(b);
  });

  it('round-trips minutes holding only bad samples and an empty hour', () => {
    const s = makeSeries([HOUR, HOUR + 61_000, HOUR + 62_000], [1.5, 2.5, 3.5], 'number', [0, 2, 2]);
    const b = computeMinuteBuckets(s, HOUR);
    expect(decodeMinuteBuckets(encodeMinuteBuckets(b))).toEqual(b);
    const empty = computeMinuteBuckets(makeSeries([], [], 'number'), HOUR);
    expect(decodeMinuteBuckets(encodeMinuteBuckets(empty))).toEqual(empty);
  });

  it('keeps a realistic temperature hour small', () => {
    const r = seededRandom(9);
    const ts = Array.from({ length: 360 }, (_, i) => HOUR + i * 10_000);
    const v = ts.map((t) => Math.round((23 + Math.sin(t / 7_200_000) + (r() - 0.5) * 0.1) * 10) / 10);
    expect(encodeMinuteBuckets(computeMinuteBuckets(makeSeries(ts, v, 'number'), HOUR)).length).toBeLessThan(160);
  });
});
