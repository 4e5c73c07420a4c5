import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { DatasourceStore } from './datasource-store';
import type { PluginCatalog } from './plugins';
import { joinUrlFragments, matchRoute, routeTarget, shadowedRoute } from './proxy-routes';
import { RouteTemplateError } from './route-template';
import { sendJson } from './respond';
import { hasRole, parseOrgRole, SESSION_COOKIE, type HarnessUser, type UserDirectory } from './users';

/** Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ProxyContext {
  store: DatasourceStore;
  catalog: PluginCatalog;
  /** who a request is signed in as (the session cookie) */
  users: UserDirectory;
  /** Grafana's `[dataproxy] send_user_header`: add `X-Grafana-User: <login>` */
  sendUserHeader: boolean;
  /** how long to wait for the upstream's response headers before answering 504, in ms; Grafana's default 30 s */
  timeoutMs: number;
  /** `User-Agent` sent upstream, as Grafana's `dataproxy.user_agent` default `Grafana/<version>` */
  userAgent: string;
  log: (line: string) => void;
}

/**
 * Grafana's data source proxy for `/api/datasources/proxy/uid/<uid>/<proxyPath>`: picks the plugin route, refuses
 * a user below the route's `reqRole` (403 "plugin proxy route access denied", nothing sent upstream), adds the
 * route's rendered URL and headers (secrets stay here) and, with `sendUserHeader`, `X-Grafana-User`; drops the
 * browser's cookies and credentials, streams both ways and answers as Grafana does when things fail: 404 unknown
 * data source, 502 (empty body) unreachable upstream, 504 timeout, and an upstream 401 turned into 400
 * "Authentication to data source failed".
 * @param proxyPath the path after `<uid>/`, still URL-encoded
 * @param query the query string without `?`
 */
export function proxyDatasourceRequest(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  uid: string,
  proxyPath: string,
  query: string,
): void {
  const user = ctx.users.of(req);
  if (!user) return sendJson(res, 401, { message: 'Unauthorized' });
  const ds = ctx.store.internal(uid);
  if (!ds) return sendJson(res, 404, { message: 'Unable to find datasource' });
  const plugin = ctx.catalog.json(ds.settings.type);
  if (!plugin) return sendJson(res, 500, { message: 'Unable to find datasource plugin' });
  const method = req.method ?? 'GET';
  if (hasDotSegment(proxyPath)) {
    return sendJson(res, 400, { message: 'Invalid proxy path: "." and ".." segments are not forwarded' });
  }

  const routes = plugin.routes ?? [];
  const route = matchRoute(routes, proxyPath, method);
  if (route) {
    // Grafana's `hasAccessToRoute`: the role check runs on the route it picked, before anything is proxied
    let reqRole: ReturnType<typeof parseOrgRole>;
    try {
      reqRole = parseOrgRole(route.reqRole, `route "${route.path}" of ${plugin.id}`);
    } catch (err) {
      // Grafana skips a check it cannot read; the harness refuses, so a typo cannot open a route
      return sendJson(res, 500, { message: (err as Error).message });
    }
    if (reqRole && !hasRole(user, reqRole)) {
      ctx.log(`proxy: ${uid}: route "${route.path}" needs ${reqRole}; ${user.login} is ${user.role}: denied`);
      return sendJson(res, 403, { message: 'plugin proxy route access denied' });
    }
  }
  const data = { JsonData: ds.settings.jsonData ?? {}, SecureJsonData: ds.secrets };
  let target: URL;
  let routeHeaders: Record<string, string> = {};
  try {
    if (route) {
      const shadow = shadowedRoute(routes, proxyPath, method);
      if (shadow) {
        ctx.log(
          `proxy: route "${route.path}" of ${plugin.id} shadows the longer "${shadow.path}" (Grafana picks the first)`,
        );
      }
      const t = routeTarget(route, proxyPath, query, data);
      target = t.url;
      routeHeaders = t.headers;
    } else if (ds.settings.url) {
      const base = new URL(ds.settings.url);
      target = new URL(base.origin);
      target.pathname = joinUrlFragments(base.pathname, proxyPath);
      target.search = query;
    } else {
      return sendJson(res, 404, {
        message: `No route in plugin.json of ${plugin.id} matches ${method} "${proxyPath}", and data source "${ds.settings.name}" has no URL to proxy to`,
      });
    }
  } catch (err) {
    const message = err instanceof RouteTemplateError ? err.message : `Invalid proxy target: ${(err as Error).message}`;
    return sendJson(res, 500, { message });
  }

  const headers = forwardedHeaders(req, ds.settings.jsonData ?? {});
  headers['user-agent'] = ctx.userAgent;
  // Grafana's `ApplyUserHeader`: the browser's own X-Grafana-User is always dropped (forwardedHeaders), the
  // signed-in user's login added when `send_user_header` is on; a route header of that name still wins below
  if (ctx.sendUserHeader) headers[USER_HEADER] = userHeaderValue(user);
  if (ds.settings.basicAuth) {
    const password = ds.secrets.basicAuthPassword ?? '';
    headers.authorization = `Basic ${Buffer.from(`${ds.settings.basicAuthUser ?? ''}:${password}`).toString('base64')}`;
  }
  for (const [name, value] of Object.entries(routeHeaders)) headers[name.toLowerCase()] = value;

  let upstream: http.ClientRequest;
  try {
    const options: https.RequestOptions = { method, headers };
    if (target.protocol === 'https:') Object.assign(options, tlsOptions(ds.settings.jsonData ?? {}, ds.secrets));
    upstream = (target.protocol === 'https:' ? https : http).request(target, options);
  } catch (err) {
    ctx.log(`proxy: ${uid}: unable to load TLS certificate: ${(err as Error).message}`);
    return sendJson(res, 400, { message: 'Unable to load TLS certificate' });
  }

  const timer = setTimeout(() => upstream.destroy(new TimeoutError()), ctx.timeoutMs);
  upstream.on('response', (up) => {
    clearTimeout(timer);
    if (up.statusCode === 401) {
      up.resume();
      ctx.log(`proxy: ${uid}: authentication to data source failed (upstream 401)`);
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': 'sandbox' });
      res.end('Authentication to data source failed');
      return;
    }
    res.writeHead(up.statusCode ?? 502, responseHeaders(up));
    res.flushHeaders();
    up.pipe(res);
    up.on('error', () => res.destroy());
  });
  upstream.on('error', (err) => {
    clearTimeout(timer);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const timedOut = err instanceof TimeoutError;
    ctx.log(`proxy: ${uid}: ${timedOut ? 'request timed out' : 'request failed'}: ${err.message}`);
    // Grafana's reverse proxy error handler writes the status only, with an empty body
    res.writeHead(timedOut ? 504 : 502, { 'Content-Length': 0 });
    res.end();
  });
  // the browser went away (closed EventSource, aborted fetch): stop the upstream request too
  res.on('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** True for `a/../b`, `./x`, `%2e%2e/x` and undecodable paths: the harness refuses them rather than forward them. */
function hasDotSegment(proxyPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(proxyPath);
  } catch {
    return true;
  }
  return decoded.split(/[\\/]/).some((segment) => segment === '.' || segment === '..');
}

/** Grafana's `proxyutil.UserHeaderName` */
const USER_HEADER = 'x-grafana-user';

/** The user's login as a header value (a login with characters a header cannot carry is percent-encoded). */
function userHeaderValue(user: HarnessUser): string {
  return /^[\x20-\x7e]*$/.test(user.login) ? user.login : encodeURIComponent(user.login);
}

class TimeoutError extends Error {
  constructor() {
    super('no response headers within the data proxy timeout');
  }
}

/** The browser's headers minus connection headers, cookies (but `jsonData.keepCookies`), credentials, Origin, Referer. */
function forwardedHeaders(req: http.IncomingMessage, jsonData: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  const listed = String(req.headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim());
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.includes(name)) continue;
    if (['host', 'cookie', 'authorization', 'x-ds-authorization', 'origin', 'referer', USER_HEADER].includes(name))
      continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const dsAuthorization = req.headers['x-ds-authorization'];
  if (typeof dsAuthorization === 'string' && dsAuthorization) headers.authorization = dsAuthorization;
  // the session cookie never leaves Grafana, even when listed (Grafana's ClearCookieHeader skips its login cookie)
  const keep = (Array.isArray(jsonData.keepCookies) ? jsonData.keepCookies.map(String) : []).filter(
    (name) => name !== SESSION_COOKIE,
  );
  const kept = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && keep.includes(c.slice(0, c.indexOf('='))));
  if (kept.length) headers.cookie = kept.join('; ');
  const remote = req.socket.remoteAddress;
  if (remote) {
    const before = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = before ? `${String(before)}, ${remote}` : remote;
  }
  return headers;
}

/** Upstream headers minus connection headers and Set-Cookie, plus Grafana's `Content-Security-Policy: sandbox`. */
function responseHeaders(up: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(up.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'set-cookie') continue;
    headers[name] = value;
  }
  headers['content-security-policy'] = 'sandbox';
  return headers;
}

/**
 * Grafana's TLS settings of an HTTP data source: `tlsSkipVerify`, `tlsAuthWithCACert` + secret `tlsCACert`, `tlsAuth` +
 * secrets `tlsClientCert` / `tlsClientKey`, `serverName`. Throws when the PEM does not load.
 */
export function tlsOptions(jsonData: Record<string, unknown>, secrets: Record<string, string>): https.RequestOptions {
  const options: https.RequestOptions = {};
  if (jsonData.tlsSkipVerify === true) options.rejectUnauthorized = false;
  if (jsonData.tlsAuthWithCACert === true && secrets.tlsCACert) options.ca = secrets.tlsCACert;
  if (jsonData.tlsAuth === true && secrets.tlsClientCert && secrets.tlsClientKey) {
    options.cert = secrets.tlsClientCert;
    options.key = secrets.tlsClientKey;
  }
  if (typeof jsonData.serverName === 'string' && jsonData.serverName) options.servername = jsonData.serverName;
  // throws now, not on connect, for PEM that does not parse: Grafana answers 400 before proxying
  tls.createSecureContext({ ca: options.ca, cert: options.cert, key: options.key });
  return options;
}
