import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../api/app';
import { apiDeps, openTestBed, type TestBed } from '../testing/fixture';

const INLET = 's/h1/A/A01/env/inlet_temp';
const POWER = 's/h1/A/A01/pdu/power';

describe('POST /api/stream (long poll)', () => {
  let bed: TestBed;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    bed = openTestBed();
    const app = createApp(apiDeps(bed));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await bed.close();
    await new Promise((r) => server.close(r));
  });

  const inletQuery = { refId: 'A', queryType: 'timeseries', selector: { ids: [INLET] } };
  const post = (body: unknown) =>
    request(url)
      .post('/api/stream')
      .send(body as object);

  it('answers the first call at once with a cursor, then holds until a watched point gets a sample', async () => {
    const t0 = Date.now();
    await bed.ingest.store([{ pointId: INLET, ts: t0 - 2000, value: 20, quality: 'good' }]);
    const first = await post({ queries: [inletQuery] });
    expect(first.status).toBe(200);
    expect(first.body.cursor).toBeGreaterThanOrEqual(t0);
    expect(first.body.from).toBe(first.body.cursor - 10_000);
    expect(first.body.results.A.frames[0].data.values[1]).toEqual([20]);

    const held = post({ queries: [inletQuery], after: first.body.cursor, waitMs: 10_000 });
    const answered = held.then((r) => r); // starts the request
    await new Promise((r) => setTimeout(r, 150));
    expect(bed.arrivals.pending).toBe(1);
    // a sample for another point does not answer the poll
    await bed.ingest.store([{ pointId: POWER, ts: Date.now(), value: 5, quality: 'good' }]);
    expect(bed.arrivals.pending).toBe(1);
    const ts = Date.now();
    await bed.ingest.store([{ pointId: INLET, ts, value: 21.5, quality: 'good' }]);
    const res = await answered;
    expect(res.status).toBe(200);
    expect(res.body.from).toBe(first.body.cursor - 10_000);
    const [times, values] = res.body.results.A.frames[0].data.values;
    // the last row is the bucket holding the new sample
    const width = res.body.results.A.frames[0].schema.fields[0].config.interval;
    expect(width).toBeLessThan(100);
    expect(ts - times[times.length - 1]).toBeGreaterThanOrEqual(0);
    expect(ts - times[times.length - 1]).toBeLessThan(width);
    expect(values).toEqual([20, 21.5]);
    expect(res.body.cursor).toBeGreaterThan(first.body.cursor);
  });

  it('answers after waitMs with the same rows when nothing arrived', async () => {
    const first = await post({ queries: [inletQuery] });
    const started = Date.now();
    const res = await post({ queries: [inletQuery], after: first.body.cursor, waitMs: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(res.status).toBe(200);
    expect(res.body.results.A.error).toBeUndefined();
  });

  it('refuses queries that cannot stream on their own refId and answers without waiting', async () => {
    const started = Date.now();
    const res = await post({
      queries: [inletQuery, { refId: 'E', queryType: 'events' }],
      after: Date.now(),
      waitMs: 20_000,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.body.results.E).toMatchObject({
      status: 400,
      error: 'queries[1].queryType: "events" cannot stream; only timeseries, latest and rackLayout can',
    });
    expect(res.body.results.A.frames).toHaveLength(1);
  });

  it('names bad fields of the envelope', async () => {
    const res = await post({ queries: [inletQuery], waitMs: 60_000 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^body\.waitMs: /);
  });

  it('lets go of the wait when the client disconnects', async () => {
    const req = http.request(`${url}/api/stream`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => {});
    req.end(JSON.stringify({ queries: [inletQuery], after: Date.now() + 60_000, waitMs: 20_000 }));
    for (let i = 0; i < 50 && bed.arrivals.pending === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(bed.arrivals.pending).toBe(1);
    req.destroy();
    for (let i = 0; i < 50 && bed.arrivals.pending > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(bed.arrivals.pending).toBe(0);
  });
});
