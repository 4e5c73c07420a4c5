/**
 * Debian's mosquitto as the broker of the Sparkplug tests and of `npm run bench:scaleout`: one per test file, on
 * 127.0.0.1 and a free port, anonymous, with deploy/scale/mosquitto.conf's `persistence true` (in its temporary
 * folder; saved only at a clean exit or after 1800 s, so a SIGKILL keeps nothing — the point of those faults) and
 * `set_tcp_nodelay true`. `kill()` is SIGKILL (an outage without a goodbye); `restart()` brings it back on the same
 * port. Tests call `stop()` in afterAll, which also runs when a test failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../common/free-port';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  port: number;
  url: string;
  /** the broker's pid (for /proc/<pid>/stat) */
  pid(): number;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

async function accepting(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `extra`: more mosquitto.conf lines for the listener (cafile, certfile, keyfile for TLS). */
export async function startMosquitto(extra: readonly string[] = [], scheme = 'mqtt'): Promise<Mosquitto> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  // mosquitto started as root drops to its own user: the database folder must be reachable and writable by it
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(data, 0o777);
  fs.writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      ...extra,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${data}/`,
      'set_tcp_nodelay true',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let out = '';
  const launch = async () => {
    const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child = c;
    await accepting(port, 10_000);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await launch();
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    pid: () => child?.pid ?? -1,
    kill,
    restart: launch,
    async stop() {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
  };
}
