import type { Browser, Page } from 'playwright-core';
import type { HealthResponse } from '@plenum/model';
import { waitFor, type Stack } from '../../../backend/src/testing/stack';
import type { HarnessQueryResponse } from '../host/api';
import type { HarnessServer } from '../server/server';
import { pageErrors, screenshot } from '../testing/browser';
import { openPlenumBed, type PlenumBed } from './plenum-bed';

/**
 * The built `datasource/dist` in the harness (SystemJS, Grafana's shared modules) against the real backend reading
 * the simulated hall over OPC UA, Modbus, Prometheus and job webhooks — through the harness's data source proxy,
 * which adds the URL and token server side as Grafana does.
 */
const DS_ID = 'plenum-itot-datasource';
const TOKEN = 'browser-test-token-7f3a';

describe('plenum-itot-datasource in the harness, against the simulator and backend', () => {
  let stack: Stack;
  let harness: HarnessServer;
  let browser: Browser;
  let page: Page;
  /** every response body the browser received, to prove the token never reached it */
  const seen: string[] = [];
  /** responses with an HTTP error status, as `status path` */
  const failed: string[] = [];

  let bed: PlenumBed;

  beforeAll(async () => {
    bed = await openPlenumBed({
      token: TOKEN,
      datasources: [
        { uid: 'setup', name: 'Plenum (new)', type: DS_ID, access: 'proxy', jsonData: {} },
        { uid: 'down', name: 'Plenum (down)', type: DS_ID, access: 'proxy', jsonData: { url: 'http://127.0.0.1:9' } },
      ],
    });
    ({ stack, harness, browser, page } = bed);
    const auth = { Authorization: `Bearer ${TOKEN}` };
    await waitFor('simulator data in the backend', async () => {
      const h = (await (await fetch(`${stack.url}/api/health`, { headers: auth })).json()) as HealthResponse;
      return h.connectors.length > 0 && h.connectors.every((c) => c.state === 'up') ? h : undefined;
    });
    page.on('response', async (res) => {
      seen.push(await res.text().catch(() => ''));
      if (res.status() >= 400) failed.push(`${res.status()} ${new URL(res.url()).pathname}`);
    });
    await page.evaluate((id) => window.harness.loadPlugin(id), DS_ID);
  }, 60_000);

  afterAll(() => bed?.close());

  const run = (targets: object[], options: object = {}) =>
    page.evaluate(([t, o]) => window.harness.runQuery('plenum', t as never, o as never), [
      targets,
      options,
    ] as const) as Promise<HarnessQueryResponse>;

  it('Save & test: names a refused token, an unreachable backend, then succeeds with the right token', async () => {
    await page.evaluate(() => window.harness.mountDatasourceConfig('setup'));
    await page.getByLabel('Backend URL', { exact: true }).fill(stack.url);
    await page.getByLabel('API token', { exact: true }).fill('wrong-token');
    await page.getByTestId('harness-save-test').click();
    const result = page.getByTestId('harness-test-result');
    await expect(result.getAttribute('data-status')).resolves.toBe('error');
    await expect(result.textContent()).resolves.toContain('refused the API token');

    await page.getByRole('button', { name: /reset/i }).first().click();
    await page.getByLabel('API token', { exact: true }).fill(TOKEN);
    await page.getByTestId('harness-save-test').click();
    await page.waitForSelector('[data-testid="harness-test-result"][data-status="success"]');
    await expect(result.textContent()).resolves.toMatch(
      /Plenum 0\.1\.0 at http:\/\/127\.0\.0\.1:\d+: 648 points, 4\/4 connectors up/,
    );
    await screenshot(page, 'datasource-config');
    // the secret stayed on the server: the store has it, the browser was only told it is set
    expect(harness.store.internal('setup')?.secrets.apiToken).toBe(TOKEN);
    expect(harness.store.get('setup')?.secureJsonFields).toEqual({ apiToken: true });

    await page.evaluate(() => window.harness.mountDatasourceConfig('down'));
    await page.getByTestId('harness-save-test').click();
    await page.waitForSelector('[data-testid="harness-test-result"][data-status="error"]');
    await expect(result.textContent()).resolves.toContain('cannot reach the Plenum backend at http://127.0.0.1:9');
  });

  it('answers every query type with frames: units and display names from the point model', async () => {
    const res = await run([
      {
        refId: 'T',
        queryType: 'timeseries',
        selector: { rack: ['A01', 'A02'], tags: ['inlet'] },
        groupBy: 'rack',
        alias: '{{rack}} inlet',
      },
      { refId: 'L', queryType: 'latest', selector: { rack: ['A01'], quantity: ['power'] } },
      { refId: 'R', queryType: 'rackLayout', selector: { tags: ['inlet'] }, aggregate: 'max' },
      { refId: 'E', queryType: 'events', types: ['connector'] },
      { refId: 'C', queryType: 'catalog', selector: { rack: ['A01'] } },
    ]);
    expect(res.errors).toEqual([]);
    const byRef = (r: string) => res.data.filter((f) => f.refId === r);
    const t = byRef('T');
    expect(t.map((f) => f.fields[1]!.config.displayNameFromDS).sort()).toEqual(['A01 inlet', 'A02 inlet']);
    expect(t[0]!.fields[1]!.config.unit).toBe('celsius');
    expect(t[0]!.length).toBeGreaterThan(0);
    expect(byRef('L')[0]!.fields.find((f) => f.name === 'value')!.config.unit).toBe('kwatt');
    const layout = byRef('R')[0]!;
    expect(layout.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['rack', 'x', 'y']));
    expect(layout.length).toBe(40);
    expect(byRef('E')[0]!.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['time', 'title', 'text', 'tags']));
    expect(byRef('C')[0]!.length).toBeGreaterThan(0);
  });

  it('shows a bad query’s error on its own refId and still answers the others', async () => {
    const res = await run([
      { refId: 'A', queryType: 'latest', selector: { rack: ['A01'], quantity: ['power'] } },
      { refId: 'B', queryType: 'latest', selector: { quantity: ['heat'] } },
    ]);
    expect(res.errors).toEqual([expect.objectContaining({ refId: 'B', message: expect.stringMatching(/quantity/) })]);
    expect(res.data.filter((f) => f.refId === 'A')).toHaveLength(1);
  });

  it('interpolates multi-value variables into selectors and lists racks as a variable query', async () => {
    await page.evaluate(() =>
      window.harness.setVariables([
        {
          name: 'row',
          multi: true,
          includeAll: true,
          current: { text: ['B', 'C'], value: ['B', 'C'] },
          options: ['A', 'B', 'C', 'D'].map((v) => ({ text: v, value: v })),
        },
        {
          name: 'rack',
          multi: true,
          includeAll: true,
          current: { text: 'All', value: ['$__all'] },
          options: ['B01', 'C02'].map((v) => ({ text: v, value: v })),
        },
      ]),
    );
    const racks = (await page.evaluate(() =>
      window.harness.metricFindQuery('plenum', { kind: 'racks', row: '$row' }),
    )) as Array<{ value: string }>;
    expect(racks.map((r) => r.value)).toEqual(
      [...'BC'].flatMap((row) => Array.from({ length: 10 }, (_, i) => `${row}${String(i + 1).padStart(2, '0')}`)),
    );
    const res = await run([
      { refId: 'A', queryType: 'latest', selector: { rack: ['$rack'], tags: ['inlet'] }, groupBy: 'rack' },
    ]);
    expect(res.errors).toEqual([]);
    const racksSeen = new Set(res.data.flatMap((f) => f.fields.find((x) => x.name === 'rack')?.values ?? []));
    expect([...racksSeen].sort()).toEqual(['B01', 'C02']);
  });

  it('turns events into annotations', async () => {
    const r = await fetch(`${stack.url}/api/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        type: 'alarm',
        severity: 'warning',
        title: 'A01 inlet high',
        location: { site: 'sim', hall: 'hall1', rack: 'A01' },
        tags: ['inlet'],
      }),
    });
    expect(r.status).toBe(201);
    const events = await page.evaluate(() =>
      window.harness.runAnnotations('plenum', {
        name: 'Alarms',
        enable: true,
        target: { refId: 'Anno', queryType: 'events', types: ['alarm'] },
      }),
    );
    expect(events).toEqual([expect.objectContaining({ title: 'A01 inlet high', tags: ['inlet'] })]);
  });

  it('streams a live query: history, then updates as the simulator delivers samples', async () => {
    const started = Date.now();
    const emissions = (await run(
      // PDU power: Modbus is polled every 2 s and every poll is a new sample (OPC UA values only come on change)
      [
        {
          refId: 'A',
          queryType: 'timeseries',
          selector: { rack: ['A01'], tags: ['pdu'], quantity: ['power'] },
          live: true,
        },
      ],
      {
        range: { from: 'now-5m', to: 'now' },
        emissions: 3,
        timeoutMs: 20_000,
      },
    )) as unknown as HarnessQueryResponse[];
    expect(emissions.map((e) => e.state)).toEqual(['Streaming', 'Streaming', 'Streaming']);
    const lastTime = (e: HarnessQueryResponse) => Math.max(...(e.data[0]!.fields[0]!.values as number[]));
    expect(lastTime(emissions[2]!)).toBeGreaterThan(lastTime(emissions[0]!));
    expect(new Set(emissions.map((e) => e.key)).size).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('edits a query in the QueryEditor with a live point preview', async () => {
    await page.evaluate(() =>
      window.harness.mountQueryEditor('plenum', {
        refId: 'A',
        queryType: 'timeseries',
        selector: { rack: ['A01'] },
        schemaVersion: 1,
      }),
    );
    await expect(page.getByTestId('plenum-point-preview').textContent()).resolves.toBeDefined();
    await page.waitForFunction(() =>
      /\d+ points? match/.test(document.querySelector('[data-testid="plenum-point-preview"]')?.textContent ?? ''),
    );
    await page.getByLabel('Alias').fill('{{rack}} {{quantity}}');
    await page.getByLabel('Alias').blur();
    await page.waitForFunction(async () => (await window.harness.getQuery())?.alias === '{{rack}} {{quantity}}');
    await screenshot(page, 'datasource-query-editor');
  });

  it('is what npm start serves at /preview: Explore on live data, its default query run at once', async () => {
    const url = await waitFor(
      'the preview URL in the launcher output',
      async () => /query Plenum in the browser at (\S+)/.exec(stack.output())?.[1],
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/preview\/\?view=explore$/);
    const preview = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    try {
      await preview.goto(url);
      await preview.waitForFunction(
        () =>
          /\d+ points match/.test(document.querySelector('[data-testid="plenum-point-preview"]')?.textContent ?? ''),
        undefined,
        { timeout: 20_000 },
      );
      // without an edit: the graph of the default query (rack inlets), and the model the editor shows
      await preview.waitForSelector(
        '[data-testid="harness-explore"][data-state="Done"] [data-testid="harness-explore-graph"] canvas',
        { timeout: 20_000 },
      );
      const model = JSON.parse((await preview.getByTestId('harness-query-json').textContent()) ?? '{}');
      expect(model).toMatchObject({
        refId: 'A',
        datasource: { type: DS_ID, uid: 'plenum' },
        queryType: 'timeseries',
        selector: { quantity: ['temperature'], tags: ['inlet'] },
        groupBy: 'rack',
      });
      await expect(preview.getByTestId('harness-explore-graph').textContent()).resolves.toContain('A01');
      await expect(preview.getByTestId('harness-explore-table').count()).resolves.toBe(1);
      await screenshot(preview, 'explore-live', '[data-testid="harness-explore"]');
    } finally {
      await preview.close();
    }
  });

  it('never hands the API token to the browser and logs no errors', () => {
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.filter((body) => body.includes(TOKEN))).toEqual([]);
    // the only failed requests are the wrong-token Save & test (Grafana's proxy answers 400) and the unreachable one
    expect(failed).toEqual([
      '400 /api/datasources/proxy/uid/setup/plenum/api/health',
      '502 /api/datasources/proxy/uid/down/plenum/api/health',
    ]);
    expect(
      pageErrors(page).filter(
        (e) => !/Failed to load resource: the server responded with a status of (400|502)/.test(e),
      ),
    ).toEqual([]);
  });
});
