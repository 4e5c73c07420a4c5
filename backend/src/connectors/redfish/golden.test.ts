/**
 * Golden test folders (`testcases/<case>/`): `config.yaml` (a whole plenum.yaml; `$URL` is replaced by the test
 * BMC's base URL — the DMTF mockup over HTTPS, user admin / golden-pw — and `$FINGERPRINT` by its certificate's
 * SHA-256 fingerprint), and either `expected.jsonl` (the samples of one gather, any order, without `ts`) or
 * `init.err` (the error lines as plenum.ts prints them after the file name: the loader's, the options schema's, or
 * init's; then no request reaches the BMC).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { parseSourceOptions } from '../common/options';
import type { SourceSample } from '../types';
import { redfish } from './index';
import type { RedfishConnector } from './redfish';
import { activeHandles, expectNoLeaks, makeCert, startBmc, type BmcServer } from './testkit';

const CASES_DIR = path.join(__dirname, 'testcases');
const CASES = fs
  .readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const read = (file: string) => fs.readFileSync(file, 'utf8');
const cert = makeCert();

let bmc: BmcServer;
beforeAll(async () => {
  bmc = await startBmc({ tls: cert, users: { admin: 'golden-pw' } });
});
afterAll(() => bmc.stop());

async function runCase(dir: string): Promise<{ error?: string; samples: SourceSample[] }> {
  const text = read(path.join(dir, 'config.yaml'))
    .replaceAll('$URL', bmc.url)
    .replaceAll('$FINGERPRINT', cert.fingerprint);
  let config;
  try {
    config = parseConfig(text, 'plenum.yaml', { connectors: ['redfish'], env: {} });
  } catch (e) {
    return { error: (e as Error).message.replace(/^plenum\.yaml: /gm, ''), samples: [] };
  }
  const errors: string[] = [];
  const connectors: RedfishConnector[] = [];
  config.sources.forEach((source, i) => {
    const parsed = parseSourceOptions(redfish.options, source, i);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      return;
    }
    try {
      connectors.push(redfish.init({ ...source, options: parsed.options }) as RedfishConnector);
    } catch (e) {
      errors.push((e as Error).message);
    }
  });
  if (errors.length > 0) {
    await Promise.all(connectors.map((c) => c.close()));
    return { error: errors.join('\n'), samples: [] };
  }
  const samples: SourceSample[] = [];
  try {
    for (const c of connectors) await c.gather(async (s) => void samples.push(...s));
  } catch (e) {
    return { error: (e as Error).message, samples };
  } finally {
    await Promise.all(connectors.map((c) => c.close()));
  }
  return { samples };
}

describe('redfish golden cases', () => {
  it.each(CASES)('%s', async (name) => {
    const dir = path.join(CASES_DIR, name);
    const before = activeHandles();
    const requestsBefore = bmc.requests.length;
    const outcome = await runCase(dir);
    const errFile = path.join(dir, 'init.err');
    if (fs.existsSync(errFile)) {
      expect(outcome.error?.replaceAll(bmc.url, '$URL')).toBe(read(errFile).trimEnd());
      expect(bmc.requests.length).toBe(requestsBefore); // init does no I/O
    } else {
      expect(outcome.error).toBeUndefined();
      const expected = read(path.join(dir, 'expected.jsonl'))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Partial<SourceSample>);
      const got = outcome.samples.map(({ pointId, value, quality, rawStatus }) => ({
        pointId,
        value,
        quality,
        ...(rawStatus !== undefined ? { rawStatus } : {}),
      }));
      const order = (a: { pointId?: string }, b: { pointId?: string }) =>
        (a.pointId ?? '').localeCompare(b.pointId ?? '');
      expect(got.sort(order)).toEqual(expected.sort(order));
    }
    await expectNoLeaks(before);
  });
});
