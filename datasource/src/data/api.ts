import { lastValueFrom, throwError, type Observable } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import { getBackendSrv, isFetchError, type FetchResponse } from '@grafana/runtime';
import type {
  HealthResponse,
  PointPage,
  PointSearch,
  QueryRequest,
  QueryResponse,
  Site,
  StreamRequest,
  StreamResponse,
} from '@plenum/model';
import { PROXY_ROUTE } from '../types';

/** An HTTP failure talking to the backend, classed so the UI can say what to fix. */
export class PlenumApiError extends Error {
  constructor(
    message: string,
    /** unreachable: no answer through the proxy; auth: 401/403; request: our request was refused (4xx); server: 5xx */
    readonly kind: 'unreachable' | 'auth' | 'request' | 'server',
    readonly status?: number
  ) {
    super(message);
    this.name = 'PlenumApiError';
  }
}

/** The message a failed fetch carries: the backend's `{error}`, Grafana's proxy `{message}`, or the status text. */
export function describeFetchError(err: unknown, backendUrl: string | undefined, path: string): PlenumApiError {
  if (!isFetchError(err)) {
    return new PlenumApiError(err instanceof Error ? err.message : String(err), 'server');
  }
  // the backend answers `{error}`; Grafana's backendSrv turns a text body into `{error: statusText, message: text}`
  const data = (err.data ?? {}) as { error?: unknown; message?: unknown } | string;
  const said =
    typeof data === 'string'
      ? data.trim()
      : typeof data.message === 'string' && data.message
        ? data.message
        : typeof data.error === 'string'
          ? data.error
          : '';
  const where = backendUrl ? ` at ${backendUrl}` : '';
  const status = err.status;
  // Grafana's proxy turns an upstream 401 into a 400 saying "Authentication to data source failed" (so the
  // browser session is not dropped); a direct 401 from the backend says `authorization: …`
  if (status === 401 || status === 403 || /^authorization:|authentication to data source failed/i.test(said)) {
    return new PlenumApiError(
      `Plenum${where} refused the API token${said ? ` (${said})` : ` (HTTP ${status})`}; check the token in the data source settings`,
      'auth',
      status
    );
  }
  // Grafana's proxy answers 502 when it cannot reach the route's URL; status 0/-1 is the browser failing
  if (status === 502 || status === 504 || !status || status < 0) {
    return new PlenumApiError(
      `cannot reach the Plenum backend${where}${said ? `: ${said}` : ''}; check the URL and that the backend runs`,
      'unreachable',
      status
    );
  }
  if (status >= 400 && status < 500) {
    return new PlenumApiError(`${path}: ${said || err.statusText || `HTTP ${status}`}`, 'request', status);
  }
  return new PlenumApiError(`${path}: Plenum answered ${status}${said ? `: ${said}` : ''}`, 'server', status);
}

/** Query-string form of a point search: lists as `a,b`. */
export function searchParams(q: PointSearch): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) {
      continue;
    }
    out[k] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

/**
 * The backend's HTTP API as this data source reaches it: through Grafana's data source proxy
 * (`<instance url>/plenum/…`), which adds the URL and the bearer token server side — the token never reaches
 * the browser.
 */
export class PlenumApi {
  constructor(
    /** `/api/datasources/proxy/uid/<uid>` as Grafana gives it in the instance settings */
    private readonly instanceUrl: string,
    /** `jsonData.url`, only for messages */
    private readonly backendUrl?: string
  ) {}

  /** One request as an Observable: unsubscribing cancels it (a live panel closed mid long-poll frees its socket). */
  private fetch$<T>(method: 'GET' | 'POST', path: string, body?: unknown, params?: Record<string, unknown>) {
    return getBackendSrv()
      .fetch<T>({
        method,
        url: `${this.instanceUrl}/${PROXY_ROUTE}${path}`,
        data: body,
        params,
        // errors are shown where they belong (editor, panel), not as global toasts
        showErrorAlert: false,
        showSuccessAlert: false,
      })
      .pipe(
        map((res: FetchResponse<T>) => res.data),
        catchError((err) => throwError(() => describeFetchError(err, this.backendUrl, path)))
      );
  }

  private call<T>(method: 'GET' | 'POST', path: string, body?: unknown, params?: Record<string, unknown>) {
    return lastValueFrom(this.fetch$<T>(method, path, body, params));
  }

  health(): Promise<HealthResponse> {
    return this.call('GET', '/api/health');
  }
  topology(): Promise<Site> {
    return this.call('GET', '/api/topology');
  }
  points(q: PointSearch): Promise<PointPage> {
    return this.call('GET', '/api/points', undefined, searchParams(q));
  }
  query(body: QueryRequest): Promise<QueryResponse> {
    return this.call('POST', '/api/query', body);
  }
  /** a long poll; an Observable so that unsubscribing cancels it */
  stream(body: StreamRequest): Observable<StreamResponse> {
    return this.fetch$('POST', '/api/stream', body);
  }
}
