import type { Browser, Page } from 'playwright-core';
import { startHarnessServer, type HarnessServer } from '../server/server';
import { launchBrowser, openHarness, pageErrors, requireBuilt, screenshot } from '../testing/browser';
import { startFixtureUpstream, type FixtureUpstream } from '../testing/fixture-upstream';
import { FIXTURE_PANEL_ID, FIXTURE_PLUGINS, fixtureDatasource } from '../testing/fixtures';
import type { MountPanelOptions } from './api';

const TOKEN = 'tok-panel-31c';

/** Two supply temperatures: one below the default threshold (80), one above. */
const FRAMES = [
  {
    name: 'supply',
    fields: [
      { name: 'time', type: 'time', values: [1_700_000_000_000, 1_700_000_060_000] },
      { name: 'temp', type: 'number', values: [21.5, 85] },
    ],
  },
];

/** Grafana's named colours as the dark and light themes resolve them. */
const DARK = { green: '#73BF69', red: '#F2495C', blue: '#5794F2', orange: '#FF9830' };
const LIGHT = { green: '#56A64B', red: '#E02F44' };

describe('harness: a panel plugin in the browser', () => {
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
    page = await openHarness(browser, server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  const mount = (options: MountPanelOptions, id = FIXTURE_PANEL_ID) =>
    page.evaluate(([pluginId, o]) => window.harness.mountPanel(pluginId, o), [id, options] as const);

  /** Text and colour of each value tile. */
  const tiles = () =>
    page
      .getByTestId('fixture-panel-value')
      .evaluateAll((els) => els.map((el) => [el.textContent, el.getAttribute('data-color')]));

  it('renders with the plugin’s defaults: unit from useFieldConfig, thresholds from the standard registry', async () => {
    await mount({ frames: FRAMES, width: 640, height: 360, title: 'Supply' });
    expect(await page.getByTestId('fixture-panel-label').textContent()).toBe('Supply temperature');
    expect(await tiles()).toEqual([
      ['21.5 °C', DARK.green],
      ['85 °C', DARK.red],
    ]);
    await screenshot(page, 'fixture-panel-dark', '[data-testid="harness-panel"]');
    expect(pageErrors(page)).toEqual([]);
  });

  it('renders in the light theme, the theme the plugin reads with useTheme2', async () => {
    await mount({ frames: FRAMES, width: 640, height: 360, title: 'Supply', theme: 'light' });
    expect(await tiles()).toEqual([
      ['21.5 °C', LIGHT.green],
      ['85 °C', LIGHT.red],
    ]);
    expect(await page.evaluate(() => document.body.className)).toBe('theme-light');
    // the page background is the light theme's canvas, as the shared @grafana/data computes it
    const [body, canvas] = await page.evaluate(async () => {
      const data = (await window.System.import('@grafana/data')) as typeof import('@grafana/data');
      const probe = document.createElement('div');
      probe.style.backgroundColor = data.createTheme({ colors: { mode: 'light' } }).colors.background.canvas;
      document.body.append(probe);
      const colors = [getComputedStyle(document.body).backgroundColor, getComputedStyle(probe).backgroundColor];
      probe.remove();
      return colors;
    });
    expect(body).toBe(canvas);
    expect(body).not.toBe('rgba(0, 0, 0, 0)');
    await screenshot(page, 'fixture-panel-light', '[data-testid="harness-panel"]');
    expect(pageErrors(page)).toEqual([]);
  });

  it('gives the panel the inner size of the chrome, and a new one on resize', async () => {
    await mount({ frames: FRAMES, width: 640, height: 360 });
    const size = async (): Promise<[number, number]> => {
      const el = page.getByTestId('fixture-panel');
      return [Number(await el.getAttribute('data-width')), Number(await el.getAttribute('data-height'))];
    };
    const [w1, h1] = await size();
    // PanelChrome takes the header and padding off
    expect(w1).toBeLessThan(640);
    expect(w1).toBeGreaterThan(600);
    expect(h1).toBeLessThan(360 - 24);
    await page.evaluate(() => window.harness.resizePanel(320, 240));
    const [w2, h2] = await size();
    expect([640 - w1, 360 - h1]).toEqual([320 - w2, 240 - h2]);
  });

  it('runs the migration handler on saved options, then merges the saved field config over the defaults', async () => {
    await mount({
      frames: FRAMES,
      pluginVersion: '1.0.0',
      options: { title: 'CRAH-1 supply', size: 'sm' },
      fieldConfig: {
        defaults: {
          unit: 'percent',
          thresholds: {
            mode: 'absolute',
            steps: [
              { value: null, color: 'blue' },
              { value: 50, color: 'orange' },
            ],
          },
        },
        overrides: [],
      },
    });
    expect(await page.getByTestId('fixture-panel-label').textContent()).toBe('CRAH-1 supply');
    expect(await tiles()).toEqual([
      ['21.5%', DARK.blue],
      ['85%', DARK.orange],
    ]);
  });

  it('interpolates dashboard variables through replaceVariables', async () => {
    await page.evaluate(() =>
      window.harness.setVariables([{ name: 'hall', current: { text: 'Hall A', value: 'hall-a' } }]),
    );
    await mount({ frames: FRAMES, pluginVersion: '2.0.0', options: { label: 'Supply in ${hall:text}' } });
    expect(await page.getByTestId('fixture-panel-label').textContent()).toBe('Supply in Hall A');
  });

  it('renders data queried from a datasource', async () => {
    await mount({ datasourceUid: 'fixture', targets: [{ refId: 'A', text: 'supply' }] });
    expect((await tiles()).map(([text]) => text)).toEqual(['18.5 °C', '21 °C', '27.3 °C']);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows a panel’s own error in the error element instead of breaking the page', async () => {
    await mount({ frames: FRAMES, pluginVersion: '2.0.0', options: { crash: true } });
    expect(await page.getByTestId('harness-panel-error').textContent()).toBe('fixture panel crashed on purpose');
    // React reports the error it caught; nothing else went wrong
    const errors = pageErrors(page).splice(0);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.includes('fixture panel crashed on purpose') || e.includes('error boundary'))).toBe(
      true,
    );
    await mount({ frames: FRAMES });
    expect(await page.getByTestId('fixture-panel-value').count()).toBe(2);
  });

  it('shows a plugin that cannot be loaded in the error element', async () => {
    await mount({ frames: FRAMES }, 'no-such-panel');
    expect(await page.getByTestId('harness-panel-error').textContent()).toBe(
      'Plugin not found, no installed plugin with that id',
    );
    expect(pageErrors(page).splice(0)).toEqual([expect.stringMatching(/status of 404/)]);
  });

  it('works the same under a base path (the preview is served at /preview)', async () => {
    const prefixed = await startHarnessServer({
      plugins: FIXTURE_PLUGINS,
      datasources: [fixtureDatasource(upstream.url, TOKEN)],
      basePath: '/preview',
    });
    const other = await openHarness(browser, prefixed);
    try {
      const requested: string[] = [];
      other.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await other.evaluate(() =>
        window.harness.mountPanel('harness-fixture-panel', { datasourceUid: 'fixture', targets: [{ refId: 'A' }] }),
      );
      expect(await other.getByTestId('fixture-panel-value').count()).toBe(3);
      expect(requested.length).toBeGreaterThan(0);
      expect(requested.filter((p) => !p.startsWith('/preview/'))).toEqual([]);
      expect(pageErrors(other)).toEqual([]);
    } finally {
      await other.context().close();
      await prefixed.close();
    }
  });
});
