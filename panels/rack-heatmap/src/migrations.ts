import { PanelModel } from '@grafana/data';
import { DEFAULT_OPTIONS, RackHeatmapOptions } from './types';

/**
 * Saved options → today's shape. Saved shapes so far:
 * - 0.1.0 scaffold (create-plugin's SimplePanel): `{text, showSeriesCount, seriesCountSize}` — nothing to keep.
 * - current, possibly partial: option groups saved before a key existed, or by hand-edited dashboard JSON.
 * - panels saved before `predictions` existed get the group from the defaults: marks on wherever a predictions
 *   frame is added to their queries.
 * Every group is completed from DEFAULT_OPTIONS and values of the wrong type fall back to the default, because
 * Grafana merges saved options over defaults one level deep only.
 */
export function migrateOptions(panel: PanelModel<Partial<RackHeatmapOptions>>): RackHeatmapOptions {
  const saved = (panel.options ?? {}) as Record<string, unknown>;
  // a copy of each group (groups are flat), so the defaults are never mutated
  const out = Object.fromEntries(
    Object.entries(DEFAULT_OPTIONS).map(([group, values]) => [group, { ...values }])
  ) as unknown as RackHeatmapOptions;
  for (const group of Object.keys(out) as Array<keyof RackHeatmapOptions>) {
    const savedGroup = saved[group];
    if (!savedGroup || typeof savedGroup !== 'object') {
      continue;
    }
    const target = out[group] as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(savedGroup)) {
      if (key in target && typeof value === typeof target[key]) {
        target[key] = value;
      }
    }
  }
  return enumsOrDefault(out);
}

/** Enum options keep a known value only. */
function enumsOrDefault(o: RackHeatmapOptions): RackHeatmapOptions {
  if (o.color.preset !== 'field' && o.color.preset !== 'ashrae') {
    o.color.preset = DEFAULT_OPTIONS.color.preset;
  }
  if (o.legend.placement !== 'bottom' && o.legend.placement !== 'right') {
    o.legend.placement = DEFAULT_OPTIONS.legend.placement;
  }
  return o;
}
