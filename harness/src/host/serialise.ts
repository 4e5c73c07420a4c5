import { toDataFrame, type DataQueryError, type DataQueryResponse } from '@grafana/data';
import type { HarnessFrame, HarnessQueryError, HarnessQueryResponse } from './api';

/**
 * A copy fit for `page.evaluate` results: functions dropped, typed arrays and other iterables of values as arrays,
 * cycles cut. Numbers stay as they are (playwright carries NaN and ±Infinity).
 */
export function jsonSafe(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return undefined;
  seen.add(value);
  try {
    if (Array.isArray(value) || ArrayBuffer.isView(value)) {
      return Array.from(value as ArrayLike<unknown>, (v) => jsonSafe(v, seen));
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const safe = jsonSafe(v, seen);
      if (safe !== undefined) out[k] = safe;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A frame (any shape a datasource may answer) read through `toDataFrame`, as Grafana's query runner reads it. */
export function serialiseFrame(input: unknown): HarnessFrame {
  const frame = toDataFrame(input);
  return {
    name: frame.name,
    refId: frame.refId,
    meta: jsonSafe(frame.meta) as HarnessFrame['meta'],
    length: frame.length,
    fields: frame.fields.map((field) => ({
      name: field.name,
      type: field.type,
      config: (jsonSafe(field.config) ?? {}) as Record<string, unknown>,
      labels: field.labels ? { ...field.labels } : undefined,
      values: Array.from(field.values as ArrayLike<unknown>, (v) => jsonSafe(v)),
    })),
  };
}

export function serialiseError(error: DataQueryError): HarnessQueryError {
  return jsonSafe({
    message: error.message,
    refId: error.refId,
    status: error.status,
    statusText: error.statusText,
    data: error.data,
  }) as HarnessQueryError;
}

/** A response with its state settled as Grafana settles it: given state or Done, but Error whenever errors came. */
export function serialiseResponse(response: DataQueryResponse): HarnessQueryResponse {
  // datasources often set `error` to `errors[0]`: read `errors`, and `error` only when there is no list
  const errors = response.errors?.length ? response.errors : response.error ? [response.error] : [];
  const state = errors.length > 0 ? 'Error' : (response.state ?? 'Done');
  return {
    state,
    errors: errors.map(serialiseError),
    ...(response.key === undefined ? {} : { key: response.key }),
    data: (response.data ?? []).map(serialiseFrame),
  };
}
