/**
 * Golden test folders (`testcases/<case>/`): `config.yaml` (a whole plenum.yaml; `$PORT` is the twin's BACnet
 * face, `$LOCAL_PORT` a free port for the connector's socket) and either `expected.jsonl` (the samples of one
 * gather, any order, without `ts`) with `gather.err` when the gather throws, or `init.err` (the error lines as
 * plenum.ts prints them after the file name; then no datagram reaches the face).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runGoldenConfig } from '../common/golden-run';
import type { ConnectorDefinition, SourceSample } from '../types';
import { bacnet } from './index';
import { freeUdpPort, startTwinFace } from './testkit';
import type { SimBacnetServer } from '../../sim/bacnet/bacnet-server';

const CASES_DIR = path.join(__dirname, 'testcases');
const CASES = fs
  .readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const read = (file: string) => fs.readFileSync(file, 'utf8');
const count = (f: SimBacnetServer) => Object.values(f.requestCounts).reduce((a, b) => a + b, 0);

let face: SimBacnetServer;
beforeAll(async () => {
  ({ face } = await startTwinFace());
});
afterAll(() => face.stop());

describe('bacnet golden cases', () => {
  it.each(CASES)('%s', async (name) => {
    const dir = path.join(CASES_DIR, name);
    const text = read(path.join(dir, 'config.yaml'))
      .replaceAll('$PORT', String(face.port))
      .replaceAll('$LOCAL_PORT', String(await freeUdpPort()));
    const before = count(face);
    const outcome = await runGoldenConfig(bacnet as ConnectorDefinition<never>, text, {});
    const errFile = path.join(dir, 'init.err');
    if (fs.existsSync(errFile)) {
      expect(outcome.error).toBe(read(errFile).trimEnd());
      expect(count(face)).toBe(before); // init does no I/O
      return;
    }
    const gatherErr = path.join(dir, 'gather.err');
    const norm = (s: string | undefined) => s?.replaceAll(String(face.port), '$PORT');
    if (fs.existsSync(gatherErr)) expect(norm(outcome.error)).toBe(read(gatherErr).trimEnd());
    else expect(outcome.error).toBeUndefined();
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
  });
});
