/** uPlot axes, grid and colours from the Grafana theme, and values formatted with Grafana units. */
import { formattedValueToString, getValueFormat, type GrafanaTheme2 } from '@grafana/data';
import type uPlot from 'uplot';

/** `value` in Grafana unit `unit` (e.g. `celsius`, `kwatt`), as panels show it. */
export function formatValue(value: number | null | undefined, unit: string | undefined, decimals?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  return formattedValueToString(getValueFormat(unit ?? 'none')(value, decimals));
}

/** Series colour `i` from Grafana's classic palette, resolved for the theme. */
export function seriesColor(theme: GrafanaTheme2, i: number): string {
  const palette = theme.visualization.palette;
  return theme.visualization.getColorByName(palette[i % palette.length]);
}

/** An axis styled as Grafana's: theme text and grid colours, values in `unit`. */
export function axis(
  theme: GrafanaTheme2,
  opts: {
    scale: string;
    side?: 0 | 1 | 2 | 3;
    unit?: string;
    /** tick text instead of the unit's formatting */
    format?: (value: number) => string;
    label?: string;
    grid?: boolean;
    time?: boolean;
  }
): uPlot.Axis {
  const fontSize = theme.typography.fontSize;
  const font = `${fontSize}px ${theme.typography.fontFamily}`;
  const format = opts.format ?? ((v: number) => formatValue(v, opts.unit));
  return {
    scale: opts.scale,
    // uPlot's default for an axis given without a side is the left; x goes at the bottom
    side: opts.side ?? (opts.scale === 'x' ? 2 : 3),
    label: opts.label,
    labelFont: font,
    labelSize: opts.label ? 18 : 0,
    font,
    stroke: theme.colors.text.secondary,
    grid: { show: opts.grid !== false, stroke: theme.colors.border.weak, width: 1 },
    ticks: { show: true, stroke: theme.colors.border.weak, width: 1, size: 4 },
    // wide enough for the longest tick text (≈ 0.6 em per character), so "1.75 MW" is not clipped
    size: opts.time
      ? 30
      : (_u: uPlot, values: string[] | null) =>
          Math.ceil(Math.max(3, ...(values ?? []).map((v) => v.length)) * fontSize * 0.6) + 14,
    ...(!opts.time && {
      values: (_u: uPlot, splits: number[]) => splits.map(format),
    }),
  };
}

/** Float64Array with NaN gaps → the array uPlot wants, null where there is no value. */
export function withNulls(v: ArrayLike<number>): Array<number | null> {
  return Array.from(v, (x) => (Number.isFinite(x) ? x : null));
}
