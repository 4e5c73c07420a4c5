import { migrateQuery } from './migrations';
import { DEFAULT_QUERY, QUERY_SCHEMA_VERSION, QUERY_TYPES, type PlenumQuery, type QueryType } from '../types';

/**
 * A query switched to another type: that type's default, keeping what belongs to the panel rather than to the
 * query (refId, hide, the data source reference in mixed panels).
 */
export function queryOfType(query: PlenumQuery, type: QueryType): PlenumQuery {
  const row = QUERY_TYPES.find((t) => t.value === type) ?? QUERY_TYPES[0];
  const { refId, hide, datasource } = query;
  return {
    ...row.defaultQuery,
    refId,
    ...(hide === undefined ? {} : { hide }),
    ...(datasource === undefined ? {} : { datasource }),
    schemaVersion: QUERY_SCHEMA_VERSION,
  } as PlenumQuery;
}

/**
 * What the editor shows: the saved query migrated to the current model (`migrateQuery`); one of an unknown type
 * (saved by a newer plugin) shows as the default query until the user edits it.
 */
export function editableQuery(query: PlenumQuery): PlenumQuery {
  const migrated = migrateQuery(query);
  if (QUERY_TYPES.some((t) => t.value === migrated.queryType)) {
    return migrated;
  }
  return { ...migrated, ...DEFAULT_QUERY };
}

/** A list as saved: unset when empty, so the saved query stays small and "unset" keeps meaning "all". */
export const listValue = <T extends string>(values: T[]): T[] | undefined => (values.length ? values : undefined);

/** the backend's limit for events and catalog rows */
export const MAX_LIMIT = 10000;

/** A typed row limit: unset (the backend's default, 1000) when blank, else a whole number 1…MAX_LIMIT. */
export function parseLimit(text: string): { limit?: number; error?: string } {
  const trimmed = text.trim();
  if (!trimmed) {
    return {};
  }
  const limit = Number(trimmed);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return { error: `Limit must be a whole number from 1 to ${MAX_LIMIT}` };
  }
  return { limit };
}

/** What a number field accepts: bounds (inclusive) in the unit shown, whole numbers only or not. */
export interface NumberRule {
  /** named in the error, e.g. "Horizon" */
  label: string;
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A typed number: unset when blank, else a number within the rule, or the reason it is not. */
export function parseNumber(text: string, rule: NumberRule): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (!trimmed) {
    return {};
  }
  const value = Number(trimmed);
  const { label, min, max, integer } = rule;
  const bounds =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : '';
  if (
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    (min !== undefined && value < min) ||
    (max !== undefined && value > max)
  ) {
    return { error: `${label} must be a ${integer ? 'whole number' : 'number'}${bounds}` };
  }
  return { value };
}

/** ms per minute: the editor shows forecast horizon and window in minutes, the query keeps ms */
export const MINUTE_MS = 60_000;
