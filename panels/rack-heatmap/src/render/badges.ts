/*
 * Prediction marks: a triangle in the top-right corner of a rack's tile, in its most severe prediction's colour,
 * edged in the theme's text colour and carrying a "!" where it is large enough. A triangle with an edge is no tile
 * fill, so a red mark on a red (hot) tile still reads as a mark, across a room. Batched like the tiles: one path
 * per severity, one stroke for every edge. No @grafana imports, as tiles.ts.
 */
import { tileGap } from './tiles';
import type { View } from './view';

export interface BadgeScene {
  count: number;
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
  /** severity rank of each rack (data/predictions.ts): 0 = no mark, else an index into the style's colours */
  rank: Uint8Array;
}

export interface BadgeStyle {
  /** CSS colour of each rank (index 0 unused) */
  fill: string[];
  /** the glyph's colour on each rank's fill (contrast) */
  glyph: string[];
  /** the edge: the theme's primary text colour, unlike any scale colour */
  edge: string;
}

/** The triangle's legs: this share of the tile's smaller side, within MIN_PX…MAX_PX (never more than the tile). */
const SHARE = 0.5;
const MIN_PX = 6;
const MAX_PX = 40;
/** Legs at least this long (CSS px) carry a "!". */
const GLYPH_FROM_PX = 14;

/** Leg length (CSS px) of the mark on a tile of `side` px (its smaller side). */
export function badgeSize(side: number): number {
  return Math.min(Math.max(side * SHARE, MIN_PX), MAX_PX, side);
}

export function drawBadges(
  ctx: CanvasRenderingContext2D,
  scene: BadgeScene,
  view: View,
  style: BadgeStyle,
  width: number,
  height: number
): void {
  const { scale, tx, ty } = view;
  const gap = tileGap(view);
  const ranks = style.fill.length;
  /** every mark on screen: its tile's right edge and top (CSS px), leg length and rank */
  const each = (f: (right: number, top: number, leg: number, rank: number) => void) => {
    for (let i = 0; i < scene.count; i++) {
      const rank = scene.rank[i]!;
      if (rank === 0 || rank >= ranks) {
        continue;
      }
      const rw = scene.w[i]! * scale - gap;
      const rh = scene.h[i]! * scale - gap;
      const right = scene.x[i]! * scale + tx + gap / 2 + rw;
      const top = scene.y[i]! * scale + ty + gap / 2;
      const leg = badgeSize(Math.min(rw, rh));
      if (right - leg > width || top > height || right < 0 || top + leg < 0) {
        continue;
      }
      f(right, top, leg, rank);
    }
  };
  const triangle = (right: number, top: number, leg: number) => {
    ctx.moveTo(right - leg, top);
    ctx.lineTo(right, top);
    ctx.lineTo(right, top + leg);
    ctx.closePath();
  };
  // one path per rank, filled once; the edges of all of them stroked once
  let largest = 0;
  for (let r = 1; r < ranks; r++) {
    ctx.beginPath();
    let drawn = false;
    each((right, top, leg, rank) => {
      if (rank === r) {
        triangle(right, top, leg);
        largest = Math.max(largest, leg);
        drawn = true;
      }
    });
    if (drawn) {
      ctx.fillStyle = style.fill[r]!;
      ctx.fill();
    }
  }
  if (largest === 0) {
    return;
  }
  ctx.beginPath();
  each(triangle);
  ctx.strokeStyle = style.edge;
  ctx.lineWidth = Math.max(1, largest * 0.07);
  ctx.lineJoin = 'round';
  ctx.stroke();
  if (largest < GLYPH_FROM_PX) {
    return;
  }
  // "!" towards the corner, where the triangle is widest: a bar and a dot, per rank in its contrast colour
  for (let r = 1; r < ranks; r++) {
    ctx.beginPath();
    let drawn = false;
    each((right, top, leg, rank) => {
      if (rank !== r || leg < GLYPH_FROM_PX) {
        return;
      }
      const cx = right - leg * 0.28;
      const cy = top + leg * 0.33;
      const s = leg * 0.2;
      ctx.moveTo(cx, cy - s);
      ctx.lineTo(cx, cy + s * 0.4);
      ctx.moveTo(cx, cy + s * 0.95);
      ctx.lineTo(cx, cy + s * 0.96);
      drawn = true;
    });
    if (drawn) {
      ctx.strokeStyle = style.glyph[r]!;
      ctx.lineWidth = Math.max(1.5, largest * 0.09);
      ctx.lineCap = 'round';
      ctx.stroke();
    }
  }
}
