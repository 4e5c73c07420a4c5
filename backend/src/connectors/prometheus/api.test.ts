/**
 * Api mode against Debian's Prometheus 2.42 scraping the simulator's DCGM exporter every second: instant vectors,
 * aggregations, scalars, by=rack over one vector, per-query errors, and query_range backfill after a gap. The
 * same values read by scrape mode straight from the exporter must agree.
 *
 * A missing /usr/bin/prometheus fails the suite with the install command; nothing is skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { DcgmExporter } from '../../sim/dcgm-exporter';
import { HallModel, type GpuHostReading } from '../../sim/model';
import type { SourceSample } from '../types';
import { prometheusOptions } from './config';
import { prometheus } from './index';
import { PrometheusConnector } from './prometheus';
import {
  activeHandles,
  connector,
  expectNoLeaks,
  freePort,
  siteWith,
  sourcePoint,
  startPrometheus,
  startServer,
  type PrometheusPeer,
} from './testkit';

const t0 = Date.UTC(2025, 0, 1);
let model: HallModel;
let exporter: DcgmExporter;
let exporterPort: number;
let peer: PrometheusPeer;
let hosts: GpuHostReading[];

beforeAll(async () => {
  model = new HallModel({ startMs: t0, jobSchedule: 'none' });
  model.addJob({ racks: ['C04', 'C05'], expectedKwPerRack: 110, durationMs: 3_600_000 });
  model.advanceTo(t0 + 300_000);
  hosts = model.gpuHosts();
  exporter = new DcgmExporter(model, { port: 0 });
  exporterPort = await exporter.start();
  peer = await startPrometheus([`127.0.0.1:${exporterPort}`]);
}, 30_000);

afterAll(async () => {
  await peer?.stop();
  await exporter?.stop();
});

const rackSum = (rack: string) =>
  hosts.find((h) => h.rack === rack)!.gpus.reduce((a, g) => a + Number(g.powerW.toFixed(6)), 0);

async function gatherAll(c: PrometheusConnector): Promise<Map<string, SourceSample>> {
  const out = new Map<string, SourceSample>();
  await c.gather(async (samples) => samples.forEach((s) => out.set(s.pointId, s)));
  return out;
}

describe('api mode against Debian Prometheus', () => {
  it('reads sample.yaml’s prom source: one query each for all 40 racks, picked by=rack', async () => {
    const sample = fs
      .readFileSync(path.join(__dirname, 'sample.yaml'), 'utf8')
      .replace('http://127.0.0.1:9090', peer.url);
    const config = parseConfig(siteWith(sample), 'sample.yaml', { connectors: ['prometheus'] });
    const src = config.sources.find((s) => s.name === 'prom')!;
    const c = prometheus.init({ ...src, options: prometheusOptions.parse(src.options) }) as PrometheusConnector;
    const got = await gatherAll(c);
    await c.close();
    expect(c.stats.requests).toBe(2);
    expect(got.size).toBe(80);
    for (const h of hosts) {
      const base = `sim/hall1/${h.row}/${h.rack}/gpu`;
      expect(got.get(`${base}/gpu_power_1m`)?.value).toBeCloseTo(rackSum(h.rack), 6);
      expect(got.get(`${base}/gpus_reporting`)).toMatchObject({ value: 8, quality: 'good' });
    }
  });

  it('answers instant vectors, scalars, aggregations and mapped racks; per-query problems make only their points bad', async () => {
    const before = activeHandles();
    const c = connector(
      {
        mode: 'api',
        url: `${peer.url}/`,
        mapping: { rack: { label: 'Hostname', regex: '(?P<rack>[a-z]\\d+)-gpu', case: 'upper' } },
      },
      [
        sourcePoint('vector', 'DCGM_FI_DEV_POWER_USAGE rack=C04 gpu=3'),
        sourcePoint('promql', 'DCGM_FI_DEV_POWER_USAGE{rack="C04",gpu="3"}'),
        sourcePoint('scalar', 'scalar(sum(DCGM_FI_DEV_POWER_USAGE))'),
        sourcePoint('sumBy', 'sum by (rack) (DCGM_FI_DEV_POWER_USAGE);by=rack', { rack: 'C05' }),
        sourcePoint('mappedA03', 'DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum', { rack: 'A03' }),
        sourcePoint('mappedD10', 'DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum', { rack: 'D10' }),
        sourcePoint('clientMax', 'DCGM_FI_DEV_GPU_TEMP rack=C05;agg=max'),
        sourcePoint('up', 'up', {}, 'boolean'),
        sourcePoint('model', 'DCGM_FI_DEV_GPU_TEMP rack=A01 gpu=0;label=modelName', {}, 'string'),
        sourcePoint('absent', 'DCGM_FI_DEV_POWER_USAGE rack=Z99'),
        sourcePoint('ambiguous', 'DCGM_FI_DEV_POWER_USAGE rack=A01'),
        sourcePoint('badQuery', 'sum(DCGM_FI_DEV_POWER_USAGE'),
        sourcePoint('matrix', 'DCGM_FI_DEV_POWER_USAGE{rack="A01",gpu="0"}[10s]'),
      ],
    );
    const t = Date.now();
    const got = await gatherAll(c);
    await c.close();
    // one query per distinct expression: the two mapped points share one, and so do the two C04 gpu 3 selectors
    expect(c.stats.requests).toBe(11);
    const c04 = hosts.find((h) => h.rack === 'C04')!;
    const good = (k: string) => {
      const s = got.get(k)!;
      expect([k, s.quality]).toEqual([k, 'good']);
      // api mode dates a sample by the query's evaluation time
      expect(s.ts).toBeGreaterThanOrEqual(t - 1000);
      expect(s.ts).toBeLessThanOrEqual(Date.now() + 1000);
      return s.value;
    };
    expect(good('vector')).toBe(c04.gpus[3]!.powerW);
    expect(good('promql')).toBe(c04.gpus[3]!.powerW);
    expect(good('scalar')).toBeCloseTo(
      hosts.reduce((a, h) => a + rackSum(h.rack), 0),
      4,
    );
    expect(good('sumBy')).toBeCloseTo(rackSum('C05'), 6);
    expect(good('mappedA03')).toBeCloseTo(rackSum('A03'), 6);
    expect(good('mappedD10')).toBeCloseTo(rackSum('D10'), 6);
    expect(good('clientMax')).toBe(
      Math.max(...hosts.find((h) => h.rack === 'C05')!.gpus.map((g) => Math.round(g.tempC))),
    );
    expect(good('up')).toBe(true);
    expect(good('model')).toBe('NVIDIA B300');
    const bad = (k: string) => [got.get(k)?.quality, got.get(k)?.rawStatus];
    expect(bad('absent')).toEqual(['bad', 1]);
    expect(bad('ambiguous')).toEqual(['bad', 2]);
    expect(bad('badQuery')).toEqual(['bad', 400]);
    expect(bad('matrix')).toEqual(['bad', 4]);
    expect(c.warnings).toEqual([
      expect.stringMatching(
        /^query "sum\(DCGM_FI_DEV_POWER_USAGE": POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: HTTP 400 Bad Request: bad_data: .*parse error/,
      ),
      'query "DCGM_FI_DEV_POWER_USAGE{rack=\\"A01\\",gpu=\\"0\\"}[10s]" answered a matrix; expected an instant vector or a scalar',
    ]);
    await expectNoLeaks(before);
  });

  it('agrees with scrape mode reading the exporter directly', async () => {
    const points = hosts.map((h) => sourcePoint(h.rack, 'DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum', { rack: h.rack }));
    const api = connector({ mode: 'api', url: peer.url }, points);
    const scrape = connector({ url: `http://127.0.0.1:${exporterPort}/metrics` }, points);
    const [a, s] = [await gatherAll(api), await gatherAll(scrape)];
    await Promise.all([api.close(), scrape.close()]);
    expect(a.size).toBe(40);
    for (const [id, sample] of s)
      expect([id, a.get(id)?.value]).toEqual([id, expect.closeTo(sample.value as number, 6)]);
  });

  it('backfills a gap from query_range, one sample per interval, then answers the instant query', async () => {
    const before = activeHandles();
    const intervalMs = 500;
    const c = connector(
      { mode: 'api', url: peer.url, backfillMaxMs: 60_000 },
      [
        sourcePoint('total', 'sum(DCGM_FI_DEV_POWER_USAGE)'),
        sourcePoint('c04', 'DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum', { rack: 'C04' }),
      ],
      undefined,
      intervalMs,
    );
    const first = await gatherAll(c);
    const t1 = first.get('total')!.ts;
    await new Promise((r) => setTimeout(r, 2600)); // five intervals without a gather
    const samples: SourceSample[] = [];
    await c.gather(async (s) => void samples.push(...s));
    await c.close();
    const total = samples.filter((s) => s.pointId === 'total');
    const backfilled = total.slice(0, -1);
    expect(backfilled.length).toBeGreaterThanOrEqual(3);
    expect(c.stats.backfilled).toBe(backfilled.length + samples.filter((s) => s.pointId === 'c04').length - 1);
    for (const s of backfilled) {
      expect(s.ts).toBeGreaterThan(t1);
      expect(s.quality).toBe('good');
      expect(s.value).toBeCloseTo(first.get('total')!.value as number, 4);
    }
    const steps = backfilled.map((s, i) => (i ? s.ts - backfilled[i - 1]!.ts : intervalMs));
    expect(new Set(steps)).toEqual(new Set([intervalMs]));
    expect(total.at(-1)!.ts).toBeGreaterThan(backfilled.at(-1)!.ts);
    await expectNoLeaks(before);
  });

  it('fails the gather when every query fails (server unreachable), naming the URL', async () => {
    const dead = await freePort();
    const c = connector({ mode: 'api', url: `http://127.0.0.1:${dead}/prom` }, [
      sourcePoint('a', 'up'),
      sourcePoint('b', 'x'),
    ]);
    const delivered: SourceSample[] = [];
    const err = await c.gather(async (s) => void delivered.push(...s)).catch((e: Error) => e);
    await c.close();
    expect((err as Error).message).toMatch(
      new RegExp(
        `^source "test": POST http://127.0.0.1:${dead}/prom/api/v1/query: unreachable: connect ECONNREFUSED .*\\(and all 1 other queries\\); all 2 points are bad \\(rawStatus 5\\)`,
      ),
    );
    expect(delivered.map((s) => s.rawStatus)).toEqual([5, 5]);
  });

  it('stops sending queries once the server is silent: one timeoutMs per gather, not one per query', async () => {
    const silent = await startServer(() => undefined); // never answers
    const points = Array.from({ length: 10 }, (_, i) => sourcePoint(`p${i}`, `vector(${i})`));
    const c = connector({ mode: 'api', url: silent.url, timeoutMs: 150, maxConcurrency: 1 }, points);
    const delivered: SourceSample[] = [];
    const t = Date.now();
    const err = await c.gather(async (s) => void delivered.push(...s)).catch((e: Error) => e);
    await c.close();
    await silent.stop();
    expect(Date.now() - t).toBeLessThan(600);
    expect(silent.requests).toHaveLength(1);
    expect((err as Error).message).toMatch(
      /no complete answer within 150 ms \(timeoutMs\) \(and all 9 other queries\)/,
    );
    expect(new Set(delivered.map((s) => s.rawStatus))).toEqual(new Set([6]));
  });

  it('backfills the gathers a server failure lost, once it answers again', async () => {
    let failing = false;
    let clock = 1_000_000;
    const server = await startServer((req, res) => {
      if (failing) return void res.writeHead(503).end('overloaded');
      const p = new URLSearchParams(req.body);
      const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(p.get(k)));
      const values: Array<[number, string]> = [];
      if (req.url.endsWith('/query_range') && step! > 0) {
        for (let t = start!; t <= end!; t += step!) values.push([t, String(t - 1000)]); // value = seconds past 1000
      }
      const data = req.url.endsWith('/query_range')
        ? { resultType: 'matrix', result: [{ metric: {}, values }] }
        : { resultType: 'vector', result: [{ metric: {}, value: [clock / 1000, '99'] }] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data }));
    });
    const c = connector({ mode: 'api', url: server.url, backfillMaxMs: 60_000 }, [sourcePoint('a', 'm')], () => clock);
    const gather = async () => {
      const out: SourceSample[] = [];
      const err = await c.gather(async (s) => void out.push(...s)).catch((e: Error) => e);
      return { out: out.map((s) => [s.ts, s.value, s.quality]), err };
    };
    try {
      expect((await gather()).out).toEqual([[1_000_000, 99, 'good']]);
      failing = true;
      for (let i = 0; i < 3; i++) {
        clock += 1000;
        expect((await gather()).err?.message).toMatch(/HTTP 503 Service Unavailable: overloaded/);
      }
      failing = false;
      clock += 1000;
      // the three lost gathers (1001 s, 1002 s, 1003 s) from query_range, then the instant value
      expect((await gather()).out).toEqual([
        [1_001_000, 1, 'good'],
        [1_002_000, 2, 'good'],
        [1_003_000, 3, 'good'],
        [1_004_000, 99, 'good'],
      ]);
      clock += 1000; // on time again: no backfill
      expect((await gather()).out).toEqual([[1_005_000, 99, 'good']]);
    } finally {
      await c.close();
      await server.stop();
    }
    const range = server.requests.filter((r) => r.url === '/api/v1/query_range');
    expect(range.map((r) => Object.fromEntries(new URLSearchParams(r.body)))).toEqual([
      { query: 'm', start: '1001', end: '1003', step: '1' },
    ]);
    expect(c.stats.backfilled).toBe(3);
  });

  it('sends the bearer token and a form-encoded query to the API', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000.25, '42'] } }));
    });
    const c = connector({ mode: 'api', url: server.url, bearerToken: 'tok-123' }, [
      sourcePoint('a', 'vector(42) + 0 * up{a="b;c"}'),
    ]);
    const got = await gatherAll(c);
    await c.close();
    await server.stop();
    expect(got.get('a')).toMatchObject({ value: 42, ts: 1_700_000_000_250, quality: 'good' });
    const req = server.requests[0]!;
    expect([req.method, req.url, req.headers.authorization, req.headers['content-type']]).toEqual([
      'POST',
      '/api/v1/query',
      'Bearer tok-123',
      'application/x-www-form-urlencoded',
    ]);
    expect(new URLSearchParams(req.body).get('query')).toBe('vector(42) + 0 * up{a="b;c"}');
  });
});
