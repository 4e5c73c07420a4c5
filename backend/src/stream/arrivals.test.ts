import { Arrivals } from './arrivals';

describe('Arrivals', () => {
  let clock = 1000;
  const now = () => clock;

  it('answers a wait as soon as a watched point gets a sample, and not for other points', async () => {
    const a = new Arrivals(now);
    const wait = a.wait(new Set(['p1']), 1000, 5000);
    clock = 1001;
    a.record(['p2']);
    expect(a.pending).toBe(1);
    a.record(['p1']);
    await expect(wait).resolves.toBe('data');
    expect(a.pending).toBe(0);
  });

  it('answers at once when a sample already arrived after the cursor, and waits when not', async () => {
    const a = new Arrivals(now);
    clock = 2000;
    a.record(['p1']);
    await expect(a.wait(new Set(['p1']), 1999, 5000)).resolves.toBe('data');
    await expect(a.wait(new Set(['p1']), 2000, 20)).resolves.toBe('timeout');
    await expect(a.wait(null, 1999, 5000)).resolves.toBe('data');
  });

  it('frees the waiter when the client goes away and on close', async () => {
    const a = new Arrivals(now);
    const gone = new AbortController();
    const w1 = a.wait(new Set(['x']), clock, 60_000, gone.signal);
    const w2 = a.wait(null, clock, 60_000);
    expect(a.pending).toBe(2);
    gone.abort();
    await expect(w1).resolves.toBe('aborted');
    a.close();
    await expect(w2).resolves.toBe('closed');
    await expect(a.wait(null, clock, 60_000)).resolves.toBe('closed');
    expect(a.pending).toBe(0);
  });

  it('wakes exactly the waits whose points a batch holds, each once, among many', async () => {
    const a = new Arrivals(now);
    clock = 5000;
    const outcomes = new Map<number, string>();
    // 300 walls' polls, each on its own hall of 10 points, none with a sample yet
    const waits = Array.from({ length: 300 }, (_, w) =>
      a.wait(new Set(Array.from({ length: 10 }, (_, i) => `h${w}/p${i}`)), clock, 60_000).then((o) => {
        outcomes.set(w, o);
      }),
    );
    // registering points for a wait is not an arrival
    expect(a.since(null, 0)).toBe(false);
    clock = 5001;
    a.record(['h7/p3', 'h7/p4', 'h42/p9', 'other']);
    await Promise.resolve();
    await Promise.resolve();
    expect([...outcomes]).toEqual([
      [7, 'data'],
      [42, 'data'],
    ]);
    expect(a.pending).toBe(298);
    a.close();
    await Promise.all(waits);
    expect(outcomes.size).toBe(300);
    expect([...outcomes.values()].filter((o) => o === 'closed')).toHaveLength(298);
    expect(a.pending).toBe(0);
  });
});
