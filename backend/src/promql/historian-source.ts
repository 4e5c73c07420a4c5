import { QUALITY_CODE } from '@plenum/model';
import type { Catalog } from '../catalog/catalog';
import type { Historian } from '../historian/types';
import type { Matcher } from './ast';
import { matchesAll, METRIC_NAME, type Labels } from './labels';
import { isSeriesPoint, pointLabels, qualityLabels } from './series-model';
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
 * The historian and catalog as a SampleSource: the I/O side of the evaluator. Raw samples only (rollups keep
 * no last value per step and no sample times, which instant selectors and rate() need; see README.md). Values:
 * numbers as stored, booleans 0/1; a bad-quality sample is a stale marker; uncertain samples are values.
 */
export class HistorianSource implements SampleSource {
  private readonly index: Index;

  constructor(
    private readonly historian: Historian,
    catalog: Catalog,
  ) {
    this.index = seriesIndex(catalog);
  }

  select(matchers: readonly Matcher[]): SeriesRef[] {
    const name = matchers.find((m) => m.name === METRIC_NAME && m.type === '=');
    const pool = name ? (this.index.byName.get(name.value) ?? []) : this.index.all;
    return pool.filter((e) => matchesAll(e.labels, matchers));
  }

  samples(ref: SeriesRef, from: number, to: number): RawSamples {
    const e = ref as Entry;
    const c = this.historian.readColumns(e.pointId, from, to + 1);
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

  /**
   * The historian's latest cache: each point's newest sample by time (kept across restarts in its points table);
   * none for a point that never had a sample. One older than the raw retention horizon is not vouched for — readRaw would no longer return it.
   */
  newest(refs: readonly SeriesRef[]): Array<NewestSample | null | undefined> {
    const entries = refs as readonly Entry[];
    const latest = this.historian.latest([...new Set(entries.map((e) => e.pointId))]);
    const horizon = this.historian.horizon().raw;
    return entries.map((e) => {
      const s = latest.get(e.pointId);
      // no latest sample: the point never had one
      if (!s) return null;
      if (s.ts < horizon) return undefined;
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
