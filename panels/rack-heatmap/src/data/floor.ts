import { RackTable } from './join';

/** In tiles: the gap between halls drawn side by side, the margin left of rows for their names, above halls for theirs. */
export const HALL_GAP = 3;
export const ROW_NAME_MARGIN = 1.5;
export const HALL_NAME_MARGIN = 1;

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface FloorRow {
  hall: string;
  name: string;
  bounds: Rect;
  /** the facing most of its racks share; undefined when not given */
  facing?: string;
}

export type AisleKind = 'hot' | 'cold';

export interface Aisle {
  kind: AisleKind;
  bounds: Rect;
  /** true when the aisle runs along x (rows facing north/south) */
  horizontal: boolean;
}

export interface FloorHall {
  name: string;
  bounds: Rect;
}

/** The floor in world coordinates (tiles): racks moved so halls sit side by side, rows, aisles and bounds. */
export interface Floor {
  /** rack positions after placing halls; sizes are the table's */
  x: Float64Array;
  y: Float64Array;
  rows: FloorRow[];
  aisles: Aisle[];
  halls: FloorHall[];
  /** everything to fit in view, including the row-name margin */
  bounds: Rect;
}

const emptyRect = (): Rect => ({ x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity });
const grow = (r: Rect, x0: number, y0: number, x1: number, y1: number) => {
  r.x0 = Math.min(r.x0, x0);
  r.y0 = Math.min(r.y0, y0);
  r.x1 = Math.max(r.x1, x1);
  r.y1 = Math.max(r.y1, y1);
};

/** Halls in order of first appearance, each shifted right of the previous one by HALL_GAP tiles. */
export function placeFloor(table: RackTable, rowNames: boolean): Floor {
  const hallBounds = new Map<string, Rect>();
  for (let i = 0; i < table.count; i++) {
    const hall = table.hall[i]!;
    const r = hallBounds.get(hall) ?? emptyRect();
    grow(r, table.x[i]!, table.y[i]!, table.x[i]! + table.w[i]!, table.y[i]! + table.h[i]!);
    hallBounds.set(hall, r);
  }
  const margin = rowNames ? ROW_NAME_MARGIN : 0;
  const shift = new Map<string, number>();
  const halls: FloorHall[] = [];
  let nextX = 0;
  for (const [name, r] of hallBounds) {
    const dx = halls.length === 0 ? 0 : nextX + margin - r.x0;
    shift.set(name, dx);
    halls.push({ name, bounds: { x0: r.x0 + dx, y0: r.y0, x1: r.x1 + dx, y1: r.y1 } });
    nextX = r.x1 + dx + HALL_GAP;
  }
  const x = Float64Array.from(table.x, (v, i) => v + shift.get(table.hall[i]!)!);
  const y = Float64Array.from(table.y);
  const rows = findRows(table, x, y);
  const bounds = emptyRect();
  // several halls are named above themselves: one tile of room for that
  const top = halls.length > 1 ? HALL_NAME_MARGIN : 0;
  for (const h of halls) {
    grow(bounds, h.bounds.x0 - margin, h.bounds.y0 - top, h.bounds.x1, h.bounds.y1);
  }
  return { x, y, rows, aisles: findAisles(rows), halls, bounds: table.count ? bounds : { x0: 0, y0: 0, x1: 1, y1: 1 } };
}

function findRows(table: RackTable, x: Float64Array, y: Float64Array): FloorRow[] {
  const rows = new Map<string, FloorRow & { facings: Map<string, number> }>();
  for (let i = 0; i < table.count; i++) {
    const name = table.row[i]!;
    if (!name) {
      continue;
    }
    const key = `${table.hall[i]}\u0000${name}`;
    let row = rows.get(key);
    if (!row) {
      row = { hall: table.hall[i]!, name, bounds: emptyRect(), facings: new Map() };
      rows.set(key, row);
    }
    grow(row.bounds, x[i]!, y[i]!, x[i]! + table.w[i]!, y[i]! + table.h[i]!);
    const f = table.facing[i];
    if (f) {
      row.facings.set(f, (row.facings.get(f) ?? 0) + 1);
    }
  }
  return [...rows.values()].map(({ facings, ...row }) => {
    const top = [...facings].sort((a, b) => b[1] - a[1])[0];
    return top ? { ...row, facing: top[0] } : row;
  });
}

/** Which way a facing points along the axis across its row: +1 towards larger y (or x), -1 towards smaller. */
const FRONT: Record<string, { horizontal: boolean; dir: 1 | -1 }> = {
  south: { horizontal: true, dir: 1 },
  north: { horizontal: true, dir: -1 },
  east: { horizontal: false, dir: 1 },
  west: { horizontal: false, dir: -1 },
};

/**
 * Aisles between neighbouring rows of a hall that face along the same axis with a gap between them: cold where both
 * fronts face the gap (fronts draw cold air from it), hot where both backs do (exhaust). Rows facing the same way
 * leave a mixed aisle, which is not marked.
 */
export function findAisles(rows: FloorRow[]): Aisle[] {
  const aisles: Aisle[] = [];
  for (const horizontal of [true, false]) {
    const along = rows.filter((r) => r.facing && FRONT[r.facing]?.horizontal === horizontal);
    // across = the axis rows are stacked along: y for horizontal rows, x for vertical ones
    const lo = (r: Rect) => (horizontal ? r.y0 : r.x0);
    const hi = (r: Rect) => (horizontal ? r.y1 : r.x1);
    const from = (r: Rect) => (horizontal ? r.x0 : r.y0);
    const to = (r: Rect) => (horizontal ? r.x1 : r.y1);
    along.sort((a, b) => lo(a.bounds) - lo(b.bounds));
    for (let i = 0; i < along.length; i++) {
      const a = along[i]!;
      // the nearest row beyond a in the same hall that overlaps it lengthwise
      const b = along.find(
        (r, j) =>
          j > i &&
          r.hall === a.hall &&
          lo(r.bounds) >= hi(a.bounds) &&
          Math.min(to(a.bounds), to(r.bounds)) > Math.max(from(a.bounds), from(r.bounds))
      );
      if (!b || lo(b.bounds) <= hi(a.bounds)) {
        continue;
      }
      const aFaces = FRONT[a.facing!]!.dir;
      const bFaces = FRONT[b.facing!]!.dir;
      const kind: AisleKind | undefined =
        aFaces === 1 && bFaces === -1 ? 'cold' : aFaces === -1 && bFaces === 1 ? 'hot' : undefined;
      if (!kind) {
        continue;
      }
      const s0 = Math.max(from(a.bounds), from(b.bounds));
      const s1 = Math.min(to(a.bounds), to(b.bounds));
      const bounds = horizontal
        ? { x0: s0, y0: hi(a.bounds), x1: s1, y1: lo(b.bounds) }
        : { x0: hi(a.bounds), y0: s0, x1: lo(b.bounds), y1: s1 };
      aisles.push({ kind, bounds, horizontal });
    }
  }
  return aisles;
}
