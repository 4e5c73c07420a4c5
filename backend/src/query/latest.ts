import type { DataFrameJSON, FieldSchema, LatestQuery, Point, Quality, Sample } from '@plenum/model';
import type { QueryContext } from './context';
import { frame, groupsUnitConfig, renderAlias, unitConfig } from './frames';
import { combineAcross, groupPoints } from './group';

const QUALITY_RANK: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

/** The worst quality of a set: a group is only as good as its worst member. */
export function worstQuality(qs: Iterable<Quality>): Quality {
  let worst: Quality = 'good';
  for (const q of qs) if (QUALITY_RANK[q] > QUALITY_RANK[worst]) worst = q;
  return worst;
}

const text = (name: string): FieldSchema => ({ name, type: 'string' });

/** The point columns every latest table starts with: point, name, hall, row, rack, asset. */
const POINT_FIELDS: FieldSchema[] = ['point', 'name', 'hall', 'row', 'rack', 'asset'].map(text);

function pointColumns(points: Point[], name: (p: Point) => string): unknown[][] {
  const loc = (k: 'hall' | 'row' | 'rack' | 'asset') => points.map((p) => p.location[k] ?? null);
  return [points.map((p) => p.id), points.map(name), loc('hall'), loc('row'), loc('rack'), loc('asset')];
}

/**
 * The latest value of each selected point (or group), one table frame per quantity so the value column carries
 * one unit. Rows keep `time` so panels can tell stale values from fresh ones, and `quality`.
 */
export function latest(ctx: QueryContext, q: LatestQuery): DataFrameJSON[] {
  const points = ctx.catalog.select(q.selector);
  const samples = ctx.historian.latest(points.map((p) => p.id));
  if (q.problemsOnly) return [problems(ctx, q, points, samples)];
  const byQuantity = new Map<string, Point[]>();
  for (const p of points) {
    const list = byQuantity.get(p.quantity);
    if (list) list.push(p);
    else byQuantity.set(p.quantity, [p]);
  }
  const frames: DataFrameJSON[] = [];
  for (const [quantity, qPoints] of byQuantity) {
    const first = qPoints[0]!;
    if (!q.groupBy || q.groupBy === 'point') {
      const rows = qPoints.map((p) => [p, samples.get(p.id)] as const);
      const valueType = first.valueType === 'number' ? 'number' : first.valueType === 'boolean' ? 'boolean' : 'string';
      frames.push(
        frame(
          quantity,
          q.refId,
          [
            ...POINT_FIELDS,
            { name: 'time', type: 'time' },
            { name: 'value', type: valueType, labels: { quantity }, config: unitConfig(first) },
            text('quality'),
            { name: 'rawStatus', type: 'number' },
          ],
          [
            ...pointColumns(qPoints, (p) =>
              q.alias ? renderAlias(q.alias, { ...p.location, id: p.id, name: p.name, quantity }) : (p.name ?? p.id),
            ),
            rows.map(([, s]) => s?.ts ?? null),
            rows.map(([, s]) => s?.value ?? null),
            rows.map(([, s]) => s?.quality ?? null),
            rows.map(([, s]) => s?.rawStatus ?? 0),
          ],
        ),
      );
      continue;
    }
    const agg = q.aggregate ?? 'avg';
    const groups = groupPoints(qPoints, q.groupBy);
    const levels = Object.keys(groups[0]!.labels).filter((k) => k !== 'quantity');
    const cols: unknown[][] = levels.map(() => []);
    const time: Array<number | null> = [];
    const value: Array<number | null> = [];
    const quality: Array<Quality | null> = [];
    const count: number[] = [];
    for (const g of groups) {
      levels.forEach((level, i) => cols[i]!.push(g.labels[level]));
      const present = g.points.map((p) => samples.get(p.id)).filter((s): s is Sample => s !== undefined);
      const numbers = present
        .filter((s) => s.quality !== 'bad' && typeof s.value !== 'string')
        .map((s) => Number(s.value));
      time.push(present.length ? Math.max(...present.map((s) => s.ts)) : null);
      value.push(numbers.length ? combineAcross(agg, numbers) : null);
      quality.push(present.length ? worstQuality(present.map((s) => s.quality)) : null);
      count.push(numbers.length);
    }
    const members = groups.map((g) => g.points);
    const valueConfig = groupsUnitConfig(members, agg);
    frames.push(
      frame(
        quantity,
        q.refId,
        [
          ...levels.map(text),
          { name: 'time', type: 'time' },
          { name: 'value', type: 'number', labels: { quantity }, config: valueConfig },
          text('quality'),
          { name: 'count', type: 'number' },
        ],
        [...cols, time, value, quality, count],
      ),
    );
  }
  return frames;
}

/**
 * Why a point needs attention, or undefined when its latest sample is good and fresh. `ageCounts` false: its
 * source reports on events, or on change while it is up (its liveness proves the value unchanged), so an old
 * sample is still the current value.
 */
export function problemOf(
  s: Sample | undefined,
  now: number,
  staleAfterMs: number,
  ageCounts = true,
): string | undefined {
  if (!s) return 'no data';
  if (s.quality !== 'good') return s.quality;
  if (ageCounts && now - s.ts > staleAfterMs) return 'stale';
  return undefined;
}

/** Whether the age of a point's latest sample says anything, by how its source reports (SourceStatus.reports). */
function ageCounts(ctx: QueryContext): (p: Point) => boolean {
  const byName = new Map((ctx.sources?.() ?? []).map((s) => [s.source, s]));
  return (p) => {
    const s = byName.get(p.source.source);
    if (!s) return true;
    if (s.reports === 'on-event') return false;
    return !(s.reports === 'on-change' && s.state === 'up');
  };
}

/**
 * The points that need attention as one table (all quantities; the value column carries no unit, `unit` says
 * it), oldest first so the longest-dead sensors lead.
 */
function problems(ctx: QueryContext, q: LatestQuery, points: Point[], samples: Map<string, Sample>): DataFrameJSON {
  const now = ctx.now();
  const counts = ageCounts(ctx);
  const rows = points
    .map((p) => ({
      p,
      s: samples.get(p.id),
      problem: problemOf(samples.get(p.id), now, q.staleAfterMs ?? 300_000, counts(p)),
    }))
    .filter((r) => r.problem !== undefined)
    .sort((a, b) => (a.s?.ts ?? -Infinity) - (b.s?.ts ?? -Infinity));
  return frame(
    'problems',
    q.refId,
    [
      ...POINT_FIELDS,
      text('quantity'),
      { name: 'time', type: 'time' },
      { name: 'value', type: 'string' },
      text('unit'),
      text('quality'),
      text('problem'),
    ],
    [
      ...pointColumns(
        rows.map((r) => r.p),
        (p) => p.name ?? p.id,
      ),
      rows.map((r) => r.p.quantity),
      rows.map((r) => r.s?.ts ?? null),
      rows.map((r) => (r.s === undefined ? null : String(r.s.value))),
      rows.map((r) => r.p.unit),
      rows.map((r) => r.s?.quality ?? null),
      rows.map((r) => r.problem!),
    ],
    { preferredVisualisationType: 'table' },
  );
}
