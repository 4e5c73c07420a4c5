import { QUALITY_CODE } from '@plenum/model';
import type { Catalog } from '../catalog/catalog';
import type { Historian, StoreResolution } from '../historian/types';
import type { Matcher } from './ast';
import { matchesAll, METRIC_NAME, type Labels } from './labels';
import { isSeriesPoint, pointLabels, qualityLabels } from './series-model';
import { bucketQuality, bucketValue, planRead, type ReadPiece, type RollupStat } from './rollup-plan';
import type { NewestSample, RawSamples, SampleSource, SeriesRef } from './source';

interface Entry extends SeriesRef {
  pointId: string;
  quality: boolean;
}

interface Index {
  all: Entry[];
  byName: Map<string, Entry[]>;
}

/**
 * Read once: an imported binding is a getter call per access once TypeScript's ES modules run as CommonJS
 * (tsx, jest), and the stale mask reads it per sample — a fifth of a 24 h range query's time.
 */
const BAD = QUALITY_CODE.bad;

/** Built once per catalog (catalogs are replaced whole, never changed). */
const indexes = new WeakMap<Catalog, Index>();

export function seriesIndex(catalog: Catalog): Index {
  let idx = indexes.get(catalog);
  if (idx) return idx;
  const all: Entry[] = [];
  for (const p of catalog.all()) {
    if (!isSeriesPoint(p)) continue;
    const labels = pointLabels(p);
    all.push({ labels, id: p.id, pointId: p.id, quality: false });
    all.push({ labels: qualityLabels(p, labels), id: `${p.id}#quality`, pointId: p.id, quality: true });
  }
  const byName = new Map<string, Entry[]>();
  for (const e of all) {
    const n = e.labels.get(METRIC_NAME)!;
    const list = byName.get(n);
    if (list) list.push(e);
    else byName.set(n, [e]);
  }
  idx = { all, byName };
  indexes.set(catalog, idx);
  return idx;
}

/** Every series' labels (for /series, /labels, /label/…/values). */
export function allSeriesLabels(catalog: Catalog): Labels[] {
  return seriesIndex(catalog).all.map((e) => e.labels);
}

/**
 * The historian and catalog as a SampleSource: the I/O side of the evaluator. Raw samples where retention holds
 * them, rollup buckets before (rollup-plan.ts; README.md "Reading from rollups"). Values: numbers as stored,
 * booleans 0/1; a bad-quality sample is a stale marker; uncertain samples are values.
 */
export class HistorianSource implements SampleSource {
  private readonly index: Index;
  /** read once: a source serves one query, and the horizons move only hourly */
  private readonly horizon: Record<StoreResolution, number>;

  constructor(
    private readonly historian: Historian,
    catalog: Catalog,
  ) {
    this.index = seriesIndex(catalog);
    this.horizon = historian.horizon();
  }

  select(matchers: readonly Matcher[]): SeriesRef[] {
    const name = matchers.find((m) => m.name === METRIC_NAME && m.type === '=');
    const pool = name ? (this.index.byName.get(name.value) ?? []) : this.index.all;
    return pool.filter((e) => matchesAll(e.labels, matchers));
  }

  samples(ref: SeriesRef, from: number, to: number, stat: RollupStat = 'last'): RawSamples {
    const e = ref as Entry;
    const pieces = planRead(from, to + 1, this.horizon);
    const raw = pieces[pieces.length - 1]?.resolution === 'raw' ? pieces.pop()! : undefined;
    const rawPart = raw ? this.raw(e, raw.from, raw.to) : { t: new Float64Array(0), v: new Float64Array(0) };
    if (pieces.length === 0) return rawPart;
    return this.withBuckets(e, pieces, rawPart, stat);
  }

  private raw(e: Entry, from: number, to: number): RawSamples {
    const c = this.historian.readColumns(e.pointId, from, to);
    const t = c.ts.subarray(0, c.n);
    // the quality series: the codes themselves, never stale
    if (e.quality) return { t, v: Float64Array.from(c.quality.subarray(0, c.n)) };
    // a string point has no number: every sample a stale marker (not selected by numeric metric names anyway)
    if (c.str) return { t, v: new Float64Array(c.n), stale: new Uint8Array(c.n).fill(1) };
    let stale: Uint8Array | undefined;
    for (let i = 0; i < c.n; i++) {
      if (c.quality[i] !== BAD) continue;
      stale ??= new Uint8Array(c.n);
      stale[i] = 1;
    }
    return { t, v: c.num.subarray(0, c.n), stale };
  }

  /** Rollup buckets (one sample each, at the bucket's start) where raw retention has expired, then the raw part. */
  private withBuckets(e: Entry, pieces: readonly ReadPiece[], rawPart: RawSamples, stat: RollupStat): RawSamples {
    const t: number[] = [];
    const v: number[] = [];
    const stale: number[] = [];
    const width: number[] = [];
    for (const p of pieces) {
      const b = this.historian.buckets(e.pointId, {
        from: p.from,
        to: p.to,
        stepMs: p.bucketMs,
        resolution: p.resolution as '1m' | '1h',
      });
      for (let k = 0; k < b.t.length; k++) {
        const x = e.quality ? bucketQuality(b, k, stat) : bucketValue(b, k, stat);
        t.push(b.t[k]!);
        v.push(x ?? NaN);
        stale.push(x === null ? 1 : 0);
        width.push(p.bucketMs);
      }
    }
    const n = rawPart.t.length;
    for (let i = 0; i < n; i++) {
      const s = rawPart.stale?.[i] ? 1 : 0;
      t.push(rawPart.t[i]!);
      v.push(stat === 'count' && !s ? 1 : rawPart.v[i]!);
      stale.push(s);
      width.push(0);
    }
    return { t: Float64Array.from(t), v: Float64Array.from(v), stale: Uint8Array.from(stale), bucketMs: width };
  }

  /**
   * The historian's latest cache: each point's newest sample by time (kept across restarts in its points table);
   * none for a point that never had a sample. One older than the raw retention horizon is not vouched for — readRaw would no longer return it.
   */
  newest(refs: readonly SeriesRef[]): Array<NewestSample | null | undefined> {
    const entries = refs as readonly Entry[];
    const latest = this.historian.latest([...new Set(entries.map((e) => e.pointId))]);
    return entries.map((e) => {
      const s = latest.get(e.pointId);
      // no latest sample: the point never had one
      if (!s) return null;
      if (s.ts < this.horizon.raw) return undefined;
      return { t: s.ts, v: seriesValue(e, s.value, s.quality) };
    });
  }
}

/** A stored sample as a series value: numbers as stored, booleans 0/1, bad quality a stale marker (null). */
function seriesValue(e: Entry, x: number | boolean | string, q: 'good' | 'uncertain' | 'bad'): number | null {
  if (e.quality) return QUALITY_CODE[q];
  if (q === 'bad') return null;
  return typeof x === 'number' ? x : typeof x === 'boolean' ? (x ? 1 : 0) : null;
}
