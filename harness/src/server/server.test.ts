import http from 'node:http';
import { FIXTURE_DATASOURCE_ID, FIXTURE_PLUGINS, fixtureDatasource } from '../testing/fixtures';
import { startFixtureUpstream, type FixtureUpstream } from '../testing/fixture-upstream';
import { startHarnessServer, type HarnessServer } from './server';

const TOKEN = 'tok-9f2c41d7';

describe('harness server', () => {
  let upstream: FixtureUpstream;
  let server: HarnessServer;
  const log: string[] = [];

  beforeAll(async () => {
    upstream = await startFixtureUpstream(TOKEN);
    server = await startHarnessServer({
      plugins: FIXTURE_PLUGINS,
      datasources: [
        fixtureDatasource(upstream.url, TOKEN),
        { ...fixtureDatasource('http://127.0.0.1:1', TOKEN, 'down'), isDefault: false },
        { uid: 'noroute', name: 'No route', type: 'harness-fixture-panel' },
        { ...fixtureDatasource(upstream.url, 'wrong-token', 'badtoken'), isDefault: false },
      ],
      log: (line) => log.push(line),
    });
  });

  afterAll(async () => {
    await server.close();
    await upstream.close();
  });

  const get = (p: string, init?: RequestInit) => fetch(new URL(p, server.url), init);

  /** The status of a GET sent with `p` verbatim in the request line (fetch would resolve `..` and `%2e%2e` first). */
  const rawStatus = (p: string) =>
    new Promise<number>((resolve, reject) => {
      const { port } = new URL(server.url);
      http
        .get({ host: '127.0.0.1', port, path: p }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        })
        .on('error', reject);
    });

  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the host page with boot data before the host bundle, then SystemJS and its extras', async () => {
    const res = await get('/?theme=light');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    const order = [
      'window.grafanaBootData',
      'harness/host.js',
      'harness/systemjs/system.js',
      'harness/systemjs/extras/amd.js',
      'harness/systemjs/extras/named-register.js',
      '__plenumHarnessStart',
    ].map((s) => html.indexOf(s));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('"theme":"light"');
    expect(html).toContain('"url":"/api/datasources/proxy/uid/fixture"');
    expect(html).not.toContain(TOKEN);
  });

  it('serves static files with their content types', async () => {
    const cases: [string, string][] = [
      ['/harness/systemjs/extras/amd.js', 'application/javascript; charset=utf-8'],
      [`/public/plugins/${FIXTURE_DATASOURCE_ID}/module.js`, 'application/javascript; charset=utf-8'],
      [`/public/plugins/${FIXTURE_DATASOURCE_ID}/plugin.json`, 'application/json; charset=utf-8'],
      [`/public/plugins/${FIXTURE_DATASOURCE_ID}/img/logo.svg`, 'image/svg+xml'],
      ['/public/build/img/icons/unicons/check.svg', 'image/svg+xml'],
      ['/public/fonts/inter/Inter-Regular.woff2', 'font/woff2'],
      ['/public/fonts/roboto/L0xTDF4xlVMF-BfR8bXMIhJHg45mwgGEFl0_3vrtSM1J-gEPT5Ese6hmHSh0mQ.woff2', 'font/woff2'],
    ];
    for (const [p, type] of cases) {
      const res = await get(p);
      expect([p, res.status, res.headers.get('content-type')]).toEqual([p, 200, type]);
    }
  });

  it('answers 304 to a repeated request with the ETag', async () => {
    const first = await get('/harness/systemjs/system.js');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const again = await get('/harness/systemjs/system.js', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });

  it('answers 404 to unknown paths and to every way out of a served directory', async () => {
    for (const p of [
      '/nope',
      '/public/plugins/unknown-plugin/module.js',
      `/public/plugins/${FIXTURE_DATASOURCE_ID}/..%2F..%2F..%2Fpackage.json`,
      `/public/plugins/${FIXTURE_DATASOURCE_ID}/%2e%2e/harness-fixture-panel/plugin.json`,
      `/public/plugins/${FIXTURE_DATASOURCE_ID}/../../../package.json`,
      `/public/plugins/${FIXTURE_DATASOURCE_ID}/img`,
      '/public/fonts/inter/..%2F..%2Fpackage.json',
      '/harness/..%2Fpackage.json',
    ]) {
      expect([p, await rawStatus(p)]).toEqual([p, 404]);
    }
  });

  it('keeps secrets server side: settings carry secureJsonFields only', async () => {
    const list = await (await get('/api/datasources')).text();
    const one = (await (await get('/api/datasources/uid/fixture')).json()) as Record<string, unknown>;
    expect(list).not.toContain(TOKEN);
    expect(JSON.stringify(one)).not.toContain(TOKEN);
    expect(one.secureJsonFields).toEqual({ apiToken: true });
    expect((await get('/api/datasources/uid/missing')).status).toBe(404);
  });

  it('stores a PUT like Grafana and answers without the secret', async () => {
    const body = { name: 'Fixture edited', access: 'proxy', jsonData: { url: upstream.url, extra: 1 } };
    const res = await get('/api/datasources/uid/badtoken', { method: 'PUT', body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { message: string; datasource: { jsonData: unknown; version: number } };
    expect(answer.message).toBe('Datasource updated');
    expect(answer.datasource.jsonData).toEqual({ url: upstream.url, extra: 1 });
    expect(server.store.internal('badtoken')?.secrets.apiToken).toBe('wrong-token');
    const bad = await get('/api/datasources/uid/badtoken', { method: 'PUT', body: 'not json' });
    expect(bad.status).toBe(400);
  });

  it('proxies through the plugin route: URL and Authorization from the settings, browser credentials dropped', async () => {
    const res = await get('/api/datasources/proxy/uid/fixture/api/echo/a%20b?x=1&y=two', {
      method: 'POST',
      headers: { Cookie: 'grafana_session=abc', Authorization: 'Bearer from-browser', 'X-Custom': 'kept' },
      body: 'payload',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    const echo = (await res.json()) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(echo.method).toBe('POST');
    expect(echo.url).toBe('/echo/a%20b?x=1&y=two');
    expect(echo.body).toBe('payload');
    expect(echo.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers['x-custom']).toBe('kept');
    expect(echo.headers['user-agent']).toMatch(/^Grafana\/\d+\.\d+\.\d+$/);
  });

  it('turns an upstream 401 into 400 "Authentication to data source failed", as Grafana does', async () => {
    const res = await get('/api/datasources/proxy/uid/badtoken/api/health');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('Authentication to data source failed');
  });

  it('answers 502 with an empty body when the upstream is unreachable, as Grafana does', async () => {
    const res = await get('/api/datasources/proxy/uid/down/api/health');
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('');
    expect(log.some((line) => line.includes('request failed'))).toBe(true);
  });

  it('answers 404 for an unknown data source and for a path no route matches', async () => {
    const unknown = await get('/api/datasources/proxy/uid/missing/api/health');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Unable to find datasource' });
    const noRoute = await get('/api/datasources/proxy/uid/fixture/other/thing');
    expect(noRoute.status).toBe(404);
    expect(((await noRoute.json()) as { message: string }).message).toMatch(
      /No route in plugin.json .* "other\/thing"/,
    );
  });

  it('refuses dot segments in the proxied path', async () => {
    expect(await rawStatus('/api/datasources/proxy/uid/fixture/api/%2e%2e/secret')).toBe(400);
    expect(await rawStatus('/api/datasources/proxy/uid/fixture/api/../secret')).toBe(400);
    expect(upstream.requests.some((r) => r.url.includes('secret'))).toBe(false);
  });

  it('streams the upstream response as it comes (server-sent events are not buffered)', async () => {
    const res = await get('/api/datasources/proxy/uid/fixture/api/sse');
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // the upstream has not finished: it sends the second event only after this release
    expect(new TextDecoder().decode(first.value)).toBe('data: tick 0\n\n');
    await fetch(`${upstream.url}/sse-release`);
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('data: tick 1\n\n');
  });
});

describe('harness server under a base path', () => {
  it('serves everything under the prefix and nothing outside it', async () => {
    const server = await startHarnessServer({ plugins: FIXTURE_PLUGINS, datasources: [], basePath: '/preview' });
    try {
      expect(server.url).toMatch(/\/preview\/$/);
      const page = await (await fetch(server.url)).text();
      expect(page).toContain('<base href="/preview/" />');
      expect(page).toContain('"appSubUrl":"/preview"');
      const origin = new URL(server.url).origin;
      expect((await fetch(`${origin}/preview/api/datasources`)).status).toBe(200);
      expect((await fetch(`${origin}/api/datasources`)).status).toBe(404);
      const redirect = await fetch(`${origin}/preview`, { redirect: 'manual' });
      expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/preview/']);
    } finally {
      await server.close();
    }
  });
});
