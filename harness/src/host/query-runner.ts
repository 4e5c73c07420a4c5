import {
  CoreApp,
  LoadingState,
  rangeUtil,
  type DataQuery,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { toDataQueryError } from '@grafana/runtime';
import { catchError, defer, from, isObservable, Observable, of } from 'rxjs';
import type { HarnessQueryOptions, HarnessTimeRange } from './api';

/** A new dashboard's default, and the default of `runQuery`. */
export const DEFAULT_QUERY_RANGE: HarnessTimeRange = { from: 'now-1h', to: 'now' };

let requestCounter = 100;

/** A time picker range (`now-1h` … `now`, or absolute) as a `TimeRange` of dates, as Grafana's time service gives. */
export function toTimeRange(raw: HarnessTimeRange, timezone = 'browser'): TimeRange {
  return rangeUtil.convertRawToRange(raw, timezone);
}

/**
 * A `DataQueryRequest` as Grafana's PanelQueryRunner builds it: request id `Q<n>`, the interval from the range,
 * `maxDataPoints` (default 1000) and the minimum interval (the panel's, else the datasource's),
 * `__interval`/`__interval_ms` added to the scoped variables, each target given the datasource's ref when it has none.
 */
export function buildQueryRequest(
  ds: DataSourceApi,
  targets: DataQuery[],
  options: HarnessQueryOptions = {},
  app: string = CoreApp.Dashboard,
): DataQueryRequest {
  const timezone = options.timezone ?? 'browser';
  const raw = options.range ?? DEFAULT_QUERY_RANGE;
  const range = toTimeRange(raw, timezone);
  const maxDataPoints = options.maxDataPoints ?? 1000;
  const norm = rangeUtil.calculateInterval(range, maxDataPoints, options.minInterval ?? ds.interval ?? undefined);
  const scopedVars: ScopedVars = {
    ...(options.scopedVars as ScopedVars | undefined),
    __interval: { text: norm.interval, value: norm.interval },
    __interval_ms: { text: norm.intervalMs.toString(), value: norm.intervalMs },
  };
  return {
    app,
    requestId: `Q${requestCounter++}`,
    timezone,
    range,
    rangeRaw: range.raw,
    interval: norm.interval,
    intervalMs: norm.intervalMs,
    maxDataPoints,
    scopedVars,
    targets: targets.map((t) => ({ ...structuredClone(t), datasource: t.datasource ?? ds.getRef() })),
    startTime: Date.now(),
  };
}

/**
 * `ds.query(request)` as one Observable whatever the datasource returns (Promise or Observable); a thrown or
 * emitted error becomes an Error response, as Grafana's `runRequest` turns it into one.
 */
export function queryResponses(ds: DataSourceApi, request: DataQueryRequest): Observable<DataQueryResponse> {
  return defer(() => {
    const result = ds.query(request);
    return isObservable(result) ? result : from(result);
  }).pipe(
    catchError((err: unknown) => {
      const error = toDataQueryError(err as Error);
      return of<DataQueryResponse>({ data: [], state: LoadingState.Error, error, errors: [error] });
    }),
  );
}

/**
 * The first `count` responses (or, without `count`, the first one that is not Loading), then unsubscribes; rejects
 * after `timeoutMs` with how many arrived.
 */
export function collectResponses(
  responses: Observable<DataQueryResponse>,
  count: number | undefined,
  timeoutMs: number,
): Promise<DataQueryResponse[]> {
  return new Promise((resolve, reject) => {
    const got: DataQueryResponse[] = [];
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // unsubscribing later: `finish` may run inside `subscribe()`, before `subscription` is assigned
      queueMicrotask(() => subscription.unsubscribe());
      if (err) reject(err);
      else resolve(got);
    };
    const timer = setTimeout(
      () => finish(new Error(`query: ${got.length} of ${count ?? 1} responses within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const subscription = responses.subscribe({
      next: (response) => {
        if (count === undefined) {
          if (response.state === LoadingState.Loading) return;
          got.push(response);
          return finish();
        }
        got.push(response);
        if (got.length >= count) finish();
      },
      error: (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
      complete: () => {
        if (got.length >= (count ?? 1)) return finish();
        finish(new Error(`query completed after ${got.length} of ${count ?? 1} responses that are not Loading`));
      },
    });
  });
}
