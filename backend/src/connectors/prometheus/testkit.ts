/**
 * Test helpers of the prometheus connector (not shipped code): points, sources, open-handle counts, a scriptable
 * HTTP server, the simulator's DCGM exporter, and Debian's Prometheus server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Location, ValueType } from '@plenum/model';
import type { SourceInstance, SourcePoint } from '../types';
import { prometheusOptions, type PrometheusOptions } from './config';
import { PrometheusConnector } from './prometheus';
import { freePort } from '../../testing/handles';

export { activeHandles, expectNoLeaks, freePort } from '../../testing/handles';

/** A configured point reading `address` in W (as DCGM speaks), at `location`. */
export function sourcePoint(
  id: string,
  address: string,
  location: Partial<Location> = {},
  valueType: ValueType = 'number',
): SourcePoint {
  return {
    id,
    domain: 'IT',
    quantity: 'power',
    unit: 'kW',
    grafanaUnit: 'kwatt',
    valueType,
    kind: 'measurement',
    writable: false,
    location: { site: 's', ...location },
    tags: [],
    source: { connector: 'prometheus', source: 'test', address },
    sourceUnit: 'W',
    conversion: { scale: 0.001, offset: 0 },
  };
}

/** A connector over `points` with options parsed by the schema (defaults filled). */
export function connector(
  options: Record<string, unknown>,
  points: SourcePoint[],
  now?: () => number,
  intervalMs = 1000,
): PrometheusConnector {
  const source: SourceInstance<PrometheusOptions> = {
    name: 'test',
    intervalMs,
    options: prometheusOptions.parse(options),
    points,
  };
  return new PrometheusConnector(source, now);
}

const REPO = path.join(__dirname, '..', '..', '..', '..');

/** The site of the repository's plenum.yaml (the simulated hall) followed by `sources` (a `sources:` block). */
export function siteWith(sources: string): string {
  const plenum = fs.readFileSync(path.join(REPO, 'plenum.yaml'), 'utf8');
  return `${plenum.slice(0, plenum.indexOf('\nsources:'))}\n${sources}`;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  stop(): Promise<void>;
}

/** An HTTP server on a free 127.0.0.1 port answering with `handler`; it records every request. */
export async function startServer(
  handler: (req: SeenRequest, res: http.ServerResponse) => void | Promise<void>,
): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      void handler(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** GET and parse JSON on a connection of its own (closed after the answer: no pooled socket outlives it). */
export function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${body}`));
        else {
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(e as Error);
          }
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMETHEUS_INSTALL_HINT =
  "the prometheus connector's api tests need Debian's Prometheus server: apt-get install -y prometheus (CI installs it in .ci/run)";

export interface PrometheusPeer {
  url: string;
  /** what the server printed, for failure messages */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's Prometheus on a free 127.0.0.1 port with a temporary TSDB, scraping `targets` (host:port) every
 * second, and resolves once `up` is 1 for every target. Fails (never skips) when the binary is missing.
 */
export async function startPrometheus(targets: string[], timeoutMs = 20_000): Promise<PrometheusPeer> {
  if (!fs.existsSync(PROMETHEUS_BIN)) throw new Error(PROMETHEUS_INSTALL_HINT);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-prom-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: dcgm',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  child.once('exit', () => (dead = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!dead) {
      child.kill('SIGTERM');
      const guard = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(guard);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (dead) {
      await stop();
      throw new Error(`prometheus exited before it was ready:\n${output}`);
    }
    try {
      const j = (await getJson(`${url}/api/v1/query?query=up`)) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      if (j.data.result.length === targets.length && j.data.result.every((r) => r.value[1] === '1')) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      await stop();
      throw new Error(`prometheus did not report up == 1 within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, log: () => output, stop };
}
