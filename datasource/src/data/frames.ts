import {
  dataFrameFromJSON,
  LoadingState,
  type DataFrame,
  type DataFrameJSON as GrafanaFrameJSON,
  type DataQueryError,
  type DataQueryResponse,
} from '@grafana/data';
import type { DataFrameJSON, QueryResponse } from '@plenum/model';

/** How Grafana should show a frame of each query type when the user has not chosen a panel. */
const PREFERRED: Record<string, 'table' | undefined> = { events: 'table', catalog: 'table', rackLayout: 'table' };

export function toDataFrame(json: DataFrameJSON, queryType?: string): DataFrame {
  const frame = dataFrameFromJSON(json as GrafanaFrameJSON);
  const preferred = queryType ? PREFERRED[queryType] : undefined;
  if (preferred) {
    frame.meta = { ...frame.meta, preferredVisualisationType: preferred };
  }
  return frame;
}

/**
 * The backend's per-refId results as Grafana's response: frames in request order, and one error per failed
 * refId (Grafana shows it on the panel that owns the refId, so a bad query never leaves a blank panel).
 */
export function toDataQueryResponse(
  res: QueryResponse,
  queries: ReadonlyArray<{ refId: string; queryType?: string }>,
  extraErrors: DataQueryError[] = [],
  state?: LoadingState
): DataQueryResponse {
  const data: DataFrame[] = [];
  const errors: DataQueryError[] = [...extraErrors];
  for (const q of queries) {
    const r = res.results[q.refId];
    if (!r) {
      continue;
    }
    if (r.error) {
      errors.push({ refId: q.refId, message: r.error, status: r.status });
    }
    for (const f of r.frames) {
      data.push(toDataFrame(f, q.queryType));
    }
  }
  return {
    data,
    ...(errors.length && { errors }),
    state: state ?? (errors.length ? LoadingState.Error : LoadingState.Done),
  };
}

/** The same error on every refId, for failures of the whole request (unreachable backend, bad token). */
export function errorResponse(queries: ReadonlyArray<{ refId: string }>, message: string): DataQueryResponse {
  const errors = queries.map((q) => ({ refId: q.refId, message }));
  return { data: [], errors, state: LoadingState.Error };
}
