/**
 * Saved options → today's `AutomationOptions`. Shapes a dashboard can hold:
 * - a new panel: `{}`;
 * - the create-plugin scaffold's `{text, showSeriesCount, seriesCountSize}` (panels saved from the first build);
 * - `datasource` as a data source reference `{type, uid}` (hand-written dashboard JSON, as panels' own `datasource`
 *   is written) → its uid;
 * - 0.1.0 options, possibly hand-edited: wrong types, unknown enums or out-of-range numbers fall back to the default
 *   (a poll interval and a list length are clamped to their limits).
 * Unknown keys are dropped so they cannot shadow a later option of the same name.
 */
import type { PanelModel } from '@grafana/data';
import { DEFAULT_OPTIONS, LIMITS, type AutomationOptions } from './types';

const ENUMS: Partial<Record<keyof AutomationOptions, readonly string[]>> = {
  controls: ['role', 'never'],
  layout: ['auto', 'stacked', 'columns'],
  density: ['normal', 'compact'],
};

const clamp = (v: number, { min, max }: { min: number; max: number }) => Math.min(max, Math.max(min, v));

export function migrateOptions(saved: unknown): AutomationOptions {
  const input = { ...((saved && typeof saved === 'object' ? saved : {}) as Record<string, unknown>) };
  const ref = input.datasource;
  if (ref && typeof ref === 'object' && typeof (ref as { uid?: unknown }).uid === 'string') {
    input.datasource = (ref as { uid: string }).uid;
  }
  const out: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const key of Object.keys(DEFAULT_OPTIONS) as Array<keyof AutomationOptions>) {
    const value = input[key];
    if (typeof value !== typeof DEFAULT_OPTIONS[key]) {
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      continue;
    }
    if (ENUMS[key] && !ENUMS[key]!.includes(value as string)) {
      continue;
    }
    out[key] = value;
  }
  out.pollS = clamp(out.pollS as number, LIMITS.pollS);
  out.actionsLimit = Math.round(clamp(out.actionsLimit as number, LIMITS.actionsLimit));
  return out as unknown as AutomationOptions;
}

/** Grafana's `onPanelMigration`: runs when the saved `pluginVersion` differs from the plugin's. */
export function migrationHandler(panel: PanelModel<Partial<AutomationOptions>>): AutomationOptions {
  return migrateOptions(panel.options);
}
