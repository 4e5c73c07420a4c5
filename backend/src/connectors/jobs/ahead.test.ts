/**
 * Found by the API fuzz's hub phase (reliability/suites/api-fuzz.ts): a job webhook whose start lies a week ahead
 * (`"time": "now+1w"`) reached an edge with a jobs source, was recorded as an event, and then answered 500 — the
 * jobs source's per-rack samples at that time were refused by the ingest (more than 5 min ahead of the clock). It
 * is now a 400 naming the field, before anything is recorded; a few seconds ahead (clock skew) is still taken.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { startPlenum, type RunningPlenum } from '../../plenum';
import { siteYaml } from '../../relay/relay.testkit';
import { tmpDir } from '../../sparkplug/testkit';

let edge: RunningPlenum;
let dir: string;

beforeAll(async () => {
  dir = tmpDir();
  const yaml = `${siteYaml()}sources:
  - name: jobs
    connector: jobs
    points:
      - { asset: 'hall1/*/*/gpu', signal: job_active, quantity: state, valueType: boolean, address: active }
`;
  const cfg = parseConfig(yaml, path.join(dir, 'plenum.yaml'), {
    env: { PLENUM_DATA: path.join(dir, 'data'), PLENUM_PORT: '0' },
  });
  edge = await startPlenum(cfg, { log: () => undefined });
});

afterAll(async () => {
  await edge.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(body: unknown) {
  const r = await fetch(`${edge.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { error?: string } };
}

describe('a job webhook far ahead of the clock (found by the hub API fuzz)', () => {
  it('a start a week ahead: 400 naming body.start_time, no event recorded', async () => {
    const r = await post({ event: 'job_start', job_id: 'ahead-1', racks: ['A01'], time: 'now+1w' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^body\.start_time: .* is 10080 min ahead of this backend's clock/);
    const listed = await fetch(`${edge.url}/api/events?from=now-30d&to=now%2B30d&type=job`);
    expect(JSON.stringify(await listed.json())).not.toContain('ahead-1');
  });

  it('an end a week ahead: 400 naming body.end_time', async () => {
    const r = await post({
      event: 'job_end',
      job_id: 'ahead-2',
      racks: ['A01'],
      start_time: 'now-1h',
      end_time: 'now+7d',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^body\.end_time: /);
  });

  it('a start a few seconds ahead (clock skew) is still recorded', async () => {
    const r = await post({ event: 'job_start', job_id: 'skew-1', racks: ['A01'], time: Date.now() + 10_000 });
    expect(r.status).toBe(201);
  });
});
