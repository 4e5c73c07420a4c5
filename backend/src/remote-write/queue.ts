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
 *   and counted), in the same transaction as the counters. A segment sent in full stays (marked sent) until the
 *   next watermark snapshot deletes it.
 * - `series`: key (`v:<point>`, `q:<point>`) → id and labels.
 * - watermarks: per series the newest sample ever queued. A sample before it, or at it with another value, is
 *   refused (counted `out_of_order`; at it with the same value it is a repeat, skipped), which keeps every series
 *   in time order across requests, retries and restarts (Prometheus refuses a whole request for one sample older
 *   than its series' newest), and it is where the catch-up from the historian starts after a crash (index.ts).
 *   Kept in memory, snapshotted in `meta` every few seconds; at open, the snapshot raised by every segment row.
 * - `meta`: counters that must outlive a restart (drops above all), the time of the last commit, the snapshot.
 *
 * Bounded: when the segments' bytes pass `maxBytes` the oldest segments are deleted and their samples counted as
 * dropped (`queue_full`) — never one a request in flight holds, so the bound may be passed by one request.
 */

export const SAMPLE_BYTES = 20;
/** samples per segment row at most: the unit of drop-oldest and of a read */
export const SEGMENT_MAX_SAMPLES = 8192;
/** ms between watermark snapshots (saveWatermarks) */
export const WATERMARK_SNAPSHOT_MS = 5000;

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
  /** the array labelsOf gave last, compared by identity before by content */
  labelsSeen?: readonly Label[];
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
  /** every segment with samples waiting: id → first unsent, count, bytes; in id order (a Map keeps insertion order) */
  private readonly segs = new Map<number, { first: number; count: number; bytes: number }>();
  /** segments sent in full, kept until the next watermark snapshot deletes them (see saveWatermarks) */
  private readonly sentSegs: number[] = [];
  private lastSnapshot = Date.now();
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
    updateLabels: Database.Statement;
    insertSegment: Database.Statement;
    deleteSegment: Database.Statement;
    advanceSegment: Database.Statement;
    readSegment: Database.Statement;
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
        CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, labels TEXT NOT NULL);
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
      insertSeries: this.db.prepare('INSERT INTO series (key, labels) VALUES (?, ?)'),
      updateLabels: this.db.prepare('UPDATE series SET labels = ? WHERE id = ?'),
      insertSegment: this.db.prepare('INSERT INTO segments (first, count, data) VALUES (0, ?, ?)'),
      deleteSegment: this.db.prepare('DELETE FROM segments WHERE id = ?'),
      advanceSegment: this.db.prepare('UPDATE segments SET first = ? WHERE id = ?'),
      readSegment: this.db.prepare('SELECT id, first, count, data FROM segments WHERE id = ?'),
      setMeta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      // the 8 bytes of one sample's ts (substr on a blob counts bytes, from 1)
      headTs: this.db.prepare('SELECT substr(data, ?, 8) AS b FROM segments WHERE id = ?'),
    };
    const meta = new Map(
      (this.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: unknown }>).map((r) => [
        r.key,
        r.value,
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
    this.createdAt = Number(meta.get('created_at'));
    this.lastCommitAt = Number(meta.get('committed_at') ?? this.createdAt);
    const saved = JSON.parse(String(meta.get('counters') ?? '{}')) as Partial<QueueCounters>;
    this.counters = {
      enqueued: saved.enqueued ?? 0,
      sent: saved.sent ?? 0,
      dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, saved.dropped?.[r] ?? 0])) as Record<DropReason, number>,
    };
    for (const r of this.db.prepare('SELECT id, key, labels FROM series').all() as Array<{
      id: number;
      key: string;
      labels: string;
    }>) {
      const row: SeriesRow = {
        id: r.id,
        key: r.key,
        labels: JSON.parse(r.labels) as Label[],
        labelsJson: r.labels,
        lastTs: -Number.MAX_SAFE_INTEGER,
        lastLo: 0,
        lastHi: 0,
      };
      this.byKey.set(r.key, row);
      this.byId.set(r.id, row);
    }
    // watermarks: the last snapshot, then every segment row still there (queued since, or sent since)
    const snap = meta.get('watermarks');
    if (Buffer.isBuffer(snap)) for (let o = 0; o + SAMPLE_BYTES <= snap.length; o += SAMPLE_BYTES) this.raise(snap, o);
    for (const r of this.db
      .prepare('SELECT id, first, count, data FROM segments ORDER BY id')
      .iterate() as Iterable<SegmentRow>) {
      for (let o = 0; o < r.data.length; o += SAMPLE_BYTES) this.raise(r.data, o);
      if (r.first >= r.count) {
        this.sentSegs.push(r.id);
        continue;
      }
      this.segs.set(r.id, { first: r.first, count: r.count, bytes: r.data.length });
      this.bytes += r.data.length;
      this.waiting += r.count - r.first;
    }
  }

  /** raises a series' watermark to the packed sample at `o` when it is newer */
  private raise(b: Buffer, o: number): void {
    const row = this.byId.get(b.readUInt32LE(o));
    const ts = b.readDoubleLE(o + 4);
    if (row && ts >= row.lastTs) {
      row.lastTs = ts;
      row.lastLo = b.readUInt32LE(o + 12);
      row.lastHi = b.readUInt32LE(o + 16);
    }
  }

  /**
   * One row with every series' watermark, packed as the samples are; written at most every WATERMARK_SNAPSHOT_MS
   * (and at close), in the transaction that deletes the segments sent since the last one. Until then those sent
   * segments stay in the file, so at open the watermarks are the snapshot raised by every segment row: one row
   * per few seconds instead of a row update per series and commit.
   */
  private saveWatermarks(): void {
    const b = Buffer.allocUnsafe(this.byId.size * SAMPLE_BYTES);
    let o = 0;
    for (const row of this.byId.values()) {
      if (row.lastTs === -Number.MAX_SAFE_INTEGER) continue;
      b.writeUInt32LE(row.id, o);
      b.writeDoubleLE(row.lastTs, o + 4);
      b.writeUInt32LE(row.lastLo, o + 12);
      b.writeUInt32LE(row.lastHi, o + 16);
      o += SAMPLE_BYTES;
    }
    this.st.setMeta.run('watermarks', b.subarray(0, o));
    for (const id of this.sentSegs) this.st.deleteSegment.run(id);
    this.sentSegs.length = 0;
    this.lastSnapshot = Date.now();
  }

  /** the newest timestamp ever queued for a series (Unix ms), or undefined for a series never queued */
  lastTs(key: string): number | undefined {
    const t = this.byKey.get(key)?.lastTs;
    return t === undefined || t === -Number.MAX_SAFE_INTEGER ? undefined : t;
  }

  get pendingSamples(): number {
    return this.waiting;
  }

  /**
   * Queues samples (in arrival order), durable when it returns. `labelsOf` names a series the queue has not seen
   * (or whose labels changed: queued samples then go with the new labels). A sample before its series' newest
   * queued one, or at it with another value, is refused and counted `out_of_order`; at it with the same value it
   * is a repeat and skipped.
   */
  append(samples: readonly QueuedSample[], labelsOf: (key: string) => readonly Label[]): AppendResult {
    const result: AppendResult = { accepted: 0, duplicates: 0, outOfOrder: 0, droppedFull: 0 };
    if (samples.length === 0) return result;
    // series rows only for new series or changed labels, then the blobs, then the bound: one transaction, one fsync
    this.db.transaction(() => {
      const buf = Buffer.allocUnsafe(samples.length * SAMPLE_BYTES);
      let n = 0;
      for (const s of samples) {
        let row = this.byKey.get(s.key);
        const current =
          row?.labelsSeen === undefined || row.labelsSeen !== labelsOf(s.key) ? labelsOf(s.key) : undefined;
        if (!row) {
          const labels = [...current!];
          const labelsJson = JSON.stringify(labels);
          const id = Number(this.st.insertSeries.run(s.key, labelsJson).lastInsertRowid);
          row = {
            id,
            key: s.key,
            labels,
            labelsJson,
            labelsSeen: current,
            lastTs: -Number.MAX_SAFE_INTEGER,
            lastLo: 0,
            lastHi: 0,
          };
          this.byKey.set(s.key, row);
          this.byId.set(id, row);
        } else if (current) {
          // another array than last time (labelsOf keeps one per series): compare the contents
          const labelsJson = JSON.stringify(current);
          if (labelsJson !== row.labelsJson) {
            row.labels = JSON.parse(labelsJson) as Label[];
            row.labelsJson = labelsJson;
            this.st.updateLabels.run(labelsJson, row.id);
          }
          row.labelsSeen = current;
        }
        const lo = s.lo >>> 0;
        const hi = s.hi >>> 0;
        if (s.ts <= row.lastTs) {
          // the same sample again (a source polled twice within one stamp): nothing new to send
          if (s.ts === row.lastTs && lo === row.lastLo && hi === row.lastHi) result.duplicates++;
          else result.outOfOrder++;
          continue;
        }
        row.lastTs = s.ts;
        row.lastLo = lo;
        row.lastHi = hi;
        const o = n++ * SAMPLE_BYTES;
        buf.writeUInt32LE(row.id, o);
        buf.writeDoubleLE(s.ts, o + 4);
        buf.writeUInt32LE(lo, o + 12);
        buf.writeUInt32LE(hi, o + 16);
      }
      for (let i = 0; i < n; i += SEGMENT_MAX_SAMPLES) {
        const count = Math.min(SEGMENT_MAX_SAMPLES, n - i);
        const part = buf.subarray(i * SAMPLE_BYTES, (i + count) * SAMPLE_BYTES);
        const id = Number(this.st.insertSegment.run(count, part).lastInsertRowid);
        this.segs.set(id, { first: 0, count, bytes: part.length });
        this.bytes += part.length;
        this.waiting += count;
      }
      result.accepted = n;
      result.droppedFull = this.enforceBound();
      this.counters.enqueued += n;
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
      // the watermarks keep the dropped samples' times: the next snapshot has them, and until then a sent row
      // later in the file or the snapshot before does; at worst a crash re-queues them from the historian
      this.st.deleteSegment.run(id);
      this.segs.delete(id);
      this.bytes -= s.bytes;
      this.waiting -= s.count - s.first;
      dropped += s.count - s.first;
    }
    return dropped;
  }

  private saveCounters(): void {
    this.st.setMeta.run('counters', JSON.stringify(this.counters));
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
    // one segment at a time: a request usually needs one or two of them
    for (const id of this.segs.keys()) {
      if (count >= max) break;
      const r = this.st.readSegment.get(id) as SegmentRow | undefined;
      if (!r) continue;
      const take = Math.min(r.count - r.first, max - count);
      if (take <= 0) continue;
      const d = r.data;
      for (let i = r.first; i < r.first + take; i++) {
        const o = i * SAMPLE_BYTES;
        const sid = d.readUInt32LE(o);
        let list = bySeries.get(sid);
        if (!list) bySeries.set(sid, (list = []));
        list.push({ ts: d.readDoubleLE(o + 4), lo: d.readUInt32LE(o + 12), hi: d.readUInt32LE(o + 16) });
      }
      spans.push({ id: r.id, from: r.first, to: r.first + take, count: r.count });
      this.inFlight.add(r.id);
      count += take;
    }
    if (count === 0) return undefined;
    const series: WireSeries[] = [];
    for (const [sid, samples] of bySeries) series.push({ labels: this.byId.get(sid)!.labels, samples });
    return { series, count, spans };
  }

  /**
   * The receiver answered for the batch: 'sent' (2xx) or 'rejected' (4xx, dropped and counted). Not fsync'd of its
   * own (`synchronous=NORMAL` for this transaction; the next append's fsync makes it durable): an ack lost to a
   * power cut only sends those samples again, which receivers take as the duplicates they are. Half the sender's
   * CPU was these fsyncs.
   */
  ack(batch: Batch, outcome: 'sent' | 'rejected'): void {
    this.db.pragma('synchronous = NORMAL');
    try {
      this.ackTx(batch, outcome);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    this.inFlight.clear();
  }

  private ackTx(batch: Batch, outcome: 'sent' | 'rejected'): void {
    this.db.transaction(() => {
      for (const span of batch.spans) {
        const s = this.segs.get(span.id);
        if (!s) continue;
        if (span.to >= s.count) {
          // kept (as sent) until the next watermark snapshot: it carries its series' newest times until then
          this.st.advanceSegment.run(s.count, span.id);
          this.segs.delete(span.id);
          this.sentSegs.push(span.id);
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
      if (Date.now() - this.lastSnapshot >= WATERMARK_SNAPSHOT_MS || this.sentSegs.length >= 256) this.saveWatermarks();
    })();
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
    if (!this.db.open) return;
    try {
      this.db.transaction(() => this.saveWatermarks())();
    } finally {
      this.db.close();
    }
  }
}
