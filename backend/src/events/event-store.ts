import Database from 'better-sqlite3';
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

/**
 * Events (job start/stop, automation actions, alarms, predictions, connector state) in `events.db` inside the
 * data folder. Kept apart from the sample store: a different shape, written rarely, read by time range. Each
 * `add` is one fsync'd transaction (synchronous=FULL), so an event acknowledged to a client survives kill -9.
 */
export class EventStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(dir: string) {
    this.db = new Database(path.join(dir, 'events.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time INTEGER NOT NULL, time_end INTEGER, type TEXT NOT NULL, severity TEXT NOT NULL,
      title TEXT NOT NULL, text TEXT, location TEXT, hall TEXT, rack TEXT, point_id TEXT,
      tags TEXT NOT NULL, source TEXT NOT NULL, data TEXT);
      CREATE INDEX IF NOT EXISTS events_time ON events(time);`);
    this.insert = this.db.prepare(`INSERT INTO events
      (time, time_end, type, severity, title, text, location, hall, rack, point_id, tags, source, data)
      VALUES (@time, @timeEnd, @type, @severity, @title, @text, @location, @hall, @rack, @pointId, @tags, @source, @data)`);
  }

  add(e: NewEvent): PlenumEvent {
    const full: PlenumEvent = { severity: 'info', tags: [], source: 'api', ...e, id: 0 };
    const info = this.insert.run({
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
    });
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
      this.db.prepare('UPDATE events SET time_end = ? WHERE id = ?').run(e.timeEnd, existing.id);
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
    const params: Record<string, unknown> = { id };
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
    return this.db.prepare(`UPDATE events SET ${sets.join(', ')} WHERE id = @id`).run(params).changes > 0;
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

  close(): void {
    this.db.close();
  }
}
