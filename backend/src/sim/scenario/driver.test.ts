import { ScenarioSchema, type ScenarioInput } from '../../scenario/schema';
import { HallModel } from '../model';
import { ScenarioDriver, resolveRacks } from './driver';
import { ScenarioRecorder } from './recorder';
import type { HallTruth } from '../model/hall-model';

const START = Date.UTC(2026, 6, 15, 10);
const scenario = (more: Partial<ScenarioInput>) =>
  ScenarioSchema.parse({
    name: 't',
    description: 'd',
    start: new Date(START).toISOString(),
    duration: '30m',
    speed: 60,
    ...more,
  });
const model = () => new HallModel({ startMs: START, jobSchedule: 'none' });

describe('ScenarioDriver', () => {
  it('resolves all, rows, ids and globs to racks in layout order, and names what it cannot find', () => {
    const { layout } = model();
    expect(resolveRacks('all', layout, 'r')).toHaveLength(40);
    expect(resolveRacks(['row B'], layout, 'r')).toEqual(layout.racks.filter((r) => r.row === 'B').map((r) => r.id));
    expect(resolveRacks(['A1?'], layout, 'r')).toEqual(['A10']);
    expect(resolveRacks(['D1*', 'A01'], layout, 'r')).toEqual(['A01', 'D10']);
    expect(() => resolveRacks(['row Z'], layout, 'jobs[0].racks')).toThrow(
      'jobs[0].racks: no row "Z" in hall hall1; expected one of A, B, C, D',
    );
  });

  it('applies writes and outdoor changes at their simulated times, records every minute and stops at the end', () => {
    const m = model();
    const d = new ScenarioDriver(
      m,
      scenario({
        setpoints: [{ at: '5m', point: '-/-/crah1/supply_setpoint', value: 18 }],
        outdoor: [{ at: '10m', temperature: 38 }],
        jobs: [{ at: '2m', racks: ['A01'], kw: 120, ramp: '5s', duration: '20m' }],
      }),
    );
    d.advance(START + 4 * 60_000 + 30_000);
    expect(m.groundTruth().filter((e) => e.type === 'write')).toEqual([]);
    d.advance(START + 11 * 60_000);
    const writes = m.groundTruth().filter((e) => e.type === 'write');
    expect(writes.map((w) => [w.time - START, w.by, w.target.split('/').slice(-2).join('/'), w.to])).toEqual([
      [300_000, 'scenario', 'crah1/supply_setpoint', 18],
      [600_000, 'scenario', 'plant1/outdoor_temp', 38],
    ]);
    expect(m.truth().plant.outdoorC).toBe(38);
    // one observation at the start and one per minute
    expect(d.recorder.series.time.map((t) => (t - START) / 60_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // A01's job started at 2 min: the IT power recorded at 3 min exceeds the idle hall's by ≈ 112 kW
    expect(d.recorder.series.itKw[3]! - d.recorder.series.itKw[1]!).toBeGreaterThan(100);
    d.advance(START + 3_600_000);
    expect(m.now()).toBe(START + 30 * 60_000);
    expect(d.finished).toBe(true);
    expect(d.recorder.series.time).toHaveLength(31);
  });
});

describe('ScenarioRecorder', () => {
  const truth = (time: number, inlets: number[], gpu = 60): HallTruth =>
    ({
      time,
      racks: inlets.map((inletC, i) => ({
        rack: `R${i}`,
        inletC,
        exhaustC: 0,
        powerKw: 100,
        limitKw: null,
        recirculation: 0,
        gpuMaxC: gpu,
      })),
      crahs: [],
      cdu: { supplyC: 30, returnC: 35, flowLpm: 1, heatKw: 1, facilityC: 12 },
      plant: {
        outdoorC: 20,
        setpointC: 10,
        supplyC: 10,
        returnC: 15,
        flowLpm: 1,
        loadKw: 1,
        coolingKw: 1,
        chillers: [],
      },
    }) as unknown as HallTruth;
  const energy = (kwh: number) => ({ totalKwh: kwh, totalKw: 10 }) as never;
  const lost = { capGpuH: 1.5, thermalGpuH: 0.25, racks: [], jobs: [] };

  it('counts minutes above 27 and 32 °C per rack and for the hall, rate-of-change over 15 min, throttling', () => {
    const r = new ScenarioRecorder(['R0', 'R1'], 87);
    // R0 rises 0.5 °C a minute from 20 °C for 30 min; R1 stays at 22; GPUs throttle in minutes 10–14
    for (let i = 0; i <= 30; i++)
      r.observe(truth(i * 60_000, [20 + 0.5 * i, 22], i >= 10 && i < 15 ? 87 : 70), energy(i), lost);
    const f = r.figures();
    // R0 > 27 from minute 15 (27.5) to 30: 16 minutes; > 32 from minute 25 (32.5): 6 minutes
    expect(f).toMatchObject({
      maxInletC: 35,
      minutesAbove27C: 16,
      rackMinutesAbove27C: 16,
      minutesAbove32C: 6,
      minInletC: 20,
    });
    // more than 5 °C within the last 15 min from minute 11 on (5.5 °C since minute 0): 20 minutes (R1 none)
    expect(f.rateOfChangeViolations).toBe(20);
    expect(f.gpuThrottleRackMin).toBe(10);
    expect(f).toMatchObject({ cappedGpuHours: 1.5, thermalGpuHours: 0.25, coolingEnergyKwh: 30 });
    // 200 kW for 31 one-minute samples
    expect(f.itEnergyKwh).toBeCloseTo((200 * 31) / 60, 6);
    expect(r.perRack()[1]).toMatchObject({ rack: 'R1', maxInletC: 22, minutesAbove27C: 0, rateOfChangeViolations: 0 });
  });
});
