import type { DataFrameJSON, Point, TimeseriesQuery } from '@plenum/model';
import { QueryError } from '../common/errors';
import type { BucketSeries } from '../historian/types';
import type { QueryContext, QueryEnv } from './context';
import { frame, groupUnitConfig, renderAlias } from './frames';
import { combineAcross, groupPoints } from './group';
import { planResolution } from './resolution';

/** Most points one timeseries query may read; more is almost always a selector mistake. */
export const MAX_SERIES_POINTS = 10_000;

/** The per-bucket value of one point for an aggregate (bucket i of the series). */
function bucketValue(b: BucketSeries, i: number, agg: TimeseriesQuery['aggregate']): number {
  switch (agg) {
    case 'min':
      return b.min[i]!;
    case 'max':
      return b.max[i]!;
    case 'last':
      return b.last[i]!;
    case 'p95':
      return b.p95![i]!;
    default:
      return b.sum[i]! / b.count[i]!;
  }
}

function aliasVars(p: Point, labels: Record<string, string>): Record<string, string | undefined> {
  return {
    ...labels,
    id: p.id,
    name: p.name ?? p.id,
    site: p.location.site,
    unit: p.unit,
    signal: p.id.split('/').pop(),
  };
}

/** One point's buckets as they are (the common case: no Map, no sort). */
function single(b: BucketSeries, agg: TimeseriesQuery['aggregate']): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < b.t.length; i++) {
    if (b.count[i] === 0) continue;
    times.push(b.t[i]!);
    values.push(bucketValue(b, i, agg));
  }
  return { times, values };
}

function sameNumbers(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Several points' buckets aligned on bucket start and combined across the group. */
function combined(all: BucketSeries[], agg: TimeseriesQuery['aggregate']): { times: number[]; values: number[] } {
  const byTime = new Map<number, number[]>();
  for (const b of all) {
    for (let i = 0; i < b.t.length; i++) {
      if (b.count[i] === 0) continue;
      const v = bucketValue(b, i, agg);
      const list = byTime.get(b.t[i]!);
      if (list) list.push(v);
      else byTime.set(b.t[i]!, [v]);
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return { times, values: times.map((t) => combineAcross(agg ?? 'avg', byTime.get(t)!)) };
}

/**
 * One frame per point or group: `time` and `value` fields, the value carrying the canonical unit, labels of the
 * group and a display name from the alias template. Aggregation happens per bucket within a point, then across
 * the group (see `combineAcross`).
 */
export function timeseries(ctx: QueryContext, q: TimeseriesQuery, env: QueryEnv): DataFrameJSON[] {
  const agg = q.aggregate ?? 'avg';
  const points = ctx.catalog.select(q.selector).filter((p) => p.valueType !== 'string');
  if (points.length > MAX_SERIES_POINTS) {
    throw new QueryError(
      `selector: matches ${points.length} points; at most ${MAX_SERIES_POINTS} per query — narrow it`,
    );
  }
  const plan = planResolution(
    env,
    env.maxDataPoints,
    env.intervalMs,
    q.resolution ?? 'auto',
    ctx.historian.horizon(),
    agg === 'p95',
  );
  const meta = {
    type: 'timeseries-multi',
    typeVersion: [0, 1] as [number, number],
    ...(plan.notices.length && { notices: plan.notices.map((text) => ({ severity: 'info' as const, text })) }),
    custom: { resolution: plan.resolution, stepMs: plan.stepMs },
  };
  const frames: DataFrameJSON[] = [];
  let grid: number[] | undefined;
  for (const g of groupPoints(points, q.groupBy ?? 'point')) {
    const series = g.points.map((p) =>
      ctx.historian.buckets(p.id, {
        from: env.from,
        to: env.to,
        stepMs: plan.stepMs,
        resolution: plan.resolution,
        p95: agg === 'p95',
      }),
    );
    const answer = series.length === 1 ? single(series[0]!, agg) : combined(series, agg);
    // frames on the same bucket grid share one time column, which the answer's JSON then writes once per
    // distinct column (serialize.ts)
    const times = grid && sameNumbers(grid, answer.times) ? grid : (grid = answer.times);
    const values = answer.values;
    const first = g.points[0]!;
    const name = q.alias
      ? renderAlias(q.alias, aliasVars(first, g.labels))
      : q.groupBy && q.groupBy !== 'point'
        ? `${g.key.slice(0, g.key.lastIndexOf('/'))} ${first.quantity}`
        : (first.name ?? first.id);
    frames.push(
      frame(
        name,
        q.refId,
        [
          { name: 'time', type: 'time', config: { interval: plan.stepMs } },
          {
            name: 'value',
            type: 'number',
            labels: g.labels,
            config: { ...groupUnitConfig(g.points, agg), displayNameFromDS: name },
          },
        ],
        [times, values],
        meta,
      ),
    );
  }
  return frames;
}
