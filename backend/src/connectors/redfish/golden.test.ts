/**
 * Golden test folders (`testcases/<case>/`): `config.yaml` (a whole plenum.yaml; `$URL` is replaced by the test
 * BMC's base URL — the DMTF mockup over HTTPS, user admin / golden-pw — and `$FINGERPRINT` by its certificate's
 * SHA-256 fingerprint), and either `expected.jsonl` (the samples of one gather, any order, without `ts`) or
 * `init.err` (the error lines as plenum.ts prints them after the file name: the loader's, the options schema's, or
 * init's; then no request reaches the BMC).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runGoldenConfig } from '../common/golden-run';
import type { ConnectorDefinition, SourceSample } from '../types';
import { redfish } from './index';
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
  return runGoldenConfig(redfish as ConnectorDefinition<never>, text, {});
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
