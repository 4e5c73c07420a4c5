/**
 * An HTTP endpoint shaped like NVIDIA's dcgm-exporter: `GET /metrics` answers the Prometheus text exposition of
 * every simulated GPU (dcgm-format.ts), read from the model at request time.
 */
import * as http from 'node:http';
import type { GpuHostReading } from './model';
import { formatDcgmMetrics } from './dcgm-format';
import { closeHttp, listenHttp } from './http-server';

export interface DcgmExporterOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port; @default 9400 */
  port?: number;
}

export interface GpuSource {
  gpuHosts(): GpuHostReading[];
}

export class DcgmExporter {
  private server?: http.Server;
  private boundPort?: number;

  constructor(
    private readonly source: GpuSource,
    private readonly opts: DcgmExporterOptions = {},
  ) {}

  get port(): number | undefined {
    return this.boundPort;
  }

  /** Starts listening; rejects naming the address when it cannot. */
  async start(): Promise<number> {
    if (this.server) throw new Error('dcgm exporter: already started');
    const host = this.opts.host ?? '127.0.0.1';
    const port = this.opts.port ?? 9400;
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    try {
      this.boundPort = await listenHttp(server, host, port, 'dcgm exporter', (m) => console.warn(m));
    } catch (err) {
      this.server = undefined;
      throw err;
    }
    return this.boundPort;
  }

  /** Stops listening and drops open connections (scrapers keep them alive); bounded by that. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeHttp(server);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      let body: string;
      try {
        body = formatDcgmMetrics(this.source.gpuHosts());
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(err as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; the metrics are at /metrics\n');
  }
}
