/**
 * Fills a snapshot with what the engine asked for (snapshot.ts `missing`): per metric and question, a few PromQL
 * queries to the store, each covering many points (selectors.ts), all in parallel (bounded by the client).
 * A failed store request fails only the reads it was for: the engine then reports it on those queries' refIds.
 */
import type { Point, Quality, Sample } from '@plenum/model';
import type { BucketQuery, BucketSeries, RawSeries } from '../historian/types';
import { QUALITY_METRIC } from '../promql/series-model';
import type { Catalog } from '../catalog/catalog';
import type { HubConfig } from './config';
import { byMetric, coveringSelectors, str } from './selectors';
import type { Missing, SnapshotHistorian } from './snapshot';
import type { ApiSeries, StoreClient } from './store-client';
import { bucketWindows, RANGE_SHIFT_MS, windowSelector } from './windows';

export interface PrefetchEnv {
  client: StoreClient;
  catalog: Catalog;
  /** every catalog point by metric (selectors.ts byMetric), rebuilt with the catalog */
  metrics: Map<string, Point[]>;
  kind: HubConfig['store']['kind'];
  maxQueryBytes: number;
  latestLookbackMs: number;
  now: number;
}

const STAT = 'plenum_stat';
const tag = (expr: string, stat: string) => `label_replace(${expr}, ${str(STAT)}, ${str(stat)}, "", "")`;
const QUALITY_OF: Quality[] = ['good', 'uncertain', 'bad'];

/** the wanted ids' points grouped by metric */
function wantedByMetric(env: PrefetchEnv, ids: Iterable<string>): Map<string, Point[]> {
  const points: Point[] = [];
  for (const id of ids) {
    const p = env.catalog.get(id);
    if (p) points.push(p);
  }
  return byMetric(points);
}

/** selectors for `wanted` within a budget that leaves room for `parts` copies and the functions around them */
function selectors(env: PrefetchEnv, metric: string, wanted: Point[], parts: number, extra: string[] = []) {
  const budget = Math.floor(env.maxQueryBytes / parts) - 90;
  return coveringSelectors(wanted, env.metrics.get(metric) ?? wanted, budget, extra);
}

const ms = (sec: number) => Math.round(sec * 1000);

export async function prefetch(env: PrefetchEnv, missing: Missing, snap: SnapshotHistorian): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  if (missing.latest.size) {
    for (const [metric, wanted] of wantedByMetric(env, missing.latest)) jobs.push(latestOf(env, metric, wanted, snap));
    // ids the catalog no longer has: no sample
    snap.putLatest(
      [...missing.latest].filter((id) => !env.catalog.get(id)),
      new Map(),
    );
  }
  const unknown = (ids: Set<string>) => [...ids].filter((id) => !env.catalog.get(id));
  for (const { q, ids } of missing.buckets.values()) {
    for (const [metric, wanted] of wantedByMetric(env, ids)) jobs.push(bucketsOf(env, metric, wanted, q, snap));
    snap.putBuckets(q, unknown(ids), new Map());
  }
  for (const r of missing.raw.values()) {
    for (const [metric, wanted] of wantedByMetric(env, r.ids)) jobs.push(rawOf(env, metric, wanted, r, snap));
    snap.putRaw(r.from, r.to, r.limit, unknown(r.ids), new Map());
  }
  await Promise.all(jobs);
}

// ---- latest

async function latestOf(env: PrefetchEnv, metric: string, wanted: Point[], snap: SnapshotHistorian) {
  const ids = wanted.map((p) => p.id);
  const lb = `[${env.latestLookbackMs}ms]`;
  const vm = env.kind === 'victoriametrics';
  const exprs: string[] = [];
  for (const sel of selectors(env, metric, wanted, 4)) {
    const q = `${QUALITY_METRIC}${sel.replace('{', `{metric=${str(metric)}${sel === '{}' ? '' : ','}`)}`;
    const v = `${metric}${sel}`;
    // VictoriaMetrics: tlast_over_time is the newest sample's time within any lookback. Prometheus 2.x: an instant
    // selector and timestamp() see its fixed 5 min lookback (README.md, deviations)
    exprs.push(
      vm
        ? [
            tag(`last_over_time(${q}${lb})`, 'q'),
            tag(`tlast_over_time(${q}${lb})`, 'qt'),
            tag(`last_over_time(${v}${lb})`, 'v'),
            tag(`tlast_over_time(${v}${lb})`, 'vt'),
          ].join(' or ')
        : [tag(q, 'q'), tag(`timestamp(${q})`, 'qt'), tag(v, 'v'), tag(`timestamp(${v})`, 'vt')].join(' or '),
    );
  }
  try {
    const answers = await Promise.all(exprs.map((e) => env.client.query(e, env.now)));
    snap.putLatest(ids, latestSamples(answers.flat(), new Set(ids)));
  } catch (err) {
    snap.putLatest(ids, err as Error);
  }
}

/**
 * A point's newest sample from its quality and value series: the quality series has every sample (bad ones too),
 * the value series only good and uncertain ones (a bad sample is a stale marker). A bad newest sample has no value
 * in the store: NaN (deviation). Without a quality series (qualitySeries: false on the edge) a value is good.
 */
export function latestSamples(series: ApiSeries[], wanted: Set<string>): Map<string, Sample> {
  const parts = new Map<string, { q?: number; qt?: number; v?: number; vt?: number }>();
  for (const s of series) {
    const id = s.metric.point;
    const stat = s.metric[STAT] as 'q' | 'qt' | 'v' | 'vt' | undefined;
    if (!id || !stat || !wanted.has(id) || !s.value) continue;
    const e = parts.get(id) ?? {};
    e[stat] = Number(s.value[1]);
    parts.set(id, e);
  }
  const out = new Map<string, Sample>();
  for (const [id, e] of parts) {
    const qt = e.qt !== undefined ? ms(e.qt) : undefined;
    const vt = e.vt !== undefined ? ms(e.vt) : undefined;
    if (qt !== undefined && e.q !== undefined && (vt === undefined || qt >= vt)) {
      const quality = QUALITY_OF[e.q] ?? 'bad';
      const value = vt === qt && e.v !== undefined && quality !== 'bad' ? e.v : NaN;
      out.set(id, { pointId: id, ts: qt, value, quality });
    } else if (vt !== undefined && e.v !== undefined) {
      out.set(id, { pointId: id, ts: vt, value: e.v, quality: 'good' });
    }
  }
  return out;
}

// ---- buckets

const STATS = ['count', 'sum', 'min', 'max', 'last'] as const;

function statsExpr(sel: string, widthMs: number, env: PrefetchEnv, p95: boolean, shiftMs = 0): string {
  const w = windowSelector(sel, widthMs, env.kind, shiftMs);
  const parts = STATS.map((s) => tag(`${s}_over_time(${w})`, s));
  if (p95) parts.push(tag(`quantile_over_time(0.95, ${w})`, 'p95'));
  return parts.join(' or ');
}

interface Acc {
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  last?: number;
  p95?: number;
}

async function bucketsOf(env: PrefetchEnv, metric: string, wanted: Point[], q: BucketQuery, snap: SnapshotHistorian) {
  const ids = wanted.map((p) => p.id);
  const want = new Set(ids);
  const p95 = q.p95 === true;
  const w = bucketWindows(q);
  const acc = new Map<string, Map<number, Acc>>();
  const add = (series: ApiSeries[], bucketOf: (tMs: number) => number) => {
    for (const s of series) {
      const id = s.metric.point;
      const stat = s.metric[STAT] as keyof Acc | undefined;
      if (!id || !stat || !want.has(id)) continue;
      let m = acc.get(id);
      if (!m) acc.set(id, (m = new Map()));
      const pairs = s.values ?? (s.value ? [s.value] : []);
      for (const [t, v] of pairs) {
        const b = bucketOf(ms(t));
        const a = m.get(b) ?? {};
        a[stat] = Number(v);
        m.set(b, a);
      }
    }
  };
  try {
    const jobs: Array<Promise<void>> = [];
    for (const sel of selectors(env, metric, wanted, p95 ? 6 : 5)) {
      const full = `${metric}${sel}`;
      if (w.range) {
        const r = w.range;
        jobs.push(
          env.client
            .queryRange(
              statsExpr(full, r.stepMs, env, p95, RANGE_SHIFT_MS),
              r.firstEnd - RANGE_SHIFT_MS,
              r.lastEnd - RANGE_SHIFT_MS,
              r.stepMs,
            )
            .then((res) => add(res, (t) => t + RANGE_SHIFT_MS - r.stepMs)),
        );
      }
      for (const part of w.partial)
        jobs.push(
          env.client
            .query(statsExpr(full, part.end - part.start, env, p95), part.end)
            .then((res) => add(res, () => part.bucket)),
        );
    }
    await Promise.all(jobs);
  } catch (err) {
    snap.putBuckets(q, ids, err as Error);
    return;
  }
  const out = new Map<string, BucketSeries>();
  for (const [id, m] of acc) {
    const b: BucketSeries = {
      t: [],
      count: [],
      min: [],
      max: [],
      sum: [],
      last: [],
      badCount: [],
      ...(p95 && { p95: [] }),
    };
    for (const t of [...m.keys()].sort((x, y) => x - y)) {
      const a = m.get(t)!;
      if (!a.count) continue;
      b.t.push(t);
      b.count.push(a.count);
      b.sum.push(a.sum ?? NaN);
      b.min.push(a.min ?? NaN);
      b.max.push(a.max ?? NaN);
      b.last.push(a.last ?? NaN);
      // bad samples are stale markers, which the store's functions skip: not counted (README.md, deviations)
      b.badCount.push(0);
      b.p95?.push(a.p95 ?? NaN);
    }
    out.set(id, b);
  }
  snap.putBuckets(q, ids, out);
}

// ---- raw samples

interface RawPoint {
  ts: number;
  value: number | null;
}

/** [from, to) of each series matched, with stale markers as null where the engine keeps them (VictoriaMetrics) */
async function rawSamples(env: PrefetchEnv, selector: string, from: number, to: number) {
  const out = new Map<string, RawPoint[]>();
  if (env.kind === 'victoriametrics') {
    for (const s of await env.client.export(selector, from, to - 1)) {
      const id = s.metric.point;
      if (!id) continue;
      out.set(
        id,
        s.timestamps.map((ts, i) => ({ ts, value: s.values[i] ?? null })),
      );
    }
  } else {
    const res = await env.client.query(`${selector}[${Math.max(1, to - 1 - from)}ms]`, to - 1);
    for (const s of res) {
      const id = s.metric.point;
      if (id)
        out.set(
          id,
          (s.values ?? []).map(([t, v]) => ({ ts: ms(t), value: Number(v) })),
        );
    }
  }
  return out;
}

async function rawOf(
  env: PrefetchEnv,
  metric: string,
  wanted: Point[],
  r: { from: number; to: number; limit: number },
  snap: SnapshotHistorian,
) {
  const ids = wanted.map((p) => p.id);
  const want = new Set(ids);
  try {
    const jobs: Array<Promise<[Map<string, RawPoint[]>, Map<string, RawPoint[]>]>> = [];
    for (const sel of selectors(env, metric, wanted, 1, [])) {
      const q = `${QUALITY_METRIC}${sel.replace('{', `{metric=${str(metric)}${sel === '{}' ? '' : ','}`)}`;
      jobs.push(Promise.all([rawSamples(env, `${metric}${sel}`, r.from, r.to), rawSamples(env, q, r.from, r.to)]));
    }
    const out = new Map<string, RawSeries>();
    for (const [values, qualities] of await Promise.all(jobs)) {
      for (const [id, list] of values) {
        if (!want.has(id)) continue;
        const qAt = new Map((qualities.get(id) ?? []).map((x) => [x.ts, x.value]));
        const s: RawSeries = { ts: [], values: [], quality: [], rawStatus: [] };
        for (const x of list.slice(0, r.limit)) {
          const qv = qAt.get(x.ts);
          s.ts.push(x.ts);
          s.values.push(x.value ?? NaN);
          s.quality.push(x.value === null ? 'bad' : (QUALITY_OF[qv ?? 0] ?? 'bad'));
          s.rawStatus.push(0);
        }
        out.set(id, s);
      }
    }
    snap.putRaw(r.from, r.to, r.limit, ids, out);
  } catch (err) {
    snap.putRaw(r.from, r.to, r.limit, ids, err as Error);
  }
}
