/**
 * The bacnet connector against the twin's BACnet face over real UDP sockets on 127.0.0.1, every exchange captured
 * with dumpcap and decoded by tshark (Wireshark's dissector): what tshark decodes must be what each side believes
 * it sent — the objects and properties the connector asked for, the values, units and flags the face answered
 * and the connector delivered, the write priority, the error class and code.
 */
import { BacnetConnector } from './bacnet';
import { bacnetOptions, type BacnetOptionsInput } from './config';
import type { SourcePoint, SourceSample } from '../types';
import { WriteError } from '../types';
import { startCapture, valueNumber, type TsharkPdu } from './tshark';
import { bacnetPoint, expectNoUdpLeaks, freeUdpPort, startTwinFace } from './testkit';
import { activeHandles } from '../../testing/handles';
import type { HallModel } from '../../sim/model';
import type { SimBacnetServer } from '../../sim/bacnet/bacnet-server';
import { errorStatus, TIMEOUT_STATUS } from './quality';
import { gatherAll } from '../../testing/gather';

jest.setTimeout(30_000);

const CRAH1 = 'sim/hall1/-/-/crah1';
const PLANT = 'sim/hall1/-/-/plant1';

const POINTS: SourcePoint[] = [
  bacnetPoint('s/crah1/fan_speed', 'object=analog-input:101', '% speed', 'speed'),
  bacnetPoint('s/crah1/supply_temp', 'object=ai:102', '°C', 'temperature'),
  bacnetPoint('s/crah1/supply_setpoint', 'object=av:103', '°C', 'temperature', { writable: true }),
  bacnetPoint('s/crah1/airflow', 'object=ai:106', 'm³/h air', 'airflow'),
  bacnetPoint('s/crah1/cold_aisle_dp', 'object=ai:108', 'Pa dp', 'differentialPressure'),
  bacnetPoint('s/crah1/fan_override', 'object=ao:111', '% speed', 'speed', { writable: true }),
  bacnetPoint('s/crah1/run_status', 'object=bi:117', 'state', 'state', { valueType: 'boolean' }),
  bacnetPoint('s/plant/chw_supply_temp', 'object=ai:9001', '°C', 'temperature'),
  bacnetPoint('s/plant/chw_setpoint', 'object=av:9003', '°C', 'temperature', { writable: true }),
  bacnetPoint('s/plant/chiller1_status', 'object=ai:9010', 'state', 'state'),
];

let model: HallModel;
let face: SimBacnetServer;
let before: Record<string, number>;
beforeEach(async () => {
  ({ model, face } = await startTwinFace());
  before = activeHandles(); // the face's own socket stays open until afterEach
});
afterEach(async () => {
  await face.stop();
});

async function connector(points: SourcePoint[], extra: Partial<BacnetOptionsInput> = {}, devicePatch: object = {}) {
  const localPort = await freeUdpPort();
  return new BacnetConnector({
    name: 'bms',
    intervalMs: 1000,
    options: bacnetOptions.parse({
      devices: [{ name: 'twin', host: '127.0.0.1', port: face.port, deviceId: 1001, ...devicePatch }],
      localAddress: '127.0.0.1',
      localPort,
      broadcastAddress: '127.0.0.1',
      timeoutMs: 300,
      ...extra,
    }),
    points,
  });
}

const byId = (samples: SourceSample[]) => new Map(samples.map((s) => [s.pointId, s]));
const f32 = (v: number) => Math.fround(v);
const requests = (pdus: TsharkPdu[], service: string) =>
  pdus.filter((p) => p.type === 'Confirmed-REQ' && p.service === service);
const acks = (pdus: TsharkPdu[]) =>
  pdus.filter((p) => p.type === 'Complex-ACK' && p.service === 'readPropertyMultiple');

describe('bacnet connector reads the twin over ReadPropertyMultiple', () => {
  it('delivers present-value, quality and units as the face sent them, and tshark decodes the same', async () => {
    const c = await connector(POINTS);
    const cap = await startCapture([face.port]);
    const { samples, error } = await gatherAll(c);
    const pdus = await cap.stop();
    await c.close();
    expect(error).toBeUndefined();
    const got = byId(samples);
    // what the model holds (the face reads it at the request); REAL is float32 on the wire
    const rd = (id: string) => model.reading(id).value as number;
    expect(got.get('s/crah1/supply_temp')).toMatchObject({
      quality: 'good',
      value: Number(f32(rd(`${CRAH1}/supply_temp`)).toPrecision(7)),
    });
    expect(got.get('s/crah1/supply_setpoint')?.value).toBe(rd(`${CRAH1}/supply_setpoint`));
    expect(got.get('s/crah1/run_status')?.value).toBe(true);
    expect(got.get('s/plant/chiller1_status')?.value).toBe(rd(`${PLANT}/chiller1_status`)); // the same code as OPC UA's
    // an override read while the BMS's loop is in charge: the command in effect (the fan's speed)
    expect(got.get('s/crah1/fan_override')?.value).toBe(got.get('s/crah1/fan_speed')?.value);
    expect(samples.every((s) => s.quality === 'good' && s.rawStatus === undefined)).toBe(true);

    // tshark: one Who-Is for device 1001 and its I-Am, then one RPM asking for exactly what the plan holds
    expect(pdus.find((p) => p.service === 'who-Is')?.text).toMatch(/1001/);
    expect(pdus.find((p) => p.service === 'i-Am')?.objects[0]?.object).toBe('device:1001');
    const [req] = requests(pdus, 'readPropertyMultiple');
    expect(req!.objects.map((o) => o.object)).toEqual(c.plan.devices[0]!.objects.map((o) => o.key));
    expect(req!.objects[1]!.properties.map((p) => p.property)).toEqual([
      'present-value',
      'status-flags',
      'reliability',
      'units',
    ]);
    expect(req!.objects.find((o) => o.object === 'binary-input:117')!.properties.map((p) => p.property)).toEqual([
      'present-value',
      'status-flags',
      'reliability',
    ]);
    const [ack] = acks(pdus);
    expect(ack!.invokeId).toBe(req!.invokeId);
    for (const o of ack!.objects) {
      const planned = c.plan.devices[0]!.objects.find((x) => x.key === o.object)!;
      for (const p of planned.points) {
        const pv = o.properties.find((x) => x.property === 'present-value')!;
        const wire = valueNumber(pv.value)!;
        const delivered = got.get(p.point.id)!.value;
        expect(typeof delivered === 'boolean' ? Number(delivered) : delivered).toBeCloseTo(wire, 5);
      }
      expect(o.properties.find((x) => x.property === 'status-flags')!.flags).toBeUndefined();
      expect(o.properties.find((x) => x.property === 'reliability')!.value).toMatch(/no-fault-detected \(0\)/);
    }
    const units = (obj: string) =>
      ack!.objects.find((o) => o.object === obj)!.properties.find((p) => p.property === 'units')?.value;
    expect(units('analog-input:102')).toMatch(/Degrees Celsius \(62\)/);
    expect(units('analog-input:101')).toMatch(/Percent \(98\)/);
    expect(units('analog-input:106')).toMatch(/\(135\)/);
    expect(units('analog-input:108')).toMatch(/Pascals \(53\)/);
    // units are read once: the second poll asks for present-value, status-flags and reliability only
    const c2 = await connector(POINTS.slice(1, 2));
    const cap2 = await startCapture([face.port]);
    await gatherAll(c2);
    await gatherAll(c2);
    const pdus2 = await cap2.stop();
    await c2.close();
    const reqs2 = requests(pdus2, 'readPropertyMultiple');
    expect(reqs2.map((r) => r.objects[0]!.properties.length)).toEqual([4, 3]);
    await expectNoUdpLeaks(before);
  });

  it('maps status-flags and reliability to quality: an offline CRAH is bad with fault and communication-failure', async () => {
    model.injectFault({ type: 'device_offline', target: 'crah1' });
    model.advanceTo(model.now() + 1000);
    const c = await connector(POINTS);
    const cap = await startCapture([face.port]);
    const { samples, error } = await gatherAll(c);
    const pdus = await cap.stop();
    await c.close();
    const got = byId(samples);
    // fault flag (2) and reliability communication-failure (12) in rawStatus
    expect(got.get('s/crah1/supply_temp')).toMatchObject({ quality: 'bad', rawStatus: 2 | (12 << 8) });
    expect(got.get('s/plant/chw_supply_temp')?.quality).toBe('good');
    expect(error).toMatch(
      /^source "bms": 7 of 10 points bad: device "twin" \(127\.0\.0\.1:\d+ device 1001\): analog-input:101 present-value is flagged fault; reliability communication-failure \(point "s\/crah1\/fan_speed"\)/,
    );
    const ack = acks(pdus)[0]!;
    const o = ack.objects.find((x) => x.object === 'analog-input:102')!;
    expect(o.properties.find((p) => p.property === 'status-flags')!.flags).toEqual(['fault']);
    expect(o.properties.find((p) => p.property === 'reliability')!.value).toMatch(/communication-failure \(12\)/);
    await expectNoUdpLeaks(before);
  });

  it('converts the device units to the point unit (°C object read as °F), and names a unit of another quantity', async () => {
    const c = await connector([
      bacnetPoint('s/f', 'object=ai:102', '°F', 'temperature'),
      bacnetPoint('s/wrong', 'object=ai:101', '°C', 'temperature'), // a fan speed in percent
    ]);
    const { samples, error } = await gatherAll(c);
    await c.close();
    const c32 = Number(f32(model.reading(`${CRAH1}/supply_temp`).value as number).toPrecision(7));
    expect(byId(samples).get('s/f')!.value as number).toBeCloseTo((c32 * 9) / 5 + 32, 6);
    expect(byId(samples).get('s/wrong')).toMatchObject({ quality: 'bad', rawStatus: 0x05000000 });
    expect(error).toContain(
      'analog-input:101 present-value: the device reports units percent (98), which is not a temperature',
    );
  });

  it('sizes batches to the device APDU, and halves a request the device aborts (no segmentation)', async () => {
    await face.stop();
    ({ model, face } = await startTwinFace({ maxApdu: 206 }));
    const many = Array.from({ length: 19 }, (_, i) =>
      bacnetPoint(
        `s/p${i}`,
        `object=${i === 2 || i === 8 || i === 9 || i === 14 ? 'av' : i === 10 || i === 12 ? 'ao' : i === 11 || i === 13 || i === 15 || i === 16 ? 'bi' : 'ai'}:${101 + i}`,
        '',
        'count',
        {
          valueType: i === 11 || i === 13 || i === 15 || i === 16 ? 'boolean' : 'number',
        },
      ),
    );
    // configured for 1476 octets, the device takes 206: the first answers are aborted and split
    const c = await connector(many, { maxApdu: 1476 });
    const cap = await startCapture([face.port]);
    const first = await gatherAll(c);
    const pdus = await cap.stop();
    await c.close();
    expect(first.error).toBeUndefined();
    expect(first.samples).toHaveLength(19);
    expect(c.stats.splits).toBeGreaterThan(0);
    const aborts = pdus.filter((p) => p.type === 'Abort');
    expect(aborts.length).toBe(c.stats.splits);
    expect(aborts.every((a) => a.abortReason === 'segmentation-not-supported')).toBe(true);
    // told the device's size, the connector plans requests that fit: no abort at all
    const sized = await connector(many, { maxApdu: 206 });
    const cap2 = await startCapture([face.port]);
    const second = await gatherAll(sized);
    const pdus2 = await cap2.stop();
    await sized.close();
    expect(second.error).toBeUndefined();
    expect(pdus2.filter((p) => p.type === 'Abort')).toHaveLength(0);
    expect(requests(pdus2, 'readPropertyMultiple').length).toBeGreaterThan(1);
    expect(
      requests(pdus2, 'readPropertyMultiple')
        .flatMap((r) => r.objects.map((o) => o.object))
        .sort(),
    ).toEqual(sized.plan.devices[0]!.objects.map((o) => o.key).sort());
  });

  it('an unknown object is bad with the device error; a silent device times out and names its address', async () => {
    const c = await connector([bacnetPoint('s/x', 'object=ai:199', '°C', 'temperature'), POINTS[1]!]);
    const cap = await startCapture([face.port]);
    const r = await gatherAll(c);
    const pdus = await cap.stop();
    expect(byId(r.samples).get('s/x')).toMatchObject({ quality: 'bad', rawStatus: errorStatus(1, 31) });
    expect(r.error).toMatch(/analog-input:199 present-value: object: unknown-object \(point "s\/x"\)/);
    const ack = acks(pdus)[0]!;
    expect(ack.objects.find((o) => o.object === 'analog-input:199')!.properties[0]!.error).toBe(
      'object: unknown-object',
    );
    await face.stop();
    const silent = await gatherAll(c);
    await c.close();
    expect(silent.samples.every((s) => s.quality === 'bad' && s.rawStatus === TIMEOUT_STATUS)).toBe(true);
    expect(silent.error).toMatch(
      /device "twin" \(127\.0\.0\.1:\d+ device 1001\): ReadPropertyMultiple of 2 objects: no answer within 300 ms after 1 retry; 2 points not read/,
    );
    ({ model, face } = await startTwinFace());
  });

  it('reads a multi-state-input as its state-text (asked once) or as its state number; a writable text point is refused', async () => {
    const c = await connector([
      bacnetPoint('s/chiller1/state', 'object=msi:9501', 'state', 'state', { valueType: 'string' }),
      bacnetPoint('s/chiller1/state_no', 'object=msi:9501', 'state', 'state'),
    ]);
    const cap = await startCapture([face.port]);
    const runs = [await gatherAll(c), await gatherAll(c)];
    await c.close();
    const pdus = await cap.stop();
    const code = model.reading(`${PLANT}/chiller1_status`).value as number;
    for (const r of runs) {
      expect(r.error).toBeUndefined();
      expect(byId(r.samples).get('s/chiller1/state')).toMatchObject({
        quality: 'good',
        value: ['off', 'starting', 'running', 'tripped'][code],
      });
      expect(byId(r.samples).get('s/chiller1/state_no')).toMatchObject({ quality: 'good', value: code + 1 });
    }
    const asked = requests(pdus, 'readPropertyMultiple').map((q) => q.objects[0]!.properties.map((p) => p.property));
    expect(asked).toEqual([
      ['present-value', 'status-flags', 'reliability', 'state-text'],
      ['present-value', 'status-flags', 'reliability'],
    ]);
    expect(
      () =>
        new BacnetConnector({
          name: 'bms',
          intervalMs: 1000,
          options: bacnetOptions.parse({ devices: [{ name: 'twin', host: '127.0.0.1' }] }),
          points: [bacnetPoint('s/m', 'object=msv:1', 'state', 'state', { valueType: 'string', writable: true })],
        }),
    ).toThrow('is writable with valueType string, but multi-state objects are written by state number');
  });

  it('a configured deviceId that another device answers for is refused', async () => {
    const c = await connector(POINTS.slice(0, 1), {}, { deviceId: 7 });
    const r = await gatherAll(c);
    await c.close();
    expect(r.error).toMatch(
      /device "twin" \(127\.0\.0\.1:\d+ device 7\): no I-Am for device 7 within 300 ms of a Who-Is; 1 points not read/,
    );
  });
});

describe('bacnet connector writes at its priority and relinquishes', () => {
  it('WriteProperty at priority 12, read back; null releases the slot; tshark shows value, priority and the error class', async () => {
    const c = await connector(POINTS);
    await gatherAll(c); // learns the units
    const sp = c.plan.points.get('s/crah1/supply_setpoint')!.point;
    const ov = c.plan.points.get('s/crah1/fan_override')!.point;
    const bmsValue = model.reading(`${CRAH1}/supply_setpoint`).value;
    const cap = await startCapture([face.port]);
    const w1 = await c.write({ point: sp, value: 18.5 });
    const w2 = await c.write({ point: ov, value: 70 });
    const w3 = await c.write({ point: ov, value: null });
    const w4 = await c.write({ point: sp, value: null });
    const refused = await c.write({ point: sp, value: 40 }).catch((e: unknown) => e);
    const pdus = await cap.stop();
    await c.close();
    expect(w1).toMatchObject({ readBack: 18.5, rawStatus: 0 });
    expect(w2).toMatchObject({ readBack: 70, rawStatus: 0 });
    // relinquished: the BMS's loop command is in effect again, the setpoint back at the BMS's own value
    expect(w3.readBack).toBe(model.reading(`${CRAH1}/fan_speed`).value);
    expect(model.reading(`${CRAH1}/fan_mode`).value).toBe(0);
    expect(w4.readBack).toBe(bmsValue);
    expect(refused).toBeInstanceOf(WriteError);
    expect((refused as WriteError).kind).toBe('refused');
    expect((refused as WriteError).rawStatus).toBe(errorStatus(2, 37));
    expect((refused as WriteError).message).toMatch(
      /write of 40 to analog-value:103 present-value at priority 12 on device "twin" .*: the device answered property: value-out-of-range/,
    );
    // what the face applied, by whom and at which slot
    const writes = model.groundTruth().filter((e) => e.phase === 'write');
    expect(writes.map((e) => [e.target, e.to, e.by?.replace(/:\d+\//, ':<port>/')])).toEqual([
      [`${CRAH1}/supply_setpoint`, 18.5, 'bacnet:127.0.0.1:<port>/p12'],
      [`${CRAH1}/fan_override`, 70, 'bacnet:127.0.0.1:<port>/p12'],
      [`${CRAH1}/fan_override`, null, 'bacnet:127.0.0.1:<port>/p12'],
      [`${CRAH1}/supply_setpoint`, bmsValue, 'bacnet:127.0.0.1:<port>/p12'],
    ]);
    // tshark: each WriteProperty with the object, present-value, the value and priority 12
    const wps = requests(pdus, 'writeProperty');
    expect(
      wps.map((p) => [
        p.objects[0]!.object,
        p.objects[0]!.properties[0]!.property,
        p.objects[0]!.properties[0]!.value,
        p.priority,
      ]),
    ).toEqual([
      ['analog-value:103', 'present-value', 'Present Value (real): 18.5', 12],
      ['analog-output:111', 'present-value', 'Present Value (real): 70', 12],
      ['analog-output:111', 'present-value', 'Present Value (null): NULL', 12],
      ['analog-value:103', 'present-value', 'Present Value (null): NULL', 12],
      ['analog-value:103', 'present-value', 'Present Value (real): 40', 12],
    ]);
    expect(pdus.filter((p) => p.type === 'Simple-ACK' && p.service === 'writeProperty')).toHaveLength(4);
    expect(pdus.find((p) => p.type === 'Error' && p.service === 'writeProperty')?.error).toBe(
      'property: value-out-of-range',
    );
    await expectNoUdpLeaks(before);
  });

  it('refuses what cannot be written before sending', async () => {
    const c = await connector(POINTS);
    const e1 = await c
      .write({ point: c.plan.points.get('s/crah1/supply_temp')!.point, value: 1 })
      .catch((e: unknown) => e);
    expect(e1).toMatchObject({ kind: 'config', message: 'point "s/crah1/supply_temp" is not writable' });
    const e2 = await c
      .write({ point: c.plan.points.get('s/crah1/supply_setpoint')!.point, value: Number.NaN })
      .catch((e: unknown) => e);
    expect((e2 as WriteError).kind).toBe('refused');
    await c.close();
  });
});

describe('bacnet connector socket', () => {
  it('a local port in use is a named error, and the next poll binds once it is free', async () => {
    const dgram = await import('node:dgram');
    const taken = dgram.createSocket('udp4');
    const port = await freeUdpPort();
    await new Promise<void>((r) => taken.bind(port, '127.0.0.1', () => r()));
    const c = new BacnetConnector({
      name: 'bms',
      intervalMs: 1000,
      options: bacnetOptions.parse({
        devices: [{ name: 'twin', host: '127.0.0.1', port: face.port }],
        localAddress: '127.0.0.1',
        localPort: port,
        timeoutMs: 300,
      }),
      points: [POINTS[1]!],
    });
    const first = await gatherAll(c);
    expect(first.samples).toMatchObject([{ quality: 'bad', rawStatus: TIMEOUT_STATUS }]);
    expect(first.error).toContain(`cannot listen for BACnet/IP on udp 127.0.0.1:${port}: bind EADDRINUSE`);
    await new Promise<void>((r) => taken.close(() => r()));
    const second = await gatherAll(c);
    await c.close();
    expect(second.error).toBeUndefined();
    expect(second.samples[0]!.quality).toBe('good');
    await expectNoUdpLeaks(before);
  });
});
