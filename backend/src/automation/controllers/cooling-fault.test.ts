import type { RuleConfig } from '../config';
import type { DecisionView } from '../decider';
import type { InputSample } from '../guard/verdict';
import { CoolingFault } from './cooling-fault';

const T0 = 1_800_000_000_000;
const S = 'sim/hall1';
const rule = (options: Record<string, unknown> = {}) =>
  ({
    id: 'cooling-fault',
    controller: 'cooling-fault',
    mode: 'auto',
    priority: 3,
    options: { zones: [{ crahs: ['crah1', 'crah2'], racks: ['A*'] }], plant: 'plant1', ...options },
  }) as unknown as RuleConfig;

/** A plant that reads `values`; unknown points read missing. */
function view(now: number, values: Record<string, number>): DecisionView {
  const latest = (pointId: string): InputSample =>
    pointId in values
      ? { pointId, value: values[pointId]!, quality: 'good', ts: now }
      : { pointId, value: null, quality: 'missing' };
  return {
    now,
    latest,
    select: () => [],
    racks: () => [{ id: 'A01', hall: 'hall1', row: 'A' } as ReturnType<DecisionView['racks']>[number]],
    sourceState: () => undefined,
    jobs: [],
    openJobs: [],
    held: [],
    limits: () => undefined,
  };
}

const plant = (chw: number, running: number, extra: Record<string, number> = {}) => ({
  [`${S}/-/-/plant1/chw_supply_temp`]: chw,
  [`${S}/-/-/plant1/chw_setpoint`]: 12,
  [`${S}/-/-/plant1/chillers_running`]: running,
  [`${S}/-/-/crah1/fan_speed`]: 60,
  [`${S}/-/-/crah2/fan_speed`]: 60,
  [`${S}/-/-/crah1/fan_override`]: 60,
  [`${S}/-/-/crah2/fan_override`]: 60,
  [`${S}/-/-/crah1/supply_setpoint`]: 20,
  [`${S}/-/-/crah2/supply_setpoint`]: 20,
  [`${S}/A/A01/env/inlet_temp`]: 24,
  [`${S}/A/A01/pdu/power`]: 100,
  ...extra,
});

describe('cooling-fault: chilled-water loss', () => {
  it('does not call a plant staging up under a load step (warm water, more chillers) a fault', () => {
    const cf = new CoolingFault(rule(), 'sim', 'hall1');
    // the twin's full-hall ramp: 12 → 22 °C while the plant goes from one chiller to three over 15 minutes
    const chw = [12, 14, 17, 19, 20.5, 22, 22.4, 21, 19, 17, 15, 13, 12];
    chw.forEach((c, i) => {
      const d = cf.decide(view(T0 + i * 90_000, plant(c, Math.min(3, 1 + Math.floor(i / 3)))));
      expect(d).toMatchObject({ active: false, writes: [], summary: 'cooling normal' });
    });
  });

  it('calls a chiller that stops while the water warms a loss, raises the zone, and ends it back in the band', () => {
    const cf = new CoolingFault(rule(), 'sim', 'hall1');
    expect(cf.decide(view(T0, plant(12, 2))).active).toBe(false);
    // a chiller trips: one fewer runs; the supply is still in the band, so nothing yet
    expect(cf.decide(view(T0 + 10_000, plant(13, 1))).active).toBe(false);
    const d = cf.decide(view(T0 + 60_000, plant(15, 1)));
    expect(d.active).toBe(true);
    expect(d.summary).toContain('chilled water lost (15 °C)');
    expect(d.writes.map((w) => w.pointId)).toEqual(
      expect.arrayContaining([`${S}/-/-/crah1/fan_override`, `${S}/-/-/crah2/supply_setpoint`]),
    );
    // back within setpoint + 2 K: over, and nothing is wanted any more
    expect(cf.decide(view(T0 + 120_000, plant(13.5, 2)))).toMatchObject({ active: false, writes: [] });
  });

  it('calls supply above chwAlarmC for tripFor a loss whatever the chillers report', () => {
    const cf = new CoolingFault(rule(), 'sim', 'hall1');
    expect(cf.decide(view(T0, plant(26, 3))).active).toBe(false);
    expect(cf.decide(view(T0 + 20_000, plant(26, 3))).active).toBe(false);
    expect(cf.decide(view(T0 + 31_000, plant(26, 3))).active).toBe(true);
  });

  it('a missing reading during a loss keeps it (no flapping on a lost sensor)', () => {
    const cf = new CoolingFault(rule(), 'sim', 'hall1');
    cf.decide(view(T0, plant(12, 2)));
    cf.decide(view(T0 + 10_000, plant(16, 1)));
    const values = plant(16, 1);
    delete (values as Record<string, number>)[`${S}/-/-/plant1/chw_supply_temp`];
    expect(cf.decide(view(T0 + 20_000, values)).active).toBe(true);
  });
});

describe('cooling-fault: a CRAH trip', () => {
  it('needs the fan below tripBelowPct for tripFor, then raises the other unit of the zone only', () => {
    const cf = new CoolingFault(rule(), 'sim', 'hall1');
    const tripped = plant(12, 2, { [`${S}/-/-/crah1/fan_speed`]: 0 });
    expect(cf.decide(view(T0, tripped)).active).toBe(false);
    const d = cf.decide(view(T0 + 30_000, tripped));
    expect(d.summary).toContain('crah1 tripped');
    const ids = d.writes.map((w) => w.pointId);
    expect(ids).toContain(`${S}/-/-/crah2/fan_override`);
    expect(ids.some((id) => id.includes('crah1'))).toBe(false);
  });

  it('caps the racks of the zone while its hottest inlet stays above capAboveC, and tells the scheduler', () => {
    const cf = new CoolingFault(rule(), 'sim', 'hall1');
    const hot = plant(12, 2, { [`${S}/-/-/crah1/fan_speed`]: 0, [`${S}/A/A01/env/inlet_temp`]: 31 });
    cf.decide(view(T0, hot));
    const d = cf.decide(view(T0 + 60_000, hot));
    const cap = d.writes.find((w) => w.pointId.endsWith('gpu/power_limit'));
    expect(cap?.value).toBe(90); // 100 kW drawn, one 10 kW step
    expect(d.notify.map((n) => n.kind)).toEqual(expect.arrayContaining(['scheduler', 'power', 'event']));
    expect(cf.decide(view(T0 + 120_000, hot)).writes.find((w) => w.pointId.endsWith('gpu/power_limit'))?.value).toBe(
      80,
    );
  });

  it('sizes the first caps on a trip to what the remaining airflow carries, before the inlets rise', () => {
    const cf = new CoolingFault(rule(), 'sim', 'hall1');
    const racks = Array.from({ length: 20 }, (_, i) => `A${String(i + 1).padStart(2, '0')}`);
    const values: Record<string, number> = plant(12, 2, { [`${S}/-/-/crah1/fan_speed`]: 0 });
    for (const r of racks) {
      values[`${S}/A/${r}/env/inlet_temp`] = 24;
      values[`${S}/A/${r}/pdu/power`] = 110;
    }
    const v = (now: number): DecisionView => ({
      ...view(now, values),
      racks: () => racks.map((id) => ({ id, hall: 'hall1', row: 'A' }) as ReturnType<DecisionView['racks']>[number]),
    });
    cf.decide(v(T0));
    const caps = cf.decide(v(T0 + 30_000)).writes.filter((w) => w.pointId.endsWith('gpu/power_limit'));
    // 20 racks at 110 kW draw 20 × (0.3 + 0.046 × 110 × 0.35) = 41.4 m³/s; one CRAH moves 30: 74 kW a rack
    expect(caps).toHaveLength(20);
    expect(caps.every((w) => w.value === 74)).toBe(true);
    // cool again while crah1 is still down: the sized cap stays the ceiling
    for (const r of racks) values[`${S}/A/${r}/env/inlet_temp`] = 22;
    const later = cf.decide(v(T0 + 120_000)).writes.filter((w) => w.pointId.endsWith('gpu/power_limit'));
    expect(later.every((w) => w.value === 74)).toBe(true);
  });
});
