/** Where each chart goes in the panel, px. Pure, so the arithmetic is tested without a browser. */
import type { Layout, SummarySize } from '../../types';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface PanelBoxes {
  summary?: Box;
  time?: Box;
  scatter?: Box;
  lag?: Box;
}

/** Summary height per size, px (numbers, their labels and the series name). */
export const SUMMARY_HEIGHT: Record<SummarySize, number> = { compact: 64, large: 84, wall: 112 };
const GAP = 8;

export function panelBoxes(layout: Layout, width: number, height: number, summary?: SummarySize): PanelBoxes {
  const out: PanelBoxes = {};
  let top = 0;
  if (summary && height > SUMMARY_HEIGHT[summary] * 2) {
    out.summary = { left: 0, top: 0, width, height: SUMMARY_HEIGHT[summary] };
    top = SUMMARY_HEIGHT[summary] + GAP;
  }
  const h = Math.max(0, height - top);
  const resolved = layout === 'auto' ? (width >= 2.2 * h ? 'row' : 'stacked') : layout;
  switch (resolved) {
    case 'time':
    case 'scatter':
    case 'lag':
      out[resolved] = { left: 0, top, width, height: h };
      return out;
    case 'row': {
      const third = Math.floor((width - 2 * GAP) / 3);
      const timeW = width - 2 * (third + GAP);
      out.time = { left: 0, top, width: timeW, height: h };
      out.scatter = { left: timeW + GAP, top, width: third, height: h };
      out.lag = { left: timeW + third + 2 * GAP, top, width: third, height: h };
      return out;
    }
    case 'stacked': {
      const timeH = Math.floor((h - GAP) * 0.55);
      const bottomH = h - timeH - GAP;
      const half = Math.floor((width - GAP) / 2);
      out.time = { left: 0, top, width, height: timeH };
      out.scatter = { left: 0, top: top + timeH + GAP, width: half, height: bottomH };
      out.lag = { left: half + GAP, top: top + timeH + GAP, width: width - half - GAP, height: bottomH };
      return out;
    }
  }
}
