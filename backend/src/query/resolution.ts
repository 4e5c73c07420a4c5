import type { Resolution } from '@plenum/model';
import type { StoreResolution } from '../historian/types';
import { QueryError } from '../common/errors';
import type { TimeRange } from './time';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Bucket widths a query may use, in ms: Grafana-like steps, so timestamps land on round times. */
const NICE_STEPS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  1000,
  2000,
  5000,
  10_000,
  15_000,
  30_000,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
  7 * 24 * HOUR,
];

export interface Plan {
  resolution: StoreResolution;
  /** bucket width, ms; a multiple of the resolution's own width */
  stepMs: number;
  /** said to the user in frame meta when the plan differs from what was asked */
  notices: string[];
}

const niceStep = (ms: number, unit: number): number => {
  const nice = NICE_STEPS.find((s) => s >= ms && s % unit === 0);
  return nice ?? Math.ceil(ms / unit) * unit;
};

/**
 * Picks the stored resolution and bucket width for a timeseries query: the coarsest resolution whose buckets
 * still fill `maxDataPoints` pixels (`auto`), moved coarser when the range reaches past what a resolution still
 * holds (retention), and never finer than Grafana's `intervalMs`. `p95` needs raw samples.
 */
export function planResolution(
  range: TimeRange,
  maxDataPoints: number,
  intervalMs: number,
  asked: Resolution,
  horizon: Record<StoreResolution, number>,
  wantsP95: boolean,
): Plan {
  const notices: string[] = [];
  const wanted = Math.max(1, intervalMs, Math.ceil((range.to - range.from) / maxDataPoints));
  let res: StoreResolution;
  if (asked !== 'auto') res = asked;
  else if (wantsP95) res = 'raw';
  else res = wanted >= HOUR ? '1h' : wanted >= MINUTE ? '1m' : 'raw';

  if (asked === 'auto') {
    if (res === 'raw' && range.from < horizon.raw) {
      res = '1m';
      notices.push('raw data before the raw retention horizon is gone; answered from 1-minute rollups');
    }
    if (res === '1m' && range.from < horizon['1m']) {
      res = '1h';
      notices.push('answered from 1-hour rollups: the range starts before the 1-minute retention horizon');
    }
  }
  if (wantsP95 && res !== 'raw') {
    throw new QueryError(
      'aggregate: p95 needs raw samples; pick a range inside the raw retention or another aggregate',
    );
  }
  const unit = res === 'raw' ? 1 : res === '1m' ? MINUTE : HOUR;
  const stepMs = niceStep(wanted, unit);
  // whole-hour buckets read 60× fewer rows from the hour rollups than from the minute ones
  if (asked === 'auto' && res === '1m' && stepMs % HOUR === 0 && range.from >= horizon['1h']) res = '1h';
  if ((range.to - range.from) / stepMs > 100_000) {
    throw new QueryError('resolution: more than 100000 buckets per series; use auto or a coarser resolution');
  }
  return { resolution: res, stepMs, notices };
}
