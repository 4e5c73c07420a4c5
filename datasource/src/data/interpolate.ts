import type { AdHocVariableFilter, ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import type { PlenumQuery, PointSelector } from '../types';

/**
 * Template variables in queries. Lists (hall, rack, quantity, …) expand: a multi-value variable or `$__all`
 * becomes several entries, because the backend takes alternatives as list entries, not as `{a,b}` strings.
 */

/** Joins the values of a multi-value variable so that `expandList` can split them again; never in an id. */
const SEP = '\u001f';

type Replace = TemplateSrv['replace'];

/** One list entry → the entries it stands for after interpolation (empty entries dropped, order kept). */
export function expandList(list: readonly string[] | undefined, replace: Replace, scopedVars?: ScopedVars) {
  if (!list) {
    return undefined;
  }
  const out: string[] = [];
  for (const item of list) {
    const replaced = replace(item, scopedVars, (value: string | string[]) =>
      Array.isArray(value) ? value.join(SEP) : value
    );
    for (const v of replaced.split(SEP)) {
      if (v !== '' && !out.includes(v)) {
        out.push(v);
      }
    }
  }
  return out;
}

const SELECTOR_LISTS = ['ids', 'hall', 'row', 'rack', 'asset', 'quantity', 'domain', 'kind', 'tags'] as const;

export function interpolateSelector(sel: PointSelector, replace: Replace, scopedVars?: ScopedVars): PointSelector {
  const out: PointSelector = {};
  for (const k of SELECTOR_LISTS) {
    const v = expandList(sel[k], replace, scopedVars);
    if (v !== undefined) {
      out[k] = v;
    }
  }
  if (sel.text !== undefined) {
    out.text = replace(sel.text, scopedVars);
  }
  return out;
}

/** Ad-hoc filter keys that narrow a selector. */
export const AD_HOC_KEYS = ['hall', 'row', 'rack', 'asset', 'quantity', 'domain', 'kind', 'tags'] as const;

export type AdHocKey = (typeof AD_HOC_KEYS)[number];

/**
 * Narrows a selector by the dashboard's ad-hoc filters: `key = value` (and `=|` one-of) intersect with what the
 * query already selects. Other operators cannot be expressed by a selector, so they are returned as errors for
 * the caller to show on the query's refId rather than silently ignored.
 */
export function applyAdHocFilters(
  sel: PointSelector,
  filters: readonly AdHocVariableFilter[] | undefined
): { selector: PointSelector; errors: string[] } {
  const selector: PointSelector = { ...sel };
  const errors: string[] = [];
  for (const f of filters ?? []) {
    if (!(AD_HOC_KEYS as readonly string[]).includes(f.key)) {
      errors.push(`ad-hoc filter "${f.key}": not a point field; use one of ${AD_HOC_KEYS.join(', ')}`);
      continue;
    }
    if (f.operator !== '=' && f.operator !== '=|') {
      errors.push(`ad-hoc filter "${f.key} ${f.operator} ${f.value}": only = and =| (one of) are supported`);
      continue;
    }
    const key = f.key as AdHocKey;
    const wanted = f.operator === '=|' && f.values?.length ? f.values : [f.value];
    const had = selector[key];
    if (key === 'tags') {
      // tags already mean "all of these": a tag filter adds to them
      selector.tags = [...new Set([...(had ?? []), ...wanted])];
    } else {
      selector[key] = had && had.length ? had.filter((v) => wanted.includes(v)) : [...wanted];
      // an empty intersection must select nothing, not everything
      if (selector[key]!.length === 0) {
        selector[key] = [`(none: ${f.key} = ${wanted.join('|')} not in query)`];
      }
    }
  }
  return { selector, errors };
}

/** A query with every variable replaced (lists expanded, alias and text interpolated). */
export function interpolateQuery(q: PlenumQuery, replace: Replace, scopedVars?: ScopedVars): PlenumQuery {
  switch (q.queryType) {
    case 'timeseries':
    case 'latest':
      return {
        ...q,
        selector: interpolateSelector(q.selector, replace, scopedVars),
        ...(q.alias !== undefined && { alias: replace(q.alias, scopedVars) }),
      };
    case 'forecast':
      return {
        ...q,
        selector: interpolateSelector(q.selector, replace, scopedVars),
        ...(q.alias !== undefined && { alias: replace(q.alias, scopedVars) }),
      };
    case 'catalog':
      return { ...q, selector: interpolateSelector(q.selector, replace, scopedVars) };
    case 'rackLayout':
      return {
        ...q,
        hall: expandList(q.hall, replace, scopedVars),
        ...(q.selector && { selector: interpolateSelector(q.selector, replace, scopedVars) }),
      };
    case 'events':
      return {
        ...q,
        hall: expandList(q.hall, replace, scopedVars),
        rack: expandList(q.rack, replace, scopedVars),
        tags: expandList(q.tags, replace, scopedVars),
        ...(q.text !== undefined && { text: replace(q.text, scopedVars) }),
      };
    default:
      return q;
  }
}
