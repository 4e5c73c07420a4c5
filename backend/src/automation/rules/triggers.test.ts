import type { Point } from '@plenum/model';
import { globToRegExp } from '../../catalog/glob';
import type { SourceState } from '../../connectors/runner';
import { TriggerSchema } from '../config';
import type { DecisionView, JobInfo, PredictionInfo } from '../decider';
import type { InputSample } from '../guard/verdict';
import { inWindow, TriggerState, type Firing } from './triggers';

const view = (predictions: PredictionInfo[]): DecisionView => ({
  now: 0,
  latest: (pointId) => ({ pointId, value: 25.5, quality: 'good', ts: 0 }),
  select: () => [],
  racks: () => [],
  sourceState: () => undefined,
  jobs: [],
  openJobs: [],
  held: [],
  limits: () => undefined,
  predictions,
});

const inlet = 'sim/hall1/A/A05/env/inlet_temp';
const forecast: PredictionInfo = {
  asset: 'sim/hall1/A/A05/env',
  diagnosis: 'limit_forecast',
  severity: 'warning',
  title: 'A05 inlet: limit forecast — A05 inlet reaches 27 °C inlet in ~12 min (8–20 min)',
  leadMin: 12,
  pointId: inlet,
};

describe('prediction trigger', () => {
  const state = (t: object) => new TriggerState(TriggerSchema.parse({ prediction: t }));

  it('fires while a matching prediction is open, naming its forecast point (pre-cool before a breach)', () => {
    const f = state({ diagnosis: ['limit_forecast'], withinMin: 15 }).evaluate(view([forecast]));
    expect(f.active).toBe(true);
    expect(f.points.map((p) => p.pointId)).toEqual([inlet]);
    expect(f.summary).toContain('A05 inlet reaches 27 °C');
  });

  it('does not fire on other diagnoses, a lower severity, a farther limit, other assets or none', () => {
    expect(state({ diagnosis: ['filter_clog'] }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ severity: 'critical' }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ withinMin: 10 }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ withinMin: 30 }).evaluate(view([{ ...forecast, leadMin: undefined }])).active).toBe(false);
    expect(state({ assets: ['sim/hall1/C/*/env'] }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ assets: ['sim/hall1/A/*/env'] }).evaluate(view([forecast])).active).toBe(true);
    expect(state({}).evaluate(view([])).active).toBe(false);
    expect(state({}).evaluate({ ...view([]), predictions: undefined }).summary).toBe('no matching prediction');
  });

  it('refuses unknown fields with the trigger names in the message', () => {
    expect(TriggerSchema.safeParse({ prediction: { diagnoses: [] } }).success).toBe(false);
    const r = TriggerSchema.safeParse({ predicton: {} });
    expect(r.success).toBe(false);
  });
});

// ── the other triggers, evaluated over time on a view whose clock and readings the test sets ──

const A = 'sim/hall1/A/A01/env/inlet_temp';
const B = 'sim/hall1/A/A02/env/inlet_temp';
const T0 = Date.UTC(2026, 6, 15, 10);
const MIN = 60_000;

interface Bench {
  /** the reading of a point from now on (quality good unless given) */
  set(id: string, value: number | null, quality?: InputSample['quality']): void;
  /** evaluates at T0 + `ms` */
  at(ms: number, extra?: Partial<DecisionView>): Firing;
}

function bench(trigger: object): Bench {
  const state = new TriggerState(TriggerSchema.parse(trigger));
  const readings = new Map<string, InputSample>();
  let now = T0;
  return {
    set(id, value, quality = 'good') {
      readings.set(id, { pointId: id, value, quality, ts: now });
    },
    at(ms, extra = {}) {
      now = T0 + ms;
      return state.evaluate({
        ...view([]),
        now,
        latest: (id) => readings.get(id) ?? { pointId: id, value: null, quality: 'missing' },
        select: (ids) =>
          [...readings.keys()].filter((id) => ids.some((g) => globToRegExp(g).test(id))).map((id) => ({ id }) as Point),
        ...extra,
      });
    },
  };
}

/** readings stamped at the evaluation time: set them, then evaluate at the same instant */
function step(b: Bench, ms: number, values: Record<string, number | null>): Firing {
  b.at(ms); // advances the clock so the readings carry this time
  for (const [id, v] of Object.entries(values)) b.set(id, v);
  return b.at(ms);
}

describe('threshold trigger', () => {
  it('fires only after the value has stayed above for onDelay, per point', () => {
    const b = bench({ threshold: { ids: ['sim/hall1/*/*/env/inlet_temp'], above: 27, onDelay: '2m' } });
    expect(step(b, 0, { [A]: 28, [B]: 25 }).active).toBe(false);
    expect(step(b, 2 * MIN - 1000, { [A]: 28, [B]: 25 }).active).toBe(false);
    const f = step(b, 2 * MIN, { [A]: 28, [B]: 25 });
    expect(f.active).toBe(true);
    expect(f.points.map((p) => p.pointId)).toEqual([A]);
    expect(f.inputs.map((p) => p.pointId)).toEqual([A, B]);
    expect(f.summary).toBe('1 of 2 above 27');
  });

  it('starts the on-delay again when the value dips back before it elapses', () => {
    const b = bench({ threshold: { ids: [A], above: 27, onDelay: '2m' } });
    step(b, 0, { [A]: 28 });
    step(b, 1 * MIN, { [A]: 26.9 });
    step(b, 1.5 * MIN, { [A]: 28 });
    expect(step(b, 3 * MIN, { [A]: 28 }).active).toBe(false); // 2m from 0, but only 1.5m since the dip
    expect(step(b, 3.5 * MIN, { [A]: 28 }).active).toBe(true);
  });

  it('clears only below threshold − deadband, and only after offDelay', () => {
    const b = bench({ threshold: { ids: [A], above: 27, offDelay: '5m', deadband: 1 } });
    expect(step(b, 0, { [A]: 27.5 }).active).toBe(true); // no onDelay: at once
    // back under 27 but inside the deadband: still firing, and no off-delay running
    expect(step(b, 1 * MIN, { [A]: 26.2 }).active).toBe(true);
    expect(step(b, 10 * MIN, { [A]: 26.2 }).active).toBe(true);
    // below 26: the off-delay runs
    expect(step(b, 11 * MIN, { [A]: 25.9 }).active).toBe(true);
    expect(step(b, 16 * MIN - 1000, { [A]: 25.9 }).active).toBe(true);
    expect(step(b, 16 * MIN, { [A]: 25.9 }).active).toBe(false);
  });

  it('restarts the off-delay when the value goes back out of the deadband', () => {
    const b = bench({ threshold: { ids: [A], above: 27, offDelay: '5m', deadband: 1 } });
    step(b, 0, { [A]: 28 });
    step(b, 1 * MIN, { [A]: 25 }); // off-delay from 1m
    step(b, 4 * MIN, { [A]: 26.5 }); // inside the deadband again: the clearing is cancelled
    step(b, 5 * MIN, { [A]: 25 }); // off-delay from 5m
    expect(step(b, 9 * MIN, { [A]: 25 }).active).toBe(true);
    expect(step(b, 10 * MIN, { [A]: 25 }).active).toBe(false);
  });

  it('below: fires under the bound and clears above bound + deadband', () => {
    const b = bench({ threshold: { ids: [A], below: 18, deadband: 0.5 } });
    expect(step(b, 0, { [A]: 18 }).active).toBe(false); // not strictly below
    expect(step(b, MIN, { [A]: 17.9 }).summary).toBe('1 of 1 below 18');
    expect(step(b, 2 * MIN, { [A]: 18.4 }).active).toBe(true);
    expect(step(b, 3 * MIN, { [A]: 18.6 }).active).toBe(false);
  });

  it('never fires on a bad or missing reading, and a bad reading clears a firing point', () => {
    const b = bench({ threshold: { ids: [A], above: 27 } });
    b.set(A, 35, 'bad');
    expect(b.at(0).active).toBe(false);
    b.set(A, 35, 'uncertain');
    expect(b.at(MIN).active).toBe(false);
    step(b, 2 * MIN, { [A]: 28 });
    expect(b.at(2 * MIN).active).toBe(true);
    b.set(A, 28, 'bad');
    expect(b.at(3 * MIN).active).toBe(false);
  });
});

describe('rate trigger', () => {
  it('fires on a rise faster than perMinuteAbove, once half the window has history', () => {
    const b = bench({ rate: { ids: [A], perMinuteAbove: 1, over: '5m' } });
    // +0.6 K every 30 s = 1.2 K/min
    const at = (k: number) => step(b, k * 30_000, { [A]: 22 + 0.6 * k });
    for (let k = 0; k < 5; k++) expect(at(k).active).toBe(false); // under 2.5 min of history
    const f = at(5);
    expect(f.active).toBe(true);
    expect(f.points.map((p) => p.pointId)).toEqual([A]);
    expect(f.summary).toBe('1 of 1 changing faster than 1 per minute');
  });

  it('does not fire on a slower rise, and measures over the window only (an old jump ages out)', () => {
    const b = bench({ rate: { ids: [A], perMinuteAbove: 1, over: '5m' } });
    step(b, 0, { [A]: 20 });
    step(b, 30_000, { [A]: 26 }); // a jump of 6 K, then 0.2 K/min
    const at = (k: number) => step(b, k * 30_000, { [A]: 26 + 0.1 * (k - 1) }).active;
    const fired: boolean[] = [];
    for (let k = 2; k <= 20; k++) fired.push(at(k));
    // k 2–4: under half the window of history; 5–10: the jump is within the 5 min; from 11 (5.5 min) it has
    // aged out and 0.2 K/min is left
    expect(fired).toEqual(Array.from({ length: 19 }, (_, i) => i + 2 >= 5 && i + 2 <= 10));
  });

  it('a negative perMinuteAbove fires on a fall faster than it', () => {
    const b = bench({ rate: { ids: [A], perMinuteAbove: -2, over: '2m' } });
    for (let k = 0; k <= 2; k++) step(b, k * MIN, { [A]: 30 - 1 * k }); // −1 K/min
    expect(b.at(2 * MIN).active).toBe(false);
    const f = step(b, 3 * MIN, { [A]: 22 }); // −8 K from 30 over the window's 2 min of samples
    expect(f.active).toBe(true);
  });

  it('ignores bad readings', () => {
    const b = bench({ rate: { ids: [A], perMinuteAbove: 1, over: '2m' } });
    step(b, 0, { [A]: 20 });
    b.at(2 * MIN);
    b.set(A, 40, 'bad');
    expect(b.at(2 * MIN).active).toBe(false);
  });
});

describe('schedule trigger', () => {
  it('fires once as the clock crosses each aligned period, never on the first evaluation', () => {
    const b = bench({ schedule: { every: '1h' } });
    const hour = 60 * MIN;
    // T0 is 10:00 UTC: the first evaluation only learns the slot
    expect(b.at(0).active).toBe(false);
    expect(b.at(30 * MIN).active).toBe(false);
    expect(b.at(hour - 1).active).toBe(false);
    const f = b.at(hour);
    expect(f).toMatchObject({ active: true, summary: 'scheduled' });
    expect(b.at(hour + 1000).active).toBe(false);
    expect(b.at(2 * hour + 5 * MIN).active).toBe(true);
    // a gap of several periods fires once, not once per period missed
    expect(b.at(6 * hour).active).toBe(true);
    expect(b.at(6 * hour + MIN).active).toBe(false);
  });
});

describe('schedule windows', () => {
  // 2026-07-17 is a Friday
  const at = (iso: string) => Date.parse(iso);
  it('is active inside a window of the day on the zone clock, with summer time, across midnight', () => {
    const b = bench({ schedule: { between: ['22:00', '06:00'], days: ['fri'], timeZone: 'Europe/Amsterdam' } });
    const active = (iso: string) => b.at(at(iso) - T0).active;
    // 22:00 in Amsterdam in July is 20:00 UTC
    expect(active('2026-07-17T19:59:00Z')).toBe(false);
    expect(b.at(at('2026-07-17T20:00:00Z') - T0)).toMatchObject({
      active: true,
      summary: 'in 22:00–06:00 (fri) Europe/Amsterdam',
    });
    // a window past midnight belongs to the day it starts on: Saturday 05:59 local is still Friday's
    expect(active('2026-07-18T03:59:00Z')).toBe(true);
    expect(active('2026-07-18T04:00:00Z')).toBe(false);
    // Saturday night's window is not Friday's
    expect(active('2026-07-18T21:00:00Z')).toBe(false);
    expect(active('2026-07-24T21:00:00Z')).toBe(true);
  });

  it('reads UTC by default, and refuses a window without a period or with a bad time or zone', () => {
    const b = bench({ schedule: { between: ['08:00', '18:00'] } });
    expect(b.at(at('2026-07-15T07:59:00Z') - T0).active).toBe(false);
    expect(b.at(at('2026-07-15T08:00:00Z') - T0).active).toBe(true);
    expect(b.at(at('2026-07-19T17:59:00Z') - T0).active).toBe(true);
    expect(inWindow(at('2026-07-15T18:00:00Z'), ['08:00', '18:00'], undefined, 'UTC')).toBe(false);
    const problems = (schedule: unknown) =>
      TriggerSchema.safeParse({ schedule }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({})).toEqual(['schedule: expected one of every (a period) or between (a window of the day)']);
    expect(problems({ between: ['8:00', '18:00'] })).toEqual([
      'schedule.between.0: expected a time of day HH:MM (00:00–23:59)',
    ]);
    expect(problems({ between: ['08:00', '18:00'], timeZone: 'Mars/Olympus' })).toEqual([
      'schedule.timeZone: expected an IANA time zone such as Europe/Amsterdam or UTC',
    ]);
  });
});

describe('connector trigger', () => {
  it('fires while a source is in the state for at least `for`, and resets when it leaves it', () => {
    const b = bench({ connector: { sources: ['cooling', 'pdus'], state: 'down', for: '1m' } });
    const states = new Map<string, { state: SourceState; since: number }>();
    const at = (ms: number) => b.at(ms, { sourceState: (s) => states.get(s) });
    states.set('cooling', { state: 'up', since: T0 });
    expect(at(0).active).toBe(false);
    states.set('cooling', { state: 'down', since: T0 + 10_000 });
    expect(at(10_000).active).toBe(false);
    expect(at(69_000).active).toBe(false);
    expect(at(70_000)).toMatchObject({ active: true, summary: 'cooling down' });
    states.set('cooling', { state: 'degraded', since: T0 + 80_000 });
    expect(at(80_000)).toMatchObject({ active: false, summary: 'no source down' });
    // down again: the minute starts over
    states.set('cooling', { state: 'down', since: T0 + 90_000 });
    expect(at(90_000).active).toBe(false);
    expect(at(150_000).active).toBe(true);
  });

  it('names every source in the state; an unknown source never fires', () => {
    const b = bench({ connector: { sources: ['cooling', 'pdus', 'gone'], state: 'degraded' } });
    const f = b.at(0, {
      sourceState: (s) => (s === 'gone' ? undefined : { state: 'degraded', since: T0 }),
    });
    expect(f).toMatchObject({ active: true, summary: 'cooling, pdus degraded' });
  });

  it('counts `for` from when the source entered the state, also for a rule that looks for the first time later', () => {
    const b = bench({ connector: { sources: ['cooling'], state: 'down', for: '1m' } });
    // down for 2 minutes already when this rule first evaluates (installed through the API, say)
    expect(b.at(0, { sourceState: () => ({ state: 'down', since: T0 - 2 * MIN }) }).active).toBe(true);
    expect(b.at(1000, { sourceState: () => ({ state: 'down', since: T0 - 30_000 }) }).active).toBe(false);
  });
});

describe('job trigger', () => {
  const job = (id: string, phase: JobInfo['phase'], kwPerRack: number): JobInfo => ({
    id,
    phase,
    racks: ['A01', 'A02'],
    hall: 'hall1',
    kwPerRack,
    time: T0,
  });

  it.each(['submit', 'start', 'end'] as const)('fires on %s transitions only, with the jobs', (phase) => {
    const b = bench({ job: { phase } });
    const jobs = [job('j-submit', 'submit', 50), job('j-start', 'start', 50), job('j-end', 'end', 50)];
    const f = b.at(0, { jobs });
    expect(f.active).toBe(true);
    expect(f.jobs.map((j) => j.id)).toEqual([`j-${phase}`]);
    expect(f.summary).toBe(`job j-${phase} ${phase}`);
    // the next evaluation sees no new transition
    expect(b.at(1000, { jobs: [] })).toMatchObject({ active: false, summary: 'no job transition' });
  });

  it('keeps only jobs expecting at least minKw per rack', () => {
    const b = bench({ job: { phase: 'start', minKw: 80 } });
    const f = b.at(0, { jobs: [job('small', 'start', 79.9), job('big', 'start', 80), job('bigger', 'start', 120)] });
    expect(f.jobs.map((j) => j.id)).toEqual(['big', 'bigger']);
    expect(b.at(1000, { jobs: [job('small', 'start', 40)] }).active).toBe(false);
  });
});
