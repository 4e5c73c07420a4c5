import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * One process of the twin-and-backend pair, started as `npm start`'s launcher starts it (node + tsx, the same
 * entry point) but on its own, so a test can kill one of them (`kill -9` of the backend) and leave the other
 * running. Its own process group, so that `stop()` reaches anything it spawned.
 */
export interface Proc {
  child: ChildProcess;
  /** everything it printed so far, for failure messages */
  output(): string;
  /** resolves when the process has exited */
  exited: Promise<void>;
  /** sends `signal` to its process group (SIGKILL: `kill -9`, nothing runs after it) */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it has exited */
  stop(graceMs?: number): Promise<void>;
}

export function startProc(script: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group has gone already
    }
  };
  return {
    child,
    output: () => out,
    exited,
    kill,
    async stop(graceMs = 10_000) {
      kill('SIGTERM');
      const t = setTimeout(() => kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
      // anything it left in its group
      kill('SIGKILL');
    },
  };
}

/** The twin's ports, all on 127.0.0.1; the backend's config reads them from the SIM_* variables. */
export interface TwinPorts {
  opcua: number;
  modbus: number;
  dcgm: number;
  control: number;
}

/** the SIM_* variables that point the twin's servers (and a backend's config) at `ports` */
export function twinEnv(ports: TwinPorts): NodeJS.ProcessEnv {
  return {
    SIM_HOST: '127.0.0.1',
    SIM_OPCUA_PORT: String(ports.opcua),
    SIM_MODBUS_PORT: String(ports.modbus),
    SIM_DCGM_PORT: String(ports.dcgm),
    SIM_CONTROL_PORT: String(ports.control),
  };
}

/**
 * The twin (`backend/src/sim/main.ts`) on ports of its own choosing (every port 0: a port picked here and bound
 * later by the twin could be taken meanwhile by any outgoing connection of a test running beside it); resolves
 * with the ports it printed, once its control API answers. `args` adds options such as `--no-jobs`.
 */
export async function startTwin(
  config: string,
  dataDir: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Proc & { controlUrl: string; ports: TwinPorts }> {
  const p = startProc('backend/src/sim/main.ts', ['--config', config, ...args], {
    ...twinEnv({ opcua: 0, modbus: 0, dcgm: 0, control: 0 }),
    SIM_DATA_DIR: dataDir,
    ...env,
  });
  const printed = (re: RegExp) => Number(re.exec(p.output())?.[1] ?? NaN);
  const until = Date.now() + 60_000;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`the twin exited (${p.child.exitCode}):\n${p.output()}`);
    const ports: TwinPorts = {
      opcua: printed(/sim: OPC UA +opc\.tcp:\/\/127\.0\.0\.1:(\d+)/),
      modbus: printed(/sim: Modbus TCP PDUs +127\.0\.0\.1:(\d+)/),
      dcgm: printed(/sim: DCGM metrics +http:\/\/127\.0\.0\.1:(\d+)/),
      control: printed(/sim: control API +http:\/\/127\.0\.0\.1:(\d+)/),
    };
    const controlUrl = `http://127.0.0.1:${ports.control}`;
    if (Object.values(ports).every((n) => n > 0)) {
      try {
        if ((await fetch(`${controlUrl}/health`)).ok) return { ...p, controlUrl, ports };
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > until) {
      await p.stop();
      throw new Error(`the twin did not print its ports and answer within 60 s:\n${p.output()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The backend (`backend/src/main.ts --config <config>`) with its data in `dataDir`, reading the twin on `ports`;
 * resolves with its URL once it says where it listens (after automation has started, so after the guard's
 * start-up hand-back).
 */
export async function startBackend(
  config: string,
  ports: TwinPorts,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Proc & { url: string }> {
  const p = startProc('backend/src/main.ts', ['--config', config], {
    ...twinEnv(ports),
    PLENUM_DATA: dataDir,
    PLENUM_PORT: '0',
    ...env,
  });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the backend did not listen within 60 s:\n${p.output()}`)), 60_000);
    const check = () => {
      const m = /API listening on (http:\/\/\S+)/.exec(p.output());
      if (m) {
        clearTimeout(t);
        p.child.stdout!.off('data', check);
        resolve(m[1]!);
      }
    };
    p.child.stdout!.on('data', check);
    void p.exited.then(() => {
      clearTimeout(t);
      reject(new Error(`the backend exited (${p.child.exitCode ?? p.child.signalCode}):\n${p.output()}`));
    });
  }).catch(async (err: unknown) => {
    await p.stop();
    throw err;
  });
  return { ...p, url };
}
