import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { QueryResponse } from '@plenum/model';
import { hubBedPoints, startHubBed, type HubBed } from '../../../backend/src/hub/testkit';
import { waitFor } from '../../../backend/src/testing/stack';
import { REPO_DIR } from '../server/paths';
import { startHarnessServer, type HarnessServer } from '../server/server';
import { launchBrowser, openHarness, pageErrors, requireBuilt, screenshot } from '../testing/browser';
import { ALL_PANELS, PLUGIN_DIST } from './plenum-bed';

/**
 * The site overview (dashboards/site-overview.json) in the harness against a real hub: two edges (hall1, hall2 of
 * site dc1, generator sources) remote-write to Debian's VictoriaMetrics and the hub answers the query contract
 * over that store (backend/src/hub/testkit.ts). One Plenum data source, the hub's URL: the site and hall variables
 * come from the hub's topology, every panel draws both halls, and each hall's links carry its hall.
 *
 * Edges relay their events to the hub over MQTT; this bed runs no broker, so the test adds the hub's open prediction
 * and alarm to the hub's event store, where the relay puts them. A bad sample on one edge is what a failed sensor
 * sends.
 */
const TOKEN = 'site-overview-hub-token';
const BAD = 'dc1/hall2/A/R03/env/inlet_temp';

async function hubQuery(bed: HubBed, queries: unknown[]): Promise<QueryResponse> {
  const res = await fetch(`${bed.url}/api/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ range: { from: 'now-1h', to: 'now' }, queries }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as QueryResponse;
}

describe('site overview in the harness, against a hub over two edges', () => {
  let bed: HubBed;
  let harness: HarnessServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const ids = ['plenum-itot-datasource', ...ALL_PANELS];
    requireBuilt(...ids.map((id) => PLUGIN_DIST[id]!));
    bed = await startHubBed({ halls: ['hall1', 'hall2'], token: TOKEN });
    // hall2's generator stops first, so that nothing it writes later replaces the bad sample below as the latest
    await Promise.all(bed.edges[1]!.runners.map((x) => x.stop()));
    // a failed sensor in hall2 (bad: a stale marker in the store), seen at the hub as a point needing attention
    const r = await fetch(`${bed.edges[1]!.url}/api/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ samples: [{ pointId: BAD, ts: Date.now(), value: 0, quality: 'bad' }] }),
    });
    expect(r.status).toBeLessThan(300);
    // where the events relay puts the edges' events: an open prediction in hall1, an open alarm in hall2
    const now = Date.now();
    bed.hub.events.add({
      time: now - 60_000,
      type: 'prediction',
      severity: 'warning',
      title: 'R02 inlet: reaches 27 °C in 12 min',
      location: { site: 'dc1', hall: 'hall1', row: 'A', rack: 'R02' },
      tags: ['prediction'],
      source: 'predict',
    });
    bed.hub.events.add({
      time: now - 30_000,
      type: 'alarm',
      severity: 'critical',
      title: 'CRAH 1 fan failure',
      location: { site: 'dc1', hall: 'hall2', asset: 'crah1' },
      tags: ['alarm'],
      source: 'alerting',
    });
    await waitFor('the bad sample at the hub', async () => {
      await fetch(`${bed.vm.url}/internal/force_flush`);
      const a = await hubQuery(bed, [
        { refId: 'P', queryType: 'latest', selector: { hall: ['hall2'] }, problemsOnly: true },
      ]);
      return (a.results.P!.frames[0]?.data?.values[0]?.length ?? 0) > 0 ? true : undefined;
    });
    harness = await startHarnessServer({
      plugins: ids.map((id) => ({ id, dir: PLUGIN_DIST[id]! })),
      dashboardsDir: path.join(REPO_DIR, 'dashboards'),
      datasources: [
        {
          uid: 'plenum',
          name: 'Plenum hub',
          type: 'plenum-itot-datasource',
          access: 'proxy',
          isDefault: true,
          jsonData: { url: bed.url },
          secureJsonData: { apiToken: TOKEN },
        },
      ],
    });
    browser = await launchBrowser();
    page = await openHarness(browser, harness, { viewport: { width: 1920, height: 1080 } });
  }, 150_000);

  const variableText = async (name: string) =>
    (await page.locator(`[data-testid="harness-variable-${name}"]`).textContent()) ?? '';

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await bed?.stop();
  });

  it('draws every panel for both halls of the site, each hall’s counts in its own repeated panel', async () => {
    await page.evaluate(() =>
      window.harness.mountDashboard('plenum-site-overview', { width: 1920, theme: 'dark', timeoutMs: 30_000 }),
    );
    const state = await page.evaluate(() => window.harness.dashboardState());
    // hall1 has no point needing attention: no rows (the harness's nodata), shown as 0 by the panel's noValue
    const quiet = 'hall1 — points bad, stale or missing';
    expect(state.filter((p) => p.state !== 'ok' && p.title !== quiet)).toEqual([]);
    expect(state.find((p) => p.title === quiet)?.state).toBe('nodata');
    expect(state.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        'hall1 — open predictions and alarms',
        'hall2 — open predictions and alarms',
        'hall1 — points bad, stale or missing',
        'hall2 — points bad, stale or missing',
      ]),
    );
    // the variables from the hub's topology: its one site, both halls (All)
    expect(await variableText('site')).toContain('dc1');
    expect(await variableText('hall')).toContain('All');
    await screenshot(page, 'site-overview-hub');
  }, 60_000);

  it('names each hall’s bars and counts, and shows the figures the hub answers', async () => {
    const text = async (title: string) =>
      (await page.locator(`[data-testid="harness-dashboard-panel"][data-title="${title}"]`).textContent()) ?? '';
    for (const title of ['IT power by hall', 'CRAH fan power by hall', 'Chilled-water plant power by hall']) {
      const t = await text(title);
      expect([title, /hall1/.test(t), /hall2/.test(t)]).toEqual([title, true, true]);
    }
    // one open event per hall; hall2's failed sensor is its one point needing attention
    // (a panel's text: its title, its links, then the stat's value)
    expect(await text('hall1 — open predictions and alarms')).toMatch(/\D1$/);
    expect(await text('hall2 — open predictions and alarms')).toMatch(/\D1$/);
    expect(await text('hall2 — points bad, stale or missing')).toMatch(/\D1$/);
    expect(await text('hall1 — points bad, stale or missing')).toMatch(/\D0$/);
    // hall2's worst inlet as the hub answers the panel's query (hall2's sources are stopped: the value is final)
    const a = await hubQuery(bed, [
      {
        refId: 'IN',
        queryType: 'latest',
        selector: { hall: ['hall2'], quantity: ['temperature'], tags: ['inlet'] },
        groupBy: 'hall',
        aggregate: 'max',
      },
    ]);
    const f = a.results.IN!.frames[0]!;
    const value = f.data!.values[f.schema!.fields.findIndex((x) => x.name === 'value')]![0] as number;
    expect(await text('Worst rack inlet by hall')).toMatch(new RegExp(`hall2\\s*${value.toFixed(1)}`));
  });

  it('links each hall’s panels to that hall’s NOC wall, hall, predictions and data-quality dashboards', async () => {
    const links = await page.$$eval('[data-testid="harness-dashboard-panel"]', (panels) =>
      panels.flatMap((p) =>
        [...p.querySelectorAll('[data-testid="harness-dashboard-panel-links"] a')].map((a) => ({
          panel: p.getAttribute('data-title'),
          text: a.textContent,
          href: a.getAttribute('href') ?? '',
        })),
      ),
    );
    const of = (panel: string) => links.filter((l) => l.panel === panel).map((l) => [l.text, l.href.split('&')[0]]);
    expect(of('hall2 — open predictions and alarms')).toEqual([
      ['NOC wall', '/d/plenum-noc-wall/plenum-noc-wall?var-site=dc1'],
      ['Hall', '/d/plenum-hall/plenum-hall?var-site=dc1'],
      ['Predictions', '/d/plenum-predictions/plenum-predictions?var-site=dc1'],
    ]);
    for (const l of links.filter((x) => x.panel?.startsWith('hall2')))
      expect([l.panel, l.href]).toEqual([l.panel, expect.stringContaining('var-site=dc1&var-hall=hall2&')]);
    for (const l of links.filter((x) => x.panel?.startsWith('hall1')))
      expect([l.panel, l.href]).toEqual([l.panel, expect.stringContaining('var-site=dc1&var-hall=hall1&')]);
  });

  it('draws the rack heatmap of either hall on the hall dashboard through the same data source', async () => {
    for (const hall of ['hall1', 'hall2']) {
      await page.evaluate(
        (h) =>
          window.harness.mountDashboard('plenum-hall', {
            width: 1600,
            theme: 'dark',
            variables: { site: 'dc1', hall: h },
            timeoutMs: 30_000,
          }),
        hall,
      );
      const state = await page.evaluate(() => window.harness.dashboardState());
      const heatmaps = state.filter((p) => p.type === 'plenum-rackheatmap-panel');
      expect([hall, heatmaps.length, heatmaps.filter((p) => p.state !== 'ok')]).toEqual([hall, 3, []]);
      expect(await variableText('hall')).toContain(hall);
    }
  }, 60_000);

  it('passes Save & test at the hub: its store and points', async () => {
    await page.evaluate(() => window.harness.mountDatasourceConfig('plenum'));
    await page.getByTestId('harness-save-test').click();
    const result = page.locator('[data-testid="harness-test-result"][data-status="success"]');
    await result.waitFor();
    // every point of both halls (the testkit's default four racks each)
    expect(await result.textContent()).toBe(
      `Plenum hub at ${bed.url} over victoriametrics at ${bed.vm.url}: ${2 * hubBedPoints(4)} points`,
    );
  });

  it('logged no page errors but the hub’s 404s to the live panels’ first stream poll', () => {
    // the hall dashboard's live heatmaps each ask /api/stream once; the hub has none (404), and the data source
    // answers live queries as plain ones from then on (the browser logs each failed request)
    const notFound = 'console: Failed to load resource: the server responded with a status of 404 (Not Found)';
    const errors = pageErrors(page);
    expect(errors.filter((e) => e !== notFound)).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(3);
  });
});
