import type { Sample } from '@plenum/model';
import { openTestBed, type TestBed } from '../testing/fixture';
import { RemoteWriteSchema } from './config';
import { COMMIT_DELAY_MS, displayUrl, startRemoteWrite, tapIngest, type RemoteWrite } from './index';

/**
 * The crash window: samples the historian acknowledged but the queue had not yet committed when the process died.
 * Here the historian stores them with no remote write attached (as if the process had died before the queue's
 * commit); the next start must queue them from the historian, in order, once.
 */

const POWER = 's/h1/A/A01/pdu/power';
const INLET = 's/h1/A/A01/env/inlet_temp';
// nothing listens there: the samples stay queued for the test to read
const config = RemoteWriteSchema.parse({ url: 'http://user:pw@127.0.0.1:9/api/v1/write', points: { rack: ['A01'] } });

describe('remote write start: the catch-up from the historian', () => {
  let bed: TestBed;
  const open: RemoteWrite[] = [];
  const start = () => {
    const rw = startRemoteWrite({
      config,
      dataDir: bed.dir,
      select: (sel) => bed.ctx.catalog.select(sel),
      historian: bed.historian,
      now: () => Date.now(),
      log: () => {},
    });
    open.push(rw);
    return rw;
  };
  beforeEach(() => (bed = openTestBed()));
  afterEach(async () => {
    for (const rw of open.splice(0)) await rw.close();
    await bed.close();
  });

  const samples = (from: number, n: number): Sample[] =>
    Array.from({ length: n }, (_, i) => [
      { pointId: POWER, ts: from + i * 1000, value: i, quality: 'good' as const },
      {
        pointId: INLET,
        ts: from + i * 1000,
        value: 20 + i / 10,
        quality: i === 2 ? ('bad' as const) : ('good' as const),
      },
      // not selected (rack A02)
      { pointId: 's/h1/A/A02/pdu/power', ts: from + i * 1000, value: i, quality: 'good' as const },
    ]).flat();

  it('queues what was stored after the last commit, in order, once', async () => {
    const t0 = Date.now() - 60_000;
    let rw = start();
    const tapped = tapIngest(bed.historian, (s) => rw.offer(s));
    await tapped.ingest(samples(t0, 10));
    await new Promise((r) => setTimeout(r, COMMIT_DELAY_MS * 3));
    // 10 samples × 2 points × (value + quality)
    expect(rw.status().queue.counters.enqueued).toBe(40);
    await rw.close();

    // acknowledged by the historian, never offered: the process "died" before the queue's commit
    await bed.historian.ingest(samples(t0 + 10_000, 5));
    rw = start();
    const st = rw.status();
    expect(st.caughtUp).toBe(20);
    expect(st.queue.samples).toBe(60);
    expect(st.queue.counters.dropped).toEqual({ queue_full: 0, rejected: 0, out_of_order: 0 });
    expect(st.url).toBe('http://127.0.0.1:9/api/v1/write');
    await rw.close();

    // a third start finds nothing new
    rw = start();
    expect(rw.status().caughtUp).toBe(0);
    expect(rw.status().queue.samples).toBe(60);
  });

  it('does not send what was stored before the queue existed', async () => {
    await bed.historian.ingest(samples(Date.now() - 3_600_000, 5));
    const rw = start();
    expect(rw.status().caughtUp).toBe(0);
    expect(rw.status().points).toBe(3); // A01: power, breaker, inlet
  });

  it('keeps credentials out of what it shows', () => {
    expect(displayUrl('https://u:secret@mimir.example/api/v1/push')).toBe('https://mimir.example/api/v1/push');
  });
});
