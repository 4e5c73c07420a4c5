import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Sample } from '@plenum/model';

/**
 * A private InfluxDB 1.6 (Debian's `influxd`) for the benchmark baseline: temp config, data in a temp folder,
 * loopback on free ports, no reporting, fsync on every WAL write (wal-fsync-delay 0, like our FULL sync).
 */

export const INFLUXD = '/usr/bin/influxd';
const DB = 'bench';
/** Linux clock ticks per second for /proc/<pid>/stat (getconf CLK_TCK) */
const CLK_TCK = 100;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function folderBytes(dir: string, skip?: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (name === skip) continue;
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? folderBytes(p) : st.size;
  }
  return total;
}

function escapeTag(s: string): string {
  return s.replace(/[,= ]/g, (c) => `\\${c}`);
}

function fieldValue(v: Sample['value']): string {
  if (typeof v === 'string') return `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return String(v);
}

export class Influx {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  private constructor(
    private readonly proc: ChildProcess,
    private readonly port: number,
    readonly dir: string,
  ) {}

  static async start(dir: string): Promise<Influx> {
    const [httpPort, rpcPort] = [await freePort(), await freePort()];
    mkdirSync(dir, { recursive: true });
    const config = `
reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  wal-fsync-delay = "0s"
  index-version = "inmem"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "10s"
  max-series-per-database = 0
  max-values-per-tag = 0
[coordinator]
  log-queries-after = "0s"
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false
  max-body-size = 0
[logging]
  level = "warn"
`;
    const configPath = join(dir, 'influxdb.conf');
    writeFileSync(configPath, config);
    const proc = spawn(INFLUXD, ['-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const influx = new Influx(proc, httpPort, dir);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`influxd exited (${proc.exitCode}): ${stderr}`);
      try {
        const res = await influx.request('GET', '/ping');
        if (res.status === 204) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`influxd did not answer /ping within 30 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await influx.query(`CREATE DATABASE ${DB}`);
    return influx;
  }

  private request(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: body ? { 'Content-Length': Buffer.byteLength(body) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** CPU seconds influxd has used so far (user + system, from /proc) */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8');
    // fields after the command name in parentheses; utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  }

  /** line protocol: one measurement per value type (a field keeps one type), the point id as a tag */
  static lines(samples: Sample[], measurementOf: (pointId: string) => string): string[] {
    return samples.map(
      (s) => `${measurementOf(s.pointId)},point=${escapeTag(s.pointId)} value=${fieldValue(s.value)} ${s.ts}`,
    );
  }

  async write(lines: string[]): Promise<void> {
    const res = await this.request('POST', `/write?db=${DB}&precision=ms`, lines.join('\n'));
    if (res.status !== 204) throw new Error(`influx write failed (${res.status}): ${res.body.slice(0, 300)}`);
  }

  async query(q: string): Promise<unknown> {
    const res = await this.request('POST', `/query?db=${DB}&epoch=ms&q=${encodeURIComponent(q)}`);
    if (res.status !== 200) throw new Error(`influx query failed (${res.status}): ${res.body.slice(0, 300)}`);
    const parsed = JSON.parse(res.body) as { results?: Array<{ error?: string }> };
    const err = parsed.results?.find((r) => r.error)?.error;
    if (err) throw new Error(`influx query failed: ${err}`);
    return parsed;
  }

  /**
   * bytes of the database's shards (TSM files + WAL). The database-wide series file (`_series`, 32 MB of
   * preallocated segments however few series there are) is left out, which flatters InfluxDB.
   */
  shardBytes(): number {
    return folderBytes(join(this.dir, 'data', DB), '_series') + folderBytes(join(this.dir, 'wal', DB));
  }

  /** waits until the shard files stop changing (snapshots and full compactions done), up to maxMs */
  async settle(maxMs: number, quietMs = 12_000): Promise<{ settled: boolean; waitedMs: number }> {
    const started = Date.now();
    let last = -1;
    let stableSince = Date.now();
    while (Date.now() - started < maxMs) {
      const wal = folderBytes(join(this.dir, 'wal', DB));
      const size = this.shardBytes();
      if (size !== last) {
        last = size;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= quietMs && wal < 64 * 1024) {
        return { settled: true, waitedMs: Date.now() - started };
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return { settled: false, waitedMs: Date.now() - started };
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
