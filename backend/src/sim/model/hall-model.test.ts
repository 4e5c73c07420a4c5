import * as path from 'node:path';
import { loadConfig } from '../../config/load';
import { HallModel, type HallModelOptions } from './hall-model';
import { defaultSite } from './layout';
import { DEFAULT_PARAMS } from './params';

const t0 = Date.UTC(2025, 0, 1);
const P = 'sim/hall1/';
const quiet = (o: Partial<HallModelOptions> = {}) => new HallModel({ startMs: t0, jobSchedule: 'none', ...o });

/** Advances second by second and returns the values of `ids` at each second. */
function record(m: HallModel, seconds: number, ids: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
  const start = m.now();
  for (let s = 1; s <= seconds; s++) {
    m.advanceTo(start + s * 1000);
    for (const id of ids) out[id]?.push(m.reading(P + id).value as number);
  }
  return out;
}

/** Seconds until `series` first covers 63.2 % of the way from `base` to `final`. */
function t63(series: number[], base: number, final: number): number {
  const level = base + 0.632 * (final - base);
  return series.findIndex((v) => (final > base ? v >= level : v <= level)) + 1;
}

describe('HallModel: topology and points', () => {
  const config = loadConfig(path.join(__dirname, '../../../../plenum.yaml'));

  it('defaultSite() is the hall of plenum.yaml', () => {
    const strip = (h: (typeof config.site.halls)[number]) => ({
      id: h.id,
      assets: (h.assets ?? []).map((a) => [a.id, a.type]),
      rows: h.rows.map((r) => [
        r.id,
        r.racks.map((k) => [k.id, k.x, k.y, k.facing, k.ratedKw, k.assets.map((a) => a.id)]),
      ]),
    });
    expect(strip(defaultSite().halls[0] as never)).toEqual(strip(config.site.halls[0] as never));
  });

  it('serves every point plenum.yaml reads from it over OPC UA and Modbus, under the same id', () => {
    const m = new HallModel({ startMs: t0, site: config.site });
    const readings = m.readings();
    const direct = config.points.filter((p) => p.source.connector === 'opcua' || p.source.connector === 'modbus');
    expect(direct.length).toBeGreaterThan(200);
    const missing = direct.filter((p) => !readings.has(p.id)).map((p) => p.id);
    expect(missing).toEqual([]);
    expect(readings.get('sim/hall1/A/A01/pdu/power')?.quality).toBe('good');
    expect(readings.get('sim/hall1/-/-/crah1/fan_speed')?.value).toEqual(expect.any(Number));
  });

  it('sizes the hall from the site and puts each CRAH over one stretch of one cold aisle', () => {
    const m = quiet({ site: defaultSite({ rows: 2, racksPerRow: 6, crahs: 2 }) });
    expect(m.layout.racks.map((r) => r.id)).toEqual([
      'A01',
      'A02',
      'A03',
      'A04',
      'A05',
      'A06',
      'B01',
      'B02',
      'B03',
      'B04',
      'B05',
      'B06',
    ]);
    expect(m.layout.zoneRacks.map((z) => z.map((i) => m.layout.racks[i]?.id).sort())).toEqual([
      ['A01', 'A02', 'A03', 'B01', 'B02', 'B03'],
      ['A04', 'A05', 'A06', 'B04', 'B05', 'B06'],
    ]);
    const big = quiet();
    expect(big.layout.zoneRacks.map((z) => z.length)).toEqual([10, 10, 10, 10]);
    expect(big.layout.racks.find((r) => r.id === 'C07')?.zone).toBe(3);
    expect(
      big
        .pdus()
        .map((p) => [p.rack, p.unitId])
        .slice(0, 3),
    ).toEqual([
      ['A01', 1],
      ['A02', 2],
      ['A03', 3],
    ]);
  });

  it('rejects a site it cannot simulate, naming the problem', () => {
    const site = defaultSite();
    (site.halls[0] as { assets?: unknown[] }).assets = [];
    expect(() => new HallModel({ startMs: t0, site })).toThrow(/needs hall-level assets of type crah .* and cdu/);
  });

  it('rejects impossible parameters, naming them', () => {
    expect(() => quiet({ params: { stepMs: 0 } })).toThrow(/params.stepMs: expected an integer 10–60000 ms/);
    expect(() => quiet({ params: { tauInlet: 5 } as never })).toThrow(/params.tauInlet: unknown parameter/);
    expect(() => quiet({ params: { gpuMaxW: -1 } })).toThrow(/params.gpuMaxW: expected a number ≥ 0/);
  });
});

describe('HallModel: the plant’s points and the writable catalog', () => {
  const m = quiet();
  const sig = (id: string) => m.signals().find((s) => s.id === P + id);

  it('serves the chilled-water plant as a hall-level asset (the first chiller asset, else an undeclared plant1)', () => {
    for (const s of [
      'chw_supply_temp',
      'chw_return_temp',
      'chw_setpoint',
      'chillers_running',
      'load',
      'outdoor_temp',
    ]) {
      expect(m.reading(`${P}-/-/plant1/${s}`).quality).toBe('good');
    }
    expect(m.reading(P + '-/-/plant1/chiller3_status').value).toBe(0);
    // defaultSite(), like plenum.yaml, declares it as plant1
    expect(m.layout).toMatchObject({ plant: 'plant1', plantDeclared: true });
    const site = defaultSite();
    const hall = site.halls[0] as { assets: { id: string; type: string }[] };
    hall.assets = hall.assets.filter((a) => a.type !== 'chiller');
    const undeclared = new HallModel({ startMs: t0, site, jobSchedule: 'none' });
    expect(undeclared.layout).toMatchObject({ plant: 'plant1', plantDeclared: false });
    expect(undeclared.reading('sim/hall1/-/-/plant1/chw_setpoint').value).toBe(12);
    hall.assets.push({ id: 'chw', type: 'chiller' });
    const declared = new HallModel({ startMs: t0, site, jobSchedule: 'none' });
    expect(declared.layout).toMatchObject({ plant: 'chw', plantDeclared: true });
    expect(declared.reading('sim/hall1/-/-/chw/chw_setpoint').value).toBe(12);
  });

  it('gives every writable point a range, and takes null (relinquish) only for overrides and power limits', () => {
    const writable = m.signals().filter((s) => s.writable);
    expect(writable.every((s) => s.min !== undefined && s.max !== undefined && s.min < s.max)).toBe(true);
    expect([...new Set(writable.map((s) => `${s.role}/${s.signal}`))].sort()).toEqual([
      'bms/supervisor_heartbeat',
      'bms/supervisor_lease',
      'cdu/pump_speed_setpoint',
      'cdu/supply_setpoint',
      'crah/dp_setpoint',
      'crah/fan_min',
      'crah/fan_override',
      'crah/return_setpoint',
      'crah/supply_setpoint',
      'crah/valve_override',
      'gpu/power_limit',
      'plant/chw_setpoint',
    ]);
    expect(writable.filter((s) => s.relinquish).map((s) => s.signal)).toEqual(
      expect.arrayContaining(['fan_override', 'valve_override', 'power_limit']),
    );
    expect(new Set(writable.filter((s) => s.relinquish).map((s) => s.signal)).size).toBe(3);
    expect(sig('-/-/crah1/fan_override')).toMatchObject({ kind: 'command', min: 0, max: 100, unit: '%' });
    expect(sig('-/-/crah1/dp_setpoint')).toMatchObject({ kind: 'setpoint', min: 2, max: 25, unit: 'Pa' });
    expect(sig('-/-/plant1/chw_setpoint')).toMatchObject({ min: 6, max: 20, unit: '°C' });
    expect(sig('A/A01/gpu/power_limit')).toMatchObject({ min: 20, max: 132.7, unit: 'kW' });
  });

  it('logs every accepted write — who, what, old → new, when — and nothing for a refused one', () => {
    const w = quiet();
    w.advanceTo(t0 + 10_000);
    w.write(P + '-/-/crah3/supply_setpoint', 22, 'plenum:rule-7');
    w.write(P + '-/-/cdu1/pump_speed_setpoint', 80);
    expect(() => w.write(P + '-/-/crah3/supply_setpoint', null)).toThrow(
      /supply_setpoint": null \(relinquish\) is taken by overrides and power limits only; expected a number in 14–27 °C/,
    );
    expect(() => w.write(P + '-/-/crah3/fan_override', 'x' as never)).toThrow(
      /fan_override": expected a number in 0–100 %, or null to relinquish; got "x"/,
    );
    expect(w.groundTruth()).toEqual([
      {
        time: t0 + 10_000,
        phase: 'write',
        type: 'write',
        target: P + '-/-/crah3/supply_setpoint',
        by: 'plenum:rule-7',
        from: 20,
        to: 22,
        source: 'api',
      },
      {
        time: t0 + 10_000,
        phase: 'write',
        type: 'write',
        target: P + '-/-/cdu1/pump_speed_setpoint',
        by: 'api',
        from: 100,
        to: 80,
        source: 'api',
      },
    ]);
    w.advanceTo(t0 + 120_000);
    expect(w.reading(P + '-/-/cdu1/pump_speed').value).toBeCloseTo(80, 0);
    expect(Math.abs((w.reading(P + '-/-/cdu1/flow').value as number) / 3200 - 1)).toBeLessThan(0.01);
  });
});

describe('HallModel: determinism', () => {
  const series = (seed: number, chunks: number) => {
    const m = new HallModel({ startMs: t0, seed, randomFaultsPerDay: 200 });
    const out: string[] = [];
    for (let i = 1; i <= chunks; i++) {
      m.advanceTo(t0 + (i * 900_000) / chunks);
      if (i % (chunks / 3) === 0) out.push(JSON.stringify([...m.readings()]));
    }
    out.push(JSON.stringify(m.groundTruth()), JSON.stringify(m.jobs()));
    return out;
  };

  it('gives the same series for the same seed, however time is advanced, and another series for another seed', () => {
    const a = series(5, 3);
    expect(series(5, 3)).toEqual(a);
    expect(series(5, 300)).toEqual(a);
    expect(series(6, 3)).not.toEqual(a);
  });

  it('ignores time that does not move forward and steps in whole steps', () => {
    const m = quiet();
    m.advanceTo(t0 + 2_500);
    expect(m.now()).toBe(t0 + 2_000);
    m.advanceTo(t0);
    expect(m.now()).toBe(t0 + 2_000);
  });
});

describe('HallModel: load and temperatures', () => {
  it('a job ramp raises rack power within seconds and the exhaust with its documented lag', () => {
    const m = quiet();
    m.addJob({ racks: ['A03'], expectedKwPerRack: 100, durationMs: 3_600_000, start: t0 + 60_000, rampMs: 10_000 });
    const ids = ['A/A03/pdu/power', 'A/A03/env/exhaust_temp', 'A/A03/gpu/utilization', 'A/A03/gpu/gpu0_power'];
    const s = record(m, 900, ids);
    const power = s['A/A03/pdu/power'] as number[];
    expect(power[58]).toBeLessThan(10); // idle: 5–10 kW
    expect(power[58]).toBeGreaterThan(5);
    const after15s = power.slice(60 + 15, 60 + 25);
    expect(Math.min(...after15s)).toBeGreaterThan(85); // ±10 % ripple around 100 kW
    expect(Math.max(...after15s)).toBeLessThan(115);
    expect(Math.max(...after15s) - Math.min(...after15s)).toBeGreaterThan(10); // the training-step ripple shows
    expect(s['A/A03/gpu/utilization']?.[100]).toBeGreaterThan(85);
    expect(s['A/A03/gpu/gpu0_power']?.[100]).toBeGreaterThan(800); // W per GPU

    const ex = s['A/A03/env/exhaust_temp'] as number[];
    const base = ex[58] as number;
    const final = ex[899] as number;
    expect(final - base).toBeGreaterThan(5);
    const t = t63(ex.slice(60), base, final); // seconds after the job started
    const tau = DEFAULT_PARAMS.tauExhaustS;
    expect(t).toBeGreaterThanOrEqual(0.8 * tau);
    expect(t).toBeLessThanOrEqual(1.3 * tau);
  });

  it('the BMS takes the supply air to a new setpoint in minutes and the inlets follow with the inlet lag', () => {
    const m = quiet();
    // crah1 and crah2 blow into the same contained aisle (A/B): a step on one alone is diluted by the other's air
    m.write(P + '-/-/crah1/supply_setpoint', 24);
    m.write(P + '-/-/crah2/supply_setpoint', 24);
    const s = record(m, 1800, ['A/A03/env/inlet_temp', '-/-/crah1/supply_temp', 'C/C03/env/inlet_temp']);
    const inlet = s['A/A03/env/inlet_temp'] as number[];
    const supply = s['-/-/crah1/supply_temp'] as number[];
    const tIn = t63(inlet, inlet[0] as number, inlet[1799] as number);
    const tSup = t63(supply, supply[0] as number, supply[1799] as number);
    // the BMS's own sensor is what it holds at the setpoint; its PI (Ti 180 s) barely overshoots
    expect(supply[1799]).toBeCloseTo(24, 0);
    expect(Math.max(...supply)).toBeLessThan(25);
    expect(tSup).toBeGreaterThan(DEFAULT_PARAMS.tauSupplyAirS);
    expect(tSup).toBeLessThanOrEqual(240);
    expect(inlet[1799]! - inlet[0]!).toBeGreaterThan(3.5);
    expect(tIn - tSup).toBeGreaterThanOrEqual(0.8 * DEFAULT_PARAMS.tauInletS);
    expect(tIn - tSup).toBeLessThanOrEqual(1.5 * DEFAULT_PARAMS.tauInletS);
    // another aisle does not move
    const other = s['C/C03/env/inlet_temp'] as number[];
    expect(Math.abs(other[1799]! - other[0]!)).toBeLessThan(0.5);
  });

  it('splits GPU heat between liquid (≈75 %) and air, and the CDU return rises with the load', () => {
    const m = quiet();
    const before = m.readings();
    m.addJob({ racks: ['A01', 'A02', 'A03', 'A04'], expectedKwPerRack: 120, durationMs: 3_600_000 });
    m.advanceTo(t0 + 600_000);
    const r = m.readings();
    const v = (id: string) => r.get(P + id)?.value as number;
    const gpuKw = ['A01', 'A02', 'A03', 'A04'].reduce((a, k) => a + v(`A/${k}/gpu/power`), 0);
    expect(gpuKw).toBeGreaterThan(300);
    const extraLiquidKw = v('-/-/cdu1/heat_load') - (before.get(P + '-/-/cdu1/heat_load')?.value as number);
    expect(extraLiquidKw / gpuKw).toBeGreaterThan(0.6);
    expect(extraLiquidKw / gpuKw).toBeLessThan(0.8);
    expect(v('-/-/cdu1/return_temp')).toBeGreaterThan((before.get(P + '-/-/cdu1/return_temp')?.value as number) + 1);
    expect(v('-/-/cdu1/supply_temp')).toBeCloseTo(30, 0);
  });

  it('recirculates hot air into the inlets where CRAH airflow falls short of rack demand, most at aisle ends', () => {
    const zone1 = ['A01', 'A02', 'A03', 'A04', 'A05', 'B01', 'B02', 'B03', 'B04', 'B05'];
    const zone2 = ['A06', 'A07', 'A08', 'A09', 'A10', 'B06', 'B07', 'B08', 'B09', 'B10'];
    const m = quiet();
    m.addJob({ racks: [...zone1, ...zone2], expectedKwPerRack: 110, durationMs: 7_200_000 });
    // 30 min: the chilled-water plant stages a second chiller for the 2.2 MW step and the loops settle
    m.advanceTo(t0 + 1_800_000);
    const inlet = (k: string) => m.reading(`${P}${k[0]}/${k}/env/inlet_temp`).value as number;
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const ok1 = zone1.map(inlet);
    const ok2 = zone2.map(inlet);
    expect(Math.max(...ok1, ...ok2)).toBeLessThan(22.5); // enough air: inlets near the 20 °C supply
    // crah1 can now deliver only 25 % of its airflow: crah2, on the same aisle, runs to 100 % but cannot make it up
    m.injectFault({ type: 'fan_degradation', target: 'crah1', params: { maxSpeedPct: 25 } });
    m.advanceTo(t0 + 3_600_000);
    const short1 = zone1.map(inlet);
    const short2 = zone2.map(inlet);
    expect(m.reading(P + '-/-/crah2/fan_speed').value).toBeGreaterThan(98);
    expect(mean(short1) - mean(ok1)).toBeGreaterThan(4);
    expect(inlet('A01')).toBeGreaterThan(inlet('A03')); // aisle end gets more of the hot air
    // the neighbouring zone shares the aisle's shortfall, far less than the starved one
    expect(mean(short2) - mean(ok2)).toBeLessThan((mean(short1) - mean(ok1)) / 2);
    // another aisle is unaffected
    expect(Math.abs(inlet('C03') - 20)).toBeLessThan(1.5);
  });

  it('keeps PDU electrical values consistent: I = P / (√3 · V · PF), energy counts up', () => {
    const m = quiet();
    m.addJob({ racks: ['B02'], expectedKwPerRack: 90, durationMs: 3_600_000 });
    const e0 = m.pdus()[11]?.energyKwh as number;
    m.advanceTo(t0 + 3_600_000);
    const p = m.pdus().find((x) => x.rack === 'B02');
    expect(p?.voltageV).toBeGreaterThan(400);
    expect(p?.voltageV).toBeLessThan(430);
    expect(p!.currentA).toBeCloseTo((p!.powerKw * 1000) / (Math.sqrt(3) * p!.voltageV * 0.98), -1);
    expect(p!.energyKwh - e0).toBeGreaterThan(80); // ~90 kWh over the hour
    expect(p!.energyKwh - e0).toBeLessThan(100);
  });
});

describe('HallModel: setpoints', () => {
  const m = quiet();

  it('writes a setpoint in range and the process follows', () => {
    m.write(P + '-/-/cdu1/supply_setpoint', 35);
    expect(m.reading(P + '-/-/cdu1/supply_setpoint').value).toBe(35);
    m.advanceTo(t0 + 600_000);
    expect(m.reading(P + '-/-/cdu1/supply_temp').value).toBeCloseTo(35, 0);
  });

  it.each([
    [P + '-/-/crah1/supply_setpoint', 13.9, /crah1\/supply_setpoint": 13.9 °C is out of range; allowed 14–27 °C/],
    [P + '-/-/crah1/supply_setpoint', 27.5, /allowed 14–27 °C/],
    [P + '-/-/cdu1/supply_setpoint', 50, /cdu1\/supply_setpoint": 50 °C is out of range; allowed 18–45 °C/],
    [P + '-/-/crah1/supply_setpoint', Number.NaN, /expected a number in 14–27 °C/],
    [P + '-/-/crah1/supply_temp', 20, /is a measurement, not writable/],
    [
      P + '-/-/crah9/supply_setpoint',
      20,
      /no point ".*crah9\/supply_setpoint".*writable points: sim\/hall1\/-\/-\/crah1\/supply_setpoint/,
    ],
  ])('rejects %s = %s', (id, value, message) => {
    expect(() => m.write(id, value)).toThrow(message);
  });
});
