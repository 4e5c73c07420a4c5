// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load (plain Node 20.20 can): a stand-in
// for its only use, hex dumps in debug output
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));

/**
 * Golden test folders (`testcases/<case>/`) run against the simulator's OPC UA server. A case holds `config.yaml`
 * (a whole plenum.yaml; `$ENDPOINT` and `$PKI` are replaced by the server's endpoint and a temporary client PKI)
 * and either `expected.jsonl` (the first sample of each point, any order, without `ts`; a line without `value`
 * checks quality and rawStatus only) or `init.err` (the error lines, as plenum.ts prints them after the file name).
 */
import fs from 'node:fs';
import path from 'node:path';
import { LogLevel, setLogLevel } from 'node-opcua';
import { parseConfig } from '../../config/load';
import { parseSourceOptions } from '../common/options';
import type { SourceSample } from '../types';
import { opcua } from './index';
import { activeHandles, collector, expectNoLeaks, startSim, tempDir, type SimPeer } from './testkit';

setLogLevel(LogLevel.Error);

const CASES_DIR = path.join(__dirname, 'testcases');
const CASES = fs
  .readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const read = (file: string) => fs.readFileSync(file, 'utf8');

let dir: string;
let sim: SimPeer;
beforeAll(async () => {
  dir = tempDir();
  sim = await startSim({ pkiDir: path.join(dir, 'server-pki') });
});
afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function runCase(caseDir: string): Promise<{ error?: string; samples: SourceSample[] }> {
  const text = read(path.join(caseDir, 'config.yaml'))
    .replaceAll('$ENDPOINT', sim.endpoint)
    .replaceAll('$PKI', path.join(dir, 'client-pki'));
  const config = parseConfig(text, 'config.yaml', { connectors: ['opcua'], env: {} });
  expect(config.sources).toHaveLength(1);
  const source = config.sources[0]!;
  const parsed = parseSourceOptions(opcua.options, source, 0);
  if (!parsed.ok) return { error: parsed.errors.join('\n'), samples: [] };
  let connector;
  try {
    connector = opcua.init({ ...source, options: parsed.options });
  } catch (e) {
    return { error: (e as Error).message, samples: [] };
  }
  const got = collector();
  if (connector.mode === 'poll') {
    await connector.gather(got.sink).finally(() => connector.close());
  } else {
    try {
      await connector.start(got.sink);
      await got.until('a sample of every point', (all) =>
        source.points.every((p) => all.some((s) => s.pointId === p.id)),
      );
    } finally {
      await connector.stop();
    }
  }
  return { samples: got.samples };
}

describe('opcua golden cases against the simulator', () => {
  it.each(CASES)('%s', async (name) => {
    const caseDir = path.join(CASES_DIR, name);
    const before = activeHandles();
    const requests = () => [...sim.server.requestCounts.values()].reduce((a, b) => a + b, 0);
    const requestsBefore = requests();
    const outcome = await runCase(caseDir);
    const errFile = path.join(caseDir, 'init.err');
    if (fs.existsSync(errFile)) {
      expect(outcome.error).toBe(read(errFile).trimEnd());
      expect(requests()).toBe(requestsBefore); // init does no I/O
    } else {
      expect(outcome.error).toBeUndefined();
      const expected = read(path.join(caseDir, 'expected.jsonl'))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Partial<SourceSample> & { pointId: string });
      const first = new Map<string, SourceSample>();
      for (const s of outcome.samples) if (!first.has(s.pointId)) first.set(s.pointId, s);
      expect([...first.keys()].sort()).toEqual(expected.map((e) => e.pointId).sort());
      for (const e of expected) {
        const s = first.get(e.pointId)!;
        const shown = {
          pointId: s.pointId,
          quality: s.quality,
          ...(s.rawStatus !== undefined ? { rawStatus: s.rawStatus } : {}),
        };
        expect({ ...shown, ...('value' in e ? { value: s.value } : {}) }).toEqual(e);
      }
    }
    await expectNoLeaks(before, 3000);
  });
});
