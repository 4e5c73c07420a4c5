/**
 * Golden test folders (`testcases/<case>/`): `config.yaml` (a whole plenum.yaml; `$URL` is replaced by a test
 * server's base URL, which serves the case's `metrics.txt` at /metrics), and either `expected.jsonl` (the samples
 * of one gather, any order, without `ts` unless a line gives one) or `init.err` (the error lines as plenum.ts
 * prints them after the file name: the loader's, the options schema's, or init's).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runGoldenConfig } from '../common/golden-run';
import type { ConnectorDefinition, SourceSample } from '../types';
import { prometheus } from './index';
import { activeHandles, expectNoLeaks, startServer, type TestServer } from './testkit';

const CASES_DIR = path.join(__dirname, 'testcases');
const CASES = fs
  .readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const read = (file: string) => fs.readFileSync(file, 'utf8');

let server: TestServer;
let metrics = '';
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics);
  });
});
afterAll(() => server.stop());

async function runCase(dir: string): Promise<{ error?: string; samples: SourceSample[] }> {
  const text = read(path.join(dir, 'config.yaml')).replaceAll('$URL', server.url);
  const metricsFile = path.join(dir, 'metrics.txt');
  metrics = fs.existsSync(metricsFile) ? read(metricsFile) : '';
  return runGoldenConfig(prometheus as ConnectorDefinition<never>, text);
}

describe('prometheus golden cases', () => {
  it.each(CASES)('%s', async (name) => {
    const dir = path.join(CASES_DIR, name);
    const before = activeHandles();
    const requestsBefore = server.requests.length;
    const outcome = await runCase(dir);
    const errFile = path.join(dir, 'init.err');
    if (fs.existsSync(errFile)) {
      expect(outcome.error).toBe(read(errFile).trimEnd());
      expect(server.requests.length).toBe(requestsBefore); // init does no I/O
    } else {
      expect(outcome.error).toBeUndefined();
      const expected = read(path.join(dir, 'expected.jsonl'))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Partial<SourceSample>);
      const withTs = new Set(expected.filter((e) => e.ts !== undefined).map((e) => e.pointId));
      const got = outcome.samples.map(({ pointId, ts, value, quality, rawStatus }) => ({
        pointId,
        ...(withTs.has(pointId) ? { ts } : {}),
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
