import { HallModel, type HallModelOptions } from './hall-model';
import type { FaultInput } from './faults';

const t0 = Date.UTC(2025, 0, 1);
const P = 'sim/hall1/';
const ZONE1 = ['A01', 'A02', 'A03', 'A04', 'A05', 'B01', 'B02', 'B03', 'B04', 'B05'];
const ZONE2 = ['A06', 'A07', 'A08', 'A09', 'A10', 'B06', 'B07', 'B08', 'B09', 'B10'];

/**
 * A quiet hall with cold aisle A/B (crah1's and crah2's twenty racks) under load, settled for 30 min (the plant
 * stages a second chiller for the step). Loading the whole aisle keeps crah2 from covering for crah1.
 */
function loaded(o: Partial<HallModelOptions> = {}): HallModel {
  const m = new HallModel({ startMs: t0, jobSchedule: 'none', ...o });
  m.addJob({ id: 'load', racks: [...ZONE1, ...ZONE2], expectedKwPerRack: 100, durationMs: 86_400_000 });
  m.advanceTo(t0 + 1_800_000);
  return m;
}
const v = (m: HallModel, id: string) => m.reading(P + id).value as number;
const later = (m: HallModel, s: number) => m.advanceTo(m.now() + s * 1000);

describe('faults: effects', () => {
  it('fan_degradation caps the CRAH fan speed; with a loaded zone the inlets warm', () => {
    const m = loaded();
    const fan = v(m, '-/-/crah1/fan_speed');
    const inlet = v(m, 'A/A01/env/inlet_temp');
    expect(fan).toBeGreaterThan(50);
    m.injectFault({ type: 'fan_degradation', target: 'crah1', params: { maxSpeedPct: 35 } });
    later(m, 900);
    expect(v(m, '-/-/crah1/fan_speed')).toBeLessThanOrEqual(35.5);
    expect(v(m, 'A/A01/env/inlet_temp')).toBeGreaterThan(inlet + 2);
  });

  it('fan_degradation with rampS develops gradually', () => {
    const m = loaded();
    m.injectFault({ type: 'fan_degradation', target: 'crah1', params: { maxSpeedPct: 20, rampS: 3600 } });
    later(m, 600);
    expect(v(m, '-/-/crah1/fan_speed')).toBeGreaterThan(50); // cap still ~87 %
    later(m, 3000);
    expect(v(m, '-/-/crah1/fan_speed')).toBeLessThanOrEqual(20.5);
  });

  it('filter_clog loses airflow: the aisle’s fans speed up to hold its pressure and the filter ΔP rises', () => {
    const m = loaded();
    const fan = v(m, '-/-/crah1/fan_speed');
    const fan2 = v(m, '-/-/crah2/fan_speed');
    const dp = v(m, '-/-/crah1/filter_dp');
    const aisle = () => v(m, '-/-/crah1/airflow') + v(m, '-/-/crah2/airflow');
    const airflow = aisle();
    m.injectFault({ type: 'filter_clog', target: 'hall1/-/-/crah1', params: { airflowLossPct: 20 } });
    later(m, 600);
    // both ΔP loops see the aisle's pressure fall: crah1 works hardest, crah2 helps
    expect(v(m, '-/-/crah1/fan_speed')).toBeGreaterThan(fan * 1.05);
    expect(v(m, '-/-/crah2/fan_speed')).toBeGreaterThan(fan2 * 1.02);
    expect(v(m, '-/-/crah1/filter_dp')).toBeGreaterThan(dp * 1.5);
    expect(Math.abs(aisle() / airflow - 1)).toBeLessThan(0.03); // the ΔP control restores the aisle's airflow
  });

  it('pump_failure stops the coolant flow: GPUs heat up to their limit and throttle', () => {
    const m = loaded();
    const power = v(m, 'A/A02/pdu/power');
    expect(v(m, '-/-/cdu1/flow')).toBeGreaterThan(3000);
    m.injectFault({ type: 'pump_failure', target: 'cdu1' });
    later(m, 30);
    expect(v(m, '-/-/cdu1/flow')).toBeLessThan(100);
    later(m, 270);
    expect(v(m, 'A/A02/gpu/temp')).toBeGreaterThan(84);
    expect(v(m, 'A/A02/pdu/power')).toBeLessThan(power * 0.6);
  });

  it('a partial pump_failure moves GPU heat from the liquid loop to air: CRAH airflow and GPU temperatures rise', () => {
    const m = loaded();
    const exhaust = v(m, 'A/A02/env/exhaust_temp');
    const fan = v(m, '-/-/crah1/fan_speed');
    const gpu = v(m, 'A/A02/gpu/temp');
    const heat = v(m, '-/-/cdu1/heat_load');
    m.injectFault({ type: 'pump_failure', target: 'cdu1', params: { residualFlowPct: 30 } });
    later(m, 600);
    expect(v(m, '-/-/cdu1/flow')).toBeLessThan(0.35 * 4000);
    expect(v(m, '-/-/cdu1/heat_load')).toBeLessThan(0.7 * heat);
    // server fans move the extra heat with more air, so the exhaust warms a little and the CRAH works harder
    expect(v(m, 'A/A02/env/exhaust_temp')).toBeGreaterThan(exhaust + 0.5);
    expect(v(m, '-/-/crah1/fan_speed')).toBeGreaterThan(fan * 1.3);
    expect(v(m, 'A/A02/gpu/temp')).toBeGreaterThan(gpu + 5);
  });

  it('valve_stuck freezes the valve where it was; the supply air then drifts off its setpoint', () => {
    const m = loaded();
    const valve = v(m, '-/-/crah1/valve');
    const f = m.injectFault({ type: 'valve_stuck', target: 'crah1' });
    expect(f.params.positionPct).toBeCloseTo(valve, 0);
    m.write(P + '-/-/crah1/supply_setpoint', 16);
    later(m, 600);
    expect(v(m, '-/-/crah1/valve')).toBeCloseTo(f.params.positionPct as number, 5);
    expect(v(m, '-/-/crah1/supply_temp')).toBeGreaterThan(18);
    m.clearFault(f.id);
    later(m, 600);
    expect(v(m, '-/-/crah1/supply_temp')).toBeCloseTo(16, 0);
  });

  it('sensor_drift adds rate × hours to one point and nothing else; quality stays good', () => {
    const twin = loaded();
    const m = loaded();
    m.injectFault({ type: 'sensor_drift', target: 'A01/env/inlet_temp', params: { ratePerHour: 3 } });
    later(m, 7200);
    later(twin, 7200);
    expect(v(m, 'A/A01/env/inlet_temp') - v(twin, 'A/A01/env/inlet_temp')).toBeCloseTo(6, 1);
    expect(m.reading(P + 'A/A01/env/inlet_temp').quality).toBe('good');
    expect(v(m, 'A/A01/env/exhaust_temp')).toBe(v(twin, 'A/A01/env/exhaust_temp'));
  });

  it('device_offline makes every point of the asset bad and null, refuses writes, and comes back when cleared', () => {
    const m = loaded();
    const pdu = m.injectFault({ type: 'device_offline', target: 'A03/pdu' });
    const crah = m.injectFault({ type: 'device_offline', target: 'crah2' });
    for (const s of ['power', 'energy', 'voltage', 'current']) {
      expect(m.reading(`${P}A/A03/pdu/${s}`)).toEqual({ value: null, quality: 'bad' });
    }
    expect(m.reading(P + 'A/A03/env/inlet_temp').quality).toBe('good');
    expect(m.pdus().find((p) => p.rack === 'A03')?.online).toBe(false);
    expect(() => m.write(P + '-/-/crah2/supply_setpoint', 22)).toThrow(/crah2 is offline; the write was not applied/);
    m.clearFault(pdu.id);
    m.clearFault(crah.id);
    expect(m.reading(P + 'A/A03/pdu/power').quality).toBe('good');
    expect(m.pdus().find((p) => p.rack === 'A03')?.online).toBe(true);
  });
});

describe('faults: trips, chilled-water loss and slow wear', () => {
  it('crah_trip: the fan coasts to 0 and the valve closes; its aisle neighbour runs up; the starved zone warms', () => {
    const m = loaded();
    const inlet = v(m, 'A/A03/env/inlet_temp');
    const f = m.injectFault({ type: 'crah_trip', target: 'crah1' });
    later(m, 120);
    expect(v(m, '-/-/crah1/fan_speed')).toBeLessThan(2);
    expect(v(m, '-/-/crah1/run_status')).toBe(0);
    expect(v(m, '-/-/crah1/fan_power')).toBeLessThan(0.01);
    later(m, 780);
    expect(v(m, '-/-/crah1/valve')).toBe(0);
    expect(v(m, '-/-/crah2/fan_speed')).toBeGreaterThan(98);
    expect(v(m, 'A/A03/env/inlet_temp')).toBeGreaterThan(inlet + 3);
    m.clearFault(f.id);
    later(m, 300);
    // back on: it restarts from its minimum and takes its share of the aisle back as the ΔP loops rebalance
    expect(v(m, '-/-/crah1/run_status')).toBe(1);
    expect(v(m, '-/-/crah1/fan_speed')).toBeGreaterThan(25);
  });

  it('chw_loss: the chillers stop and the water stands; coils and the CDU’s facility water warm to the air', () => {
    const m = loaded();
    const supply = v(m, '-/-/crah1/supply_temp');
    m.injectFault({ type: 'chw_loss', target: 'plant1' });
    later(m, 300);
    expect(m.truth().plant.chillers.map((c) => c.status)).toEqual([3, 3, 3]);
    expect(v(m, '-/-/plant1/chw_flow')).toBe(0);
    expect(v(m, '-/-/plant1/power')).toBe(0);
    expect(v(m, '-/-/crah1/supply_temp')).toBeGreaterThan(supply + 8);
    expect(v(m, '-/-/cdu1/facility_supply_temp')).toBeGreaterThan(25);
    expect(v(m, '-/-/cdu1/supply_temp')).toBeGreaterThan(31);
  });

  it('chw_loss with the pumps running: the loop’s water buffers, its supply temperature rises towards the return', () => {
    const m = loaded();
    const chw = v(m, '-/-/plant1/chw_supply_temp');
    m.injectFault({ type: 'chw_loss', target: 'plant1', params: { residualFlowPct: 100 } });
    later(m, 300);
    const t = m.truth().plant;
    expect(t.coolingKw).toBe(0);
    expect(t.flowLpm).toBeGreaterThan(0);
    // 2.2 MW into 30 m³ of water: ≈ 1 K per minute
    expect(t.supplyC - chw).toBeGreaterThan(3);
    expect(t.supplyC - chw).toBeLessThan(8);
    expect(t.returnC - t.supplyC).toBeLessThan(10);
  });

  it('pump_degradation: over days the CDU flow falls at the same pump speed; GPUs run warmer', () => {
    const m = loaded();
    const flow = v(m, '-/-/cdu1/flow');
    const gpu = v(m, 'A/A02/gpu/temp');
    m.injectFault({ type: 'pump_degradation', target: 'cdu1', params: { lossPctPerDay: 40 } });
    later(m, 6 * 3600);
    expect(v(m, '-/-/cdu1/flow') / flow).toBeCloseTo(0.9, 1);
    later(m, 6 * 3600);
    expect(v(m, '-/-/cdu1/flow') / flow).toBeCloseTo(0.8, 1);
    expect(v(m, '-/-/cdu1/pump_speed')).toBe(100);
    expect(v(m, 'A/A02/gpu/temp')).toBeGreaterThan(gpu);
  });

  it('fan_belt_wear: airflow per fan % falls over days, so the ΔP loop creeps the fan speed up', () => {
    const m = loaded();
    const fan = v(m, '-/-/crah2/fan_speed');
    const power = v(m, '-/-/crah2/fan_power');
    m.injectFault({ type: 'fan_belt_wear', target: 'crah2', params: { lossPctPerDay: 30, maxLossPct: 15 } });
    later(m, 6 * 3600);
    const mid = v(m, '-/-/crah2/fan_speed');
    later(m, 6 * 3600);
    expect(mid).toBeGreaterThan(fan);
    expect(v(m, '-/-/crah2/fan_speed')).toBeGreaterThan(mid);
    expect(v(m, '-/-/crah2/fan_speed')).toBeGreaterThan(fan * 1.05);
    expect(v(m, '-/-/crah2/fan_power')).toBeGreaterThan(power * 1.15); // speed³: the wear costs energy
  });
});

describe('faults: ground truth', () => {
  it('logs every start and end with its time, type, full target and params', () => {
    const m = loaded();
    const start = m.now();
    const a = m.injectFault({ type: 'filter_clog', target: 'crah3', durationMs: 60_000 });
    const b = m.injectFault({ type: 'sensor_drift', target: 'crah1/return_temp', start: start + 30_000 });
    later(m, 90);
    m.clearFault(b.id);
    expect(m.groundTruth()).toEqual([
      {
        time: start,
        phase: 'start',
        faultId: a.id,
        type: 'filter_clog',
        target: 'sim/hall1/-/-/crah3',
        params: { airflowLossPct: 40, rampS: 0 },
        source: 'api',
      },
      {
        time: start + 30_000,
        phase: 'start',
        faultId: b.id,
        type: 'sensor_drift',
        target: 'sim/hall1/-/-/crah1/return_temp',
        params: { ratePerHour: 2 },
        source: 'api',
      },
      {
        time: start + 60_000,
        phase: 'end',
        faultId: a.id,
        type: 'filter_clog',
        target: 'sim/hall1/-/-/crah3',
        params: { airflowLossPct: 40, rampS: 0 },
        source: 'api',
      },
      {
        time: start + 90_000,
        phase: 'end',
        faultId: b.id,
        type: 'sensor_drift',
        target: 'sim/hall1/-/-/crah1/return_temp',
        params: { ratePerHour: 2 },
        source: 'api',
      },
    ]);
    expect(m.faults().map((f) => [f.id, f.state])).toEqual([
      [a.id, 'ended'],
      [b.id, 'ended'],
    ]);
  });

  it.each([
    ['fan_degradation', 'crah4', 'sim/hall1/-/-/crah4'],
    ['filter_clog', 'crah2', 'sim/hall1/-/-/crah2'],
    ['pump_failure', 'cdu1', 'sim/hall1/-/-/cdu1'],
    ['valve_stuck', 'crah3', 'sim/hall1/-/-/crah3'],
    ['sensor_drift', 'C05/env/exhaust_temp', 'sim/hall1/C/C05/env/exhaust_temp'],
    ['device_offline', 'D02/gpu', 'sim/hall1/D/D02/gpu'],
    ['crah_trip', 'crah2', 'sim/hall1/-/-/crah2'],
    ['chiller_trip', 'plant1', 'sim/hall1/-/-/plant1'],
    ['chw_loss', 'plant1', 'sim/hall1/-/-/plant1'],
    ['pump_degradation', 'cdu1', 'sim/hall1/-/-/cdu1'],
    ['fan_belt_wear', 'crah3', 'sim/hall1/-/-/crah3'],
  ] as const)('logs the start and end of %s on %s', (type, target, full) => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none', params: { warmUpS: 0 } });
    const f = m.injectFault({ type, target });
    m.advanceTo(t0 + 5_000);
    m.clearFault(f.id);
    expect(m.groundTruth().map((e) => [e.phase, e.type, e.target, e.time - t0])).toEqual([
      ['start', type, full, 0],
      ['end', type, full, 5_000],
    ]);
  });

  it('a scheduled fault cleared before its start is cancelled and never logged', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    const f = m.injectFault({ type: 'pump_failure', target: 'cdu1', start: t0 + 60_000 });
    expect(f.state).toBe('scheduled');
    expect(m.clearFault(f.id).state).toBe('cancelled');
    m.advanceTo(t0 + 120_000);
    expect(m.groundTruth()).toEqual([]);
    expect(() => m.clearFault('f-99')).toThrow(/no fault "f-99"/);
  });

  it('runs faults from the options and seeded random faults, logged as source "schedule"', () => {
    const scheduled: FaultInput[] = [
      { type: 'device_offline', target: 'B07/gpu', start: t0 + 10_000, durationMs: 20_000 },
    ];
    const m = new HallModel({ startMs: t0, faults: scheduled, randomFaultsPerDay: 48 });
    m.advanceTo(t0 + 6 * 3_600_000);
    const gt = m.groundTruth();
    expect(gt.slice(0, 2).map((e) => [e.time - t0, e.phase, e.target])).toEqual([
      [10_000, 'start', 'sim/hall1/B/B07/gpu'],
      [30_000, 'end', 'sim/hall1/B/B07/gpu'],
    ]);
    expect(gt.filter((e) => e.phase === 'start').length).toBeGreaterThan(5);
    expect(new Set(gt.map((e) => e.type)).size).toBeGreaterThan(2);
    expect([...gt].sort((x, y) => x.time - y.time)).toEqual(gt);
    expect(gt.every((e) => e.source === 'schedule')).toBe(true);
  });
});

describe('faults: validation', () => {
  const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
  it.each([
    [{ type: 'meltdown', target: 'crah1' }, /unknown type "meltdown"; expected one of fan_degradation, filter_clog/],
    [
      { type: 'fan_degradation', target: 'cdu1' },
      /"cdu1" is not a valid target for fan_degradation; expected a CRAH: crah1, crah2, crah3, crah4/,
    ],
    [{ type: 'device_offline', target: 'pdu' }, /"pdu" matches 40 assets/],
    [{ type: 'sensor_drift', target: 'A01/pdu/energy' }, /no measurement point "A01\/pdu\/energy"/],
    [
      { type: 'filter_clog', target: 'crah1', params: { airflowLossPct: 95 } },
      /params.airflowLossPct: 95 is out of range; expected a number 1–90 %/,
    ],
    [
      { type: 'pump_failure', target: 'cdu1', params: { speed: 1 } },
      /params.speed: not a parameter of pump_failure; expected residualFlowPct/,
    ],
    [{ type: 'pump_failure', target: 'cdu1', durationMs: 5 }, /durationMs: expected at least 1000 ms/],
    [
      { type: 'chiller_trip', target: 'plant1', params: { chiller: 4 } },
      /params.chiller: 4 is out of range; expected a whole number 1–3 \(chiller number\)/,
    ],
    [{ type: 'chiller_trip', target: 'plant1', params: { chiller: 1.5 } }, /params.chiller: 1.5 is out of range/],
    [
      { type: 'chiller_trip', target: 'crah1' },
      /"crah1" is not a valid target for chiller_trip; expected a chilled-water plant: plant1/,
    ],
    [
      { type: 'chw_loss', target: 'plant1', params: { residualFlowPct: 150 } },
      /params.residualFlowPct: 150 is out of range; expected a number 0–100 %/,
    ],
    [
      { type: 'pump_degradation', target: 'cdu1', params: { maxLossPct: 95 } },
      /params.maxLossPct: 95 is out of range; expected a number 1–90 %/,
    ],
    [
      { type: 'fan_belt_wear', target: 'crah1', params: { lossPctPerDay: 0 } },
      /params.lossPctPerDay: 0 is out of range; expected a number 0.1–50 % per day/,
    ],
    [{ type: 'crah_trip', target: 'cdu1' }, /"cdu1" is not a valid target for crah_trip; expected a CRAH/],
  ])('rejects %j', (input, message) => {
    expect(() => m.injectFault(input as FaultInput)).toThrow(message);
    expect(m.groundTruth()).toEqual([]);
  });
});
