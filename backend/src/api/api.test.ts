import request from 'supertest';
import type { Express } from 'express';
import { promtoolCheck, PROMTOOL_FORMAT_ERROR } from '../testing/promtool';
import { apiDeps, openTestBed, type TestBed } from '../testing/fixture';
import { createApp } from './app';
import { assertBindAllowed } from './auth';
import { ROUTES } from './routes';

const TOKEN = 'test-token-123';

describe('HTTP API', () => {
  let bed: TestBed;
  let app: Express;
  const logs: string[] = [];
  const auth = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(() => {
    bed = openTestBed();
    const sources = [
      {
        source: 'test',
        connector: 'generator',
        state: 'up' as const,
        consecutiveFailures: 0,
        failures: 2,
        samples: 0,
        samplesPerSecond: 0,
        recentErrors: [],
        rebuilds: 0,
        reports: 'every-interval' as const,
      },
    ];
    app = createApp(apiDeps(bed, { sources, log: (m) => logs.push(m) }), {
      token: TOKEN,
      maxBodyBytes: 64 * 1024,
      // the first test knocks on every route without a token; the limiter has its own test (security.test.ts)
      authFailures: { maxFailures: 1000 },
    });
  });
  afterAll(() => bed.close());

  it('requires the bearer token on every route', async () => {
    for (const r of ROUTES.filter((x) => x.method === 'get')) {
      const res = await request(app).get(r.path);
      expect([r.path, res.status, res.body.error]).toEqual([r.path, 401, 'authorization: missing bearer token']);
    }
    const wrong = await request(app).get('/api/health').set('Authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('authorization: invalid bearer token');
  });

  it('serves health with store and connector states', async () => {
    const res = await request(app).get('/api/health').set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      store: { state: 'open' },
      connectors: [{ source: 'test', state: 'up' }],
    });
  });

  it('takes a posted sample and returns it through /api/query with unit and quality', async () => {
    const ts = Date.now() - 1000;
    const post = await request(app)
      .post('/api/samples')
      .set(auth)
      .send({
        samples: [
          {
            pointId: 's/h1/A/A01/env/inlet_temp',
            ts,
            value: 80.6,
            unit: '°F',
            quality: 'uncertain',
            rawStatus: 1083310080,
          },
        ],
      });
    expect(post.status).toBe(200);
    expect(post.body).toEqual({ accepted: 1, rejected: [] });
    const q = await request(app)
      .post('/api/query')
      .set(auth)
      .send({
        range: { from: new Date(ts - 60_000).toISOString(), to: new Date(ts + 60_000).toISOString() },
        queries: [
          { refId: 'L', queryType: 'latest', selector: { ids: ['s/h1/A/A01/env/inlet_temp'] } },
          {
            refId: 'T',
            queryType: 'timeseries',
            selector: { ids: ['s/h1/A/A01/env/*'] },
            datasource: { uid: 'plenum' },
          },
        ],
      });
    expect(q.status).toBe(200);
    const latest = q.body.results.L.frames[0];
    const names: string[] = latest.schema.fields.map((f: { name: string }) => f.name);
    const value = names.indexOf('value');
    expect(latest.schema.fields[value].config.unit).toBe('celsius');
    expect(latest.data.values[value][0]).toBeCloseTo(27, 9);
    expect(latest.data.values[names.indexOf('quality')][0]).toBe('uncertain');
    expect(latest.data.values[names.indexOf('time')][0]).toBe(ts);
    const series = q.body.results.T.frames[0];
    expect(series.schema.fields[1].config.unit).toBe('celsius');
    expect(series.data.values[1]).toHaveLength(1);
  });

  it('refuses samples it cannot store, one by one, and names the field of a malformed one', async () => {
    const res = await request(app)
      .post('/api/samples')
      .set(auth)
      .send({
        samples: [
          { pointId: 'nope', ts: Date.now(), value: 1 },
          { pointId: 's/h1/A/A01/pdu/power', ts: Date.now(), value: 3 },
        ],
      });
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected).toMatchObject([{ index: 0, pointId: 'nope' }]);
    const bad = await request(app)
      .post('/api/samples')
      .set(auth)
      .send({ samples: [{ pointId: 'x', ts: 'soon', value: 1 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('body.samples[0].ts');
    const unit = await request(app)
      .post('/api/samples')
      .set(auth)
      .send({ samples: [{ pointId: 's/h1/A/A01/pdu/power', ts: Date.now(), value: 1, unit: '°F' }] });
    expect(unit.body.error).toContain('body.samples[0].unit: unit "°F" measures temperature, not power');
  });

  it('answers bad JSON, unknown fields, oversize bodies and absurd ranges with a 4xx naming the problem', async () => {
    const badJson = await request(app)
      .post('/api/query')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"range":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatch(/^body: not valid JSON/);
    const unknown = await request(app)
      .post('/api/query')
      .set(auth)
      .send({ range: { from: 'now-1h', to: 'now' }, queries: [{ refId: 'A' }], rnage: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('rnage: unknown field');
    const big = await request(app)
      .post('/api/samples')
      .set(auth)
      .send({ samples: [{ pointId: 'x'.repeat(70_000), ts: 1, value: 1 }] });
    expect(big.status).toBe(413);
    expect(big.body.error).toContain('larger than the 65536 bytes allowed');
    const absurd = await request(app)
      .post('/api/query')
      .set(auth)
      .send({ range: { from: '1970-01-01T00:00:00Z', to: 'now' }, queries: [{ refId: 'A' }] });
    expect(absurd.status).toBe(400);
    expect(absurd.body.error).toContain('range.from: 1970-01-01T00:00:00.000Z is outside');
    const param = await request(app).get('/api/points?halll=h1').set(auth);
    expect(param.status).toBe(400);
    expect(param.body.error).toBe('query.halll: unknown field');
    const notJson = await request(app).post('/api/events').set(auth).set('Content-Type', 'text/plain').send('hi');
    expect(notJson.status).toBe(415);
    const missing = await request(app).get('/api/nothing').set(auth);
    expect(missing.status).toBe(404);
  });

  it('searches points by filters with paging', async () => {
    const res = await request(app).get('/api/points?quantity=power,temperature&rack=A01&pageSize=1&page=2').set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(res.body.points[0].id).toBe('s/h1/A/A01/pdu/power');
    const tags = await request(app).get('/api/points?tags=temp&tags=inlet').set(auth);
    expect(tags.body.total).toBe(2);
    const bad = await request(app).get('/api/points?domain=XX').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('query.domain[0]');
  });

  it('serves the topology', async () => {
    const res = await request(app).get('/api/topology').set(auth);
    expect(res.body.halls[0].rows[0].racks.map((r: { id: string }) => r.id)).toEqual(['A01', 'A02']);
  });

  it('records events and lists them by range and filter', async () => {
    const created = await request(app)
      .post('/api/events')
      .set(auth)
      .send({
        type: 'job',
        title: 'job 9 started',
        tags: ['llm'],
        location: { hall: 'h1', rack: 'A02' },
        data: { gpus: 512 },
      });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      severity: 'info',
      source: 'api',
      data: { gpus: 512 },
    });
    const list = await request(app).get('/api/events?type=job&rack=A02').set(auth);
    expect(list.body.events.map((e: { title: string }) => e.title)).toEqual(['job 9 started']);
    const bad = await request(app).post('/api/events').set(auth).send({ type: 'party', title: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('body.type');
    expect(bad.body.error).toContain('body.title');
  });

  it('exposes Prometheus metrics about itself', async () => {
    const res = await request(app).get('/metrics').set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    for (const name of [
      'plenum_ingest_samples_total',
      'plenum_historian_queue_depth',
      'plenum_query_duration_seconds_bucket',
      'plenum_connector_state{source="test",connector="generator",state="up"} 1',
      'plenum_connector_failures_total{source="test",connector="generator"} 2',
    ])
      expect(res.text).toContain(name);
    expect(res.text).toMatch(/plenum_ingest_samples_total \d+/);
    expect(await promtoolCheck(res.text)).not.toMatch(PROMTOOL_FORMAT_ERROR);
  });

  it('publishes an OpenAPI document that lists exactly the routes the server has', async () => {
    const res = await request(app).get('/api/openapi.json').set(auth);
    const documented = Object.entries(res.body.paths as Record<string, object>)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const mounted = (app.router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>)
      .filter((l) => l.route)
      // Express writes a path parameter :id, OpenAPI {id}
      .flatMap((l) =>
        Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`),
      )
      .sort();
    expect(documented).toEqual(mounted);
    expect(res.body.paths['/api/points'].get.parameters.map((p: { name: string }) => p.name)).toContain('quantity');
    expect(res.body.paths['/api/query'].post.requestBody.content['application/json'].schema.required).toEqual([
      'range',
      'queries',
    ]);
  });
});

describe('binding', () => {
  it('refuses a non-loopback host without a token', () => {
    expect(() => assertBindAllowed('0.0.0.0', undefined)).toThrow(
      'PLENUM_HOST=0.0.0.0 would expose the API without authentication',
    );
    expect(() => assertBindAllowed('0.0.0.0', 'secret')).not.toThrow();
    expect(() => assertBindAllowed('127.0.0.1', undefined)).not.toThrow();
    expect(() => assertBindAllowed('::1', undefined)).not.toThrow();
  });
});

describe('job webhooks on POST /api/events', () => {
  it('accept the jobs token on that route only and keep one event per job', async () => {
    const bed = openTestBed();
    const app = createApp(apiDeps(bed), { token: 'api-token', jobsToken: 'jobs-token' });
    try {
      const jobs = { Authorization: 'Bearer jobs-token' };
      const start = {
        event: 'job_start',
        job_id: 'j1',
        user: 'bob',
        racks: ['A01'],
        expected_kw: 90,
        time: Date.now() - 60_000,
        hall: 'h1',
      };
      const s = await request(app).post('/api/events').set(jobs).send(start);
      expect(s.status).toBe(201);
      expect(s.body).toMatchObject({ type: 'job', source: 'slurm', location: { hall: 'h1', rack: 'A01' } });
      expect(s.body.timeEnd).toBeUndefined();
      const again = await request(app).post('/api/events').set(jobs).send(start);
      expect(again.body.id).toBe(s.body.id);
      const end = await request(app)
        .post('/api/events')
        .set(jobs)
        .send({ ...start, event: 'job_end', time: Date.now() });
      expect(end.body).toMatchObject({ id: s.body.id, timeEnd: expect.any(Number) });
      expect((await request(app).get('/api/events').set(jobs)).status).toBe(403);
      const listed = await request(app).get('/api/events?tags=rack:A01').set({ Authorization: 'Bearer api-token' });
      expect(listed.body.events).toHaveLength(1);
      const bad = await request(app).post('/api/events').set(jobs).send({ event: 'job_start' });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('body.job_id');
    } finally {
      await bed.close();
    }
  });
});
