import type { Aggregate, GroupBy, Point } from '@plenum/model';

/** The location levels a group keeps; everything below the group level is dropped. */
const LEVELS: Record<GroupBy, Array<'hall' | 'row' | 'rack' | 'asset'>> = {
  point: ['hall', 'row', 'rack', 'asset'],
  asset: ['hall', 'row', 'rack', 'asset'],
  rack: ['hall', 'row', 'rack'],
  row: ['hall', 'row'],
  hall: ['hall'],
};

export interface Group {
  key: string;
  /** labels of the group: its location levels and quantity */
  labels: Record<string, string>;
  points: Point[];
}

/**
 * Groups points by a location level. The quantity is always part of the key: a rack's power and its inlet
 * temperature never mix. Hall-level assets (no row/rack) show `-` at the missing levels.
 */
export function groupPoints(points: readonly Point[], by: GroupBy): Group[] {
  const groups = new Map<string, Group>();
  for (const p of points) {
    const labels: Record<string, string> = {};
    for (const level of LEVELS[by]) labels[level] = p.location[level] ?? '-';
    labels.quantity = p.quantity;
    if (by === 'point') labels.point = p.id;
    const key = by === 'point' ? p.id : Object.values(labels).join('/');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, labels, points: [] }));
    g.points.push(p);
  }
  return [...groups.values()];
}

/**
 * Combines the per-point values of one bucket across a group: `sum` adds (rack power from its PDUs), `min` and
 * `max` take the extreme, `p95` the worst point's p95, `avg` and `last` the mean.
 */
export function combineAcross(agg: Aggregate, values: readonly number[]): number {
  if (values.length === 1) return values[0]!;
  switch (agg) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'min':
      return Math.min(...values);
    case 'max':
    case 'p95':
      return Math.max(...values);
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}
