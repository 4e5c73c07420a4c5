/**
 * Saved options → today's `CorrelationOptions`. Shapes a dashboard can hold:
 * - a new panel: `{}`;
 * - the create-plugin scaffold's `{text, showSeriesCount, seriesCountSize}` (panels saved from the first builds);
 * - 0.1.0 options, possibly hand-edited: wrong types or out-of-range numbers fall back to the default.
 * Unknown keys are dropped so they cannot shadow a later option of the same name.
 */
import type { PanelModel } from '@grafana/data';
import { DEFAULT_OPTIONS, type CorrelationOptions } from './types';

const ENUMS: Partial<Record<keyof CorrelationOptions, readonly string[]>> = {
  loadCombine: ['auto', 'sum', 'mean'],
  layout: ['auto', 'stacked', 'row', 'time', 'scatter', 'lag'],
  summarySize: ['compact', 'large', 'wall'],
};

/** Numbers that must be ≥ 0 (seconds). */
const NON_NEGATIVE: Array<keyof CorrelationOptions> = ['maxLagS', 'resolutionS', 'maxGapS', 'lagThresholdS', 'windowS'];

export function migrateOptions(saved: unknown): CorrelationOptions {
  const input = (saved && typeof saved === 'object' ? saved : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const key of Object.keys(DEFAULT_OPTIONS) as Array<keyof CorrelationOptions>) {
    const value = input[key];
    const def = DEFAULT_OPTIONS[key];
    if (typeof value !== typeof def) {
      continue;
    }
    if (typeof value === 'number' && (!Number.isFinite(value) || (NON_NEGATIVE.includes(key) && value < 0))) {
      continue;
    }
    if (ENUMS[key] && !ENUMS[key]!.includes(value as string)) {
      continue;
    }
    out[key] = value;
  }
  if (!(Number(out.maxLagS) > 0)) {
    out.maxLagS = DEFAULT_OPTIONS.maxLagS;
  }
  return out as unknown as CorrelationOptions;
}

/** Grafana's `onPanelMigration`: runs when the saved `pluginVersion` differs from the plugin's. */
export function migrationHandler(panel: PanelModel<Partial<CorrelationOptions>>): CorrelationOptions {
  return migrateOptions(panel.options);
}
