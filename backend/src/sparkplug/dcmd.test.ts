import fs from 'node:fs';
import path from 'node:path';
import * as tahu from 'sparkplug-payload/lib/sparkplugbpayload';
import { startPymodbus, type PymodbusPeer } from '../connectors/modbus/testkit';
import { parseConfig } from '../config/load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { startPlenum, type RunningPlenum } from '../plenum';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { num, tahuConsumer, tmpDir, until, type TahuConsumer } from './testkit';

/**
 * DCMD writes through the automation guard, end to end: a backend reads Debian pymodbus (unit 1, float32 at
 * holding register 1000) and publishes it as a Sparkplug edge; a DCMD of the setpoint is judged by the guard as an
 * operator's write (priority 1), written over Modbus TCP and read back; one out of bounds and one to a
 * measurement are refused with the guard's reason and leave the device alone.
 */

let broker: Mosquitto;
let modbus: PymodbusPeer;
let consumer: TahuConsumer;
let plenum: RunningPlenum | undefined;
let dir: string;

beforeAll(async () => {
  broker = await startMosquitto();
  modbus = await startPymodbus(1500);
  consumer = await tahuConsumer(broker.url);
  dir = tmpDir();
});
afterAll(async () => {
  await plenum?.stop();
  await consumer?.close();
  await modbus?.stop();
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SP = 'sim/hall1/-/-/crah1/supply_setpoint';

const dcmd = (device: string, name: string, value: number) =>
  consumer.client.publishAsync(
    `spBv1.0/sim/DCMD/hall1/${device}`,
    Buffer.from(tahu.encodePayload({ timestamp: Date.now(), metrics: [{ name, type: 'Double', value }] })),
  );

describe('DCMD through the automation guard', () => {
  it('writes an allowed value to the device and refuses one out of bounds and one to a measurement', async () => {
    const yaml = `
site:
  id: sim
  halls:
    - id: hall1
      assets: [{ id: crah1, type: crah }]
sources:
  - name: plant
    connector: modbus
    interval: 200ms
    options: { host: 127.0.0.1, port: ${modbus.tcpPort} }
    points:
      - { asset: hall1/-/-/crah1, signal: supply_setpoint, quantity: temperature, kind: setpoint, writable: true, address: 'unit=1;hr=1000;float32' }
      - { asset: hall1/-/-/crah1, signal: return_temp, quantity: temperature, address: 'unit=1;hr=4;float32' }
automation:
  points:
    - { ids: ['${SP}'], min: -50, max: 30 }
sparkplug:
  broker: { url: '${broker.url}' }
  edge: { interval: 100ms }
`;
    const file = path.join(dir, 'plenum.yaml');
    fs.writeFileSync(file, yaml);
    const cfg = parseConfig(yaml, file, { env: {}, connectors: CONNECTOR_NAMES });
    plenum = await startPlenum({ ...cfg, api: { ...cfg.api, port: 0 } }, { log: () => undefined });
    const p = plenum;
    await until('a reading of the setpoint', () => p.historian.latest([SP]).get(SP)?.value === -40.25, 15_000);
    await until('born', () => p.sparkplug!.status().edge!.born);

    await dcmd('crah1', 'supply_setpoint', 21.5);
    await until('written', () => p.sparkplug!.status().edge!.commands.accepted === 1, 15_000);
    expect(modbus.requests.some((r) => /fc=16 addr=1000/.test(r))).toBe(true);
    await until('the new value published', () =>
      consumer.of('DDATA').some((m) => m.topic.endsWith('/crah1') && m.payload!.metrics!.some((x) => x.value === 21.5)),
    );

    const before = modbus.requests.filter((r) => /fc=16/.test(r)).length;
    await dcmd('crah1', 'supply_setpoint', 45);
    await dcmd('crah1', 'return_temp', 20);
    await until('refused', () => p.sparkplug!.status().edge!.commands.refused === 2, 15_000);
    const ev = p.events.find({ types: ['automation'], from: 0, to: Date.now() + 1000, limit: 50 });
    const refusals = ev.filter((e) => e.title.startsWith('Sparkplug DCMD refused')).map((e) => [e.title, e.text]);
    expect(refusals).toEqual(
      expect.arrayContaining([
        [`Sparkplug DCMD refused: ${SP}`, 'bounds: 45 is above the upper bound 30'],
        [
          'Sparkplug DCMD refused: sim/hall1/-/-/crah1/return_temp',
          expect.stringMatching(
            /^not-writable: point "sim\/hall1\/-\/-\/crah1\/return_temp" is not writable by automation/,
          ),
        ],
      ]),
    );
    expect(modbus.requests.filter((r) => /fc=16/.test(r)).length).toBe(before);
    expect(num(consumer.of('NBIRTH')[0]!.payload!.seq)).toBe(0);
  }, 60_000);
});
