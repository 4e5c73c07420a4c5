/**
 * Power-limit writes (README "Writes"), always as the plant sees them: the automation guard judges and records the
 * intent, then writes through the running source (SourceRunner.write → the connector), reads back and leases;
 * release hands back. Two BMCs: the DMTF mockup behind the BMC-shaped HTTPS test server (session, pinned
 * certificate; `Power` and `Controls/PowerLimit`), and the twin's Redfish-shaped power-cap endpoint on its control
 * API (backend/src/sim/redfish.ts, plain HTTP on loopback, no auth), whose limits land in the hall model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { parseSourceOptions } from '../common/options';
import { guardedSource } from '../../testing/guard-over-runner';
import type { WriteIntent } from '../../automation/guard/verdict';
import { ControlApi } from '../../sim/control-api';
import { HallModel, rackPowerLimitRange } from '../../sim/model';
import type { SourceInstance, SourceSample } from '../types';
import { REDFISH_STATUS } from './address';
import type { RedfishOptionsInput } from './config';
import { redfish } from './index';
import type { RedfishConnector } from './redfish';
import {
  activeHandles,
  expectNoLeaks,
  makeCert,
  redfishSource,
  sourcePoint,
  startBmc,
  type BmcServer,
} from './testkit';

const RULE = { kind: 'rule' as const, id: 'cooling-fault', version: 1 };
const intent = (pointId: string, kw: number | null): WriteIntent => ({
  pointId,
  value: kw,
  actor: RULE,
  priority: 5,
  reason: 'test: shed IT load while cooling is short',
  inputs: [],
});

/** A running source, the guard over it, and the samples it delivered (canonical, as ingest converts them). */
async function plant(source: SourceInstance<never>, automation: unknown) {
  const g = guardedSource(redfish as never, source, automation, { canonical: true });
  return { ...g, waitGood: (id: string) => g.good(id) };
}

describe('redfish power-limit writes through the guard, to the DMTF mockup BMC', () => {
  const cert = makeCert();
  let bmc: BmcServer;
  let before: Record<string, number>;
  const LIMIT = 's/h1/A/A01/bmc/power_limit';
  const CONTROL = 's/h1/A/A01/bmc/power_setpoint';
  const POWER = 's/h1/A/A01/bmc/power';
  const loc = { hall: 'h1', row: 'A', rack: 'A01', asset: 'bmc' };
  const points = [
    sourcePoint(LIMIT, '1U:powerLimit', { writable: true, location: loc }),
    sourcePoint(CONTROL, '1U/Controls/PowerLimit#SetPoint', { writable: true, location: loc }),
    // a reading marked writable by mistake: the connector refuses it, naming what it can write
    sourcePoint(POWER, '1U:power', { writable: true, location: loc }),
  ];
  const options = (): RedfishOptionsInput => ({
    url: bmc.url,
    username: 'admin',
    password: 'pw-123456',
    tls: { fingerprint: cert.fingerprint },
  });
  const automation = {
    points: [
      { ids: [LIMIT], min: 0.1, max: 2 },
      { ids: [CONTROL], min: 0.1, max: 2, release: 'relinquish' },
      { ids: [POWER], min: 0, max: 2 },
    ],
  };

  beforeAll(async () => {
    before = activeHandles();
    bmc = await startBmc({ tls: cert, users: { admin: 'pw-123456' } });
  });
  afterAll(async () => {
    await bmc.stop();
    await expectNoLeaks(before, 2000);
  });

  it('PATCHes PowerControl[0].PowerLimit.LimitInWatts, reads it back, leases it and restores it on release', async () => {
    const p = await plant(redfishSource(options(), points, 'bmcs', 200) as never, automation);
    try {
      expect((await p.waitGood(LIMIT)).value).toBeCloseTo(0.5, 9); // the mockup's 500 W
      const r = await p.guard.write(intent(LIMIT, 0.4));
      expect(r).toMatchObject({ verdict: { allow: true }, verified: true });
      expect(r.readBack).toBeCloseTo(0.4, 9);
      expect(r.from).toBeCloseTo(0.5, 9);
      const patch = bmc.requests.filter((q) => q.method === 'PATCH');
      expect(patch).toEqual([
        {
          method: 'PATCH',
          path: '/redfish/v1/Chassis/1U/Power',
          auth: 'session',
          body: JSON.stringify({ PowerControl: [{ PowerLimit: { LimitInWatts: 400 } }] }),
        },
      ]);
      // the BMC holds it in every resource that shows the limit
      expect(bmc.resource('/redfish/v1/Chassis/1U/Power')).toMatchObject({
        PowerControl: [{ PowerLimit: { LimitInWatts: 400 } }],
      });
      expect(bmc.resource('/redfish/v1/Chassis/1U/Controls/PowerLimit')).toMatchObject({ SetPoint: 400 });
      expect(p.guard.leaseViews()).toEqual([expect.objectContaining({ pointId: LIMIT, value: 0.4 })]);

      // the BMC's own range (150–1000 W) refuses what the guard's limits allow: named, nothing changed
      const over = await p.guard.write(intent(LIMIT, 1.2));
      expect(over.verdict).toMatchObject({ allow: true });
      expect(over.error).toMatch(
        /point "s\/h1\/A\/A01\/bmc\/power_limit" of source "bmcs": PATCH https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis\/1U\/Power: HTTP 400: The value '1200' for the property LimitInWatts is not in the supported range/,
      );
      expect(bmc.resource('/redfish/v1/Chassis/1U/Power')).toMatchObject({
        PowerControl: [{ PowerLimit: { LimitInWatts: 400 } }],
      });

      // a reading cannot be written: config error from the connector, nothing sent
      const n = bmc.requests.length;
      const wrong = await p.guard.write(intent(POWER, 0.3));
      expect(wrong.error).toMatch(
        /EnvironmentMetrics#PowerWatts\/Reading cannot be written; expected a power limit: Power#PowerControl\/<n>\/PowerLimit\/LimitInWatts, Controls\/<id>#SetPoint/,
      );
      expect(bmc.requests.slice(n).filter((q) => q.method === 'PATCH')).toEqual([]);

      // release: the value the BMC had before Plenum is written back
      await p.guard.release(LIMIT, RULE, 'test done');
      expect(bmc.resource('/redfish/v1/Chassis/1U/Power')).toMatchObject({
        PowerControl: [{ PowerLimit: { LimitInWatts: 500 } }],
      });
      expect(p.guard.leaseViews()).toEqual([]);
    } finally {
      await p.close();
      bmc.reset();
      bmc.requests.length = 0;
    }
  });

  it('PATCHes a Control SetPoint on newer services and relinquishes with ControlMode Disabled', async () => {
    const p = await plant(redfishSource(options(), points, 'bmcs', 200) as never, automation);
    try {
      await p.waitGood(CONTROL);
      const r = await p.guard.write(intent(CONTROL, 0.3));
      expect(r).toMatchObject({ verdict: { allow: true }, verified: true });
      expect(r.readBack).toBeCloseTo(0.3, 9);
      expect(bmc.requests.filter((q) => q.method === 'PATCH').map((q) => [q.path, JSON.parse(q.body)])).toEqual([
        ['/redfish/v1/Chassis/1U/Controls/PowerLimit', { SetPoint: 300, ControlMode: 'Automatic' }],
      ]);
      // the classic resource shows the same limit
      expect(bmc.resource('/redfish/v1/Chassis/1U/Power')).toMatchObject({
        PowerControl: [{ PowerLimit: { LimitInWatts: 300 } }],
      });
      await p.guard.release(CONTROL, RULE, 'test done');
      expect(JSON.parse(bmc.requests.filter((q) => q.method === 'PATCH').at(-1)?.body ?? '')).toEqual({
        ControlMode: 'Disabled',
      });
      expect(bmc.resource('/redfish/v1/Chassis/1U/Controls/PowerLimit')).toMatchObject({ ControlMode: 'Disabled' });
      expect(bmc.resource('/redfish/v1/Chassis/1U/Power')).toMatchObject({
        PowerControl: [{ PowerLimit: { LimitInWatts: null } }],
      });
    } finally {
      await p.close();
      bmc.reset();
      bmc.requests.length = 0;
    }
  });

  it('a BMC that is gone: the write is a device error naming the URL, never queued', async () => {
    const p = await plant(redfishSource(options(), points, 'bmcs', 200) as never, automation);
    try {
      await p.waitGood(LIMIT);
      await bmc.stop();
      const r = await p.guard.write(intent(LIMIT, 0.4));
      expect(r.error).toMatch(
        /PATCH https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis\/1U\/Power: unreachable: connect ECONNREFUSED/,
      );
      expect(p.guard.leaseViews()).toEqual([]);
    } finally {
      await p.close();
      await bmc.start();
      bmc.reset();
    }
  });
});

describe("redfish reads and writes the twin's Redfish-shaped power-cap endpoint", () => {
  const t0 = Date.UTC(2025, 0, 1);
  let model: HallModel;
  let api: ControlApi;
  let port: number;
  let before: Record<string, number>;

  beforeAll(async () => {
    before = activeHandles();
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    model.addJob({ racks: ['A01'], expectedKwPerRack: 80, durationMs: 3_600_000 });
    model.advanceTo(t0 + 60_000);
    api = new ControlApi(
      { model, sync: () => model.advanceTo(model.now() + 1000), info: () => ({}) },
      { port: 0, log: () => {} },
    );
    port = await api.start();
  });
  afterAll(async () => {
    await api.stop();
    await expectNoLeaks(before, 2000);
  });

  it("reads sample.yaml's rack-bmcs source from the twin: every rack's power and limit", async () => {
    const plenum = fs.readFileSync(path.join(__dirname, '../../../../plenum.yaml'), 'utf8');
    const sample = fs.readFileSync(path.join(__dirname, 'sample.yaml'), 'utf8');
    const config = parseConfig(`${plenum.slice(0, plenum.indexOf('\nsources:'))}\n${sample}`, 'sample.yaml', {
      connectors: ['redfish'],
      env: { SIM_CONTROL_PORT: String(port) },
    });
    const src = config.sources[0] as (typeof config.sources)[number];
    const parsed = parseSourceOptions(redfish.options, src, 0);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const c = redfish.init({ ...src, options: parsed.options } as never) as RedfishConnector;
    try {
      const got: SourceSample[] = [];
      await c.gather(async (b) => void got.push(...b));
      const racks = model.layout.racks.length;
      expect(got).toHaveLength(2 * racks);
      expect(got.filter((g) => g.pointId.endsWith('/bmc_power') && g.quality === 'good')).toHaveLength(racks);
      expect(
        got.filter((g) => g.pointId.endsWith('/bmc_power_limit') && g.rawStatus === REDFISH_STATUS.noLimit),
      ).toHaveLength(racks);
      // one discovery (root, collection, each rack's chassis) and one Power per rack, two at a time
      expect(c.clients.get('bmc')?.requests).toBe(2 + 2 * racks);
      expect(c.clients.get('bmc')?.peakConcurrency).toBe(2);
    } finally {
      await c.close();
    }
  });

  it("reads each rack's chassis power (classic Power: the twin has no newer resources) and writes its limit", async () => {
    const { site, hall } = model.layout;
    const racks = model.layout.racks.slice(0, 3);
    const id = (r: (typeof racks)[number], s: string) => `${site}/${hall}/${r.row}/${r.id}/gpu/${s}`;
    const loc = (r: (typeof racks)[number]) => ({ hall, row: r.row, rack: r.id, asset: 'gpu' });
    const points = racks.flatMap((r) => [
      sourcePoint(id(r, 'bmc_power'), `${r.id}:power`, { location: loc(r) }),
      sourcePoint(id(r, 'power_limit'), `${r.id}:powerLimit`, { writable: true, location: loc(r) }),
      sourcePoint(id(r, 'capacity'), `${r.id}:powerCapacity`, { location: loc(r) }),
    ]);
    const { min, max } = rackPowerLimitRange(model.params);
    const rack = racks[0] as (typeof racks)[number];
    const p = await plant(
      redfishSource({ url: `http://127.0.0.1:${port}`, auth: 'none' }, points, 'twin-bmcs', 200) as never,
      { points: [{ ids: [id(rack, 'power_limit')], min: 0, max, release: 'relinquish' }] },
    );
    try {
      for (const r of racks) {
        const w = (await p.waitGood(id(r, 'bmc_power'))).value as number;
        // what the twin's BMC reports is its PDU's reading, in W
        const pdu = model.readings().get(`${site}/${hall}/${r.row}/${r.id}/${r.assets.pdu}/power`);
        expect(w).toBeCloseTo(Math.round((pdu?.value as number) * 1000) / 1000, 3);
        expect(p.latest.get(id(r, 'capacity'))?.value).toBeCloseTo(r.ratedKw, 6);
        // no limit set (LimitInWatts null): the powerLimit signal reads what the rack may draw, flagged noLimit
        expect(p.latest.get(id(r, 'power_limit'))).toMatchObject({
          quality: 'good',
          rawStatus: REDFISH_STATUS.noLimit,
        });
        expect(p.latest.get(id(r, 'power_limit'))?.value).toBeCloseTo(r.ratedKw, 6);
      }
      expect((p.latest.get(id(rack, 'bmc_power'))?.value as number) > 40).toBe(true); // the job runs on A01

      const limit = Math.min(max, Math.max(min, 60));
      const r = await p.guard.write(intent(id(rack, 'power_limit'), limit));
      expect(r).toMatchObject({ verdict: { allow: true }, verified: true });
      expect(r.readBack).toBeCloseTo(limit, 6);
      expect(model.rackPowerLimits().find((l) => l.rack === rack.id)?.kw).toBeCloseTo(limit, 6);
      expect(
        model
          .groundTruth()
          .filter((g) => 'by' in g && g.by === 'redfish')
          .at(-1),
      ).toMatchObject({
        target: id(rack, 'power_limit'),
        to: limit,
      });

      // below the twin's range, which the guard's limits here allow: the twin's BMC refuses it, named
      const low = await p.guard.write(intent(id(rack, 'power_limit'), min / 2));
      expect(low.verdict).toMatchObject({ allow: true });
      expect(low.error).toMatch(
        new RegExp(
          `PATCH http://127\\.0\\.0\\.1:${port}/redfish/v1/Chassis/${rack.id}/Power: HTTP 400: .*Allowed: ${min * 1000}`,
        ),
      );
      expect(model.rackPowerLimits().find((l) => l.rack === rack.id)?.kw).toBeCloseTo(limit, 6);

      // release: relinquish, the twin's rack runs uncapped again
      await p.guard.release(id(rack, 'power_limit'), RULE, 'cooling back');
      expect(model.rackPowerLimits().find((l) => l.rack === rack.id)?.kw).toBeNull();
    } finally {
      await p.close();
    }
  });
});
