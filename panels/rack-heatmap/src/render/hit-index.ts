/**
 * Which rack is under a point, in O(racks per tile): each rack is listed in every whole grid tile it covers. Racks
 * sit on a tile grid, so a tile rarely holds more than one.
 */
export interface HitIndex {
  cells: Map<number, number[]>;
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
}

/** Tiles per key row: positions beyond ±2^20 tiles are not a data hall. */
const SPAN = 1 << 21;
const cellKey = (cx: number, cy: number) => (cy + SPAN / 2) * SPAN + (cx + SPAN / 2);

export function buildHitIndex(x: Float64Array, y: Float64Array, w: Float64Array, h: Float64Array): HitIndex {
  const cells = new Map<number, number[]>();
  for (let i = 0; i < x.length; i++) {
    for (let cy = Math.floor(y[i]!); cy < y[i]! + h[i]!; cy++) {
      for (let cx = Math.floor(x[i]!); cx < x[i]! + w[i]!; cx++) {
        const k = cellKey(cx, cy);
        const list = cells.get(k);
        if (list) {
          list.push(i);
        } else {
          cells.set(k, [i]);
        }
      }
    }
  }
  return { cells, x, y, w, h };
}

/** The rack containing world point (wx, wy), the last drawn on top when several overlap; -1 for none. */
export function hitTest(index: HitIndex, wx: number, wy: number): number {
  const list = index.cells.get(cellKey(Math.floor(wx), Math.floor(wy)));
  if (!list) {
    return -1;
  }
  for (let j = list.length - 1; j >= 0; j--) {
    const i = list[j]!;
    if (wx >= index.x[i]! && wx < index.x[i]! + index.w[i]! && wy >= index.y[i]! && wy < index.y[i]! + index.h[i]!) {
      return i;
    }
  }
  return -1;
}
