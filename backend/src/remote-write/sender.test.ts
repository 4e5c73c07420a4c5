import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DurableQueue } from './queue';
import { Sender, type SenderOptions } from './sender';
import { valueBits, decodeWriteRequest } from './write-request';

/** A 127.0.0.1 receiver that answers from a script of statuses (the last repeats) and records what it got. */
async function receiver(script: Array<{ status: number; headers?: Record<string, string>; body?: string }>) {
  const got: Array<{ at: number; headers: http.IncomingHttpHeaders; samples: Array<[string, number, number]> }> = [];
  let i = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const decoded = decodeWriteRequest(Buffer.concat(chunks));
      got.push({
        at: Date.now(),
        headers: req.headers,
        samples: decoded.flatMap((s) =>
          s.samples.map((x): [string, number, number] => [s.labels[0]!.value, x.ts, x.value]),
        ),
      });
      const step = script[Math.min(i++, script.length - 1)]!;
      res.writeHead(step.status, step.headers);
      res.end(step.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  return {
    url,
    got,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const labelsOf = (key: string) => [{ name: '__name__', value: key }];

describe('Sender against status codes', () => {
  let dir: string;
  const cleanup: Array<() => Promise<void> | void> = [];
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-rws-'))));
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  function setup(url: string, extra: Partial<SenderOptions> = {}) {
    const queue = new DurableQueue(path.join(dir, `q${n++}.db`), 1 << 26, () => 0);
    const logs: string[] = [];
    const sender = new Sender(queue, {
      url,
      headers: { Authorization: 'Bearer t0k', 'X-Scope-OrgID': 'hall1' },
      timeoutMs: 2000,
      batchSamples: 3,
      flushIntervalMs: 30,
      backoff: { min: 20, max: 100 },
      log: (m) => logs.push(m),
      ...extra,
    });
    cleanup.push(
      () => queue.close(),
      () => sender.close(),
    );
    const put = (key: string, ...ts: number[]) => {
      queue.append(
        ts.map((t) => ({ key, ts: t, ...valueBits(t * 2) })),
        labelsOf,
      );
      sender.kick();
    };
    return { queue, sender, logs, put };
  }

  const until = async (what: string, ok: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('retries 5xx with the same samples until a 2xx, then moves on; sends the protocol and given headers', async () => {
    const rx = await receiver([{ status: 503, body: 'busy' }, { status: 500 }, { status: 204 }]);
    cleanup.push(rx.close);
    const { sender, queue, put, logs } = setup(rx.url);
    put('a', 1, 2, 3);
    sender.start();
    await until('delivery', () => queue.pendingSamples === 0);
    put('a', 4);
    // its arrival at the receiver comes before the sender has read the answer: wait for both
    await until(
      'the partial batch after the flush interval',
      () => rx.got.length === 4 && queue.pendingSamples === 0 && sender.status.requests === 2,
    );
    expect(rx.got.map((g) => g.samples)).toEqual([
      [
        ['a', 1, 2],
        ['a', 2, 4],
        ['a', 3, 6],
      ],
      [
        ['a', 1, 2],
        ['a', 2, 4],
        ['a', 3, 6],
      ],
      [
        ['a', 1, 2],
        ['a', 2, 4],
        ['a', 3, 6],
      ],
      [['a', 4, 8]],
    ]);
    expect(rx.got[0]!.headers).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
      authorization: 'Bearer t0k',
      'x-scope-orgid': 'hall1',
    });
    expect(sender.status).toMatchObject({ retries: 2, requests: 2, backoffMs: 0 });
    expect(queue.stats().counters).toMatchObject({ sent: 4, dropped: { rejected: 0 } });
    // backoff: the retries were spaced by at least min/2
    expect(rx.got[1]!.at - rx.got[0]!.at).toBeGreaterThanOrEqual(10);
    expect(logs.filter((l) => /HTTP 503: busy; retrying/.test(l))).toHaveLength(1);
  });

  it('drops a batch answered 4xx, counts it, logs the message once per kind, and goes on', async () => {
    const bad = { status: 400, body: 'out of order sample' };
    const rx = await receiver([bad, bad, { status: 200 }]);
    cleanup.push(rx.close);
    const { sender, queue, put, logs } = setup(rx.url);
    put('a', 1, 2, 3);
    put('b', 1, 2, 3);
    put('c', 1, 2, 3);
    sender.start();
    await until('all three batches answered', () => queue.pendingSamples === 0);
    expect(rx.got).toHaveLength(3);
    expect(queue.stats().counters).toMatchObject({ sent: 3, dropped: { rejected: 6 } });
    expect(sender.status.retries).toBe(0);
    expect(logs.filter((l) => l.includes('out of order sample'))).toHaveLength(1);
    expect(logs[0]).toMatch(/3 samples dropped, the receiver refused them — HTTP 400: out of order sample/);
  });

  it("waits as long as a 429's Retry-After asks", async () => {
    const rx = await receiver([{ status: 429, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    cleanup.push(rx.close);
    const { sender, queue, put } = setup(rx.url);
    put('a', 1, 2, 3);
    sender.start();
    await until('delivery', () => queue.pendingSamples === 0);
    expect(rx.got[1]!.at - rx.got[0]!.at).toBeGreaterThanOrEqual(950);
    expect(sender.status.retries).toBe(1);
  });

  it('retries through a refused connection and a receiver that does not answer in time', async () => {
    // a port with nothing on it: connection refused
    const probe = await receiver([{ status: 200 }]);
    await probe.close();
    const { sender, queue, put, logs } = setup(probe.url, { timeoutMs: 300 });
    put('a', 1, 2, 3);
    sender.start();
    await until('two retries', () => sender.status.retries >= 2);
    expect(sender.status.lastError).toMatch(/request failed: ECONNREFUSED/);
    expect(queue.pendingSamples).toBe(3);
    expect(logs.some((l) => l.includes('ECONNREFUSED'))).toBe(true);

    // a receiver that never answers: the timeout ends the request, the samples stay queued
    const hang = http.createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          hang.close(() => r());
          hang.closeAllConnections();
        }),
    );
    const s2 = setup(`http://127.0.0.1:${(hang.address() as AddressInfo).port}/`, { timeoutMs: 200 });
    s2.put('b', 1);
    s2.sender.start();
    await until('a timeout', () => /no answer within 200 ms/.test(s2.sender.status.lastError ?? ''), 5000);
    expect(s2.queue.pendingSamples).toBe(1);
  });
});
