import type { Browser, Page } from 'playwright-core';
import { startHarnessServer, type HarnessServer } from '../server/server';
import {
  canvasTexts,
  launchBrowser,
  openHarness,
  pageErrors,
  recordCanvasText,
  requireBuilt,
  screenshot,
} from '../testing/browser';
import { startFixtureUpstream, type FixtureUpstream } from '../testing/fixture-upstream';
import { FIXTURE_DATASOURCE_ID, FIXTURE_PLUGINS, fixtureDatasource } from '../testing/fixtures';

const TOKEN = 'tok-explore-31c9';

/** Polls `check` every 50 ms for at most 5 s. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!check()) throw new Error('condition not met within 5 s');
}

/**
 * `?view=explore` as Grafana 13's Explore: a new pane's query is the data source's `getDefaultQuery('explore')` with
 * refId and data source, it runs at once (request `app: explore`), and the answer shows as a graph and a table.
 */
describe('harness: the Explore view', () => {
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
    });
    browser = await launchBrowser();
    page = await openHarness(browser, server, { viewport: { width: 1200, height: 1400 } });
    await recordCanvasText(page, 'navigation');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  const queries = () =>
    upstream.requests
      .filter((r) => r.url.endsWith('/query'))
      .map((r) => JSON.parse(r.body) as { app: string; maxDataPoints: number; targets: unknown[] });
  const queryJson = async () => JSON.parse((await page.getByTestId('harness-query-json').textContent()) ?? '{}');

  it('opens with the default query, runs it at once and draws the graph and the table', async () => {
    const before = queries().length;
    await page.goto(`${server.url}?view=explore&ds=fixture`);
    await page.waitForSelector(
      '[data-testid="harness-explore"][data-state="Done"] [data-testid="harness-explore-graph"] canvas',
    );

    // the model is the default query, not a bare {refId}: what the editor shows is what runs
    const expected = {
      refId: 'A',
      datasource: { type: FIXTURE_DATASOURCE_ID, uid: 'fixture' },
      queryType: 'series',
      text: 'default for explore',
    };
    expect(await queryJson()).toEqual(expected);
    await expect(page.evaluate(() => window.harness.getQuery())).resolves.toEqual(expected);
    await expect(page.getByTestId('fixture-query-text').inputValue()).resolves.toBe('default for explore');
    // …and it ran without an edit, as Explore runs a pane's queries when it initialises
    const ran = queries().slice(before);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({
      app: 'explore',
      targets: [{ refId: 'A', queryType: 'series', text: 'default for explore' }],
    });
    expect(ran[0]!.maxDataPoints).toBe(1200 - 32);

    // the graph: the series in the legend (its field's name, as getFieldDisplayName gives it), and a °C axis
    // spanning its values (18.5 … 27.25 °C)
    const graph = page.getByTestId('harness-explore-graph');
    await expect(graph.textContent()).resolves.toBe('Graphvalue');
    await page.waitForFunction(() => ((window as { __canvasText?: unknown[] }).__canvasText ?? []).length > 0);
    const ticks = (await canvasTexts(page, '[data-testid="harness-explore-graph"]'))
      .map((t) => t.text)
      .filter((t) => t.endsWith('°C'));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    const degrees = ticks.map((t) => parseFloat(t));
    expect(Math.min(...degrees)).toBeLessThanOrEqual(19);
    expect(Math.max(...degrees)).toBeGreaterThanOrEqual(26);
    expect(Math.max(...degrees)).toBeLessThanOrEqual(30);

    // the table: the same time series, its values formatted by unit
    const table = page.getByTestId('harness-explore-table');
    await expect(table.count()).resolves.toBe(1);
    const cells = (await table.textContent()) ?? '';
    expect(cells).toContain('18.5 °C');
    expect(cells).toContain('27.3 °C');
    await screenshot(page, 'explore-fixture', '[data-testid="harness-explore"]');
    expect(pageErrors(page)).toEqual([]);
  });

  it('runs the edited query on the editor’s onRunQuery and on "Run query"', async () => {
    const input = page.getByTestId('fixture-query-text');
    let before = queries().length;
    await input.fill('return');
    await input.blur();
    await until(() => queries().length > before);
    expect(queries().slice(before)).toEqual([
      expect.objectContaining({ app: 'explore', targets: [expect.objectContaining({ text: 'return' })] }),
    ]);
    expect(await queryJson()).toMatchObject({ refId: 'A', text: 'return' });
    await page.waitForSelector(
      '[data-testid="harness-explore"][data-state="Done"] [data-testid="harness-explore-graph"]',
    );

    before = queries().length;
    await page.getByTestId('harness-explore-run').click();
    await until(() => queries().length > before);
    expect(queries().slice(before)).toEqual([
      expect.objectContaining({ targets: [expect.objectContaining({ text: 'return' })] }),
    ]);
    await page.waitForSelector(
      '[data-testid="harness-explore"][data-state="Done"] [data-testid="harness-explore-graph"]',
    );
  });

  it('shows a frame that is not a time series as a table only, and says when there is no data or an error', async () => {
    await expect(
      page.evaluate(() =>
        window.harness.mountExplore('fixture', { query: { refId: 'A', queryType: 'stream', count: 1 } }),
      ),
    ).resolves.toBe('Streaming');
    await page.waitForSelector('[data-testid="harness-explore-table"]');
    await expect(page.getByTestId('harness-explore-graph').count()).resolves.toBe(0);
    await expect(page.getByTestId('harness-explore-table').textContent()).resolves.toMatch(/seq.*value/);

    await page.evaluate(() => window.harness.mountExplore('fixture', { query: { refId: 'A', text: 'empty' } }));
    await expect(page.getByTestId('harness-explore-nodata').textContent()).resolves.toBe('No data');

    await expect(
      page.evaluate(() => window.harness.mountExplore('fixture', { query: { refId: 'A', text: 'fail' } })),
    ).resolves.toBe('Error');
    await expect(page.getByTestId('harness-explore-error').textContent()).resolves.toContain(
      'query A failed on purpose',
    );
    await expect(page.getByTestId('harness-explore-graph').count()).resolves.toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });
});
