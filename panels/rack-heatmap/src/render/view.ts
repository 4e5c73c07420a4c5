import type { Rect } from '../data/floor';

/** World (tiles) to screen (CSS px): screen = world × scale + offset. */
export interface View {
  scale: number;
  tx: number;
  ty: number;
}

/** Most a user may zoom in, relative to the fitted view (a 10,000-rack hall to about ten racks across). */
export const MAX_ZOOM = 40;

/** The floor centred in width × height (px) with `pad` px around it, tiles square. */
export function fitView(bounds: Rect, width: number, height: number, pad: number): View {
  const bw = Math.max(bounds.x1 - bounds.x0, 1e-6);
  const bh = Math.max(bounds.y1 - bounds.y0, 1e-6);
  const scale = Math.max(Math.min((width - 2 * pad) / bw, (height - 2 * pad) / bh), 1e-3);
  return {
    scale,
    tx: (width - bw * scale) / 2 - bounds.x0 * scale,
    ty: (height - bh * scale) / 2 - bounds.y0 * scale,
  };
}

/** `view` zoomed by `factor` keeping the point under (px, py) still, within 1…MAX_ZOOM × the fitted scale. */
export function zoomAt(view: View, fitted: View, factor: number, px: number, py: number): View {
  const scale = Math.min(Math.max(view.scale * factor, fitted.scale), fitted.scale * MAX_ZOOM);
  if (scale === fitted.scale) {
    return fitted;
  }
  const k = scale / view.scale;
  return { scale, tx: px - (px - view.tx) * k, ty: py - (py - view.ty) * k };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, tx: view.tx + dx, ty: view.ty + dy };
}

export function toWorld(view: View, px: number, py: number): { x: number; y: number } {
  return { x: (px - view.tx) / view.scale, y: (py - view.ty) / view.scale };
}
