import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { startPlenum, type RunningPlenum } from '../plenum';
import {
  prometheusAvailable,
  startPrometheus,
  startVictoriaMetrics,
  victoriaMetricsAvailable,
  type Peer,
} from './peers';
import {
  edgeConfigYaml,
  entries,
  expectedFromHistorian,
  mismatches,
  readPrometheus,
  readVictoria,
  sampleCount,
  until,
  withoutStale,
} from './testkit';

/**
 * The sender against the real receivers, Debian's VictoriaMetrics 1.79 and Prometheus 2.42: samples posted to
 * an edge (POST /api/samples → historian → queue → remote write) are read back from each store's own API and
 * compared exactly: labels, timestamps, values, bad quality as the stale marker.
 */

const RACKS = 3;
const STEPS = 40;
const EXTERNAL = { edge: 'hall1-edge' };

describe.each([
  ['victoria-metrics', victoriaMetricsAvailable, startVictoriaMetrics],
  ['prometheus', prometheusAvailable, startPrometheus],
] as const)('remote write to %s', (name, available, start) => {
  let peer: Peer | undefined;
  let edge: RunningPlenum | undefined;
  let dir: string;
  beforeAll(async () => {
    if (!available()) throw new Error(`${name} is not installed: apt-get install ${name} (.ci/run installs it)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `plenum-rw-${name}-`));
    peer = await start();
    const config = parseConfig(
      edgeConfigYaml({ writeUrl: peer.writeUrl, racks: RACKS }),
      path.join(dir, 'plenum.yaml'),
      {
        connectors: CONNECTOR_NAMES,
        env: { PLENUM_DATA: path.join(dir, 'data'), PLENUM_PORT: '0' },
      },
    );
    edge = await startPlenum(config, { noSources: true, log: () => {} });
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await peer?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores what the historian stored, exactly', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000 - STEPS * 1000;
    const samples: unknown[] = [];
    for (let r = 1; r <= RACKS; r++)
      for (let i = 0; i < STEPS; i++) {
        const ts = t0 + i * 1000;
        const rack = `edge/hall1/A/R0${r}`;
        // every 7th power sample bad (a stale marker), every 5th uncertain
        const quality = i % 7 === 3 ? 'bad' : i % 5 === 4 ? 'uncertain' : 'good';
        samples.push({ pointId: `${rack}/pdu/power`, ts, value: 10 * r + i * 0.125, quality });
        samples.push({ pointId: `${rack}/pdu/breaker`, ts, value: i % 9 < 6 });
        samples.push({ pointId: `${rack}/env/inlet_temp`, ts: ts + 17, value: 20 + Math.sin(i) * 3 });
      }
    const res = await fetch(`${edge!.url}/api/samples`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ samples }),
    });
    expect(await res.json()).toEqual({ accepted: samples.length, rejected: [] });
    const expected = expectedFromHistorian(
      edge!.historian,
      edge!.catalog.all(),
      EXTERNAL,
      t0,
      t0 + STEPS * 1000 + 1000,
    );
    // value and quality series of 9 points
    expect(expected.size).toBe(RACKS * 3 * 2);
    expect(sampleCount(expected)).toBe(samples.length * 2);
    await until('the queue to drain', () => {
      const s = edge!.remoteWrite!.status();
      return s.queue.counters.sent === samples.length * 2 && s.queue.samples === 0;
    });
    const st = edge!.remoteWrite!.status();
    expect(st.queue.counters.dropped).toEqual({ queue_full: 0, rejected: 0, out_of_order: 0 });
    expect(st.sender.retries).toBe(0);

    const got =
      name === 'prometheus'
        ? await readPrometheus(peer!, t0 + STEPS * 1000, STEPS + 10)
        : await until('every sample to be searchable', async () => {
            const g = await readVictoria(peer!);
            return sampleCount(g) >= sampleCount(expected) ? g : undefined;
          });
    // Prometheus' range selectors leave stale markers out; VictoriaMetrics exports them (as null)
    if (name === 'prometheus') expect(entries(got)).toEqual(entries(withoutStale(expected)));
    else expect(mismatches(got, expected, 1e-12)).toEqual([]);

    // and, spelled out for one series: labels as the PromQL API names them, the bad sample stale, booleans 0/1
    const power = [...got.entries()].find(
      ([k]) => k.includes('"point":"edge/hall1/A/R01/pdu/power"') && k.includes('"__name__":"plenum_power_kilowatts"'),
    )!;
    expect(JSON.parse(power[0])).toEqual({
      __name__: 'plenum_power_kilowatts',
      asset: 'pdu',
      domain: 'OT',
      edge: 'hall1-edge',
      hall: 'hall1',
      kind: 'measurement',
      point: 'edge/hall1/A/R01/pdu/power',
      quantity: 'power',
      rack: 'R01',
      row: 'A',
      signal: 'power',
      site: 'edge',
      tags: ',power,',
      unit: 'kilowatts',
    });
    expect(power[1].slice(0, 5)).toEqual(
      name === 'prometheus'
        ? [
            [t0, 10],
            [t0 + 1000, 10.125],
            [t0 + 2000, 10.25],
            [t0 + 4000, 10.5],
            [t0 + 5000, 10.625],
          ]
        : [
            [t0, 10],
            [t0 + 1000, 10.125],
            [t0 + 2000, 10.25],
            [t0 + 3000, 'stale'],
            [t0 + 4000, 10.5],
          ],
    );
    const breaker = [...got.entries()].find(
      ([k]) => k.includes('R02/pdu/breaker') && k.includes('"__name__":"plenum_state"'),
    )!;
    expect(breaker[1].slice(5, 8).map(([, v]) => v)).toEqual([1, 0, 0]);

    // /metrics and /api/health show the queue
    const metrics = await (await fetch(`${edge!.url}/metrics`)).text();
    expect(metrics).toMatch(/^plenum_remote_write_samples_sent_total \d+/m);
    expect(metrics).toContain('plenum_remote_write_samples_dropped_total{reason="queue_full"} 0');
    expect(metrics).toMatch(/^plenum_remote_write_queue_bytes 0$/m);
    expect(metrics).toMatch(/^plenum_remote_write_last_success_timestamp_seconds \d+/m);
    const health = (await (await fetch(`${edge!.url}/api/health`)).json()) as {
      remoteWrite: { url: string; queue: unknown };
    };
    expect(health.remoteWrite).toMatchObject({ url: peer!.writeUrl, queue: { samples: 0, bytes: 0 } });
  }, 60_000);
});
