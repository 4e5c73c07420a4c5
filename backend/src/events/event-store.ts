import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import path from 'node:path';
import type { EventType, NewEvent, PlenumEvent, Severity } from '@plenum/model';

export interface EventFilter {
  /** events overlapping [from, to), Unix ms */
  from: number;
  to: number;
  types?: readonly EventType[];
  severity?: readonly Severity[];
  hall?: readonly string[];
  rack?: readonly string[];
  /** every tag must be present */
  tags?: readonly string[];
  /** case-insensitive substring of title or text */
  text?: string;
  /** only events without an end that started before `to`, however long ago (`from` is not applied) */
  open?: boolean;
  /** newest first, @default 1000 */
  limit?: number;
}

interface Row {
  id: number;
  time: number;
  time_end: number | null;
  type: EventType;
  severity: Severity;
  title: string;
  text: string | null;
  location: string | null;
  point_id: string | null;
  tags: string;
  source: string;
  data: string | null;
  version: number | null;
}

const fromRow = (r: Row): PlenumEvent => ({
  id: r.id,
  time: r.time,
  ...(r.time_end !== null && { timeEnd: r.time_end }),
  type: r.type,
  severity: r.severity,
  title: r.title,
  ...(r.text !== null && { text: r.text }),
  ...(r.location !== null && { location: JSON.parse(r.location) }),
  ...(r.point_id !== null && { pointId: r.point_id }),
  tags: JSON.parse(r.tags) as string[],
  source: r.source,
  ...(r.data !== null && { data: JSON.parse(r.data) }),
});

/** An event as it was last written, with the change number that wrote it (relay/README.md). */
export interface EventChange {
  version: number;
  event: PlenumEvent;
}

/**
 * The next change number: one more than the highest in the table (an index lookup) or than the highest
 * retention deleted (meta `versionFloor`), whichever is higher. Without the floor, retention deleting the row
 * that holds the newest change (a store written nothing for longer than the retention) would hand that number
 * out again, and a relay cursor already past it would skip the new event.
 */
const NEXT_VERSION = `(SELECT max(COALESCE((SELECT MAX(version) FROM events), 0),
  COALESCE((SELECT value FROM meta WHERE key = 'versionFloor'), 0)) + 1)`;

/**
 * Types whose events a later write ends (`recordJob` at a job's end, the prediction service's `update` when
 * an alarm clears): one of these without `timeEnd` is a span still open and is never deleted, however old.
 * Every other event without an end is an instant (a note, a connector change, an alarm posted whole).
 */
const ENDED_LATER: readonly EventType[] = ['job', 'prediction'];

/** rows deleted per retention transaction, and the time one retention run may hold the event loop (ms) */
const RETENTION_BATCH = 1000;
const RETENTION_BUDGET_MS = 50;

export interface EventStoreOptions {
  /** clock that stamps every write (`written_at`) and judges retention, Unix ms, @default Date.now */
  now?: () => number;
  /**
   * ms an event is kept after both its end (its time, for an instant) and its last change; null keeps every
   * event. The backend passes `historian.retention.events` (config/schema.ts, default 730 d). @default null
   */
  retentionMs?: number | null;
}

/**
 * Events (job start/stop, automation actions, alarms, predictions, connector state) in `events.db` inside the
 * data folder. Kept apart from the sample store: a different shape, written rarely, read by time range. Each
 * `add` is one fsync'd transaction (synchronous=FULL), so an event acknowledged to a client survives kill -9.
 *
 * Every write (add, update, a job's end) stamps the row with a new change number (`version`, increasing over the
 * store), so `changesSince(v)` is every event written after v in write order — the edge's relay to the hub reads
 * it with a durable cursor per hub store (`relayCursor`, `storeId`). Events relayed from edges (a hub's store) are keyed by their origin
 * (`<group>/<edge node>`) and the edge's id: `upsertRelayed` applies a change once, and never an older one over
 * a newer one.
 */
export class EventStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;
  private readonly retentionMs: number | null;
  private readonly expired: Database.Statement;
  private readonly raiseFloor: Database.Statement;
  private readonly deleteOne: Database.Statement;

  constructor(dir: string, opts: EventStoreOptions = {}) {
    const r = opts.retentionMs ?? null;
    if (r !== null && !(Number.isInteger(r) && r > 0))
      throw new RangeError(`event store retentionMs must be a positive integer of ms or null, got ${String(r)}`);
    this.retentionMs = r;
    this.now = opts.now ?? Date.now;
    this.db = new Database(path.join(dir, 'events.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time INTEGER NOT NULL, time_end INTEGER, type TEXT NOT NULL, severity TEXT NOT NULL,
      title TEXT NOT NULL, text TEXT, location TEXT, hall TEXT, rack TEXT, point_id TEXT,
      tags TEXT NOT NULL, source TEXT NOT NULL, data TEXT);
      CREATE INDEX IF NOT EXISTS events_time ON events(time);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`);
    const columns = new Set((this.db.pragma('table_info(events)') as Array<{ name: string }>).map((c) => c.name));
    // files written before change numbers and origins: every old row counts as written in id order
    if (!columns.has('version'))
      this.db.exec('ALTER TABLE events ADD COLUMN version INTEGER; UPDATE events SET version = id;');
    if (!columns.has('origin'))
      this.db.exec(
        'ALTER TABLE events ADD COLUMN origin TEXT; ALTER TABLE events ADD COLUMN origin_id INTEGER; ALTER TABLE events ADD COLUMN origin_version INTEGER;',
      );
    // when the store last wrote the row (its clock): retention judges an event by its latest change too, so an
    // old event rewritten today (a prediction's text, a job's end, a change relayed late) stays a retention
    // longer; NULL in rows from before this column, judged by their end (or time) alone
    if (!columns.has('written_at')) this.db.exec('ALTER TABLE events ADD COLUMN written_at INTEGER');
    this.db.exec(`CREATE INDEX IF NOT EXISTS events_version ON events(version);
      CREATE UNIQUE INDEX IF NOT EXISTS events_origin ON events(origin, origin_id) WHERE origin IS NOT NULL;`);
    this.insert = this.db.prepare(`INSERT INTO events
      (time, time_end, type, severity, title, text, location, hall, rack, point_id, tags, source, data, version, written_at)
      VALUES (@time, @timeEnd, @type, @severity, @title, @text, @location, @hall, @rack, @pointId, @tags, @source, @data, ${NEXT_VERSION}, @writtenAt)`);
    // the range scan on events_time visits what newly expired plus the few old rows kept (open spans, rows
    // changed recently), so a run every maintenance interval costs next to nothing
    this.expired = this.db
      .prepare(
        `SELECT id FROM events
      WHERE time < @cut AND COALESCE(time_end, time) < @cut AND COALESCE(written_at, time_end, time) < @cut
        AND NOT (time_end IS NULL AND type IN (${ENDED_LATER.map((t) => `'${t}'`).join(', ')}))
      LIMIT ${RETENTION_BATCH}`,
      )
      .pluck();
    this.raiseFloor = this.db.prepare(`INSERT INTO meta (key, value)
      VALUES ('versionFloor', (SELECT COALESCE(MAX(version), 0) FROM events))
      ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)`);
    this.deleteOne = this.db.prepare('DELETE FROM events WHERE id = ?');
  }

  /** Called after every write (add, update, a job's end, a relayed change): the relay sends what changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    // a listener's failure (a relay's) must not fail the write that has already been committed
    for (const l of this.listeners)
      try {
        l();
      } catch {
        /* the listener logs its own problems */
      }
  }

  private params(full: PlenumEvent) {
    return {
      writtenAt: this.now(),
      time: full.time,
      timeEnd: full.timeEnd ?? null,
      type: full.type,
      severity: full.severity,
      title: full.title,
      text: full.text ?? null,
      location: full.location ? JSON.stringify(full.location) : null,
      hall: full.location?.hall ?? null,
      rack: full.location?.rack ?? null,
      pointId: full.pointId ?? null,
      tags: JSON.stringify(full.tags),
      source: full.source,
      data: full.data ? JSON.stringify(full.data) : null,
    };
  }

  add(e: NewEvent): PlenumEvent {
    const full: PlenumEvent = { severity: 'info', tags: [], source: 'api', ...e, id: 0 };
    const info = this.insert.run(this.params(full));
    this.changed();
    return { ...full, id: Number(info.lastInsertRowid) };
  }

  /**
   * Records a job transition idempotently, so one job is one event whose span is the job's run (a region in
   * Grafana): a start inserts the event unless the job is already known; an end sets `timeEnd` on the job's
   * event, or inserts a complete one when the start was never seen.
   */
  recordJob(jobId: string, e: NewEvent & { time: number }): PlenumEvent {
    const existing = this.db
      .prepare(`SELECT * FROM events WHERE type = 'job' AND json_extract(data, '$.jobId') = ? ORDER BY id DESC LIMIT 1`)
      .get(jobId) as Row | undefined;
    if (!existing) return this.add(e);
    if (e.timeEnd !== undefined) {
      this.db
        .prepare(`UPDATE events SET time_end = ?, version = ${NEXT_VERSION}, written_at = ? WHERE id = ?`)
        .run(e.timeEnd, this.now(), existing.id);
      this.changed();
      return fromRow({ ...existing, time_end: e.timeEnd });
    }
    return fromRow(existing);
  }

  /**
   * Rewrites an event in place (a prediction updated or closed: one event per prediction, never a stream of
   * duplicates). Only the fields given change; fsync'd like `add`. Returns false for an unknown id.
   */
  update(
    id: number,
    patch: Partial<Pick<PlenumEvent, 'timeEnd' | 'severity' | 'title' | 'text' | 'data' | 'tags'>>,
  ): boolean {
    const sets: string[] = [];
    const params: Record<string, unknown> = { id, writtenAt: this.now() };
    const put = (col: string, key: string, v: unknown) => {
      sets.push(`${col} = @${key}`);
      params[key] = v;
    };
    if ('timeEnd' in patch) put('time_end', 'timeEnd', patch.timeEnd ?? null);
    if (patch.severity !== undefined) put('severity', 'severity', patch.severity);
    if (patch.title !== undefined) put('title', 'title', patch.title);
    if (patch.text !== undefined) put('text', 'text', patch.text);
    if (patch.data !== undefined) put('data', 'data', JSON.stringify(patch.data));
    if (patch.tags !== undefined) put('tags', 'tags', JSON.stringify(patch.tags));
    if (!sets.length) return true;
    const sql = `UPDATE events SET ${sets.join(', ')}, version = ${NEXT_VERSION}, written_at = @writtenAt WHERE id = @id`;
    const found = this.db.prepare(sql).run(params).changes > 0;
    if (found) this.changed();
    return found;
  }

  /** Events written after change `after` (own events only, not relayed ones), oldest change first. */
  changesSince(after: number, limit: number): EventChange[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE version > ? AND origin IS NULL ORDER BY version LIMIT ?')
      .all(after, limit) as Row[];
    return rows.map((r) => ({ version: r.version as number, event: fromRow(r) }));
  }

  /** How many own events were written after change `after` (what the relay has yet to deliver). */
  countChangesSince(after: number): number {
    const r = this.db.prepare('SELECT count(*) AS n FROM events WHERE version > ? AND origin IS NULL').get(after) as {
      n: number;
    };
    return r.n;
  }

  /**
   * The last change the hub whose event store is `store` acknowledged (0: none yet, e.g. a new hub or one that lost
   * its file: it gets everything). Kept in this file, so it is as durable as the events.
   */
  relayCursor(store: number): number {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(`relayCursor:${store}`) as
      { value: number } | undefined;
    return r?.value ?? 0;
  }

  setRelayCursor(store: number, version: number): void {
    this.db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(`relayCursor:${store}`, version);
  }

  /**
   * This file's identity: a random number made when the file is, so that edges tell a hub's store from another's
   * (another hub, or this hub after its file was lost) and keep a cursor for each.
   */
  storeId(): number {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = 'storeId'").get() as { value: number } | undefined;
    if (r) return r.value;
    const id = crypto.randomInt(1, 2 ** 47);
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('storeId', ?)").run(id);
    return id;
  }

  /**
   * Stores events relayed from `origin` (an edge) in one transaction (one fsync): a new (origin, id) is inserted,
   * a known one rewritten only when `version` is newer than what is stored, so replays and duplicates change
   * nothing. Returns how many rows changed.
   */
  upsertRelayed(origin: string, changes: readonly EventChange[]): number {
    const stmt = this.db.prepare(`INSERT INTO events
      (time, time_end, type, severity, title, text, location, hall, rack, point_id, tags, source, data, version,
       written_at, origin, origin_id, origin_version)
      VALUES (@time, @timeEnd, @type, @severity, @title, @text, @location, @hall, @rack, @pointId, @tags, @source,
       @data, ${NEXT_VERSION}, @writtenAt, @origin, @originId, @originVersion)
      ON CONFLICT (origin, origin_id) WHERE origin IS NOT NULL DO UPDATE SET
        time = excluded.time, time_end = excluded.time_end, type = excluded.type, severity = excluded.severity,
        title = excluded.title, text = excluded.text, location = excluded.location, hall = excluded.hall,
        rack = excluded.rack, point_id = excluded.point_id, tags = excluded.tags, source = excluded.source,
        data = excluded.data, version = excluded.version, written_at = excluded.written_at,
        origin_version = excluded.origin_version
      WHERE excluded.origin_version > events.origin_version`);
    let n = 0;
    this.db.transaction(() => {
      for (const c of changes)
        n += stmt.run({
          ...this.params(c.event),
          origin,
          originId: c.event.id,
          originVersion: c.version,
        }).changes;
    })();
    if (n) this.changed();
    return n;
  }

  /** Events overlapping the range, newest first. Tag and text filters run in SQL too (JSON tags). */
  find(f: EventFilter): PlenumEvent[] {
    const where = f.open ? ['time < @to', 'time_end IS NULL'] : ['time < @to', 'COALESCE(time_end, time) >= @from'];
    const params: Record<string, unknown> = { from: f.from, to: f.to, limit: f.limit ?? 1000 };
    const inList = (col: string, values: readonly string[] | undefined) => {
      if (!values?.length) return;
      const names = values.map((v, i) => {
        params[`${col}${i}`] = v;
        return `@${col}${i}`;
      });
      where.push(`${col} IN (${names.join(', ')})`);
    };
    inList('type', f.types);
    inList('severity', f.severity);
    inList('hall', f.hall);
    inList('rack', f.rack);
    f.tags?.forEach((t, i) => {
      params[`tag${i}`] = t;
      where.push(`EXISTS (SELECT 1 FROM json_each(tags) WHERE value = @tag${i})`);
    });
    if (f.text) {
      params.text = `%${f.text.toLowerCase()}%`;
      where.push(`(lower(title) LIKE @text OR lower(COALESCE(text, '')) LIKE @text)`);
    }
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY time DESC, id DESC LIMIT @limit`)
      .all(params) as Row[];
    return rows.map(fromRow);
  }

  /**
   * Deletes the events past the retention at `now` (the historian's maintenance calls it: `afterMaintenance`):
   * those whose end (or time, for an instant) and last change are both older than `now − retentionMs`; a job
   * or prediction without an end is still open and stays. In transactions of ≤ 1000 rows (kill -9 loses no
   * acknowledged write: a transaction is deleted whole or not at all), for at most 50 ms a run; the rest goes
   * at the next run. Returns how many events it deleted.
   *
   * The relay needs no tombstone: `changesSince(cursor)` lists the rows that exist after the cursor, so a
   * deleted change is simply not sent (retention is by time, not by what the hubs acknowledged: a hub
   * away longer than the retention misses what expired meanwhile; pinning rows for every hub ever seen would let a
   * retired hub keep the file growing), nothing after it is skipped, and the change counter never goes back (`versionFloor`).
   * Freed pages are reused by later events (the file stays at its high-water mark; no auto_vacuum needed).
   */
  applyRetention(now: number): number {
    if (this.retentionMs === null) return 0;
    const cut = now - this.retentionMs;
    const started = performance.now();
    let total = 0;
    const batch = this.db.transaction(() => {
      const ids = this.expired.all({ cut }) as number[];
      if (!ids.length) return 0;
      this.raiseFloor.run();
      for (const id of ids) this.deleteOne.run(id);
      return ids.length;
    });
    for (;;) {
      const n = batch();
      total += n;
      if (n < RETENTION_BATCH || performance.now() - started > RETENTION_BUDGET_MS) break;
    }
    return total;
  }

  /** events.db as SQLite counts it (pages in the WAL included): in use = pages − freePages */
  fileStats(): { pageBytes: number; pages: number; freePages: number } {
    return {
      pageBytes: this.db.pragma('page_size', { simple: true }) as number,
      pages: this.db.pragma('page_count', { simple: true }) as number,
      freePages: this.db.pragma('freelist_count', { simple: true }) as number,
    };
  }

  close(): void {
    this.db.close();
  }
}
