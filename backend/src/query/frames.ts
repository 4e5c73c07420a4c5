import type { DataFrameJSON, FieldSchema, FrameMeta, Point } from '@plenum/model';

/** A frame from columns; every column must be as long as the first. */
export function frame(
  name: string | undefined,
  refId: string,
  fields: FieldSchema[],
  values: unknown[][],
  meta?: FrameMeta,
): DataFrameJSON {
  return { schema: { ...(name !== undefined && { name }), refId, ...(meta && { meta }), fields }, data: { values } };
}

/** Grafana field config for a point's canonical unit (and limits, when the point has them). */
export function unitConfig(p: Pick<Point, 'grafanaUnit' | 'min' | 'max'>): FieldSchema['config'] {
  return {
    unit: p.grafanaUnit,
    ...(p.min !== undefined && { min: p.min }),
    ...(p.max !== undefined && { max: p.max }),
  };
}

/** Renders `{{key}}` placeholders; unknown keys render empty so a typo is visible but harmless. */
export function renderAlias(template: string, vars: Record<string, string | undefined>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, key: string) => vars[key] ?? '');
}
