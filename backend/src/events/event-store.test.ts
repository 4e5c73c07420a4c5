import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStore } from './event-store';

describe('EventStore', () => {
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

  it('stores, defaults and filters events by overlap, type, place, tags and text', () => {
    const job = store.add({
      time: 1000,
      timeEnd: 5000,
      type: 'job',
      title: 'job 42 started',
      location: { site: 's', hall: 'h1', row: 'A', rack: 'A01' },
      tags: ['training', 'llm'],
      data: { jobId: 42 },
    });
    expect(job).toMatchObject({ id: 1, severity: 'info', source: 'api' });
    store.add({
      time: 3000,
      type: 'alarm',
      severity: 'critical',
      title: 'Inlet high',
      text: 'A02 at 33 °C',
      location: { hall: 'h1', rack: 'A02' },
    });
    store.add({ time: 9000, type: 'note', title: 'later' });

    expect(store.find({ from: 4000, to: 8000 }).map((e) => e.id)).toEqual([1]); // overlap through timeEnd
    expect(store.find({ from: 0, to: 10_000 }).map((e) => e.id)).toEqual([3, 2, 1]);
    expect(store.find({ from: 0, to: 10_000, types: ['alarm'] })[0]).toMatchObject({
      title: 'Inlet high',
      severity: 'critical',
    });
    expect(store.find({ from: 0, to: 10_000, rack: ['A01'] }).map((e) => e.id)).toEqual([1]);
    expect(store.find({ from: 0, to: 10_000, tags: ['llm', 'training'] }).map((e) => e.id)).toEqual([1]);
    expect(store.find({ from: 0, to: 10_000, tags: ['llm', 'other'] })).toEqual([]);
    expect(store.find({ from: 0, to: 10_000, text: '33 °c' }).map((e) => e.id)).toEqual([2]);
    expect(store.find({ from: 0, to: 10_000, limit: 1 }).map((e) => e.id)).toEqual([3]);
    expect(store.find({ from: 0, to: 2000 })[0]?.data).toEqual({ jobId: 42 });
  });

  it('keeps events across reopen', () => {
    store.add({ time: 1, type: 'note', title: 'kept' });
    store.close();
    store = new EventStore(dir);
    expect(store.find({ from: 0, to: 10 }).map((e) => e.title)).toEqual(['kept']);
  });
});

describe('EventStore retention', () => {
  const D = 86_400_000;
  const T0 = Date.UTC(2026, 0, 1);
  let dir: string;
  let now: number;
  let store: EventStore;
  const open = () => new EventStore(dir, { now: () => now, retentionMs: 30 * D });
  const titles = () =>
    store
      .find({ from: 0, to: 9e15, limit: 100_000 })
      .map((e) => e.title)
      .sort();
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-events-'));
    now = T0;
    store = open();
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deletes closed and instant events past the retention, keeps open jobs and predictions and recent changes', () => {
    store.add({ time: T0, type: 'note', title: 'old note' });
    store.add({ time: T0, timeEnd: T0 + 20 * D, type: 'alarm', title: 'alarm ended day 20' });
    store.recordJob('j1', { time: T0, type: 'job', title: 'job still running', data: { jobId: 'j1' } });
    const p = store.add({ time: T0, type: 'prediction', title: 'prediction still open' });
    const closed = store.add({ time: T0, type: 'prediction', title: 'prediction closed day 1' });
    now = T0 + D;
    store.update(closed.id, { timeEnd: T0 + D });
    const rewritten = store.add({ time: T0, type: 'note', title: 'note rewritten day 25' });
    now = T0 + 25 * D;
    store.update(rewritten.id, { text: 'edited' });
    now = T0 + 30 * D + 1;
    expect(store.applyRetention(now)).toBe(1);
    expect(titles()).not.toContain('old note');

    now = T0 + 60 * D;
    store.update(p.id, { severity: 'critical' }); // still open: kept whatever its age
    expect(store.applyRetention(now)).toBe(3);
    expect(titles()).toEqual(['job still running', 'prediction still open']);
    // the job ends: it is judged by its end (and this write) from now on
    store.recordJob('j1', {
      time: T0,
      timeEnd: T0 + 60 * D,
      type: 'job',
      title: 'job still running',
      data: { jobId: 'j1' },
    });
    now = T0 + 89 * D;
    expect(store.applyRetention(now)).toBe(0);
    now = T0 + 91 * D;
    store.update(p.id, { timeEnd: T0 + 61 * D });
    expect(store.applyRetention(now)).toBe(1);
    expect(titles()).toEqual(['prediction still open']);
  });

  it('keeps the relay cursor and the change order: nothing resent, nothing skipped, numbers never reused', () => {
    const before = Array.from({ length: 5 }, (_, i) => store.add({ time: T0 + i, type: 'note', title: `n${i}` }));
    store.setRelayCursor(7, 3); // the hub has changes 1..3
    now = T0 + 31 * D;
    // every event is old, including the newest change (5): the next write must still get a higher number
    expect(store.applyRetention(now)).toBe(5);
    expect(store.relayCursor(7)).toBe(3);
    expect(store.changesSince(3, 100)).toEqual([]);
    expect(store.countChangesSince(3)).toBe(0);
    const next = store.add({ time: now, type: 'note', title: 'after retention' });
    expect(next.id).toBeGreaterThan(before[4]!.id);
    const changes = store.changesSince(store.relayCursor(7), 100);
    expect(changes.map((c) => [c.version, c.event.title])).toEqual([[6, 'after retention']]);
    // and across a reopen (the floor is in the file)
    store.close();
    store = open();
    store.update(next.id, { severity: 'warning' });
    expect(store.changesSince(6, 100).map((c) => c.version)).toEqual([7]);
  });

  it('deletes a backlog in transactions of at most 1000 rows and keeps the file flat once it applies', () => {
    const day = (d: number) => {
      for (let i = 0; i < 500; i++)
        store.add({ time: T0 + d * D + i * 1000, type: 'alarm', title: `day ${d} #${i}`, text: 'x'.repeat(200) });
    };
    for (let d = 0; d < 3; d++) day(d);
    now = T0 + 40 * D;
    // 1500 expired: two transactions (1000 + 500) within the run's budget, or the rest at the next run
    let deleted = store.applyRetention(now);
    while (deleted < 1500) {
      const n = store.applyRetention(now);
      expect(n).toBeGreaterThan(0);
      deleted += n;
    }
    expect(deleted).toBe(1500);
    // steady state with a 5-day retention: a day written, a day dropped; freed pages are reused, so once the
    // retention applies (day 45) the file does not grow
    store.close();
    store = new EventStore(dir, { now: () => now, retentionMs: 5 * D });
    const sizes: number[] = [];
    for (let d = 40; d < 56; d++) {
      now = T0 + d * D;
      day(d);
      store.applyRetention(now);
      sizes.push(store.fileStats().pages);
    }
    // from day 48 (retention applied, the last index page splits done): within 1 % (a page split or two)
    const steady = sizes.slice(8);
    expect(Math.max(...steady) - Math.min(...steady)).toBeLessThanOrEqual(0.01 * Math.min(...steady));
  });

  it('keeps every event with retentionMs null and refuses a bad retention', () => {
    store.close();
    store = new EventStore(dir);
    store.add({ time: 1, type: 'note', title: 'kept forever' });
    expect(store.applyRetention(9e15)).toBe(0);
    expect(() => new EventStore(dir, { retentionMs: 0 })).toThrow(
      'event store retentionMs must be a positive integer of ms or null, got 0',
    );
  });
});
