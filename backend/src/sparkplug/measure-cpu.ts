/**
 * CPU of the Sparkplug path at scale, for README.md's figures: `npx tsx backend/src/sparkplug/measure-cpu.ts
 * [points=10000] [seconds=20]`. Starts Debian mosquitto on a free 127.0.0.1 port, an edge node process offering
 * one sample per point per second (in 10 batches a second, as pollers deliver them) and a primary host process
 * reading it, then reads utime+stime of all three from /proc/<pid>/stat over the window (after a 5 s warm-up)
 * and prints CPU ms per second and µs per sample. Bounded: it ends after warm-up + seconds and stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Sample } from '@plenum/model';
import { SparkplugEdge } from './edge-node';
import { startMosquitto } from './mosquitto.testkit';
import { PrimaryHost } from './primary-host';
import { brokerConfig, edgeConfig, edgePoint, tmpDir } from './testkit';

const TICKS = 100; // CLK_TCK on Linux

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
}

function pointsOf(n: number) {
  // 40 points a rack: n / 40 racks in rows of 10
  return Array.from({ length: n }, (_, i) => {
    const rack = Math.floor(i / 40);
    return edgePoint(`sim/hall1/R${Math.floor(rack / 10)}/K${rack}/srv${Math.floor((i % 40) / 4)}/s${i % 4}`);
  });
}

async function edgeRole(url: string, n: number): Promise<void> {
  const dir = tmpDir();
  const points = pointsOf(n);
  const edge = new SparkplugEdge({
    broker: brokerConfig(url),
    edge: edgeConfig({ primaryHostId: 'hub', intervalMs: 1000, clientId: 'measure-edge' }),
    site: 'sim',
    points,
    dataDir: dir,
  });
  edge.start();
  let k = 0;
  const t = setInterval(() => {
    const ts = Date.now();
    const slice = points.slice((k % 10) * (n / 10), ((k % 10) + 1) * (n / 10));
    k++;
    edge.offer(slice.map((p, i): Sample => ({ pointId: p.id, ts, value: i + k, quality: 'good' })));
  }, 100);
  process.on('SIGTERM', () => {
    clearInterval(t);
    const s = edge.status();
    console.log(`EDGE published=${s.published} queue=${s.queue.entries} bytes=${s.queue.bytes} seq=${s.seq}`);
    void edge.stop().then(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

function hostRole(url: string): void {
  let samples = 0;
  const host = new PrimaryHost({
    broker: brokerConfig(url),
    host: { hostId: 'hub', clientId: 'measure-host', reorderTimeoutMs: 2000 },
    onSamples: (s) => void (samples += s.length),
  });
  host.start();
  setInterval(() => console.log(`HOST samples=${samples}`), 1000);
  process.on('SIGTERM', () => {
    const e = host.status().edges[0];
    console.log(`HOST samples=${samples} gaps=${e?.gaps ?? 0} skipped=${host.status().skipped}`);
    void host.stop(0).then(() => process.exit(0));
  });
}

function child(role: string, url: string, n: number): { proc: ChildProcess; out: () => string } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'measure-cpu.ts'), role, url, String(n)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, out: () => out };
}

/**
 * `measure-cpu.ts replay [points] [seconds]`: the edge spools `seconds` of data while its primary host is away (one
 * second of samples every 50 ms, stamped a second apart), then the host comes up; prints how long the replay takes.
 */
async function replay(n: number, seconds: number): Promise<void> {
  const broker = await startMosquitto();
  const dir = tmpDir();
  const points = pointsOf(n);
  const edge = new SparkplugEdge({
    broker: brokerConfig(broker.url),
    edge: edgeConfig({ primaryHostId: 'hub', intervalMs: 50, clientId: 'measure-edge', maxQueueBytes: 4 * 2 ** 30 }),
    site: 'sim',
    points,
    dataDir: dir,
  });
  edge.start();
  const t0 = Date.now() - seconds * 1000;
  for (let k = 0; k < seconds; k++) {
    edge.offer(points.map((p, i): Sample => ({ pointId: p.id, ts: t0 + k * 1000, value: i + k, quality: 'good' })));
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 200));
  const q = edge.status().queue;
  console.log(
    `spooled ${q.entries} messages, ${(q.bytes / 1048576).toFixed(1)} MiB (${(q.bytes / (n * seconds)).toFixed(1)} bytes a sample)`,
  );
  const host = child('host', broker.url, n);
  const start = Date.now();
  const cpu0 = process.cpuUsage();
  while (edge.status().queue.entries > 0 && Date.now() - start < 300_000) await new Promise((r) => setTimeout(r, 50));
  const ms = Date.now() - start;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `replayed ${n * seconds} samples in ${(ms / 1000).toFixed(1)} s (${((n * seconds) / (ms / 1000)).toFixed(0)} samples/s, from the host's start); edge CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`,
  );
  await new Promise((r) => setTimeout(r, 1000));
  host.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  console.log(host.out().trim().split('\n').at(-1));
  host.proc.kill('SIGKILL');
  await edge.stop();
  await broker.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const [role, url, nArg] = process.argv.slice(2);
  if (role === 'edge') return edgeRole(url!, Number(nArg));
  if (role === 'host') return hostRole(url!);
  if (role === 'replay') return replay(Number(url ?? 10_000), Number(nArg ?? 60));
  const n = Number(process.argv[2] ?? 10_000);
  const seconds = Number(process.argv[3] ?? 20);
  const broker = await startMosquitto();
  const host = child('host', broker.url, n);
  const edge = child('edge', broker.url, n);
  try {
    await new Promise((r) => setTimeout(r, 5000));
    const pids = { edge: edge.proc.pid!, host: host.proc.pid!, mosquitto: broker.pid() };
    const start = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuTicks(p)]));
    const hostStart = Number(/HOST samples=(\d+)\n?$/.exec(host.out().trim().split('\n').at(-1) ?? '')?.[1] ?? 0);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const end = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuTicks(p)]));
    const hostEnd = Number(/HOST samples=(\d+)/.exec(host.out().trim().split('\n').at(-1) ?? '')?.[1] ?? 0);
    const received = hostEnd - hostStart;
    console.log(
      `${n} points at 1 Hz for ${seconds} s; the host received ${received} samples (${(received / seconds).toFixed(0)}/s)`,
    );
    for (const k of Object.keys(pids)) {
      const ms = ((end[k]! - start[k]!) * 1000) / TICKS;
      console.log(
        `${k.padEnd(10)} ${(ms / seconds).toFixed(1).padStart(7)} ms CPU per s  ${((ms * 1000) / (n * seconds)).toFixed(2).padStart(6)} µs per sample`,
      );
    }
  } finally {
    edge.proc.kill('SIGTERM');
    host.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    console.log(
      edge
        .out()
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('EDGE'))
        .join('\n'),
    );
    edge.proc.kill('SIGKILL');
    host.proc.kill('SIGKILL');
    await broker.stop();
  }
}

void main();
