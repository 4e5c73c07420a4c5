import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { QueuedSample } from './series';
import type { Label, WireSample, WireSeries } from './write-request';

/**
 * The edge's durable remote-write queue: one SQLite file of its own (`<data>/remote-write/queue.db`, apart from
 * the historian's files), WAL with `synchronous=FULL` (every commit fsync'd), `locking_mode=EXCLUSIVE` (one
 * backend per folder).
 *
 * - `segments`: one row per append (≤ SEGMENT_MAX_SAMPLES), a packed blob of 20 bytes per sample (series id u32,
 *   ts f64 ms, value bits lo u32 hi u32, little-endian) and `first`, the index of its first sample not yet sent.
 *   Sent in row order; a request's samples leave the queue only once the receiver answered (2xx, or 4xx: dropped
 *   and counted), in the same transaction as the counters.
 * - `series`: key (`v:<point>`, `q:<point>`) → id, labels, and `last_ts`, the newest timestamp ever queued: a
 *   sample before it, or at it with another value, is refused (counted `out_of_order`; at it with the same value
 *   it is a repeat, skipped), which keeps every series in time order across
 *   requests, retries and restarts (Prometheus refuses a whole request for one sample older than its series'
 *   newest), and is where the catch-up from the historian starts after a crash (index.ts).
 * - `meta`: counters that must outlive a restart (drops above all) and the time of the last commit.
 *
 * Bounded: when the segments' bytes pass `maxBytes` the oldest segments are deleted and their samples counted as
 * dropped (`queue_full`) — never one a request in flight holds, so the bound may be passed by one request.
 */

export const SAMPLE_BYTES = 20;
/** samples per segment row at most: the unit of drop-oldest and of a read */
export const SEGMENT_MAX_SAMPLES = 8192;

export type DropReason = 'queue_full' | 'rejected' | 'out_of_order';
export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'rejected', 'out_of_order'];

export interface QueueCounters {
  /** samples accepted into the queue */
  enqueued: number;
  /** samples the receiver acknowledged (2xx) */
  sent: number;
  dropped: Record<DropReason, number>;
}

export interface QueueStats {
  /** bytes of queued segments (their blobs); `maxBytes` bounds it */
  bytes: number;
  maxBytes: number;
  /** samples waiting to be sent */
  samples: number;
  segments: number;
  /** timestamp (Unix ms) of the next sample to send, when any: how far behind the receiver is */
  headTs?: number;
  counters: QueueCounters;
}

/** Samples read from the head of the queue for one request; `ack` or `release` it. */
export interface Batch {
  series: WireSeries[];
  count: number;
  /** per segment read: its id, the `first` it had when read, and how far this batch goes */
  spans: Array<{ id: number; from: number; to: number; count: number }>;
}

export interface AppendResult {
  accepted: number;
  /** repeats of a series' newest sample (same time, same value): skipped, not counted as dropped */
  duplicates: number;
  outOfOrder: number;
  droppedFull: number;
}

interface SeriesRow {
  id: number;
  key: string;
  labels: Label[];
  labelsJson: string;
  lastTs: number;
  /** the value bits of the sample at lastTs: a repeat of it is a duplicate, not a conflict */
  lastLo: number;
  lastHi: number;
}

interface SegmentRow {
  id: number;
  first: number;
  count: number;
  data: Buffer;
}

export class DurableQueue {
  private readonly db: Database.Database;
  private readonly byKey = new Map<string, SeriesRow>();
  private readonly byId = new Map<number, SeriesRow>();
  /** segment id → [first, count, bytes] of every segment, in id order (Map keeps insertion order) */
  private readonly segs = new Map<number, { first: number; count: number; bytes: number }>();
  private readonly inFlight = new Set<number>();
  private bytes = 0;
  private waiting = 0;
  readonly counters: QueueCounters;
  /** Unix ms (run clock) when the queue file was created */
  readonly createdAt: number;
  /** Unix ms (run clock) of the last append before this open (the creation when none) */
  readonly lastCommitAt: number;
  /** the file was created by this open */
  readonly fresh: boolean;

  private readonly st: {
    insertSeries: Database.Statement;
    updateSeries: Database.Statement;
    insertSegment: Database.Statement;
    deleteSegment: Database.Statement;
    advanceSegment: Database.Statement;
    readSegments: Database.Statement;
    setMeta: Database.Statement;
    headTs: Database.Statement;
  };

  constructor(
    readonly file: string,
    readonly maxBytes: number,
    private readonly now: () => number,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // exclusive: nobody else waits on it, so a second backend on the folder fails at once instead of after 5 s
    this.db = new Database(file, { timeout: 200 });
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, labels TEXT NOT NULL,
          last_ts INTEGER NOT NULL, last_lo INTEGER NOT NULL DEFAULT 0, last_hi INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS segments (id INTEGER PRIMARY KEY, first INTEGER NOT NULL, count INTEGER NOT NULL,
          data BLOB NOT NULL);`);
    } catch (err) {
      this.db.close();
      const busy = /locked|busy/i.test(String(err));
      throw new Error(
        `remote write queue ${file}: ${busy ? 'in use by another backend (one backend per data folder)' : String(err)}`,
      );
    }
    this.st = {
      insertSeries: this.db.prepare('INSERT INTO series (key, labels, last_ts) VALUES (?, ?, ?)'),
      updateSeries: this.db.prepare('UPDATE series SET labels = ?, last_ts = ?, last_lo = ?, last_hi = ? WHERE id = ?'),
      insertSegment: this.db.prepare('INSERT INTO segments (first, count, data) VALUES (0, ?, ?)'),
      deleteSegment: this.db.prepare('DELETE FROM segments WHERE id = ?'),
      advanceSegment: this.db.prepare('UPDATE segments SET first = ? WHERE id = ?'),
      readSegments: this.db.prepare('SELECT id, first, count, data FROM segments WHERE id >= ? ORDER BY id LIMIT 16'),
      setMeta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      // the 8 bytes of one sample's ts (substr on a blob counts bytes, from 1)
      headTs: this.db.prepare('SELECT substr(data, ?, 8) AS b FROM segments WHERE id = ?'),
    };
    const meta = new Map(
      (this.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: number }>).map((r) => [
        r.key,
        Number(r.value),
      ]),
    );
    this.fresh = !meta.has('created_at');
    if (this.fresh) {
      const t = now();
      for (const k of ['created_at', 'committed_at']) {
        meta.set(k, t);
        this.st.setMeta.run(k, t);
      }
    }
    this.createdAt = meta.get('created_at')!;
    this.lastCommitAt = meta.get('committed_at') ?? this.createdAt;
    this.counters = {
      enqueued: meta.get('enqueued') ?? 0,
      sent: meta.get('sent') ?? 0,
      dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, meta.get(`dropped_${r}`) ?? 0])) as Record<
        DropReason,
        number
      >,
    };
    for (const r of this.db.prepare('SELECT id, key, labels, last_ts, last_lo, last_hi FROM series').all() as Array<{
      id: number;
      key: string;
      labels: string;
      last_ts: number;
      last_lo: number;
      last_hi: number;
    }>) {
      const row: SeriesRow = {
        id: r.id,
        key: r.key,
        labels: JSON.parse(r.labels) as Label[],
        labelsJson: r.labels,
        lastTs: r.last_ts,
        lastLo: r.last_lo,
        lastHi: r.last_hi,
      };
      this.byKey.set(r.key, row);
      this.byId.set(r.id, row);
    }
    for (const s of this.db
      .prepare('SELECT id, first, count, length(data) AS bytes FROM segments ORDER BY id')
      .all() as Array<{ id: number; first: number; count: number; bytes: number }>) {
      this.segs.set(s.id, { first: s.first, count: s.count, bytes: s.bytes });
      this.bytes += s.bytes;
      this.waiting += s.count - s.first;
    }
  }

  /** the newest timestamp ever queued for a series (Unix ms), or undefined for a series never queued */
  lastTs(key: string): number | undefined {
    return this.byKey.get(key)?.lastTs;
  }

  get pendingSamples(): number {
    return this.waiting;
  }

  /**
   * Queues samples (in arrival order), durable when it returns. `labelsOf` names a series the queue has not seen
   * (or whose labels changed: queued samples then go with the new labels). Samples at or before their series'
   * newest queued timestamp are refused and counted `out_of_order`.
   */
  append(samples: readonly QueuedSample[], labelsOf: (key: string) => readonly Label[]): AppendResult {
    const result: AppendResult = { accepted: 0, duplicates: 0, outOfOrder: 0, droppedFull: 0 };
    if (samples.length === 0) return result;
    const changed = new Set<SeriesRow>();
    // series rows first (their ids go into the blobs), then the blobs, then the bound: one transaction, one fsync
    this.db.transaction(() => {
      const kept: Array<{ row: SeriesRow; s: QueuedSample }> = [];
      for (const s of samples) {
        let row = this.byKey.get(s.key);
        if (!row) {
          const labels = [...labelsOf(s.key)];
          const labelsJson = JSON.stringify(labels);
          const id = Number(this.st.insertSeries.run(s.key, labelsJson, -Number.MAX_SAFE_INTEGER).lastInsertRowid);
          row = { id, key: s.key, labels, labelsJson, lastTs: -Number.MAX_SAFE_INTEGER, lastLo: 0, lastHi: 0 };
          this.byKey.set(s.key, row);
          this.byId.set(id, row);
          changed.add(row);
        } else if (!changed.has(row)) {
          const labelsJson = JSON.stringify(labelsOf(s.key));
          if (labelsJson !== row.labelsJson) {
            row.labels = JSON.parse(labelsJson) as Label[];
            row.labelsJson = labelsJson;
          }
          changed.add(row);
        }
        if (s.ts <= row.lastTs) {
          // the same sample again (a source polled twice within one stamp): nothing new to send
          if (s.ts === row.lastTs && s.lo >>> 0 === row.lastLo && s.hi >>> 0 === row.lastHi) result.duplicates++;
          else result.outOfOrder++;
          continue;
        }
        row.lastTs = s.ts;
        row.lastLo = s.lo >>> 0;
        row.lastHi = s.hi >>> 0;
        kept.push({ row, s });
      }
      for (let i = 0; i < kept.length; i += SEGMENT_MAX_SAMPLES) {
        const part = kept.slice(i, i + SEGMENT_MAX_SAMPLES);
        const buf = Buffer.allocUnsafe(part.length * SAMPLE_BYTES);
        part.forEach(({ row, s }, j) => {
          const o = j * SAMPLE_BYTES;
          buf.writeUInt32LE(row.id, o);
          buf.writeDoubleLE(s.ts, o + 4);
          buf.writeUInt32LE(s.lo >>> 0, o + 12);
          buf.writeUInt32LE(s.hi >>> 0, o + 16);
        });
        const id = Number(this.st.insertSegment.run(part.length, buf).lastInsertRowid);
        this.segs.set(id, { first: 0, count: part.length, bytes: buf.length });
        this.bytes += buf.length;
        this.waiting += part.length;
      }
      for (const row of changed) this.st.updateSeries.run(row.labelsJson, row.lastTs, row.lastLo, row.lastHi, row.id);
      result.accepted = kept.length;
      result.droppedFull = this.enforceBound();
      this.counters.enqueued += kept.length;
      this.counters.dropped.out_of_order += result.outOfOrder;
      this.counters.dropped.queue_full += result.droppedFull;
      this.saveCounters();
      this.st.setMeta.run('committed_at', this.now());
    })();
    return result;
  }

  /** Deletes the oldest segments not in flight until the bytes fit; returns the samples dropped. */
  private enforceBound(): number {
    let dropped = 0;
    for (const [id, s] of this.segs) {
      if (this.bytes <= this.maxBytes) break;
      if (this.inFlight.has(id)) continue;
      this.st.deleteSegment.run(id);
      this.segs.delete(id);
      this.bytes -= s.bytes;
      this.waiting -= s.count - s.first;
      dropped += s.count - s.first;
    }
    return dropped;
  }

  private saveCounters(): void {
    this.st.setMeta.run('enqueued', this.counters.enqueued);
    this.st.setMeta.run('sent', this.counters.sent);
    for (const r of DROP_REASONS) this.st.setMeta.run(`dropped_${r}`, this.counters.dropped[r]);
  }

  /**
   * Up to `max` samples from the head of the queue, grouped by series (each in time order), marked in flight.
   * Only one batch may be out at a time: requests go one after the other, which is what keeps order.
   */
  peek(max: number): Batch | undefined {
    if (this.inFlight.size) throw new Error('remote write queue: a batch is already in flight');
    const bySeries = new Map<number, WireSample[]>();
    const spans: Batch['spans'] = [];
    let count = 0;
    let fromId = 0;
    outer: for (;;) {
      const rows = this.st.readSegments.all(fromId) as SegmentRow[];
      if (rows.length === 0) break;
      for (const r of rows) {
        fromId = r.id + 1;
        const take = Math.min(r.count - r.first, max - count);
        if (take <= 0) continue;
        for (let i = r.first; i < r.first + take; i++) {
          const o = i * SAMPLE_BYTES;
          const sid = r.data.readUInt32LE(o);
          let list = bySeries.get(sid);
          if (!list) bySeries.set(sid, (list = []));
          list.push({
            ts: r.data.readDoubleLE(o + 4),
            lo: r.data.readUInt32LE(o + 12),
            hi: r.data.readUInt32LE(o + 16),
          });
        }
        spans.push({ id: r.id, from: r.first, to: r.first + take, count: r.count });
        this.inFlight.add(r.id);
        count += take;
        if (count >= max) break outer;
      }
    }
    if (count === 0) return undefined;
    const series: WireSeries[] = [];
    for (const [sid, samples] of bySeries) series.push({ labels: this.byId.get(sid)!.labels, samples });
    return { series, count, spans };
  }

  /** The receiver answered for the batch: 'sent' (2xx) or 'rejected' (4xx, dropped and counted). */
  ack(batch: Batch, outcome: 'sent' | 'rejected'): void {
    this.db.transaction(() => {
      for (const span of batch.spans) {
        const s = this.segs.get(span.id);
        if (!s) continue;
        if (span.to >= s.count) {
          this.st.deleteSegment.run(span.id);
          this.segs.delete(span.id);
          this.bytes -= s.bytes;
        } else {
          this.st.advanceSegment.run(span.to, span.id);
          s.first = span.to;
        }
        this.waiting -= span.to - span.from;
      }
      if (outcome === 'sent') this.counters.sent += batch.count;
      else this.counters.dropped.rejected += batch.count;
      this.saveCounters();
    })();
    this.inFlight.clear();
  }

  /** The batch is to be sent again (retry): it stays at the head of the queue. */
  release(): void {
    this.inFlight.clear();
  }

  stats(): QueueStats {
    let headTs: number | undefined;
    const head = this.segs.entries().next();
    if (!head.done) {
      const [id, s] = head.value;
      const row = this.st.headTs.get(s.first * SAMPLE_BYTES + 5, id) as { b: Buffer } | undefined;
      if (row?.b?.length === 8) headTs = row.b.readDoubleLE(0);
    }
    return {
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      samples: this.waiting,
      segments: this.segs.size,
      ...(headTs !== undefined && { headTs }),
      counters: { ...this.counters, dropped: { ...this.counters.dropped } },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
