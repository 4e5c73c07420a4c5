/** sample.yaml validates and plans (no I/O), with the defaults the README lists; the pure parts' edge cases. */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { bacnet } from './index';
import { BACNET_DEFAULTS, bacnetOptions } from './config';
import { parseAddress } from './address';
import { planBatches, stateName, stateTextResult } from './read';
import { deviceToPoint } from './units';
import { qualityOf } from './quality';
import { bacnetPoint } from './testkit';
import type { BacnetCovConnector } from './cov';

it('sample.yaml validates and plans its points per device', () => {
  const sample = YAML.parse(fs.readFileSync(path.join(__dirname, 'sample.yaml'), 'utf8')) as {
    sources: Array<{
      options: unknown;
      points: Array<{
        signal: string;
        address: string;
        unit?: string;
        quantity: string;
        valueType?: string;
        writable?: boolean;
      }>;
    }>;
  };
  const src = sample.sources[0]!;
  const options = bacnetOptions.parse(src.options);
  expect(options).toMatchObject({
    timeoutMs: BACNET_DEFAULTS.timeoutMs,
    retries: 1,
    maxApdu: 1476,
    concurrency: 4,
    maxPropertiesPerRequest: 64,
  });
  const points = src.points.map((p) =>
    bacnetPoint(p.signal, p.address, p.unit ?? '', p.quantity as never, {
      valueType: (p.valueType ?? 'number') as never,
      writable: p.writable ?? false,
    }),
  );
  const c = bacnet.init({ name: 'bms', intervalMs: 5000, options, points }) as BacnetCovConnector;
  expect(c.mode).toBe('subscribe');
  expect(c.inner.plan.devices.map((d) => [d.device.name, d.objects.map((o) => o.key)])).toEqual([
    ['ahu-ctl', ['analog-input:102', 'analog-value:103', 'binary-input:117']],
    ['plant-ctl', ['analog-input:1']],
    ['crah3', ['analog-input:3']],
  ]);
  expect(c.inner.plan.devices[2]!.device).toMatchObject({ network: 5, mac: 12, maxApdu: 480 });
});

it('parses addresses, sizes batches, converts units, maps quality', () => {
  expect(parseAddress(' device = a ; object = AV:12 ; priority = 10 ')).toEqual({
    device: 'a',
    objectType: 'analog-value',
    instance: 12,
    property: 85,
    priority: 10,
  });
  expect(parseAddress('object=analog-input,3;property=relinquish-default')).toMatchObject({
    instance: 3,
    property: 104,
  });
  expect(() => parseAddress('object=ai:4194303')).toThrow('instance 4194303 is too large; expected 0–4194302');
  const obj = (n: number) => ({
    key: `o${n}`,
    objectId: { type: 0, instance: n },
    kind: 'analog' as const,
    properties: [85, 111, 103, 117],
    points: [],
  });
  // 4 properties × 10 octets + 7 per object: 4 objects fit 206 octets (3 + 4 × 47 = 191), the 5th does not
  expect(planBatches([1, 2, 3, 4, 5, 6].map(obj), () => false, 64, 206).map((b) => b.length)).toEqual([4, 2]);
  expect(planBatches([1, 2, 3].map(obj), () => false, 5, 1476).map((b) => b.length)).toEqual([1, 1, 1]);
  expect(planBatches([obj(1)], () => false, 2, 1476).map((b) => b[0]!.properties)).toEqual([
    [85, 111],
    [103, 117],
  ]);
  expect(deviceToPoint(62, '°C', 'temperature')).toEqual({ scale: 1, offset: 0 });
  const f = deviceToPoint(64, '°C', 'temperature') as { scale: number; offset: number };
  expect(212 * f.scale + f.offset).toBeCloseTo(100, 9);
  expect(deviceToPoint(48, 'W', 'power')).toEqual({ scale: 1000, offset: 0 });
  expect(deviceToPoint(98, '% open', 'position')).toEqual({ scale: 1, offset: 0 });
  expect(deviceToPoint(95, '°C', 'temperature')).toEqual({ scale: 1, offset: 0 });
  expect(deviceToPoint(48, '°C', 'temperature')).toEqual({
    error: expect.stringContaining('kilowatts (48), which is not a temperature'),
  });
  expect(qualityOf(0, 0)).toEqual({ quality: 'good', rawStatus: 0 });
  expect(qualityOf(1, 0)).toEqual({ quality: 'good', rawStatus: 1 }); // in alarm: the value is real
  expect(qualityOf(8, 0)).toEqual({ quality: 'uncertain', rawStatus: 8 });
  expect(qualityOf(0, 2)).toEqual({ quality: 'bad', rawStatus: 0x200 });
});

it('names multi-state values by their state-text; a state beyond the texts is unknown(n)', () => {
  const texts = stateTextResult([
    { type: 7, value: 'off' },
    { type: 7, value: 'running' },
  ]);
  expect(texts).toEqual({ ok: true, value: ['off', 'running'], tag: 7 });
  expect(stateName(2, ['off', 'running'])).toEqual({ name: 'running', known: true });
  expect(stateName(3, ['off', 'running'])).toEqual({ name: 'unknown(3)', known: false });
  expect(stateName(0, ['off'])).toEqual({ name: 'unknown(0)', known: false });
  expect(stateTextResult([{ type: 105, value: { errorClass: 2, errorCode: 32 } }])).toEqual({
    ok: false,
    errorClass: 2,
    errorCode: 32,
  });
});
