/**
 * The twin's BACnet face with a plain @bacnet-js/client client (not the connector): the priority array's
 * semantics, what it refuses and with which error, ReadProperty of array elements, and tshark's decoding of the
 * answers (Wireshark's dissector, independent of the library both sides use).
 */
import BACnetClient from '@bacnet-js/client';
import { startCapture } from '../../connectors/bacnet/tshark';
import { freeUdpPort, startTwinFace } from '../../connectors/bacnet/testkit';
import type { HallModel } from '../model';
import type { SimBacnetServer } from './bacnet-server';

jest.setTimeout(30_000);

const SP = 'sim/hall1/-/-/crah1/supply_setpoint';
const AV103 = { type: 2, instance: 103 };
const REAL = 4;
const NULL = 0;

let model: HallModel;
let face: SimBacnetServer;
let client: BACnetClient;
let to: { address: string };
beforeEach(async () => {
  ({ model, face } = await startTwinFace());
  client = new BACnetClient({ port: await freeUdpPort(), interface: '127.0.0.1', apduTimeout: 500 });
  await new Promise<void>((r) => client.once('listening', () => r()));
  to = { address: `127.0.0.1:${face.port}` };
});
afterEach(async () => {
  client.close();
  await face.stop();
});

const write = (obj: { type: number; instance: number }, value: number | null, priority: number) =>
  client.writeProperty(to, obj, 85, [value === null ? { type: NULL, value: null } : { type: REAL, value }], {
    priority,
  });
const slots = async () =>
  (await client.readProperty(to, AV103, 87)).values.map((v) => (v.type === NULL ? null : (v.value as number)));

it('the value in effect is the most important slot; emptying every slot gives the BMS its own value back', async () => {
  const bms = model.reading(SP).value;
  const cap = await startCapture([face.port]);
  await write(AV103, 19, 12);
  await write(AV103, 17, 10); // more important
  expect(model.reading(SP).value).toBe(17);
  const arr = await slots();
  expect(arr).toHaveLength(16);
  expect(arr[9]).toBe(17);
  expect(arr[11]).toBe(19);
  expect((await client.readProperty(to, AV103, 87, { arrayIndex: 0 })).values[0]!.value).toBe(16);
  expect((await client.readProperty(to, AV103, 104)).values[0]!.value).toBe(bms); // relinquish-default
  await write(AV103, null, 10);
  expect(model.reading(SP).value).toBe(19); // slot 12 is in effect again
  await write(AV103, null, 12);
  expect(model.reading(SP).value).toBe(bms);
  expect(await slots()).toEqual(new Array(16).fill(null));
  const pdus = await cap.stop();
  expect(
    pdus
      .filter((p) => p.service === 'writeProperty' && p.type === 'Confirmed-REQ')
      .map((p) => [p.objects[0]!.properties[0]!.value, p.priority]),
  ).toEqual([
    ['Present Value (real): 19', 12],
    ['Present Value (real): 17', 10],
    ['Present Value (null): NULL', 10],
    ['Present Value (null): NULL', 12],
  ]);
  const paAck = pdus.find(
    (p) => p.type === 'Complex-ACK' && p.service === 'readProperty' && /priority-array/.test(p.text),
  );
  expect(paAck?.text).toMatch(/17/);
  expect(
    model
      .groundTruth()
      .filter((e) => e.phase === 'write')
      .map((e) => e.to),
  ).toEqual([19, 17, 19, bms]);
});

it('refuses with the BACnet error a real controller gives, and tshark decodes the same class and code', async () => {
  model.injectFault({ type: 'device_offline', target: 'crah2' });
  model.advanceTo(model.now() + 1000);
  const cap = await startCapture([face.port]);
  const errors: string[] = [];
  const tryIt = async (p: Promise<unknown>) =>
    p.then(
      () => errors.push('ok'),
      (e: Error) => errors.push(e.message),
    );
  await tryIt(write(AV103, 40, 12)); // beyond 14–27 °C
  await tryIt(write({ type: 0, instance: 102 }, 20, 12)); // an input
  await tryIt(write({ type: 2, instance: 203 }, 20, 12)); // crah2 offline
  await tryIt(client.writeProperty(to, AV103, 85, [{ type: 7, value: 'x' }], { priority: 12 })); // a string
  await tryIt(client.readProperty(to, { type: 0, instance: 7777 }, 85));
  await tryIt(client.readProperty(to, AV103, 9999));
  await tryIt(client.readProperty(to, AV103, 87, { arrayIndex: 17 }));
  const pdus = await cap.stop();
  expect(errors).toEqual([
    'BacnetError - Class:2 - Code:37',
    'BacnetError - Class:2 - Code:40',
    'BacnetError - Class:0 - Code:25',
    'BacnetError - Class:2 - Code:9',
    'BacnetError - Class:1 - Code:31',
    'BacnetError - Class:2 - Code:32',
    'BacnetError - Class:2 - Code:42',
  ]);
  expect(pdus.filter((p) => p.type === 'Error').map((p) => p.error)).toEqual([
    'property: value-out-of-range',
    'property: write-access-denied',
    'device: operational-problem',
    'property: invalid-data-type',
    'object: unknown-object',
    'property: unknown-property',
    'property: invalid-array-index',
  ]);
  expect(model.reading(SP).value).toBe(20); // nothing applied
});
