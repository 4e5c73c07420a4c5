/**
 * Pure: the store windows that give the edge's buckets (historian/queries.ts computeBuckets). A bucket starts at
 * a multiple of stepMs and holds the samples in [start, start + step) ∩ [from, to) at raw resolution; at 1m / 1h
 * the edge counts whole minutes / hours, so the span widens to [floor(from), ceil(to)) of the rollup width.
 * Whole buckets come from one range query evaluated at each bucket's end; a bucket the span cuts (the first or
 * the last) from an instant query over its own window.
 */
import type { BucketQuery } from '../historian/types';

const RES_MS = { raw: 1, '1m': 60_000, '1h': 3_600_000 } as const;

export interface Window {
  /** the edge's bucket start (Unix ms) this window's statistics belong to */
  bucket: number;
  /** [start, end) in Unix ms */
  start: number;
  end: number;
}

export interface BucketWindows {
  /** whole buckets: a range query with evaluation times firstEnd, firstEnd + step, …, lastEnd */
  range?: { firstEnd: number; lastEnd: number; stepMs: number };
  /** cut buckets, one instant query each */
  partial: Window[];
}

export function bucketWindows(q: BucketQuery): BucketWindows {
  const res = RES_MS[q.resolution];
  const from = Math.floor(q.from / res) * res;
  const to = Math.ceil(q.to / res) * res;
  const step = q.stepMs;
  const out: BucketWindows = { partial: [] };
  if (!(to > from)) return out;
  const b0 = Math.floor(from / step) * step;
  const bl = Math.floor((to - 1) / step) * step;
  if (b0 === bl) {
    if (b0 < from || b0 + step > to) {
      out.partial.push({ bucket: b0, start: from, end: to });
      return out;
    }
    out.range = { firstEnd: b0 + step, lastEnd: b0 + step, stepMs: step };
    return out;
  }
  let first = b0;
  let last = bl;
  if (b0 < from) {
    out.partial.push({ bucket: b0, start: from, end: b0 + step });
    first = b0 + step;
  }
  if (bl + step > to) {
    out.partial.push({ bucket: bl, start: bl, end: to });
    last = bl - step;
  }
  if (last >= first) out.range = { firstEnd: first + step, lastEnd: last + step, stepMs: step };
  return out;
}

/**
 * How far back range queries are evaluated: VictoriaMetrics replaces the values of a range query's points near
 * its own now (within -search.latencyOffset, 30 s by default, and even at 0 s the newest step) by the point before
 * ("adjustLastPoints": they may be incomplete) when the step is under -search.maxStepForPointsAdjustment (1 min).
 * The hub evaluates every range query this much earlier, with the selector's offset moved the same amount, so
 * the windows are the same and no point is near the store's now.
 */
export const RANGE_SHIFT_MS = 5 * 60_000;

/**
 * A range selector over [T − width, T) when evaluated at T − shift. VictoriaMetrics' windows are (T − d, T],
 * Prometheus 2.x's [T − d, T]; ending 1 ms earlier (`offset`) both become half-open like the edge's buckets
 * (ms timestamps).
 */
export function windowSelector(
  selector: string,
  widthMs: number,
  kind: 'victoriametrics' | 'prometheus',
  shiftMs = 0,
): string {
  const d = kind === 'victoriametrics' ? widthMs : Math.max(1, widthMs - 1);
  // evaluated at T − shift, the window must end at T − 1 ms: a negative offset (PromQL's since Prometheus 2.33)
  const offset = 1 - shiftMs;
  return `${selector}[${d}ms] offset ${offset}ms`;
}
