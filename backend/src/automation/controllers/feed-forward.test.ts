import type { RuleConfig } from '../config';
import type { Decision, DecisionView, JobInfo } from '../decider';
import type { InputSample } from '../guard/verdict';
import { FeedForward } from './feed-forward';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const H = 'sim/hall1/-/-';
const RACKS = ['A01', 'A02'];
const SUPPLY = `${H}/crah1/supply_setpoint`;
const FAN_MIN = `${H}/crah1/fan_min`;

const rule = (options: Record<string, unknown> = {}) =>
  ({
    id: 'ff',
    controller: 'feed-forward',
    mode: 'auto',
    priority: 5,
    // small CRAHs (5 m³/s at full fan), so that two racks at 120 kW need more than the BMS's 20 % fan minimum
    options: {
      zones: [{ crahs: ['crah1', 'crah2'], racks: ['A*'] }],
      cdu: 'cdu1',
      plant: 'plant1',
      crahAirflow: 5,
      ...options,
    },
  }) as unknown as RuleConfig;

/** The BMS's own values; what the controller writes replaces them while it holds the point. */
const BMS: Record<string, number> = {
  [`${H}/crah1/supply_setpoint`]: 20,
  [`${H}/crah2/supply_setpoint`]: 20,
  [`${H}/crah1/fan_min`]: 20,
  [`${H}/crah2/fan_min`]: 20,
  [`${H}/cdu1/supply_setpoint`]: 30,
  [`${H}/plant1/chw_setpoint`]: 12,
};

/**
 * A zone of two racks and its CRAHs as the controller sees them: the engine's part played by hand — jobs handed
 * over once, points written held until released (then back to the BMS's value).
 */
class Zone {
  readonly values: Record<string, number> = { ...BMS };
  readonly held = new Set<string>();
  private jobs: JobInfo[] = [];
  constructor(
    readonly ff = new FeedForward(rule(), 'sim', 'hall1'),
    public kw = 10,
    public inletC = 22,
  ) {}

  job(phase: JobInfo['phase'], time: number, start?: number, kwPerRack = 120): void {
    this.jobs.push({ id: 'j1', phase, racks: RACKS, kwPerRack, time, ...(start !== undefined && { start }) });
  }

  step(now: number): Decision {
    const values = { ...this.values };
    for (const r of RACKS) {
      values[`sim/hall1/A/${r}/pdu/power`] = this.kw;
      values[`sim/hall1/A/${r}/env/inlet_temp`] = this.inletC;
    }
    const latest = (pointId: string): InputSample =>
      pointId in values
        ? { pointId, value: values[pointId] as number, quality: 'good', ts: now }
        : { pointId, value: null, quality: 'missing' };
    const view: DecisionView = {
      now,
      latest,
      select: () => [],
      racks: () => RACKS.map((id) => ({ id, hall: 'hall1', row: 'A' }) as ReturnType<DecisionView['racks']>[number]),
      sourceState: () => undefined,
      jobs: this.jobs,
      openJobs: [],
      held: [...this.held],
      limits: () => undefined,
    };
    this.jobs = [];
    const d = this.ff.decide(view);
    for (const w of d.writes) {
      this.held.add(w.pointId);
      this.values[w.pointId] = w.value;
    }
    for (const id of d.release) {
      this.held.delete(id);
      this.values[id] = BMS[id] as number;
    }
    return d;
  }

  /** steps every `every` ms from `from` up to `to`, returning the decisions */
  run(from: number, to: number, every = 15_000, each?: (t: number) => void): Decision[] {
    const out: Decision[] = [];
    for (let t = from; t <= to; t += every) {
      each?.(t);
      out.push(this.step(t));
    }
    return out;
  }
}

describe('feed-forward: lead', () => {
  it('prepares a submitted job `lead` (5 min) before its announced start, not at the submit', () => {
    const z = new Zone();
    const start = T0 + 30 * MIN;
    z.job('submit', T0, start);
    const before = z.run(T0, start - 5 * MIN - 15_000);
    expect(before.flatMap((d) => d.writes)).toEqual([]);
    expect(before.at(-1)?.summary).toBe('no job to prepare for');
    expect(z.step(start - 5 * MIN).summary).toBe('pre-positioned for job j1 (6 points; lead 5 min)');
    // the fan minimum moves first (40 %/min, written in 5 % steps); setpoints wait for their first 0.5 K step
    expect(z.step(start - 5 * MIN + 15_000).writes.map((w) => [w.pointId, w.value])).toEqual([
      [FAN_MIN, 25],
      [`${H}/crah2/fan_min`, 25],
    ]);
    // 1 K/min: the supply setpoints reach the BMS value − 2 K in two minutes, the CDU and chilled water alike
    z.run(start - 5 * MIN + 15_000, start - 2 * MIN);
    expect(z.values).toMatchObject({
      [SUPPLY]: 18,
      [`${H}/cdu1/supply_setpoint`]: 28,
      [`${H}/plant1/chw_setpoint`]: 10,
    });
  });

  it("leads by the zone's measured lag: the time its inlets took to answer the pre-cooling", () => {
    const z = new Zone();
    const start = T0 + 30 * MIN;
    z.job('submit', T0, start);
    const first = start - 5 * MIN;
    // the mean inlet falls 0.3 K three minutes after the pre-cooling began, before the job starts
    z.run(first, start - 15_000, 15_000, (t) => (z.inletC = t >= first + 3 * MIN ? 21.7 : 22));
    z.job('start', start);
    z.kw = 120;
    z.job('end', start + 10 * MIN);
    z.run(start, start + 40 * MIN);
    expect(z.held.size).toBe(0);
    // the next job is prepared 3 minutes ahead, no longer 5
    const next = start + 3 * 3_600_000;
    z.kw = 10;
    z.job('submit', next - 60 * MIN, next);
    expect(z.run(next - 60 * MIN, next - 3 * MIN - 15_000).flatMap((d) => d.writes)).toEqual([]);
    expect(z.step(next - 3 * MIN).summary).toBe(
      'pre-positioned for job j1 (6 points; lead: measured lag zone 1 3 min)',
    );
  });

  it('learns no lag from a job that starts before the inlets answer (the heat, not the cooling, moved them)', () => {
    const z = new Zone();
    const start = T0 + 30 * MIN;
    z.job('submit', T0, start);
    z.run(start - 5 * MIN, start - 15_000);
    z.job('start', start);
    z.kw = 120;
    z.run(start, start + 5 * MIN, 15_000, (t) => (z.inletC = t >= start + 2 * MIN ? 21.5 : 22));
    expect(z.step(start + 5 * MIN + 15_000).summary).toContain('lead 5 min');
  });
});

describe('feed-forward: the plant decides whether to pre-cool', () => {
  const PLANT = { load: `${H}/plant1/load`, running: `${H}/plant1/chillers_running` };
  const prepared = (values: Record<string, number>) => {
    const z = new Zone(new FeedForward(rule({ chillerKw: 1500 }), 'sim', 'hall1'));
    Object.assign(z.values, values);
    z.job('start', T0);
    z.run(T0, T0 + 3 * MIN);
    return [...z.held].sort();
  };

  it('lowers no setpoint for a job the running chillers can take: the fan minimum alone', () => {
    // two chillers run at 2000 of 3000 kW: 2 racks × (120 − 10) kW fit
    expect(prepared({ [PLANT.load]: 2000, [PLANT.running]: 2 })).toEqual([FAN_MIN, `${H}/crah2/fan_min`]);
  });

  it('pre-cools for a job that would make the plant stage a chiller, and when the plant cannot be read', () => {
    const all = [
      `${H}/cdu1/supply_setpoint`,
      FAN_MIN,
      SUPPLY,
      `${H}/crah2/fan_min`,
      `${H}/crah2/supply_setpoint`,
      `${H}/plant1/chw_setpoint`,
    ];
    // one chiller at 1400 of 1500 kW: 220 kW more needs a second
    expect(prepared({ [PLANT.load]: 1400, [PLANT.running]: 1 })).toEqual(all);
    // no plant readings: the safe side
    expect(prepared({})).toEqual(all);
  });

  it('keeps the decision made at the submit once the job starts and its heat is there', () => {
    const z = new Zone(new FeedForward(rule({ chillerKw: 1500 }), 'sim', 'hall1'));
    Object.assign(z.values, { [PLANT.load]: 1400, [PLANT.running]: 1 });
    const start = T0 + 2 * MIN;
    z.job('submit', T0, start);
    z.run(T0, start - 15_000);
    expect(z.held.has(SUPPLY)).toBe(true);
    // the job draws its 120 kW and a second chiller runs: nothing is "added" any more, the pre-cooling stays
    z.job('start', start);
    z.kw = 120;
    Object.assign(z.values, { [PLANT.load]: 1640, [PLANT.running]: 2 });
    z.run(start, start + 3 * MIN, 15_000, (t) => (z.kw = 100 + ((t / 15_000) % 3) * 20));
    expect(z.values[SUPPLY]).toBe(18);
  });
});

describe('feed-forward: hand-back', () => {
  it('hands the points back once the load and inlets have been steady for settleFor (5 min), ramping over relax', () => {
    const z = new Zone();
    const start = T0 + 10 * MIN;
    z.job('start', start);
    z.kw = 120;
    // the inlets warm by 1 K in the first 4 minutes of the job, then hold
    const ds = z.run(start, start + 9 * MIN - 15_000, 15_000, (t) => (z.inletC = t < start + 4 * MIN ? 23 : 24));
    expect(ds.every((d) => d.summary.startsWith('pre-positioned'))).toBe(true);
    expect(z.values[SUPPLY]).toBe(18);
    // settled 5 minutes after the inlets stopped moving: back to the BMS over the 10 minute relax
    expect(z.step(start + 9 * MIN).summary).toMatch(/^relaxing \d+ points to the BMS$/);
    z.run(start + 9 * MIN + 15_000, start + 14 * MIN);
    expect(z.values[SUPPLY]).toBeGreaterThan(18);
    expect(z.values[SUPPLY]).toBeLessThan(20);
    z.run(start + 14 * MIN + 15_000, start + 20 * MIN);
    expect(z.held.size).toBe(0);
    expect(z.values).toEqual(BMS);
  });

  it('keeps the points while the load swings, and hands back after hold (20 min) at the latest', () => {
    const z = new Zone();
    const start = T0 + 10 * MIN;
    z.job('start', start);
    // a job whose power swings ±15 % every minute never settles
    const ds = z.run(
      start,
      start + 20 * MIN - 15_000,
      15_000,
      (t) => (z.kw = Math.floor((t - start) / MIN) % 2 ? 138 : 102),
    );
    expect(ds.every((d) => d.summary.startsWith('pre-positioned'))).toBe(true);
    expect(z.step(start + 20 * MIN).summary).toMatch(/^relaxing/);
  });

  it('hands back at once, never writing away from the BMS value, when the device holds that value already', () => {
    const z = new Zone();
    z.job('start', T0);
    z.kw = 120;
    z.run(T0, T0 + 3 * MIN, 15_000, (t) => (z.kw = 100 + ((t / 15_000) % 3) * 20));
    expect(z.values[SUPPLY]).toBe(18);
    // the BMS's watchdog took the plant back (Plenum was silent too long): the device reads its own values again
    for (const id of z.held) z.values[id] = BMS[id] as number;
    z.job('end', T0 + 3 * MIN + 15_000);
    const held = [...z.held].sort();
    const d = z.step(T0 + 3 * MIN + 15_000);
    expect(d.writes).toEqual([]);
    expect(held).toHaveLength(6);
    expect(d.release.sort()).toEqual(held);
  });

  it("hands a fan minimum back at once when the BMS's own loop runs the fan above it after the start", () => {
    const z = new Zone();
    z.job('start', T0);
    z.kw = 120;
    z.run(T0, T0 + 2 * MIN, 15_000, (t) => (z.kw = 100 + ((t / 15_000) % 3) * 20));
    // the racks swing to 140 kW: a minimum of 56 %
    expect(z.values[FAN_MIN]).toBe(56);
    // the aisle's pressure loop now runs crah1 at 70 %: its minimum binds no more
    z.values[`${H}/crah1/fan_speed`] = 70;
    const d = z.step(T0 + 2 * MIN + 15_000);
    expect(d.release).toContain(FAN_MIN);
    expect(d.writes.map((w) => w.pointId)).not.toContain(FAN_MIN);
    // crah2, still at its minimum, keeps it; the setpoints are held on
    expect(z.held).toEqual(
      new Set([
        `${H}/crah2/fan_min`,
        SUPPLY,
        `${H}/crah2/supply_setpoint`,
        `${H}/cdu1/supply_setpoint`,
        `${H}/plant1/chw_setpoint`,
      ]),
    );
  });

  it('relaxes after the job ends and leaves small jobs to the BMS', () => {
    const z = new Zone();
    z.job('start', T0);
    z.kw = 120;
    z.run(T0, T0 + 2 * MIN, 15_000, (t) => (z.kw = 100 + ((t / 15_000) % 3) * 20));
    expect(z.held.size).toBe(6);
    z.job('end', T0 + 2 * MIN + 15_000);
    expect(z.step(T0 + 2 * MIN + 15_000).summary).toMatch(/^relaxing/);
    z.run(T0 + 3 * MIN, T0 + 15 * MIN);
    expect(z.held.size).toBe(0);

    const small = new Zone();
    small.job('start', T0, undefined, 30);
    expect(small.run(T0, T0 + 5 * MIN).flatMap((d) => d.writes)).toEqual([]);
  });
});
