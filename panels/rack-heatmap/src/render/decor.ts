/** What a floor plan shows besides racks: aisle bands, row names, hall names. Few items, drawn plainly. */
import type { Floor } from '../data/floor';
import type { View } from './view';

export interface DecorStyle {
  fontFamily: string;
  text: string;
  hot: string;
  cold: string;
  /** as in TextStyle: smallest type drawn (CSS px) and size relative to the tile */
  minPx: number;
  scale: number;
  showAisles: boolean;
  showRowNames: boolean;
}

export function drawDecor(ctx: CanvasRenderingContext2D, floor: Floor, view: View, style: DecorStyle): void {
  const { scale, tx, ty } = view;
  const px = Math.min(scale * 0.35 * style.scale, 28);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  if (style.showAisles) {
    for (const a of floor.aisles) {
      const x0 = a.bounds.x0 * scale + tx;
      const y0 = a.bounds.y0 * scale + ty;
      const bw = (a.bounds.x1 - a.bounds.x0) * scale;
      const bh = (a.bounds.y1 - a.bounds.y0) * scale;
      ctx.fillStyle = a.kind === 'hot' ? style.hot : style.cold;
      ctx.globalAlpha = 0.18;
      ctx.fillRect(x0, y0, bw, bh);
      ctx.globalAlpha = 1;
      const across = a.horizontal ? bh : bw;
      const aislePx = Math.min(px, across * 0.5);
      if (aislePx >= style.minPx) {
        const text = a.kind === 'hot' ? 'HOT AISLE' : 'COLD AISLE';
        ctx.font = `500 ${aislePx.toFixed(1)}px ${style.fontFamily}`;
        if (ctx.measureText(text).width < (a.horizontal ? bw : bh) - 8) {
          ctx.save();
          ctx.translate(x0 + bw / 2, y0 + bh / 2);
          if (!a.horizontal) {
            ctx.rotate(-Math.PI / 2);
          }
          ctx.fillText(text, 0, 0);
          ctx.restore();
        }
      }
    }
  }
  ctx.fillStyle = style.text;
  if (style.showRowNames && px >= style.minPx) {
    ctx.font = `500 ${px.toFixed(1)}px ${style.fontFamily}`;
    ctx.textAlign = 'right';
    for (const r of floor.rows) {
      ctx.fillText(r.name, r.bounds.x0 * scale + tx - scale * 0.2, ((r.bounds.y0 + r.bounds.y1) / 2) * scale + ty);
    }
  }
  if (floor.halls.length > 1 && px >= style.minPx) {
    ctx.font = `500 ${px.toFixed(1)}px ${style.fontFamily}`;
    ctx.textAlign = 'left';
    for (const hall of floor.halls) {
      ctx.fillText(hall.name, hall.bounds.x0 * scale + tx, (hall.bounds.y0 - 0.5) * scale + ty);
    }
  }
}
