import crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NewEvent } from '@plenum/model';
import { Catalog } from '../catalog/catalog';
import { Clock } from '../common/clock';
import { parseConfig } from '../config/load';
import type { EventStore } from '../events/event-store';
import type { Historian } from '../historian/types';
import { AutomationSchema, type AutomationConfig, type RuleConfig } from './config';
import { startAutomation } from './index';
import { Notifier } from './notify';

/** A webhook receiver on 127.0.0.1: answers each POST with the next status of `script` (then 200). */
interface Receiver {
  url: string;
  got: Array<{ headers: http.IncomingHttpHeaders; body: string }>;
  /** resolves once `n` requests have arrived */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

async function receiver(script: number[] = []): Promise<Receiver> {
  const got: Receiver['got'] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = script.shift() ?? 200;
      res.end();
      for (const w of waiting.filter((x) => got.length >= x.n)) w.resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    received: (n) =>
      got.length >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve: () => resolve() })),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Waits (on real I/O, not on the faked timers) until `cond` holds; fails after 10 s of wall time. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const start = process.hrtime.bigint();
  while (!cond()) {
    if (process.hrtime.bigint() - start > 10_000_000_000n) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const SECRET = 'a-shared-secret-of-32-characters';
const NOW = Date.UTC(2026, 6, 15, 10, 30);

function notifier(power: { url: string; retries?: number; secret?: string }, headroom?: (racks: string[]) => unknown) {
  const events: Array<Omit<NewEvent, 'time'>> = [];
  const logs: string[] = [];
  const config: AutomationConfig = AutomationSchema.parse({ notify: { power } });
  const n = new Notifier({
    config,
    addEvent: (e) => void events.push(e),
    now: () => NOW,
    log: (m) => void logs.push(m),
    ...(headroom && { headroom }),
  });
  return { n, events, logs };
}

/** Lets the pending backoff sleep run out and answers how long it was, in ms of the faked clock. */
async function backoff(): Promise<number> {
  await until(() => jest.getTimerCount() > 0, 'the backoff sleep');
  const t = jest.now();
  jest.advanceTimersToNextTimer();
  return jest.now() - t;
}

describe('Notifier webhooks', () => {
  beforeEach(() => {
    // only the notifier's own sleeps and Date are faked: sockets and fetch run on Node's real timers
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'], now: NOW + 1234 });
  });
  afterEach(() => jest.useRealTimers());

  it('signs the body with HMAC-SHA256 over "<timestamp>.<body>", the timestamp in Unix ms', async () => {
    const r = await receiver();
    const { n } = notifier({ url: r.url, secret: SECRET });
    try {
      n.power({ type: 'job_start', job: 'j1', racks: ['A01'], expectedKw: 120 });
      await r.received(1);
      const [{ headers, body }] = r.got as [Receiver['got'][number]];
      expect(headers['content-type']).toBe('application/json');
      const ts = headers['x-plenum-timestamp'] as string;
      // the documented unit (README.md, Notifications): Unix ms, so a receiver can reject old ones
      expect(Number(ts)).toBe(NOW + 1234);
      const expected = `sha256=${crypto.createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;
      expect(headers['x-plenum-signature']).toBe(expected);
      // and it does not verify with another key or another body
      const other = crypto.createHmac('sha256', `${SECRET}x`).update(`${ts}.${body}`).digest('hex');
      expect(headers['x-plenum-signature']).not.toBe(`sha256=${other}`);
      const tampered = crypto.createHmac('sha256', SECRET).update(`${ts}.${body} `).digest('hex');
      expect(headers['x-plenum-signature']).not.toBe(`sha256=${tampered}`);
      expect(JSON.parse(body)).toEqual({
        type: 'job_start',
        job: 'j1',
        racks: ['A01'],
        expectedKw: 120,
        time: new Date(NOW).toISOString(),
      });
    } finally {
      await n.close();
      await r.close();
    }
  });

  it('sends no signature without a secret', async () => {
    const r = await receiver();
    const { n } = notifier({ url: r.url });
    try {
      n.power({ type: 'job_end' });
      await r.received(1);
      expect(r.got[0]?.headers['x-plenum-signature']).toBeUndefined();
    } finally {
      await n.close();
      await r.close();
    }
  });

  it('retries 5xx, 408 and 429 with backoff 1 s, 2 s, 4 s … and delivers the same body', async () => {
    const r = await receiver([503, 500, 408, 429]);
    const { n, events } = notifier({ url: r.url, retries: 5, secret: SECRET });
    try {
      n.power({ type: 'job_start', job: 'j1' });
      const delays: number[] = [];
      for (let i = 1; i <= 4; i++) {
        await r.received(i);
        delays.push(await backoff());
      }
      await r.received(5);
      await until(() => n.stats.delivered === 1, 'the delivery');
      expect(delays).toEqual([1000, 2000, 4000, 8000]);
      expect(n.stats).toEqual({ delivered: 1, retried: 4, dropped: 0 });
      expect(new Set(r.got.map((g) => g.body)).size).toBe(1);
      // every attempt is signed afresh, and each signature verifies
      for (const g of r.got) {
        const ts = g.headers['x-plenum-timestamp'] as string;
        expect(g.headers['x-plenum-signature']).toBe(
          `sha256=${crypto.createHmac('sha256', SECRET).update(`${ts}.${g.body}`).digest('hex')}`,
        );
      }
      expect(events).toEqual([]);
    } finally {
      await n.close();
      await r.close();
    }
  });

  it('caps the backoff at 60 s', async () => {
    const r = await receiver(Array(9).fill(503));
    const { n } = notifier({ url: r.url, retries: 9 });
    try {
      n.power({ type: 'job_start' });
      const delays: number[] = [];
      for (let i = 1; i <= 9; i++) {
        await r.received(i);
        delays.push(await backoff());
      }
      expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
      await r.received(10);
      await until(() => n.stats.delivered === 1, 'the delivery');
    } finally {
      await n.close();
      await r.close();
    }
  });

  it('after the last retry drops the notification and records an alarm naming the target, the attempts and the last answer', async () => {
    const r = await receiver([503, 503, 503, 503]);
    const { n, events } = notifier({ url: r.url, retries: 2 });
    try {
      n.power({ type: 'job_start', job: 'j9' });
      for (let i = 1; i <= 2; i++) {
        await r.received(i);
        await backoff();
      }
      await r.received(3);
      await until(() => n.stats.dropped === 1, 'the drop');
      expect(r.got).toHaveLength(3);
      expect(n.stats).toEqual({ delivered: 0, retried: 2, dropped: 1 });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'alarm',
        severity: 'warning',
        title: `power management webhook ${new URL(r.url).origin} not delivered after 3 attempts: HTTP 503`,
        tags: ['automation', 'webhook'],
        data: { body: { type: 'job_start', job: 'j9' } },
      });
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      await n.close();
      await r.close();
    }
  });

  it('does not retry another 4xx: dropped at once with the status', async () => {
    const r = await receiver([400]);
    const { n, events } = notifier({ url: r.url, retries: 5 });
    try {
      n.power({ type: 'job_end' });
      await r.received(1);
      await until(() => n.stats.dropped === 1, 'the drop');
      expect(n.stats.retried).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
      expect(events[0]?.title).toBe(
        `power management webhook ${new URL(r.url).origin} not delivered after 1 attempt: HTTP 400`,
      );
    } finally {
      await n.close();
      await r.close();
    }
  });

  it('retries a network error (logged once) and names it when it gives up', async () => {
    // a port that was just free: nothing listens there
    const gone = await receiver();
    await gone.close();
    const { n, events, logs } = notifier({ url: gone.url, retries: 1 });
    try {
      n.power({ type: 'job_start' });
      expect(await backoff()).toBe(1000);
      await until(() => n.stats.dropped === 1, 'the drop');
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(new RegExp(`^power management webhook ${new URL(gone.url).origin}: .+; retrying$`));
      expect(events[0]?.title).toMatch(
        new RegExp(`^power management webhook ${new URL(gone.url).origin} not delivered after 2 attempts: .+`),
      );
      expect(events[0]?.title).toContain('ECONNREFUSED');
    } finally {
      await n.close();
    }
  });

  it('delivers in order per target: a later notification waits for the one being retried', async () => {
    const r = await receiver([503]);
    const { n } = notifier({ url: r.url, retries: 3 });
    try {
      n.power({ seq: 1 });
      n.power({ seq: 2 });
      await r.received(1);
      expect(await backoff()).toBe(1000);
      await r.received(3);
      await until(() => n.stats.delivered === 2, 'both deliveries');
      expect(r.got.map((g) => (JSON.parse(g.body) as { seq: number }).seq)).toEqual([1, 1, 2]);
    } finally {
      await n.close();
      await r.close();
    }
  });

  it("posts a rule's power notification (cooling-fault caps) with the rule and kind", async () => {
    const r = await receiver();
    const { n } = notifier({ url: r.url });
    const rule = { id: 'cooling-fault', then: [] } as unknown as RuleConfig;
    try {
      await n.send(rule, {
        kind: 'power',
        body: { capping: true, racks: ['A01', 'A02'], caps: { A01: 90, A02: 90 }, faults: ['crah1 tripped'] },
      });
      await r.received(1);
      expect(JSON.parse(r.got[0]?.body ?? '')).toEqual({
        rule: 'cooling-fault',
        kind: 'power',
        capping: true,
        racks: ['A01', 'A02'],
        caps: { A01: 90, A02: 90 },
        faults: ['crah1 tripped'],
        time: new Date(NOW).toISOString(),
      });
    } finally {
      await n.close();
      await r.close();
    }
  });

  it("adds the racks' power headroom to a power notification that names racks, and leaves others alone", async () => {
    const r = await receiver();
    const asked: string[][] = [];
    const { n } = notifier({ url: r.url }, (racks) => (asked.push(racks), { racks: racks.map((rack) => ({ rack })) }));
    const rule = { id: 'cooling-fault', then: [] } as unknown as RuleConfig;
    try {
      await n.send(rule, { kind: 'power', body: { capping: true, racks: ['A01', 'A02'] } });
      n.power({ type: 'note' });
      await r.received(2);
      expect(asked).toEqual([['A01', 'A02']]);
      expect(JSON.parse(r.got[0]?.body ?? '')).toMatchObject({
        racks: ['A01', 'A02'],
        headroom: { racks: [{ rack: 'A01' }, { rack: 'A02' }] },
      });
      expect(JSON.parse(r.got[1]?.body ?? '')).not.toHaveProperty('headroom');
    } finally {
      await n.close();
      await r.close();
    }
  });

  it('close() stops a retry in its backoff without waiting for it, and leaves no timer behind', async () => {
    const r = await receiver(Array(5).fill(503));
    const { n } = notifier({ url: r.url, retries: 5 });
    try {
      n.power({ type: 'job_start' });
      await r.received(1);
      await until(() => jest.getTimerCount() > 0, 'the backoff sleep');
      await n.close();
      expect(jest.getTimerCount()).toBe(0);
      // and nothing is sent after it, nor queued
      n.power({ type: 'job_end' });
      for (let i = 0; i < 50; i++) await new Promise((res) => setImmediate(res));
      expect(r.got).toHaveLength(1);
      expect(n.stats).toEqual({ delivered: 0, retried: 1, dropped: 0 });
    } finally {
      await r.close();
    }
  });
});

describe('power management notifications of job transitions (startAutomation)', () => {
  it('tells power management which racks a starting or ending job uses and the kW it expects, not a submit', async () => {
    const r = await receiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-notify-'));
    const cfg = parseConfig(
      `
site:
  id: s1
  halls:
    - id: hall1
      rows:
        - id: A
          racks:
            - { id: A01, x: 1, y: 1, ratedKw: 130 }
            - { id: A02, x: 2, y: 1 }
historian: { dataDir: ${JSON.stringify(dir)} }
sources: []
automation:
  notify:
    power: { url: ${JSON.stringify(r.url)}, secret: ${SECRET} }
`,
      path.join(dir, 'plenum.yaml'),
      { connectors: [], env: {} },
    );
    const a = await startAutomation({
      config: cfg,
      clock: Clock.wall(),
      historian: { latest: () => new Map() } as unknown as Historian,
      events: { add: async () => undefined } as unknown as EventStore,
      catalog: new Catalog(cfg.site, []),
      runners: [],
      log: () => undefined,
    });
    try {
      const job = (phase: 'submit' | 'start' | 'end', expectedKw?: number) => ({
        jobId: 'job-7',
        phase,
        event: {
          time: 0,
          type: 'job' as const,
          severity: 'info' as const,
          title: `job-7 ${phase}`,
          location: { hall: 'hall1' },
          data: { racks: ['A01', 'A02'], ...(expectedKw !== undefined && { expectedKw }) },
        },
      });
      a.onJob(job('submit', 240) as never, 1);
      a.onJob(job('start', 240) as never, 2);
      a.onJob(job('end') as never, 3);
      await r.received(2);
      await until(() => a.notifier.stats.delivered === 2, 'both deliveries');
      const bodies = r.got.map((g) => JSON.parse(g.body) as Record<string, unknown>);
      expect(bodies.map((b) => b.type)).toEqual(['job_start', 'job_end']);
      expect(bodies[0]).toMatchObject({ type: 'job_start', job: 'job-7', racks: ['A01', 'A02'], expectedKw: 240 });
      // with the headroom the job leaves each rack (no PDU reading here: now unknown, after the job's 120 kW)
      expect(bodies[0]?.headroom).toEqual({
        racks: [
          { rack: 'A01', hall: 'hall1', ratedKw: 130, currentKw: null, afterKw: 120, headroomKw: 10 },
          { rack: 'A02', hall: 'hall1', ratedKw: null, currentKw: null, afterKw: 120, headroomKw: null },
        ],
        feeds: [],
      });
      // an end carries no expectation
      expect(bodies[1]).toMatchObject({ type: 'job_end', job: 'job-7', racks: ['A01', 'A02'], expectedKw: null });
      for (const g of r.got) {
        const ts = g.headers['x-plenum-timestamp'] as string;
        expect(g.headers['x-plenum-signature']).toBe(
          `sha256=${crypto.createHmac('sha256', SECRET).update(`${ts}.${g.body}`).digest('hex')}`,
        );
      }
    } finally {
      await a.close();
      await r.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
