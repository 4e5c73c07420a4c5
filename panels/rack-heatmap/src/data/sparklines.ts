import { DataFrame, Field, FieldType } from '@grafana/data';

/** A rack's recent history, as @grafana/ui's Sparkline takes it. */
export interface RackSeries {
  x: Field;
  y: Field;
}

/** One hour in ms: what the tooltip's sparkline shows, ending at the panel's time range end. */
export const SPARKLINE_WINDOW_MS = 3_600_000;

const label = (field: Field, name: string): string | undefined => {
  const labels = field.labels ?? {};
  const key = Object.keys(labels).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : labels[key];
};

/**
 * Time series (a time field and a number field labelled `rack`, as Plenum's `timeseries` query grouped by rack
 * returns, or Prometheus with a `rack` label) by `hall/rack` when labelled with a hall too, and by rack; the first
 * series of a rack wins.
 */
export function seriesByRack(frames: DataFrame[]): Map<string, RackSeries> {
  const found = new Map<string, RackSeries>();
  for (const frame of frames) {
    const x = frame.fields.find((f) => f.type === FieldType.time);
    if (!x) {
      continue;
    }
    for (const y of frame.fields) {
      const rack = y.type === FieldType.number ? label(y, 'rack') : undefined;
      if (rack === undefined) {
        continue;
      }
      const hall = label(y, 'hall');
      for (const key of hall === undefined ? [rack] : [`${hall}/${rack}`, rack]) {
        if (!found.has(key)) {
          found.set(key, { x, y });
        }
      }
    }
  }
  return found;
}

/** The part of `series` within SPARKLINE_WINDOW_MS before `end` (ms); undefined when fewer than two points. */
export function lastHour(series: RackSeries, end: number): RackSeries | undefined {
  const times = series.x.values as number[];
  const keep: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t > end - SPARKLINE_WINDOW_MS && t <= end) {
      keep.push(i);
    }
  }
  if (keep.length < 2) {
    return undefined;
  }
  const pick = (f: Field): Field => ({ ...f, values: keep.map((i) => f.values[i]), state: undefined });
  const y = pick(series.y);
  // Sparkline scales to state.range, which Grafana's getFieldDisplayValues fills for the fields it hands over
  const finite = (y.values as unknown[]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const min = finite.length ? Math.min(...finite) : 0;
  const max = finite.length ? Math.max(...finite) : 0;
  y.state = { range: { min, max, delta: max - min } };
  return { x: pick(series.x), y };
}
