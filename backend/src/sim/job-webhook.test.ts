import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newEventSchema } from '../api/schemas';
import { JobWebhook, plenumEventPayload, slurmPayload } from './job-webhook';
import type { Job, JobEvent } from './model';

const job: Job = {
  id: 'job-1',
  user: 'alice',
  racks: ['A01', 'A02'],
  gpus: 160,
  expectedKwPerRack: 95.5,
  start: Date.UTC(2025, 0, 1, 0, 0, 10),
  durationMs: 3_600_000,
  rampMs: 10_000,
  stepPeriodMs: 4_000,
  ripple: 0.1,
  source: 'schedule',
};
const start: JobEvent = { event: 'job_start', time: job.start, job };
const end: JobEvent = { event: 'job_end', time: job.start + job.durationMs, job };

/** A receiver answering with the statuses given, in turn (200 once they run out). */
async function receiver(statuses: number[]) {
  const got: { body: unknown; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      got.push({ body: JSON.parse(text), auth: req.headers.authorization });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return { got, url, close };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('job webhook payloads', () => {
  it('Slurm-like: event, job_id, user, racks, gpus, expected_kw (whole job), ISO times', () => {
    expect(slurmPayload(end, 'sim', 'hall1')).toEqual({
      event: 'job_end',
      job_id: 'job-1',
      user: 'alice',
      racks: ['A01', 'A02'],
      gpus: 160,
      expected_kw: 191,
      expected_kw_per_rack: 95.5,
      time: '2025-01-01T01:00:10.000Z',
      start_time: '2025-01-01T00:00:10.000Z',
      end_time: '2025-01-01T01:00:10.000Z',
      site: 'sim',
      hall: 'hall1',
    });
  });

  it('plenum-event: a body that POST /api/events accepts', () => {
    expect(newEventSchema.safeParse(plenumEventPayload(start, 'sim', 'hall1')).error).toBeUndefined();
    expect(newEventSchema.safeParse(plenumEventPayload(end, 'sim', 'hall1')).error).toBeUndefined();
    expect(plenumEventPayload(start, 'sim', 'hall1')).toMatchObject({
      time: job.start,
      type: 'job',
      title: 'job job-1 started (alice, 2 racks, 191 kW)',
      location: { site: 'sim', hall: 'hall1' },
      tags: ['job', 'job_start'],
      source: 'sim',
      data: { job_id: 'job-1' },
    });
  });
});

describe('JobWebhook', () => {
  it('delivers in order with the bearer token, retrying failures and dropping rejected events', async () => {
    const r = await receiver([503, 200, 400]);
    const logs: string[] = [];
    const w = new JobWebhook({
      url: r.url,
      token: 's3cret',
      site: 'sim',
      hall: 'hall1',
      retryMs: 20,
      log: (m) => logs.push(m),
    });
    w.enqueue(start);
    w.enqueue(end);
    w.enqueue({ ...start, job: { ...job, id: 'job-2' } });
    await until(() => w.pending === 0);
    await w.stop();
    await r.close();
    expect(
      r.got.map(
        (g) => (g.body as { job_id: string; event: string }).event + ':' + (g.body as { job_id: string }).job_id,
      ),
    ).toEqual([
      'job_start:job-1', // 503
      'job_start:job-1', // retried, 200
      'job_end:job-1', // 400: dropped
      'job_start:job-2',
    ]);
    expect(r.got.every((g) => g.auth === 'Bearer s3cret')).toBe(true);
    expect(w.delivered).toBe(2);
    expect(logs.join('\n')).toMatch(/failed \(HTTP 503\); retry 1 in 20 ms/);
    expect(logs.join('\n')).toMatch(/rejected an event \(HTTP 400\); dropped it/);
    expect(logs.join('\n')).not.toMatch(/s3cret/);
  });

  it('keeps retrying an unreachable receiver without throwing, and stops at once', async () => {
    const r = await receiver([]);
    await r.close(); // nothing listens there any more
    const logs: string[] = [];
    const w = new JobWebhook({ url: r.url, site: 'sim', hall: 'hall1', retryMs: 10, log: (m) => logs.push(m) });
    w.enqueue(start);
    await until(() => logs.length > 0);
    expect(logs[0]).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/api\/events failed \(fetch failed \(ECONNREFUSED\)\); retry 1/,
    );
    const t = Date.now();
    await w.stop();
    expect(Date.now() - t).toBeLessThan(100);
    expect(w.pending).toBe(1);
  });

  it('rejects a URL that is not http(s) at construction', () => {
    expect(() => new JobWebhook({ url: 'ftp://x/y', site: 's', hall: 'h' })).toThrow(/expected http or https/);
    expect(() => new JobWebhook({ url: 'nope', site: 's', hall: 'h' })).toThrow(/absolute http\(s\) URL/);
  });
});
