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
