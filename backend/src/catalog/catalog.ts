import type { Domain, Point, PointPage, PointSearch, Quantity, Rack, Selector, Site } from '@plenum/model';
import { CatalogIndex } from './catalog-index';
import { globToRegExp } from './glob';

/** A rack with where it sits, for layout frames and search. */
export interface RackPlacement {
  site: string;
  hall: string;
  row: string;
  rack: Rack;
}

const has = <T>(list: readonly T[] | undefined, value: T | undefined): boolean =>
  list === undefined || list.length === 0 || (value !== undefined && list.includes(value));

/**
 * The point catalog and topology, built once from the site config (and later from OPC UA browse). Read-only
 * after construction, so queries never race a change: a new catalog replaces the old one whole.
 */
/** point references the select cache may hold (8 bytes each): 16 MB */
const SELECTED_POINTS_MAX = 2_000_000;

export class Catalog {
  private readonly byId = new Map<string, Point>();
  private readonly racks: RackPlacement[] = [];
  /** built at the first select, dropped when points are added */
  private index: CatalogIndex | undefined;
  /**
   * Answers of recent selectors, least recently used first, dropped with the index: dashboards ask the same
   * selectors every refresh (100 NOC walls' live panels ask hundreds of times a second), and each answer is a
   * walk over a hall's or a quantity's points. Bounded by the points held, not the entries.
   */
  private readonly selected = new Map<string, readonly Point[]>();
  private selectedPoints = 0;

  constructor(
    readonly site: Site,
    points: readonly Point[],
  ) {
    for (const p of points) this.byId.set(p.id, p);
    for (const hall of site.halls)
      for (const row of hall.rows)
        for (const rack of row.racks) this.racks.push({ site: site.id, hall: hall.id, row: row.id, rack });
  }

  /**
   * Points learnt at run time (a Sparkplug primary host's births); a known id keeps its first definition, as a
   * point keeps its type forever.
   */
  add(points: readonly Point[]): void {
    for (const p of points)
      if (!this.byId.has(p.id)) {
        this.byId.set(p.id, p);
        this.index = undefined;
        this.selected.clear();
        this.selectedPoints = 0;
      }
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Point | undefined {
    return this.byId.get(id);
  }

  all(): Point[] {
    return [...this.byId.values()];
  }

  rackPlacements(halls?: readonly string[]): RackPlacement[] {
    return this.racks.filter((r) => has(halls, r.hall));
  }

  /** Points matching every set field of the selector, in id order (a new array the caller may keep or change). */
  select(sel: Selector): Point[] {
    const key = JSON.stringify(sel);
    const hit = this.selected.get(key);
    if (hit) {
      this.selected.delete(key);
      this.selected.set(key, hit);
      return hit.slice();
    }
    const out = this.selectFromIndex(sel);
    this.selected.set(key, out);
    this.selectedPoints += out.length;
    for (const [k, v] of this.selected) {
      if (this.selectedPoints <= SELECTED_POINTS_MAX) break;
      this.selected.delete(k);
      this.selectedPoints -= v.length;
    }
    return out.slice();
  }

  /** candidates from the index (catalog-index.ts), then every field checked */
  private selectFromIndex(sel: Selector): Point[] {
    const idRes = sel.ids?.length ? sel.ids.map(globToRegExp) : undefined;
    const text = sel.text?.trim().toLowerCase();
    const index = (this.index ??= new CatalogIndex(this.byId.values()));
    const candidates = index.candidates(sel);
    const out: Point[] = [];
    const n = candidates ? candidates.length : index.points.length;
    for (let k = 0; k < n; k++) {
      const p = index.points[candidates ? candidates[k]! : k]!;
      if (idRes && !idRes.some((re) => re.test(p.id))) continue;
      if (!has(sel.hall, p.location.hall)) continue;
      if (!has(sel.row, p.location.row)) continue;
      if (!has(sel.rack, p.location.rack)) continue;
      if (!has(sel.asset, p.location.asset)) continue;
      if (!has<Quantity>(sel.quantity, p.quantity)) continue;
      if (!has<Domain>(sel.domain, p.domain)) continue;
      if (!has(sel.kind, p.kind)) continue;
      if (sel.tags?.length && !sel.tags.every((t) => p.tags.includes(t))) continue;
      if (text && !p.id.toLowerCase().includes(text) && !(p.name ?? '').toLowerCase().includes(text)) continue;
      out.push(p);
    }
    return out;
  }

  search(q: PointSearch): PointPage {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 100;
    const all = this.select(q);
    return { total: all.length, page, pageSize, points: all.slice((page - 1) * pageSize, page * pageSize) };
  }
}
