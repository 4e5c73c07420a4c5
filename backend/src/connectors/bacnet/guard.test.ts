/**
 * BACnet writes as the plant sees them: the automation guard judges and records the intent, writes through the
 * running source (SourceRunner.write → WriteProperty at the source's priority), reads back and leases; its
 * release with `release: relinquish` is a WriteProperty of NULL at the same priority, and the twin's BMS has its
 * own value back. tshark decodes both writes from the loopback capture.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutomationSchema } from '../../automation/config';
import { guardOverRunner } from '../../testing/guard-over-runner';
import type { WriteIntent } from '../../automation/guard/verdict';
import { AutomationStore } from '../../automation/store';
import { SourceRunner } from '../runner';
import type { SourcePoint, SourceSample } from '../types';
import { bacnet } from './index';
import { bacnetOptions } from './config';
import { startCapture } from './tshark';
import { bacnetPoint, freeUdpPort, startTwinFace } from './testkit';

jest.setTimeout(30_000);

const RULE = { kind: 'rule' as const, id: 'supply-trim', version: 1 };
const SP = 'sim/hall1/-/-/crah1/supply_setpoint';
const OV = 'sim/hall1/-/-/crah1/fan_override';
const intent = (pointId: string, value: number): WriteIntent => ({
  pointId,
  value,
  actor: RULE,
  priority: 5,
  reason: 'test',
  inputs: [],
});

it('guard writes at priority 12, verifies the read-back, and relinquishes on release', async () => {
  const { model, face } = await startTwinFace();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-bacnet-guard-'));
  const store = new AutomationStore(dir);
  const points: SourcePoint[] = [
    bacnetPoint(SP, 'object=analog-value:103', '°C', 'temperature', { writable: true }),
    bacnetPoint(OV, 'object=analog-output:111', '% speed', 'speed', { writable: true }),
  ];
  const byId = new Map(points.map((p) => [p.id, p]));
  const latest = new Map<string, SourceSample>();
  const source = {
    name: 'bms',
    intervalMs: 200,
    options: bacnetOptions.parse({
      devices: [{ name: 'twin', host: '127.0.0.1', port: face.port }],
      localAddress: '127.0.0.1',
      localPort: await freeUdpPort(),
      timeoutMs: 500,
    }),
    points,
  };
  const runner = new SourceRunner(bacnet as never, source as never, async (batch) => {
    for (const s of batch) latest.set(s.pointId, s);
  });
  const guard = guardOverRunner({
    config: AutomationSchema.parse({
      points: [
        { ids: [SP], min: 16, max: 24, release: 'relinquish' },
        { ids: [OV], min: 20, max: 100, release: 'relinquish' },
      ],
    }),
    points: byId,
    runner,
    latest,
    store,
  });
  runner.start();
  try {
    for (const end = Date.now() + 5000; !(latest.get(SP)?.quality === 'good' && latest.get(OV));) {
      if (Date.now() > end) throw new Error(`no good sample: ${runner.status.lastError}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const bms = model.reading(SP).value;
    const cap = await startCapture([face.port]);
    const r = await guard.write(intent(SP, 18));
    const o = await guard.write(intent(OV, 65));
    expect(r).toMatchObject({ verdict: { allow: true }, verified: true, readBack: 18 });
    expect(o).toMatchObject({ verified: true, readBack: 65 });
    expect(model.reading(SP).value).toBe(18);
    expect(model.reading('sim/hall1/-/-/crah1/fan_mode').value).toBe(1);
    await guard.release(SP, RULE, 'test done');
    await guard.release(OV, RULE, 'test done');
    const pdus = await cap.stop();
    // the BMS's own setpoint and its fan loop are back
    expect(model.reading(SP).value).toBe(bms);
    expect(model.reading(OV).value).toBeNull();
    expect(model.reading('sim/hall1/-/-/crah1/fan_mode').value).toBe(0);
    expect(guard.leaseViews()).toEqual([]);
    const wps = pdus.filter((p) => p.type === 'Confirmed-REQ' && p.service === 'writeProperty');
    expect(wps.map((p) => [p.objects[0]!.object, p.objects[0]!.properties[0]!.value, p.priority])).toEqual([
      ['analog-value:103', 'Present Value (real): 18', 12],
      ['analog-output:111', 'Present Value (real): 65', 12],
      ['analog-value:103', 'Present Value (null): NULL', 12],
      ['analog-output:111', 'Present Value (null): NULL', 12],
    ]);
  } finally {
    await guard.close();
    await runner.stop();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await face.stop();
  }
});
