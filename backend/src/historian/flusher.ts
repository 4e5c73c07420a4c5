import type Database from 'better-sqlite3';
import type { ChunkStore, FlushState } from './chunk-store';
import { compactHour, writeHour, type HourWriterContext } from './hour-writer';
import type { PointState } from './point-registry';
import { floorTo, HOUR_MS, sliceSeries } from './series';

/**
 * Moves samples from the in-memory heads into chunks + rollups. A head is flushed up to a cutoff time:
 * normally the start of the hour its newest sample is in (once that sample is `lateGraceMs` into the hour, so
 * stragglers of the previous hour still land in the same chunk), everything when it holds `chunkMaxSamples`
 * or `headMaxBytes`, or is older than `maxHeadAgeMs`.
 *
 * A head flushed before its hour is over leaves the hour in several chunks; once the hour is over (plus
 * `lateGraceMs`) the flusher merges them (`compact`), so memory stays bounded without re-encoding a growing
 * chunk on every early flush, and the hour ends up stored as compactly as one written at once.
 *
 * Each flush records in the points table which staged samples are now in chunks (flushed_full / flushed_part
 * / flushed_before), in the same transaction as the chunks: replay on open skips exactly those.
 */
export interface FlushPolicy {
  chunkMaxSamples: number;
  headMaxBytes: number;
  lateGraceMs: number;
  maxHeadAgeMs: number;
}

interface PlannedFlush {
  point: PointState;
  cutoff: number;
  state: FlushState;
}

export class Flusher {
  /** points waiting for a flush → cutoff */
  private readonly queue = new Map<PointState, number>();
  /** point-hours written in several chunks, to be merged once the hour is over */
  private readonly fragmented = new Map<PointState, Set<number>>();

  constructor(
    private readonly db: Database.Database,
    private readonly store: ChunkStore,
    readonly ctx: HourWriterContext,
    private readonly policy: FlushPolicy,
    private readonly now: () => number,
  ) {}

  get pending(): number {
    return this.queue.size;
  }

  /**
   * The cutoff a head should be flushed to after new samples arrived, or null to keep collecting: the start of
   * the hour of its newest sample once that is `lateGraceMs` in, when that hour is newer than the last cutoff.
   * Late samples for hours already compressed wait for the next hour (or `maxHeadAgeMs`) instead of each
   * rewriting a chunk. A timestamp ahead of the clock does not move the cutoff (a device with a wrong clock
   * would otherwise flush every commit).
   */
  cutoffAfterIngest(p: PointState): number | null {
    const h = p.head;
    if (h.n >= this.policy.chunkMaxSamples || h.bytes >= this.policy.headMaxBytes) return Infinity;
    const newest = Math.min(h.maxTs, this.now());
    const cutoff = floorTo(newest - this.policy.lateGraceMs, HOUR_MS);
    const lastCutoff = p.flushedPart > p.flushedFull ? p.flushedBefore : -Infinity;
    return h.minTs < cutoff && cutoff > lastCutoff ? cutoff : null;
  }

  /** Heads that waited too long (a point that stopped reporting pins the staging log until it is flushed). */
  requestAged(points: Iterable<PointState>): void {
    const now = this.now();
    for (const p of points) {
      if (p.head.n > 0 && now - p.head.since >= this.policy.maxHeadAgeMs) this.request(p, Infinity);
    }
  }

  request(p: PointState, cutoff: number): void {
    const prev = this.queue.get(p);
    this.queue.set(p, prev === undefined ? cutoff : Math.max(prev, cutoff));
  }

  requestAll(points: Iterable<PointState>): void {
    for (const p of points) if (p.head.n > 0) this.request(p, Infinity);
  }

  /**
   * Flushes up to `maxPoints` queued heads in one transaction, or stops early after `budgetMs`. Memory changes
   * (dropping flushed samples from heads) happen only after the commit, so a failed transaction loses nothing.
   * Returns the number of samples moved.
   */
  runBatch(maxPoints: number, budgetMs = Infinity): number {
    if (this.queue.size === 0) return 0;
    const started = performance.now();
    const planned: PlannedFlush[] = [];
    let moved = 0;
    this.db.transaction(() => {
      for (const [p, cutoff] of this.queue) {
        if (planned.length >= maxPoints || performance.now() - started > budgetMs) break;
        const plan = this.writePoint(p, cutoff);
        if (plan) {
          planned.push(plan.plan);
          moved += plan.moved;
        } else {
          planned.push({ point: p, cutoff: -Infinity, state: flushStateOf(p) });
        }
      }
    })();
    const now = this.now();
    for (const { point, cutoff, state } of planned) {
      this.queue.delete(point);
      if (cutoff === -Infinity) continue;
      point.head.drop(cutoff, now);
      point.flushedFull = state.flushedFull;
      point.flushedPart = state.flushedPart;
      point.flushedBefore = state.flushedBefore;
    }
    return moved;
  }

  private writePoint(p: PointState, requested: number): { plan: PlannedFlush; moved: number } | null {
    const head = p.head;
    if (head.n === 0) return null;
    // a partial flush must not move the cutoff back, or the flush state could not describe what is in chunks
    const cutoff = p.flushedPart > p.flushedFull ? Math.max(requested, p.flushedBefore) : requested;
    const taken = head.peek(cutoff);
    if (taken.n === 0) return null;
    const hourMs = HOUR_MS;
    let i = 0;
    while (i < taken.n) {
      const hour = Math.floor((taken.ts[i] as number) / hourMs);
      let j = i + 1;
      while (j < taken.n && Math.floor((taken.ts[j] as number) / hourMs) === hour) j++;
      const part = i === 0 && j === taken.n ? taken : sliceSeries(taken, i, j);
      if (writeHour(this.ctx, p.key, p.valueType, hour, part)) this.markFragmented(p, hour);
      i = j;
    }
    const through = head.lastStagingId();
    const everything = head.maxTs < cutoff;
    const state: FlushState = everything
      ? { flushedFull: through, flushedPart: through, flushedBefore: 0 }
      : { flushedFull: p.flushedFull, flushedPart: through, flushedBefore: cutoff };
    const last =
      p.latestTs === -Infinity
        ? null
        : { ts: p.latestTs, value: p.latestValue, quality: p.latestQuality, rawStatus: p.latestStatus };
    this.store.updateFlush(p.key, state, last);
    return { plan: { point: p, cutoff, state }, moved: taken.n };
  }

  markFragmented(p: PointState, hour: number): void {
    let hours = this.fragmented.get(p);
    if (!hours) this.fragmented.set(p, (hours = new Set()));
    hours.add(hour);
  }

  /** point-hours waiting to be merged (including those whose hour is not over yet) */
  get fragmentedHours(): number {
    let n = 0;
    for (const hours of this.fragmented.values()) n += hours.size;
    return n;
  }

  /**
   * Merges the chunks of point-hours that are over (`lateGraceMs` past their end, and the head holds none of
   * their samples: those would rewrite the hour anyway), up to `maxHours` in one transaction or until
   * `budgetMs`. Returns how many point-hours it looked at; 0 when none is due.
   */
  compact(maxHours: number, budgetMs = Infinity): number {
    const due = floorTo(this.now() - this.policy.lateGraceMs, HOUR_MS) / HOUR_MS;
    const started = performance.now();
    const done: Array<[PointState, number]> = [];
    this.db.transaction(() => {
      for (const [p, hours] of this.fragmented) {
        for (const hour of hours) {
          if (done.length >= maxHours || performance.now() - started > budgetMs) return;
          if (hour >= due || p.head.minTs < (hour + 1) * HOUR_MS) continue;
          compactHour(this.ctx, p.key, p.valueType, hour);
          done.push([p, hour]);
        }
      }
    })();
    // forget them only once the merge committed, so a failed transaction is retried
    for (const [p, hour] of done) {
      const hours = this.fragmented.get(p);
      hours?.delete(hour);
      if (hours?.size === 0) this.fragmented.delete(p);
    }
    return done.length;
  }
}

export function flushStateOf(p: PointState): FlushState {
  return { flushedFull: p.flushedFull, flushedPart: p.flushedPart, flushedBefore: p.flushedBefore };
}
