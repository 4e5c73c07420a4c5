import { VARIABLE_KINDS, type VariableKind, type VariableQuery } from '../types';

export type VariableFilter = Exclude<keyof VariableQuery, 'kind'>;

/** Filters in the order the editor shows them. */
const ALL_FILTERS: readonly VariableFilter[] = ['site', 'hall', 'row', 'rack', 'quantity', 'domain', 'tags'];

/**
 * The filters that narrow each kind, as `metricFindQuery` applies them (`data/variables.ts`): a topology level by
 * itself and the levels above it (assets by the rack), quantities and points by everything.
 */
const FILTERS_OF: Record<VariableKind, readonly VariableFilter[]> = {
  sites: ['site'],
  halls: ['site', 'hall'],
  rows: ['site', 'hall', 'row'],
  racks: ['site', 'hall', 'row', 'rack'],
  assets: ['site', 'hall', 'row', 'rack'],
  quantities: ALL_FILTERS,
  points: ALL_FILTERS,
};

export const filtersOf = (kind: VariableKind): readonly VariableFilter[] => FILTERS_OF[kind];

/** A saved variable query as the editor edits it: an unknown or legacy (string) query starts as `halls`. */
export function editableVariableQuery(query: unknown): VariableQuery {
  const kind = (query as Partial<VariableQuery> | undefined)?.kind;
  return VARIABLE_KINDS.some((k) => k.value === kind) ? (query as VariableQuery) : { kind: 'halls' };
}

/** The query switched to another kind, dropping the filters that kind does not take. */
export function withKind(query: VariableQuery, kind: VariableKind): VariableQuery {
  const next: VariableQuery = { kind };
  for (const f of filtersOf(kind)) {
    if (query[f] !== undefined) {
      next[f] = query[f];
    }
  }
  return next;
}

/** The query with one filter set; blank text unsets it. */
export function withFilter(query: VariableQuery, filter: VariableFilter, text: string): VariableQuery {
  const next = { ...query };
  if (text.trim()) {
    next[filter] = text.trim();
  } else {
    delete next[filter];
  }
  return next;
}
