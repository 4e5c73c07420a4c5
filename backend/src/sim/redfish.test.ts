import * as fs from 'node:fs';
import * as path from 'node:path';
import { activeHandles, expectNoLeaks } from '../testing/handles';
import { ControlApi } from './control-api';
import { HallModel } from './model';

const t0 = Date.UTC(2025, 0, 1);
/** The DMTF Redfish mockup recorded from a real rack-mount server (read-only, beside the repository). */
const MOCKUP = path.resolve(__dirname, '../../../fixtures/devices/redfish/public-rackmount1');

type Json = Record<string, unknown>;

/** `pick(body, 'PowerControl/0/PowerLimit')`: a value down a path of keys and indices (undefined when absent). */
function pick(v: unknown, keys: string): unknown {
  return keys
    .split('/')
    .reduce<unknown>((o, k) => (o === null || typeof o !== 'object' ? undefined : (o as Json)[k]), v);
}

const obj = (v: unknown, keys: string) => pick(v, keys) as Json;
const list = <T>(v: unknown, keys: string) => pick(v, keys) as T[];
const mockup = (rel: string) => JSON.parse(fs.readFileSync(path.join(MOCKUP, rel, 'index.json'), 'utf8')) as Json;

describe('Redfish power limits on the control API', () => {
  let model: HallModel;
  let api: ControlApi;
  let base: string;
  let before: Record<string, number>;

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  };
  const patchLimit = (rack: string, w: unknown) =>
    call('PATCH', `/redfish/v1/Chassis/${rack}/Power`, { PowerControl: [{ PowerLimit: { LimitInWatts: w } }] });
  const extended = (b: Json) => obj(b, 'error/@Message.ExtendedInfo/0');

  beforeAll(async () => {
    if (!fs.existsSync(MOCKUP)) throw new Error(`the DMTF Redfish mockup is missing at ${MOCKUP}`);
    before = activeHandles();
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    model.addJob({ racks: ['A03'], expectedKwPerRack: 120, durationMs: 3_600_000 });
    model.advanceTo(t0 + 60_000);
    api = new ControlApi(
      { model, sync: () => model.advanceTo(model.now() + 1000), info: () => ({}) },
      { port: 0, log: () => {} },
    );
    base = `http://127.0.0.1:${await api.start()}`;
  });

  afterAll(async () => {
    await api.stop();
    await expectNoLeaks(before, 2000);
  });

  it('serves a service root and one Chassis per rack, shaped like the DMTF mockup', async () => {
    const v = await call('GET', '/redfish');
    expect(v.body).toEqual({ v1: '/redfish/v1/' });
    const root = await call('GET', '/redfish/v1/');
    expect(root.status).toBe(200);
    expect(root.headers.get('odata-version')).toBe('4.0');
    const real = mockup('');
    expect(root.body['@odata.type']).toBe(real['@odata.type']);
    expect(root.body['@odata.id']).toBe(real['@odata.id']);
    expect(root.body.Chassis).toEqual(real.Chassis);
    expect((await call('GET', '/redfish/v1')).body).toEqual(root.body);

    const chassis = await call('GET', '/redfish/v1/Chassis');
    expect(chassis.body['@odata.type']).toBe(mockup('Chassis')['@odata.type']);
    expect(chassis.body['Members@odata.count']).toBe(40);
    expect(pick(chassis.body, 'Members/0')).toEqual({ '@odata.id': '/redfish/v1/Chassis/A01' });
    const a01 = await call('GET', '/redfish/v1/Chassis/A01');
    const real1U = mockup('Chassis/1U');
    expect(a01.body['@odata.type']).toBe(real1U['@odata.type']);
    expect(a01.body).toMatchObject({
      Id: 'A01',
      ChassisType: 'Rack',
      Power: { '@odata.id': '/redfish/v1/Chassis/A01/Power' },
      Status: { State: 'Enabled', Health: 'OK' },
    });
    for (const key of Object.keys(a01.body)) expect(Object.keys(real1U)).toContain(key);
  });

  it('reports PowerControl[0] with consumed power, capacity and the limit, as the mockup names them', async () => {
    const power = await call('GET', '/redfish/v1/Chassis/A03/Power');
    const real = mockup('Chassis/1U/Power');
    expect(power.body['@odata.type']).toBe(real['@odata.type']);
    const pc = obj(power.body, 'PowerControl/0');
    const realPc = obj(real, 'PowerControl/0');
    for (const key of Object.keys(pc)) expect(Object.keys(realPc)).toContain(key);
    for (const key of Object.keys(obj(pc, 'PowerLimit'))) expect(Object.keys(obj(realPc, 'PowerLimit'))).toContain(key);
    expect(pc['@odata.id']).toBe('/redfish/v1/Chassis/A03/Power#/PowerControl/0');
    const pduKw = model.reading('sim/hall1/A/A03/pdu/power').value as number;
    expect(pc.PowerConsumedWatts).toBe(Math.round(pduKw * 1000));
    expect(pc.PowerConsumedWatts).toBeGreaterThan(100_000); // A03 runs a 120 kW job
    expect(pc.PowerCapacityWatts).toBe(130_000);
    expect(pc.PowerLimit).toEqual({ LimitInWatts: null, LimitException: 'LogEventOnly', CorrectionInMs: 1000 });
    const control = await call('GET', '/redfish/v1/Chassis/A03/Controls/PowerLimit');
    expect(control.body['@odata.type']).toBe(mockup('Chassis/1U/Controls/PowerLimit')['@odata.type']);
    expect(control.body).toMatchObject({
      ControlMode: 'Disabled',
      SetPoint: null,
      SetPointUnits: 'W',
      AllowableMin: 20_000,
      AllowableMax: 132_700,
    });
  });

  it('caps a rack by PATCH, reads it back, logs it as redfish, and removes it with null', async () => {
    const res = await patchLimit('A03', 60_000);
    expect(res.status).toBe(200);
    expect(pick(res.body, 'PowerControl/0/PowerLimit/LimitInWatts')).toBe(60_000);
    expect(model.rackPowerLimits().find((r) => r.rack === 'A03')?.kw).toBe(60);
    expect(model.groundTruth().at(-1)).toMatchObject({
      phase: 'write',
      target: 'sim/hall1/A/A03/gpu/power_limit',
      by: 'redfish',
      from: null,
      to: 60,
      time: model.now(),
    });
    const get = await call('GET', '/redfish/v1/Chassis/A03/Power');
    expect(pick(get.body, 'PowerControl/0/PowerLimit/LimitInWatts')).toBe(60_000);
    expect((await call('GET', '/redfish/v1/Chassis/A03/Controls/PowerLimit')).body).toMatchObject({
      ControlMode: 'Automatic',
      SetPoint: 60_000,
    });

    // a capped rack draws at most its limit and its job loses GPU-hours (GET /truth reports them per rack)
    model.advanceTo(model.now() + 600_000);
    expect(
      pick((await call('GET', '/redfish/v1/Chassis/A03/Power')).body, 'PowerControl/0/PowerConsumedWatts'),
    ).toBeLessThan(61_000);
    const truth = await call('GET', '/truth');
    expect(truth.status).toBe(200);
    const lost = list<{ rack: string; capGpuH: number }>(truth.body, 'lostGpuHours/racks').find(
      (r) => r.rack === 'A03',
    );
    expect(lost?.capGpuH).toBeGreaterThan(0);
    expect(pick(truth.body, 'lostGpuHours/capGpuH')).toBeCloseTo(lost!.capGpuH, 9);
    expect(truth.body.powerLimits).toContainEqual({ rack: 'A03', kw: 60 });
    const state = list<{ rack: string; limitKw: number | null }>(truth.body, 'state/racks');
    expect(state.find((r) => r.rack === 'A03')?.limitKw).toBe(60);

    expect((await patchLimit('A03', 132_700)).status).toBe(200); // the top of the range
    const off = await patchLimit('A03', null);
    expect(off.status).toBe(200);
    expect(pick(off.body, 'PowerControl/0/PowerLimit/LimitInWatts')).toBeNull();
    expect(model.rackPowerLimits().find((r) => r.rack === 'A03')?.kw).toBeNull();
    expect(model.groundTruth().at(-1)).toMatchObject({ by: 'redfish', from: 132.7, to: null });
    const gt = await call('GET', '/ground-truth');
    expect(list<{ by?: string }>(gt.body, 'entries').filter((e) => e.by === 'redfish')).toHaveLength(3);
  });

  it('answers Redfish errors: 400 naming the field and the range, 404 for an unknown rack, 405, malformed JSON', async () => {
    const n = model.groundTruth().length;
    const low = await patchLimit('A05', 19_999);
    expect(low.status).toBe(400);
    expect(pick(low.body, 'error/code')).toBe('Base.1.13.0.PropertyValueOutOfRange');
    expect(extended(low.body)).toMatchObject({
      MessageId: 'Base.1.13.0.PropertyValueOutOfRange',
      MessageArgs: ['19999', 'PowerControl/0/PowerLimit/LimitInWatts'],
      RelatedProperties: ['#/PowerControl/0/PowerLimit/LimitInWatts'],
      Severity: 'Warning',
    });
    expect(extended(low.body).Message).toBe(
      "The value '19999' for the property PowerControl/0/PowerLimit/LimitInWatts is not in the supported range of " +
        'acceptable values. Allowed: 20000–132700 W, or null for no limit.',
    );
    expect((await patchLimit('A05', 132_701)).status).toBe(400);
    const type = await patchLimit('A05', '50 kW');
    expect([type.status, extended(type.body).MessageId]).toEqual([400, 'Base.1.13.0.PropertyValueTypeError']);
    const ro = await call('PATCH', '/redfish/v1/Chassis/A05/Power', {
      PowerControl: [{ PowerConsumedWatts: 1 }],
    });
    expect([ro.status, extended(ro.body).MessageId]).toEqual([400, 'Base.1.13.0.PropertyNotWritable']);
    const unknown = await call('PATCH', '/redfish/v1/Chassis/A05/Power', { Limit: 5 });
    expect([unknown.status, extended(unknown.body).MessageId]).toEqual([400, 'Base.1.13.0.PropertyUnknown']);
    const bad = await call('PATCH', '/redfish/v1/Chassis/A05/Power', '{"PowerControl": [');
    expect([bad.status, extended(bad.body).MessageId]).toEqual([400, 'Base.1.13.0.MalformedJSON']);
    const empty = await call('PATCH', '/redfish/v1/Chassis/A05/Power', {});
    expect([empty.status, extended(empty.body).MessageId]).toEqual([400, 'Base.1.13.0.EmptyJSON']);
    expect(model.groundTruth()).toHaveLength(n); // nothing refused reached the model

    const missing = await patchLimit('Z99', 50_000);
    expect(missing.status).toBe(404);
    expect(extended(missing.body)).toMatchObject({
      MessageId: 'Base.1.13.0.ResourceNotFound',
      MessageArgs: ['Chassis', 'Z99'],
    });
    expect((await call('GET', '/redfish/v1/Chassis/Z99/Power')).status).toBe(404);
    expect((await call('GET', '/redfish/v1/Systems')).status).toBe(404);
    const del = await call('DELETE', '/redfish/v1/Chassis/A05/Power');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, PATCH');
    expect(extended(del.body).MessageId).toBe('Base.1.13.0.OperationNotAllowed');
  });

  it('shows an offline BMC and refuses a limit for it with 503', async () => {
    const f = model.injectFault({ type: 'device_offline', target: 'A07/gpu' });
    try {
      const get = await call('GET', '/redfish/v1/Chassis/A07/Power');
      expect(pick(get.body, 'PowerControl/0')).toMatchObject({
        PowerConsumedWatts: null,
        Status: { State: 'UnavailableOffline', Health: 'Critical' },
      });
      const res = await patchLimit('A07', 50_000);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(extended(res.body).MessageId).toBe('Base.1.13.0.ServiceTemporarilyUnavailable');
      expect(model.rackPowerLimits().find((r) => r.rack === 'A07')?.kw).toBeNull();
    } finally {
      model.clearFault(f.id);
    }
    expect((await patchLimit('A07', 50_000)).status).toBe(200);
  });
});
