import type { CatalogQuery, DataFrameJSON, Point } from '@plenum/model';
import type { QueryContext } from './context';
import { frame } from './frames';

const COLUMNS: Array<[string, (p: Point) => string | boolean | null]> = [
  ['id', (p) => p.id],
  ['name', (p) => p.name ?? null],
  ['domain', (p) => p.domain],
  ['quantity', (p) => p.quantity],
  ['unit', (p) => p.unit],
  ['kind', (p) => p.kind],
  ['writable', (p) => p.writable],
  ['hall', (p) => p.location.hall ?? null],
  ['row', (p) => p.location.row ?? null],
  ['rack', (p) => p.location.rack ?? null],
  ['asset', (p) => p.location.asset ?? null],
  ['tags', (p) => p.tags.join(',')],
  ['source', (p) => p.source.source],
  ['connector', (p) => p.source.connector],
  ['address', (p) => p.source.address],
];

/** The selected points as a table, for variables (`catalog` → ids) and data-quality dashboards. */
export function catalog(ctx: QueryContext, q: CatalogQuery): DataFrameJSON[] {
  const points = ctx.catalog.select(q.selector).slice(0, q.limit ?? 1000);
  return [
    frame(
      'catalog',
      q.refId,
      COLUMNS.map(([name]) => ({ name, type: name === 'writable' ? ('boolean' as const) : ('string' as const) })),
      COLUMNS.map(([, get]) => points.map(get)),
    ),
  ];
}
