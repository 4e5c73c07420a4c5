import fs from 'node:fs';
import type { Sample } from '@plenum/model';
import { SparkplugEdge } from './edge-node';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { brokerConfig, edgeConfig, edgePoint, num, tahuConsumer, tmpDir, until, type TahuConsumer } from './testkit';

/**
 * Plenum's edge node through Debian mosquitto, read by a consumer built on Eclipse Tahu's sparkplug-payload:
 * births with names, aliases, datatypes and properties; DDATA with aliases only; seq 0–255 over every message;
 * rebirth on NCMD; NDEATH with the session's bdSeq.
 */

const POINTS = [
  edgePoint('sim/hall1/A/A01/pdu/power'),
  edgePoint('sim/hall1/A/A01/gpu1/temp', { quantity: 'temperature', unit: '°C', domain: 'IT' }),
  edgePoint('sim/hall1/A/A02/pdu/power'),
  edgePoint('sim/hall1/-/-/crah1/fan_on', { valueType: 'boolean', quantity: 'state', unit: '', kind: 'status' }),
  edgePoint('sim/hall1/-/-/crah1/mode', { valueType: 'string', quantity: 'state', unit: '', kind: 'status' }),
  edgePoint('sim/hall1/-/-/crah1/supply_setpoint', {
    quantity: 'temperature',
    unit: '°C',
    kind: 'setpoint',
    writable: true,
  }),
  // another hall: not this edge's
  edgePoint('sim/hall2/B/B01/pdu/power'),
];

let broker: Mosquitto;
let consumer: TahuConsumer;
const dirs: string[] = [];
const edges: SparkplugEdge[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});
beforeEach(async () => {
  consumer = await tahuConsumer(broker.url);
});
afterEach(async () => {
  await Promise.all(edges.splice(0).map((e) => e.stop()));
  await consumer.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function newEdge(extra: Parameters<typeof edgeConfig>[0] = {}) {
  const dir = tmpDir();
  dirs.push(dir);
  const e = new SparkplugEdge({
    broker: brokerConfig(broker.url),
    edge: edgeConfig(extra),
    site: 'sim',
    points: POINTS,
    dataDir: dir,
  });
  edges.push(e);
  return e;
}

const sample = (pointId: string, ts: number, value: Sample['value'], quality: Sample['quality'] = 'good'): Sample => ({
  pointId,
  ts,
  value,
  quality,
});

describe('Sparkplug edge node → Tahu consumer', () => {
  it('births every device with names, aliases, datatypes and properties, then DDATA with aliases only', async () => {
    const e = newEdge();
    const t0 = Date.now();
    e.offer([sample('sim/hall1/A/A01/pdu/power', t0, 4.5), sample('sim/hall1/-/-/crah1/fan_on', t0, true)]);
    e.start();
    await consumer.waitFor(
      'NBIRTH and 3 DBIRTH',
      () => consumer.of('NBIRTH').length === 1 && consumer.of('DBIRTH').length === 3,
    );
    const nb = consumer.of('NBIRTH')[0]!;
    expect(nb.topic).toBe('spBv1.0/sim/NBIRTH/hall1');
    expect(num(nb.payload!.seq)).toBe(0);
    const nm = new Map(nb.payload!.metrics!.map((m) => [m.name, m]));
    expect(nm.get('bdSeq')!.type).toBe('Int64');
    expect(num(nm.get('bdSeq')!.value)).toBe(0);
    expect(nm.get('Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    expect(nm.get('Plenum/Namespace')).toMatchObject({ type: 'String', value: 'plenum/1' });

    const births = new Map(consumer.of('DBIRTH').map((m) => [m.topic.split('/')[4]!, m.payload!]));
    expect([...births.keys()].sort()).toEqual(['A:A01', 'A:A02', 'crah1']);
    const a01 = births.get('A:A01')!.metrics!;
    expect(a01.map((m) => [m.name, m.type])).toEqual([
      ['gpu1/temp', 'Double'],
      ['pdu/power', 'Double'],
    ]);
    const power = a01.find((m) => m.name === 'pdu/power')!;
    expect(power.value).toBe(4.5);
    expect(power.properties).toMatchObject({
      engUnit: { type: 'String', value: 'kW' },
      quantity: { type: 'String', value: 'power' },
      Quality: { type: 'Int32', value: 192 },
      readOnly: { type: 'Boolean', value: true },
    });
    // no value yet: null and bad
    const temp = a01.find((m) => m.name === 'gpu1/temp')!;
    expect(temp.value).toBeNull();
    expect(temp.properties!.Quality!.value).toBe(0);
    const crah = births.get('crah1')!.metrics!;
    expect(crah.map((m) => [m.name, m.type])).toEqual([
      ['fan_on', 'Boolean'],
      ['mode', 'String'],
      ['supply_setpoint', 'Double'],
    ]);
    expect(crah.find((m) => m.name === 'supply_setpoint')!.properties!.readOnly!.value).toBe(false);
    // aliases unique over the edge node
    const aliases = [...births.values()].flatMap((p) => p.metrics!.map((m) => num(m.alias)));
    expect(new Set(aliases).size).toBe(6);
    const aliasOf = new Map(
      [...births].flatMap(([dev, p]) => p.metrics!.map((m) => [`${dev}/${m.name}`, num(m.alias)] as const)),
    );

    const t1 = Date.now();
    e.offer([
      sample('sim/hall1/A/A01/pdu/power', t1, 5.25),
      sample('sim/hall1/A/A01/pdu/power', t1 + 1, 5.5),
      sample('sim/hall1/A/A01/gpu1/temp', t1, 61, 'uncertain'),
      sample('sim/hall1/-/-/crah1/mode', t1, 'cooling'),
      sample('sim/hall1/-/-/crah1/fan_on', t1, false, 'bad'),
      sample('sim/hall2/B/B01/pdu/power', t1, 1),
    ]);
    await consumer.waitFor('4 DDATA', () => consumer.of('DDATA').length === 4);
    // what was stored before the edge was connected comes first, historical
    const [h1, h2] = consumer.of('DDATA');
    expect(h1!.payload!.metrics!.map((m) => [num(m.alias), m.value, m.isHistorical])).toEqual([
      [aliasOf.get('A:A01/pdu/power'), 4.5, true],
    ]);
    expect(h2!.payload!.metrics!.map((m) => [num(m.alias), m.value, m.isHistorical])).toEqual([
      [aliasOf.get('crah1/fan_on'), true, true],
    ]);
    const dd = new Map(
      consumer
        .of('DDATA')
        .slice(2)
        .map((m) => [m.topic.split('/')[4]!, m.payload!]),
    );
    const rack = dd.get('A:A01')!.metrics!;
    for (const m of rack) expect(Boolean(m.name) || Boolean(m.isHistorical)).toBe(false);
    expect(rack.map((m) => [num(m.alias), m.value, num(m.timestamp)])).toEqual([
      [aliasOf.get('A:A01/pdu/power'), 5.25, t1],
      [aliasOf.get('A:A01/pdu/power'), 5.5, t1 + 1],
      [aliasOf.get('A:A01/gpu1/temp'), 61, t1],
    ]);
    expect(rack[0]!.properties).toBeUndefined();
    expect(rack[2]!.properties).toEqual({ Quality: { type: 'Int32', value: 64 } });
    const c = dd.get('crah1')!.metrics!;
    expect(c.map((m) => [num(m.alias), m.value])).toEqual([
      [aliasOf.get('crah1/mode'), 'cooling'],
      [aliasOf.get('crah1/fan_on'), null],
    ]);
    expect(c[1]!.properties).toEqual({ Quality: { type: 'Int32', value: 0 } });
    await until('the last PUBACK', () => e.status().published === 4);
    expect(e.status()).toMatchObject({
      connected: true,
      born: true,
      bdSeq: 0,
      ignored: 1,
      published: 4,
      historical: 2,
    });
  });

  it('runs seq 0–255 over births and data and wraps; rebirth on NCMD; NDEATH with the bdSeq on stop', async () => {
    const e = newEdge({ intervalMs: 10 });
    e.start();
    await consumer.waitFor('births', () => consumer.of('DBIRTH').length === 3);
    // 300 DDATA: past one wrap
    for (let i = 0; i < 100; i++) {
      const ts = Date.now() + i;
      e.offer([
        sample('sim/hall1/A/A01/pdu/power', ts, i),
        sample('sim/hall1/A/A02/pdu/power', ts, i),
        sample('sim/hall1/-/-/crah1/mode', ts, `m${i}`),
      ]);
      await new Promise((r) => setTimeout(r, 12));
    }
    await consumer.waitFor(
      'every sample',
      () => consumer.of('DDATA').reduce((n, m) => n + m.payload!.metrics!.length, 0) === 300,
    );
    const seqs = consumer.messages
      .filter((m) => m.payload && m.payload.seq !== undefined)
      .map((m) => num(m.payload!.seq));
    expect(seqs[0]).toBe(0);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1]! + 1) % 256);
    expect(seqs.length).toBeGreaterThan(256);
    // per device, values in order
    const a02 = consumer
      .of('DDATA')
      .filter((m) => m.topic.endsWith('/A:A02'))
      .flatMap((m) => m.payload!.metrics!.map((x) => x.value));
    expect(a02).toEqual([...Array(100).keys()]);

    const n = consumer.messages.length;
    await consumer.client.publishAsync(
      'spBv1.0/sim/NCMD/hall1',
      Buffer.from(
        (await import('sparkplug-payload/lib/sparkplugbpayload')).encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
        }),
      ),
    );
    await consumer.waitFor(
      'rebirth',
      () => consumer.messages.slice(n).filter((m) => /BIRTH/.test(m.topic)).length === 4,
    );
    const rebirth = consumer.messages.slice(n).find((m) => m.topic.includes('NBIRTH'))!;
    expect(num(rebirth.payload!.seq)).toBe(0);
    expect(num(rebirth.payload!.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(0);

    await e.stop();
    await consumer.waitFor('NDEATH', () => consumer.of('NDEATH').length === 1);
    const death = consumer.of('NDEATH')[0]!.payload!;
    expect(death.seq).toBeUndefined();
    expect(num(death.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(0);
  });

  it('takes a new bdSeq for each session, kept across restarts in its data folder', async () => {
    const dir = tmpDir();
    dirs.push(dir);
    const make = () =>
      new SparkplugEdge({
        broker: brokerConfig(broker.url),
        edge: edgeConfig(),
        site: 'sim',
        points: POINTS,
        dataDir: dir,
      });
    const a = make();
    a.start();
    await until('first session', () => a.status().born);
    await a.stop();
    const b = make();
    edges.push(b);
    b.start();
    await until('second session', () => b.status().born);
    expect(b.status().bdSeq).toBe(1);
    await consumer.waitFor('two NBIRTHs', () => consumer.of('NBIRTH').length === 2);
    expect(consumer.of('NBIRTH').map((m) => num(m.payload!.metrics!.find((x) => x.name === 'bdSeq')!.value))).toEqual([
      0, 1,
    ]);
  });

  it('is born again when its catalog changes, with the new metric in its DBIRTH', async () => {
    const e = newEdge();
    e.start();
    await consumer.waitFor('births', () => consumer.of('DBIRTH').length === 3);
    e.setPoints(POINTS); // the same table: nothing
    e.setPoints([...POINTS, edgePoint('sim/hall1/A/A02/gpu1/temp', { quantity: 'temperature', unit: '°C' })]);
    await consumer.waitFor('rebirth', () => consumer.of('NBIRTH').length === 2 && consumer.of('DBIRTH').length === 6);
    const a02 = consumer
      .of('DBIRTH')
      .slice(3)
      .find((m) => m.topic.endsWith('/A:A02'))!;
    expect(a02.payload!.metrics!.map((m) => m.name)).toEqual(['gpu1/temp', 'pdu/power']);
    expect(num(consumer.of('NBIRTH')[1]!.payload!.seq)).toBe(0);
    expect(e.status().births).toBe(2);
  });

  it('is born once per connection when the primary host STATE is already retained, and again after a broker loss', async () => {
    const state = 'spBv1.0/STATE/hub-retained';
    await consumer.client.publishAsync(state, JSON.stringify({ online: true, timestamp: Date.now() }), {
      qos: 1,
      retain: true,
    });
    try {
      const e = newEdge({ primaryHostId: 'hub-retained' });
      e.start();
      await until('born', () => e.status().born);
      // the retained STATE comes with the SUBACK: it must not bring births twice (seq would restart under DDATA)
      await new Promise((r) => setTimeout(r, 300));
      expect(consumer.of('NBIRTH')).toHaveLength(1);
      expect(e.status().births).toBe(1);
      await broker.kill();
      await until('the loss seen', () => !e.status().connected);
      await broker.restart();
      await consumer.waitFor('consumer back', () => consumer.client.connected);
      // the restarted broker lost the retained STATE: the edge waits for the host's next one
      await new Promise((r) => setTimeout(r, 500));
      expect(e.status()).toMatchObject({ connected: true, born: false, hostOnline: false });
      await consumer.client.publishAsync(state, JSON.stringify({ online: true, timestamp: Date.now() }), {
        qos: 1,
        retain: true,
      });
      await until('born again', () => e.status().born);
      await new Promise((r) => setTimeout(r, 300));
      expect(consumer.of('NBIRTH')).toHaveLength(2);
      expect(e.status().births).toBe(2);
    } finally {
      await consumer.client.publishAsync(state, '', { qos: 1, retain: true });
    }
  });
});
