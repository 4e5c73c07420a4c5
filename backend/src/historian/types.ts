import type { Sample, ValueType } from '@plenum/model';

/**
 * The historian's contract with the rest of the backend. Connectors and the HTTP write path call `ingest`;
 * the query engine calls `latest`, `readRaw` and `buckets`. Implementation: ./historian.ts (see README.md).
 */

/** What the historian needs to know about a point: its stable id and the one type its values keep forever. */
export interface HistorianPoint {
  id: string;
  valueType: ValueType;
}

/** Retention per resolution in ms; data older than now − retention is dropped by the maintenance task. */
export interface Retention {
  /** @default 14 days */
  raw: number;
  /** 1-minute rollups, @default 90 days */
  m1: number;
  /** 1-hour rollups, @default 730 days */
  h1: number;
}

export interface HistorianOptions {
  /** the single data folder (`PLENUM_DATA`); created when missing */
  dir: string;
  retention?: Partial<Retention>;
  /** clock for retention and head-flush ages, Unix ms; tests inject one. @default Date.now */
  now?: () => number;
  /** storage knobs; the defaults suit production, tests and benchmarks change them */
  tuning?: Partial<HistorianTuning>;
  /**
   * Called at the end of every maintenance run with the run's `now()`: the backend's other stores do their
   * periodic work (the event store's retention) on this cadence instead of a timer of their own. A throw is
   * reported like a failed maintenance run; the hook should catch and log its own errors.
   */
  afterMaintenance?: (now: number) => void;
}

/** Storage knobs (see README.md for how they interact). */
export interface HistorianTuning {
  /** samples per compressed raw chunk at most; a head holding this many is flushed at once. @default 4096 */
  chunkMaxSamples: number;
  /** bytes of a point's in-memory head (≈ 3–4 per sample) at which it is flushed to a chunk: what bounds the
   * memory per point (an hour of a 1 Hz point would be ≈ 10 KB). @default 512 */
  headMaxBytes: number;
  /** ms of data time a point's newest sample must be into a new hour before the previous hour's samples are
   * compressed, so slightly late samples still join their chunk. @default 120000 */
  lateGraceMs: number;
  /** ms of clock time after which a head is compressed whatever its data (bounds the staging log and the
   * replay at open when a point stops reporting slowly: the staging log is kept from the oldest sample any
   * head holds). @default 600000 (10 min) */
  maxHeadAgeMs: number;
  /** ms between runs of the maintenance task (retention, aged heads, staging clean-up). @default 60000 */
  maintenanceIntervalMs: number;
  /** ms close() may spend compressing heads; what is left stays in the staging log and is replayed at the
   * next open, so nothing is lost. @default 10000 */
  closeTimeoutMs: number;
  /** bytes of decoded raw chunks kept for reads that come again (dashboards refreshing the same hours; a
   * decoded sample takes 21 bytes); 0 keeps none. A fixed cost, not per point. @default 67108864 (64 MiB) */
  decodedCacheBytes: number;
}

export interface RejectedSample {
  /** index in the batch given to `ingest` */
  index: number;
  pointId: string;
  /** what is wrong, e.g. `unknown point`, `value "abc" is a string but point … holds numbers` */
  reason: string;
}

export interface IngestResult {
  /** samples now durable on disk */
  accepted: number;
  rejected: RejectedSample[];
}

/**
 * Raw samples as the historian keeps them, columns of typed arrays (readColumns): no array of boxed values per
 * sample, for readers that walk many samples (PromQL). The arrays are the caller's; `str` must not be changed.
 */
export interface RawColumns {
  n: number;
  /** Unix ms, strictly increasing */
  ts: Float64Array;
  /** numbers, booleans as 0/1; empty for a string point */
  num: Float64Array;
  /** a string point's values, else null */
  str: readonly string[] | null;
  /** 0 good, 1 uncertain, 2 bad */
  quality: Uint8Array;
}

/** Raw samples of one point in time order (columnar). Booleans come back as booleans, strings as strings. */
export interface RawSeries {
  ts: number[];
  values: Array<number | boolean | string>;
  quality: Array<'good' | 'uncertain' | 'bad'>;
  rawStatus: number[];
}

/** Resolution a bucket query reads from. */
export type StoreResolution = 'raw' | '1m' | '1h';

export interface BucketQuery {
  /** inclusive, Unix ms. At 1m / 1h the stored minutes / hours count whole: one that contains `from` counts,
   * and so does one that starts before `to` */
  from: number;
  /** exclusive, Unix ms */
  to: number;
  /** bucket width in ms; buckets start at multiples of stepMs since the epoch. For `1m` a multiple of 60 000,
   * for `1h` a multiple of 3 600 000. */
  stepMs: number;
  resolution: StoreResolution;
  /** also compute the 95th percentile per bucket (raw resolution only; rollups keep no distribution) */
  p95?: boolean;
}

/**
 * Per-bucket statistics of one numeric point (booleans count as 0/1), only buckets that hold data, in time
 * order. Bad-quality samples are excluded from the statistics (they still count in `badCount`); a bucket with
 * only bad samples has count 0, sum 0 and NaN min/max/last/p95 (null in JSON).
 */
export interface BucketSeries {
  /** bucket start, Unix ms */
  t: number[];
  count: number[];
  min: number[];
  max: number[];
  sum: number[];
  /** value of the latest sample in the bucket */
  last: number[];
  /** present when asked for and resolution is raw */
  p95?: number[];
  /** bad-quality samples seen in the bucket */
  badCount: number[];
}

export interface HistorianStats {
  points: number;
  /** samples accepted since the process started */
  samplesIngested: number;
  /** samples waiting in the group-commit queue */
  queueDepth: number;
  /** samples held in memory heads (durable in the staging log, not yet compressed) */
  headSamples: number;
  /** bytes those samples take in the heads */
  headBytes: number;
  /** bytes of the data folder */
  diskBytes: number;
  /** commits since start and the last commit's duration */
  commits: number;
  lastCommitMs: number;
  /** the decoded-chunk cache (tuning.decodedCacheBytes): bytes held, reads served from it and not */
  decodedCache?: { bytes: number; hits: number; misses: number };
  /** the last failure of a background task (head compression, maintenance), which is retried */
  lastError?: string;
  /**
   * historian.db as SQLite counts it (PRAGMA page_count / freelist_count, WAL pages included): pages in use
   * are `pages − freePages`; free pages are reused by later writes, the file never shrinks while open
   */
  mainFile?: { pageBytes: number; pages: number; freePages: number };
}

export interface Historian {
  /** Registers points (idempotent). A point whose value type changes is refused with an error naming it. */
  ensurePoints(points: HistorianPoint[]): void;
  /**
   * Stores a batch. Resolves once every accepted sample is on disk (fsync'd); concurrent calls are group-
   * committed. Invalid samples (unknown point, wrong type, non-finite number, bad timestamp) are rejected
   * individually and the rest are stored.
   */
  ingest(samples: Sample[]): Promise<IngestResult>;
  /** Latest sample per point from the in-memory cache (no disk I/O); missing ids are absent from the map. */
  latest(pointIds: string[]): Map<string, Sample>;
  /** Raw samples in [from, to), at most `limit` (the earliest ones), @default 1 000 000 */
  readRaw(pointId: string, from: number, to: number, limit?: number): RawSeries;
  /** The same samples as columns (RawColumns), @default limit 1 000 000 */
  readColumns(pointId: string, from: number, to: number, limit?: number): RawColumns;
  buckets(pointId: string, q: BucketQuery): BucketSeries;
  /** Per resolution, the instant before which retention has dropped its data (0 while nothing is dropped);
   * the query planner moves to a coarser resolution for ranges that start earlier. */
  horizon(): Record<StoreResolution, number>;
  stats(): HistorianStats;
  /** Runs the maintenance task now: retention, compressing aged heads, staging-log clean-up. It also runs on a
   * timer every `tuning.maintenanceIntervalMs`. */
  runMaintenance(): void;
  /** Flushes heads, writes rollups and closes the store. Bounded in time. */
  close(): Promise<void>;
}
