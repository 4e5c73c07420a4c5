import { HallModel } from './hall-model';
import { DEFAULT_PARAMS, chwFlowPerChillerLpm } from './params';
import { chillerCapacityW, chillerCop, chillerPowerW, outdoorCycleC } from './plant';

const p = DEFAULT_PARAMS;
const t0 = Date.UTC(2025, 6, 1, 8);
const P = 'sim/hall1/-/-/plant1/';
const AISLE_AB = ['A', 'B'].flatMap((r) =>
  Array.from({ length: 10 }, (_, i) => `${r}${String(i + 1).padStart(2, '0')}`),
);

describe('chillers: capacity, COP and part load', () => {
  it('has its rated capacity at 35 °C outdoor and 12 °C leaving water, less when hot outside, more with warmer water', () => {
    expect(chillerCapacityW(p, 12, 35)).toBeCloseTo(1_500_000, -3);
    // [York]: ≈ −1.45 %/K of condenser air, +3.5 %/K of leaving water
    expect(chillerCapacityW(p, 12, 25) / chillerCapacityW(p, 12, 35)).toBeCloseTo(1.145, 2);
    expect(chillerCapacityW(p, 16, 35) / chillerCapacityW(p, 12, 35)).toBeCloseTo(1.14, 2);
    // two chillers carry a normal day (≈ 3.3 MW) on a 26 °C afternoon; three fall short of the full hall (5.3 MW)
    expect(2 * chillerCapacityW(p, 12, 26)).toBeGreaterThan(3_300_000);
    expect(3 * chillerCapacityW(p, 12, 26)).toBeLessThan(5_300_000);
  });

  it('has a COP near EER 3 at the 35 °C / 7 °C rating point, better on a mild night, worse at a higher lift', () => {
    expect(chillerCop(p, 7, 35)).toBeGreaterThan(2.7);
    expect(chillerCop(p, 7, 35)).toBeLessThan(3.3);
    expect(chillerCop(p, 12, 15)).toBeGreaterThan(1.5 * chillerCop(p, 12, 35));
    expect(chillerCop(p, 16, 25)).toBeGreaterThan(chillerCop(p, 10, 25)); // a higher CHW setpoint saves energy
  });

  it('draws capacity / COP at full load and more per kW of cooling at low part load (DOE-2 EIRFPLR)', () => {
    expect(chillerPowerW(1_500_000, 1_500_000, 5)).toBeCloseTo(300_000, -2);
    const kwPerKwHalf = chillerPowerW(1_500_000, 750_000, 5) / 750_000;
    const kwPerKwLow = chillerPowerW(1_500_000, 300_000, 5) / 300_000;
    expect(kwPerKwHalf).toBeCloseTo(0.2 * 0.99, 2);
    expect(kwPerKwLow).toBeGreaterThan(1.4 * 0.2);
  });

  it('follows a daily outdoor cycle: warmest at 15:00 UTC, coolest at 03:00', () => {
    const day = Date.UTC(2025, 6, 1);
    expect(outdoorCycleC(p, day + 15 * 3_600_000)).toBeCloseTo(p.outdoorMeanC + p.outdoorSwingK, 5);
    expect(outdoorCycleC(p, day + 3 * 3_600_000)).toBeCloseTo(p.outdoorMeanC - p.outdoorSwingK, 5);
  });
});

describe('chilled-water plant: staging and loop', () => {
  /** Seconds from now until `cond` first holds, stepping second by second (undefined if not within `max`). */
  const until = (m: HallModel, cond: () => boolean, max: number): number | undefined => {
    const start = m.now();
    for (let s = 1; s <= max; s++) {
      m.advanceTo(start + s * 1000);
      if (cond()) return s;
    }
    return undefined;
  };
  const status = (m: HallModel, i: number) => m.truth().plant.chillers[i - 1]?.status;

  it('stages a second chiller minutes after a load step; meanwhile the chilled-water supply rises', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    expect(m.truth().plant.chillers.map((c) => c.status)).toEqual([2, 0, 0]); // idle hall: the lead chiller only
    expect(m.reading(P + 'chillers_running').value).toBe(1);
    m.addJob({ racks: AISLE_AB, expectedKwPerRack: 110, durationMs: 86_400_000, rampMs: 20_000 });
    let peak = 0;
    const started = until(
      m,
      () => {
        peak = Math.max(peak, m.truth().plant.supplyC);
        return status(m, 2) === 1;
      },
      1800,
    );
    // the sequencer's load estimate (flow × ΔT) must exceed 90 % of the lead's capacity for stageUpDelayS first
    expect(started).toBeGreaterThanOrEqual(p.stageUpDelayS);
    expect(started).toBeLessThan(p.stageUpDelayS + 600);
    // a new chiller needs minutes: start sequence, then soft loading
    expect(until(m, () => ((peak = Math.max(peak, m.truth().plant.supplyC)), status(m, 2) === 2), 600)).toBe(
      p.chillerStartS,
    );
    const t1 = m.now();
    m.advanceTo(t1 + (p.chillerRampS / 2) * 1000);
    // soft loading: halfway through its ramp it may deliver half its capacity at most
    const half = m.truth().plant.chillers[1] as { loadKw: number; capacityKw: number };
    expect(half.loadKw).toBeLessThanOrEqual(0.51 * half.capacityKw);
    expect(half.loadKw).toBeGreaterThan(0.3 * half.capacityKw);
    until(m, () => ((peak = Math.max(peak, m.truth().plant.supplyC)), false), 3600);
    const settled = m.truth().plant;
    // the load exceeded the staged capacity for minutes: the loop's water warmed, then came back
    expect(peak).toBeGreaterThan(p.chwSetpointC + 1);
    expect(settled.supplyC).toBeCloseTo(p.chwSetpointC, 0);
    expect(m.reading(P + 'chillers_running').value).toBeGreaterThanOrEqual(2);
    expect(m.reading(P + 'load').value).toBeGreaterThan(2200);
    expect(m.reading(P + 'chw_flow').value).toBeGreaterThan(1.9 * chwFlowPerChillerLpm(p));
  });

  it('replaces a tripped chiller with the standby at once; the supply temperature rises until it is loaded', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ racks: AISLE_AB, expectedKwPerRack: 120, durationMs: 86_400_000 });
    m.advanceTo(t0 + 3 * 3600_000);
    const before = m.truth().plant;
    expect(before.chillers.map((c) => c.status)).toEqual([2, 2, 0]);
    const f = m.injectFault({ type: 'chiller_trip', target: 'plant1', params: { chiller: 1 } });
    m.advanceTo(m.now() + 1000);
    expect(m.truth().plant.chillers.map((c) => c.status)).toEqual([3, 2, 1]);
    expect(m.reading(P + 'chiller1_status').value).toBe(3);
    let peak = 0;
    const running = until(
      m,
      () => {
        peak = Math.max(peak, m.truth().plant.supplyC);
        return status(m, 3) === 2;
      },
      600,
    );
    expect(running).toBeGreaterThanOrEqual(p.chillerStartS - 2);
    m.advanceTo(m.now() + 1800_000);
    expect(peak).toBeGreaterThan(before.supplyC + 0.5);
    expect(m.truth().plant.supplyC).toBeCloseTo(p.chwSetpointC, 0);
    // back in service: available again (the sequencer keeps the standby now running)
    m.clearFault(f.id);
    m.advanceTo(m.now() + 1000);
    expect(status(m, 1)).toBe(0);
    expect(
      m
        .groundTruth()
        .filter((e) => e.type === 'chiller_trip')
        .map((e) => e.phase),
    ).toEqual(['start', 'end']);
  });

  it('holds a written chilled-water setpoint, and the CRAH coils see the warmer water', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ racks: AISLE_AB, expectedKwPerRack: 100, durationMs: 86_400_000 });
    m.advanceTo(t0 + 3600_000);
    const valve = m.truth().crahs[0]?.valvePct as number;
    m.write(P + 'chw_setpoint', 16, 'operator');
    m.advanceTo(t0 + 2 * 3600_000);
    expect(m.reading(P + 'chw_supply_temp').value).toBeCloseTo(16, 0);
    expect(m.truth().crahs[0]?.valvePct).toBeGreaterThan(valve + 5); // the valve opens to hold its supply air
    expect(() => m.write(P + 'chw_setpoint', 25)).toThrow(/chw_setpoint": 25 °C is out of range; allowed 6–20 °C/);
  });

  it('loses capacity and efficiency on a hot day (imposed outdoor temperature, logged)', () => {
    const run = (outdoorC: number) => {
      const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
      m.setOutdoorTemperature(outdoorC, 'scenario');
      m.addJob({ racks: AISLE_AB, expectedKwPerRack: 100, durationMs: 86_400_000 });
      m.advanceTo(t0 + 3600_000);
      return m;
    };
    const cool = run(10);
    const hot = run(38);
    expect(hot.reading(P + 'outdoor_temp').value).toBeCloseTo(38, 0);
    expect(hot.truth().plant.chillers[0]!.capacityKw).toBeLessThan(0.75 * cool.truth().plant.chillers[0]!.capacityKw);
    expect(hot.reading(P + 'power').value).toBeGreaterThan(1.5 * (cool.reading(P + 'power').value as number));
    expect(hot.groundTruth()[0]).toEqual({
      time: t0,
      phase: 'write',
      type: 'write',
      target: P + 'outdoor_temp',
      by: 'scenario',
      from: null,
      to: 38,
      source: 'api',
    });
    expect(() => cool.setOutdoorTemperature(70)).toThrow(
      /outdoor temperature: 70 °C is out of range; allowed −40–55 °C/,
    );
  });
});
