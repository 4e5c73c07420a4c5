import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStore } from './event-store';

/** Change numbers, the relay cursor and relayed upserts (relay/README.md), on a real SQLite file. */
describe('EventStore changes for the relay', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-events-'));
    store = new EventStore(dir);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every write gets a new change number; changesSince lists events as they are now, in write order', () => {
    let calls = 0;
    store.onChange(() => calls++);
    const a = store.add({ time: 1, type: 'prediction', title: 'a' });
    const b = store.add({ time: 2, type: 'note', title: 'b' });
    store.update(a.id, { severity: 'critical' });
    store.recordJob('j1', { time: 3, type: 'job', title: 'job j1', data: { jobId: 'j1' } });
    store.recordJob('j1', { time: 3, timeEnd: 9, type: 'job', title: 'job j1', data: { jobId: 'j1' } });
    expect(calls).toBe(5);
    const all = store.changesSince(0, 100);
    // a's first change (1) was overwritten by its update (3); the job's start (4) by its end (5)
    expect(all.map((c) => [c.version, c.event.title])).toEqual([
      [2, 'b'],
      [3, 'a'],
      [5, 'job j1'],
    ]);
    expect(all[1]!.event).toMatchObject({ id: a.id, severity: 'critical' });
    expect(all[2]!.event).toMatchObject({ timeEnd: 9 });
    expect(store.changesSince(3, 100).map((c) => c.event.title)).toEqual(['job j1']);
    expect(store.changesSince(0, 1).map((c) => c.event.id)).toEqual([b.id]);
  });

  it('keeps a cursor per hub store and its own store id across reopen', () => {
    const id = store.storeId();
    expect(store.relayCursor(7)).toBe(0);
    store.setRelayCursor(7, 42);
    store.setRelayCursor(8, 3);
    store.close();
    store = new EventStore(dir);
    expect([store.relayCursor(7), store.relayCursor(8), store.relayCursor(9)]).toEqual([42, 3, 0]);
    expect(store.storeId()).toBe(id);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-events-'));
    const second = new EventStore(other);
    expect(second.storeId()).not.toBe(id);
    second.close();
    fs.rmSync(other, { recursive: true, force: true });
  });

  it('applies a relayed change once and never an older one over a newer; relayed events are not relayed again', () => {
    const ev = (title: string, timeEnd?: number, hall = 'hall2') => ({
      id: 7,
      time: 100,
      ...(timeEnd !== undefined && { timeEnd }),
      type: 'prediction' as const,
      severity: 'warning' as const,
      title,
      location: { site: 'sim', hall },
      tags: ['prediction'],
      source: 'predict',
    });
    expect(store.upsertRelayed('sim/hall2', [{ version: 3, event: ev('open') }])).toBe(1);
    expect(store.upsertRelayed('sim/hall2', [{ version: 3, event: ev('open') }])).toBe(0);
    expect(store.upsertRelayed('sim/hall2', [{ version: 9, event: ev('closed', 500) }])).toBe(1);
    expect(store.upsertRelayed('sim/hall2', [{ version: 5, event: ev('stale') }])).toBe(0);
    // the same id from another edge is another event
    expect(store.upsertRelayed('sim/hall1', [{ version: 1, event: ev('other edge', undefined, 'hall1') }])).toBe(1);
    const found = store.find({ from: 0, to: 1000, hall: ['hall2'] });
    expect(found).toMatchObject([{ title: 'closed', timeEnd: 500, location: { hall: 'hall2' } }]);
    expect(store.find({ from: 0, to: 1000 })).toHaveLength(2);
    expect(store.changesSince(0, 100)).toEqual([]);
  });

  it('opens a file written before change numbers: old rows count as written in id order', () => {
    store.close();
    fs.rmSync(path.join(dir, 'events.db'));
    const db = new Database(path.join(dir, 'events.db'));
    db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, time_end INTEGER,
      type TEXT NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL, text TEXT, location TEXT, hall TEXT, rack TEXT,
      point_id TEXT, tags TEXT NOT NULL, source TEXT NOT NULL, data TEXT);
      INSERT INTO events (time, type, severity, title, tags, source) VALUES (1, 'note', 'info', 'old 1', '[]', 'api');
      INSERT INTO events (time, type, severity, title, tags, source) VALUES (2, 'note', 'info', 'old 2', '[]', 'api');`);
    db.close();
    store = new EventStore(dir);
    store.add({ time: 3, type: 'note', title: 'new' });
    expect(store.changesSince(0, 100).map((c) => [c.version, c.event.title])).toEqual([
      [1, 'old 1'],
      [2, 'old 2'],
      [3, 'new'],
    ]);
  });
});
