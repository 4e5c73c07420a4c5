/**
 * An in-memory Historian holding what the hub prefetched from the store for one request. It implements the read
 * methods the query engine calls, synchronously; whatever it was not given it records as `missing` and answers
 * empty — so running the engine once on an empty snapshot lists exactly what the engine will read (the plan),
 * and running it again on a filled one gives the answer, with the engine's own code both times.
 */
import type { Sample } from '@plenum/model';
import { columnsOfRaw } from '../historian/queries';
import type { BucketQuery, BucketSeries, Historian, RawColumns, RawSeries, StoreResolution } from '../historian/types';

export interface RawRequest {
  pointId: string;
  from: number;
  to: number;
  limit: number;
}

export interface Missing {
  latest: Set<string>;
  /** bucket query key (bucketKey) → the query and the points asked */
  buckets: Map<string, { q: BucketQuery; ids: Set<string> }>;
  raw: Map<string, { from: number; to: number; limit: number; ids: Set<string> }>;
}

export const bucketKey = (q: BucketQuery): string => `${q.from}|${q.to}|${q.stepMs}|${q.resolution}|${q.p95 === true}`;
const rawKey = (from: number, to: number, limit: number): string => `${from}|${to}|${limit}`;

export const emptyMissing = (): Missing => ({ latest: new Set(), buckets: new Map(), raw: new Map() });

export function hasMissing(m: Missing): boolean {
  return m.latest.size > 0 || m.buckets.size > 0 || m.raw.size > 0;
}

const EMPTY_RAW: RawSeries = { ts: [], values: [], quality: [], rawStatus: [] };
const emptyBuckets = (p95: boolean): BucketSeries => ({
  t: [],
  count: [],
  min: [],
  max: [],
  sum: [],
  last: [],
  badCount: [],
  ...(p95 && { p95: [] }),
});

/** Where a read failed in the prefetch: the engine's question gets the store's error, on its own refId. */
export type Failure = Error;

export class SnapshotHistorian implements Historian {
  private missingNow = emptyMissing();
  /** point id → newest sample; ids fetched without a sample are in `latestFetched` only */
  private readonly latestSamples = new Map<string, Sample>();
  private readonly latestFetched = new Set<string>();
  private readonly bucketData = new Map<string, Map<string, BucketSeries | Failure>>();
  private readonly rawData = new Map<string, Map<string, RawSeries | Failure>>();
  private readonly latestFailures = new Map<string, Failure>();

  /** what the engine asked for and the snapshot did not hold, since the last takeMissing() */
  get missing(): Missing {
    return this.missingNow;
  }

  takeMissing(): Missing {
    const m = this.missingNow;
    this.missingNow = emptyMissing();
    return m;
  }

  // ---- filled by the prefetch

  putLatest(ids: Iterable<string>, samples: Map<string, Sample> | Failure): void {
    for (const id of ids) {
      this.latestFetched.add(id);
      if (samples instanceof Error) this.latestFailures.set(id, samples);
      else {
        const s = samples.get(id);
        if (s) this.latestSamples.set(id, s);
      }
    }
  }

  putBuckets(q: BucketQuery, ids: Iterable<string>, series: Map<string, BucketSeries> | Failure): void {
    const key = bucketKey(q);
    let m = this.bucketData.get(key);
    if (!m) this.bucketData.set(key, (m = new Map()));
    for (const id of ids)
      m.set(id, series instanceof Error ? series : (series.get(id) ?? emptyBuckets(q.p95 === true)));
  }

  putRaw(from: number, to: number, limit: number, ids: Iterable<string>, series: Map<string, RawSeries> | Failure) {
    const key = rawKey(from, to, limit);
    let m = this.rawData.get(key);
    if (!m) this.rawData.set(key, (m = new Map()));
    for (const id of ids) m.set(id, series instanceof Error ? series : (series.get(id) ?? EMPTY_RAW));
  }

  // ---- the Historian's read side

  latest(pointIds: string[]): Map<string, Sample> {
    const out = new Map<string, Sample>();
    for (const id of pointIds) {
      if (!this.latestFetched.has(id)) {
        this.missing.latest.add(id);
        continue;
      }
      const failed = this.latestFailures.get(id);
      if (failed) throw failed;
      const s = this.latestSamples.get(id);
      if (s) out.set(id, s);
    }
    return out;
  }

  buckets(pointId: string, q: BucketQuery): BucketSeries {
    const key = bucketKey(q);
    const got = this.bucketData.get(key)?.get(pointId);
    if (got instanceof Error) throw got;
    if (got) return got;
    let m = this.missing.buckets.get(key);
    if (!m) this.missing.buckets.set(key, (m = { q: { ...q }, ids: new Set() }));
    m.ids.add(pointId);
    return emptyBuckets(q.p95 === true);
  }

  readRaw(pointId: string, from: number, to: number, limit = 1_000_000): RawSeries {
    const key = rawKey(from, to, limit);
    const got = this.rawData.get(key)?.get(pointId);
    if (got instanceof Error) throw got;
    if (got) return got;
    let m = this.missing.raw.get(key);
    if (!m) this.missing.raw.set(key, (m = { from, to, limit, ids: new Set() }));
    m.ids.add(pointId);
    return EMPTY_RAW;
  }

  readColumns(pointId: string, from: number, to: number, limit = 1_000_000): RawColumns {
    return columnsOfRaw(this.readRaw(pointId, from, to, limit));
  }

  /** the store's retention is its own: the planner is never moved to a coarser resolution by the hub */
  horizon(): Record<StoreResolution, number> {
    return { raw: 0, '1m': 0, '1h': 0 };
  }

  // ---- the write side: a hub stores nothing

  ensurePoints(): void {
    throw new Error('a hub snapshot stores nothing');
  }

  ingest(): never {
    throw new Error('a hub snapshot stores nothing');
  }

  stats(): ReturnType<Historian['stats']> {
    return {
      points: 0,
      samplesIngested: 0,
      queueDepth: 0,
      headSamples: 0,
      headBytes: 0,
      diskBytes: 0,
      commits: 0,
      lastCommitMs: 0,
    };
  }

  runMaintenance(): void {}

  async close(): Promise<void> {}
}
