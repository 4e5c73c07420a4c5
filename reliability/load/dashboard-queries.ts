import fs from 'node:fs';
import path from 'node:path';
import type { QueryRequest, StreamRequest } from '@plenum/model';
import { interpolateQuery } from '../../datasource/src/data/interpolate';
import { migrateQuery } from '../../datasource/src/data/migrations';
import { toQueryRequest, toWireQuery } from '../../datasource/src/data/request';
import { isLive, type PlenumQuery } from '../../datasource/src/types';

const ROOT = path.resolve(__dirname, '../..');

/** What one panel of a provisioned dashboard sends on each refresh, as the Plenum data source builds it. */
export interface PanelRequests {
  title: string;
  /** `POST /api/query`: every visible target of the panel in one request */
  query: QueryRequest;
  /** `POST /api/stream` without `after`: the live targets, long-polled after the first answer; absent if none */
  stream?: StreamRequest;
}

interface PanelJson {
  type: string;
  title?: string;
  gridPos?: { w: number; h: number };
  targets?: Array<PlenumQuery>;
  panels?: PanelJson[];
  maxDataPoints?: number;
}

/** Grafana's replace for plain `$var`, `${var}` and `[[var]]` references, with the format function it is given. */
function replacer(vars: Record<string, string | string[]>) {
  return (target?: string, _scoped?: unknown, format?: unknown): string =>
    (target ?? '').replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (m, a?: string, b?: string, c?: string) => {
      const v = vars[(a ?? b ?? c)!];
      if (v === undefined) return m;
      if (typeof format === 'function') return (format as (v: string | string[]) => string)(v);
      return Array.isArray(v) ? v.join(',') : v;
    });
}

/**
 * The requests Grafana's Plenum data source sends for each panel of `dashboards/<name>.json` (one refresh of the
 * dashboard), built with the data source's own code: `migrateQuery` → `interpolateQuery` (template variables
 * as picked in `vars`) → `toQueryRequest` / `toWireQuery`. `maxDataPoints` is the panel's width in pixels on a
 * `wallPx` wide screen (what Grafana sends when the panel does not set it), `intervalMs` the range over it.
 * Panels without targets (the automation panel, which calls its own routes) are left out.
 */
export function dashboardRequests(
  name: string,
  vars: Record<string, string | string[]>,
  range: { from: number; to: number },
  wallPx = 1920,
): PanelRequests[] {
  const d = JSON.parse(fs.readFileSync(path.join(ROOT, 'dashboards', `${name}.json`), 'utf8')) as {
    panels: PanelJson[];
  };
  const flat = d.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
  const replace = replacer(vars) as never;
  const out: PanelRequests[] = [];
  for (const p of flat) {
    const targets = (p.targets ?? []).filter((t) => !t.hide);
    if (!targets.length) continue;
    const queries = targets.map((t) => interpolateQuery(migrateQuery(t), replace, {}));
    const maxDataPoints = p.maxDataPoints ?? Math.round(((p.gridPos?.w ?? 24) / 24) * wallPx);
    const intervalMs = Math.max(1, Math.round((range.to - range.from) / maxDataPoints));
    const query = toQueryRequest(
      { range: { from: range.from, to: range.to } as never, maxDataPoints, intervalMs },
      queries,
    );
    // the data source sends the datasource ref along; the backend ignores it
    const live = queries.filter(isLive);
    out.push({
      title: p.title ?? p.type,
      query,
      ...(live.length && { stream: { queries: live.map(toWireQuery) as never, maxDataPoints, intervalMs } }),
    });
  }
  return out;
}
