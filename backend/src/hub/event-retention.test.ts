/**
 * The hub's events.db keeps `historian.retention.events` as an edge's does (the edges' relayed events would
 * otherwise grow it for ever): applied at start and every minute. No store or broker is needed (as in
 * api-errors.test.ts): the hub starts against a port nobody listens on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { EventStore } from '../events/event-store';
import { startHub } from './hub';
import { hubSiteYaml } from './testkit';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-hub-retention-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function hubAt(now: number, retention: string) {
  const yaml =
    `${hubSiteYaml('sim', ['hall1'], 2)}historian:\n  retention: { events: ${retention} }\n` +
    `hub:\n  store: { url: 'http://127.0.0.1:9' }\n  catalogRefresh: 1h\n`;
  const cfg = parseConfig(yaml, path.join(dir, 'plenum.yaml'), { env: { PLENUM_DATA: dir, PLENUM_PORT: '0' } });
  return startHub({ ...cfg, hub: cfg.hub! }, { log: () => undefined, now: () => now });
}

function seed(): void {
  const store = new EventStore(dir, { now: () => T0 });
  store.add({ time: T0, type: 'note', title: 'old note' });
  store.add({ time: T0, type: 'job', title: 'job still running' });
  store.close();
}

describe('hub event retention', () => {
  it('deletes events past historian.retention.events at start and keeps open jobs', async () => {
    seed();
    const hub = await hubAt(T0 + 31 * DAY, '30d');
    try {
      expect(hub.events.find({ from: 0, to: T0 + 40 * DAY }).map((e) => e.title)).toEqual(['job still running']);
    } finally {
      await hub.stop();
    }
  });

  it('keeps them within the retention and with forever', async () => {
    seed();
    for (const [now, retention] of [
      [T0 + 29 * DAY, '30d'],
      [T0 + 3000 * DAY, 'forever'],
    ] as const) {
      const hub = await hubAt(now, retention);
      try {
        expect(
          hub.events
            .find({ from: 0, to: now })
            .map((e) => e.title)
            .sort(),
        ).toEqual(['job still running', 'old note']);
      } finally {
        await hub.stop();
      }
    }
  });
});
