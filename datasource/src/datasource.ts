import { concat, defer, EMPTY, Observable, of, timer } from 'rxjs';
import { catchError, expand, map, mergeMap } from 'rxjs/operators';
import {
  CoreApp,
  DataSourceApi,
  LoadingState,
  type AnnotationSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { DOMAINS, POINT_KINDS, QUANTITIES, type QueryResponse, type StreamResponse } from '@plenum/model';
import { PlenumApi, PlenumApiError } from './data/api';
import { errorResponse, toDataQueryResponse } from './data/frames';
import { judgeHealth } from './data/health';
import { AD_HOC_KEYS, applyAdHocFilters, expandList, interpolateQuery, interpolateSelector } from './data/interpolate';
import { LiveBuffer } from './data/live-buffer';
import { migrateQuery } from './data/migrations';
import { toQueryRequest, toWireQuery } from './data/request';
import { catalogValues, topologyValues, type VariableFilters } from './data/variables';
import { PlenumVariableSupport } from './variable-support';
import {
  DEFAULT_ANNOTATION_QUERY,
  DEFAULT_QUERY,
  isLive,
  type PlenumOptions,
  type PlenumQuery,
  type PointSelector,
  type VariableQuery,
} from './types';

/** Pause before the next long poll after a failed one (backend restarting, network blip), ms. */
const STREAM_RETRY_MS = 2000;

/**
 * Plenum's data source: every call goes through Grafana's data source proxy (`plugin.json` routes), which adds
 * the backend URL and the API token server side. Queries are interpolated here, sent in one `POST /api/query`,
 * and answered per refId; `live` queries then keep updating from `POST /api/stream` long polls.
 */
export class DataSource extends DataSourceApi<PlenumQuery, PlenumOptions> {
  readonly api: PlenumApi;
  /**
   * Set once `/api/stream` answered 404 (a hub: no streaming); live queries are then answered as plain queries, so
   * each refresh does not probe again. Until the page reloads.
   */
  private noStream = false;

  constructor(
    readonly instanceSettings: DataSourceInstanceSettings<PlenumOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.api = new PlenumApi(instanceSettings.url ?? '', instanceSettings.jsonData.url);
    this.variables = new PlenumVariableSupport(this);
  }

  /** Event queries as annotations; Grafana maps the frame's time, timeEnd, title, text and tags fields. */
  annotations: AnnotationSupport<PlenumQuery> = {
    prepareAnnotation: (json) => {
      const target = json.target as PlenumQuery | undefined;
      return {
        ...json,
        target: target ? migrateQuery(target) : { refId: 'Anno', ...DEFAULT_ANNOTATION_QUERY },
      };
    },
  };

  getDefaultQuery(_app: CoreApp): Partial<PlenumQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(q: PlenumQuery): boolean {
    return !q.hide;
  }

  interpolateSelector(selector: PointSelector, scopedVars?: ScopedVars): PointSelector {
    return interpolateSelector(selector, this.replace, scopedVars);
  }

  interpolateVariablesInQueries(queries: PlenumQuery[], scopedVars: ScopedVars): PlenumQuery[] {
    return queries.map((q) => interpolateQuery(migrateQuery(q), this.replace, scopedVars));
  }

  private readonly replace: TemplateSrv['replace'] = (target, scopedVars, format) =>
    this.templateSrv.replace(target, scopedVars, format);

  query(request: DataQueryRequest<PlenumQuery>): Observable<DataQueryResponse> {
    const adHocErrors: Array<{ refId: string; message: string }> = [];
    const queries = request.targets
      .filter((t) => !t.hide)
      .map((t) => {
        const q = interpolateQuery(migrateQuery(t), this.replace, request.scopedVars);
        if (!('selector' in q) || !q.selector || !request.filters?.length) {
          return q;
        }
        const { selector, errors } = applyAdHocFilters(q.selector, request.filters);
        adHocErrors.push(...errors.map((message) => ({ refId: q.refId, message })));
        return { ...q, selector };
      });
    if (queries.length === 0) {
      return of({ data: [], state: LoadingState.Done });
    }

    const history$ = defer(() => this.api.query(toQueryRequest(request, queries))).pipe(
      map((res) => ({ res, response: toDataQueryResponse(res, queries, adHocErrors) }))
    );
    const live = this.noStream ? [] : queries.filter(isLive);
    if (live.length === 0) {
      return history$.pipe(
        map((x) => x.response),
        catchError((err) => of(errorResponse(queries, messageOf(err))))
      );
    }
    return history$.pipe(
      mergeMap(({ res, response }) => this.live(request, queries, res, response)),
      catchError((err) => of(errorResponse(queries, messageOf(err))))
    );
  }

  /**
   * The history answer, then one emission per `/api/stream` answer, until Grafana unsubscribes (which also
   * cancels the poll in flight). A failed poll shows its error on the live refIds and retries; it never ends the
   * stream, so a NOC wall recovers by itself when the backend comes back. A backend without `/api/stream` (404: a
   * hub) ends it instead, without an error: the history answer stays, and the dashboard's refresh keeps it current.
   */
  private live(
    request: DataQueryRequest<PlenumQuery>,
    queries: PlenumQuery[],
    history: QueryResponse,
    first: DataQueryResponse
  ): Observable<DataQueryResponse> {
    const key = `plenum-live-${request.requestId}`;
    const refIds = queries.map((q) => q.refId);
    const liveQueries = queries.filter(isLive);
    const windowMs = request.range.to.valueOf() - request.range.from.valueOf();
    const buffer = new LiveBuffer(windowMs);
    for (const q of queries) {
      buffer.replace(q.refId, history.results[q.refId]?.frames ?? []);
    }
    const body = {
      queries: liveQueries.map(toWireQuery),
      ...(request.maxDataPoints !== undefined && { maxDataPoints: Math.round(request.maxDataPoints) }),
      ...(request.intervalMs !== undefined && { intervalMs: Math.round(request.intervalMs) }),
    };
    /** `unsupported`: the backend has no `/api/stream` (404) — a hub, which answers queries from a shared store */
    type Poll = { answer?: StreamResponse; error?: string; after?: number; unsupported?: boolean };
    const poll = (after?: number): Observable<Poll> =>
      this.api.stream({ ...body, ...(after !== undefined && { after }) }).pipe(
        map((answer): Poll => ({ answer })),
        catchError((err) => {
          const unsupported = err instanceof PlenumApiError && err.status === 404;
          this.noStream ||= unsupported;
          return of<Poll>({ error: messageOf(err), after, unsupported });
        })
      );
    const updates$ = poll().pipe(
      expand((p) =>
        p.answer
          ? poll(p.answer.cursor)
          : p.unsupported
            ? EMPTY
            : timer(STREAM_RETRY_MS).pipe(mergeMap(() => poll(p.after)))
      ),
      map((p) => {
        if (p.unsupported) {
          // no live updates from this backend: the history answer stands, refreshed by the dashboard's refresh
          return { ...first, key, state: LoadingState.Done };
        }
        if (!p.answer) {
          return {
            ...first,
            key,
            state: LoadingState.Streaming,
            errors: liveQueries.map((q) => ({ refId: q.refId, message: `live updates paused: ${p.error}` })),
          };
        }
        const { answer } = p;
        for (const q of liveQueries) {
          const r = answer.results[q.refId];
          if (!r || r.error) {
            continue;
          }
          if (q.queryType === 'timeseries') {
            buffer.merge(q.refId, r.frames, answer.from, answer.cursor);
          } else {
            buffer.replace(q.refId, r.frames);
          }
        }
        const merged: QueryResponse = {
          results: Object.fromEntries(
            refIds.map((refId) => [
              refId,
              { ...(answer.results[refId] ?? history.results[refId]), frames: buffer.frames([refId]) },
            ])
          ),
        };
        return toDataQueryResponse(merged, queries, [], LoadingState.Streaming);
      }),
      map((r) => ({ ...r, key, state: r.state === LoadingState.Done ? LoadingState.Done : LoadingState.Streaming }))
    );
    return concat(of({ ...first, key, state: LoadingState.Streaming }), updates$);
  }

  async metricFindQuery(
    query: VariableQuery | string,
    options?: { scopedVars?: ScopedVars }
  ): Promise<MetricFindValue[]> {
    const q: VariableQuery = typeof query === 'string' ? { kind: (query || 'racks') as VariableQuery['kind'] } : query;
    const list = (v?: string) => expandList(v ? v.split(',') : [], this.replace, options?.scopedVars) ?? [];
    const f: VariableFilters = {
      site: list(q.site),
      hall: list(q.hall),
      row: list(q.row),
      rack: list(q.rack),
      quantity: list(q.quantity),
      domain: list(q.domain),
      tags: list(q.tags),
    };
    switch (q.kind) {
      case 'sites':
      case 'halls':
      case 'rows':
      case 'racks':
      case 'assets':
        return topologyValues(await this.api.topology(), q.kind, f);
      case 'quantities':
      case 'points':
        return catalogValues(q.kind, f, (s) => this.api.points(s));
      default:
        throw new Error(
          `variable query: unknown kind "${String(q.kind)}"; use sites, halls, rows, racks, assets, quantities or points`
        );
    }
  }

  /** Ad-hoc filter keys: the topology levels and point fields a selector can narrow by. */
  async getTagKeys(): Promise<MetricFindValue[]> {
    return AD_HOC_KEYS.map((k) => ({ text: k }));
  }

  async getTagValues(options: { key: string }): Promise<MetricFindValue[]> {
    const none: VariableFilters = { hall: [], row: [], rack: [], quantity: [], domain: [], tags: [] };
    switch (options.key) {
      case 'hall':
      case 'row':
      case 'rack':
      case 'asset':
        return topologyValues(await this.api.topology(), `${options.key}s` as 'halls', none);
      case 'quantity':
        return QUANTITIES.map((text) => ({ text }));
      case 'domain':
        return DOMAINS.map((text) => ({ text }));
      case 'kind':
        return POINT_KINDS.map((text) => ({ text }));
      default:
        return [];
    }
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    const url = this.instanceSettings.jsonData.url;
    if (!url) {
      return { status: 'error', message: 'Set the backend URL (for example http://plenum:8080) and save' };
    }
    try {
      return judgeHealth(await this.api.health(), url);
    } catch (err) {
      return { status: 'error', message: messageOf(err) };
    }
  }
}

function messageOf(err: unknown): string {
  if (err instanceof PlenumApiError || err instanceof Error) {
    return err.message;
  }
  return String(err);
}
