/*
 * Rack labels and values on the canvas, sized with the tile and left out where they do not fit: on a NOC wall
 * a clipped or overlapping number is worse than none. Only racks on screen are measured.
 */
import { BUCKET_MISSING, BUCKET_STALE } from '../data/color-index';
import { tileGap, type TileScene } from './tiles';
import type { View } from './view';

export interface TextStyle {
  fontFamily: string;
  /** text colour on each palette bucket (contrast), then on missing, then on stale tiles */
  onBucket: string[];
  /** smallest type drawn, CSS px (8 on a desk, larger in TV mode) */
  minPx: number;
  /** type size relative to the tile (1 on a desk, larger in TV mode) */
  scale: number;
  showLabels: boolean;
  showValues: boolean;
}

export interface TextScene extends TileScene {
  label: string[];
  /** the value of rack `i` in slice `s`, formatted with unit; '' to leave it out */
  formatValue: (s: number, i: number) => string;
}

/** Largest type, CSS px: a single huge tile stays readable rather than shouting. */
const MAX_PX = 40;

export function drawTileText(
  ctx: CanvasRenderingContext2D,
  scene: TextScene,
  view: View,
  style: TextStyle,
  width: number,
  height: number
): void {
  if (!style.showLabels && !style.showValues) {
    return;
  }
  const { count, x, y, w, h, slices, palette } = scene;
  const n = slices.length;
  const gap = tileGap(view);
  const { scale, tx, ty } = view;
  const missing = palette.length;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  let font = '';
  const setFont = (px: number, bold: boolean) => {
    const f = `${bold ? '500 ' : ''}${px.toFixed(1)}px ${style.fontFamily}`;
    if (f !== font) {
      ctx.font = f;
      font = f;
    }
  };
  /**
   * The font size (≤ px, ≥ minPx) at which `text` fits `room` px across, or 0 when it does not fit even at minPx:
   * one long value shrinks rather than vanishing among its neighbours.
   */
  const fit = (text: string, px: number, room: number, bold: boolean) => {
    if (!text) {
      return 0;
    }
    setFont(px, bold);
    const wide = ctx.measureText(text).width;
    const size = wide <= room ? px : Math.floor(((px * room) / wide) * 10) / 10;
    return size >= style.minPx ? size : 0;
  };

  for (let i = 0; i < count; i++) {
    const sw = w[i]! * scale - gap;
    const th = h[i]! * scale - gap;
    const sx = x[i]! * scale + tx + gap / 2;
    const sy = y[i]! * scale + ty + gap / 2;
    if (sx > width || sy > height || sx + sw < 0 || sy + th < 0) {
      continue;
    }
    const labelPx = Math.min(Math.min(sw * 0.24, th * 0.2) * style.scale, MAX_PX);
    if (labelPx < style.minPx) {
      continue;
    }
    const room = sw - 4;
    const sh = th / n;
    const colorOf = (s: number) => {
      const b = slices[s]![i]!;
      return style.onBucket[b === BUCKET_MISSING ? missing : b === BUCKET_STALE ? missing + 1 : b]!;
    };
    if (n === 1) {
      const label = style.showLabels ? scene.label[i]! : '';
      // a missing or stale tile shows its symbol where the value would be, never an old number
      const value = style.showValues && slices[0]![i]! < BUCKET_STALE ? scene.formatValue(0, i) : '';
      const labelSize = fit(label, labelPx, room, false);
      const valueSize = fit(value, labelPx * 1.3, room, true);
      ctx.fillStyle = colorOf(0);
      const cx = sx + sw / 2;
      const both = labelSize > 0 && (valueSize > 0 || (value === '' && slices[0]![i]! >= BUCKET_STALE));
      if (labelSize > 0) {
        setFont(labelSize, false);
        ctx.fillText(label, cx, both ? sy + th * 0.3 : sy + th / 2);
      }
      if (valueSize > 0) {
        setFont(valueSize, true);
        ctx.fillText(value, cx, labelSize > 0 ? sy + th * 0.64 : sy + th / 2);
      }
      continue;
    }
    // slices: a value each where the slice is tall enough; the rack's name is in the tooltip and the row
    const valuePx = Math.min(labelPx * 1.1, sh * 0.6);
    if (!style.showValues || valuePx < style.minPx) {
      continue;
    }
    for (let s = 0; s < n; s++) {
      const value = slices[s]![i]! >= BUCKET_STALE ? '' : scene.formatValue(s, i);
      const size = fit(value, valuePx, room, true);
      if (size > 0) {
        setFont(size, true);
        ctx.fillStyle = colorOf(s);
        ctx.fillText(value, sx + sw / 2, sy + sh * s + sh / 2);
      }
    }
  }
}
