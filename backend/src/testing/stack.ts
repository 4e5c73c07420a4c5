import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './handles';

const ROOT = path.resolve(__dirname, '../../..');

export interface Stack {
  /** the backend, e.g. http://127.0.0.1:41234 */
  url: string;
  /** the simulator's control API (jobs, faults) */
  controlUrl: string;
  /** everything both processes printed so far, for failure messages */
  output(): string;
  stop(): Promise<void>;
}

/**
 * What `npm start` runs — the simulator and the backend as two processes over real protocols — on free ports
 * and a temporary data folder, for end-to-end tests. `env` adds settings such as `PLENUM_API_TOKEN`. Resolves
 * once the backend listens and the simulator's control API is up; a port picked free can be taken by another
 * test before the stack binds it (the launcher then exits on EADDRINUSE): that start is tried again on new ports.
 */
export async function startStack(env: NodeJS.ProcessEnv = {}): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    const stack = await launchStack(env);
    const up = await stack.ready();
    if (up === 'up') return stack;
    await stack.stop();
    if (up !== 'port taken' || attempt === 3) {
      throw new Error(`the stack did not start (${up}):\n${stack.output().split('\n').slice(-40).join('\n')}`);
    }
  }
}

async function launchStack(env: NodeJS.ProcessEnv): Promise<Stack & { ready(): Promise<string> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-e2e-'));
  const [api, opcua, modbus, dcgm, control] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  // its own process group, so that stop() reaches the launcher's children even when the launcher itself has to be
  // killed — a killed launcher would otherwise leave the simulator and the backend running after the test
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'backend/src/launch.ts'), '--config', path.join(ROOT, 'plenum.yaml')],
    {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        PLENUM_DATA: dir,
        PLENUM_PORT: String(api),
        SIM_OPCUA_PORT: String(opcua),
        SIM_MODBUS_PORT: String(modbus),
        SIM_DCGM_PORT: String(dcgm),
        SIM_CONTROL_PORT: String(control),
        PLENUM_PREVIEW_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let gone = false;
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      gone = true;
      r();
    }),
  );
  return {
    /** 'up', 'port taken' (EADDRINUSE before it was up), 'exited' or 'timed out' (90 s) */
    async ready() {
      for (const until = Date.now() + 90_000; Date.now() < until;) {
        if (/EADDRINUSE/.test(out)) return 'port taken';
        if (/API listening on/.test(out) && /sim: control API/.test(out)) return 'up';
        if (gone) return 'exited';
        await new Promise((r) => setTimeout(r, 100));
      }
      return 'timed out';
    },
    url: `http://127.0.0.1:${api}`,
    controlUrl: `http://127.0.0.1:${control}`,
    output: () => out,
    async stop() {
      const group = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // the group has already gone
        }
      };
      group('SIGTERM');
      const guard = setTimeout(() => group('SIGKILL'), 15_000);
      await exited;
      clearTimeout(guard);
      // anything the launcher left behind in its group
      group('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 250 ms until it returns a value (not undefined) or `ms` pass; names what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
