import {
  LoadingState,
  type DataFrame,
  type DataQuery,
  type DataQueryError,
  type DataQueryResponse,
  type DataSourceRef,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { toDataQueryError } from '@grafana/runtime';
import { catchError, combineLatest, from, map, of, scan, switchMap, type Observable } from 'rxjs';
import type { HarnessTimeRange } from '../api';
import type { HarnessDataSourceSrv } from '../datasource-srv';
import { buildQueryRequest, queryResponses } from '../query-runner';
import type { HarnessTemplateSrv } from '../template-srv';
import type { PanelJson } from './model';

/** Grafana's "-- Mixed --" data source: each target names its own. */
const MIXED_UID = '-- Mixed --';

/** What a panel's targets answered so far: the frames of every response key, merged, and any errors. */
export interface PanelQueryResult {
  state: LoadingState;
  /** the range the request asked for (the panel's `data.timeRange`); none when nothing was asked */
  timeRange?: TimeRange;
  series: DataFrame[];
  errors: DataQueryError[];
}

export interface PanelQueryContext {
  datasourceSrv: HarnessDataSourceSrv;
  templateSrv: HarnessTemplateSrv;
  range: HarnessTimeRange;
  timezone: string;
  /** the panel's width in px: `maxDataPoints` unless the panel sets its own */
  width: number;
  scopedVars: ScopedVars;
  /** the request's `app`. @default CoreApp.Dashboard */
  app?: string;
}

/**
 * A panel's targets run as Grafana's PanelQueryRunner runs them: one request per data source (the panel's, or each
 * target's under "-- Mixed --"), `maxDataPoints` = the panel's width, `$__interval` from the range with the panel's
 * "Min interval"; responses merged by `key` as `runRequest` does, so a streaming target's emissions replace its
 * previous frames. A data source that fails to load or throws becomes an error result.
 */
export function runPanelQuery(panel: PanelJson, ctx: PanelQueryContext): Observable<PanelQueryResult> {
  const targets = (panel.targets ?? []) as DataQuery[];
  const groups = new Map<string, { ref: DataSourceRef | string | null | undefined; targets: DataQuery[] }>();
  const panelRef = panel.datasource as DataSourceRef | string | null | undefined;
  const isMixed = typeof panelRef === 'object' && panelRef?.uid === MIXED_UID;
  for (const target of targets) {
    const ref = isMixed ? target.datasource : (panelRef ?? target.datasource);
    const key = JSON.stringify(ref ?? null);
    const group = groups.get(key) ?? { ref, targets: [] };
    group.targets.push(isMixed || !panelRef ? target : { ...target, datasource: undefined });
    groups.set(key, group);
  }
  const minInterval = panel.interval ? ctx.templateSrv.replace(panel.interval, ctx.scopedVars as never) : undefined;
  const streams = [...groups.values()].map(({ ref, targets: groupTargets }) =>
    from(ctx.datasourceSrv.get(ref, ctx.scopedVars)).pipe(
      switchMap((ds) => {
        const request = buildQueryRequest(
          ds,
          groupTargets,
          {
            range: ctx.range,
            timezone: ctx.timezone,
            maxDataPoints: panel.maxDataPoints ?? Math.max(1, Math.round(ctx.width)),
            minInterval,
            scopedVars: ctx.scopedVars as never,
          },
          ctx.app,
        );
        return queryResponses(ds, request).pipe(
          mergeByKey(),
          map((result) => ({ ...result, timeRange: request.range })),
        );
      }),
      catchError((err: unknown) => of(errorResult(err))),
    ),
  );
  if (streams.length === 0) return of({ state: LoadingState.Done, series: [], errors: [] });
  return combineLatest(streams).pipe(
    map((results) => ({
      timeRange: results[0]?.timeRange,
      state: combinedState(results.map((r) => r.state)),
      series: results.flatMap((r) => r.series),
      errors: results.flatMap((r) => r.errors),
    })),
  );
}

/** `runRequest`'s packets: the latest response per `key` (default `A`), concatenated; Loading until one is not. */
function mergeByKey() {
  return (responses: Observable<DataQueryResponse>) =>
    responses.pipe(
      scan(
        (packets, response) => new Map(packets).set(response.key ?? 'A', response),
        new Map<string, DataQueryResponse>(),
      ),
      map((packets): PanelQueryResult => {
        const all = [...packets.values()];
        const errors = all.flatMap((r) => (r.errors?.length ? r.errors : r.error ? [r.error] : []));
        return {
          state: errors.length ? LoadingState.Error : combinedState(all.map((r) => r.state ?? LoadingState.Done)),
          series: all.flatMap((r) => (r.data ?? []) as DataFrame[]),
          errors,
        };
      }),
    );
}

function combinedState(states: LoadingState[]): LoadingState {
  for (const s of [LoadingState.Error, LoadingState.Loading, LoadingState.Streaming]) {
    if (states.includes(s)) return s;
  }
  return LoadingState.Done;
}

function errorResult(err: unknown): PanelQueryResult {
  return { state: LoadingState.Error, series: [], errors: [toDataQueryError(err as Error)] };
}

/** The text a panel's error indicator shows: each error's message (or status), as Grafana's panel header does. */
export function errorText(errors: DataQueryError[]): string {
  return errors
    .map((e) => e.message ?? (e.status ? `${e.status} ${e.statusText ?? ''}`.trim() : 'Query error'))
    .join('\n');
}

/** Grafana shows "No data" when no frame has a row. */
export function hasData(series: DataFrame[]): boolean {
  return series.some((frame) => frame.length > 0);
}
