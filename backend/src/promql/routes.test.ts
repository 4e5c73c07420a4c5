import request from 'supertest';
import type { Express } from 'express';
import { apiDeps, openTestBed, type TestBed } from '../testing/fixture';
import { createApp } from '../api/app';

const TOKEN = 'promql-read-token';
const P = '/prometheus/api/v1';
const INLET = 's/h1/A/A01/env/inlet_temp';

describe('Prometheus HTTP API routes', () => {
  let bed: TestBed;
  let app: Express;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);

  beforeAll(async () => {
    bed = openTestBed(() => t0 + 3_600_000);
    app = createApp(apiDeps(bed), { token: TOKEN });
    const samples = [];
    for (let i = 0; i <= 20; i++) {
      samples.push({ pointId: INLET, ts: t0 + i * 15_000, value: 20 + i, quality: 'good' as const });
      samples.push({
        pointId: 's/h1/A/A02/env/inlet_temp',
        ts: t0 + i * 15_000,
        value: 30 - i,
        quality: 'good' as const,
      });
    }
    // A02 goes bad after the last good sample: a stale marker, so no value from there on
    samples.push({ pointId: 's/h1/A/A02/env/inlet_temp', ts: t0 + 21 * 15_000, value: 0, quality: 'bad' as const });
    const r = await bed.ingest.store(samples);
    expect(r.rejected).toEqual([]);
  });
  afterAll(() => bed.close());

  const at = (ms: number) => String(ms / 1000);

  it('needs the read token, like every read route', async () => {
    const res = await request(app).get(`${P}/query`).query({ query: 'up' });
    expect(res.status).toBe(401);
  });

  it('answers an instant query in Prometheus’ shape, with the series model’s name and labels', async () => {
    const res = await request(app)
      .get(`${P}/query`)
      .set(auth)
      .query({ query: 'plenum_temperature_celsius{rack="A01"}', time: at(t0 + 20 * 15_000) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          {
            metric: {
              __name__: 'plenum_temperature_celsius',
              site: 's',
              hall: 'h1',
              row: 'A',
              rack: 'A01',
              asset: 'env',
              signal: 'inlet_temp',
              quantity: 'temperature',
              unit: 'celsius',
              domain: 'OT',
              kind: 'measurement',
              tags: ',inlet,temp,',
              point: INLET,
            },
            value: [(t0 + 300_000) / 1000, '40'],
          },
        ],
      },
    });
  });

  it('takes the same parameters as a form-encoded POST (Grafana’s default)', async () => {
    const params = { query: 'sum(plenum_temperature_celsius)', time: at(t0 + 60_000) };
    const get = await request(app).get(`${P}/query`).set(auth).query(params);
    const post = await request(app).post(`${P}/query`).set(auth).type('form').send(params);
    expect(post.status).toBe(200);
    expect(post.body).toEqual(get.body);
    expect(post.body.data.result[0].value[1]).toBe('50');
  });

  it('makes a bad-quality sample a stale marker, and shows it in plenum_quality', async () => {
    const after = at(t0 + 21 * 15_000 + 1000);
    const value = await request(app)
      .get(`${P}/query`)
      .set(auth)
      .query({ query: 'plenum_temperature_celsius', time: after });
    expect(value.body.data.result.map((r: { metric: { rack: string } }) => r.metric.rack)).toEqual(['A01']);
    const quality = await request(app).get(`${P}/query`).set(auth).query({ query: 'plenum_quality == 2', time: after });
    expect(quality.body.data.result).toEqual([
      expect.objectContaining({
        metric: expect.objectContaining({ rack: 'A02', metric: 'plenum_temperature_celsius' }),
      }),
    ]);
  });

  it('answers a range query as a matrix at start + k·step', async () => {
    const res = await request(app)
      .get(`${P}/query_range`)
      .set(auth)
      .query({ query: 'plenum_temperature_celsius{rack="A01"} * 2', start: at(t0), end: at(t0 + 60_000), step: '30s' });
    expect(res.body.data).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: expect.not.objectContaining({ __name__: expect.anything() }),
          values: [
            [t0 / 1000, '40'],
            [t0 / 1000 + 30, '44'],
            [t0 / 1000 + 60, '48'],
          ],
        },
      ],
    });
  });

  it.each([
    ['query', { query: 'sum(' }, 400, 'bad_data', /^invalid parameter "query": 1:5: parse error/],
    ['query', { query: 'histogram_quantile(0.9, x)' }, 400, 'bad_data', /histogram_quantile\(\) .*README/],
    ['query', { query: 'rate(plenum_temperature_celsius)' }, 400, 'bad_data', /expected type range vector/],
    ['query', { query: '1', time: 'yesterday' }, 400, 'bad_data', /^invalid parameter "time": cannot parse/],
    [
      'query',
      { query: 'plenum_temperature_celsius + on(hall) plenum_temperature_celsius', time: String((t0 + 60_000) / 1000) },
      422,
      'execution',
      /^query: found duplicate series for the match group/,
    ],
    ['query_range', { query: '1', start: '10', end: '5', step: '1' }, 400, 'bad_data', /"end": end timestamp must not/],
    [
      'query_range',
      { query: '1', start: '0', end: '100000', step: '1' },
      400,
      'bad_data',
      /maximum resolution of 11,000/,
    ],
    ['query_range', { query: '1', start: '0', end: '10', step: '0' }, 400, 'bad_data', /"step": zero or negative/],
    [
      'query_range',
      { query: 'x[5m]', start: '0', end: '10', step: '1' },
      400,
      'bad_data',
      /"range vector" for range query/,
    ],
    ['series', {}, 400, 'bad_data', /no match\[\] parameter provided/],
  ])('%s %j → %d %s', async (route, params, status, errorType, message) => {
    const res = await request(app).get(`${P}/${route}`).set(auth).query(params);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ status: 'error', errorType, error: expect.stringMatching(message) });
  });

  it('lists series, label names and values, metadata and build info', async () => {
    const series = await request(app).get(`${P}/series`).set(auth).query({ 'match[]': 'plenum_state' });
    expect(series.body.data.map((s: { point: string }) => s.point).sort()).toEqual([
      's/h1/A/A01/pdu/breaker',
      's/h1/A/A02/pdu/breaker',
    ]);
    const labels = await request(app).get(`${P}/labels`).set(auth);
    expect(labels.body.data).toEqual(expect.arrayContaining(['__name__', 'hall', 'rack', 'point', 'metric']));
    const names = await request(app).get(`${P}/label/__name__/values`).set(auth);
    expect(names.body.data).toEqual([
      'plenum_power_kilowatts',
      'plenum_quality',
      'plenum_speed_percent',
      'plenum_state',
      'plenum_temperature_celsius',
    ]);
    const racks = await request(app)
      .post(`${P}/label/rack/values`)
      .set(auth)
      .type('form')
      .send({ 'match[]': 'plenum_power_kilowatts' });
    expect(racks.body.data).toEqual(['A01', 'A02']);
    const bad = await request(app).get(`${P}/label/1x/values`).set(auth);
    expect(bad.status).toBe(400);
    const meta = await request(app).get(`${P}/metadata`).set(auth).query({ metric: 'plenum_power_kilowatts' });
    expect(meta.body.data).toEqual({
      plenum_power_kilowatts: [expect.objectContaining({ type: 'gauge', unit: 'kilowatts' })],
    });
    const build = await request(app).get(`${P}/status/buildinfo`).set(auth);
    expect(build.body.data).toMatchObject({ version: '2.42.0' });
  });
});
