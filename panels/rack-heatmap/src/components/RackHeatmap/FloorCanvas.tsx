import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React, { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { FloorModel } from '../../data/model';
import { drawBadges } from '../../render/badges';
import { drawDecor } from '../../render/decor';
import { buildHitIndex, hitTest } from '../../render/hit-index';
import { drawTileText } from '../../render/text';
import { drawOutline, drawTiles, makeHatch, TileScene, TileScratch } from '../../render/tiles';
import { fitView, panBy, toWorld, View, zoomAt } from '../../render/view';
import { RackHeatmapOptions } from '../../types';
import { badgeStyle } from './PredictionBadge';

export interface FloorCanvasProps {
  model: FloorModel;
  /** every drawn channel's colours (combinedPalette) */
  palette: string[];
  /** colour bucket per rack per drawn channel (paintSlices) */
  slices: Uint16Array[];
  /** formatted value of rack i in slice s */
  formatValue: (s: number, i: number) => string;
  options: RackHeatmapOptions;
  theme: GrafanaTheme2;
  width: number;
  height: number;
  /** rack under the pointer (-1 when none) at CSS px within the canvas */
  onHover: (rack: number, x: number, y: number) => void;
  onSelect: (rack: number, x: number, y: number) => void;
  hovered: number;
  selected: number;
}

/** CSS px around the floor when fitted. */
const PAD = 8;
/** Zoom per wheel notch (deltaY 100). */
const WHEEL_ZOOM = 1.2;
/** Pointer travel (CSS px) below which a press and release is a click, not a pan. */
const CLICK_SLOP = 4;

/**
 * The floor on two canvases: racks, aisles, text and prediction marks on the first, redrawn when data, theme, size or view change;
 * hover and selection outlines on an overlay, so moving the pointer does not redraw 10,000 racks.
 */
export function FloorCanvas(props: FloorCanvasProps) {
  const { model, palette, slices, formatValue, options, theme, width, height, hovered, selected } = props;
  const styles = useStyles2(getStyles);
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const scratch = useRef(new TileScratch());
  const fitted = useMemo(() => fitView(model.floor.bounds, width, height, PAD), [model.floor.bounds, width, height]);
  const view = useRef<View>(fitted);
  const frame = useRef(0);
  const drag = useRef<{ x: number; y: number; moved: boolean } | undefined>(undefined);
  const hitIndex = useMemo(
    () => buildHitIndex(model.floor.x, model.floor.y, model.table.w, model.table.h),
    [model.floor.x, model.floor.y, model.table.w, model.table.h]
  );
  const tv = options.text.tvMode;
  const hatch = useRef<{ color: string; pattern: CanvasPattern | string }>(undefined);

  const scene = useMemo<TileScene>(
    () => ({
      count: model.table.count,
      x: model.floor.x,
      y: model.floor.y,
      w: model.table.w,
      h: model.table.h,
      slices,
      palette,
    }),
    [model, slices, palette]
  );

  const draw = useCallback(() => {
    const ctx = prepare(base.current, width, height);
    if (!ctx) {
      return;
    }
    const v = view.current;
    // where tiles are, for browser tests and for people inspecting the panel: screen = world × scale + t
    overlay.current?.setAttribute('data-view', JSON.stringify(v));
    const statusText = theme.colors.text.secondary;
    drawDecor(ctx, model.floor, v, {
      fontFamily: theme.typography.fontFamily,
      text: theme.colors.text.secondary,
      hot: theme.visualization.getColorByName('red'),
      cold: theme.visualization.getColorByName('blue'),
      minPx: tv ? 14 : 9,
      scale: tv ? 1.4 : 1,
      showAisles: options.layout.showAisles,
      showRowNames: options.layout.showRowNames,
    });
    drawTiles(
      ctx,
      scene,
      v,
      {
        statusFill: theme.colors.background.secondary,
        hatch: hatchFor(ctx, theme.colors.border.strong, hatch),
        symbol: statusText,
      },
      width,
      height,
      scratch.current
    );
    drawTileText(
      ctx,
      { ...scene, label: model.table.label, formatValue },
      v,
      {
        fontFamily: theme.typography.fontFamily,
        onBucket: [...scene.palette.map((c) => theme.colors.getContrastText(c)), statusText, statusText],
        minPx: tv ? 14 : 8,
        scale: tv ? 1.35 : 1,
        showLabels: options.text.showLabels,
        showValues: options.text.showValues,
      },
      width,
      height
    );
    // prediction marks last: over a tile's corner, clear of its centred label and value
    if (model.predictions) {
      drawBadges(ctx, { ...scene, rank: model.predictions.rank }, v, badgeStyle(theme), width, height);
    }
  }, [model, scene, formatValue, theme, options, tv, width, height]);

  const drawOverlay = useCallback(() => {
    const ctx = prepare(overlay.current, width, height);
    if (!ctx) {
      return;
    }
    if (selected >= 0) {
      drawOutline(ctx, scene, view.current, selected, theme.colors.primary.main, 3);
    }
    if (hovered >= 0 && hovered !== selected) {
      drawOutline(ctx, scene, view.current, hovered, theme.colors.text.primary, 2);
    }
  }, [scene, hovered, selected, theme, width, height]);

  // a new fit (size or floor changed) resets zoom and pan
  useLayoutEffect(() => {
    view.current = fitted;
  }, [fitted]);
  useLayoutEffect(draw, [draw]);
  useLayoutEffect(drawOverlay, [drawOverlay]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const redrawSoon = useCallback(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      draw();
      drawOverlay();
    });
  }, [draw, drawOverlay]);

  const rackAt = (e: React.PointerEvent | React.MouseEvent) => {
    const r = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    const w = toWorld(view.current, px, py);
    return { rack: hitTest(hitIndex, w.x, w.y), px, py };
  };

  // wheel zoom needs a non-passive listener to keep the dashboard from scrolling
  useEffect(() => {
    const el = overlay.current;
    if (!el || !options.interaction.zoom) {
      return;
    }
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const factor = Math.pow(WHEEL_ZOOM, -e.deltaY / 100);
      view.current = zoomAt(view.current, fitted, factor, e.clientX - r.left, e.clientY - r.top);
      redrawSoon();
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [fitted, redrawSoon, options.interaction.zoom]);

  return (
    <div className={styles.wrap} style={{ width, height }}>
      <canvas ref={base} className={styles.layer} data-testid="rack-heatmap-canvas" />
      <canvas
        ref={overlay}
        className={styles.layer}
        data-testid="rack-heatmap-overlay"
        onPointerDown={(e) => {
          drag.current = { x: e.clientX, y: e.clientY, moved: false };
          e.currentTarget.setPointerCapture?.(e.pointerId);
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (d && options.interaction.zoom && view.current.scale > fitted.scale) {
            const dx = e.clientX - d.x;
            const dy = e.clientY - d.y;
            if (d.moved || Math.hypot(dx, dy) > CLICK_SLOP) {
              d.moved = true;
              view.current = panBy(view.current, dx, dy);
              drag.current = { x: e.clientX, y: e.clientY, moved: true };
              redrawSoon();
              return;
            }
          }
          const { rack, px, py } = rackAt(e);
          props.onHover(rack, px, py);
        }}
        onPointerUp={(e) => {
          const moved = drag.current?.moved;
          drag.current = undefined;
          if (!moved) {
            const { rack, px, py } = rackAt(e);
            props.onSelect(rack, px, py);
          }
        }}
        onPointerLeave={() => props.onHover(-1, 0, 0)}
        onDoubleClick={() => {
          view.current = fitted;
          redrawSoon();
        }}
      />
    </div>
  );
}

/** The hatch pattern in `color`, made once per colour (theme). */
function hatchFor(
  ctx: CanvasRenderingContext2D,
  color: string,
  cache: React.MutableRefObject<{ color: string; pattern: CanvasPattern | string } | undefined>
) {
  if (cache.current?.color !== color) {
    cache.current = { color, pattern: makeHatch(ctx, color) };
  }
  return cache.current.pattern;
}

/** The canvas sized for the device's pixel ratio, cleared, drawing in CSS px; undefined without a 2D context. */
function prepare(canvas: HTMLCanvasElement | null, width: number, height: number) {
  const ctx = canvas?.getContext('2d');
  if (!canvas || !ctx) {
    return undefined;
  }
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

const getStyles = () => ({
  wrap: css({ position: 'relative' }),
  layer: css({ position: 'absolute', left: 0, top: 0 }),
});
