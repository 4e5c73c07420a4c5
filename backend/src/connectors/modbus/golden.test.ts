/**
 * Golden test folders (`testcases/<case>/`) run against Debian's pymodbus (fixtures/pymodbus_server.py), plus a
 * cross-check with Debian's mbpoll, a third Modbus implementation reading the same peer.
 *
 * A case holds `config.yaml` (a whole plenum.yaml; `$TCP_PORT` / `$RTU_PORT` are replaced by the peer's
 * ports, `$SERIAL_PATH` by the pseudo-terminal where pymodbus is an RTU slave), and either `expected.jsonl` (the samples of one gather, any order, without `ts`) or `init.err` (the
 * error lines, as plenum.ts prints them after the file name). An optional `stats.json` holds counters the
 * connector must show after the gather, and `peerRequests`, the requests the peer saw.
 *
 * Missing pymodbus or mbpoll fails the test with the install command; nothing is skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { parseSourceOptions } from '../common/options';
import type { SourceSample } from '../types';
import { modbusOptions } from './config';
import { modbus } from './index';
import { ModbusConnector } from './modbus';
import { activeHandles, expectNoLeaks, INSTALL_HINT, sourcePoint, startPymodbus, type PymodbusPeer } from './testkit';

const CASES_DIR = path.join(__dirname, 'testcases');
const CASES = fs
  .readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** ms the slow unit (4) waits before answering: far beyond the cases' timeouts */
const SLOW_MS = 1500;

let peer: PymodbusPeer;
beforeAll(async () => {
  peer = await startPymodbus(SLOW_MS);
});
afterAll(async () => {
  await peer?.stop();
});

const read = (file: string) => fs.readFileSync(file, 'utf8');

interface Outcome {
  error?: string;
  samples: SourceSample[];
  stats?: Record<string, number>;
}

async function runCase(dir: string): Promise<Outcome> {
  const text = read(path.join(dir, 'config.yaml'))
    .replaceAll('$TCP_PORT', String(peer.tcpPort))
    .replaceAll('$RTU_PORT', String(peer.rtuPort))
    .replaceAll('$SERIAL_PATH', peer.serialPath);
  const config = parseConfig(text, 'config.yaml', { connectors: ['modbus'] });
  expect(config.sources).toHaveLength(1);
  const source = config.sources[0]!;
  const parsed = parseSourceOptions(modbus.options, source, 0);
  if (!parsed.ok) return { error: parsed.errors.join('\n'), samples: [] };
  let connector: ModbusConnector;
  try {
    connector = modbus.init({ ...source, options: parsed.options }) as ModbusConnector;
  } catch (e) {
    return { error: (e as Error).message, samples: [] };
  }
  const samples: SourceSample[] = [];
  const t0 = Date.now();
  try {
    await connector.gather(async (s) => void samples.push(...s));
  } catch (e) {
    return { error: (e as Error).message, samples };
  } finally {
    await connector.close();
  }
  for (const s of samples) {
    expect(s.ts).toBeGreaterThanOrEqual(t0);
    expect(s.ts).toBeLessThanOrEqual(Date.now());
  }
  return { samples, stats: { ...connector.stats } };
}

describe('modbus golden cases against pymodbus', () => {
  it.each(CASES)('%s', async (name) => {
    const dir = path.join(CASES_DIR, name);
    const before = activeHandles();
    const peerBefore = peer.requests.length;
    const outcome = await runCase(dir);
    const errFile = path.join(dir, 'init.err');
    if (fs.existsSync(errFile)) {
      expect(outcome.error).toBe(read(errFile).trimEnd());
      expect(peer.requests.length).toBe(peerBefore);
    } else {
      expect(outcome.error).toBeUndefined();
      const expected = read(path.join(dir, 'expected.jsonl'))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as SourceSample);
      const got = outcome.samples.map(({ pointId, value, quality, rawStatus }) => ({
        pointId,
        value,
        quality,
        ...(rawStatus !== undefined ? { rawStatus } : {}),
      }));
      const order = (a: { pointId: string }, b: { pointId: string }) => a.pointId.localeCompare(b.pointId);
      expect(got.sort(order)).toEqual(expected.sort(order));
    }
    const statsFile = path.join(dir, 'stats.json');
    if (fs.existsSync(statsFile)) {
      const { peerRequests, ...stats } = JSON.parse(read(statsFile)) as Record<string, number>;
      expect(outcome.stats).toMatchObject(stats);
      if (peerRequests !== undefined) {
        // the peer logs each request on its stdout, which may arrive after the answer did
        const end = Date.now() + 2000;
        while (peer.requests.length - peerBefore < peerRequests && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 10));
        }
        expect(peer.requests.slice(peerBefore)).toHaveLength(peerRequests);
      }
    }
    await expectNoLeaks(before);
  });

  it('agrees with mbpoll, an independent client, on the same registers', async () => {
    const mbpoll = (args: string[]): string => {
      const r = spawnSync('mbpoll', ['-1', '-0', '-p', String(peer.tcpPort), ...args, '127.0.0.1'], {
        encoding: 'utf8',
        timeout: 5000,
      });
      if (r.error) throw new Error(`${INSTALL_HINT}\n${r.error.message}`);
      const m = /^\[\d+\]:\s+(\S+)/m.exec(r.stdout);
      if (!m) throw new Error(`mbpoll ${args.join(' ')} printed no value:\n${r.stdout}${r.stderr}`);
      return m[1] as string;
    };
    const points = [
      sourcePoint('f32', 'unit=1;hr=6;float32;ABCD'),
      sourcePoint('f32cdab', 'unit=1;hr=106;float32;CDAB'),
      sourcePoint('i32', 'unit=1;hr=2;int32;ABCD'),
      sourcePoint('i32cdab', 'unit=1;hr=102;int32;CDAB'),
      sourcePoint('ir', 'unit=1;ir=1;float32'),
      sourcePoint('u16', 'unit=1;hr=1'),
      sourcePoint('coil', 'unit=1;coil=3', 'boolean'),
    ];
    const c = modbus.init({
      name: 'x',
      intervalMs: 1000,
      options: modbusOptions.parse({ host: '127.0.0.1', port: peer.tcpPort }),
      points,
    }) as ModbusConnector;
    const got: Record<string, unknown> = {};
    await c.gather(async (s) => s.forEach((x) => (got[x.pointId] = x.value)));
    await c.close();
    // mbpoll: -B big-endian word order (ABCD), default little-endian word order (CDAB)
    expect(Number(mbpoll(['-t', '4:float', '-B', '-r', '6']))).toBe(got.f32);
    expect(Number(mbpoll(['-t', '4:float', '-r', '106']))).toBe(got.f32cdab);
    expect(Number(mbpoll(['-t', '4:int', '-B', '-r', '2']))).toBe(got.i32);
    expect(Number(mbpoll(['-t', '4:int', '-r', '102']))).toBe(got.i32cdab);
    expect(Number(mbpoll(['-t', '3:float', '-B', '-r', '1']))).toBe(got.ir);
    expect(Number(mbpoll(['-t', '4', '-r', '1']))).toBe(got.u16);
    expect(mbpoll(['-t', '0', '-r', '3']) === '1').toBe(got.coil);
  });
});
