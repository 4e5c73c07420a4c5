/**
 * Rule triggers (pure): each keeps its own state between evaluations and answers which points (or jobs) fire
 * now. Threshold: on-delay, off-delay and deadband per point; rate of change over a window; job transitions;
 * schedules aligned on the clock; connector states held for a while. Inputs that are not good never fire (and
 * the guard refuses writes based on them anyway).
 */
import type { Trigger } from '../config';
import type { DecisionView, JobInfo } from '../decider';
import type { InputSample } from '../guard/verdict';
import { globToRegExp } from '../../catalog/glob';

export interface Firing {
  active: boolean;
  /** the points whose condition holds, with their values */
  points: InputSample[];
  /** the jobs that fired (job triggers) */
  jobs: JobInfo[];
  inputs: InputSample[];
  summary: string;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const clocks = new Map<string, Intl.DateTimeFormat>();

/** weekday (0 = Sunday) and minute of the day of `t` in `timeZone` (DST as the zone has it) */
function localTime(t: number, timeZone: string): { day: number; minute: number } {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    clocks.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return {
    day: WEEKDAYS.indexOf(String(parts.weekday).toLowerCase().slice(0, 3)),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/**
 * Inside the daily window [from, to) read on the zone's clock; a window past midnight (22:00–06:00) belongs to
 * the day it starts on, so `days: [fri]` covers Friday 22:00 to Saturday 06:00.
 */
export function inWindow(
  t: number,
  [from, to]: readonly [string, string],
  days: readonly string[] | undefined,
  timeZone: string,
): boolean {
  const m = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const [a, b] = [m(from), m(to)];
  const { day, minute } = localTime(t, timeZone);
  const starts = (d: number) => !days || days.includes(WEEKDAYS[(d + 7) % 7] as string);
  if (a === b) return starts(day); // the whole day
  if (a < b) return minute >= a && minute < b && starts(day);
  return (minute >= a && starts(day)) || (minute < b && starts(day - 1));
}

interface PointState {
  active: boolean;
  /** Unix ms the condition began (before onDelay) or began to clear (before offDelay) */
  since?: number;
  history: Array<[number, number]>;
}

export class TriggerState {
  private readonly points = new Map<string, PointState>();
  private lastSlot?: number;

  constructor(private readonly t: Trigger) {}

  private ps(id: string): PointState {
    let s = this.points.get(id);
    if (!s) this.points.set(id, (s = { active: false, history: [] }));
    return s;
  }

  evaluate(view: DecisionView): Firing {
    const t = this.t;
    const now = view.now;
    if ('threshold' in t) {
      const c = t.threshold;
      const inputs = view.select(c.ids).map((p) => view.latest(p.id));
      const firing: InputSample[] = [];
      for (const i of inputs) {
        const s = this.ps(i.pointId);
        const v = typeof i.value === 'number' && i.quality === 'good' ? i.value : undefined;
        const beyond = v !== undefined && (c.above !== undefined ? v > c.above : v < (c.below as number));
        const back =
          v === undefined || (c.above !== undefined ? v < c.above - c.deadband : v > (c.below as number) + c.deadband);
        if (!s.active) {
          if (beyond) {
            s.since ??= now;
            if (now - s.since >= (c.onDelay ?? 0)) {
              s.active = true;
              s.since = undefined;
            }
          } else s.since = undefined;
        } else if (back) {
          s.since ??= now;
          if (now - s.since >= (c.offDelay ?? 0)) {
            s.active = false;
            s.since = undefined;
          }
        } else s.since = undefined;
        if (s.active) firing.push(i);
      }
      const bound = c.above !== undefined ? `above ${c.above}` : `below ${c.below}`;
      return {
        active: firing.length > 0,
        points: firing,
        jobs: [],
        inputs,
        summary: firing.length ? `${firing.length} of ${inputs.length} ${bound}` : `none of ${inputs.length} ${bound}`,
      };
    }
    if ('rate' in t) {
      const c = t.rate;
      const inputs = view.select(c.ids).map((p) => view.latest(p.id));
      const firing: InputSample[] = [];
      for (const i of inputs) {
        const s = this.ps(i.pointId);
        if (typeof i.value === 'number' && i.quality === 'good' && i.ts !== undefined) {
          if (s.history.at(-1)?.[0] !== i.ts) s.history.push([i.ts, i.value]);
          while (s.history.length > 1 && (s.history[0] as [number, number])[0] < now - c.over) s.history.shift();
          const [t0, v0] = s.history[0] as [number, number];
          const minutes = (i.ts - t0) / 60_000;
          // a rate needs at least half the window of history
          const rate = minutes >= c.over / 120_000 ? (i.value - v0) / minutes : 0;
          const fires = c.perMinuteAbove >= 0 ? rate > c.perMinuteAbove : rate < c.perMinuteAbove;
          if (fires) firing.push(i);
        }
      }
      return {
        active: firing.length > 0,
        points: firing,
        jobs: [],
        inputs,
        summary: `${firing.length} of ${inputs.length} changing faster than ${c.perMinuteAbove} per minute`,
      };
    }
    if ('job' in t) {
      const jobs = view.jobs.filter((j) => j.phase === t.job.phase && j.kwPerRack >= t.job.minKw);
      return {
        active: jobs.length > 0,
        points: [],
        jobs,
        inputs: [],
        summary: jobs.length ? `job ${jobs.map((j) => j.id).join(', ')} ${t.job.phase}` : 'no job transition',
      };
    }
    if ('schedule' in t) {
      const sc = t.schedule;
      if (sc.between) {
        const inside = inWindow(now, sc.between, sc.days, sc.timeZone);
        const summary = `${inside ? 'in' : 'outside'} ${sc.between.join('–')}${sc.days ? ` (${sc.days.join(', ')})` : ''} ${sc.timeZone}`;
        return { active: inside, points: [], jobs: [], inputs: [], summary };
      }
      const slot = Math.floor(now / (sc.every as number));
      const fires = this.lastSlot !== undefined && slot !== this.lastSlot;
      this.lastSlot = slot;
      return { active: fires, points: [], jobs: [], inputs: [], summary: fires ? 'scheduled' : 'waiting' };
    }
    if ('always' in t) return { active: true, points: [], jobs: [], inputs: [], summary: 'always' };
    if ('prediction' in t) {
      const c = t.prediction;
      const rank = { info: 0, warning: 1, critical: 2 } as const;
      const assets = c.assets?.map(globToRegExp);
      const hit = (view.predictions ?? []).filter(
        (p) =>
          (!c.diagnosis || c.diagnosis.includes(p.diagnosis)) &&
          (!c.severity || rank[p.severity] >= rank[c.severity]) &&
          (c.withinMin === undefined || (p.leadMin !== undefined && p.leadMin <= c.withinMin)) &&
          (!assets || assets.some((re) => re.test(p.asset))),
      );
      // the forecast points, so `{rack}`-style templates and the trace name what fired
      const points = hit.flatMap((p) => (p.pointId ? [view.latest(p.pointId)] : []));
      return {
        active: hit.length > 0,
        points,
        jobs: [],
        inputs: points,
        summary: hit.length
          ? hit
              .map((p) => p.title)
              .join('; ')
              .slice(0, 300)
          : 'no matching prediction',
      };
    }
    const c = t.connector;
    const hit: string[] = [];
    for (const src of c.sources) {
      const st = view.sourceState(src);
      // held since the source entered the state (the engine's record), not since this rule first looked: a rule
      // installed while a source is already down waits only what is left of `for`
      if (st?.state === c.state && now - st.since >= (c.for ?? 0)) hit.push(src);
    }
    return {
      active: hit.length > 0,
      points: [],
      jobs: [],
      inputs: [],
      summary: hit.length ? `${hit.join(', ')} ${c.state}` : `no source ${c.state}`,
    };
  }
}
