import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../common/free-port';

/**
 * Remote-write receivers as test peers, Debian's own binaries: Prometheus 2.42 with
 * `--web.enable-remote-write-receiver`, and VictoriaMetrics 1.79 single node. Each listens on 127.0.0.1 with a
 * temp storage folder; `stop()` ends it (SIGTERM, SIGKILL after 5 s) and `remove()` deletes the folder. A peer
 * can be started again on the same folder and port (`restart`), as an outage that ends looks to a sender.
 */
export interface Peer {
  /** base URL, `http://127.0.0.1:<port>` */
  url: string;
  /** where remote write goes */
  writeUrl: string;
  /** the receiver's process, for its CPU time (/proc/<pid>/stat) */
  pid(): number | undefined;
  /** ends the process, keeps its storage */
  stop(): Promise<void>;
  /** starts it again on the same storage and port */
  restart(): Promise<void>;
  /** stop() and delete the storage folder */
  remove(): Promise<void>;
  output(): string;
}

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const VICTORIA_METRICS_BIN = '/usr/bin/victoria-metrics';

export const prometheusAvailable = (): boolean => fs.existsSync(PROMETHEUS_BIN);
export const victoriaMetricsAvailable = (): boolean => fs.existsSync(VICTORIA_METRICS_BIN);

async function waitReady(what: string, url: string, child: ChildProcess, log: () => string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready within ${ms} ms: ${log()}`);
}

interface PeerSpec {
  what: string;
  bin: string;
  args: (port: number, dir: string) => string[];
  /** answers 200 once it accepts writes and queries */
  readyPath: string;
  writePath: string;
  prepare?: (dir: string) => void;
}

async function startPeer(spec: PeerSpec): Promise<Peer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plenum-${spec.what}-`));
  spec.prepare?.(dir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(spec.bin, spec.args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    c.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    try {
      await waitReady(spec.what, `${url}${spec.readyPath}`, c, () => output, 30_000);
    } catch (err) {
      await stop();
      throw err;
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url,
    writeUrl: `${url}${spec.writePath}`,
    pid: () => (child && child.exitCode === null ? child.pid : undefined),
    stop,
    restart: start,
    async remove() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    output: () => output,
  };
}

/** Prometheus 2.42, remote-write receiver on, 5 min lookback, retention long enough for any test data. */
export function startPrometheus(): Promise<Peer> {
  return startPeer({
    what: 'prometheus',
    bin: PROMETHEUS_BIN,
    // evaluation_interval is the default step of subqueries written without one (`x[10m:]`)
    prepare: (dir) => fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1m\n'),
    args: (port, dir) => [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--query.lookback-delta=5m',
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    writePath: '/api/v1/write',
  });
}

/**
 * VictoriaMetrics single node. `-search.latencyOffset=0s`: by default it hides the newest 30 s from queries
 * (samples still arriving); tests read back at once. Call `/internal/force_flush` before reading: it keeps
 * incoming rows in memory for up to a second.
 */
export function startVictoriaMetrics(): Promise<Peer> {
  return startPeer({
    what: 'victoria-metrics',
    bin: VICTORIA_METRICS_BIN,
    args: (port, dir) => [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${path.join(dir, 'data')}`,
      '-retentionPeriod=100y',
      '-search.latencyOffset=0s',
      '-loggerLevel=WARN',
    ],
    readyPath: '/health',
    writePath: '/api/v1/write',
  });
}

/** the name the PromQL differential test and bench use */
export type PrometheusPeer = Peer;
