import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { startPlenum, type RunningPlenum } from '../plenum';
import { prometheusAvailable, startPrometheus, type Peer } from './peers';
import {
  edgeConfigYaml,
  expectedFromHistorian,
  mismatches,
  readPrometheus,
  sampleCount,
  until,
  withoutStale,
} from './testkit';

/**
 * The receiver goes away while the edge keeps storing: a Prometheus 2.42 peer is stopped for OUTAGE_MS (the
 * issue's 10 minutes, shortened for CI; the full form belongs in a reliability run) while a generator stores 4
 * racks × 3 points every 50 ms. Afterwards every stored sample is in Prometheus — and Prometheus refuses a whole
 * request for one sample older than its series' newest, so 0 refused proves the backfill went in time order.
 */

const OUTAGE_MS = 12_000;

describe('a receiver outage (Prometheus, in order)', () => {
  let peer: Peer | undefined;
  let edge: RunningPlenum | undefined;
  let dir: string;
  const logs: string[] = [];
  afterAll(async () => {
    await edge?.stop();
    await peer?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and backfills in order once the receiver is back', async () => {
    if (!prometheusAvailable()) throw new Error('prometheus is not installed: apt-get install prometheus');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-rw-outage-'));
    peer = await startPrometheus();
    const t0 = Date.now();
    const config = parseConfig(
      edgeConfigYaml({ writeUrl: peer.writeUrl, racks: 4, interval: '50ms' }),
      path.join(dir, 'plenum.yaml'),
      { connectors: CONNECTOR_NAMES, env: { PLENUM_DATA: path.join(dir, 'data'), PLENUM_PORT: '0' } },
    );
    edge = await startPlenum(config, { log: (m) => logs.push(m) });
    const rw = edge.remoteWrite!;
    await until('the first samples sent', () => rw.status().queue.counters.sent > 1000);

    await peer.stop();
    const outageStart = Date.now();
    await until('the sender to back off', () => rw.status().sender.retries >= 2);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - outageStart))));
    const during = rw.status();
    // 12 points × 20 Hz × 2 series for most of the outage, held in the queue
    expect(during.queue.samples).toBeGreaterThan(((12 * 20 * 2 * OUTAGE_MS) / 1000) * 0.7);
    expect(during.sender.state).toBe('backoff');
    expect(during.sender.lastError).toMatch(/ECONNREFUSED/);

    await peer.restart();
    // the sources stop, so that what the historian holds is what must arrive
    await Promise.all(edge.runners.map((r) => r.stop()));
    await until(
      'the backlog to drain',
      () => {
        const s = rw.status();
        return s.queue.samples === 0 && s.sender.state === 'idle' ? s : undefined;
      },
      60_000,
    );
    const end = Date.now() + 1000;

    const st = rw.status();
    expect(st.queue.counters.dropped).toEqual({ queue_full: 0, rejected: 0, out_of_order: 0 });
    const expected = expectedFromHistorian(edge.historian, edge.catalog.all(), { edge: 'hall1-edge' }, t0 - 1000, end);
    expect(sampleCount(expected)).toBe(st.queue.counters.enqueued);
    const got = await readPrometheus(peer, end, Math.ceil((end - t0) / 1000) + 5);
    expect(mismatches(got, withoutStale(expected))).toEqual([]);
    expect(sampleCount(got)).toBe(st.queue.counters.sent);
    // the log says what happened, once
    expect(logs.filter((l) => /ECONNREFUSED; retrying with backoff/.test(l))).toHaveLength(1);
  }, 120_000);
});
