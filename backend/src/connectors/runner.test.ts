import { z } from 'zod';
import { SourceRunner, type SourceStatus } from './runner';
import type { ConnectorDefinition, SourceSample } from './types';

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
    expect(runner.status).toMatchObject({
      state: 'stopped',
      consecutiveFailures: 0,
      failures: 2,
      lastError: expect.stringContaining('device "pdu-a"'),
    });
    expect(runner.status.samples).toBe(got.length);
    expect(calls.closed).toBe(true);
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
