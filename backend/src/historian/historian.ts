import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { qualityFromCode, type Sample } from '@plenum/model';
import { ChunkStore } from './chunk-store';
import { openFiles } from './database';
import { Flusher } from './flusher';
import type { HourWriterContext } from './hour-writer';
import { latestValueOf, PointRegistry, type PointState } from './point-registry';
import { computeBuckets, DEFAULT_RAW_LIMIT, readSeries, toRawSeries, type QueryContext } from './queries';
import { resolveRetention, RetentionTask } from './retention';
import { stageSample } from './sample-validation';
import { HOUR_MS, type Series } from './series';
import { packBatch, StagedBatch, StagingLog } from './staging-log';
import type {
  BucketQuery,
  BucketSeries,
  Historian,
  HistorianOptions,
  HistorianPoint,
  HistorianStats,
  HistorianTuning,
  IngestResult,
  RawColumns,
  RawSeries,
  RejectedSample,
  StoreResolution,
} from './types';

/** how often the staging log's deletable prefix is recomputed (ms); see refreshStagingNeeded */
const STAGING_SCAN_MS = 1000;

export const DEFAULT_TUNING: Readonly<HistorianTuning> = {
  chunkMaxSamples: 4096,
  headMaxBytes: 512,
  lateGraceMs: 120_000,
  maxHeadAgeMs: 10 * 60_000,
  maintenanceIntervalMs: 60_000,
  closeTimeoutMs: 10_000,
  decodedCacheBytes: 64 * 1024 * 1024,
};

/** heads compressed per flush transaction, and the time one flush task may hold the event loop */
const FLUSH_POINTS_PER_TX = 256;
const FLUSH_BUDGET_MS = 50;
/** after a failed flush, wait this long (ms) before flushing again outside the maintenance task */
const FLUSH_RETRY_MS = 5_000;
/** hours back from now that open() looks for point-hours left in several chunks (a crash or close before they
 * were merged); older ones stay as they are, correct but a little larger */
const COMPACT_LOOKBACK_HOURS = 3;

function resolveTuning(t: Partial<HistorianTuning> | undefined): HistorianTuning {
  const out = { ...DEFAULT_TUNING };
  for (const key of Object.keys(DEFAULT_TUNING) as Array<keyof HistorianTuning>) {
    const v = t?.[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (key === 'chunkMaxSamples' && v < 1)) {
      throw new RangeError(`tuning.${key} must be a non-negative number, got ${JSON.stringify(v)}`);
    }
    out[key] = v;
  }
  return out;
}

/** Opens (creating when missing) the historian in `opts.dir` and replays its staging log into memory. */
export function openHistorian(opts: HistorianOptions): Historian {
  if (typeof opts?.dir !== 'string' || opts.dir.length === 0) {
    throw new TypeError('historian option dir must be a non-empty path');
  }
  return new EmbeddedHistorian(opts);
}

interface Waiter {
  resolve: (r: IngestResult) => void;
  reject: (e: Error) => void;
  result: IngestResult;
}

class EmbeddedHistorian implements Historian {
  private readonly dir: string;
  private readonly now: () => number;
  private readonly tuning: HistorianTuning;
  private readonly main: Database.Database;
  private readonly stagingDb: Database.Database;
  private readonly staging: StagingLog;
  private readonly store: ChunkStore;
  private readonly points: PointRegistry;
  private readonly writer: HourWriterContext;
  private readonly flusher: Flusher;
  private readonly retention: RetentionTask;
  private readonly query: QueryContext;
  private readonly timer: NodeJS.Timeout;
  private readonly afterMaintenance: ((now: number) => void) | undefined;

  private pending = new StagedBatch();
  private waiters: Waiter[] = [];
  private commitScheduled = false;
  private flushScheduled = false;
  private compactScheduled = false;
  /** next staging row id; ids only grow, even across a vacuumed staging file */
  private nextStagingId: number;
  /** staging rows below this are no longer needed (every sample in them is in a chunk) */
  private stagingNeededFrom = 0;
  /** performance.now() of the last refreshStagingNeeded scan */
  private stagingScannedAt = -Infinity;
  private stagingDeletedBelow = 0;
  private closing: Promise<void> | null = null;
  private closed = false;

  private samplesIngested = 0;
  private commits = 0;
  private lastCommitMs = 0;
  private backgroundError: Error | null = null;
  /** performance.now() of the last failed flush, −Infinity when none */
  private flushFailedAt = -Infinity;

  constructor(opts: HistorianOptions) {
    this.dir = opts.dir;
    this.now = opts.now ?? Date.now;
    this.afterMaintenance = opts.afterMaintenance;
    this.tuning = resolveTuning(opts.tuning);
    const retention = resolveRetention(opts.retention);
    const files = openFiles(this.dir);
    this.main = files.main;
    this.stagingDb = files.staging;
    try {
      this.staging = new StagingLog(this.stagingDb);
      this.store = new ChunkStore(this.main, this.tuning.decodedCacheBytes);
      this.points = new PointRegistry(this.main, this.tuning.headMaxBytes);
      this.writer = {
        store: this.store,
        chunkMaxSamples: this.tuning.chunkMaxSamples,
        rawDroppedBeforeHour: 0,
        m1DroppedBeforeHour: 0,
      };
      this.retention = new RetentionTask(this.main, this.store, this.writer, retention);
      this.flusher = new Flusher(this.main, this.store, this.writer, this.tuning, this.now);
      this.query = { store: this.store, writer: this.writer };
      this.nextStagingId = this.replay() + 1;
      const fromHour = Math.floor(this.now() / HOUR_MS) - COMPACT_LOOKBACK_HOURS;
      for (const { point, n, t_min } of this.store.pieceSummary()) {
        const p = this.points.byStorageKey(point);
        if (p) {
          p.spilled = n;
          p.spilledMinTs = t_min;
          p.spilledMaxTs = Infinity; // not in the table: read them until the next flush knows
        }
      }
      for (const { point, hour } of this.store.fragmentedHours(fromHour)) {
        const p = this.points.byStorageKey(point);
        if (p) this.flusher.markFragmented(p, hour);
      }
    } catch (err) {
      this.main.close();
      this.stagingDb.close();
      throw err;
    }
    this.timer = setInterval(() => this.maintenanceTick(), Math.max(1, this.tuning.maintenanceIntervalMs));
    this.timer.unref();
    for (const p of this.points.all()) this.considerFlush(p);
    this.scheduleFlush();
  }

  /** Rebuilds heads and the latest cache from the staging log; returns the highest staging id in use. */
  private replay(): number {
    let maxId = this.staging.maxId();
    for (const p of this.points.all()) maxId = Math.max(maxId, p.flushedFull, p.flushedPart);
    const now = this.now();
    for (const { id, batch } of this.staging.rows()) {
      for (let i = 0; i < batch.n; i++) {
        const p = this.points.byStorageKey(batch.key[i] as number);
        if (!p) throw new Error(`staging row ${id} refers to point key ${batch.key[i]}, which is not registered`);
        const ts = batch.ts[i] as number;
        if (id <= p.flushedFull || (id <= p.flushedPart && ts < p.flushedBefore)) continue;
        const value =
          p.valueType === 'string' ? (batch.strings[batch.num[i] as number] as string) : (batch.num[i] as number);
        this.appendToHead(p, ts, value, batch.quality[i] as number, batch.rawStatus[i] as number, id, now);
      }
    }
    this.refreshStagingNeeded(maxId + 1);
    return maxId;
  }

  private appendToHead(
    p: PointState,
    ts: number,
    value: number | string,
    quality: number,
    rawStatus: number,
    stagingId: number,
    now: number,
  ): void {
    p.head.append(ts, value, quality, rawStatus, stagingId, now);
    if (ts >= p.latestTs) {
      p.latestTs = ts;
      if (typeof value === 'string') p.latestStr = value;
      else p.latestNum = value;
      p.latestQuality = quality;
      p.latestStatus = rawStatus;
    }
  }

  private assertOpen(what: string): void {
    if (this.closing) throw new Error(`historian in "${this.dir}" is closed; cannot ${what}`);
  }

  ensurePoints(points: HistorianPoint[]): void {
    this.assertOpen('register points');
    this.points.ensure(points);
  }

  ingest(samples: Sample[]): Promise<IngestResult> {
    if (this.closing) return Promise.reject(new Error(`historian in "${this.dir}" is closed; cannot ingest`));
    if (!Array.isArray(samples)) return Promise.reject(new TypeError('ingest expects an array of samples'));
    const batch = this.pending;
    batch.reserve(samples.length);
    const rejected: RejectedSample[] = [];
    const before = batch.n;
    const stringsBefore = batch.strings.length;
    try {
      for (let i = 0; i < samples.length; i++) {
        const s = samples[i] as Sample;
        const r = stageSample(batch, this.points, s);
        if (typeof r === 'string') {
          const pointId = s !== null && typeof s === 'object' && typeof s.pointId === 'string' ? s.pointId : '';
          rejected.push({ index: i, pointId, reason: r });
        }
      }
    } catch (err) {
      // a sample whose properties throw when read: take back this call's samples, keep the others queued
      batch.truncate(before, stringsBefore);
      return Promise.reject(err as Error);
    }
    const result: IngestResult = { accepted: batch.n - before, rejected };
    if (result.accepted === 0) return Promise.resolve(result);
    const done = new Promise<IngestResult>((resolve, reject) => this.waiters.push({ resolve, reject, result }));
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      // every ingest() of this turn of the event loop joins the same transaction and fsync
      setImmediate(() => this.commit());
    }
    return done;
  }

  /** Group commit: one staging row, one transaction, one fsync for everything queued since the last one. */
  private commit(): void {
    this.commitScheduled = false;
    const batch = this.pending;
    const waiters = this.waiters;
    if (batch.n === 0 || this.closed) return;
    this.pending = new StagedBatch(Math.min(1 << 20, Math.max(4096, batch.n)));
    this.waiters = [];
    const started = performance.now();
    const id = this.nextStagingId++;
    try {
      const deleteBelow = this.stagingNeededFrom > this.stagingDeletedBelow ? this.stagingNeededFrom : 0;
      this.staging.append(id, packBatch(batch), deleteBelow);
      if (deleteBelow > 0) this.stagingDeletedBelow = deleteBelow;
    } catch (err) {
      const e = new Error(`historian commit failed, ${batch.n} samples not stored: ${(err as Error).message}`);
      for (const w of waiters) w.reject(e);
      return;
    }
    this.lastCommitMs = performance.now() - started;
    this.commits++;
    this.samplesIngested += batch.n;
    const touched: PointState[] = [];
    try {
      this.appendBatch(batch, id, touched);
    } catch (err) {
      // cannot happen with validated samples; the samples are durable and a restart replays them
      this.backgroundError = err as Error;
      console.error(`historian in "${this.dir}": adding committed samples to memory failed:`, err);
    }
    for (const w of waiters) w.resolve(w.result);
    for (const p of touched) this.considerFlush(p);
    this.scheduleFlush();
  }

  /** adds a committed batch to the heads and the latest cache; collects the points it touched */
  private appendBatch(batch: StagedBatch, id: number, touched: PointState[]): void {
    const now = this.now();
    const commitNo = this.commits;
    for (let i = 0; i < batch.n; i++) {
      const p = this.points.byStorageKey(batch.key[i] as number) as PointState;
      const value =
        p.valueType === 'string' ? (batch.strings[batch.num[i] as number] as string) : (batch.num[i] as number);
      this.appendToHead(
        p,
        batch.ts[i] as number,
        value,
        batch.quality[i] as number,
        batch.rawStatus[i] as number,
        id,
        now,
      );
      if (p.lastCommit !== commitNo) {
        p.lastCommit = commitNo;
        touched.push(p);
      }
    }
  }

  private considerFlush(p: PointState): void {
    if (p.head.n === 0) return;
    this.flusher.afterIngest(p);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flusher.pending === 0 || this.closing) return;
    // after a failure (disk full, I/O error) the maintenance task retries; do not spin on it
    if (performance.now() - this.flushFailedAt < FLUSH_RETRY_MS) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.closing) return;
      this.flushSome(FLUSH_POINTS_PER_TX, FLUSH_BUDGET_MS);
      this.scheduleFlush();
    });
  }

  /** Merges point-hours left in several chunks by early flushes, in tasks of ≤ 50 ms (see Flusher.compact). */
  private scheduleCompaction(): void {
    if (this.compactScheduled || this.closing) return;
    this.compactScheduled = true;
    setImmediate(() => {
      this.compactScheduled = false;
      if (this.closing) return;
      try {
        if (this.flusher.compact(FLUSH_POINTS_PER_TX, FLUSH_BUDGET_MS) > 0) this.scheduleCompaction();
      } catch (err) {
        // retried by the next maintenance run
        this.backgroundError = err as Error;
        console.error(`historian in "${this.dir}": merging chunks failed, will retry:`, err);
      }
    });
  }

  /** One flush transaction; a failure is kept for stats() and retried by the maintenance task. */
  private flushSome(maxPoints: number, budgetMs: number): boolean {
    try {
      this.flusher.runBatch(maxPoints, budgetMs);
      this.refreshStagingNeeded(this.nextStagingId);
      return true;
    } catch (err) {
      this.backgroundError = err as Error;
      this.flushFailedAt = performance.now();
      console.error(`historian in "${this.dir}": compressing heads failed, will retry:`, err);
      return false;
    }
  }

  /**
   * Moves `stagingNeededFrom` up, at most once per STAGING_SCAN_MS unless forced: the scan visits every point
   * (at 100k points it cost ~7 % of the thread when run after every commit). A value left behind is only lower
   * than the truth — heads only lose their oldest samples and new ones get higher ids — so staging rows are
   * deleted a little later, never too early.
   */
  private refreshStagingNeeded(otherwise: number, force = false): void {
    const t = performance.now();
    if (!force && t - this.stagingScannedAt < STAGING_SCAN_MS) return;
    this.stagingScannedAt = t;
    this.stagingNeededFrom = this.firstNeededStagingId(otherwise);
  }

  /** smallest staging id a head still holds samples from (or `otherwise` when all heads are empty) */
  private firstNeededStagingId(otherwise: number): number {
    let min = otherwise;
    for (const p of this.points.all()) if (p.head.n > 0) min = Math.min(min, p.head.firstStagingId());
    return min;
  }

  private maintenanceTick(): void {
    if (this.closing) return;
    try {
      this.runMaintenance();
    } catch (err) {
      this.backgroundError = err as Error;
      console.error(`historian in "${this.dir}": maintenance failed, will retry:`, err);
    }
  }

  runMaintenance(): void {
    this.assertOpen('run maintenance');
    const now = this.now();
    // heads holding samples past the raw retention go to chunks / rollups first, so retention sees them
    const rawCutoff = this.retention.rawCutoff(now);
    for (const p of this.points.all())
      if (Math.min(p.head.minTs, p.spilledMinTs) < rawCutoff) this.flusher.request(p, Infinity);
    this.flusher.requestAged(this.points.all());
    // also retries flushes that failed
    while (this.flusher.pending > 0) if (!this.flushSome(FLUSH_POINTS_PER_TX, Infinity)) break;
    this.retention.run(now);
    this.scheduleCompaction();
    // a scan of its own rather than the commit path's (at most once per wall second, STAGING_SCAN_MS): once a
    // maintenance interval costs nothing, and on a simulated clock a wall second is hours of staging rows — the
    // long run's staging.db then stopped at a high-water mark set by how slow the machine was (3–4 MiB)
    this.refreshStagingNeeded(this.nextStagingId, true);
    if (this.stagingNeededFrom > this.stagingDeletedBelow) {
      this.staging.deleteBelow(this.stagingNeededFrom);
      this.stagingDeletedBelow = this.stagingNeededFrom;
    }
    this.afterMaintenance?.(now);
  }

  latest(pointIds: string[]): Map<string, Sample> {
    const out = new Map<string, Sample>();
    for (const id of pointIds) {
      const p = this.points.get(id);
      if (!p || p.latestTs === -Infinity) continue;
      const v = latestValueOf(p);
      out.set(id, {
        pointId: id,
        ts: p.latestTs,
        value: p.valueType === 'boolean' ? v !== 0 : v,
        quality: qualityFromCode(p.latestQuality),
        rawStatus: p.latestStatus,
      });
    }
    return out;
  }

  private point(pointId: string, what: string): PointState {
    this.assertOpen(what);
    const p = this.points.get(pointId);
    if (!p) throw new Error(`${what}: unknown point ${JSON.stringify(pointId)}`);
    return p;
  }

  readRaw(pointId: string, from: number, to: number, limit = DEFAULT_RAW_LIMIT): RawSeries {
    const p = this.point(pointId, 'readRaw');
    return toRawSeries(this.readChecked('readRaw', p, from, to, limit, true), p);
  }

  readColumns(pointId: string, from: number, to: number, limit = DEFAULT_RAW_LIMIT): RawColumns {
    return this.readChecked('readColumns', this.point(pointId, 'readColumns'), from, to, limit, false);
  }

  private readChecked(what: string, p: PointState, from: number, to: number, limit: number, status: boolean): Series {
    if (!Number.isFinite(from)) throw new RangeError(`${what} of point "${p.id}": from must be finite, got ${from}`);
    if (!Number.isFinite(to)) throw new RangeError(`${what} of point "${p.id}": to must be finite, got ${to}`);
    if (!(limit >= 0)) throw new RangeError(`${what} of point "${p.id}": limit must be ≥ 0, got ${limit}`);
    return readSeries(this.query, p, from, to, Math.floor(limit), status);
  }

  buckets(pointId: string, q: BucketQuery): BucketSeries {
    return computeBuckets(this.query, this.point(pointId, 'buckets'), q);
  }

  horizon(): Record<StoreResolution, number> {
    this.assertOpen('read the horizon');
    // what retention has dropped, not what was ever written: a young store still answers raw queries that
    // reach back before its first sample
    return this.retention.horizon();
  }

  stats(): HistorianStats {
    let headSamples = 0;
    let headBytes = 0;
    for (const p of this.points.all()) {
      headSamples += p.head.n;
      headBytes += p.head.bytes;
    }
    return {
      points: this.points.size,
      samplesIngested: this.samplesIngested,
      queueDepth: this.pending.n,
      headSamples,
      headBytes,
      diskBytes: folderBytes(this.dir),
      commits: this.commits,
      lastCommitMs: this.lastCommitMs,
      decodedCache: {
        bytes: this.store.decoded.bytes,
        hits: this.store.decoded.hits,
        misses: this.store.decoded.misses,
      },
      ...(this.backgroundError ? { lastError: this.backgroundError.message } : {}),
      ...(this.closing
        ? {}
        : {
            mainFile: {
              pageBytes: this.main.pragma('page_size', { simple: true }) as number,
              pages: this.main.pragma('page_count', { simple: true }) as number,
              freePages: this.main.pragma('freelist_count', { simple: true }) as number,
            },
          }),
    };
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve, reject) => {
      try {
        this.shutdown();
        resolve();
      } catch (err) {
        reject(err as Error);
      }
    });
    return this.closing;
  }

  private shutdown(): void {
    clearInterval(this.timer);
    try {
      if (this.pending.n > 0) this.commit();
      const deadline = performance.now() + this.tuning.closeTimeoutMs;
      this.flusher.requestClose(this.points.all());
      while (this.flusher.pending > 0 && performance.now() < deadline) {
        if (!this.flushSome(4 * FLUSH_POINTS_PER_TX, deadline - performance.now())) break;
      }
      // hours over and left in several chunks, as far as the deadline allows (the rest: the next open's scan)
      while (
        performance.now() < deadline &&
        this.flusher.compact(4 * FLUSH_POINTS_PER_TX, deadline - performance.now()) > 0
      );
      this.refreshStagingNeeded(this.nextStagingId, true);
      this.staging.deleteBelow(this.stagingNeededFrom);
      // an empty log vacuums in no time and leaves the file at a few pages
      if (this.staging.count() === 0) this.stagingDb.exec('VACUUM');
      this.main.pragma('wal_checkpoint(TRUNCATE)');
      this.stagingDb.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.closed = true;
      this.main.close();
      this.stagingDb.close();
    }
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      const st = statSync(join(dir, name));
      if (st.isFile()) total += st.size;
    } catch {
      // a file removed while we list (SQLite's journal) is simply not counted
    }
  }
  return total;
}
