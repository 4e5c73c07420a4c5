import type { Sample } from '@plenum/model';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { DataType, encodePayload, type Metric } from './payload';
import { PrimaryHost } from './primary-host';
import { brokerConfig, tahuConsumer, until, type TahuConsumer } from './testkit';

/**
 * The primary host's session rules, driven by raw publishes through mosquitto: messages swapped in flight are
 * put back in seq order without a rebirth; data from an edge it has no session with brings a rebirth request; an
 * NDEATH with another bdSeq (a late Will of an older connection) leaves the session alone.
 */

let broker: Mosquitto;
let host: PrimaryHost;
let raw: MqttClient;
let consumer: TahuConsumer;
const received: Sample[] = [];

const T = 'spBv1.0/g/';
const pub = (topic: string, seq: number | undefined, metrics: Metric[]) =>
  raw.publishAsync(
    T + topic,
    Buffer.from(encodePayload({ timestamp: Date.now(), ...(seq !== undefined && { seq }), metrics })),
    { qos: 1 },
  );
const value = (v: number): Metric => ({ alias: 1, timestamp: Date.now(), datatype: DataType.Double, value: v });
const birth = (bdSeq: number) =>
  pub('NBIRTH/e', 0, [
    { name: 'bdSeq', datatype: DataType.Int64, value: bdSeq },
    { name: 'm', alias: 1, datatype: DataType.Double, value: 0, timestamp: Date.now() },
  ]);

beforeAll(async () => {
  broker = await startMosquitto();
  consumer = await tahuConsumer(broker.url, 'spBv1.0/g/NCMD/#');
  raw = await mqtt.connectAsync(broker.url, { clientId: 'raw-edge' });
  host = new PrimaryHost({
    broker: brokerConfig(broker.url),
    host: { hostId: 'h', clientId: 'plenum-host-seq', reorderTimeoutMs: 400 },
    onSamples: (s) => void received.push(...s),
  });
  host.start();
  await until('host connected', () => host.status().connected);
  await new Promise((r) => setTimeout(r, 200));
});
afterAll(async () => {
  await host?.stop(0);
  await raw?.endAsync();
  await consumer?.close();
  await broker?.stop();
});

const values = () =>
  received.filter((s) => s.pointId === 'g/e/-/-/_node/m' && s.quality === 'good').map((s) => s.value);
const edge = () => host.status().edges.find((e) => e.edge === 'g/e')!;

describe('primary host seq and sessions', () => {
  it('asks an edge it has no session with for a rebirth', async () => {
    await pub('NDATA/e', 5, [value(1)]);
    await consumer.waitFor('NCMD', () => consumer.messages.length === 1);
    expect(consumer.messages[0]!.payload!.metrics!.map((m) => [m.name, m.value])).toEqual([
      ['Node Control/Rebirth', true],
    ]);
    expect(values()).toEqual([]);
  });

  it('reorders swapped messages without a rebirth and ignores a stale NDEATH', async () => {
    await birth(3);
    await until('online', () => edge().online);
    await pub('NDATA/e', 2, [value(2)]); // seq 1 comes after it
    await pub('NDATA/e', 1, [value(1)]);
    await pub('NDATA/e', 3, [value(3)]);
    await until('three values', () => values().length === 4);
    expect(values()).toEqual([0, 1, 2, 3]);
    await new Promise((r) => setTimeout(r, 500));
    expect(edge()).toMatchObject({ gaps: 0, lastSeq: 3 });
    const asked = consumer.messages.length;
    await pub('NDEATH/e', undefined, [{ name: 'bdSeq', datatype: DataType.Int64, value: 2 }]);
    await pub('NDATA/e', 4, [value(4)]);
    await until('the fourth', () => values().length === 5);
    expect(edge()).toMatchObject({ online: true, deaths: 0 });
    await pub('NDEATH/e', undefined, [{ name: 'bdSeq', datatype: DataType.Int64, value: 3 }]);
    await until('dead', () => !edge().online);
    expect(received.at(-1)).toMatchObject({ pointId: 'g/e/-/-/_node/m', quality: 'bad' });
    expect(consumer.messages.length).toBe(asked);
  });

  it('keeps data and a rebirth in the order the edge sent them, although the broker forwards QoS 0 births at once', async () => {
    // a Plenum edge publishes DDATA at QoS 1 (store-and-forward) and births at QoS 0, as Sparkplug requires; a
    // broker forwards QoS 1 only within its in-flight window to a subscriber (mosquitto: 20) and QoS 0 at once —
    // so a subscription at QoS 1 would see a rebirth overtake the data queued before it
    await birth(9);
    await until('online', () => edge().online && edge().bdSeq === 9);
    const from = values().length;
    const enc = (seq: number, metrics: Metric[]) => Buffer.from(encodePayload({ timestamp: Date.now(), seq, metrics }));
    // one burst, faster than the host's PUBACKs come back
    for (let i = 1; i <= 60; i++) raw.publish(T + 'NDATA/e', enc(i, [value(100 + i)]), { qos: 1 });
    raw.publish(
      T + 'NBIRTH/e',
      enc(0, [
        { name: 'bdSeq', datatype: DataType.Int64, value: 9 },
        { name: 'm', alias: 1, datatype: DataType.Double, value: 200, timestamp: Date.now() },
      ]),
      { qos: 0 },
    );
    for (let i = 1; i <= 10; i++) raw.publish(T + 'NDATA/e', enc(i, [value(200 + i)]), { qos: 1 });
    await until('every value', () => values().length >= from + 71);
    await new Promise((r) => setTimeout(r, 600)); // a reorder timeout: nothing held, nothing asked
    expect(values().slice(from)).toEqual([
      ...Array.from({ length: 60 }, (_, i) => 101 + i),
      200,
      ...Array.from({ length: 10 }, (_, i) => 201 + i),
    ]);
    expect(edge()).toMatchObject({ late: 0, gaps: 0, lastSeq: 10 });
  });
});
