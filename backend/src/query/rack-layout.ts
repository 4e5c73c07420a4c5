import type { DataFrameJSON, RackLayoutQuery, Sample, Selector } from '@plenum/model';
import { QueryError } from '../common/errors';
import type { QueryContext } from './context';
import { frame, unitConfig } from './frames';
import { combineAcross } from './group';
import { worstQuality } from './latest';

/**
 * Two frames for floor views: `layout` (every rack with hall, row, grid x/y, size, facing, label, rated kW) and,
 * when a selector is given, `values` (the selected points' latest values combined per rack), joined on `rack`.
 * Values need one quantity so they share a unit and a colour scale.
 */
/**
 * The points a rackLayout reads: its selector narrowed to its `hall` (which narrows the floor as much as the
 * selector does; selecting first and filtering by hall after would walk every hall's points). undefined: no
 * selector, the layout alone.
 */
export function rackLayoutSelector(q: Pick<RackLayoutQuery, 'hall' | 'selector'>): Selector | undefined {
  const { hall, selector } = q;
  if (!hall?.length) return selector;
  return { ...selector, hall: selector?.hall?.filter((h) => hall.includes(h)) ?? hall };
}

export function rackLayout(ctx: QueryContext, q: RackLayoutQuery): DataFrameJSON[] {
  const racks = ctx.catalog.rackPlacements(q.hall);
  const layout = frame(
    'layout',
    q.refId,
    [
      { name: 'rack', type: 'string' },
      { name: 'hall', type: 'string' },
      { name: 'row', type: 'string' },
      { name: 'x', type: 'number' },
      { name: 'y', type: 'number' },
      { name: 'w', type: 'number' },
      { name: 'h', type: 'number' },
      { name: 'facing', type: 'string' },
      { name: 'label', type: 'string' },
      { name: 'ratedKw', type: 'number', config: { unit: 'kwatt' } },
    ],
    [
      racks.map((r) => r.rack.id),
      racks.map((r) => r.hall),
      racks.map((r) => r.row),
      racks.map((r) => r.rack.x),
      racks.map((r) => r.rack.y),
      racks.map((r) => r.rack.w ?? 1),
      racks.map((r) => r.rack.h ?? 1),
      racks.map((r) => r.rack.facing ?? null),
      racks.map((r) => r.rack.label ?? r.rack.id),
      racks.map((r) => r.rack.ratedKw ?? null),
    ],
    { custom: { plenumFrame: 'layout' } },
  );
  if (!q.selector) return [layout];

  const halls = new Set(racks.map((r) => r.hall));
  const points = ctx.catalog
    .select(rackLayoutSelector(q)!)
    .filter((p) => p.location.rack !== undefined && halls.has(p.location.hall!) && p.valueType !== 'string');
  const quantities = [...new Set(points.map((p) => p.quantity))];
  if (quantities.length > 1) {
    throw new QueryError(
      `selector: matches ${quantities.join(', ')}; rack values need one quantity — set selector.quantity`,
    );
  }
  const headroom = q.measure === 'headroom';
  if (headroom && quantities.some((x) => x !== 'power')) {
    throw new QueryError(`measure: headroom needs power points; the selector matches ${quantities.join(', ')}`);
  }
  const samples = ctx.historian.latest(points.map((p) => p.id));
  const perRack = new Map<string, Sample[]>();
  for (const p of points) {
    const s = samples.get(p.id);
    if (!s) continue;
    const key = `${p.location.hall}/${p.location.rack}`;
    const list = perRack.get(key);
    if (list) list.push(s);
    else perRack.set(key, [s]);
  }
  const agg = q.aggregate ?? (headroom ? 'sum' : 'avg');
  const rows = racks.filter((r) => perRack.has(`${r.hall}/${r.rack.id}`));
  const time: number[] = [];
  const value: Array<number | null> = [];
  const quality: string[] = [];
  for (const r of rows) {
    const list = perRack.get(`${r.hall}/${r.rack.id}`)!;
    const usable = list.filter((s) => s.quality !== 'bad').map((s) => Number(s.value));
    time.push(Math.max(...list.map((s) => s.ts)));
    const combined = usable.length ? combineAcross(agg, usable) : null;
    value.push(
      headroom ? (combined === null || r.rack.ratedKw === undefined ? null : r.rack.ratedKw - combined) : combined,
    );
    quality.push(worstQuality(list.map((s) => s.quality)));
  }
  const quantity = quantities[0] ?? '';
  const values = frame(
    'values',
    q.refId,
    [
      { name: 'rack', type: 'string' },
      { name: 'hall', type: 'string' },
      { name: 'time', type: 'time' },
      {
        name: 'value',
        type: 'number',
        labels: { quantity },
        config: points[0] ? { ...unitConfig(points[0]), displayNameFromDS: headroom ? 'kW headroom' : quantity } : {},
      },
      { name: 'quality', type: 'string' },
    ],
    [rows.map((r) => r.rack.id), rows.map((r) => r.hall), time, value, quality],
    { custom: { plenumFrame: 'values' } },
  );
  return [layout, values];
}
