/**
 * Backtest: stored history replayed through the same predictor the backend runs, so a site can see what the
 * detectors would have flagged, and when, on its own data — any points with the signal names the detectors read
 * (predict/README.md), imported through `POST /api/samples` or collected by connectors, at any sampling rate: each
 * point is read as the last good value per cadence bucket, carried forward while younger than staleAfter.
 */
import type { Site } from '@plenum/model';
import type { Historian } from '../historian/types';
import { QueryError } from '../common/errors';
import { leadText, type Transition } from './alarms';
import type { PredictionConfig } from './config';
import { DIAGNOSIS_NAMES, type Diagnosis } from './diagnoses';
import type { Snapshot } from './detectors';
import { Predictor } from './predictor';
import { watchHall } from './watched';

export interface BacktestOptions {
  from: number;
  to: number;
  /** only these diagnoses in the result, @default all */
  detectors?: readonly string[];
}

export interface BacktestPrediction {
  asset: string;
  diagnosis: Diagnosis;
  severity: string;
  title: string;
  text: string;
  pointId?: string;
  /** Unix ms it opened, and closed (undefined: still open at the end) */
  opened: number;
  closed?: number;
  /** the lead time when it opened */
  lead?: string;
}

export interface BacktestResult {
  from: number;
  to: number;
  cadenceMs: number;
  evaluations: number;
  predictions: BacktestPrediction[];
  /** detectors still learning at the end (too little healthy history in the range) */
  learning: number;
  detectors: number;
  /** wall ms the replay took */
  tookMs: number;
}

/** history is read in chunks of this many ms, so a month of 1 Hz data never sits in memory at once */
const CHUNK_MS = 6 * 3_600_000;
/** at most this much history per backtest: a month at the 10 s cadence is 260k evaluations */
export const MAX_BACKTEST_MS = 31 * 86_400_000;

export function backtest(
  site: Site,
  pointIds: readonly string[],
  historian: Historian,
  cfg: PredictionConfig,
  o: BacktestOptions,
  maxMs = MAX_BACKTEST_MS,
): BacktestResult {
  if (!(Number.isFinite(o.from) && Number.isFinite(o.to) && o.from < o.to))
    throw new QueryError(`from, to: expected from < to as Unix ms or ISO times; got ${o.from}, ${o.to}`);
  if (o.to - o.from > maxMs)
    throw new QueryError(
      `to: the range is ${((o.to - o.from) / 86_400_000).toFixed(2)} days; expected at most ${maxMs / 86_400_000} day${maxMs === 86_400_000 ? '' : 's'} per backtest here`,
    );
  const unknown = (o.detectors ?? []).filter((d) => !DIAGNOSIS_NAMES.includes(d as Diagnosis));
  if (unknown.length)
    throw new QueryError(
      `detectors: unknown ${unknown.map((d) => `"${d}"`).join(', ')}; expected any of ${DIAGNOSIS_NAMES.join(', ')}`,
    );
  const started = Date.now();
  const hall = watchHall(site, pointIds, cfg);
  const predictor = new Predictor(hall, cfg);
  const out = new Map<string, BacktestPrediction>();
  const done: BacktestPrediction[] = [];
  const evaluations = replay(predictor, historian, o.from, o.to, (x, end) => {
    const a = x.alarm;
    if (x.kind === 'open' || x.kind === 'reopen') {
      out.set(a.key, {
        asset: a.asset,
        diagnosis: a.diagnosis,
        severity: a.severity,
        title: a.title,
        text: a.text,
        opened: end,
        ...(a.pointId && { pointId: a.pointId }),
        ...(a.lead && { lead: leadText(a.lead) }),
      });
    } else if (x.kind === 'close') {
      const p = out.get(a.key);
      if (p) done.push({ ...p, closed: end });
      out.delete(a.key);
    }
  });
  const step = cfg.cadence;
  const keep = (p: BacktestPrediction) => !o.detectors?.length || o.detectors.includes(p.diagnosis);
  const status = predictor.detectors.status();
  return {
    from: o.from,
    to: o.to,
    cadenceMs: step,
    evaluations,
    predictions: [...done, ...out.values()].filter(keep).sort((p, q) => p.opened - q.opened),
    learning: status.filter((d) => d.state === 'learning').length,
    detectors: status.length,
    tookMs: Date.now() - started,
  };
}

/**
 * Feeds [from, to) of stored history to `predictor` at its cadence; `on` sees every alarm transition with the
 * evaluation's time. Returns the number of evaluations. Used by the backtest and by the live service's warm start.
 */
export function replay(
  predictor: Predictor,
  historian: Historian,
  from: number,
  to: number,
  on: (x: Transition, t: number) => void = () => {},
): number {
  const cfg = predictor.cfg;
  const step = cfg.cadence;
  const horizon = historian.horizon();
  let evaluations = 0;
  const last = new Map<string, { t: number; v: number }>();
  for (let c0 = Math.floor(from / step) * step; c0 < to; c0 += CHUNK_MS) {
    const c1 = Math.min(to, c0 + CHUNK_MS);
    // raw where retention still holds it, else the 1-minute rollup
    const resolution = c0 >= horizon.raw ? 'raw' : c0 >= horizon['1m'] ? '1m' : '1h';
    const stepMs =
      resolution === 'raw'
        ? step
        : resolution === '1m'
          ? Math.max(60_000, Math.ceil(step / 60_000) * 60_000)
          : 3_600_000;
    const series = new Map<string, { t: number[]; v: number[]; i: number }>();
    for (const id of predictor.hall.pointIds) {
      const b = historian.buckets(id, { from: c0, to: c1, stepMs, resolution });
      series.set(id, { t: b.t, v: b.last, i: 0 });
    }
    for (let t = c0; t < c1; t += step) {
      const end = t + step;
      for (const [id, s] of series) {
        while (s.i < s.t.length && (s.t[s.i] as number) < end) {
          const v = s.v[s.i] as number;
          if (Number.isFinite(v)) last.set(id, { t: s.t[s.i] as number, v });
          s.i++;
        }
      }
      const snap: Snapshot = {
        t: end,
        value(id) {
          const l = last.get(id);
          return l && end - l.t <= cfg.staleAfter + stepMs ? l.v : undefined;
        },
      };
      evaluations++;
      for (const x of predictor.step(snap)) on(x, end);
    }
  }
  return evaluations;
}
