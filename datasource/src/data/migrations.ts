import { DEFAULT_QUERY, QUERY_SCHEMA_VERSION, QUERY_TYPES, type PlenumQuery, type PointSelector } from '../types';

/**
 * Brings any saved query to the current model. Saved shapes seen in the wild:
 * - `{refId}` or `{refId, datasource}` only: a query Grafana created before this plugin chose one → DEFAULT_QUERY;
 * - no `queryType` but a `selector` (hand-written dashboard JSON, API-created panels) → a timeseries query;
 * - lists written as one string (`"rack": "$rack"`, `"types": "job"`) → one-element lists;
 * - no `schemaVersion` → the current one.
 * Unknown query types are kept as they are, so the backend names them on their refId instead of the plugin
 * silently turning them into something else. Never throws.
 */
export function migrateQuery(raw: Partial<PlenumQuery> & { refId: string }): PlenumQuery {
  const q = { ...raw } as Record<string, unknown> & { refId: string };
  if (q.schemaVersion === QUERY_SCHEMA_VERSION && typeof q.queryType === 'string') {
    return raw as PlenumQuery;
  }
  if (q.queryType === undefined || q.queryType === '') {
    if (q.selector === undefined) {
      const { refId, datasource, hide, key } = q;
      return { ...DEFAULT_QUERY, refId, ...(datasource !== undefined && { datasource }), ...keep({ hide, key }) };
    }
    q.queryType = 'timeseries';
  }
  if (q.selector !== undefined) {
    q.selector = listsIn(q.selector as Record<string, unknown>, SELECTOR_LISTS);
  }
  Object.assign(q, listsIn(q, TOP_LEVEL_LISTS));
  if (QUERY_TYPES.some((t) => t.value === q.queryType) && 'selector' in defaultsOf(q.queryType) && !q.selector) {
    q.selector = {};
  }
  q.schemaVersion = QUERY_SCHEMA_VERSION;
  return q as unknown as PlenumQuery;
}

const SELECTOR_LISTS: ReadonlyArray<keyof PointSelector> = [
  'ids',
  'hall',
  'row',
  'rack',
  'asset',
  'quantity',
  'domain',
  'kind',
  'tags',
];
const TOP_LEVEL_LISTS = ['hall', 'rack', 'tags', 'types', 'severity'] as const;

function listsIn<T extends Record<string, unknown>>(obj: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = { ...obj };
  for (const k of keys) {
    const v = out[k];
    if (typeof v === 'string') {
      out[k] = v === '' ? [] : v.split(',').map((s) => s.trim());
    }
  }
  return out as T;
}

function defaultsOf(queryType: unknown) {
  return QUERY_TYPES.find((t) => t.value === queryType)?.defaultQuery ?? {};
}

function keep(o: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
