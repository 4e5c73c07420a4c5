import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFixtureUpstream, type FixtureUpstream } from '../testing/fixture-upstream';
import { startHarnessServer, type HarnessServer } from './server';
import type { HarnessUser } from './users';

/**
 * The proxy's user handling, as Grafana's data source proxy does it: a route's `reqRole` checked against the signed-in
 * user before anything is sent upstream, every route header rendered from the settings and secrets, and
 * `X-Grafana-User` (with `send_user_header`) — never the one a browser sends.
 */
const READ = 'read-token-71c2';
const OPERATE = 'operate-token-0be9';
const PLUGIN_ID = 'harness-roles-datasource';

/** A data source plugin whose routes need Editor (`ops`, listed first) and Admin (`admin`), and one open route. */
function writePlugin(dir: string): void {
  const route = (p: string, token: string, extra: Record<string, unknown> = {}) => ({
    path: p,
    url: '{{ .JsonData.url }}',
    headers: [
      { name: 'Authorization', content: `Bearer {{ .SecureJsonData.${token} }}` },
      { name: 'X-Site', content: '{{ .JsonData.site }}/{{ .SecureJsonData.siteKey }}' },
    ],
    ...extra,
  });
  const plugin = {
    type: 'datasource',
    name: 'Roles fixture',
    id: PLUGIN_ID,
    info: { keywords: ['x'], logos: { small: 'a.svg', large: 'a.svg' }, version: '1.0.0', updated: '2025-01-01' },
    dependencies: { grafanaDependency: '>=12.0.0' },
    routes: [
      route('ops', 'operateToken', { reqRole: 'Editor' }),
      route('admin', 'operateToken', { reqRole: 'Admin' }),
      route('bad-role', 'operateToken', { reqRole: 'Operator' }),
      route('', 'apiToken'),
    ],
  };
  fs.writeFileSync(path.join(dir, 'plugin.json'), JSON.stringify(plugin));
}

describe('data source proxy: roles, route headers and the user header', () => {
  let dir: string;
  let upstream: FixtureUpstream;
  let server: HarnessServer;
  const log: string[] = [];
  const users: HarnessUser[] = [
    { login: 'admin', role: 'Admin', isGrafanaAdmin: true },
    { login: 'erin', role: 'Editor', name: 'Erin Editor' },
    { login: 'vic', role: 'Viewer' },
    { login: 'root', role: 'Viewer', isGrafanaAdmin: true },
  ];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-roles-'));
    writePlugin(dir);
    // the fixture upstream wants one token; the echo it answers shows which one each route sent
    upstream = await startFixtureUpstream(OPERATE);
    server = await startHarnessServer({
      plugins: [{ id: PLUGIN_ID, dir }],
      datasources: [
        {
          uid: 'ds',
          name: 'Roles',
          type: PLUGIN_ID,
          access: 'proxy',
          jsonData: { url: upstream.url, site: 'hall1', keepCookies: ['harness_session', 'keep'] },
          secureJsonData: { apiToken: READ, operateToken: OPERATE, siteKey: 'k-42' },
        },
      ],
      users,
      sendUserHeader: true,
      log: (line) => log.push(line),
    });
  });

  afterAll(async () => {
    await server.close();
    await upstream.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The session cookie a page opened with `?user=<login>` gets. */
  async function signIn(login: string): Promise<string> {
    const res = await fetch(`${server.url}?user=${login}`);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^harness_session=/);
    return cookie.split(';')[0]!;
  }

  const proxy = (cookie: string | undefined, p: string, init: RequestInit = {}) =>
    fetch(`${server.url}api/datasources/proxy/uid/ds/${p}`, {
      ...init,
      headers: { ...(cookie && { Cookie: cookie }), ...(init.headers as Record<string, string>) },
    });

  type Echo = { url: string; headers: Record<string, string | undefined> };

  it('answers 403 "plugin proxy route access denied" to a user below the route role, sending nothing upstream', async () => {
    const viewer = await signIn('vic');
    const before = upstream.requests.length;
    const res = await proxy(viewer, 'ops/echo/stop', { method: 'POST', body: '{}' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'plugin proxy route access denied' });
    const admin = await proxy(await signIn('erin'), 'admin/echo/rules', { method: 'PUT', body: '{}' });
    expect(admin.status).toBe(403);
    expect(upstream.requests.length).toBe(before);
    expect(log.some((l) => l.includes('route "ops" needs Editor; vic is Viewer: denied'))).toBe(true);
  });

  it('lets the role and above through with the route’s secret, and a Grafana server admin through every route', async () => {
    for (const [login, p] of [
      ['erin', 'ops'],
      ['admin', 'ops'],
      ['admin', 'admin'],
      ['root', 'admin'],
    ] as const) {
      const res = await proxy(await signIn(login), `${p}/echo/x`);
      expect([login, p, res.status]).toEqual([login, p, 200]);
      const echo = (await res.json()) as Echo;
      expect(echo.headers.authorization).toBe(`Bearer ${OPERATE}`);
    }
  });

  it('renders every route header from jsonData and secrets', async () => {
    const echo = (await (await proxy(await signIn('erin'), 'ops/echo/h')).json()) as Echo;
    expect(echo.headers['x-site']).toBe('hall1/k-42');
  });

  it('sends X-Grafana-User with the signed-in login and drops the browser’s own', async () => {
    const viewer = await signIn('vic');
    // the open route: a viewer may use it (the upstream then refuses the read token, which is not this test's point)
    await proxy(viewer, 'echo/read', { headers: { 'X-Grafana-User': 'admin' } });
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers['x-grafana-user']).toBe('vic');
    expect(seen.headers.authorization).toBe(`Bearer ${READ}`);
    // the session cookie is never forwarded, even when keepCookies lists it; other kept cookies are
    await proxy(await signIn('erin'), 'ops/echo/c', { headers: { Cookie: 'harness_session=erin; keep=1; drop=2' } });
    expect(upstream.requests.at(-1)!.headers.cookie).toBe('keep=1');
    expect(upstream.requests.at(-1)!.headers['x-grafana-user']).toBe('erin');
  });

  it('signs a browser without a session in as the first user, and refuses an unknown session (401)', async () => {
    const res = await proxy(undefined, 'admin/echo/default');
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).headers['x-grafana-user']).toBe('admin');
    const unknown = await proxy('harness_session=mallory', 'ops/echo/x');
    expect(unknown.status).toBe(401);
  });

  it('refuses a route whose reqRole Grafana would not know, rather than open it', async () => {
    const res = await proxy(await signIn('admin'), 'bad-role/echo');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { message: string }).message).toMatch(/reqRole "Operator" is not one of/);
  });

  it('puts the user and role in the page’s boot data, and says so at /api/user', async () => {
    const res = await fetch(`${server.url}?user=erin`);
    const html = await res.text();
    expect(html).toContain('"login":"erin"');
    expect(html).toContain('"orgRole":"Editor"');
    expect(html).toContain('"name":"Erin Editor"');
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await (await fetch(`${server.url}api/user`, { headers: { Cookie: cookie } })).json()) as Record<
      string,
      unknown
    >;
    expect(me).toMatchObject({ login: 'erin', orgRole: 'Editor', isGrafanaAdmin: false });
    // the session outlives the page: the next page load without ?user= is still erin
    expect(await (await fetch(server.url, { headers: { Cookie: cookie } })).text()).toContain('"login":"erin"');
    const nobody = await fetch(`${server.url}?user=mallory`);
    expect(nobody.status).toBe(400);
    expect(await nobody.text()).toMatch(/no user "mallory"; users: admin, erin, vic, root/);
  });
});

describe('data source proxy without send_user_header (Grafana’s default)', () => {
  it('sends no X-Grafana-User at all, not even the browser’s', async () => {
    const upstream = await startFixtureUpstream('t');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-roles-'));
    writePlugin(dir);
    const server = await startHarnessServer({
      plugins: [{ id: PLUGIN_ID, dir }],
      datasources: [
        {
          uid: 'ds',
          name: 'Roles',
          type: PLUGIN_ID,
          jsonData: { url: upstream.url },
          secureJsonData: { apiToken: 't' },
        },
      ],
    });
    try {
      const res = await fetch(`${server.url}api/datasources/proxy/uid/ds/echo/x`, {
        headers: { 'X-Grafana-User': 'spoofed' },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { headers: Record<string, string> }).headers['x-grafana-user']).toBeUndefined();
    } finally {
      await server.close();
      await upstream.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
