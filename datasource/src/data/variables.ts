import type { MetricFindValue } from '@grafana/data';
import type { PointPage, PointSearch, Site } from '@plenum/model';
import type { VariableQuery } from '../types';

/** Filters of a variable query after interpolation: each a list of alternatives (empty = any). */
export interface VariableFilters {
  /** site ids; absent or empty = any */
  site?: string[];
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

/**
 * Sites, halls, rows, racks or assets from the topology, narrowed by the parent filters. The backend's
 * `/api/topology` answers one site (an edge's own, or a hub's `site:` with every hall its edges report); a list of
 * sites is read the same way, each hall under its own site.
 */
export function topologyValues(
  topology: Site | readonly Site[],
  kind: 'sites' | 'halls' | 'rows' | 'racks' | 'assets',
  f: VariableFilters
) {
  const out = new Map<string, MetricFindValue>();
  const add = (value: string, text?: string) => out.set(value, { text: text ?? value, value });
  const all: readonly Site[] = Array.isArray(topology) ? (topology as readonly Site[]) : [topology as Site];
  const sites = all.filter((s) => any(f.site ?? [], s.id));
  for (const site of sites) {
    if (kind === 'sites') {
      add(site.id, site.name ?? site.id);
      continue;
    }
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
  // the catalog search has no site field: points of other sites are dropped here, by their location
  const sites = f.site ?? [];
  for (let page = 1; page <= MAX_VARIABLE_POINTS / 1000; page++) {
    const res = await points({ ...search, page });
    for (const p of res.points.filter((x) => any(sites, x.location?.site))) {
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
  const args = (['site', 'hall', 'row', 'rack', 'quantity', 'domain', 'tags'] as const)
    .filter((k) => q[k])
    .map((k) => `${k}=${q[k]}`);
  return `${q.kind}(${args.join(', ')})`;
}
