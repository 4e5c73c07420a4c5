import request from 'supertest';
import type { Express } from 'express';
import { apiDeps, openTestBed, type TestBed } from '../testing/fixture';
import { createApp } from './app';

/**
 * Found while trying odd inputs (issue "Reliability and security suite"): `"time": 1e308` in an event, or in an
 * events query, answered 500 `internal error: Invalid time value` because the error message itself formatted
 * the bad date. Every such time is a 400 naming the field.
 */
describe('huge and non-finite times are 400s naming the field, not 500s', () => {
  let bed: TestBed;
  let app: Express;
  beforeAll(() => {
    bed = openTestBed();
    app = createApp(apiDeps(bed, { log: () => {} }));
  });
  afterAll(() => bed.close());

  const HUGE: unknown[] = [1e308, -1e308, 2 ** 63, -(2 ** 63), '9223372036854775808', 8.64e15 + 1];

  it.each(HUGE)('POST /api/events with time %p', async (time) => {
    const res = await request(app).post('/api/events').send({ type: 'note', title: 'x', time });
    expect([res.status, res.body.error]).toEqual([
      400,
      expect.stringMatching(/^body\.time: .* is (outside|not a time)/),
    ]);
  });

  it.each(HUGE)('POST /api/events with timeEnd %p', async (timeEnd) => {
    const res = await request(app).post('/api/events').send({ type: 'note', title: 'x', timeEnd });
    expect([res.status, res.body.error]).toEqual([400, expect.stringMatching(/^body\.timeEnd: /)]);
  });

  it.each(HUGE)('POST /api/query with an events query from %p', async (from) => {
    const res = await request(app)
      .post('/api/query')
      .send({ range: { from, to: 'now' }, queries: [{ refId: 'A', queryType: 'events' }] });
    expect([res.status, res.body.error]).toEqual([400, expect.stringMatching(/range\.from: /)]);
  });

  it.each(HUGE)('POST /api/samples with ts %p', async (ts) => {
    const res = await request(app)
      .post('/api/samples')
      .send({ samples: [{ pointId: 'p', ts, value: 1 }] });
    expect([res.status, res.body.error]).toEqual([400, expect.stringMatching(/^body\.samples\[0\]\.ts: /)]);
  });
});
