import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import {
  catchError,
  defer,
  filter,
  lastValueFrom,
  map,
  mergeMap,
  Observable,
  of,
  Subject,
  takeUntil,
  throwError,
  throwIfEmpty,
} from 'rxjs';

/** Grafana's status for a request cancelled by a newer one with the same `requestId`. */
const HTTP_REQUEST_CANCELED = -1;

/**
 * A BackendSrv that talks to the harness server as Grafana's talks to Grafana (`core/services/backend_srv.ts` and
 * `core/utils/fetch.ts`): local URLs lose their leading `/` so they resolve against the page's `<base href>` (the
 * server's base path), an `Authorization` header travels as `X-DS-Authorization`, bodies and query strings are
 * encoded the same way, responses are parsed as JSON when they are, non-2xx answers fail with Grafana's
 * `FetchError` `{status, statusText, data, config}` (string bodies become `data.message`), and a newer request with
 * the same `requestId` cancels the older one.
 */
export class HarnessBackendSrv implements BackendSrv {
  private readonly inFlight = new Subject<string>();

  get<T>(url: string, params?: unknown, requestId?: string, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'GET', url, params: params as Record<string, unknown>, requestId });
  }
  delete<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'DELETE', url, data });
  }
  post<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'POST', url, data });
  }
  patch<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'PATCH', url, data });
  }
  put<T>(url: string, data?: unknown, options?: Partial<BackendSrvRequest>): Promise<T> {
    return this.request<T>({ ...options, method: 'PUT', url, data });
  }

  request<T>(options: BackendSrvRequest): Promise<T> {
    return lastValueFrom(this.fetch<T>(options).pipe(map((response) => response.data)));
  }

  datasourceRequest<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return lastValueFrom(this.fetch<T>(options));
  }

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return defer(() => {
      if (options.requestId) this.inFlight.next(options.requestId);
      const config = parseRequestOptions(options);
      return this.send<T>(config).pipe(
        mergeMap((response) => (response.ok ? of(response) : throwError(() => toFetchError(response)))),
        catchError((err: unknown) => throwError(() => processRequestError(err, config))),
        // a newer request with this requestId completes this one unanswered, which Grafana reports as cancelled
        takeUntil(this.inFlight.pipe(filter((id) => id === config.requestId))),
        throwIfEmpty((): FetchError => ({
          status: HTTP_REQUEST_CANCELED,
          statusText: 'Request was aborted',
          data: null,
          cancelled: true,
          config,
        })),
      );
    });
  }

  /** Each raw chunk of a long-lived response, with the response's status and headers. */
  chunked(options: BackendSrvRequest): Observable<FetchResponse<Uint8Array | undefined>> {
    return new Observable((subscriber) => {
      const config = parseRequestOptions(options);
      const controller = new AbortController();
      (async () => {
        const response = await fetch(parseUrlFromOptions(config), {
          ...parseInitFromOptions(config),
          signal: controller.signal,
        });
        const base = {
          status: response.status,
          statusText: response.statusText,
          ok: response.ok,
          headers: response.headers,
        };
        const rest = { redirected: response.redirected, type: response.type, url: response.url, config };
        const reader = response.body?.getReader();
        if (!reader) {
          subscriber.next({ ...base, ...rest, data: undefined });
          return subscriber.complete();
        }
        for (let r = await reader.read(); !r.done; r = await reader.read())
          subscriber.next({ ...base, ...rest, data: r.value });
        subscriber.complete();
      })().catch((err: unknown) => subscriber.error(processRequestError(err, config)));
      return () => controller.abort();
    });
  }

  /** One fetch, aborted when the subscriber unsubscribes (or the caller's `abortSignal` fires). */
  private send<T>(config: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable((subscriber) => {
      const controller = new AbortController();
      const signal = config.abortSignal ? AbortSignal.any([controller.signal, config.abortSignal]) : controller.signal;
      (async () => {
        if (config.validatePath) validatePath(config.url);
        const response = await fetch(parseUrlFromOptions(config), { ...parseInitFromOptions(config), signal });
        const responseType = config.responseType ?? (isJson(response.headers) ? 'json' : undefined);
        const data = (await parseResponseBody(response, responseType)) as T;
        const { status, statusText, ok, headers, url, type, redirected } = response;
        subscriber.next({ status, statusText, ok, headers, url, type, redirected, data, config });
        subscriber.complete();
      })().catch((err: unknown) => subscriber.error(err));
      return () => controller.abort();
    });
  }
}

function isLocal(url: string): boolean {
  return !/^http/.test(url);
}

/** Grafana's `parseRequestOptions`: org header, base-relative URL, `Authorization` → `X-DS-Authorization`. */
function parseRequestOptions(options: BackendSrvRequest): BackendSrvRequest {
  const config: BackendSrvRequest = { ...options, retry: options.retry ?? 0, headers: { ...options.headers } };
  if (isLocal(config.url)) {
    const headers = config.headers as Record<string, unknown>;
    headers['X-Grafana-Org-Id'] = 1;
    if (config.url.startsWith('/')) config.url = config.url.substring(1);
    if (headers.Authorization) {
      headers['X-DS-Authorization'] = headers.Authorization;
      delete headers.Authorization;
    }
  }
  return config;
}

/** Grafana's `validatePath`: no `..` segments (also percent-encoded) in a URL built from user input. */
function validatePath(url: string): void {
  const path = url.split('?')[0] ?? '';
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // an undecodable path is checked as written
  }
  if (decoded.split('/').includes('..')) throw new Error(`Invalid request path: ${path}`);
}

export function parseUrlFromOptions(options: BackendSrvRequest): string {
  const params = Object.entries(options.params ?? {}).filter(
    ([, v]) => v !== undefined && !((typeof v === 'string' || Array.isArray(v)) && v.length === 0),
  );
  if (!options.params || params.length === 0) return options.url;
  const query = params
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`),
    )
    .join('&');
  return `${options.url}?${query}`;
}

export function parseInitFromOptions(options: BackendSrvRequest): RequestInit {
  const method = options.method;
  const headers = new Headers(options.headers as Record<string, string> | undefined);
  const lower = (method ?? '').toLowerCase();
  if (['post', 'put', 'patch'].includes(lower) && !headers.has('content-type')) {
    headers.set('content-type', 'application/json');
  }
  if (!headers.has('accept')) headers.set('accept', 'application/json, text/plain, */*');
  const isAppJson = headers.get('content-type')?.toLowerCase() === 'application/json';
  let body: BodyInit | undefined;
  if (options.data !== undefined && options.data !== null && options.data !== '') {
    body =
      typeof options.data === 'string'
        ? options.data
        : isAppJson
          ? JSON.stringify(options.data)
          : new URLSearchParams(options.data as Record<string, string>);
  }
  const credentials = options.credentials ?? (options.withCredentials ? 'include' : 'same-origin');
  return { method, headers, body, credentials };
}

function isJson(headers: Headers): boolean {
  return (headers.get('content-type') ?? '').toLowerCase().includes('application/json');
}

async function parseResponseBody(
  response: Response,
  responseType: BackendSrvRequest['responseType'],
): Promise<unknown> {
  switch (responseType) {
    case 'arraybuffer':
      return response.arrayBuffer();
    case 'blob':
      return response.blob();
    case 'text':
      return response.text();
    case 'json':
      // Grafana: some APIs declare JSON and answer an empty body
      if (response.headers.get('Content-Length') === '0') return {};
      return response.json();
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toFetchError<T>(response: FetchResponse<T>): FetchError<T> {
  const { status, statusText, data, config } = response;
  return { status, statusText, data, config };
}

/** Grafana's `processRequestError`: a string body becomes `{message, error, response}`; `error` fills `message`. */
function processRequestError(err: unknown, config: BackendSrvRequest): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const e = err as { data?: unknown; statusText?: string; config?: BackendSrvRequest };
  e.config = e.config ?? config;
  if (e.data === undefined || e.data === null) e.data = { message: 'Unexpected error' };
  if (typeof e.data === 'string') e.data = { message: e.data, error: e.statusText, response: e.data };
  const data = e.data as { message?: string; error?: unknown };
  if (typeof data === 'object' && !data.message && typeof data.error === 'string') data.message = data.error;
  return err;
}
