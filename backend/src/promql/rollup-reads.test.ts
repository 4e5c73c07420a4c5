import type { Quality, Sample } from '@plenum/model';
import { Catalog } from '../catalog/catalog';
import { openHistorian } from '../historian/historian';
import { DAY_MS } from '../historian/retention';
import { HOUR_MS, MINUTE_MS } from '../historian/series';
import { tempDir } from '../historian/test-helpers';
import type { Historian } from '../historian/types';
import { TEST_POINTS, TEST_SITE } from '../testing/site';
import { Evaluator } from './eval';
import type { Labels } from './labels';
import { HistorianSource } from './historian-source';
import { parsePromql } from './parse';
import { planRead } from './rollup-plan';

/**
 * Queries that reach back past raw retention answer from the rollups, checked against the samples written (the
 * ground truth), not against the code's own rollups: counts, sums, means and extremes exactly, instant selectors
 * as the minute's (or hour's) last good value.
 */

const T0 = Date.UTC(2026, 5, 1);
const POINT = 's/h1/A/A01/env/inlet_temp';
const SEL = 'plenum_temperature_celsius{rack="A01"}';
const QSEL = 'plenum_quality{rack="A01",signal="inlet_temp"}';
const RETENTION = { raw: DAY_MS, m1: 2 * DAY_MS, h1: 30 * DAY_MS };

/** 4 h at 10 s; minute 45 of the first hour all bad, every 7th sample uncertain, every 23rd bad. */
function dataset(): Sample[] {
  return Array.from({ length: 4 * 360 }, (_, i) => {
    const ts = T0 + i * 10_000;
    const minute = Math.floor((ts - T0) / MINUTE_MS);
    const quality: Quality = minute === 45 || i % 23 === 0 ? 'bad' : i % 7 === 0 ? 'uncertain' : 'good';
    return { pointId: POINT, ts, value: 20 + (i % 37) / 10, quality };
  });
}

/** The ground truth over [from, to): what Prometheus would compute from these samples. */
function truth(all: Sample[], from: number, to: number) {
  const inside = all.filter((s) => s.ts >= from && s.ts < to);
  const good = inside.filter((s) => s.quality !== 'bad').map((s) => s.value as number);
  const sum = good.reduce((a, b) => a + b, 0);
  return {
    all: inside.length,
    count: good.length,
    sum,
    avg: sum / good.length,
    min: Math.min(...good),
    max: Math.max(...good),
    last: good[good.length - 1],
  };
}

describe('PromQL reads from the rollups where raw retention has expired', () => {
  const samples = dataset();
  const catalog = new Catalog(TEST_SITE, TEST_POINTS);
  let now = T0 + 4 * HOUR_MS;
  let dir: string;
  let cleanup: () => void;
  let h: Historian;

  const at = (query: string, t: number): Array<{ labels: Labels; v: number }> => {
    const v = new Evaluator(new HistorianSource(h, catalog), t, t).eval(parsePromql(query), [t]);
    if (v.kind !== 'vector') throw new Error(`${query}: ${v.kind}`);
    return v.series.filter((s) => s.v[0] !== undefined).map((s) => ({ labels: s.labels, v: s.v[0]! }));
  };
  const one = (query: string, t: number): number => {
    const r = at(query, t);
    expect(r).toHaveLength(1);
    return r[0]!.v;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('promql-rollups'));
    const opts = { dir, now: () => now, retention: RETENTION, tuning: { lateGraceMs: 0 } };
    h = openHistorian(opts);
    h.ensurePoints(TEST_POINTS.map((p) => ({ id: p.id, valueType: p.valueType })));
    await h.ingest(samples);
    await h.close(); // writes every hour's rollups
    h = openHistorian(opts);
  });

  afterAll(async () => {
    await h.close();
    cleanup();
  });

  it('plans raw where retention holds it, 1-minute rollups, then 1-hour ones', () => {
    const horizon = { raw: T0 + 2 * HOUR_MS, '1m': T0 + HOUR_MS, '1h': 0 };
    expect(planRead(T0, T0 + 3 * HOUR_MS, horizon)).toEqual([
      { from: T0, to: T0 + HOUR_MS, resolution: '1h', bucketMs: HOUR_MS },
      { from: T0 + HOUR_MS, to: T0 + 2 * HOUR_MS, resolution: '1m', bucketMs: MINUTE_MS },
      { from: T0 + 2 * HOUR_MS, to: T0 + 3 * HOUR_MS, resolution: 'raw', bucketMs: 0 },
    ]);
    expect(planRead(T0, T0 + HOUR_MS, { raw: 0, '1m': 0, '1h': 0 })).toEqual([
      { from: T0, to: T0 + HOUR_MS, resolution: 'raw', bucketMs: 0 },
    ]);
  });

  it('answers the first two hours from 1-minute rollups once their raw samples are gone', () => {
    now = T0 + 2 * HOUR_MS + DAY_MS;
    h.runMaintenance();
    expect(h.horizon().raw).toBe(T0 + 2 * HOUR_MS);
    expect(h.readRaw(POINT, T0, T0 + 2 * HOUR_MS).ts).toEqual([]);

    // the first hour: window [T0, T0 + 1 h − 1 ms]
    const end = T0 + HOUR_MS - 1;
    const want = truth(samples, T0, T0 + HOUR_MS);
    expect(one(`count_over_time(${SEL}[1h])`, end)).toBe(want.count);
    expect(one(`sum_over_time(${SEL}[1h])`, end)).toBeCloseTo(want.sum, 9);
    expect(one(`avg_over_time(${SEL}[1h])`, end)).toBeCloseTo(want.avg, 12);
    expect(one(`min_over_time(${SEL}[1h])`, end)).toBe(want.min);
    expect(one(`max_over_time(${SEL}[1h])`, end)).toBe(want.max);
    // the quality series counts every sample, bad ones too
    expect(one(`count_over_time(${QSEL}[1h])`, end)).toBe(want.all);

    // a window across the raw horizon: 1-minute buckets of the second hour, raw samples of the third
    const cross = truth(samples, T0 + HOUR_MS, T0 + 3 * HOUR_MS);
    expect(one(`count_over_time(${SEL}[2h])`, T0 + 3 * HOUR_MS - 1)).toBe(cross.count);
    expect(one(`avg_over_time(${SEL}[2h])`, T0 + 3 * HOUR_MS - 1)).toBeCloseTo(cross.avg, 12);
  });

  it("gives an instant selector the minute's last good value, and nothing in a minute of bad samples only", () => {
    const t = T0 + 30 * MINUTE_MS + 5_000;
    expect(one(SEL, t)).toBe(truth(samples, T0 + 30 * MINUTE_MS, T0 + 31 * MINUTE_MS).last);
    // minute 45 held only bad samples: a stale marker, as a bad raw sample is
    expect(at(SEL, T0 + 45 * MINUTE_MS + 30_000)).toEqual([]);
    expect(one(`${SEL} > 0`, T0 + 46 * MINUTE_MS + 1)).toBe(
      truth(samples, T0 + 46 * MINUTE_MS, T0 + 47 * MINUTE_MS).last,
    );
    // where raw is kept, the raw sample answers: the newest at or before the time
    const raw = T0 + 2 * HOUR_MS + 95_000;
    expect(one(SEL, raw)).toBe(truth(samples, T0, raw + 1).last);
  });

  it('answers from 1-hour rollups once the minutes are gone too, looking back a whole hour', () => {
    now = T0 + 2 * HOUR_MS + 2 * DAY_MS;
    h.runMaintenance();
    expect(h.horizon()['1m']).toBe(T0 + 2 * HOUR_MS);
    const end = T0 + HOUR_MS - 1;
    const want = truth(samples, T0, T0 + HOUR_MS);
    expect(one(`count_over_time(${SEL}[1h])`, end)).toBe(want.count);
    expect(one(`sum_over_time(${SEL}[1h])`, end)).toBeCloseTo(want.sum, 9);
    expect(one(`max_over_time(${SEL}[1h])`, end)).toBe(want.max);
    // 40 min after the hour's bucket starts, beyond the 5 min lookback: the hour still answers with its last value
    expect(one(SEL, T0 + 40 * MINUTE_MS)).toBe(want.last);
    // a range query across the 1-minute horizon: hour buckets, then a minute bucket
    const steps = [T0 + 10 * MINUTE_MS, T0 + 70 * MINUTE_MS, T0 + 130 * MINUTE_MS + 30_000];
    const v = new Evaluator(new HistorianSource(h, catalog), steps[0]!, steps[2]!).eval(parsePromql(SEL), steps);
    expect(v.kind === 'vector' && v.series[0]!.v).toEqual([
      want.last,
      truth(samples, T0 + HOUR_MS, T0 + 2 * HOUR_MS).last,
      truth(samples, T0 + 130 * MINUTE_MS, T0 + 131 * MINUTE_MS).last,
    ]);
  });
});
