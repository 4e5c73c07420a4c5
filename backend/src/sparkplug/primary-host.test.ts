import type { Point, Sample } from '@plenum/model';
import mqtt, { type MqttClient } from 'mqtt';
import { newClient } from 'sparkplug-client';
import * as tahu from 'sparkplug-payload/lib/sparkplugbpayload';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { PrimaryHost } from './primary-host';
import { brokerConfig, tahuConsumer, until, type TahuConsumer } from './testkit';

/**
 * Eclipse Tahu's sparkplug-client (an independent Sparkplug B edge node on mqtt 4 and protobufjs 6) → Debian
 * mosquitto → Plenum's primary host: values land under the foreign mapping's ids, a seq gap (a raw publish with
 * a seq ahead) brings an NCMD rebirth after the reorder timeout, NDEATH marks the edge's points bad.
 */

const GROUP = 'Sparkplug Devices';
const EDGE = 'JS Edge';
const DEVICE = 'Emulated Device';

let broker: Mosquitto;
let host: PrimaryHost;
let consumer: TahuConsumer;
let edge: ReturnType<typeof newClient> | undefined;
const stored: Array<Sample & { historical: boolean }> = [];
const points = new Map<string, Point>();

beforeAll(async () => {
  broker = await startMosquitto();
  consumer = await tahuConsumer(broker.url);
  host = new PrimaryHost({
    broker: brokerConfig(broker.url),
    host: { hostId: 'plenum-hub', clientId: 'plenum-host-test', reorderTimeoutMs: 300 },
    onPoints: (ps) => ps.forEach((p) => points.set(p.id, p)),
    onSamples: (s, from) => void stored.push(...s.map((x) => ({ ...x, historical: from.historical }))),
  });
  host.start();
  await consumer.waitFor('the host STATE online', (all) =>
    all.some((m) => m.topic === 'spBv1.0/STATE/plenum-hub' && m.text?.includes('true')),
  );
});

afterAll(async () => {
  edge?.stop();
  await host?.stop();
  await consumer?.close();
  await broker?.stop();
});

let temp = 20;

function births(c: ReturnType<typeof newClient>) {
  const now = Date.now();
  c.publishNodeBirth({
    timestamp: now,
    metrics: [
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'my_int', type: 'Int32', value: 7, timestamp: now },
    ],
  });
  c.publishDeviceBirth(DEVICE, {
    timestamp: now,
    metrics: [
      { name: 'Inputs/temp', type: 'Float', value: temp, timestamp: now },
      { name: 'Outputs/LED', type: 'Boolean', value: true, timestamp: now },
      { name: 'label', type: 'String', value: 'hello', timestamp: now },
    ],
  });
}

describe('Tahu sparkplug-client edge → Plenum primary host', () => {
  it('stores births and data under <group>/<edge>/-/-/<device>/<metric>, asks for a rebirth after a seq gap, marks bad on NDEATH', async () => {
    const c = newClient({
      serverUrl: broker.url,
      username: 'tahu',
      password: 'tahu',
      groupId: GROUP,
      edgeNode: EDGE,
      clientId: 'tahu-edge-test',
      publishDeath: true,
      keepalive: 2,
    });
    edge = c;
    let rebirths = 0;
    c.on('birth', () => births(c));
    c.on('ncmd', (p) => {
      if (p.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) {
        rebirths++;
        births(c);
      }
    });
    const TEMP = 'Sparkplug_Devices/JS_Edge/-/-/Emulated_Device/Inputs.temp';
    await until('the births stored', () => stored.some((s) => s.pointId === TEMP));
    expect(points.get(TEMP)).toMatchObject({
      valueType: 'number',
      quantity: 'count',
      location: { site: 'Sparkplug_Devices', hall: 'JS_Edge', asset: 'Emulated_Device' },
    });
    expect(points.get('Sparkplug_Devices/JS_Edge/-/-/Emulated_Device/Outputs.LED')?.valueType).toBe('boolean');
    expect(points.get('Sparkplug_Devices/JS_Edge/-/-/Emulated_Device/label')?.valueType).toBe('string');
    expect(points.get('Sparkplug_Devices/JS_Edge/-/-/_node/my_int')?.valueType).toBe('number');

    for (let i = 1; i <= 5; i++) {
      temp = 20 + i;
      c.publishDeviceData(DEVICE, {
        timestamp: Date.now(),
        metrics: [{ name: 'Inputs/temp', type: 'Float', value: temp, timestamp: Date.now() }],
      });
    }
    await until('five values', () => stored.filter((s) => s.pointId === TEMP).length === 6);
    expect(stored.filter((s) => s.pointId === TEMP).map((s) => [s.value, s.quality])).toEqual(
      [20, 21, 22, 23, 24, 25].map((v) => [v, 'good']),
    );
    const st = host.status().edges.find((e) => e.edge === `${GROUP}/${EDGE}`)!;
    expect(st).toMatchObject({ online: true, bdSeq: 0, plenum: false, metrics: 4, gaps: 0, lastSeq: 6 });

    // seq 10 where 7 is next, as if three were lost: held, then applied and a rebirth asked for
    const raw: MqttClient = await mqtt.connectAsync(broker.url, { clientId: 'gap-injector' });
    const gapAt = Date.now();
    await raw.publishAsync(
      `spBv1.0/${GROUP}/DDATA/${EDGE}/${DEVICE}`,
      Buffer.from(
        tahu.encodePayload({
          timestamp: gapAt,
          seq: 10,
          metrics: [{ name: 'Inputs/temp', type: 'Float', value: 99, timestamp: gapAt }],
        }),
      ),
    );
    await raw.endAsync();
    await consumer.waitFor('the NCMD rebirth', () => consumer.of('NCMD').length === 1);
    expect(Date.now() - gapAt).toBeGreaterThanOrEqual(290);
    const ncmd = consumer.of('NCMD')[0]!;
    expect(ncmd.topic).toBe(`spBv1.0/${GROUP}/NCMD/${EDGE}`);
    expect(ncmd.payload!.metrics!.map((m) => [m.name, m.value])).toEqual([['Node Control/Rebirth', true]]);
    await until('the rebirth', () => host.status().edges[0]!.births === 2);
    expect(rebirths).toBe(1);
    expect(host.status().edges[0]!.gaps).toBe(1);
    expect(stored.some((s) => s.pointId === TEMP && s.value === 99)).toBe(true);

    // after the rebirth the seq starts again and data flows
    c.publishDeviceData(DEVICE, {
      timestamp: Date.now(),
      metrics: [{ name: 'Inputs/temp', type: 'Float', value: 30.5, timestamp: Date.now() }],
    });
    await until('data after rebirth', () => stored.some((s) => s.pointId === TEMP && s.value === 30.5));

    // NDEATH (Tahu publishes it on stop with bdSeq 0): every metric of the edge bad
    const before = stored.length;
    c.stop();
    edge = undefined;
    await until('bad samples', () => stored.length >= before + 4);
    const bad = stored.slice(before);
    expect(bad.map((s) => s.pointId).sort()).toEqual(
      [
        'Sparkplug_Devices/JS_Edge/-/-/Emulated_Device/Inputs.temp',
        'Sparkplug_Devices/JS_Edge/-/-/Emulated_Device/Outputs.LED',
        'Sparkplug_Devices/JS_Edge/-/-/Emulated_Device/label',
        'Sparkplug_Devices/JS_Edge/-/-/_node/my_int',
      ].sort(),
    );
    expect(new Set(bad.map((s) => s.quality))).toEqual(new Set(['bad']));
    expect(host.status().edges[0]).toMatchObject({ online: false, deaths: 1 });
  });
});
