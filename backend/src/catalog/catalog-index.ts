import type { Point, Selector } from '@plenum/model';
import { isGlob } from './glob';

/**
 * Inverted lists over a catalog's points, so that a selector costs about what it selects rather than the size of
 * the catalog: at 100,000 points a scan of every point took 2–8 ms per query, and a NOC wall's hundred-odd queries
 * a second spent most of the backend's one thread there (docs/reliability.md, "Load"). Points are held in id
 * order; each list holds positions in that order, ascending, so candidates come out already sorted.
 */

type Field = 'hall' | 'row' | 'rack' | 'asset' | 'quantity' | 'domain' | 'kind';
const FIELDS: readonly Field[] = ['hall', 'row', 'rack', 'asset', 'quantity', 'domain', 'kind'];

function fieldOf(p: Point, f: Field): string | undefined {
  switch (f) {
    case 'hall':
    case 'row':
    case 'rack':
    case 'asset':
      return p.location[f];
    default:
      return p[f];
  }
}

/** Ids in the catalog's (and Array.sort's default string) order: UTF-16 code units. */
const byId = (a: Point, b: Point): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class CatalogIndex {
  /** every point, in id order */
  readonly points: Point[];
  private readonly lists = new Map<Field, Map<string, number[]>>();
  private readonly tags = new Map<string, number[]>();
  private readonly position = new Map<string, number>();

  constructor(points: Iterable<Point>) {
    this.points = [...points].sort(byId);
    for (const f of FIELDS) this.lists.set(f, new Map());
    this.points.forEach((p, i) => {
      this.position.set(p.id, i);
      for (const f of FIELDS) {
        const v = fieldOf(p, f);
        if (v !== undefined) push(this.lists.get(f)!, v, i);
      }
      for (const t of new Set(p.tags)) push(this.tags, t, i);
    });
  }

  /**
   * Positions that may match the selector, ascending — a superset of the matches, from the most selective of its
   * fields (null: no field narrows it, every point is a candidate). The caller applies the full selector.
   */
  candidates(sel: Selector): number[] | null {
    let best: number[] | null = null;
    const consider = (c: number[]) => {
      if (best === null || c.length < best.length) best = c;
    };
    for (const f of FIELDS) {
      const values = sel[f];
      if (!values?.length) continue;
      const m = this.lists.get(f)!;
      consider(union(values.map((v) => m.get(v) ?? [])));
    }
    // every tag must be present: any one tag's list holds all matches; the shortest is the best
    for (const t of sel.tags ?? []) consider(this.tags.get(t) ?? []);
    if (sel.ids?.length) {
      const fromIds = union(sel.ids.map((g) => this.idCandidates(g)));
      consider(fromIds);
    }
    return best;
  }

  /** A plain id: its position; a glob: the ids sharing its literal prefix (a contiguous run in id order). */
  private idCandidates(glob: string): number[] {
    if (!isGlob(glob)) {
      const at = this.position.get(glob);
      return at === undefined ? [] : [at];
    }
    const prefix = glob.slice(0, glob.search(/[*?]/));
    if (prefix === '') return this.points.map((_, i) => i);
    const out: number[] = [];
    for (let i = lowerBound(this.points, prefix); i < this.points.length; i++) {
      if (!this.points[i]!.id.startsWith(prefix)) break;
      out.push(i);
    }
    return out;
  }
}

function push(m: Map<string, number[]>, key: string, i: number): void {
  const l = m.get(key);
  if (l) l.push(i);
  else m.set(key, [i]);
}

/** The union of ascending lists, ascending and without repeats. */
function union(lists: number[][]): number[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const all = Int32Array.from(nonEmpty.flat()).sort();
  const out: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]!);
  return out;
}

/** First position whose id is ≥ s. */
function lowerBound(points: readonly Point[], s: string): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.id < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
