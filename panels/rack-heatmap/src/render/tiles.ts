/*
 * Rack tiles on a 2D canvas, grouped by colour bucket as Grafana's heatmap batches its cells: one fillStyle per
 * bucket (a CSS colour parse each), so a redraw of 10,000 racks sets a few dozen styles, not 10,000. No @grafana imports: the benchmark bundles this file as it is.
 */
import { BUCKET_MISSING, BUCKET_STALE } from '../data/color-index';
import type { View } from './view';

export interface TileScene {
  count: number;
  /** world position and size of each rack, in tiles */
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
  /** colour bucket of each rack for each value drawn, as stacked slices top to bottom (usually one) */
  slices: Uint16Array[];
  /** CSS colour of each bucket below BUCKET_STALE */
  palette: string[];
}

export interface TileStyle {
  /** fill under the hatch of missing and stale tiles: no colour of any scale */
  statusFill: string;
  /** hatch over it: a diagonal-line CanvasPattern (see makeHatch) */
  hatch: CanvasPattern | string;
  /** stroke of the ✕ (missing) and clock (stale) symbols */
  symbol: string;
}

/** Tiles at least this many CSS px across get a gap between them (px: min(2, 8% of a tile)). */
const GAP_FROM_PX = 6;
/** Symbols are drawn on tiles whose smaller side is at least this many CSS px. */
const SYMBOL_FROM_PX = 9;

/** A single tile at least this tall (CSS px) has room for a label above its symbol. */
const LABEL_ROOM_PX = 36;

/** Arrays reused between redraws, so drawing allocates nothing once sized. */
export class TileScratch {
  bucket = new Int32Array(0);
  order = new Int32Array(0);
  start = new Int32Array(0);

  ensure(items: number, buckets: number): void {
    if (this.bucket.length < items) {
      this.bucket = new Int32Array(items);
      this.order = new Int32Array(items);
    }
    if (this.start.length < buckets + 1) {
      this.start = new Int32Array(buckets + 1);
    }
  }
}

/** Screen geometry shared by tiles, text and highlights: gap and slice rectangles in CSS px. */
export function tileGap(view: View): number {
  return view.scale >= GAP_FROM_PX ? Math.min(2, view.scale * 0.08) : 0;
}

export function drawTiles(
  ctx: CanvasRenderingContext2D,
  scene: TileScene,
  view: View,
  style: TileStyle,
  width: number,
  height: number,
  scratch: TileScratch
): void {
  const { count, x, y, w, h, slices, palette } = scene;
  const n = slices.length;
  const missing = palette.length;
  const stale = missing + 1;
  const buckets = palette.length + 2;
  scratch.ensure(count * n, buckets);
  const { bucket, order, start } = scratch;
  start.fill(0, 0, buckets + 1);
  const { scale, tx, ty } = view;
  const gap = tileGap(view);
  const sliceGap = n > 1 && gap > 0 ? 1 : 0;

  // pass 1: bucket of every visible slice (-1 off screen), counted per bucket
  for (let s = 0; s < n; s++) {
    const slice = slices[s]!;
    for (let i = 0; i < count; i++) {
      const sx = x[i]! * scale + tx;
      const sy = y[i]! * scale + ty;
      const k = s * count + i;
      if (sx >= width || sy >= height || sx + w[i]! * scale <= 0 || sy + h[i]! * scale <= 0) {
        bucket[k] = -1;
        continue;
      }
      const b = slice[i]!;
      const mapped = b === BUCKET_MISSING ? missing : b === BUCKET_STALE ? stale : b;
      bucket[k] = mapped;
      start[mapped + 1]!++;
    }
  }
  for (let b = 0; b < buckets; b++) {
    start[b + 1]! += start[b]!;
  }
  // pass 2: items grouped by bucket (counting sort; start[b] ends as the next bucket's start)
  for (let k = 0; k < count * n; k++) {
    const b = bucket[k]!;
    if (b >= 0) {
      order[start[b]!++] = k;
    }
  }

  let begin = 0;
  for (let b = 0; b < buckets; b++) {
    const end = start[b]!;
    if (end === begin) {
      continue;
    }
    const status = b >= missing;
    // scale colours: one fillStyle, then fillRect per tile (Skia's fast path for axis-aligned rects); status
    // buckets: one path filled twice (background, then hatch), so the pattern is set up once
    ctx.fillStyle = status ? style.statusFill : palette[b]!;
    if (status) {
      ctx.beginPath();
    }
    for (let j = begin; j < end; j++) {
      const k = order[j]!;
      const s = (k / count) | 0;
      const i = k - s * count;
      const sh = (h[i]! * scale) / n;
      const rx = x[i]! * scale + tx + gap / 2;
      const ry = y[i]! * scale + ty + sh * s + gap / 2;
      const rw = w[i]! * scale - gap;
      const rh = sh - gap - (s < n - 1 ? sliceGap : 0);
      if (status) {
        ctx.rect(rx, ry, rw, rh);
      } else {
        ctx.fillRect(rx, ry, rw, rh);
      }
    }
    if (status) {
      ctx.fill();
      ctx.fillStyle = style.hatch;
      ctx.fill();
      drawSymbols(ctx, scene, view, order, begin, end, b === stale, style.symbol);
    }
    begin = end;
  }
}

/** ✕ for a missing value, a clock for a stale one, centred in each slice; one stroke for all of a kind. */
function drawSymbols(
  ctx: CanvasRenderingContext2D,
  scene: TileScene,
  view: View,
  order: Int32Array,
  begin: number,
  end: number,
  clock: boolean,
  color: string
): void {
  const { count, x, y, w, h } = scene;
  const n = scene.slices.length;
  const { scale, tx, ty } = view;
  const side = Math.min(w[order[begin]! % count]! * scale, (h[order[begin]! % count]! * scale) / n);
  if (side < SYMBOL_FROM_PX) {
    return;
  }
  ctx.beginPath();
  let lineWidth = 1;
  for (let j = begin; j < end; j++) {
    const k = order[j]!;
    const s = (k / count) | 0;
    const i = k - s * count;
    const sw = w[i]! * scale;
    const sh = (h[i]! * scale) / n;
    // below centre on a single tall tile, where text.ts puts the value, leaving the label above it readable
    const low = n === 1 && sh >= LABEL_ROOM_PX;
    const r = Math.min(sw, sh) * (low ? 0.15 : 0.22);
    const cx = x[i]! * scale + tx + sw / 2;
    const cy = y[i]! * scale + ty + sh * s + (low ? sh * 0.66 : sh / 2);
    lineWidth = Math.max(1, r * 0.22);
    if (clock) {
      ctx.moveTo(cx + r, cy);
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
      ctx.moveTo(cx, cy - r * 0.65);
      ctx.lineTo(cx, cy);
      ctx.lineTo(cx + r * 0.5, cy);
    } else {
      const d = r * 0.8;
      ctx.moveTo(cx - d, cy - d);
      ctx.lineTo(cx + d, cy + d);
      ctx.moveTo(cx + d, cy - d);
      ctx.lineTo(cx - d, cy + d);
    }
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = lineWidth;
  ctx.lineCap = 'round';
  ctx.stroke();
}

/**
 * A diagonal hatch (CSS px `spacing` apart) in `line` on transparent, for missing and stale tiles; falls back to the
 * line colour where patterns cannot be made (no canvas).
 */
export function makeHatch(ctx: CanvasRenderingContext2D, line: string, spacing = 6): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = spacing;
  tile.height = spacing;
  const t = tile.getContext('2d');
  if (!t) {
    return line;
  }
  t.strokeStyle = line;
  t.lineWidth = 1;
  t.beginPath();
  t.moveTo(0, spacing);
  t.lineTo(spacing, 0);
  t.moveTo(-1, 1);
  t.lineTo(1, -1);
  t.moveTo(spacing - 1, spacing + 1);
  t.lineTo(spacing + 1, spacing - 1);
  t.stroke();
  return ctx.createPattern(tile, 'repeat') ?? line;
}

/** An outline around rack `i` (hover, selection), `lineWidth` CSS px inside its tile. */
export function drawOutline(
  ctx: CanvasRenderingContext2D,
  scene: Pick<TileScene, 'x' | 'y' | 'w' | 'h'>,
  view: View,
  i: number,
  color: string,
  lineWidth: number
): void {
  const gap = tileGap(view);
  ctx.strokeStyle = color;
  ctx.lineWidth = lineWidth;
  ctx.strokeRect(
    scene.x[i]! * view.scale + view.tx + gap / 2 + lineWidth / 2,
    scene.y[i]! * view.scale + view.ty + gap / 2 + lineWidth / 2,
    scene.w[i]! * view.scale - gap - lineWidth,
    scene.h[i]! * view.scale - gap - lineWidth
  );
}
