import fs from 'node:fs';
import path from 'node:path';
import * as tahu from 'sparkplug-payload/lib/sparkplugbpayload';
import { parseConfig } from '../config/load';
import { startPlenum, type RunningPlenum } from '../plenum';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { tahuConsumer, tmpDir, until, type TahuConsumer } from './testkit';

/**
 * Two backends through Debian mosquitto, each started from a plenum.yaml as `npm run backend` starts it: an edge
 * (`sparkplug.edge`) whose samples come in by POST /api/samples, and a hub (`sparkplug.host`) whose own query API
 * then answers for the edge's points. A DCMD to the edge without `automation:` is refused with the reason, as an
 * automation event; the value is not written.
 */

const EDGE_SITE = `
site:
  id: sim
  halls:
    - id: hall1
      assets: [{ id: crah1, type: crah }]
      rows:
        - id: A
          racks:
            - { id: A01, x: 1, y: 1, assets: [{ id: pdu, type: pdu }] }
sources:
  - name: pdus
    connector: modbus
    points:
      - { asset: hall1/A/A01/pdu, signal: power, quantity: power, address: 'unit=1;hr=0;float32' }
      - { asset: hall1/-/-/crah1, signal: supply_setpoint, quantity: temperature, kind: setpoint, writable: true, address: 'unit=2;hr=0;float32' }
`;

const HUB_SITE = `
site:
  id: hub
  halls: [{ id: central }]
`;

let broker: Mosquitto;
let consumer: TahuConsumer;
const dirs: string[] = [];
const running: RunningPlenum[] = [];

async function start(yaml: string): Promise<RunningPlenum> {
  const dir = tmpDir();
  dirs.push(dir);
  const file = path.join(dir, 'plenum.yaml');
  fs.writeFileSync(file, yaml);
  const cfg = parseConfig(yaml, file, { env: {} });
  const p = await startPlenum({ ...cfg, api: { ...cfg.api, port: 0 } }, { noSources: true, log: () => undefined });
  running.push(p);
  return p;
}

beforeAll(async () => {
  broker = await startMosquitto();
  consumer = await tahuConsumer(broker.url);
});
afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
  await consumer?.close();
  await broker?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const post = async (url: string, body: unknown) => {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('sparkplug roles of a backend', () => {
  it('an edge backend feeds a hub backend whose query API answers for the edge points; DCMD without automation is refused', async () => {
    const hub = await start(
      `${HUB_SITE}sparkplug:\n  broker: { url: '${broker.url}', keepalive: 2s }\n  host: { hostId: hub1, reorderTimeout: 500ms }\n`,
    );
    const edge = await start(
      `${EDGE_SITE}sparkplug:\n  broker: { url: '${broker.url}', keepalive: 2s }\n  edge: { primaryHostId: hub1, interval: 100ms }\n`,
    );
    await until('the edge born', () => edge.sparkplug!.status().edge!.born);
    const ts = Date.now();
    const r = await post(`${edge.url}/api/samples`, {
      samples: [{ pointId: 'sim/hall1/A/A01/pdu/power', ts, value: 7.5 }],
    });
    expect(r.body).toMatchObject({ accepted: 1 });
    await until(
      'on the hub',
      () => hub.historian.latest(['sim/hall1/A/A01/pdu/power']).get('sim/hall1/A/A01/pdu/power')?.value === 7.5,
    );

    const q = await post(`${hub.url}/api/query`, {
      range: { from: ts - 60_000, to: ts + 60_000 },
      maxDataPoints: 100,
      intervalMs: 1000,
      queries: [{ refId: 'A', queryType: 'timeseries', selector: { ids: ['sim/hall1/A/A01/pdu/power'] } }],
    });
    expect(q.status).toBe(200);
    expect(JSON.stringify(q.body)).toContain('7.5');
    expect(hub.catalog.get('sim/hall1/A/A01/pdu/power')).toMatchObject({
      quantity: 'power',
      unit: 'kW',
      location: { site: 'sim', hall: 'hall1', row: 'A', rack: 'A01', asset: 'pdu' },
    });

    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metrics).toMatch(/^plenum_sparkplug_edge_born 1$/m);
    expect(metrics).toMatch(/^plenum_sparkplug_edge_bdseq 0$/m);
    expect(metrics).toMatch(/^plenum_sparkplug_edge_caught_up_samples 0$/m);
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toMatch(/^plenum_sparkplug_host_edges_online 1$/m);

    // a DCMD by name to the writable setpoint: refused, named, recorded; nothing written
    await consumer.client.publishAsync(
      'spBv1.0/sim/DCMD/hall1/crah1',
      Buffer.from(
        tahu.encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: 'supply_setpoint', type: 'Double', value: 21 }],
        }),
      ),
    );
    await until('the refusal', () => edge.sparkplug!.status().edge!.commands.refused === 1);
    const ev = edge.events.find({ types: ['automation'], from: 0, to: Date.now() + 1000, limit: 10 });
    expect(ev.map((e) => [e.title, e.text])).toEqual([
      [
        'Sparkplug DCMD refused: sim/hall1/-/-/crah1/supply_setpoint',
        'automation is not configured (no automation: section): Plenum writes nothing',
      ],
    ]);
    expect(edge.sparkplug!.status().edge!.commands.accepted).toBe(0);

    // the edge stops: its NDEATH marks its points bad on the hub
    await edge.stop();
    running.splice(running.indexOf(edge), 1);
    await until(
      'bad on the hub',
      () => hub.historian.latest(['sim/hall1/A/A01/pdu/power']).get('sim/hall1/A/A01/pdu/power')?.quality === 'bad',
    );
  }, 60_000);
});
