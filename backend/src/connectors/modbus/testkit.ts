/**
 * Test helpers of the modbus connector (not shipped code): points, free ports, open-handle counts, and the
 * Debian pymodbus peer (fixtures/pymodbus_server.py).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ValueType } from '@plenum/model';
import type { SourcePoint } from '../types';
import { freePort } from '../../testing/handles';

export { activeHandles, expectNoLeaks, freePort } from '../../testing/handles';

/** A minimal configured point reading `address`, in its canonical unit. */
export function sourcePoint(id: string, address: string, valueType: ValueType = 'number'): SourcePoint {
  return {
    id,
    domain: 'OT',
    quantity: 'power',
    unit: 'kW',
    grafanaUnit: 'kwatt',
    valueType,
    kind: 'measurement',
    writable: false,
    location: { site: 's' },
    tags: [],
    source: { connector: 'modbus', source: 'test', address },
    sourceUnit: 'kW',
    conversion: { scale: 1, offset: 0 },
  };
}

/** Debian's interpreter: the pyenv shims on PATH do not see Debian's python3-pymodbus. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const INSTALL_HINT =
  'the modbus tests need Debian python3-pymodbus and mbpoll (apt-get install -y python3-pymodbus mbpoll); CI installs them in .ci/run';

/** Throws (fails the test, never skips) when pymodbus is missing. */
export function requirePymodbus(): void {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', 'import pymodbus; print(pymodbus.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${INSTALL_HINT}\n${r.error?.message ?? r.stderr}`);
}

export interface PymodbusPeer {
  tcpPort: number;
  rtuPort: number;
  /** the client end of a pseudo-terminal pair with pymodbus as an RTU slave on the other end */
  serialPath: string;
  /** `REQ tcp unit=1 fc=3 addr=0 count=20` lines, one per request the peer received */
  requests: string[];
  stop(): Promise<void>;
}

/** Starts fixtures/pymodbus_server.py on two free ports; resolves once it listens. */
export async function startPymodbus(slowMs: number): Promise<PymodbusPeer> {
  requirePymodbus();
  const [tcpPort, rtuPort] = [await freePort(), await freePort()];
  const script = path.join(__dirname, 'fixtures', 'pymodbus_server.py');
  const child: ChildProcess = spawn(DEBIAN_PYTHON, [script, String(tcpPort), String(rtuPort), String(slowMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const requests: string[] = [];
  let serialPath = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`pymodbus did not start within 10 s: ${stderr}`)), 10_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pymodbus exited with ${code}: ${stderr}`));
    });
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('READY')) {
          serialPath = /serial=(\S+)/.exec(line)?.[1] ?? '';
          clearTimeout(timer);
          resolve();
        } else if (line.startsWith('REQ ')) requests.push(line.slice(4));
      }
    });
  });
  return {
    tcpPort,
    rtuPort,
    serialPath,
    requests,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
