/**
 * Golden test folders (`testcases/<case>/`) run against Debian's snmpsim serving the recorded real devices of
 * fixtures/devices/snmp. A case holds `config.yaml` (a whole plenum.yaml; `$PORT` is snmpsim's UDP port, `$AUTH` and
 * `$PRIV` the v3 user's passphrases) and either `init.err` (the error lines, as plenum.ts prints them after the
 * file name) or `expected.jsonl` (the samples of one gather, any order, without `ts`), plus `gather.err` when the
 * gather must fail with that message after delivering them. Missing snmpsim fails the test with the install
 * command; nothing is skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { parseSourceOptions } from '../common/options';
import { activeHandles } from '../../testing/handles';
import type { SourceSample } from '../types';
import { snmp } from './index';
import type { SnmpConnector } from './snmp';
import { expectNoUdpLeaks, startSnmpsim, V3_USER, type Snmpsim } from './testkit';

const CASES_DIR = path.join(__dirname, 'testcases');
const CASES = fs
  .readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim();
}, 90_000);
afterAll(async () => {
  await sim?.stop();
});

const read = (file: string) => fs.readFileSync(file, 'utf8');

async function runCase(dir: string): Promise<{ initError?: string; gatherError?: string; samples: SourceSample[] }> {
  const text = read(path.join(dir, 'config.yaml'))
    .replaceAll('$PORT', String(sim.port))
    .replaceAll('$AUTH', V3_USER.authKey)
    .replaceAll('$PRIV', V3_USER.privKey);
  const config = parseConfig(text, 'config.yaml', { connectors: ['snmp'] });
  expect(config.sources).toHaveLength(1);
  const source = config.sources[0]!;
  const parsed = parseSourceOptions(snmp.options, source, 0);
  if (!parsed.ok) return { initError: parsed.errors.join('\n'), samples: [] };
  let connector: SnmpConnector;
  try {
    connector = snmp.init({ ...source, options: parsed.options }) as SnmpConnector;
  } catch (e) {
    return { initError: (e as Error).message, samples: [] };
  }
  const samples: SourceSample[] = [];
  const t0 = Date.now();
  try {
    await connector.gather(async (s) => void samples.push(...s));
  } catch (e) {
    return { gatherError: (e as Error).message, samples };
  } finally {
    await connector.close();
  }
  for (const s of samples) expect(s.ts).toBeGreaterThanOrEqual(t0);
  return { samples };
}

describe('snmp golden cases against snmpsim and the recorded devices', () => {
  it.each(CASES)(
    '%s',
    async (name) => {
      const dir = path.join(CASES_DIR, name);
      const before = activeHandles();
      const requestsBefore = sim.log.length;
      const outcome = await runCase(dir);
      const initErr = path.join(dir, 'init.err');
      if (fs.existsSync(initErr)) {
        expect(outcome.initError).toBe(read(initErr).trimEnd());
        await new Promise((r) => setTimeout(r, 100));
        expect(sim.log.length).toBe(requestsBefore);
        return;
      }
      expect(outcome.initError).toBeUndefined();
      const gatherErr = path.join(dir, 'gather.err');
      if (fs.existsSync(gatherErr)) {
        expect(outcome.gatherError).toBe(read(gatherErr).trimEnd().replaceAll('$PORT', String(sim.port)));
      } else expect(outcome.gatherError).toBeUndefined();
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
      await expectNoUdpLeaks(before);
    },
    30_000,
  );
});
