import request from 'supertest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { startPlenum, type RunningPlenum } from '../plenum';

/**
 * Found by the API fuzz suite (reliability/suites/api-fuzz.ts, full form): `PUT /api/automation/rules/:id` with a
 * 100,000-character point glob answered 500 "Invalid regular expression: … Regular expression too large" — the
 * glob reached `new RegExp` unbounded. Globs are bounded (500 characters) like a query selector's, and the refusal
 * names the field.
 */
describe('a huge point glob in a rule is a 400 naming the field', () => {
  let plenum: RunningPlenum;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-globs-'));
    const config = loadConfig(path.resolve(__dirname, '../../../plenum.yaml'), {
      connectors: CONNECTOR_NAMES,
      env: { PLENUM_DATA: dir, PLENUM_PORT: '0' },
    });
    plenum = await startPlenum(config, { noSources: true, log: () => {} });
  });
  afterAll(async () => {
    await plenum.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rule = (glob: string) => ({
    id: 'huge',
    mode: 'observe',
    when: { threshold: { ids: [glob], above: 27 } },
    then: [{ event: { severity: 'warning', title: 'x' } }],
  });

  it('refuses a 100,000-character glob in when.threshold.ids', async () => {
    const res = await request(plenum.url)
      .put('/api/automation/rules/huge')
      .send(rule('A'.repeat(100_000)));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/when\.threshold\.ids(\[0\]|\.0): .*500/);
  });

  it('still takes a glob of ordinary length', async () => {
    const res = await request(plenum.url).put('/api/automation/rules/huge').send(rule('sim/hall1/*/*/env/inlet_temp'));
    expect(res.status).toBe(200);
  });
});
