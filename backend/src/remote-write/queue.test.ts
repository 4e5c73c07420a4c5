import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DurableQueue, SAMPLE_BYTES, type Batch } from './queue';
import type { QueuedSample } from './series';
import { bitsValue, valueBits } from './write-request';

const labelsOf = (key: string) => [{ name: '__name__', value: key.replace(/\W/g, '_') }];
const s = (key: string, ts: number, v = ts / 10): QueuedSample => ({ key, ts, ...valueBits(v) });
/** a batch as [series name, ts, value] triples in the order sent */
const flat = (b: Batch | undefined) =>
  (b?.series ?? []).flatMap((x) => x.samples.map((y) => [x.labels[0]!.value, y.ts, bitsValue(y.lo, y.hi)]));

describe('DurableQueue', () => {
  let dir: string;
  let file: string;
  const open: DurableQueue[] = [];
  const q = (maxBytes = 1 << 30) => {
    const queue = new DurableQueue(file, maxBytes, () => 1000);
    open.push(queue);
    return queue;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-rwq-'));
    file = path.join(dir, 'remote-write', 'queue.db');
  });
  afterEach(() => {
    for (const x of open.splice(0)) x.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands out samples in queue order, grouped per series in time order, and removes them on ack', () => {
    const queue = q();
    queue.append([s('a', 1), s('b', 1), s('a', 2)], labelsOf);
    queue.append([s('b', 2), s('a', 3)], labelsOf);
    expect(queue.pendingSamples).toBe(5);
    const b1 = queue.peek(4)!;
    expect(b1.count).toBe(4);
    expect(flat(b1)).toEqual([
      ['a', 1, 0.1],
      ['a', 2, 0.2],
      ['b', 1, 0.1],
      ['b', 2, 0.2],
    ]);
    expect(() => queue.peek(1)).toThrow(/in flight/);
    queue.ack(b1, 'sent');
    expect(queue.pendingSamples).toBe(1);
    const b2 = queue.peek(10)!;
    expect(flat(b2)).toEqual([['a', 3, 0.3]]);
    queue.ack(b2, 'sent');
    expect(queue.peek(10)).toBeUndefined();
    expect(queue.stats()).toMatchObject({ bytes: 0, samples: 0, counters: { enqueued: 5, sent: 5 } });
  });

  it('refuses a sample at or before its series newest queued one, and counts it out_of_order', () => {
    const queue = q();
    expect(queue.append([s('a', 10), s('a', 10), s('a', 10, 7), s('a', 5), s('b', 5), s('a', 11)], labelsOf)).toEqual({
      accepted: 3,
      duplicates: 1,
      outOfOrder: 2,
      droppedFull: 0,
    });
    // also against what was queued and already sent
    queue.ack(queue.peek(10)!, 'sent');
    expect(queue.append([s('a', 11, 99), s('a', 12)], labelsOf).outOfOrder).toBe(1);
    expect(queue.lastTs('a')).toBe(12);
    expect(queue.stats().counters.dropped.out_of_order).toBe(3);
  });

  it('keeps its samples, the partly sent segment and the counters across a reopen (replayed in order)', () => {
    let queue = q();
    queue.append([s('a', 1), s('a', 2), s('a', 3)], labelsOf);
    queue.append([s('a', 4)], labelsOf);
    queue.ack(queue.peek(2)!, 'sent');
    queue.close();
    queue = q();
    expect(queue.pendingSamples).toBe(2);
    expect(queue.lastTs('a')).toBe(4);
    expect(queue.stats()).toMatchObject({ samples: 2, headTs: 3, counters: { enqueued: 4, sent: 2 } });
    expect(flat(queue.peek(10))).toEqual([
      ['a', 3, 0.3],
      ['a', 4, 0.4],
    ]);
    // a retried (released) batch is handed out again, whole
    queue.release();
    expect(queue.peek(10)!.count).toBe(2);
  });

  it('keeps every series watermark across a reopen once its samples are sent and deleted, or without a snapshot', () => {
    let queue = q();
    queue.append([s('a', 5), s('b', 7)], labelsOf);
    queue.ack(queue.peek(10)!, 'sent');
    queue.close(); // snapshot: the sent segment is deleted, the watermarks kept in meta
    queue = q();
    expect([queue.lastTs('a'), queue.lastTs('b'), queue.pendingSamples]).toEqual([5, 7, 0]);
    expect(queue.append([s('a', 4), s('a', 5), s('a', 6)], labelsOf)).toMatchObject({
      accepted: 1,
      duplicates: 1,
      outOfOrder: 1,
    });
    queue.ack(queue.peek(10)!, 'sent');
    // no close (a crash): the sent segment row is still there and raises the snapshot's watermark at open
    const raw = queue as unknown as { db: { close(): void } };
    raw.db.close();
    open.pop();
    queue = q();
    expect(queue.lastTs('a')).toBe(6);
  });

  it('is bounded: the oldest segments are dropped and counted, never one in flight', () => {
    const maxBytes = 1024 * 1024;
    const queue = q(maxBytes);
    const per = 10_000; // samples per append: 200 kB
    let ts = 0;
    const batch = () => Array.from({ length: per }, () => s('a', ++ts));
    for (let i = 0; i < 5; i++) queue.append(batch(), labelsOf); // 5 × 10,000 × 20 B = 1,000,000 B: fits
    expect(queue.stats()).toMatchObject({ samples: 5 * per, counters: { dropped: { queue_full: 0 } } });
    const inFlight = queue.peek(100)!; // the head segment is in flight
    const r = queue.append(batch(), labelsOf);
    expect(r.droppedFull).toBeGreaterThan(0);
    const st = queue.stats();
    expect(st.bytes).toBeLessThanOrEqual(maxBytes);
    expect(st.counters.dropped.queue_full).toBe(r.droppedFull);
    // every sample is either waiting or counted as dropped
    expect(st.samples + st.counters.dropped.queue_full).toBe(6 * per);
    // the in-flight head was kept; after it, the queue continues with the oldest kept samples
    queue.ack(inFlight, 'sent');
    const next = flat(queue.peek(1));
    expect(next[0]![1]).toBeGreaterThan(100);
    expect(queue.stats().samples + queue.stats().counters.dropped.queue_full + 100).toBe(6 * per);
    expect(SAMPLE_BYTES).toBe(20);
  });

  it('counts a rejected batch as dropped, and one queue file belongs to one backend', () => {
    const queue = q();
    queue.append([s('a', 1), s('b', 1)], labelsOf);
    queue.ack(queue.peek(10)!, 'rejected');
    expect(queue.stats().counters).toMatchObject({ sent: 0, dropped: { rejected: 2 } });
    expect(() => new DurableQueue(file, 1 << 20, () => 0)).toThrow(/in use by another backend/);
  });
});
