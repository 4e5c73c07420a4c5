import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startHarnessServer, type HarnessServer } from '../server/server';
import { launchBrowser, openHarness, pageErrors, requireBuilt } from '../testing/browser';
import { startFixtureUpstream, type FixtureUpstream } from '../testing/fixture-upstream';
import { FIXTURE_DATASOURCE_ID, FIXTURE_PLUGINS, fixtureDatasource } from '../testing/fixtures';
import type { HarnessAnnotationEvent, HarnessQueryResponse } from './api';

const TOKEN = 'tok-5b1e0c93a7';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('harness: a datasource plugin in the browser', () => {
  let upstream: FixtureUpstream;
  let server: HarnessServer;
  let browser: Browser;
  let page: Page;
  /** every response body the page received, to prove the secret never reached the browser */
  const bodies: Promise<string>[] = [];

  beforeAll(async () => {
    requireBuilt();
    upstream = await startFixtureUpstream(TOKEN);
    server = await startHarnessServer({
      plugins: FIXTURE_PLUGINS,
      datasources: [
        fixtureDatasource(upstream.url, TOKEN),
        { ...fixtureDatasource(upstream.url, '', 'fresh'), isDefault: false, secureJsonData: {} },
        { ...fixtureDatasource(`http://127.0.0.1:${await closedPort()}`, TOKEN, 'down'), isDefault: false },
      ],
    });
    browser = await launchBrowser();
    page = await openHarness(browser, server);
    page.on('response', (response) => {
      bodies.push(
        response.body().then(
          (b) => b.toString('utf8'),
          () => '',
        ),
      );
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  /** The errors collected since the last call (each test states the ones it expects). */
  function takeErrors(): string[] {
    return pageErrors(page).splice(0);
  }

  it('imports the plugin module through SystemJS', async () => {
    const loaded = await page.evaluate((id) => window.harness.loadPlugin(id), FIXTURE_DATASOURCE_ID);
    expect(loaded).toEqual({ id: FIXTURE_DATASOURCE_ID, type: 'datasource' });
    expect(takeErrors()).toEqual([]);
  });

  it('shares the host’s modules with plugins under create-plugin’s external names', async () => {
    const names = [
      'react',
      'react-dom',
      'react/jsx-runtime',
      'react/jsx-dev-runtime',
      '@grafana/data',
      '@grafana/ui',
      '@grafana/runtime',
      '@grafana/data/unstable',
      '@emotion/css',
      '@emotion/react',
      'emotion',
      'rxjs',
      'rxjs/operators',
      'lodash',
      'moment',
      'i18next',
      'redux',
      'react-redux',
      'react-router',
      'prismjs',
      'slate',
    ];
    const shapes = await page.evaluate(async (ids) => {
      const out: Record<string, string> = {};
      for (const id of ids) {
        const ns = await window.System.import(id);
        // what the AMD extra hands a plugin: the default for wrapped libraries, else the namespace
        const value = (ns.__useDefault ? ns.default : ns) as Record<string, unknown>;
        out[id] = typeof value;
      }
      return out;
    }, names);
    expect(Object.keys(shapes)).toEqual(names);
    // lodash and moment are functions (wrapped `{default, __useDefault}`), the rest namespaces
    expect(shapes.lodash).toBe('function');
    expect(shapes.moment).toBe('function');
    expect(Object.entries(shapes).filter(([, t]) => t !== 'object' && t !== 'function')).toEqual([]);
  });

  it('Save & test stores the typed token server side and reports the plugin’s success', async () => {
    await page.evaluate(() => window.harness.mountDatasourceConfig('fresh'));
    await page.getByTestId('fixture-token').fill(TOKEN);
    await page.getByTestId('harness-save-test').click();
    const result = page.getByTestId('harness-test-result');
    await expect(result.getAttribute('data-status')).resolves.toBe('success');
    expect(await result.textContent()).toContain('Fixture upstream fixture-1 answered');
    expect(server.store.internal('fresh')?.secrets).toEqual({ apiToken: TOKEN });
    // the settings were read back: the secret shows as configured, its value is not in the page
    await expect(page.getByTestId('fixture-token').inputValue()).resolves.toBe('configured');
    expect(takeErrors()).toEqual([]);
  });

  it('Save & test with a wrong token shows the error message, as Grafana turns the upstream 401 into 400', async () => {
    await page.evaluate(() => window.harness.mountDatasourceConfig('fresh'));
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByTestId('fixture-token').fill('wrong-token');
    await page.getByTestId('harness-save-test').click();
    const result = page.getByTestId('harness-test-result');
    await expect(result.getAttribute('data-status')).resolves.toBe('error');
    expect(await result.textContent()).toBe('Fixture upstream failed: Authentication to data source failed');
    expect(takeErrors()).toEqual([expect.stringMatching(/status of 400 \(Bad Request\)/)]);
  });

  it('runs a query as Grafana builds it, through the proxy route with the server-side token', async () => {
    await page.evaluate(() =>
      window.harness.setVariables([
        { name: 'rack', multi: true, current: { text: ['R1', 'R2'], value: ['r1', 'r2'] } },
      ]),
    );
    const before = upstream.requests.length;
    const response = (await page.evaluate(() =>
      window.harness.runQuery('fixture', [{ refId: 'A', text: 'supply $rack' }], {
        range: { from: 'now-6h', to: 'now' },
      }),
    )) as HarnessQueryResponse;
    expect(response.state).toBe('Done');
    expect(response.errors).toEqual([]);
    const [frame] = response.data;
    expect(frame).toMatchObject({ name: 'supply r1,r2', refId: 'A', length: 3 });
    expect(frame?.fields.map((f) => [f.name, f.type])).toEqual([
      ['time', 'time'],
      ['value', 'number'],
    ]);
    expect(frame?.fields[1]).toMatchObject({ config: { unit: 'celsius' }, values: [18.5, 21, 27.25] });

    const sent = upstream.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /query']);
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const body = JSON.parse(sent[0]?.body ?? '{}');
    expect(body.to - body.from).toBeGreaterThanOrEqual(6 * 3600_000 - 1000);
    // 6 h over 1000 points is 21.6 s, which Grafana's interval rounding makes 20 s
    expect(body).toMatchObject({ maxDataPoints: 1000, intervalMs: 20_000, app: 'dashboard' });
    expect(body.requestId).toMatch(/^Q\d+$/);
    expect(takeErrors()).toEqual([]);
  });

  it('reports a failed query on its own refId', async () => {
    const response = (await page.evaluate(() =>
      window.harness.runQuery('fixture', [
        { refId: 'A', text: 'fail' },
        { refId: 'B', text: 'ok' },
      ]),
    )) as HarnessQueryResponse;
    expect(response.state).toBe('Error');
    expect(response.errors).toEqual([{ refId: 'A', message: 'query A failed on purpose' }]);
    expect(response.data.map((f) => f.refId)).toEqual(['B']);
  });

  it('collects the first emissions of a streaming query, then unsubscribes', async () => {
    const before = upstream.requests.length;
    const responses = (await page.evaluate(() =>
      window.harness.runQuery('fixture', [{ refId: 'A', queryType: 'stream', count: 50 }], { emissions: 3 }),
    )) as HarnessQueryResponse[];
    expect(responses.map((r) => [r.state, r.key])).toEqual([
      ['Streaming', 'stream-A'],
      ['Streaming', 'stream-A'],
      ['Streaming', 'stream-A'],
    ]);
    expect(responses.map((r) => r.data[0]?.fields.map((f) => f.values[0]))).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
    ]);
    // unsubscribing stopped the long polls: at most the one in flight went out after the third answer
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(upstream.requests.length - before).toBeLessThanOrEqual(4);
    expect(takeErrors()).toEqual([]);
  });

  it('answers metricFindQuery with the plugin’s values, variables interpolated', async () => {
    const found = await page.evaluate(() => window.harness.metricFindQuery('fixture', '$rack'));
    expect(found).toEqual([
      { text: 'r1', value: 'r1' },
      { text: 'r2', value: 'r2' },
    ]);
  });

  it('runs an annotation query into events as a dashboard does', async () => {
    const events = (await page.evaluate(() =>
      window.harness.runAnnotations(
        'fixture',
        { name: 'Site events', enable: true, iconColor: 'red', target: { text: 'all' } },
        { from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00Z' },
      ),
    )) as HarnessAnnotationEvent[];
    const from = Date.parse('2026-01-01T00:00:00Z');
    expect(
      events.map(({ time, timeEnd, isRegion, title, text, tags, type }) => ({
        time,
        timeEnd,
        isRegion,
        title,
        text,
        tags,
        type,
      })),
    ).toEqual([
      {
        time: from + 1000,
        timeEnd: from + 1000,
        isRegion: false,
        title: 'CRAH-1 restart',
        text: 'Fan reset',
        tags: ['cooling'],
        type: 'Site events',
      },
      {
        time: from + 2000,
        timeEnd: from + 5000,
        isRegion: true,
        title: 'Job 42',
        text: 'Training run',
        tags: ['job', 'gpu'],
        type: 'Site events',
      },
    ]);
    // the theme's red, as Grafana resolves an annotation's icon colour
    expect(events[0]?.color).toBe('#F2495C');
  });

  it('renders the QueryEditor, keeps its changes and runs the query on onRunQuery', async () => {
    await page.evaluate(() => window.harness.mountQueryEditor('fixture', { refId: 'A', text: 'first' }));
    const input = page.getByTestId('fixture-query-text');
    await input.fill('return');
    await input.blur();
    const result = page.getByTestId('harness-query-result');
    await expect(result.getAttribute('data-state')).resolves.toBe('Done');
    expect(JSON.parse((await result.textContent()) ?? '{}')).toEqual({
      state: 'Done',
      errors: [],
      frames: [{ name: 'return', refId: 'A', length: 3, fields: ['time:time', 'value:number'] }],
    });
    expect(JSON.parse((await page.getByTestId('harness-query-json').textContent()) ?? '{}')).toEqual({
      refId: 'A',
      text: 'return',
    });
    await expect(page.evaluate(() => window.harness.getQuery())).resolves.toEqual({ refId: 'A', text: 'return' });
    expect(takeErrors()).toEqual([]);
  });

  it('gets Grafana’s 502 when the upstream is unreachable', async () => {
    const response = (await page.evaluate(() =>
      window.harness.runQuery('down', [{ refId: 'A', text: 'x' }]),
    )) as HarnessQueryResponse;
    expect(response.state).toBe('Error');
    expect(response.errors[0]).toMatchObject({ status: 502, statusText: 'Bad Gateway', message: 'Bad Gateway' });
    expect(takeErrors()).toEqual([expect.stringMatching(/status of 502 \(Bad Gateway\)/)]);
  });

  it('never hands the stored secret to the browser', async () => {
    const received = await Promise.all(bodies);
    expect(received.length).toBeGreaterThan(10);
    expect(received.filter((body) => body.includes(TOKEN))).toEqual([]);
    // …while every proxied call of the fixture datasource carried it upstream
    const authorised = upstream.requests.filter((r) => r.headers.authorization === `Bearer ${TOKEN}`);
    expect(authorised.length).toBeGreaterThan(5);
  });
});
