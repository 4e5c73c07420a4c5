import type { WriteTruthEntry } from './ground-truth';
import { HallModel, type HallModelOptions } from './hall-model';
import { defaultSite } from './layout';
import { isSupervisorWriter } from './supervisor';

const t0 = Date.UTC(2025, 0, 1);
const H = 'sim/hall1/-/-/';
const B = `${H}bms/`;
const HB = `${B}supervisor_heartbeat`;
const LEASE = `${B}supervisor_lease`;
const SUPPLY = `${H}crah1/supply_setpoint`;
const FAN = `${H}crah1/fan_override`;
const CHW = `${H}plant1/chw_setpoint`;
const PUMP = `${H}cdu1/pump_speed_setpoint`;
const LIMIT = 'sim/hall1/A/A01/gpu/power_limit';
const quiet = (o: Partial<HallModelOptions> = {}) => new HallModel({ startMs: t0, jobSchedule: 'none', ...o });
const value = (m: HallModel, id: string) => m.reading(id).value;
const watchdogEntries = (m: HallModel) =>
  m.groundTruth().filter((e): e is WriteTruthEntry => e.phase === 'write' && e.by === 'bms-watchdog');

describe('BMS supervisory-control watchdog: the points', () => {
  it('serves heartbeat and lease writable with ranges, and the lease state as readings', () => {
    const m = quiet();
    const sig = (s: string) => m.signals().find((x) => x.id === B + s);
    expect(sig('supervisor_heartbeat')).toMatchObject({ role: 'bms', writable: true, min: 0, max: 65_535 });
    expect(sig('supervisor_lease')).toMatchObject({ writable: true, min: 5, max: 86_400, unit: 's' });
    expect(sig('supervisor_age')).toMatchObject({ writable: false, unit: 's', kind: 'status' });
    expect(sig('supervisor_status')).toMatchObject({ writable: false, min: 0, max: 1 });
    // 4 CRAHs × 6 writable points, the CDU's 2, the plant's 1: what the BMS can take back
    expect(sig('leased_points')).toMatchObject({ writable: false, min: 0, max: 27 });
    // plenum.yaml declares the hall's BMS (asset bms, type other)
    expect(m.layout).toMatchObject({ bms: 'bms', bmsDeclared: true });
    expect(value(m, HB)).toBe(0);
    expect(value(m, LEASE)).toBe(30);
    expect(m.reading(`${B}supervisor_age`)).toEqual({ value: null, quality: 'good' }); // never renewed
    expect(value(m, `${B}supervisor_status`)).toBe(0);
    expect(value(m, `${B}leased_points`)).toBe(0);
    // the BMS comes last in the catalog: the points before it keep their index (their noise hashes it)
    expect(
      m
        .signals()
        .slice(-5)
        .every((s) => s.role === 'bms'),
    ).toBe(true);
  });

  it('takes the BMS asset from the site (type other, id or tag bms), and refuses an id bms of another type', () => {
    const site = defaultSite();
    const hall = site.halls[0] as { assets: { id: string; type: string; tags?: string[] }[] };
    hall.assets = hall.assets.filter((a) => a.id !== 'bms');
    const undeclared = quiet({ site });
    expect(undeclared.layout).toMatchObject({ bms: 'bms', bmsDeclared: false });
    hall.assets.push({ id: 'niagara1', type: 'other', tags: ['bms'] });
    const declared = quiet({ site });
    expect(declared.layout).toMatchObject({ bms: 'niagara1', bmsDeclared: true });
    expect(value(declared, 'sim/hall1/-/-/niagara1/supervisor_lease')).toBe(30);
    hall.assets.pop();
    hall.assets.push({ id: 'bms', type: 'meter' });
    expect(() => quiet({ site })).toThrow(/asset "bms" is of type meter, but the simulation serves the hall's BMS/);
  });

  it('refuses a lease or heartbeat out of range, and a default lease out of range', () => {
    const m = quiet();
    expect(() => m.write(LEASE, 4.9)).toThrow(/supervisor_lease": 4.9 s is out of range; allowed 5–86400 s/);
    expect(() => m.write(LEASE, 86_401)).toThrow(/out of range/);
    expect(() => m.write(HB, -1)).toThrow(/supervisor_heartbeat": -1 {2}is out of range; allowed 0–65535/);
    expect(() => m.write(HB, null)).toThrow(/null \(relinquish\) is taken by overrides and power limits only/);
    expect(() => quiet({ params: { bmsSupervisorLeaseS: 2 } })).toThrow(
      /params.bmsSupervisorLeaseS: expected 5–86400 s/,
    );
    expect(value(quiet({ params: { bmsSupervisorLeaseS: 120 } }), LEASE)).toBe(120);
  });

  it('names protocol sessions as supervisors: opcua: and modbus:, nobody else', () => {
    expect(['opcua:operator', 'opcua:anonymous', 'modbus:unit100'].every(isSupervisorWriter)).toBe(true);
    expect(['api', 'scenario', 'redfish', 'bms-watchdog', 'plenum:rule-7'].some(isSupervisorWriter)).toBe(false);
  });
});

describe('BMS supervisory-control watchdog: leases', () => {
  it('takes leased setpoints back and relinquishes leased overrides when the heartbeat stops for the lease', () => {
    const m = quiet();
    m.advanceTo(t0 + 10_000);
    const fanBefore = value(m, `${H}crah1/fan_speed`);
    m.write(HB, 1, 'opcua:operator');
    m.write(SUPPLY, 17.5, 'opcua:operator');
    m.write(FAN, 70, 'opcua:operator');
    m.write(PUMP, 85, 'opcua:operator');
    m.write(CHW, 10, 'modbus:unit100');
    expect(value(m, `${B}supervisor_status`)).toBe(1);
    expect(value(m, `${B}leased_points`)).toBe(4);
    expect(m.supervisor()).toMatchObject({
      live: true,
      heartbeat: 1,
      leaseS: 30,
      renewedAtMs: t0 + 10_000,
      expiresAtMs: t0 + 40_000,
      leased: [
        { pointId: SUPPLY, saved: 20, by: 'opcua:operator', sinceMs: t0 + 10_000 },
        { pointId: FAN, saved: null },
        { pointId: PUMP, saved: 100 },
        { pointId: CHW, saved: 12, by: 'modbus:unit100' },
      ],
    });
    // the supervisor's writes hold while the lease runs, and supervisor_age counts the silence
    m.advanceTo(t0 + 39_000);
    expect([value(m, SUPPLY), value(m, FAN), value(m, PUMP), value(m, CHW)]).toEqual([17.5, 70, 85, 10]);
    expect(value(m, `${B}supervisor_age`)).toBe(29);
    expect(watchdogEntries(m)).toEqual([]);
    const fanOverridden = value(m, `${H}crah1/fan_speed`) as number;
    expect(fanOverridden).toBeGreaterThan((fanBefore as number) + 10);

    // 30 s without a renewal: every leased point back to the BMS, at the step the lease ran out
    m.advanceTo(t0 + 40_000);
    expect([value(m, SUPPLY), value(m, FAN), value(m, PUMP), value(m, CHW)]).toEqual([20, null, 100, 12]);
    expect(value(m, `${H}crah1/fan_mode`)).toBe(0);
    expect(value(m, `${B}supervisor_status`)).toBe(0);
    expect(value(m, `${B}leased_points`)).toBe(0);
    expect(value(m, `${B}supervisor_age`)).toBe(30);
    expect(m.supervisor()).toMatchObject({ live: false, expiresAtMs: null, leased: [] });
    const at = { time: t0 + 40_000, phase: 'write', type: 'write', by: 'bms-watchdog', source: 'api' };
    expect(watchdogEntries(m)).toEqual([
      { ...at, target: SUPPLY, from: 17.5, to: 20 },
      { ...at, target: FAN, from: 70, to: null },
      { ...at, target: PUMP, from: 85, to: 100 },
      { ...at, target: CHW, from: 10, to: 12 },
      { ...at, target: `${B}supervisor_status`, from: 1, to: 0 },
    ]);
    // bumpless: the fan loop resumes from the speed the supervisor left, it does not jump back
    m.advanceTo(t0 + 42_000);
    expect(Math.abs((value(m, `${H}crah1/fan_speed`) as number) - fanOverridden)).toBeLessThan(5);
  });

  it('keeps the writes while the heartbeat is renewed in time; only the session’s first heartbeat is logged', () => {
    const m = quiet();
    m.write(HB, 0, 'opcua:operator');
    m.write(SUPPLY, 18, 'opcua:operator');
    m.write(FAN, 55, 'opcua:operator');
    for (let s = 20; s <= 600; s += 20) {
      m.advanceTo(t0 + s * 1000);
      m.write(HB, s % 65_536, 'opcua:operator');
    }
    m.advanceTo(t0 + 629_000);
    expect([value(m, SUPPLY), value(m, FAN)]).toEqual([18, 55]);
    expect(value(m, HB)).toBe(600);
    expect(value(m, `${B}supervisor_age`)).toBe(29);
    expect(watchdogEntries(m)).toEqual([]);
    expect(m.groundTruth().filter((e) => e.phase === 'write' && e.target === HB)).toHaveLength(1);
    m.advanceTo(t0 + 630_000);
    expect([value(m, SUPPLY), value(m, FAN)]).toEqual([20, null]);
  });

  it('keeps the first saved value when a supervisor writes a leased point again', () => {
    const m = quiet();
    m.write(HB, 1, 'opcua:operator');
    m.write(SUPPLY, 18, 'opcua:operator');
    m.advanceTo(t0 + 10_000);
    m.write(SUPPLY, 16.5, 'opcua:operator');
    m.write(SUPPLY, 17, 'modbus:unit100');
    m.write(FAN, 60, 'opcua:operator');
    m.write(FAN, null, 'opcua:operator'); // the supervisor relinquished it itself: nothing left to take back
    expect(m.supervisor().leased).toMatchObject([
      { pointId: SUPPLY, saved: 20, sinceMs: t0 },
      { pointId: FAN, saved: null },
    ]);
    m.advanceTo(t0 + 30_000);
    expect(value(m, SUPPLY)).toBe(20);
    expect(watchdogEntries(m).map((e) => [e.target, e.from, e.to])).toEqual([
      [SUPPLY, 17, 20],
      [`${B}supervisor_status`, 1, 0],
    ]);
  });

  it('never leases writes by the control API, a scenario or Redfish; the BMS operator’s write ends a lease', () => {
    const m = quiet();
    m.write(HB, 1, 'api'); // any writer renews the lease
    m.write(SUPPLY, 22, 'api');
    m.write(`${H}crah2/supply_setpoint`, 21, 'scenario');
    m.write(`${H}crah2/fan_override`, 65, 'scenario');
    m.setRackPowerLimit('A01', 60, 'redfish');
    expect(m.supervisor()).toMatchObject({ live: true, leased: [] });
    // a leased point that the BMS's own operator writes is theirs: the watchdog leaves it alone
    m.write(CHW, 9, 'opcua:operator');
    m.write(CHW, 11, 'api');
    m.write(PUMP, 70, 'opcua:operator');
    expect(m.supervisor().leased.map((p) => p.pointId)).toEqual([PUMP]);
    m.advanceTo(t0 + 31_000);
    expect([value(m, SUPPLY), value(m, `${H}crah2/supply_setpoint`), value(m, `${H}crah2/fan_override`)]).toEqual([
      22, 21, 65,
    ]);
    expect([value(m, CHW), value(m, PUMP), value(m, LIMIT)]).toEqual([11, 100, 60]);
    expect(watchdogEntries(m).map((e) => e.target)).toEqual([PUMP, `${B}supervisor_status`]);
  });

  it('leaves power limits alone, even one a protocol writer set during the lease', () => {
    const m = quiet();
    m.write(HB, 1, 'opcua:operator');
    m.write(LIMIT, 50, 'opcua:operator');
    m.setRackPowerLimit('A02', 40, 'redfish');
    m.write(SUPPLY, 18, 'opcua:operator');
    expect(m.supervisor().leased.map((p) => p.pointId)).toEqual([SUPPLY]);
    m.advanceTo(t0 + 60_000);
    expect(value(m, LIMIT)).toBe(50);
    expect(m.rackPowerLimits().slice(0, 2)).toEqual([
      { rack: 'A01', kw: 50 },
      { rack: 'A02', kw: 40 },
    ]);
    expect(watchdogEntries(m).map((e) => e.target)).toEqual([SUPPLY, `${B}supervisor_status`]);
  });

  it('does not lease a write while no heartbeat is live; the next heartbeat starts a new session', () => {
    const m = quiet();
    m.write(SUPPLY, 18, 'opcua:operator'); // no heartbeat yet
    m.write(HB, 7, 'opcua:operator');
    m.write(FAN, 40, 'opcua:operator');
    m.advanceTo(t0 + 30_000);
    expect([value(m, SUPPLY), value(m, FAN)]).toEqual([18, null]);
    m.write(`${H}crah3/fan_min`, 30, 'opcua:operator'); // after the lease ran out: not leased
    m.advanceTo(t0 + 100_000);
    expect(value(m, `${H}crah3/fan_min`)).toBe(30);
    m.write(HB, 8, 'opcua:operator'); // a new session, logged like the first
    m.write(`${H}crah3/dp_setpoint`, 9, 'opcua:operator');
    m.advanceTo(t0 + 130_000);
    expect(value(m, `${H}crah3/dp_setpoint`)).toBe(5);
    expect(m.groundTruth().filter((e) => e.phase === 'write' && e.target === HB)).toMatchObject([
      { time: t0, from: 0, to: 7 },
      { time: t0 + 100_000, from: 7, to: 8 },
    ]);
    expect(watchdogEntries(m).map((e) => [e.time, e.target])).toEqual([
      [t0 + 30_000, FAN],
      [t0 + 30_000, `${B}supervisor_status`],
      [t0 + 130_000, `${H}crah3/dp_setpoint`],
      [t0 + 130_000, `${B}supervisor_status`],
    ]);
  });

  it('holds for the lease written (a supervisor on a sped-up clock), and a shorter one ends at once', () => {
    const m = quiet();
    m.write(LEASE, 600, 'opcua:operator');
    m.write(HB, 1, 'opcua:operator');
    m.write(SUPPLY, 18, 'opcua:operator');
    m.advanceTo(t0 + 599_000);
    expect(value(m, SUPPLY)).toBe(18);
    m.advanceTo(t0 + 600_000);
    expect(value(m, SUPPLY)).toBe(20);
    // lengthening the lease after it ran out does not revive the session
    m.write(LEASE, 3600, 'opcua:operator');
    m.advanceTo(t0 + 601_000);
    expect(m.supervisor().live).toBe(false);

    m.write(HB, 2, 'opcua:operator');
    m.write(SUPPLY, 17, 'opcua:operator');
    m.advanceTo(t0 + 700_000);
    expect(value(m, SUPPLY)).toBe(17);
    m.write(LEASE, 30, 'opcua:operator'); // last renewal 99 s ago: the lease ran out already
    expect(value(m, SUPPLY)).toBe(20);
    expect(watchdogEntries(m).at(-2)).toMatchObject({ time: t0 + 700_000, target: SUPPLY, from: 17, to: 20 });
  });

  it('restores an override the BMS operator had in effect before the supervisor took it over', () => {
    const m = quiet();
    m.write(FAN, 80, 'api'); // a local manual override
    m.write(HB, 1, 'opcua:operator');
    m.write(FAN, 50, 'opcua:operator');
    m.advanceTo(t0 + 30_000);
    expect(value(m, FAN)).toBe(80);
    expect(watchdogEntries(m)[0]).toMatchObject({ target: FAN, from: 50, to: 80 });
  });

  it('lets the lease run out while the BMS is unreachable (device_offline refuses the heartbeat)', () => {
    const m = quiet();
    m.write(HB, 1, 'opcua:operator');
    m.write(SUPPLY, 18, 'opcua:operator');
    m.advanceTo(t0 + 20_000);
    m.injectFault({ type: 'device_offline', target: 'bms', durationMs: 60_000 });
    expect(() => m.write(HB, 2, 'opcua:operator')).toThrow(/device sim\/hall1\/-\/-\/bms is offline/);
    expect(m.reading(`${B}supervisor_status`)).toEqual({ value: null, quality: 'bad' });
    m.advanceTo(t0 + 30_000);
    expect(value(m, SUPPLY)).toBe(20);
  });

  it('is ruled by simulated time: the same calls in other chunks give the same ground truth and readings', () => {
    const run = (chunkMs: number) => {
      const m = quiet({ seed: 3 });
      m.write(HB, 1, 'opcua:operator');
      m.write(SUPPLY, 18, 'opcua:operator');
      m.write(FAN, 66, 'modbus:unit100');
      for (let t = chunkMs; t < 120_000; t += chunkMs) m.advanceTo(t0 + t);
      m.advanceTo(t0 + 120_000);
      return { gt: m.groundTruth(), fan: value(m, `${H}crah1/fan_speed`), age: value(m, `${B}supervisor_age`) };
    };
    const a = run(1000);
    expect(run(7000)).toEqual(a);
    expect(run(120_000)).toEqual(a);
    expect(a.age).toBe(120);
  });
});
