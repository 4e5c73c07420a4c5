import type { MetricFindValue } from '@grafana/data';
import type { PointPage, PointSearch, Site } from '@plenum/model';
import type { VariableQuery } from '../types';

/** Filters of a variable query after interpolation: each a list of alternatives (empty = any). */
export interface VariableFilters {
  hall: string[];
  row: string[];
  rack: string[];
  quantity: string[];
  domain: string[];
  tags: string[];
}

const any = (list: string[], v: string | undefined) => list.length === 0 || (v !== undefined && list.includes(v));
const sortText = (a: MetricFindValue, b: MetricFindValue) =>
  String(a.text).localeCompare(String(b.text), undefined, { numeric: true });

/** Halls, rows, racks or assets from the topology, narrowed by the parent filters. */
export function topologyValues(site: Site, kind: 'halls' | 'rows' | 'racks' | 'assets', f: VariableFilters) {
  const out = new Map<string, MetricFindValue>();
  const add = (value: string, text?: string) => out.set(value, { text: text ?? value, value });
  for (const hall of site.halls.filter((h) => any(f.hall, h.id))) {
    if (kind === 'halls') {
      add(hall.id, hall.name ?? hall.id);
    }
    if (kind === 'assets' && f.row.length === 0 && f.rack.length === 0) {
      for (const a of hall.assets ?? []) {
        add(a.id, a.name ?? a.id);
      }
    }
    for (const row of hall.rows.filter((r) => any(f.row, r.id))) {
      if (kind === 'rows') {
        add(row.id, row.name ?? row.id);
      }
      for (const rack of row.racks.filter((r) => any(f.rack, r.id))) {
        if (kind === 'racks') {
          add(rack.id, rack.label ?? rack.id);
        }
        if (kind === 'assets') {
          for (const a of rack.assets) {
            add(a.id, a.name ?? a.id);
          }
        }
      }
    }
  }
  return [...out.values()].sort(sortText);
}

/** Most points a `points`/`quantities` variable reads (10 pages of 1,000): a variable is a dropdown, not a report. */
export const MAX_VARIABLE_POINTS = 10_000;

/** Quantities or points from the catalog, through `/api/points` pages. */
export async function catalogValues(
  kind: 'quantities' | 'points',
  f: VariableFilters,
  points: (q: PointSearch) => Promise<PointPage>
): Promise<MetricFindValue[]> {
  const search: PointSearch = {
    ...(f.hall.length && { hall: f.hall }),
    ...(f.row.length && { row: f.row }),
    ...(f.rack.length && { rack: f.rack }),
    ...(f.quantity.length && { quantity: f.quantity as PointSearch['quantity'] }),
    ...(f.domain.length && { domain: f.domain as PointSearch['domain'] }),
    ...(f.tags.length && { tags: f.tags }),
    pageSize: 1000,
  };
  const out = new Map<string, MetricFindValue>();
  for (let page = 1; page <= MAX_VARIABLE_POINTS / 1000; page++) {
    const res = await points({ ...search, page });
    for (const p of res.points) {
      if (kind === 'quantities') {
        out.set(p.quantity, { text: p.quantity, value: p.quantity });
      } else {
        out.set(p.id, { text: p.name ?? p.id, value: p.id });
      }
    }
    if (page * res.pageSize >= res.total) {
      break;
    }
  }
  return [...out.values()].sort(sortText);
}

/** A readable definition for Grafana's variable list, e.g. `racks(hall=$hall, row=A)`. */
export function variableDefinition(q: VariableQuery): string {
  const args = (['hall', 'row', 'rack', 'quantity', 'domain', 'tags'] as const)
    .filter((k) => q[k])
    .map((k) => `${k}=${q[k]}`);
  return `${q.kind}(${args.join(', ')})`;
}
