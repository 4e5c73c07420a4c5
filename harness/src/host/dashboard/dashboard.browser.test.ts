import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { HARNESS_DIR } from '../../server/paths';
import { startHarnessServer, type HarnessServer } from '../../server/server';
import { launchBrowser, openHarness, pageErrors, requireBuilt, screenshot } from '../../testing/browser';
import { startFixtureUpstream, type FixtureUpstream } from '../../testing/fixture-upstream';
import { FIXTURE_PLUGINS, fixtureDatasource } from '../../testing/fixtures';
import type { DashboardPanelState, MountDashboardOptions } from '../api';
import { gridToPixels } from './grid-layout';

const TOKEN = 'tok-dash-5e1';
const DASHBOARDS_DIR = path.join(HARNESS_DIR, 'fixtures', 'dashboards');
const FIXTURE = JSON.parse(fs.readFileSync(path.join(DASHBOARDS_DIR, 'fixture-overview.json'), 'utf8')) as {
  uid: string;
  panels: Record<string, unknown>[];
};
/** px: the page is 1280 wide, the grid inside the dashboard's 16 px padding */
const WIDTH = 1280;
const GRID_WIDTH = WIDTH - 32;

/** What the fixture dashboard shows with its saved variables (Hall A, all racks). */
const EXPECTED: DashboardPanelState[] = [
  { title: 'Supply in Hall A', type: 'timeseries', state: 'ok' },
  { title: 'Latest supply', type: 'stat', state: 'ok' },
  { title: 'Mean supply', type: 'stat', state: 'ok' },
  { title: 'Readings', type: 'table', state: 'ok' },
  { title: 'Fixture plugin panel', type: 'harness-fixture-panel', state: 'ok' },
  { title: 'Bar gauge', type: 'bargauge', state: 'ok' },
  { title: 'Gauge', type: 'gauge', state: 'ok' },
  { title: 'Rack hall-a-r1', type: 'stat', state: 'ok' },
  { title: 'Rack hall-a-r2', type: 'stat', state: 'ok' },
  { title: 'Failing query', type: 'timeseries', state: 'error', error: 'query A failed on purpose' },
  { title: 'Empty answer', type: 'stat', state: 'nodata' },
  { title: 'Notes', type: 'text', state: 'ok' },
  { title: 'Live', type: 'stat', state: 'ok' },
  // rows came, but the stat's `fields` pattern selects none of them: Grafana's stat shows "No data"
  { title: 'No matching field', type: 'stat', state: 'nodata' },
];

interface QueryBody {
  maxDataPoints: number;
  intervalMs: number;
  targets: { refId: string; queryType: string; text: string }[];
}

describe('harness: dashboards in the browser', () => {
  let upstream: FixtureUpstream;
  let server: HarnessServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireBuilt();
    upstream = await startFixtureUpstream(TOKEN);
    server = await startHarnessServer({
      plugins: FIXTURE_PLUGINS,
      datasources: [fixtureDatasource(upstream.url, TOKEN)],
      dashboardsDir: DASHBOARDS_DIR,
    });
    browser = await launchBrowser();
    page = await openHarness(browser, server, { viewport: { width: WIDTH, height: 1100 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  const mount = (dashboard: object | string, options: MountDashboardOptions = {}) =>
    page.evaluate(([d, o]) => window.harness.mountDashboard(d as never, o), [dashboard, options] as const);
  const state = () => page.evaluate(() => window.harness.dashboardState());
  const panel = (title: string) => page.locator(`[data-testid="harness-dashboard-panel"][data-title="${title}"]`);
  /** the /query bodies the upstream received since `from` (an index into its request log) */
  const queries = (from = 0) =>
    upstream.requests
      .slice(from)
      .filter((r) => r.url === '/query')
      .map((r) => JSON.parse(r.body) as QueryBody);

  it('renders every panel: core stand-ins, the plugin panel, an error, "No data"; resolves once none is loading', async () => {
    const started = Date.now();
    await mount(FIXTURE, { width: WIDTH });
    const elapsed = Date.now() - started;
    expect(await state()).toEqual(EXPECTED);
    expect(elapsed).toBeLessThan(10_000);

    expect(await panel('Failing query').getByTestId('harness-dashboard-panel-error').textContent()).toBe(
      'query A failed on purpose',
    );
    expect(await panel('Empty answer').textContent()).toContain('No data');
    expect(await panel('Latest supply').textContent()).toContain('27.3');
    expect(await panel('Mean supply').textContent()).toMatch(/22\.3\s*°C/);
    expect(await panel('Readings').getByRole('row').count()).toBe(4);
    expect(await panel('Supply in Hall A').locator('canvas').count()).toBeGreaterThan(0);
    expect(await panel('Notes').locator('strong').textContent()).toBe('Hall A');
    expect(await panel('Fixture plugin panel').getByTestId('fixture-panel-value').allTextContents()).toEqual([
      '18.5 °C',
      '21 °C',
      '27.3 °C',
    ]);
    // the constant variable reached the plugin through replaceVariables
    expect(await panel('Fixture plugin panel').getByTestId('fixture-panel-label').textContent()).toBe(
      'Supply at plenum-lab',
    );
    // each panel in its grid cell: "Latest supply" is x 12, y 1, 6 × 4
    const box = await panel('Latest supply').boundingBox();
    const dashboardBox = await page.getByTestId('harness-dashboard').boundingBox();
    const cell = gridToPixels({ x: 12, y: 1, w: 6, h: 4 }, GRID_WIDTH);
    expect(box).toMatchObject({ width: cell.width, height: cell.height });
    expect(box!.x - dashboardBox!.x - 16).toBeCloseTo(cell.left, 0);
    await screenshot(page, 'dashboard-fixture-dark', '[data-testid="harness-dashboard"]');
    expect(pageErrors(page)).toEqual([]);
  });

  it('builds requests as Grafana’s query runner: maxDataPoints = panel width, $__interval, repeats scoped', async () => {
    const from = upstream.requests.length;
    await mount(FIXTURE, { width: WIDTH });
    const sent = queries(from);
    const byText = (text: string) =>
      sent.filter((q) => q.targets[0]?.text === text && q.targets[0]?.queryType === 'series');
    // "Supply in Hall A": 12 columns wide, min interval 1m; 6 h over 620 px would be 30s
    const supply = byText('hall-a')[0]!;
    expect(supply.maxDataPoints).toBe(gridToPixels({ x: 0, y: 1, w: 12, h: 8 }, GRID_WIDTH).width);
    expect(supply.intervalMs).toBe(60_000);
    // "Readings": 12 columns, no min interval → 30s
    const readings = sent.find((q) => q.targets[0]?.text === 'supply' && q.maxDataPoints === 620)!;
    expect(readings.intervalMs).toBe(30_000);
    // the repeated stat queried once per rack, its `$rack` from the clone's scoped variables
    expect(byText('hall-a-r1')).toHaveLength(1);
    expect(byText('hall-a-r2')).toHaveLength(1);
    // the annotation query ran with the dashboard's variables; Grafana's built-in one is not queried
    expect(sent.filter((q) => q.targets[0]?.queryType === 'annotations').map((q) => q.targets[0]?.text)).toEqual([
      'hall-a',
    ]);
  });

  it('takes requested variable values, resolving the query variable after the custom one it reads', async () => {
    const from = upstream.requests.length;
    await mount(FIXTURE.uid, { width: WIDTH, variables: { hall: 'hall-b', rack: ['hall-b-r2'] } });
    const titles = (await state()).map((p) => p.title);
    expect(titles).toContain('Supply in Hall B');
    expect(titles.filter((t) => t.startsWith('Rack '))).toEqual(['Rack hall-b-r2']);
    expect(upstream.requests.slice(from).find((r) => r.url.startsWith('/values'))?.url).toBe(
      `/values?q=${encodeURIComponent('hall-b-r1|hall-b-r2')}`,
    );
    expect(await page.getByTestId('harness-variable-rack').textContent()).toContain('hall-b-r2');
  });

  it('re-resolves dependent variables and re-runs only the panels that read a variable the bar changed', async () => {
    await mount(FIXTURE, { width: WIDTH });
    const from = upstream.requests.length;
    await page.locator('#var-hall').click();
    await page.getByRole('option', { name: 'Hall B' }).click();
    await page.locator('[data-title="Rack hall-b-r2"][data-state="ok"]').waitFor();
    await page.locator('[data-title="Supply in Hall B"][data-state="ok"]').waitFor();
    // a panel can show "ok" before the upstream stub has recorded every request of the change (a loaded CI
    // machine): wait for the four, then judge which they were
    for (const end = Date.now() + 10_000; queries(from).length < 4 && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 50));
    const texts = queries(from).map((q) => q.targets[0]?.text);
    expect(texts.sort()).toEqual(['hall-b', 'hall-b', 'hall-b-r1', 'hall-b-r2']);
    // the annotation (reads $hall) and the supply timeseries re-ran; "Latest supply" (no variables) did not
    expect(upstream.requests.slice(from).filter((r) => r.url.startsWith('/values'))).toHaveLength(1);
    expect(await page.locator('.markdown-html strong').textContent()).toBe('Hall B');
  });

  it('updates a panel with each emission of a streaming target', async () => {
    await mount(FIXTURE, { width: WIDTH });
    await panel('Live').getByText('20', { exact: true }).waitFor();
  });

  it('expands a collapsed row on click, its panels then loading like any other', async () => {
    await mount(FIXTURE, { width: WIDTH });
    expect((await state()).map((p) => p.title)).not.toContain('Hidden until expanded');
    await page.locator('[data-testid="harness-dashboard-row"][data-title="Details"]').click();
    await page.locator('[data-title="Hidden until expanded"][data-state="ok"]').waitFor();
    expect((await state()).at(-1)).toEqual({ title: 'Hidden until expanded', type: 'stat', state: 'ok' });
  });

  it('re-runs its queries every `refresh` (no shorter than Grafana’s 5 s minimum)', async () => {
    const refreshing = {
      uid: 'refreshing',
      title: 'Refreshing',
      refresh: '1s',
      time: { from: 'now-1h', to: 'now' },
      panels: [
        {
          id: 1,
          type: 'stat',
          title: 'Ticking',
          datasource: { uid: 'fixture' },
          gridPos: { x: 0, y: 0, w: 6, h: 4 },
          targets: [{ refId: 'A', text: 'tick' }],
        },
      ],
    };
    const from = upstream.requests.length;
    await mount(refreshing, { width: WIDTH });
    const ticks = () => queries(from).filter((q) => q.targets[0]?.text === 'tick').length;
    expect(ticks()).toBe(1);
    await page.waitForTimeout(5_600);
    expect(ticks()).toBe(2);
  }, 20_000);

  it('renders in the light theme', async () => {
    await mount(FIXTURE, { width: WIDTH, theme: 'light' });
    expect((await state()).map((p) => p.state)).toEqual(EXPECTED.map((p) => p.state));
    await screenshot(page, 'dashboard-fixture-light', '[data-testid="harness-dashboard"]');
    await mount(FIXTURE, { width: WIDTH, theme: 'dark' });
  });

  it('opens a provisioned dashboard from the URL: var-… params, kiosk, and variables written back', async () => {
    const other = await browser.newPage({ viewport: { width: WIDTH, height: 1100 } });
    try {
      await other.goto(`${server.url}?dashboard=${FIXTURE.uid}&var-hall=hall-b&kiosk`);
      await other.locator('[data-title="Supply in Hall B"][data-state="ok"]').waitFor();
      expect(await other.getByTestId('harness-dashboard-variables').count()).toBe(0);
      await screenshot(other, 'dashboard-fixture-kiosk');
      await other.goto(`${server.url}?dashboard=${FIXTURE.uid}&var-hall=hall-b`);
      await other.locator('[data-title="Rack hall-b-r1"][data-state="ok"]').waitFor();
      expect(await other.getByTestId('harness-dashboard-variables').count()).toBe(1);
      const params = new URL(other.url()).searchParams;
      expect(params.getAll('var-rack')).toEqual(['$__all']);
      expect(params.get('var-hall')).toBe('hall-b');
    } finally {
      await other.close();
    }
  });

  it('lists the dashboards of a dashboardsDir on the bare landing page, each linking to its view', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-landing-'));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ ...FIXTURE, title: 'Zeta hall' }));
    fs.writeFileSync(
      path.join(dir, 'a.json'),
      JSON.stringify({ uid: 'alpha', title: 'Alpha', tags: ['x'], panels: [] }),
    );
    const landing = await startHarnessServer({
      plugins: FIXTURE_PLUGINS,
      datasources: [fixtureDatasource(upstream.url, TOKEN)],
      dashboardsDir: dir,
      basePath: '/preview',
    });
    const other = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
    try {
      await other.goto(landing.url);
      const links = other.getByTestId('harness-dashboard-link');
      await links.first().waitFor();
      expect(await links.allTextContents()).toEqual(['Alpha', 'Zeta hall']);
      expect(await links.evaluateAll((els) => els.map((el) => el.getAttribute('href')))).toEqual([
        '?dashboard=alpha',
        `?dashboard=${FIXTURE.uid}`,
      ]);
      await screenshot(other, 'dashboard-landing');
      await links.nth(1).click();
      await other.locator('[data-title="Latest supply"][data-state="ok"]').waitFor();
      expect(new URL(other.url()).pathname).toBe('/preview/');
    } finally {
      await other.close();
      await landing.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
