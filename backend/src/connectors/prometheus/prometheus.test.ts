/**
 * The connector in scrape mode against the simulator's DCGM exporter (in-process, a HallModel), and every failure
 * path against scriptable HTTP servers. Api mode against Debian's Prometheus is in api.test.ts.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseConfig } from '../../config/load';
import { DcgmExporter } from '../../sim/dcgm-exporter';
import { HallModel } from '../../sim/model';
import { SourceRunner } from '../runner';
import type { ConnectorDefinition, SourceSample } from '../types';
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
  startServer,
  type TestServer,
} from './testkit';

async function gatherAll(c: PrometheusConnector): Promise<Map<string, SourceSample>> {
  const out = new Map<string, SourceSample>();
  await c.gather(async (samples) => samples.forEach((s) => out.set(s.pointId, s)));
  return out;
}

const t0 = Date.UTC(2025, 0, 1);

describe('scrape mode against the simulator’s DCGM exporter', () => {
  let model: HallModel;
  let exporter: DcgmExporter;
  let port: number;

  beforeAll(async () => {
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    model.addJob({ racks: ['C04', 'C05'], expectedKwPerRack: 110, durationMs: 3_600_000 });
    model.advanceTo(t0 + 300_000);
    exporter = new DcgmExporter(model, { port: 0 });
    port = await exporter.start();
  });
  afterAll(() => exporter.stop());

  it('reads sample.yaml’s dcgm source: per-rack sums by mapped Hostname, max/avg by rack label, one GPU, a label', async () => {
    const before = activeHandles();
    const sample = fs
      .readFileSync(path.join(__dirname, 'sample.yaml'), 'utf8')
      .replace('127.0.0.1:9400', `127.0.0.1:${port}`);
    const config = parseConfig(siteWith(sample), 'sample.yaml', { connectors: ['prometheus'] });
    const dcgm = config.sources.find((s) => s.name === 'dcgm')!;
    const c = prometheus.init({ ...dcgm, options: prometheusOptions.parse(dcgm.options) }) as PrometheusConnector;
    const t = Date.now();
    const got = await gatherAll(c);
    await c.close();
    expect(got.size).toBe(3 * 40 + 2);
    const hosts = model.gpuHosts();
    for (const h of hosts) {
      const base = `sim/hall1/${h.row}/${h.rack}/gpu`;
      const power = got.get(`${base}/gpu_power`)!;
      expect(power.quality).toBe('good');
      expect(power.value).toBeCloseTo(
        h.gpus.reduce((a, g) => a + Number(g.powerW.toFixed(6)), 0),
        6,
      );
      expect(power.ts).toBeGreaterThanOrEqual(t);
      expect(got.get(`${base}/gpu_temp_max`)?.value).toBe(Math.max(...h.gpus.map((g) => Math.round(g.tempC))));
      expect(got.get(`${base}/gpu_util_avg`)?.value).toBeCloseTo(
        h.gpus.reduce((a, g) => a + Math.round(g.utilPct), 0) / 8,
        9,
      );
    }
    const c04 = hosts.find((h) => h.rack === 'C04')!;
    expect(got.get('sim/hall1/C/C04/gpu/gpu_power')?.value).toBeGreaterThan(8 * 900); // the job runs there
    expect(got.get('sim/hall1/A/A01/gpu/gpu0_power')?.value).toBe(hosts[0]!.gpus[0]!.powerW);
    expect(got.get('sim/hall1/A/A01/gpu/gpu_model')).toMatchObject({ value: 'NVIDIA B300', quality: 'good' });
    expect(c04.gpus).toHaveLength(8);
    expect(c.stats).toMatchObject({ requests: 1, failures: 0, series: 3 * 40 * 8, good: 122, bad: 0 });
    await expectNoLeaks(before);
  });

  it('marks an offline rack bad with rawStatus 1 (series absent), the others stay good', async () => {
    const f = model.injectFault({ type: 'device_offline', target: 'B07/gpu' });
    const c = connector({ url: `http://127.0.0.1:${port}/metrics` }, [
      sourcePoint('b07', 'DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum', { rack: 'B07' }),
      sourcePoint('b08', 'DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum', { rack: 'B08' }),
      sourcePoint('b07n', 'DCGM_FI_DEV_POWER_USAGE rack=B07;agg=count'),
    ]);
    const got = await gatherAll(c);
    await c.close();
    model.clearFault(f.id);
    expect(got.get('b07')).toMatchObject({ quality: 'bad', rawStatus: 1, value: 0 });
    expect(got.get('b08')).toMatchObject({ quality: 'good' });
    expect(got.get('b07n')).toMatchObject({ quality: 'good', value: 0 });
  });
});

describe('scrape mode against scripted endpoints', () => {
  let server: TestServer;
  let body = '';
  let status = 200;
  let contentType = 'text/plain; version=0.0.4';
  let gzip = false;
  let delayMs = 0;

  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (res.destroyed) return;
      const payload = gzip ? zlib.gzipSync(body) : Buffer.from(body);
      res.writeHead(status, { 'content-type': contentType, ...(gzip && { 'content-encoding': 'gzip' }) });
      res.end(payload);
    });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    body = '';
    status = 200;
    contentType = 'text/plain; version=0.0.4';
    gzip = false;
    delayMs = 0;
  });

  it('turns counters into per-second rates: nothing first, then rates, resets counted from 0', async () => {
    const before = activeHandles();
    let clock = 1_000_000;
    const c = connector(
      { url: `${server.url}/metrics` },
      [
        sourcePoint('energy', 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION;by=rack;agg=sum;rate;scale=0.001', { rack: 'A01' }),
        sourcePoint('stamped', 'stamped_total;rate'),
      ],
      () => clock,
    );
    const expo = (e0: number, e1: number, stamped: number, ts: number) =>
      [
        '# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter',
        `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",rack="A01"} ${e0}`,
        `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="1",rack="A01"} ${e1}`,
        `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",rack="A02"} 999999`,
        `stamped_total ${stamped} ${ts}`,
      ].join('\n');
    body = expo(1_000_000, 2_000_000, 10, 500_000);
    expect(await gatherAll(c)).toEqual(new Map()); // first scrape: no rate yet
    clock += 5000;
    body = expo(1_500_000, 3_000_000, 40, 502_000); // +500 000 mJ and +1 000 000 mJ in 5 s: 100 W + 200 W
    let got = await gatherAll(c);
    expect(got.get('energy')).toMatchObject({ value: 300, quality: 'good', ts: clock });
    expect(got.get('stamped')).toMatchObject({ value: 15, ts: 502_000 }); // the exposition's own timestamps
    clock += 5000;
    body = expo(250_000, 3_500_000, 40, 502_000); // gpu 0 restarted from 0: its increase is 250 000 mJ
    got = await gatherAll(c);
    expect(got.get('energy')).toMatchObject({ value: 50 + 100 });
    expect(got.has('stamped')).toBe(false); // not updated by the source: no new rate
    await c.close();
    await expectNoLeaks(before);
  });

  it('gives bad samples with documented codes for absent, ambiguous and NaN series', async () => {
    body = ['a{x="1"} 1', 'a{x="2"} 2', 'n NaN', 'up 1'].join('\n');
    const c = connector({ url: `${server.url}/metrics` }, [
      sourcePoint('absent', 'nope'),
      sourcePoint('absentLabel', 'a x=3'),
      sourcePoint('ambiguous', 'a'),
      sourcePoint('nan', 'n'),
      sourcePoint('one', 'a x=2'),
      sourcePoint('up', 'up', {}, 'boolean'),
    ]);
    const got = await gatherAll(c);
    await c.close();
    const brief = Object.fromEntries([...got].map(([k, s]) => [k, [s.value, s.quality, s.rawStatus]]));
    expect(brief).toEqual({
      absent: [0, 'bad', 1],
      absentLabel: [0, 'bad', 1],
      ambiguous: [0, 'bad', 2],
      nan: [0, 'bad', 3],
      one: [2, 'good', undefined],
      up: [true, 'good', undefined],
    });
  });

  it('reads gzip and OpenMetrics answers and sends the scrape headers', async () => {
    body = '# TYPE m gauge\nm 4 1700000000.5\n# EOF\n';
    contentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
    gzip = true;
    const c = connector({ url: `${server.url}/metrics`, timeoutMs: 2500 }, [sourcePoint('m', 'm')]);
    const got = await gatherAll(c);
    await c.close();
    expect(got.get('m')).toMatchObject({ value: 4, ts: 1_700_000_000_500 });
    const seen = server.requests.at(-1)!;
    expect(seen.headers['accept-encoding']).toContain('gzip');
    expect(seen.headers.accept).toContain('text/plain;version=0.0.4');
    expect(seen.headers['x-prometheus-scrape-timeout-seconds']).toBe('2.5');
  });

  it('sends the bearer token and headers; an HTTP 500 fails the gather naming the URL, never the token', async () => {
    const before = activeHandles();
    const token = 's3cret-token-value';
    status = 500;
    body = `internal error: rejected Bearer ${token}\nsecond line`; // a server that echoes the token
    const c = connector(
      { url: `${server.url}/metrics`, bearerToken: token, headers: { 'X-Scope-OrgID': 'tenant-1' } },
      [sourcePoint('a', 'a')],
    );
    const delivered: SourceSample[] = [];
    const err = await c
      .gather(async (s) => void delivered.push(...s))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    await c.close();
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    expect(server.requests.at(-1)!.headers['x-scope-orgid']).toBe('tenant-1');
    expect(err?.message).toBe(
      `source "test": GET ${server.url}/metrics: HTTP 500 Internal Server Error: internal error: rejected Bearer ***; all 1 points are bad (rawStatus 500), retrying on the next poll`,
    );
    expect(err?.message).not.toContain(token);
    expect(delivered).toEqual([{ pointId: 'a', ts: expect.any(Number), value: 0, quality: 'bad', rawStatus: 500 }]);
    await expectNoLeaks(before);
  });

  it('reads the token from bearerTokenFile at every gather; basic auth from the URL, its password hidden', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-token-'));
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'first\n');
    body = 'a 1';
    const c = connector({ url: `${server.url}/metrics`, bearerTokenFile: file }, [sourcePoint('a', 'a')]);
    await gatherAll(c);
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer first');
    fs.writeFileSync(file, 'second');
    await gatherAll(c);
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer second');
    fs.rmSync(dir, { recursive: true });
    await expect(c.gather(async () => undefined)).rejects.toThrow(
      `source "test": cannot read bearerTokenFile ${file}: no such file`,
    );
    await c.close();

    status = 404;
    const withUser = server.url.replace('http://', 'http://monitor:p%40ss-word@');
    const b = connector({ url: `${withUser}/metrics` }, [sourcePoint('a', 'a')]);
    const err = await b.gather(async () => undefined).catch((e: Error) => e);
    await b.close();
    expect(server.requests.at(-1)!.headers.authorization).toBe(
      `Basic ${Buffer.from('monitor:p@ss-word').toString('base64')}`,
    );
    expect((err as Error).message).toContain(
      `GET http://monitor:***@127.0.0.1:${server.port}/metrics: HTTP 404 Not Found`,
    );
    expect((err as Error).message).not.toContain('p%40ss');
  });

  it('fails the gather on an unreachable endpoint, a timeout and a malformed exposition, with codes 5, 6 and 7', async () => {
    const before = activeHandles();
    const dead = await freePort();
    const cases: Array<[string, Record<string, unknown>, RegExp, number]> = [
      [
        'unreachable',
        { url: `http://127.0.0.1:${dead}/metrics` },
        new RegExp(`^source "test": GET http://127.0.0.1:${dead}/metrics: unreachable: connect ECONNREFUSED`),
        5,
      ],
      [
        'timeout',
        { url: `${server.url}/metrics`, timeoutMs: 100 },
        /^source "test": GET http:\/\/127.0.0.1:\d+\/metrics: no complete answer within 100 ms \(timeoutMs\); all 1 points/,
        6,
      ],
      [
        'malformed',
        { url: `${server.url}/metrics` },
        /^source "test": GET http:\/\/127.0.0.1:\d+\/metrics: not a Prometheus exposition: line 2: expected a metric name at character 1 of "<html>"/,
        7,
      ],
    ];
    for (const [name, options, message, code] of cases) {
      delayMs = name === 'timeout' ? 400 : 0;
      body = name === 'malformed' ? 'a 1\n<html>' : 'a 1';
      const c = connector(options, [sourcePoint('a', 'a')]);
      const delivered: SourceSample[] = [];
      const t = Date.now();
      const err = await c.gather(async (s) => void delivered.push(...s)).catch((e: Error) => e);
      await c.close();
      expect([name, (err as Error | undefined)?.message]).toEqual([name, expect.stringMatching(message)]);
      expect(Date.now() - t).toBeLessThan(1000);
      expect(delivered.map((s) => [s.quality, s.rawStatus])).toEqual([['bad', code]]);
    }
    await new Promise((r) => setTimeout(r, 400)); // the delayed answer of the timeout case
    await expectNoLeaks(before);
  });

  it('reads several URLs: instance labels, one down → its series absent with its code, the gather goes on', async () => {
    const dead = await freePort();
    body = 'm{gpu="0"} 5\nm{gpu="1"} 7';
    const c = connector(
      {
        url: [`${server.url}/metrics`, `http://127.0.0.1:${dead}/metrics`],
        mapping: {
          rack: { label: 'instance', table: { [`127.0.0.1:${server.port}`]: 'A01', [`127.0.0.1:${dead}`]: 'A02' } },
        },
      },
      [
        sourcePoint('a01', 'm;by=rack;agg=sum', { rack: 'A01' }),
        sourcePoint('a02', 'm;by=rack;agg=sum', { rack: 'A02' }),
      ],
    );
    const got = await gatherAll(c);
    await c.close();
    expect(got.get('a01')).toMatchObject({ value: 12, quality: 'good' });
    expect(got.get('a02')).toMatchObject({ quality: 'bad', rawStatus: 5 });
    expect(c.warnings).toEqual([
      expect.stringMatching(new RegExp(`^GET http://127.0.0.1:${dead}/metrics: unreachable`)),
    ]);
  });

  it('repeats a request once when a kept-alive socket turns out closed', async () => {
    // a raw server that answers the first request of each connection and drops the connection on the second
    const sockets = new Set<net.Socket>();
    const raw = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let n = 0;
      socket.on('data', () => {
        if (++n > 1) return void socket.destroy();
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\na 1\n',
        );
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const c = connector({ url: `http://127.0.0.1:${(raw.address() as net.AddressInfo).port}/metrics` }, [
      sourcePoint('a', 'a'),
    ]);
    try {
      expect((await gatherAll(c)).get('a')?.value).toBe(1);
      expect((await gatherAll(c)).get('a')?.value).toBe(1);
      expect(c.stats).toMatchObject({ requests: 2, failures: 0 });
    } finally {
      await c.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => raw.close(r));
    }
  });

  it('close() aborts a scrape in flight at once, delivers nothing and leaks nothing', async () => {
    const before = activeHandles();
    delayMs = 2000;
    body = 'a 1';
    const c = connector({ url: `${server.url}/metrics` }, [sourcePoint('a', 'a')]);
    let delivered = 0;
    const t = Date.now();
    const run = c.gather(async (s) => void (delivered += s.length));
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    await run;
    expect(Date.now() - t).toBeLessThan(500);
    expect(delivered).toBe(0);
    await new Promise((r) => setTimeout(r, 2000 - (Date.now() - t) + 50)); // let the server's delayed answer go
    await expectNoLeaks(before);
  });

  it('reports its state through the SourceRunner: up, degraded on HTTP 503, up again', async () => {
    body = 'a 1';
    const source = {
      name: 'gpus',
      intervalMs: 50,
      options: prometheusOptions.parse({ url: `${server.url}/metrics` }),
      points: [sourcePoint('a', 'a')],
    };
    const states: string[] = [];
    const runner = new SourceRunner(prometheus as ConnectorDefinition<never>, source as never, async () => undefined, {
      onStateChange: (s) => states.push(`${s.state}${s.lastError ? `: ${s.lastError}` : ''}`),
    });
    const waitFor = async (n: number) => {
      const end = Date.now() + 3000;
      while (states.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    };
    runner.start();
    await waitFor(1);
    status = 503;
    await waitFor(2);
    status = 200;
    await waitFor(3);
    await runner.stop();
    expect(states.slice(0, 3)).toEqual([
      'up',
      expect.stringMatching(
        /^degraded: source "gpus": GET http:\/\/127\.0\.0\.1:\d+\/metrics: HTTP 503 Service Unavailable/,
      ),
      expect.stringMatching(/^up/),
    ]);
  });
});
