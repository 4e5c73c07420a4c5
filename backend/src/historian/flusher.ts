import type Database from 'better-sqlite3';
import type { ChunkStore, FlushState } from './chunk-store';
import { compactHour, writeHour, type HourWriterContext } from './hour-writer';
import { unflushedArrivals, writePiece } from './pieces';
import { latestValueOf, type PointState } from './point-registry';
import { floorTo, HOUR_MS, pickSeries, sliceSeries, sortUnique } from './series';

/**
 * Moves samples from the in-memory heads into chunks + rollups. A point is flushed up to a cutoff time: the
 * start of the hour its newest sample is in (once that sample is `lateGraceMs` into the hour, so stragglers of
 * the previous hour still land in the same chunk), everything when the retention or `close()` asks. A head
 * that holds `chunkMaxSamples` or `headMaxBytes`, or is older than `maxHeadAgeMs`, is spilled instead: written
 * out as a piece (pieces.ts) without re-encoding, so memory stays bounded while the hour is still filling, and
 * the hour is still compressed once, from its pieces and head together, when it is flushed.
 *
 * Chunks appended to an hour already written (a head flushed by `close()` mid-hour, then more samples after the
 * restart) are merged once the hour is over (`compact`).
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
  /** head samples below this are now stored (Infinity: all of them), −Infinity: nothing happened */
  cutoff: number;
  state: FlushState;
  /** what the point's pieces hold after the transaction */
  spilled: number;
  spilledMinTs: number;
  spilledMaxTs: number;
}

export class Flusher {
  /** points waiting for a flush → cutoff */
  private readonly queue = new Map<PointState, number>();
  /** points whose head is to be written out as a piece */
  private readonly spills = new Set<PointState>();
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
    return this.queue.size + this.spills.size;
  }

  /**
   * After new samples arrived: a flush to the start of the hour of the newest sample once that is
   * `lateGraceMs` in, when that hour is newer than the last cutoff; else a spill when the head is full. Late
   * samples for hours already compressed wait for the next hour instead of each rewriting a chunk. A timestamp
   * ahead of the clock does not move the cutoff (a device with a wrong clock would otherwise flush every commit).
   */
  afterIngest(p: PointState): void {
    const h = p.head;
    const newest = Math.min(h.maxTs, this.now());
    const cutoff = floorTo(newest - this.policy.lateGraceMs, HOUR_MS);
    const lastCutoff = p.flushedPart > p.flushedFull ? p.flushedBefore : -Infinity;
    if (Math.min(h.minTs, p.spilledMinTs) < cutoff && cutoff > lastCutoff) this.request(p, cutoff);
    else if (h.n >= this.policy.chunkMaxSamples || h.bytes >= this.policy.headMaxBytes) this.spills.add(p);
  }

  /**
   * Heads that waited `maxHeadAgeMs` are spilled (a point that reports rarely pins the staging log until
   * then); pieces of hours that are over are flushed for points that stopped reporting (nothing else would).
   */
  requestAged(points: Iterable<PointState>): void {
    const now = this.now();
    const due = floorTo(now - this.policy.lateGraceMs, HOUR_MS);
    for (const p of points) {
      if (p.head.n > 0 && now - p.head.since >= this.policy.maxHeadAgeMs) this.spills.add(p);
      if (p.spilledMinTs < due && p.head.maxTs < due) this.request(p, due);
    }
  }

  /** Before closing: hours that are over go to chunks, every head's rest to a piece (fast: no encoding). */
  requestClose(points: Iterable<PointState>): void {
    const due = floorTo(this.now() - this.policy.lateGraceMs, HOUR_MS);
    for (const p of points) {
      if (Math.min(p.head.minTs, p.spilledMinTs) < due) this.request(p, due);
      if (p.head.n > 0) this.spills.add(p);
    }
  }

  request(p: PointState, cutoff: number): void {
    const prev = this.queue.get(p);
    this.queue.set(p, prev === undefined ? cutoff : Math.max(prev, cutoff));
  }

  /**
   * Flushes up to `maxPoints` queued heads in one transaction, or stops early after `budgetMs`. Memory changes
   * (dropping flushed samples from heads) happen only after the commit, so a failed transaction loses nothing.
   * Returns the number of samples moved.
   */
  runBatch(maxPoints: number, budgetMs = Infinity): number {
    if (this.pending === 0) return 0;
    const started = performance.now();
    const planned: PlannedFlush[] = [];
    const spilled: PlannedFlush[] = [];
    let moved = 0;
    const full = () => planned.length + spilled.length >= maxPoints || performance.now() - started > budgetMs;
    this.db.transaction(() => {
      for (const [p, cutoff] of this.queue) {
        if (full()) break;
        const plan = this.writePoint(p, cutoff);
        if (plan) {
          planned.push(plan.plan);
          moved += plan.moved;
        } else {
          planned.push({ ...this.unchanged(p), cutoff: -Infinity });
        }
      }
      for (const p of this.spills) {
        if (full()) break;
        // a point waiting for its flush is spilled after it
        if (this.queue.has(p)) continue;
        spilled.push(this.spill(p));
        moved += p.head.n;
      }
    })();
    const now = this.now();
    for (const plan of planned) this.queue.delete(plan.point);
    for (const plan of spilled) this.spills.delete(plan.point);
    for (const { point, cutoff, state, spilled: n, spilledMinTs, spilledMaxTs } of [...planned, ...spilled]) {
      if (cutoff === -Infinity) continue;
      point.head.drop(cutoff, now);
      point.flushedFull = state.flushedFull;
      point.flushedPart = state.flushedPart;
      point.flushedBefore = state.flushedBefore;
      point.spilled = n;
      point.spilledMinTs = spilledMinTs;
      point.spilledMaxTs = spilledMaxTs;
    }
    return moved;
  }

  private unchanged(p: PointState): PlannedFlush {
    return {
      point: p,
      cutoff: Infinity,
      state: flushStateOf(p),
      spilled: p.spilled,
      spilledMinTs: p.spilledMinTs,
      spilledMaxTs: p.spilledMaxTs,
    };
  }

  /**
   * The head as a piece, as it is. Every sample of the point is then in historian.db (chunks or pieces), so
   * replay skips all of its staged samples.
   */
  private spill(p: PointState): PlannedFlush {
    const head = p.head;
    if (head.n === 0) return { ...this.unchanged(p), cutoff: -Infinity };
    const { data, n, str } = head.stream();
    this.store.insertPiece(p.key, head.minTs, n, data, str);
    const through = head.lastStagingId();
    const state: FlushState = { flushedFull: through, flushedPart: through, flushedBefore: 0 };
    this.store.updateFlush(p.key, state, latestOf(p));
    return {
      point: p,
      cutoff: Infinity,
      state,
      spilled: p.spilled + n,
      spilledMinTs: Math.min(p.spilledMinTs, head.minTs),
      spilledMaxTs: Math.max(p.spilledMaxTs, head.maxTs),
    };
  }

  private writePoint(p: PointState, requested: number): { plan: PlannedFlush; moved: number } | null {
    const head = p.head;
    if (head.n === 0 && p.spilled === 0) return null;
    // a partial flush must not move the cutoff back, or the flush state could not describe what is in chunks
    const cutoff = p.flushedPart > p.flushedFull ? Math.max(requested, p.flushedBefore) : requested;
    let taken;
    let spilled = 0;
    let spilledMinTs = Infinity;
    let spilledMaxTs = -Infinity;
    if (p.spilled === 0) {
      taken = head.peek(cutoff);
      if (taken.n === 0) return null;
    } else {
      // the pieces and the head together, in arrival order: samples below the cutoff go to chunks, the pieces'
      // others back into one piece
      const all = unflushedArrivals(this.store, p);
      const inPieces = all.series.n - head.n;
      const below: number[] = [];
      const rest: number[] = [];
      for (let i = 0; i < all.series.n; i++) {
        if ((all.series.ts[i] as number) < cutoff) below.push(i);
        else if (i < inPieces) rest.push(i);
      }
      if (below.length === 0) return null;
      taken = sortUnique(pickSeries(all.series, below, below.length));
      this.store.deletePieces(p.key);
      ({ min: spilledMinTs, max: spilledMaxTs } = writePiece(this.store, p, all, rest));
      spilled = rest.length;
    }
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
    // a head holding nothing below the cutoff (only pieces were flushed) leaves the state as it is
    const state: FlushState =
      head.n === 0 || head.minTs >= cutoff
        ? flushStateOf(p)
        : head.maxTs < cutoff
          ? { flushedFull: through, flushedPart: through, flushedBefore: 0 }
          : { flushedFull: p.flushedFull, flushedPart: through, flushedBefore: cutoff };
    this.store.updateFlush(p.key, state, latestOf(p));
    return { plan: { point: p, cutoff, state, spilled, spilledMinTs, spilledMaxTs }, moved: taken.n };
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

function latestOf(p: PointState) {
  return p.latestTs === -Infinity
    ? null
    : { ts: p.latestTs, value: latestValueOf(p), quality: p.latestQuality, rawStatus: p.latestStatus };
}

export function flushStateOf(p: PointState): FlushState {
  return { flushedFull: p.flushedFull, flushedPart: p.flushedPart, flushedBefore: p.flushedBefore };
}
