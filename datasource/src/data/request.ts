import type { DataQueryRequest } from '@grafana/data';
import type { PlenumQuery as WireQuery, QueryRequest } from '@plenum/model';
import type { PlenumQuery } from '../types';

/** Strips what only the plugin knows (`live`, `schemaVersion`): the backend refuses unknown fields by name. */
export function toWireQuery(q: PlenumQuery): WireQuery {
  const { live: _live, schemaVersion: _v, ...rest } = q as PlenumQuery & { live?: boolean };
  return rest as unknown as WireQuery;
}

/** `POST /api/query` body for Grafana's request and the (interpolated) queries. */
export function toQueryRequest(
  request: Pick<DataQueryRequest, 'range' | 'maxDataPoints' | 'intervalMs'>,
  queries: readonly PlenumQuery[]
): QueryRequest {
  return {
    range: { from: request.range.from.valueOf(), to: request.range.to.valueOf() },
    ...(request.maxDataPoints !== undefined && { maxDataPoints: Math.round(request.maxDataPoints) }),
    ...(request.intervalMs !== undefined && { intervalMs: Math.round(request.intervalMs) }),
    queries: queries.map(toWireQuery),
  };
}
