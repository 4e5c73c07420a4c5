import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { proxyDatasourceRequest, type ProxyContext } from './datasource-proxy';
import { dashboardWithMeta, DashboardDirectory, searchDashboards } from './dashboards';
import { DatasourceStore } from './datasource-store';
import { currentUser, frontendSettings, GRAFANA_VERSION, hostPage, type ThemeMode } from './host-page';
import { HARNESS_DIR, HOST_DIST_DIR, packageDir } from './paths';
import { PluginCatalog } from './plugins';
import { readJson, sendJson } from './respond';
import { resolveInside, sendFile } from './static-files';
import type { DatasourceSettings, PluginSource } from './types';
import { sessionCookie, UserDirectory, type HarnessUser } from './users';

export interface HarnessServerOptions {
  plugins: PluginSource[];
  datasources: DatasourceSettings[];
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** path prefix the whole harness is served under, e.g. `/preview` (no trailing slash). @default '' */
  basePath?: string;
  /** data proxy wait for upstream response headers, in ms. @default 30000 (Grafana's `dataproxy.timeout`) */
  proxyTimeoutMs?: number;
  /** provisioned dashboards: a directory of `*.json` dashboard models (may not exist). @default none */
  dashboardsDir?: string;
  /** where proxy failures and warnings go. @default nowhere */
  log?: (line: string) => void;
  /**
   * who may sign in; a page opened with `?user=<login>` is that user (a session cookie), one without is the first.
   * @default DEFAULT_USERS: admin (Admin, server admin), editor (Editor), viewer (Viewer)
   */
  users?: HarnessUser[];
  /**
   * Grafana's `[dataproxy] send_user_header`: the proxy adds `X-Grafana-User: <login>` to each proxied request (and
   * always drops one the browser sent). @default false, as in Grafana
   */
  sendUserHeader?: boolean;
}

export interface HarnessServer {
  /** the page URL, ending in `/` (with the base path) */
  url: string;
  /** the settings store, for tests that check what a Save & test stored */
  store: DatasourceStore;
  /** stops listening and drops open connections (streams, keep-alive) */
  close(): Promise<void>;
}

/** Static trees by URL prefix (after the base path). */
function staticRoots(): [prefix: string, dir: string][] {
  return [
    ['/harness/systemjs/', path.join(packageDir('systemjs'), 'dist')],
    ['/harness/', HOST_DIST_DIR],
    ['/public/build/img/', path.join(packageDir('@grafana/ui'), 'dist', 'public', 'img')],
    ['/public/fonts/inter/', path.join(packageDir('inter-ui'), 'web')],
  ];
}

const PROXY_PREFIX = '/api/datasources/proxy/uid/';

/**
 * Grafana's monospace font: its CSS asks for Google's Roboto Mono latin subset under `public/fonts/roboto/<hash>.woff2`
 * (one file for weights 400 and 500); any such request gets @fontsource's latin 400 file, the same glyphs.
 */
const ROBOTO_PREFIX = '/public/fonts/roboto/';

/** PanelChrome's streaming indicator: Grafana ships this icon in its app, @grafana/ui's package does not. */
const STREAMING_ICON = '/public/build/img/icons/mono/circle-mono.svg';
function robotoMonoFile(): string {
  return path.join(packageDir('@fontsource/roboto-mono'), 'files', 'roboto-mono-latin-400-normal.woff2');
}

/** Starts the harness: host page, static files, Grafana's datasource settings API and data source proxy. */
export async function startHarnessServer(options: HarnessServerOptions): Promise<HarnessServer> {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  if (basePath && !basePath.startsWith('/')) throw new Error(`basePath must start with "/": "${basePath}"`);
  const catalog = new PluginCatalog(options.plugins);
  const store = new DatasourceStore(
    options.datasources,
    (type) => (catalog.meta(type)?.info as { logos?: { small?: string } } | undefined)?.logos?.small ?? '',
  );
  const users = new UserDirectory(options.users);
  const proxy: ProxyContext = {
    store,
    catalog,
    users,
    sendUserHeader: options.sendUserHeader ?? false,
    timeoutMs: options.proxyTimeoutMs ?? 30_000,
    userAgent: `Grafana/${GRAFANA_VERSION}`,
    log: options.log ?? (() => {}),
  };
  const roots = staticRoots();
  const dashboards = new DashboardDirectory(options.dashboardsDir, options.log);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (res.headersSent) res.destroy(err);
      else sendJson(res, 500, { message: `harness: ${err.message}` });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const queryAt = raw.indexOf('?');
    const fullPath = queryAt === -1 ? raw : raw.slice(0, queryAt);
    const query = queryAt === -1 ? '' : raw.slice(queryAt + 1);
    if (basePath && fullPath === basePath) {
      res.writeHead(302, { Location: `${basePath}/${queryAt === -1 ? '' : `?${query}`}` });
      res.end();
      return;
    }
    if (basePath && !fullPath.startsWith(`${basePath}/`)) return notFound(res, fullPath);
    const pathname = fullPath.slice(basePath.length);
    const method = req.method ?? 'GET';

    if (pathname.startsWith(PROXY_PREFIX)) {
      const rest = pathname.slice(PROXY_PREFIX.length);
      const slash = rest.indexOf('/');
      const uid = decodeURIComponent(slash === -1 ? rest : rest.slice(0, slash));
      return proxyDatasourceRequest(proxy, req, res, uid, slash === -1 ? '' : rest.slice(slash + 1), query);
    }
    if (pathname.startsWith('/api/')) return api(req, res, pathname, method, query);
    if (method !== 'GET' && method !== 'HEAD') return notFound(res, pathname);

    if (pathname === '/') {
      const params = new URLSearchParams(query);
      const theme: ThemeMode = params.get('theme') === 'light' ? 'light' : 'dark';
      // `?user=<login>` signs the browser in as that user (as logging in to Grafana would), until another `?user=`
      const asked = params.get('user');
      const user = asked === null ? (users.of(req) ?? users.defaultUser) : users.get(asked);
      if (!user) {
        res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`harness: no user "${asked}"; users: ${users.logins().join(', ')}\n`);
        return;
      }
      const html = hostPage(frontendSettings(store, catalog, basePath, origin(req)), basePath, theme, user);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Set-Cookie': sessionCookie(user.login, basePath),
      });
      res.end(html);
      return;
    }
    const dashboardUrl = /^\/d\/([^/]+)(?:\/[^/]*)?$/.exec(pathname);
    if (dashboardUrl) {
      // Grafana's dashboard URL `/d/<uid>/<slug>?var-x=…` opens the dashboard view of the landing page
      const params = new URLSearchParams(query);
      params.set('dashboard', decodeURIComponent(dashboardUrl[1] ?? ''));
      res.writeHead(302, { Location: `${basePath}/?${params}` });
      res.end();
      return;
    }
    if (pathname === STREAMING_ICON)
      return sendFile(req, res, path.join(HARNESS_DIR, 'assets', 'icons', 'mono', 'circle-mono.svg'));
    if (pathname.startsWith(ROBOTO_PREFIX) && pathname.endsWith('.woff2') && !pathname.includes('..')) {
      return sendFile(req, res, robotoMonoFile());
    }
    const pluginMatch = /^\/public\/plugins\/([^/]+)\/(.+)$/.exec(pathname);
    if (pluginMatch) {
      const dir = catalog.dir(decodeURIComponent(pluginMatch[1] ?? ''));
      const file = dir && resolveInside(dir, pluginMatch[2] ?? '');
      return file ? sendFile(req, res, file) : notFound(res, pathname);
    }
    for (const [prefix, dir] of roots) {
      if (!pathname.startsWith(prefix)) continue;
      const file = resolveInside(dir, pathname.slice(prefix.length));
      return file ? sendFile(req, res, file) : notFound(res, pathname);
    }
    return notFound(res, pathname);
  }

  async function api(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    pathname: string,
    method: string,
    query: string,
  ) {
    if (pathname === '/api/datasources' && method === 'GET') return sendJson(res, 200, store.list());
    if (pathname === '/api/user' && method === 'GET') {
      // Grafana's "current user": who this browser is signed in as
      const user = users.of(req);
      return user
        ? sendJson(res, 200, currentUser(user, 'dark'))
        : sendJson(res, 401, { message: 'Unauthorized', statusCode: 401 });
    }
    if (pathname === '/api/search' && method === 'GET') {
      return sendJson(res, 200, searchDashboards(dashboards.list(), new URLSearchParams(query), basePath));
    }
    const dashboardMatch = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(pathname);
    if (dashboardMatch && method === 'GET') {
      const found = dashboardWithMeta(dashboards.list(), decodeURIComponent(dashboardMatch[1] ?? ''), basePath);
      return found ? sendJson(res, 200, found) : sendJson(res, 404, { message: 'Dashboard not found' });
    }
    if (pathname === '/api/frontend/settings' && method === 'GET') {
      return sendJson(res, 200, frontendSettings(store, catalog, basePath, origin(req)));
    }
    const uidMatch = /^\/api\/datasources\/uid\/([^/]+)$/.exec(pathname);
    if (uidMatch) {
      const uid = decodeURIComponent(uidMatch[1] ?? '');
      if (method === 'GET') {
        const dto = store.get(uid);
        return dto ? sendJson(res, 200, dto) : sendJson(res, 404, { message: 'Data source not found' });
      }
      if (method === 'PUT') {
        let body: unknown;
        try {
          body = await readJson(req);
        } catch (err) {
          return sendJson(res, 400, { message: `bad request data: ${(err as Error).message}` });
        }
        const answer = store.update(uid, body);
        return sendJson(res, answer.status, answer.body);
      }
    }
    const pluginMatch = /^\/api\/plugins\/([^/]+)\/settings$/.exec(pathname);
    if (pluginMatch && method === 'GET') {
      const meta = catalog.meta(decodeURIComponent(pluginMatch[1] ?? ''));
      return meta
        ? sendJson(res, 200, meta)
        : sendJson(res, 404, { message: 'Plugin not found, no installed plugin with that id' });
    }
    return sendJson(res, 404, { message: 'Not found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${basePath}/`,
    store,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function notFound(res: http.ServerResponse, pathname: string): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`404 Not Found: ${pathname}\n`);
}

function origin(req: http.IncomingMessage): string {
  return `http://${req.headers.host ?? 'localhost'}`;
}
