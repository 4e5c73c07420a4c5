import type Database from 'better-sqlite3';
import type { ChunkStore } from './chunk-store';
import { readMeta, writeMeta } from './database';
import type { HourWriterContext } from './hour-writer';
import { HOUR_MS } from './series';
import type { Retention, StoreResolution } from './types';

export const DAY_MS = 86_400_000;

export const DEFAULT_RETENTION: Readonly<Retention> = { raw: 14 * DAY_MS, m1: 90 * DAY_MS, h1: 730 * DAY_MS };

const RETENTION_KEYS = ['raw', 'm1', 'h1'] as const;

export function resolveRetention(r: Partial<Retention> | undefined): Retention {
  const out = { ...DEFAULT_RETENTION };
  // an unknown key is refused rather than ignored: the config file's spelling ("1m", "1h") passed here kept
  // the 90 d / 730 d defaults silently, and the long-run suite's rollups grew for a month before that was seen
  for (const key of Object.keys(r ?? {}))
    if (!(RETENTION_KEYS as readonly string[]).includes(key))
      throw new RangeError(`retention.${key} is not a retention; expected ${RETENTION_KEYS.join(', ')} (ms each)`);
  for (const key of RETENTION_KEYS) {
    const v = r?.[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v > 0)) {
      throw new RangeError(`retention.${key} must be a positive number of ms, got ${JSON.stringify(v)}`);
    }
    out[key] = v;
  }
  return out;
}

/**
 * Drops whole hours that lie entirely before now − retention: raw chunks, then the 1-minute blobs (the hour
 * columns stay), then rollup rows. Each resolution remembers how far it has dropped (meta table), so a run
 * only touches the hours that newly expired.
 */
export class RetentionTask {
  /** how far the 1-hour rollups are dropped (hour), as in the meta table: horizon() is asked by every PromQL read */
  private h1DroppedBeforeHour: number;

  constructor(
    private readonly db: Database.Database,
    private readonly store: ChunkStore,
    private readonly writer: HourWriterContext,
    private readonly retention: Retention,
  ) {
    writer.rawDroppedBeforeHour = readMeta(db, 'raw_dropped_before_hour', 0);
    writer.m1DroppedBeforeHour = readMeta(db, 'm1_dropped_before_hour', 0);
    this.h1DroppedBeforeHour = readMeta(db, 'h1_dropped_before_hour', 0);
  }

  /** samples older than this are past the raw retention */
  rawCutoff(now: number): number {
    return now - this.retention.raw;
  }

  /** Per resolution, the instant before which this task has dropped data (0 while nothing is dropped). */
  horizon(): Record<StoreResolution, number> {
    return {
      raw: this.writer.rawDroppedBeforeHour * HOUR_MS,
      '1m': this.writer.m1DroppedBeforeHour * HOUR_MS,
      '1h': this.h1DroppedBeforeHour * HOUR_MS,
    };
  }

  /** returns how many rows it removed or emptied */
  run(now: number): number {
    const rawCut = Math.floor((now - this.retention.raw) / HOUR_MS);
    const m1Cut = Math.floor((now - this.retention.m1) / HOUR_MS);
    const h1Cut = Math.floor((now - this.retention.h1) / HOUR_MS);
    const h1From = this.h1DroppedBeforeHour;
    let changed = 0;
    this.db.transaction(() => {
      if (rawCut > this.writer.rawDroppedBeforeHour) {
        changed += this.store.dropChunks(rawCut);
        writeMeta(this.db, 'raw_dropped_before_hour', rawCut);
      }
      if (m1Cut > this.writer.m1DroppedBeforeHour) {
        // from the previous cut: older rows keep their hour columns (m1 NULL) and need not be visited again
        changed += this.store.dropMinuteRollups(this.writer.m1DroppedBeforeHour, m1Cut);
        writeMeta(this.db, 'm1_dropped_before_hour', m1Cut);
      }
      if (h1Cut > h1From) {
        changed += this.store.dropRollups(h1Cut);
        writeMeta(this.db, 'h1_dropped_before_hour', h1Cut);
      }
    })();
    // memory only after the commit
    this.writer.rawDroppedBeforeHour = Math.max(this.writer.rawDroppedBeforeHour, rawCut);
    this.writer.m1DroppedBeforeHour = Math.max(this.writer.m1DroppedBeforeHour, m1Cut);
    this.h1DroppedBeforeHour = Math.max(this.h1DroppedBeforeHour, h1Cut);
    return changed;
  }
}
