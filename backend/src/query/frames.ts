import type { Aggregate, DataFrameJSON, FieldSchema, FrameMeta, Point } from '@plenum/model';

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

/**
 * Grafana field config for a value combined across a group's points by `agg`: the unit, and only limits that bound
 * the combined value. Grafana's time series takes `min`/`max` as its axis's hard range (and gauges as their scale),
 * so a member's limits on a sum clip it: 40 PDUs of 0–130 kW summed to 2.7 MW drew off a 0–130 kW axis. A sum of
 * any of the points lies within the sums of their limits taken towards zero (0–5200 kW there); every other
 * aggregate (avg, min, max, last, p95) stays within the members' envelope. A limit is kept only when every member
 * has it; one point keeps its own.
 */
export function groupUnitConfig(points: readonly Point[], agg: Aggregate): FieldSchema['config'] {
  const first = points[0]!;
  if (points.length === 1) return unitConfig(first);
  const limit = (key: 'min' | 'max'): number | undefined => {
    let out: number | undefined;
    for (const p of points) {
      const v = p[key];
      if (v === undefined) return undefined;
      if (agg === 'sum') out = (out ?? 0) + (key === 'min' ? Math.min(v, 0) : Math.max(v, 0));
      else out = out === undefined ? v : key === 'min' ? Math.min(out, v) : Math.max(out, v);
    }
    return out;
  };
  return unitConfig({ grafanaUnit: first.grafanaUnit, min: limit('min'), max: limit('max') });
}

/**
 * Field config for one field holding several groups' combined values (a row per group): each group's limits
 * ({@link groupUnitConfig}), widened to cover them all.
 */
export function groupsUnitConfig(groups: ReadonlyArray<readonly Point[]>, agg: Aggregate): FieldSchema['config'] {
  const configs = groups.map((g) => groupUnitConfig(g, agg)!);
  const limit = (key: 'min' | 'max'): number | undefined => {
    const values = configs.map((c) => c[key]);
    if (values.some((v) => v === undefined)) return undefined;
    return key === 'min' ? Math.min(...(values as number[])) : Math.max(...(values as number[]));
  };
  return unitConfig({ grafanaUnit: groups[0]![0]!.grafanaUnit, min: limit('min'), max: limit('max') });
}

/** Renders `{{key}}` placeholders; unknown keys render empty so a typo is visible but harmless. */
export function renderAlias(template: string, vars: Record<string, string | undefined>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, key: string) => vars[key] ?? '');
}
