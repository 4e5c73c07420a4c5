import path from 'node:path';
import { renderRouteTemplate, type RouteTemplateData } from './route-template';

/** A `routes[]` entry of a data source's `plugin.json` (the fields the harness honours). */
export interface PluginRoute {
  /** prefix of the path after `/api/datasources/proxy/uid/<uid>/` */
  path: string;
  /** HTTP method this route is limited to; '' or '*' for any */
  method?: string;
  /** template of the target URL, e.g. `{{ .JsonData.url }}` */
  url?: string;
  headers?: { name: string; content: string }[];
  /** query parameters added to the forwarded request */
  urlParams?: { name: string; content: string }[];
  /** the lowest org role that may use the route (Viewer < Editor < Admin); others get 403 from the proxy */
  reqRole?: string;
}

/**
 * Grafana's `CleanRelativePath`: the path joined to `/`, cleaned (`.`/`..` resolved, slashes collapsed) and made
 * relative again, so `../x` cannot climb out; an empty result is '' (Grafana's fix for issue 116273).
 */
export function cleanRelativePath(p: string): string {
  const rel = path.posix.relative('/', path.posix.normalize(path.posix.join('/', p)));
  return rel === '.' ? '' : rel;
}

/**
 * The route Grafana's data source proxy picks: the FIRST route in `plugin.json` order whose method matches and
 * whose cleaned path is a string prefix of the cleaned request path (so `api` also matches `apix/…`, as in
 * Grafana). Not the longest prefix: a plugin listing `api` before `api/admin` never reaches the second in Grafana.
 */
export function matchRoute(routes: PluginRoute[], proxyPath: string, method: string): PluginRoute | undefined {
  const requested = cleanRelativePath(safeDecode(proxyPath));
  return routes.find((route) => methodMatches(route, method) && requested.startsWith(cleanRelativePath(route.path)));
}

/** A later route that matches with a longer path than the one Grafana picks: a likely ordering bug in plugin.json. */
export function shadowedRoute(routes: PluginRoute[], proxyPath: string, method: string): PluginRoute | undefined {
  const picked = matchRoute(routes, proxyPath, method);
  if (!picked) return undefined;
  const requested = cleanRelativePath(safeDecode(proxyPath));
  const pickedLength = cleanRelativePath(picked.path).length;
  return routes.find(
    (route) =>
      route !== picked &&
      methodMatches(route, method) &&
      requested.startsWith(cleanRelativePath(route.path)) &&
      cleanRelativePath(route.path).length > pickedLength,
  );
}

function methodMatches(route: PluginRoute, method: string): boolean {
  return !route.method || route.method === '*' || route.method.toUpperCase() === method.toUpperCase();
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** Where a proxied request goes and the headers the route adds. */
export interface RouteTarget {
  url: URL;
  headers: Record<string, string>;
}

/**
 * Grafana's `ApplyRoute`: the rendered route URL's scheme, host and path joined with the request path minus the
 * route's path (`util.JoinURLFragments`), the request's own query parameters plus the route's `urlParams`, re-encoded
 * as Go's `url.Values.Encode` does (keys sorted, spaces as `+`), and the route's headers rendered from the settings.
 * Like Grafana, a query string inside the route URL is not used.
 * @param proxyPath the still-encoded path after `/proxy/uid/<uid>/`
 * @param query the request's query string without `?`
 */
export function routeTarget(
  route: PluginRoute,
  proxyPath: string,
  query: string,
  data: RouteTemplateData,
): RouteTarget {
  if (!route.url) throw new Error(`route "${route.path}" has no url`);
  const base = new URL(renderRouteTemplate(route.url, data));
  const rest = proxyPath.startsWith(route.path) ? proxyPath.slice(route.path.length) : proxyPath;
  const url = new URL(base.origin);
  url.pathname = joinUrlFragments(base.pathname, rest);
  const params = parseQuery(query);
  for (const param of route.urlParams ?? []) {
    params.push([renderRouteTemplate(param.name, data), renderRouteTemplate(param.content, data)]);
  }
  url.search = goEncodeQuery(params);
  const headers: Record<string, string> = {};
  for (const header of route.headers ?? []) headers[header.name] = renderRouteTemplate(header.content, data);
  return { url, headers };
}

/** Grafana's `util.JoinURLFragments`: exactly one slash between the parts; an empty `b` leaves `a` alone. */
export function joinUrlFragments(a: string, b: string): string {
  if (b.length === 0) return a;
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) return a + b.slice(1);
  if (!aSlash && !bSlash) return `${a}/${b}`;
  return a + b;
}

/** Go's `url.ParseQuery`: `&`-separated pairs, `+` as space; undecodable pairs are skipped as Go skips them. */
function parseQuery(query: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const [k, v] = eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    try {
      pairs.push([decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.replace(/\+/g, ' '))]);
    } catch {
      continue;
    }
  }
  return pairs;
}

/** Go's `url.Values.Encode`: keys in sorted order (values of one key in their order), `url.QueryEscape`d. */
export function goEncodeQuery(pairs: [string, string][]): string {
  const keys = [...new Set(pairs.map(([k]) => k))].sort();
  return keys
    .flatMap((key) => pairs.filter(([k]) => k === key).map(([, v]) => `${goQueryEscape(key)}=${goQueryEscape(v)}`))
    .join('&');
}

/** Go's `url.QueryEscape`: only `A-Za-z0-9-_.~` stay, a space becomes `+`, every other byte `%XX`. */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
