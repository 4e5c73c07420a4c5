import { DataFrame, GrafanaTheme2 } from '@grafana/data';
import { RackHeatmapOptions } from '../types';
import { BUCKET_MISSING, BUCKET_STALE, fillBuckets } from './color-index';
import { buildColorScale, ColorScale, dataRange } from './colors';
import { findLayout, findValueSources } from './fields';
import { Floor, placeFloor } from './floor';
import { Channel, joinRacks, RackTable } from './join';
import { findPredictions, joinPredictions, RackPredictions } from './predictions';
import { parseStaleAfter } from './stale';
import { valueStatus } from './status';

/** Everything the panel draws, derived from frames and options (not from the theme or time). */
export interface FloorModel {
  table: RackTable;
  floor: Floor;
  /** the values drawn: the first, or all of them as slices when `splitValues` is on */
  channels: Channel[];
  staleAfterMs?: number;
  /** open predictions per rack, when a predictions frame is present and the option is on */
  predictions?: RackPredictions;
  /** shown under the floor: option errors, racks left out */
  warnings: string[];
}

export type ModelResult = { model: FloorModel } | { empty: string };

/** The floor, or why there is nothing to draw (a message naming what is missing). */
export function buildFloorModel(frames: DataFrame[], options: RackHeatmapOptions): ModelResult {
  const names = options.fields;
  const layout = findLayout(frames, names);
  if (!layout) {
    const wanted = [names.rack || 'rack', names.x || 'x', names.y || 'y'].join(', ');
    return {
      empty: frames.length ? `No frame has the rack layout fields (${wanted}): choose them under Fields` : 'No data',
    };
  }
  // a predictions frame has a rack and numbers (id, confidence) too, but is never coloured by
  const predictions = findPredictions(frames, names.rack, layout.frame);
  const valueFrames = predictions ? frames.filter((f) => f !== predictions.frame) : frames;
  const table = joinRacks(layout, findValueSources(valueFrames, layout, names), options.layout.hall);
  if (table.count === 0) {
    return { empty: options.layout.hall ? `No racks in hall "${options.layout.hall}"` : 'No racks with x and y' };
  }
  const warnings: string[] = [];
  if (table.channels.length === 0) {
    warnings.push(names.value ? `No numeric field named "${names.value}"` : 'No numeric field to colour racks by');
  }
  if (table.skipped > 0) {
    warnings.push(`${table.skipped} layout rows without x/y or repeated, left out`);
  }
  const stale = parseStaleAfter(options.color.staleAfter);
  if ('error' in stale) {
    warnings.push(stale.error);
  }
  return {
    model: {
      table,
      floor: placeFloor(table, options.layout.showRowNames),
      channels: options.layout.splitValues ? table.channels : table.channels.slice(0, 1),
      staleAfterMs: 'ms' in stale ? stale.ms : undefined,
      predictions: predictions && options.predictions.show ? joinPredictions(table, predictions) : undefined,
      warnings,
    },
  };
}

/** Colour scales of the drawn channels; they share the data range, as Grafana's min/max do by default. */
export function channelScales(model: FloorModel, theme: GrafanaTheme2, options: RackHeatmapOptions): ColorScale[] {
  const range = dataRange(model.channels.map((c) => c.value));
  return model.channels.map((c) => buildColorScale(c.field, theme, options.color.preset, range));
}

/** One palette for all drawn channels: each channel's buckets follow the previous channel's. */
export function combinedPalette(scales: ColorScale[]): string[] {
  return scales.flatMap((s) => s.palette);
}

/**
 * Colour bucket of every rack per drawn channel (one slice each), indexing combinedPalette(scales); a floor without
 * values is drawn all missing.
 * @param now end of the time range, ms, for stale detection
 */
export function paintSlices(model: FloorModel, scales: ColorScale[], now: number): Uint16Array[] {
  const n = model.table.count;
  if (model.channels.length === 0) {
    return [new Uint16Array(n).fill(BUCKET_MISSING)];
  }
  let offset = 0;
  return model.channels.map((c, k) => {
    const scale = scales[k]!;
    const status = valueStatus(c.value, c.time, now, model.staleAfterMs);
    const out = fillBuckets(c.value, status, scale.rule, new Uint16Array(n), scale.mapped);
    if (offset > 0) {
      for (let i = 0; i < n; i++) {
        if (out[i]! < BUCKET_STALE) {
          out[i]! += offset;
        }
      }
    }
    offset += scale.palette.length;
    return out;
  });
}

/** Latest sample time of any drawn value (ms), for TV mode's "last updated"; undefined when values carry no time. */
export function lastUpdated(model: FloorModel): number | undefined {
  let latest = -Infinity;
  for (const c of model.channels) {
    for (let i = 0; i < c.time.length; i++) {
      if (c.time[i]! > latest) {
        latest = c.time[i]!;
      }
    }
  }
  return Number.isFinite(latest) ? latest : undefined;
}
