/**
 * The hub's refusals keep the API's error contract (a JSON `{error}` beginning with where the problem is), found
 * by the API fuzz's hub phase (reliability/suites/api-fuzz.ts): a body that is not a job webhook got a message
 * naming no field, a webhook sent as text/plain was called "not a job webhook" (express.json leaves such a body
 * unparsed), and an unknown path got Express's HTML "Cannot GET". No store or broker is needed for these: the
 * hub starts without its store (a port nobody listens on) and without `hub.broker`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { startHub, type RunningHub } from './hub';
import { hubSiteYaml } from './testkit';

let hub: RunningHub;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-hub-errors-'));
  const yaml = `${hubSiteYaml('sim', ['hall1'], 2)}hub:\n  store: { url: 'http://127.0.0.1:9' }\n  catalogRefresh: 1h\n`;
  const cfg = parseConfig(yaml, path.join(dir, 'plenum.yaml'), { env: { PLENUM_DATA: dir, PLENUM_PORT: '0' } });
  hub = await startHub({ ...cfg, hub: cfg.hub! }, { log: () => undefined });
});

afterAll(async () => {
  await hub.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function send(method: string, p: string, body?: string, type = 'application/json') {
  const r = await fetch(`${hub.url}${p}`, { method, body, headers: body ? { 'content-type': type } : {} });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as { error?: string } };
}

describe('hub API errors name the field (found by the hub API fuzz)', () => {
  it('a body that is not a job webhook at POST /api/events: 400 naming the body', async () => {
    const r = await send('POST', '/api/events', JSON.stringify({ type: 'note', title: 'x' }));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^body: the hub takes scheduler job webhooks only/);
  });

  it('a job webhook sent as text/plain: 415 naming the content type, not "not a job webhook"', async () => {
    const r = await send('POST', '/api/events', JSON.stringify({ event: 'job_start', job_id: 1 }), 'text/plain');
    expect(r.status).toBe(415);
    expect(r.body.error).toMatch(/^content-type: send JSON/);
  });

  it('a job webhook without hub.broker: the documented 501', async () => {
    const r = await send('POST', '/api/events', JSON.stringify({ event: 'job_start', job_id: 1, hall: 'hall1' }));
    expect(r.status).toBe(501);
    expect(r.body.error).toMatch(/hub\.broker/);
  });

  it('an unknown path or method: a JSON 404 naming the route', async () => {
    for (const [m, p] of [
      ['GET', '/api/nothing'],
      ['GET', '/api/query'],
      ['DELETE', '/api/events'],
    ] as const) {
      const r = await send(m, p);
      expect(r.status).toBe(404);
      expect(r.type).toContain('application/json');
      expect(r.body.error).toBe(`no route ${m} ${p} on this hub (hub/README.md lists its API)`);
    }
  });
});
