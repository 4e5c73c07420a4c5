import { z } from 'zod';
import { backoffMs, MAX_BACKOFF_MS, SourceRunner, type SourceStatus } from './runner';
import { SILENT_STATUS } from './liveness';
import type { ConnectorDefinition, SampleSink, SourcePoint, SourceSample } from './types';

const waitFor = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

function flaky(failures: number, calls: { n: number; closed: boolean }): ConnectorDefinition<never> {
  return {
    name: 'flaky',
    description: 'fails a few times, then delivers one sample per gather',
    options: z.object({}) as never,
    init: () => ({
      mode: 'poll',
      async gather(sink) {
        calls.n++;
        if (calls.n <= failures) throw new Error(`device "pdu-a": timeout after 100 ms (attempt ${calls.n})`);
        const s: SourceSample = { pointId: 'p', ts: Date.now(), value: calls.n, quality: 'good' };
        await sink([s]);
      },
      async close() {
        calls.closed = true;
      },
    }),
  };
}

describe('SourceRunner', () => {
  it('keeps polling through failures, reports them, and recovers', async () => {
    const calls = { n: 0, closed: false };
    const changes: string[] = [];
    const got: SourceSample[] = [];
    const runner = new SourceRunner(
      flaky(2, calls),
      { name: 'pdus', intervalMs: 5, options: undefined as never, points: [] },
      async (s) => void got.push(...s),
      { onStateChange: (s: SourceStatus, prev) => changes.push(`${prev}→${s.state}`) },
    );
    runner.start();
    await waitFor(() => got.length >= 2);
    await runner.stop();
    expect(changes.slice(0, 2)).toEqual(['starting→degraded', 'degraded→up']);
    expect(changes.at(-1)).toBe('up→stopped');
    // the error is history once the source is back up
    expect(runner.status).toMatchObject({ state: 'stopped', consecutiveFailures: 0, failures: 2 });
    expect(runner.status.lastError).toBeUndefined();
    expect(runner.status.lastErrorAt).toEqual(expect.any(Number));
    expect(runner.status.recentErrors.map((e) => e.message)).toEqual([
      'device "pdu-a": timeout after 100 ms (attempt 2)',
      'device "pdu-a": timeout after 100 ms (attempt 1)',
    ]);
    expect(runner.status.samples).toBe(got.length);
    expect(calls.closed).toBe(true);
  });

  it('counts a gather delivered in several sink calls, and not what the sink refused', async () => {
    const slices: ConnectorDefinition<never> = {
      name: 'slices',
      description: 'one gather, three deliveries: 2 good, 1 bad, 2 good',
      options: z.object({}) as never,
      init: () => ({
        mode: 'poll',
        gather: (sink) => {
          const at = (id: string, quality: SourceSample['quality']): SourceSample => ({
            pointId: id,
            ts: Date.now(),
            value: 1,
            quality,
          });
          return Promise.all([
            sink([at('a', 'good'), at('b', 'good')]),
            sink([at('c', 'bad')]),
            sink([at('d', 'good'), at('e', 'good')]),
          ]).then(() => undefined);
        },
        async close() {},
      }),
    };
    const points = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }) as SourcePoint);
    let refuse = false;
    const sliced = () =>
      new SourceRunner(slices, { name: 'sliced', intervalMs: 20, options: undefined as never, points }, async (s) => {
        if (refuse && s.length === 1) throw new Error('disk full');
      });
    const runner = sliced();
    runner.start();
    await waitFor(() => runner.status.samples >= 5);
    await runner.stop();
    expect(runner.status.samples % 5).toBe(0);
    expect(runner.status.state).toBe('stopped');
    // a refused delivery is not counted, and fails the gather
    refuse = true;
    const again = sliced();
    again.start();
    await waitFor(() => again.status.failures >= 1);
    await again.stop();
    expect(again.status.samples % 4).toBe(0);
    expect(again.status.recentErrors[0]?.message).toContain('disk full');
  });

  it('marks a source down when its connector cannot be initialised, without throwing', async () => {
    const def: ConnectorDefinition<never> = {
      name: 'broken',
      description: '',
      options: z.object({}) as never,
      init: () => {
        throw new Error('bad address in source "x"');
      },
    };
    const runner = new SourceRunner(
      def,
      { name: 'x', intervalMs: 1000, options: undefined as never, points: [] },
      async () => {},
    );
    runner.start();
    expect(runner.status).toMatchObject({ state: 'down', lastError: 'bad address in source "x"' });
    await runner.stop();
  });

  it('stops within its bound even when a gather hangs', async () => {
    const def: ConnectorDefinition<never> = {
      name: 'hang',
      description: '',
      options: z.object({}) as never,
      init: () => ({ mode: 'poll', gather: () => new Promise(() => {}), close: async () => {} }),
    };
    const runner = new SourceRunner(
      def,
      { name: 'h', intervalMs: 10, options: undefined as never, points: [] },
      async () => {},
    );
    runner.start();
    const t = Date.now();
    await runner.stop(100);
    expect(Date.now() - t).toBeLessThan(1000);
  });
});

describe('SourceRunner with a subscription', () => {
  it('folds the link’s own state into the status and records deliveries', async () => {
    let link: { state: 'up' | 'degraded'; lastError?: string } = { state: 'up' };
    let push: ((s: SourceSample[]) => Promise<void>) | undefined;
    const def: ConnectorDefinition<never> = {
      name: 'sub',
      description: '',
      options: z.object({}) as never,
      init: () => ({
        mode: 'subscribe',
        start: async (sink) => void (push = sink),
        stop: async () => {},
        health: () => link,
      }),
    };
    const changes: string[] = [];
    const runner = new SourceRunner(
      def,
      { name: 'cooling', intervalMs: 1000, options: undefined as never, points: [] },
      async () => {},
      {
        onStateChange: (s, prev) => changes.push(`${prev}→${s.state}`),
      },
    );
    runner.start();
    await waitFor(() => push !== undefined && runner.status.state === 'up');
    await push!([{ pointId: 'p', ts: 1, value: 1, quality: 'good' }]);
    expect(runner.status).toMatchObject({ samples: 1, samplesPerSecond: 1 / 60, lastSuccess: expect.any(Number) });
    link = { state: 'degraded', lastError: 'session lost: BadSessionIdInvalid' };
    expect(runner.status).toMatchObject({ state: 'degraded', lastError: 'session lost: BadSessionIdInvalid' });
    link = { state: 'up' };
    expect(runner.status.state).toBe('up');
    await runner.stop();
    expect(changes).toEqual(['starting→up', 'up→degraded', 'degraded→up', 'up→stopped']);
  });
});

/** A point of type number for the runner's silence markers. */
const point = (id: string) => ({ id, valueType: 'number' }) as unknown as SourcePoint;

describe('SourceRunner liveness (polled sources)', () => {
  const liveness = { staleAfterMs: 150, rebuildAfterMs: 400 };

  it('is degraded when a gather does not finish, marks its points bad once, and rebuilds the connector', async () => {
    let inits = 0;
    let closes = 0;
    const def: ConnectorDefinition<never> = {
      name: 'hangs-once',
      description: 'the first instance delivers once and then hangs; the rebuilt one works',
      options: z.object({}) as never,
      init: () => {
        const instance = ++inits;
        let gathers = 0;
        return {
          mode: 'poll',
          async gather(sink) {
            gathers++;
            if (instance === 1 && gathers > 1) return new Promise<void>(() => {});
            await sink([{ pointId: 'a', ts: Date.now(), value: instance, quality: 'good' }]);
          },
          async close() {
            closes++;
          },
        };
      },
    };
    const got: SourceSample[] = [];
    const states: string[] = [];
    const runner = new SourceRunner(
      def,
      { name: 'meters', intervalMs: 20, options: undefined as never, points: [point('a'), point('b')], liveness },
      async (s) => void got.push(...s),
      { onStateChange: (s) => states.push(s.state), log: () => undefined },
    );
    runner.start();
    await waitFor(() => runner.status.state === 'degraded');
    expect(runner.status.lastError).toMatch(
      /^no samples for 0\.\d s \(expected every 20 ms, stale after 150 ms\): the poll that started/,
    );
    const marks = got.filter((s) => s.quality === 'bad');
    expect(marks).toEqual([
      { pointId: 'a', ts: expect.any(Number), value: 0, quality: 'bad', rawStatus: SILENT_STATUS },
      { pointId: 'b', ts: expect.any(Number), value: 0, quality: 'bad', rawStatus: SILENT_STATUS },
    ]);
    await waitFor(() => got.some((s) => s.value === 2), 3000);
    expect(inits).toBe(2);
    expect(closes).toBe(1);
    await waitFor(() => runner.status.state === 'up');
    expect(runner.status).toMatchObject({ rebuilds: 1 });
    expect(runner.status.lastError).toBeUndefined();
    // one marker per silence, not one per watchdog tick
    expect(got.filter((s) => s.quality === 'bad')).toHaveLength(2);
    await runner.stop();
    expect(states).toEqual(['up', 'degraded', 'up', 'stopped']);
  });

  it('is degraded when a gather succeeds without delivering, and rebuilds after rebuildAfter', async () => {
    let inits = 0;
    const def: ConnectorDefinition<never> = {
      name: 'empty',
      description: 'answers every gather with nothing',
      options: z.object({}) as never,
      init: () => {
        inits++;
        return { mode: 'poll', gather: async () => undefined, close: async () => undefined };
      },
    };
    const runner = new SourceRunner(
      def,
      { name: 'empty', intervalMs: 20, options: undefined as never, points: [point('a')], liveness },
      async () => undefined,
      { log: () => undefined },
    );
    runner.start();
    await waitFor(() => runner.status.state === 'degraded');
    expect(runner.status.lastError).toBe('the poll delivered no samples for 1 points');
    await waitFor(() => inits >= 2, 3000);
    expect(runner.status.rebuilds).toBeGreaterThanOrEqual(1);
    expect(runner.status.state).toBe('degraded');
    await runner.stop();
  });

  it('is degraded while every sample of a poll is bad, naming the first point and its status', async () => {
    let good = false;
    const def: ConnectorDefinition<never> = {
      name: 'all-bad',
      description: 'answers with exceptions until told otherwise',
      options: z.object({}) as never,
      init: () => ({
        mode: 'poll',
        gather: (sink) =>
          sink([
            { pointId: 'a', ts: Date.now(), value: good ? 1 : 0, quality: good ? 'good' : 'bad', rawStatus: 2 },
            { pointId: 'b', ts: Date.now(), value: 0, quality: 'bad', rawStatus: 2 },
          ]),
        close: async () => undefined,
      }),
    };
    const runner = new SourceRunner(
      def,
      { name: 'pdus', intervalMs: 20, options: undefined as never, points: [point('a'), point('b')] },
      async () => undefined,
    );
    runner.start();
    await waitFor(() => runner.status.state === 'degraded');
    expect(runner.status.lastError).toBe('every sample of the poll was bad (2; first: "a" status 0x00000002)');
    good = true;
    await waitFor(() => runner.status.state === 'up');
    await runner.stop();
  });
});

describe('SourceRunner rates', () => {
  afterEach(() => jest.useRealTimers());

  it('lets samplesPerSecond fall to 0 when nothing arrives, without a delivery to recompute it', async () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    let push: SampleSink | undefined;
    const def: ConnectorDefinition<never> = {
      name: 'events',
      description: '',
      options: z.object({}) as never,
      init: () => ({ mode: 'subscribe', start: async (sink) => void (push = sink), stop: async () => undefined }),
    };
    const runner = new SourceRunner(
      def,
      { name: 'e', intervalMs: 1000, options: undefined as never, points: [] },
      async () => undefined,
    );
    runner.start();
    await Promise.resolve();
    for (let i = 0; i < 10; i++) {
      await push!([{ pointId: 'p', ts: Date.now(), value: i, quality: 'good' }]);
      jest.advanceTimersByTime(1000);
    }
    expect(runner.status.samplesPerSecond).toBeCloseTo(10 / 60, 5);
    jest.advanceTimersByTime(30_000);
    expect(runner.status.samplesPerSecond).toBeCloseTo(10 / 60, 5);
    jest.advanceTimersByTime(31_000);
    expect(runner.status.samplesPerSecond).toBe(0);
    await runner.stop();
  });
});

describe('SourceRunner backoff', () => {
  // faults suite (issue 17): with backoff up to 60 s, a 20 s outage was recovered 11–16 s after it ended
  it('faults: back within 5 s after a long outage — backoff stops growing at 3 s (or the interval)', () => {
    expect([1, 2, 3, 4, 5, 20].map((n) => backoffMs(500, n))).toEqual([1000, 2000, 3000, 3000, 3000, 3000]);
    expect(MAX_BACKOFF_MS).toBeLessThan(5000);
    // a slow source is retried at its own interval, never faster than it polls
    expect(backoffMs(10_000, 1)).toBe(10_000);
    expect(backoffMs(10_000, 8)).toBe(10_000);
    expect(backoffMs(5, 3)).toBe(40);
  });
});
