/**
 * The edge's store-and-forward queue: one SQLite file (`sparkplug-edge.db` in the data folder), WAL with
 * synchronous=FULL so that an appended batch is on disk (fsync'd) before `append` returns. Entries are a device's
 * samples of one interval, in arrival order (the id); the sender reads them oldest first and deletes them only once
 * the broker acknowledged the DDATA that carried them (QoS 1). Bounded by bytes: above `maxBytes` the oldest
 * entries go, and their samples are counted as dropped. It also keeps the edge's bdSeq across restarts, and the
 * **spooled marks**: per point the newest sample time ever appended (one row per device, written in the same
 * transaction as the entries, so a mark never runs ahead of or behind what is on disk). They outlive the entries'
 * deletion: at start the edge reads from the historian what it stored after each point's mark — the samples it
 * acknowledged in the last interval before a kill -9, still in memory then (edge-node.ts, catchUp).
 */
import path from 'node:path';
import type { Quality, SampleValue } from '@plenum/model';
import Database from 'better-sqlite3';

/** One sample as spooled: point id, Unix ms, value, quality. */
export type SpooledSample = [pointId: string, ts: number, value: SampleValue, quality: Quality];

const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];

/**
 * The stored form of an entry, about 25 bytes a sample instead of 55: the point ids' common prefix once (the
 * samples of one device share `<site>/<hall>/<row>/<rack>/`), timestamps as offsets from the first, quality as
 * 0 good, 1 uncertain, 2 bad.
 */
interface Body {
  p: string;
  t: number;
  s: Array<[suffix: string, dt: number, value: SampleValue, quality: 0 | 1 | 2]>;
}

function commonPrefix(ids: readonly string[]): string {
  let prefix = ids[0] ?? '';
  for (const id of ids)
    while (!id.startsWith(prefix)) prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  return prefix;
}

export function encodeBody(samples: readonly SpooledSample[]): string {
  const p = commonPrefix(samples.map((x) => x[0]));
  const t = samples[0]?.[1] ?? 0;
  const body: Body = {
    p,
    t,
    s: samples.map(([id, ts, v, q]) => [id.slice(p.length), ts - t, v, QUALITIES.indexOf(q) as 0 | 1 | 2]),
  };
  return JSON.stringify(body);
}

export function decodeBody(text: string): SpooledSample[] {
  const b = JSON.parse(text) as Body;
  return b.s.map(([suffix, dt, v, q]) => [b.p + suffix, b.t + dt, v, QUALITIES[q] ?? 'bad']);
}

export interface SpoolEntry {
  id: number;
  device: string;
  samples: SpooledSample[];
}

export interface SpoolStats {
  /** entries waiting (one DDATA each) */
  entries: number;
  /** bytes of their bodies */
  bytes: number;
  /** samples dropped since the file was created because the queue was full */
  dropped: number;
}

export class Spool {
  private readonly db: Database.Database;
  private bytes: number;
  private entries: number;
  private dropped: number;
  private readonly insert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly oldest: Database.Statement;
  private readonly setMeta: Database.Statement;
  private readonly sizeOf: Database.Statement;
  private readonly setMarks: Database.Statement;
  /** device → point id → newest sample time appended (Unix ms) */
  private readonly marks = new Map<string, Map<string, number>>();
  /** the newest sample time appended to this file (Unix ms), undefined for a new file */
  private newest: number | undefined;

  constructor(
    dir: string,
    /** bound of the bodies' bytes; the oldest entries are dropped above it */
    private readonly maxBytes: number,
    file = 'sparkplug-edge.db',
  ) {
    this.db = new Database(path.join(dir, file));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, samples INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS marks (device TEXT PRIMARY KEY, body TEXT NOT NULL);
    `);
    this.setMarks = this.db.prepare(
      'INSERT INTO marks (device, body) VALUES (?, ?) ON CONFLICT(device) DO UPDATE SET body = excluded.body',
    );
    for (const r of this.db.prepare('SELECT device, body FROM marks').all() as Array<{ device: string; body: string }>)
      this.marks.set(r.device, new Map(Object.entries(JSON.parse(r.body) as Record<string, number>)));
    this.insert = this.db.prepare('INSERT INTO queue (device, samples, body) VALUES (?, ?, ?)');
    this.remove = this.db.prepare('DELETE FROM queue WHERE id = ?');
    this.sizeOf = this.db.prepare('SELECT length(body) AS bytes FROM queue WHERE id = ?');
    this.oldest = this.db.prepare('SELECT id, device, samples, length(body) AS bytes FROM queue ORDER BY id LIMIT ?');
    this.setMeta = this.db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    const t = this.db.prepare('SELECT count(*) AS n, coalesce(sum(length(body)), 0) AS b FROM queue').get() as {
      n: number;
      b: number;
    };
    this.entries = t.n;
    this.bytes = t.b;
    this.dropped = this.meta('dropped') ?? 0;
    this.newest = this.meta('newestTs');
  }

  private meta(key: string): number | undefined {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: number } | undefined;
    return r?.value;
  }

  /**
   * The bdSeq of the next session (0–255, one more than the last one used, 0 for a new file), made durable before
   * it is returned: a restart after kill -9 never reuses the bdSeq the broker may still hold in a Will.
   */
  nextBdSeq(): number {
    const last = this.meta('bdSeq');
    const next = last === undefined ? 0 : (last + 1) % 256;
    this.setMeta.run('bdSeq', next);
    return next;
  }

  /**
   * Appends one entry per batch (one transaction, one fsync) and raises the spooled marks of their points; drops
   * the oldest entries while over the bound (the marks stay: those samples were spooled, then dropped and counted).
   */
  append(batches: ReadonlyArray<{ device: string; samples: SpooledSample[] }>): void {
    if (batches.length === 0 || !this.db.open) return;
    this.db.transaction(() => {
      const changed = new Set<string>();
      let newest = this.newest ?? -Infinity;
      for (const b of batches) {
        if (b.samples.length === 0) continue;
        const body = encodeBody(b.samples);
        this.insert.run(b.device, b.samples.length, body);
        this.entries++;
        this.bytes += Buffer.byteLength(body);
        let marks = this.marks.get(b.device);
        if (!marks) this.marks.set(b.device, (marks = new Map()));
        for (const [id, ts] of b.samples) {
          if (ts > (marks.get(id) ?? -Infinity)) marks.set(id, ts);
          if (ts > newest) newest = ts;
        }
        changed.add(b.device);
      }
      for (const device of changed)
        this.setMarks.run(device, JSON.stringify(Object.fromEntries(this.marks.get(device)!)));
      if (changed.size && newest !== this.newest) {
        this.newest = newest;
        this.setMeta.run('newestTs', newest);
      }
      if (this.bytes > this.maxBytes) this.dropOldest();
    })();
  }

  /** The newest sample time of a point ever appended (Unix ms), undefined when none was. */
  mark(device: string, pointId: string): number | undefined {
    return this.marks.get(device)?.get(pointId);
  }

  /** The newest sample time ever appended to this file (Unix ms), undefined for a new file. */
  newestTs(): number | undefined {
    return this.newest;
  }

  private dropOldest(): void {
    let dropped = 0;
    while (this.bytes > this.maxBytes && this.entries > 0) {
      const rows = this.oldest.all(256) as Array<{ id: number; samples: number; bytes: number }>;
      for (const r of rows) {
        if (this.bytes <= this.maxBytes) break;
        this.remove.run(r.id);
        this.entries--;
        this.bytes -= r.bytes;
        dropped += r.samples;
      }
    }
    this.dropped += dropped;
    this.setMeta.run('dropped', this.dropped);
  }

  /** The oldest `limit` entries with an id above `after`, in order. */
  read(after: number, limit: number): SpoolEntry[] {
    const rows = this.db
      .prepare('SELECT id, device, body FROM queue WHERE id > ? ORDER BY id LIMIT ?')
      .all(after, limit) as Array<{ id: number; device: string; body: string }>;
    return rows.map((r) => ({ id: r.id, device: r.device, samples: decodeBody(r.body) }));
  }

  /** The highest id appended so far (0 for none): entries up to it were queued before a session's births. */
  lastId(): number {
    const r = this.db.prepare('SELECT max(id) AS id FROM queue').get() as { id: number | null };
    const seq = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'queue'").get() as
      { seq: number } | undefined;
    return Math.max(r.id ?? 0, seq?.seq ?? 0);
  }

  /** Forgets delivered entries (one transaction). */
  delete(ids: readonly number[]): void {
    // a PUBACK can come after close(): the entry is then sent again on the next start (at least once)
    if (ids.length === 0 || !this.db.open) return;
    this.db.transaction(() => {
      for (const id of ids) {
        const r = this.sizeOf.get(id) as { bytes: number } | undefined;
        if (!r) continue;
        this.remove.run(id);
        this.entries--;
        this.bytes -= r.bytes;
      }
    })();
  }

  stats(): SpoolStats {
    return { entries: this.entries, bytes: this.bytes, dropped: this.dropped };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
