import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SUITE_TOKENS } from '../suite';
import { treePids } from './proc';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'backend/src/main.ts');

export interface Backend {
  url: string;
  pid: number;
  /** everything the process printed so far (for the runner's token check and failure messages) */
  output(): string;
  /** resident memory of the backend process in MiB, from /proc (Linux) */
  rssMiB(): number;
  /** bytes of every file under the data folder */
  diskBytes(): number;
  /**
   * SIGTERM to the backend process itself, SIGKILL to the whole tree after `killAfterMs` (@default 20 s); resolves
   * with the exit code (the backend's, which tsx's launcher passes on)
   */
  stop(killAfterMs?: number): Promise<number | null>;
}

/**
 * The backend as a separate process (`tsx backend/src/main.ts --config <file>`), on 127.0.0.1 and a port the
 * kernel picks, data in `dataDir`, with the suites' tokens configured (SUITE_TOKENS) so that every request a
 * suite makes is authenticated as Grafana's proxy would be.
 */
export async function startBackend(config: string, dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Backend> {
  const child: ChildProcess = spawn(TSX, [MAIN, '--config', config], {
    cwd: ROOT,
    env: {
      ...process.env,
      PLENUM_DATA: dataDir,
      PLENUM_HOST: '127.0.0.1',
      PLENUM_PORT: '0',
      PLENUM_API_TOKEN: SUITE_TOKENS.read,
      PLENUM_OPERATE_TOKEN: SUITE_TOKENS.operate,
      PLENUM_ADMIN_TOKEN: SUITE_TOKENS.admin,
      PLENUM_JOBS_TOKEN: SUITE_TOKENS.jobs,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /API listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`backend exited with ${code} before listening:\n${out}`)));
  });
  // tsx runs the backend in a child of its own (with esbuild below it): treePids(pid)[1] holds the heap
  const pid = child.pid!;
  return {
    url,
    pid,
    output: () => out,
    rssMiB: () => treeRssMiB(pid),
    diskBytes: () => dirBytes(dataDir),
    async stop(killAfterMs = 20_000) {
      const tree = treePids(pid);
      terminate(pid);
      const guard = setTimeout(() => {
        for (const p of tree.reverse())
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone
          }
      }, killAfterMs);
      const code = await exited;
      clearTimeout(guard);
      return code;
    },
  };
}

/**
 * SIGTERM to the process tsx's launcher `launcherPid` runs (the launcher itself when it has no child). Not to the
 * launcher: tsx relays a signal to its child and SIGKILLs the child when the child has not confirmed it within
 * ~60 ms (tsx 4 `relaySignals`), so a backend whose event loop is busy for longer — ingesting, flushing heads —
 * would be killed instead of closing.
 */
export function terminate(launcherPid: number): void {
  const target = treePids(launcherPid)[1] ?? launcherPid;
  try {
    process.kill(target, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** RSS of a process and its descendants, MiB (tsx's launcher is small; the backend is its child). */
export function treeRssMiB(pid: number): number {
  let kb = 0;
  for (const p of treePids(pid))
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // gone
    }
  return kb / 1024;
}

export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      n += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
    } catch {
      // removed meanwhile (a WAL checkpoint)
    }
  }
  return n;
}

/** `Authorization` header for a scope of SUITE_TOKENS. */
export const bearer = (scope: keyof typeof SUITE_TOKENS) => ({ authorization: `Bearer ${SUITE_TOKENS[scope]}` });
