import { HallModel, type HallModelOptions } from './hall-model';
import { DEFAULT_PARAMS } from './params';

const t0 = Date.UTC(2025, 0, 1);
const P = 'sim/hall1/-/-/';
const AISLE_AB = ['A', 'B'].flatMap((r) =>
  Array.from({ length: 10 }, (_, i) => `${r}${String(i + 1).padStart(2, '0')}`),
);
const quiet = (o: Partial<HallModelOptions> = {}) => new HallModel({ startMs: t0, jobSchedule: 'none', ...o });
const v = (m: HallModel, id: string) => m.reading(P + id).value as number;
const later = (m: HallModel, s: number) => m.advanceTo(m.now() + s * 1000);
const crah = (m: HallModel, i = 0) => m.truth().crahs[i] as ReturnType<HallModel['truth']>['crahs'][number];

describe('BMS: sensors', () => {
  it('controls on its own sensors: the true supply air differs from the reading by the sensor’s placement offset', () => {
    const m = quiet({ seed: 3 });
    later(m, 600);
    const offsets = m.truth().crahs.map((c) => c.bmsSupplyC - c.supplyC);
    // seeded offsets within ± 0.5 K, different per unit, plus 0.1 K noise
    expect(Math.max(...offsets.map(Math.abs))).toBeLessThan(DEFAULT_PARAMS.bmsSupplyOffsetSpreadK + 0.4);
    expect(new Set(offsets.map((o) => o.toFixed(1))).size).toBeGreaterThan(1);
    // what is served is the BMS's reading, held at the setpoint
    for (const c of m.layout.crahs) expect(v(m, `${c}/supply_temp`)).toBeCloseTo(20, 0);
    expect(Math.abs(v(m, 'crah1/supply_temp') - crah(m).bmsSupplyC)).toBeLessThan(0.01);
  });
});

describe('BMS: fan on cold-aisle ΔP', () => {
  it('holds the aisle ΔP at its setpoint; a load step pulls it negative until the fans catch up', () => {
    const m = quiet();
    expect(v(m, 'crah1/cold_aisle_dp')).toBeCloseTo(DEFAULT_PARAMS.crahDpSetpointPa, -0.5);
    const fan = v(m, 'crah1/fan_speed');
    m.addJob({ racks: AISLE_AB, expectedKwPerRack: 120, durationMs: 86_400_000, rampMs: 10_000 });
    later(m, 20);
    expect(crah(m).coldAisleDpPa).toBeLessThan(-20); // the racks' fans draw far more than the CRAHs deliver
    later(m, 40);
    // the VFDs ramp (2 %/s) while the PI (Ti 60 s) integrates: a minute later the fans are well up, not yet there
    expect(v(m, 'crah1/fan_speed')).toBeGreaterThan(fan + 20);
    later(m, 600);
    expect(v(m, 'crah1/cold_aisle_dp')).toBeCloseTo(DEFAULT_PARAMS.crahDpSetpointPa, -0.5);
    expect(v(m, 'crah1/fan_speed')).toBeGreaterThan(70);
  });

  it('a higher ΔP setpoint or fan minimum makes the fans run faster', () => {
    const m = quiet();
    const fan = v(m, 'crah3/fan_speed');
    m.write(P + 'crah3/dp_setpoint', 12);
    m.write(P + 'crah4/dp_setpoint', 12);
    later(m, 600);
    // orifice law: 12 Pa instead of 5 pushes ≈ 2 m³/s more through the aisle's leaks (+3–4 % of fan each)
    expect(v(m, 'crah3/fan_speed')).toBeGreaterThan(fan + 2);
    expect(v(m, 'crah3/cold_aisle_dp')).toBeCloseTo(12, -0.5);
    m.write(P + 'crah1/fan_min', 50);
    later(m, 300);
    expect(v(m, 'crah1/fan_speed')).toBeGreaterThanOrEqual(49.5);
  });

  it('takes a manual fan override and hands back to the ΔP loop without a bump when relinquished', () => {
    const m = quiet();
    const auto = v(m, 'crah2/fan_speed');
    m.write(P + 'crah2/fan_override', 80, 'operator');
    expect(v(m, 'crah2/fan_mode')).toBe(1);
    expect(m.reading(P + 'crah2/fan_override')).toEqual({ value: 80, quality: 'good' });
    later(m, 120);
    expect(v(m, 'crah2/fan_speed')).toBeCloseTo(80, 0);
    m.write(P + 'crah2/fan_override', null, 'operator');
    expect(m.reading(P + 'crah2/fan_override')).toEqual({ value: null, quality: 'good' });
    expect(v(m, 'crah2/fan_mode')).toBe(0);
    const after: number[] = [];
    for (let s = 0; s < 10; s++) {
      later(m, 1);
      after.push(v(m, 'crah2/fan_speed'));
    }
    // bumpless: the loop resumes from 80 % and walks back (the VFD ramps), no jump
    expect(Math.min(...after)).toBeGreaterThan(60);
    later(m, 900);
    expect(Math.abs(v(m, 'crah2/fan_speed') - auto)).toBeLessThan(5);
    const writes = m.groundTruth().filter((e) => e.phase === 'write');
    expect(writes.map((e) => e.phase === 'write' && [e.target, e.by, e.from, e.to])).toEqual([
      [P + 'crah2/fan_override', 'operator', null, 80],
      [P + 'crah2/fan_override', 'operator', 80, null],
    ]);
  });
});

describe('BMS: valve on supply or return air', () => {
  it('takes a manual valve override (the supply air then drifts) and resumes control when relinquished', () => {
    const m = quiet();
    m.addJob({ racks: AISLE_AB, expectedKwPerRack: 90, durationMs: 86_400_000 });
    later(m, 1800);
    const valve = v(m, 'crah1/valve');
    expect(valve).toBeGreaterThan(50);
    m.write(P + 'crah1/valve_override', 20);
    later(m, 10);
    // the actuator runs 100 % in 90 s: 10 s move it by 11 % at most
    expect(v(m, 'crah1/valve')).toBeGreaterThan(valve - 11.2);
    later(m, 600);
    expect(v(m, 'crah1/valve')).toBeCloseTo(20, 5);
    expect(v(m, 'crah1/valve_mode')).toBe(1);
    expect(v(m, 'crah1/supply_temp')).toBeGreaterThan(23);
    m.write(P + 'crah1/valve_override', null);
    later(m, 1200);
    expect(v(m, 'crah1/supply_temp')).toBeCloseTo(20, 0);
    expect(Math.abs(v(m, 'crah1/valve') - valve)).toBeLessThan(10);
  });

  it('can run a CRAH’s valve on return air instead: it then holds the return-air sensor at its setpoint', () => {
    const m = quiet({ crahValveControl: { crah3: 'return', crah4: 'return' } });
    expect(v(m, 'crah3/valve_control')).toBe(1);
    expect(v(m, 'crah1/valve_control')).toBe(0);
    const aisleCD = ['C', 'D'].flatMap((r) =>
      Array.from({ length: 10 }, (_, i) => `${r}${String(i + 1).padStart(2, '0')}`),
    );
    m.addJob({ racks: aisleCD, expectedKwPerRack: 100, durationMs: 86_400_000 });
    // the racks heat their air by ≈ 18 K: a return setpoint of 40 °C lets the supply air float above 20 °C
    m.write(P + 'crah3/return_setpoint', 40);
    m.write(P + 'crah4/return_setpoint', 40);
    later(m, 3600);
    expect(v(m, 'crah3/return_temp')).toBeCloseTo(40, 0);
    expect(v(m, 'crah4/return_temp')).toBeCloseTo(40, 0);
    // supply air floats: whatever holds the return at 40 °C
    expect(v(m, 'crah3/supply_temp')).toBeGreaterThan(20.5);
    expect(() => quiet({ crahValveControl: { crah9: 'return' } })).toThrow(
      /crahValveControl.crah9: no such CRAH in hall "hall1"; expected crah1, crah2, crah3, crah4/,
    );
    expect(() => quiet({ crahValveControl: { crah1: 'exhaust' as never } })).toThrow(
      /crahValveControl.crah1: expected "supply" or "return"; got "exhaust"/,
    );
  });
});
