/**
 * Grafana's dashboard grid (react-grid-layout as `DashboardGrid` configures it): 24 columns, rows of
 * `GRID_CELL_HEIGHT` px, `GRID_CELL_VMARGIN` px between cells both ways, no outer padding, vertical compaction.
 */
export const GRID_COLUMN_COUNT = 24;
/** px */
export const GRID_CELL_HEIGHT = 30;
/** px, also the horizontal margin */
export const GRID_CELL_VMARGIN = 8;

/** A panel's place in grid units: column `x` (0–23), row `y`, width `w` columns, height `h` rows. */
export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A placed panel in px, relative to the grid's top left corner. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** react-grid-layout's `calcGridItemPosition` with Grafana's margins, for a grid `containerWidth` px wide. */
export function gridToPixels(pos: GridPos, containerWidth: number): PixelRect {
  const margin = GRID_CELL_VMARGIN;
  const colWidth = (containerWidth - margin * (GRID_COLUMN_COUNT - 1)) / GRID_COLUMN_COUNT;
  return {
    left: Math.round((colWidth + margin) * pos.x),
    top: Math.round((GRID_CELL_HEIGHT + margin) * pos.y),
    width: Math.round(colWidth * pos.w + Math.max(0, pos.w - 1) * margin),
    height: Math.round(GRID_CELL_HEIGHT * pos.h + Math.max(0, pos.h - 1) * margin),
  };
}

/** The grid's height in px once its items are placed. */
export function gridHeight(items: GridPos[]): number {
  const rows = items.reduce((max, p) => Math.max(max, p.y + p.h), 0);
  return rows === 0 ? 0 : rows * GRID_CELL_HEIGHT + (rows - 1) * GRID_CELL_VMARGIN;
}

/** Saved positions may be missing or out of range: clamped into the 24 columns, at least 1×1. */
export function normaliseGridPos(pos: Partial<GridPos> | undefined): GridPos {
  const w = clamp(Math.round(pos?.w ?? 12), 1, GRID_COLUMN_COUNT);
  const x = clamp(Math.round(pos?.x ?? 0), 0, GRID_COLUMN_COUNT - w);
  return { x, y: Math.max(0, Math.round(pos?.y ?? 0)), w, h: Math.max(1, Math.round(pos?.h ?? 8)) };
}

/**
 * react-grid-layout's vertical `compact`: items in (y, x) order each float up as far as nothing placed before them
 * blocks, then move down below anything they still overlap. Returns new positions in the input's order.
 */
export function compactVertically<T extends GridPos>(items: T[]): T[] {
  const order = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.y - b.item.y || a.item.x - b.item.x);
  const placed: GridPos[] = [];
  const result: T[] = new Array(items.length);
  for (const { item, index } of order) {
    const pos = { ...item };
    pos.y = Math.min(bottom(placed), pos.y);
    while (pos.y > 0 && !firstCollision(placed, { ...pos, y: pos.y - 1 })) pos.y--;
    for (let hit = firstCollision(placed, pos); hit; hit = firstCollision(placed, pos)) pos.y = hit.y + hit.h;
    placed.push(pos);
    result[index] = pos;
  }
  return result;
}

function bottom(items: GridPos[]): number {
  return items.reduce((max, p) => Math.max(max, p.y + p.h), 0);
}

function collides(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function firstCollision(items: GridPos[], pos: GridPos): GridPos | undefined {
  return items.find((item) => collides(item, pos));
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}
