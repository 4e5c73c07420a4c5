import { cduPumpPowerW, crahFanPowerW } from './energy';
import { HallModel } from './hall-model';
import { DEFAULT_PARAMS } from './params';
import { chillerCapacityW, chillerCop, chillerPowerW } from './plant';

const t0 = Date.UTC(2025, 6, 1, 6);
const P = 'sim/hall1/-/-/';
const AISLE_AB = ['A', 'B'].flatMap((r) =>
  Array.from({ length: 10 }, (_, i) => `${r}${String(i + 1).padStart(2, '0')}`),
);

describe('energy accounting', () => {
  it('fan power follows the affinity law: rated kW × speed³', () => {
    expect(crahFanPowerW(DEFAULT_PARAMS, 100)).toBe(21_000);
    expect(crahFanPowerW(DEFAULT_PARAMS, 50)).toBeCloseTo(21_000 / 8, 6);
    expect(cduPumpPowerW(DEFAULT_PARAMS, 0.5)).toBeCloseTo(20_000 / 8, 6);
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ racks: AISLE_AB, expectedKwPerRack: 100, durationMs: 86_400_000 });
    m.advanceTo(t0 + 3_600_000);
    const fan = m.truth().crahs[0]?.fanPct as number;
    expect(m.reading(P + 'crah1/fan_power').value).toBeCloseTo(21 * (fan / 100) ** 3, 0);
  });

  it('counts kWh per component: steady power × time, chillers at load / COP with the part-load curve', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ racks: AISLE_AB, expectedKwPerRack: 100, durationMs: 86_400_000 });
    m.setOutdoorTemperature(20);
    m.advanceTo(t0 + 7_200_000);
    const e0 = m.energy();
    m.advanceTo(t0 + 10_800_000);
    const e1 = m.energy();
    const dKwh = (a: { kwh: number }, b: { kwh: number }) => b.kwh - a.kwh;
    // an hour of steady load: the energy of the hour ≈ the power now (±5 %)
    e1.crahFans.forEach((c, i) => expect(dKwh(e0.crahFans[i]!, c)).toBeCloseTo(c.kw, -0.3));
    expect(dKwh(e0.chwPumps, e1.chwPumps)).toBeCloseTo(e1.chwPumps.kw, 1);
    expect(dKwh(e0.cduPumps, e1.cduPumps)).toBeCloseTo(20, 1); // CDU pumps at 100 %
    const chillersKw = e1.chillers.reduce((a, c) => a + c.kw, 0);
    expect(Math.abs(e1.totalKwh - e0.totalKwh - e1.totalKw) / e1.totalKw).toBeLessThan(0.05);
    // the chillers' power is what the model of a chiller says for this load, capacity and COP
    const t = m.truth().plant;
    const expected = t.chillers
      .filter((c) => c.status === 2)
      .reduce(
        (a, c) => a + chillerPowerW(c.capacityKw * 1000, c.loadKw * 1000, chillerCop(DEFAULT_PARAMS, t.supplyC, 20)),
        0,
      );
    expect(chillersKw).toBeCloseTo(expected / 1000, 3);
    expect(e1.cop).toBeCloseTo(chillerCop(DEFAULT_PARAMS, t.supplyC, 20), 6);
    expect(t.chillers[0]?.capacityKw).toBeCloseTo(chillerCapacityW(DEFAULT_PARAMS, t.supplyC, 20) / 1000, 3);
    // the plant's power point is chillers + chilled-water pumps
    expect(m.reading(P + 'plant1/power').value).toBeCloseTo(chillersKw + e1.chwPumps.kw, -0.5);
    expect(e1.totalKw).toBeCloseTo(
      e1.crahFans.reduce((a, c) => a + c.kw, 0) + chillersKw + e1.chwPumps.kw + e1.cduPumps.kw,
      6,
    );
    // an air-cooled chiller plant on a 20 °C day: 0.1–0.3 kW of cooling power per kW of heat (mechanical PUE share)
    expect(e1.totalKw / e1.coolingKw).toBeGreaterThan(0.1);
    expect(e1.totalKw / e1.coolingKw).toBeLessThan(0.3);
  });

  it('starts counting at startMs (the warm-up is not billed)', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    expect(m.energy().totalKwh).toBe(0);
    m.advanceTo(t0 + 60_000);
    expect(m.energy().totalKwh).toBeGreaterThan(0);
  });
});
