import type { Point, Quality, Selector } from '@plenum/model';
import { labelsObject } from '../promql/labels';
import { isSeriesPoint, pointLabels, qualityLabels } from '../promql/series-model';
import { STALE_NAN, sortedLabels, valueBits, type Label } from './write-request';

/**
 * Points → remote-write series, named and labelled exactly as the PromQL API names them (promql/series-model.ts),
 * so a hub reading the shared store through its Prometheus API asks the same queries as of one Plenum: one series
 * per numeric or boolean point (`plenum_<quantity>_<unit>{site, hall, row, rack, asset, signal, quantity, unit,
 * domain, kind, tags, point}`), and optionally its `plenum_quality` series. External labels are added to both.
 *
 * Quality, as the PromQL API answers it: a bad sample is Prometheus' stale marker on the value series (the series
 * has no value from then on, so value alerts stop instead of firing on garbage) and 2 on the quality series; an
 * uncertain sample is a value and 1; a good one a value and 0. Booleans are 0/1; string points have no series.
 */

export interface ExportSeries {
  /** stable id of the series in the queue: `v:<point id>` or `q:<point id>` */
  key: string;
  labels: readonly Label[];
}

export interface ExportPoint {
  value: ExportSeries;
  quality?: ExportSeries;
}

/** One queued sample: the series' key, Unix ms (integer), the float64 bits of the value. */
export interface QueuedSample {
  key: string;
  ts: number;
  lo: number;
  hi: number;
}

export interface SeriesOptions {
  externalLabels: Readonly<Record<string, string>>;
  qualitySeries: boolean;
}

export function exportSeriesOf(p: Point, opts: SeriesOptions): ExportPoint {
  const value = pointLabels(p);
  const withExternal = (l: ReturnType<typeof pointLabels>) =>
    sortedLabels({ ...labelsObject(l), ...opts.externalLabels });
  return {
    value: { key: `v:${p.id}`, labels: withExternal(value) },
    ...(opts.qualitySeries && { quality: { key: `q:${p.id}`, labels: withExternal(qualityLabels(p, value)) } }),
  };
}

/** The points sent: those the selector picks (all when unset) that have a series form (numbers, booleans). */
export function exportedPoints(
  select: (sel: Selector) => Point[],
  selector: Selector | undefined,
  opts: SeriesOptions,
): Map<string, ExportPoint> {
  const out = new Map<string, ExportPoint>();
  for (const p of select(selector ?? {})) if (isSeriesPoint(p)) out.set(p.id, exportSeriesOf(p, opts));
  return out;
}

const QUALITY_CODE: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2 };

/** The queued samples of one stored sample: its value (or the stale marker) and its quality code. */
export function wireSamples(
  p: ExportPoint,
  ts: number,
  value: number | boolean | string,
  quality: Quality,
  out: QueuedSample[],
): void {
  const t = Math.round(ts);
  if (quality === 'bad') out.push({ key: p.value.key, ts: t, ...STALE_NAN });
  else if (typeof value === 'number') out.push({ key: p.value.key, ts: t, ...valueBits(value) });
  else if (typeof value === 'boolean') out.push({ key: p.value.key, ts: t, ...valueBits(value ? 1 : 0) });
  else return; // a string on a numeric point: the historian refuses these, nothing to send
  if (p.quality) out.push({ key: p.quality.key, ts: t, ...valueBits(QUALITY_CODE[quality] ?? 2) });
}
