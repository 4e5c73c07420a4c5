import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { HealthResponse } from '@plenum/model';
import { waitFor, type Stack } from '../../../backend/src/testing/stack';
import type { HarnessQueryResponse, MountPanelOptions } from '../host/api';
import { REPO_DIR } from '../server/paths';
import { openPlenumBed, type PlenumBed } from './plenum-bed';
import { pageErrors, screenshot } from '../testing/browser';

/**
 * The built rack heatmap (`panels/rack-heatmap/dist`) in the harness: frames given directly for deterministic
 * pictures (both themes, stale and missing racks, tooltip, data link, variable, split tiles, TV mode, 10,000 racks),
 * then the same panel on the Plenum datasource's `rackLayout` query against the simulator and backend.
 */
const PANEL_ID = 'plenum-rackheatmap-panel';
const TOKEN = 'rack-heatmap-test-token-5c1';

/** End of the dashboard's time range; values are judged stale relative to it. */
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const RANGE = { from: new Date(NOW - 3_600_000).toISOString(), to: new Date(NOW).toISOString() };

/** Plenum's sample hall: rows A–D of 10 racks at y = 1, 3, 5, 7; A/C face south, B/D north (cold aisles A|B, C|D). */
const RACKS = ['A', 'B', 'C', 'D'].flatMap((row, r) =>
  Array.from({ length: 10 }, (_, k) => ({
    rack: `${row}${String(k + 1).padStart(2, '0')}`,
    row,
    x: k + 1,
    y: 2 * r + 1,
    facing: r % 2 === 0 ? 'south' : 'north',
  })),
);
/** No row in the values frame, a null value, and a value two hours old. */
const ABSENT = 'B04';
const NULL_VALUE = 'C07';
const STALE = ['A08', 'D02'];
/** Inlet °C per rack: 17 … 33 across the hall, so every ASHRAE band appears. */
const inlet = (i: number) => Math.round((17 + (16 * ((i * 7) % 40)) / 39) * 10) / 10;

const layoutFrame = {
  name: 'layout',
  refId: 'A',
  fields: [
    { name: 'rack', type: 'string', values: RACKS.map((r) => r.rack) },
    { name: 'hall', type: 'string', values: RACKS.map(() => 'hall1') },
    { name: 'row', type: 'string', values: RACKS.map((r) => r.row) },
    { name: 'x', type: 'number', values: RACKS.map((r) => r.x) },
    { name: 'y', type: 'number', values: RACKS.map((r) => r.y) },
    { name: 'facing', type: 'string', values: RACKS.map((r) => r.facing) },
  ],
};

function valuesFrame(name = 'inlet', offset = 0) {
  const rows = RACKS.map((r, i) => ({ ...r, i })).filter((r) => r.rack !== ABSENT);
  return {
    name,
    refId: 'A',
    fields: [
      { name: 'rack', type: 'string', values: rows.map((r) => r.rack) },
      { name: 'hall', type: 'string', values: rows.map(() => 'hall1') },
      {
        name: 'time',
        type: 'time',
        values: rows.map((r) => (STALE.includes(r.rack) ? NOW - 7_200_000 : NOW - 30_000)),
      },
      {
        name: 'value',
        type: 'number',
        config: { unit: 'celsius', decimals: 1, displayNameFromDS: name },
        values: rows.map((r) => (r.rack === NULL_VALUE ? null : inlet(r.i) + offset)),
      },
    ],
  };
}

/** A03's inlet over the last hour, labelled as Plenum's timeseries query grouped by rack labels it. */
const historyFrame = {
  name: 'A03 inlet',
  refId: 'T',
  fields: [
    { name: 'time', type: 'time', values: Array.from({ length: 60 }, (_, k) => NOW - 3_540_000 + k * 60_000) },
    {
      name: 'value',
      type: 'number',
      labels: { hall: 'hall1', row: 'A', rack: 'A03' },
      config: { unit: 'celsius' },
      values: Array.from({ length: 60 }, (_, k) => 22 + 3 * Math.sin(k / 8)),
    },
  ],
};

const LINKS = [{ title: 'Rack dashboard', url: '/d/rack-detail?var-rack=${__data.fields.rack}' }];

const BASE: MountPanelOptions = {
  frames: [layoutFrame, valuesFrame(), historyFrame],
  fieldConfig: { defaults: { links: LINKS } },
  options: { color: { preset: 'ashrae', staleAfter: '10m' } },
  timeRange: RANGE,
  timezone: 'utc',
  width: 900,
  height: 520,
  title: 'Hall 1 inlet temperature',
};

/** Grafana's colours for the ASHRAE bands and the dark / light theme. */
const GREEN = { dark: [0x73, 0xbf, 0x69], light: [0x56, 0xa6, 0x4b] };

describe('rack heatmap panel in the harness', () => {
  let bed: PlenumBed;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    bed = await openPlenumBed({ token: TOKEN, panels: [PANEL_ID] });
    ({ stack, page } = bed);
  }, 60_000);

  afterAll(() => bed?.close());

  afterEach(() => {
    expect(pageErrors(page)).toEqual([]);
  });

  const mount = async (options: MountPanelOptions) => {
    await page.evaluate(([id, o]) => window.harness.mountPanel(id, o), [PANEL_ID, options] as const);
    await page.waitForSelector('[data-testid="rack-heatmap-overlay"][data-view]');
    // the floor is measured after layout (ResizeObserver) and redrawn at its size: two frames settle it
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  };

  /** Page coordinates of the centre of a rack at grid (x, y), from the view the panel reports. */
  const centre = async (x: number, y: number) => {
    const overlay = page.getByTestId('rack-heatmap-overlay');
    const view = JSON.parse((await overlay.getAttribute('data-view'))!) as { scale: number; tx: number; ty: number };
    const box = (await overlay.boundingBox())!;
    return { x: box.x + (x + 0.5) * view.scale + view.tx, y: box.y + (y + 0.5) * view.scale + view.ty };
  };

  /** RGB of the floor canvas near a tile's bottom-left corner (page point `at` is its centre), clear of any text. */
  const pixel = async (at: { x: number; y: number }) => {
    const view = JSON.parse((await page.getByTestId('rack-heatmap-overlay').getAttribute('data-view'))!) as {
      scale: number;
    };
    const p = { x: Math.round(at.x - view.scale * 0.4), y: Math.round(at.y + view.scale * 0.4) };
    return page.getByTestId('rack-heatmap-canvas').evaluate((canvas: HTMLCanvasElement, q) => {
      const r = canvas.getBoundingClientRect();
      const d = canvas.getContext('2d')!.getImageData(q.x - r.left, q.y - r.top, 1, 1).data;
      return [d[0], d[1], d[2]];
    }, p);
  };

  const rack = (id: string) => RACKS.find((r) => r.rack === id)!;
  const centreOf = (id: string) => centre(rack(id).x, rack(id).y);

  for (const theme of ['dark', 'light'] as const) {
    it(`draws the hall in the ${theme} theme: ASHRAE bands, stale and missing racks apart from the scale`, async () => {
      await mount({ ...BASE, theme });
      const green = await pixel(await centreOf('A02'));
      expect(green).toEqual(GREEN[theme]);
      // stale and missing racks are hatched, not in any band's colour
      const bands = Object.values(GREEN).map((c) => c.join());
      for (const id of [ABSENT, NULL_VALUE, ...STALE]) {
        const c = await pixel(await centreOf(id));
        expect(bands).not.toContain(c.join());
      }
      const legend = await page.getByTestId('rack-heatmap-legend').textContent();
      expect(legend).toContain('18.0 °C – 27.0 °C recommended');
      expect(legend).toContain('No data');
      expect(legend).toContain('Stale > 10m');
      await screenshot(page, `rack-heatmap-${theme}`, '[data-testid="harness-panel"]');
    });
  }

  it('shows a tooltip on hover: value, age, stale state and the last hour', async () => {
    await mount(BASE);
    const tooltip = page.getByTestId('rack-heatmap-tooltip');
    const a03 = await centreOf('A03');
    await page.mouse.move(a03.x, a03.y);
    await expect(tooltip.textContent()).resolves.toMatch(/^A03hall1 · row Ainlet\d+\.\d °C30 s ago/);
    await page.getByTestId('rack-heatmap-sparkline').locator('canvas').waitFor();
    await expect(tooltip.textContent()).resolves.toContain('Click for links');
    await screenshot(page, 'rack-heatmap-tooltip', '[data-testid="harness-panel"]');

    const stale = await centreOf(STALE[0]!);
    await page.mouse.move(stale.x, stale.y);
    await expect(tooltip.textContent()).resolves.toContain('stale, 2 h ago');
    const absent = await centreOf(ABSENT);
    await page.mouse.move(absent.x, absent.y);
    await expect(tooltip.textContent()).resolves.toContain('No data');
    await page.mouse.move(1, 1);
    await expect(tooltip.count()).resolves.toBe(0);
  });

  it('drills down: a click pins the tooltip and sets var-rack; its data link opens the rack dashboard', async () => {
    await mount({ ...BASE, options: { ...BASE.options, interaction: { variable: 'rack' } } });
    const c05 = await centreOf('C05');
    await page.mouse.click(c05.x, c05.y);
    // the panel sets the variable through Grafana's location service, a history push after the click's handler
    await page.waitForURL((url) => url.searchParams.get('var-rack') === 'C05', { timeout: 5_000 });
    const link = page.getByTestId('rack-heatmap-link');
    await expect(link.getAttribute('href')).resolves.toBe('/d/rack-detail?var-rack=C05');
    await screenshot(page, 'rack-heatmap-link', '[data-testid="harness-panel"]');
    await link.click();
    await page.waitForURL((url) => url.pathname === '/d/rack-detail');
    expect(new URL(page.url()).searchParams.get('var-rack')).toBe('C05');
  });

  it('splits tiles for several values per rack and draws TV mode without hover', async () => {
    await mount({
      ...BASE,
      frames: [layoutFrame, valuesFrame('top', 3), valuesFrame('middle', 1), valuesFrame('bottom', -1)],
      options: { ...BASE.options, layout: { splitValues: true }, text: { tvMode: true } },
      width: 1200,
      height: 640,
    });
    await expect(page.getByTestId('rack-heatmap-updated').textContent()).resolves.toBe(
      'Last updated 11:59:30 (30 s ago)',
    );
    const a02 = await centreOf('A02');
    await page.mouse.move(a02.x, a02.y);
    await expect(page.getByTestId('rack-heatmap-tooltip').count()).resolves.toBe(0);
    await screenshot(page, 'rack-heatmap-tv-split', '[data-testid="harness-panel"]');
  });

  it('draws 10,000 racks with a React tree that does not grow with them', async () => {
    const side = 100;
    const ids = Array.from({ length: side * side }, (_, i) => `R${i}`);
    await mount({
      frames: [
        {
          name: 'floor',
          fields: [
            { name: 'rack', type: 'string', values: ids },
            { name: 'x', type: 'number', values: ids.map((_, i) => i % side) },
            { name: 'y', type: 'number', values: ids.map((_, i) => Math.floor(i / side)) },
            { name: 'kW', type: 'number', config: { unit: 'kwatt' }, values: ids.map((_, i) => (i * 37) % 130) },
          ],
        },
      ],
      fieldConfig: { defaults: { color: { mode: 'continuous-GrYlRd' } } },
      width: 900,
      height: 600,
    });
    const elements = await page.getByTestId('harness-panel').evaluate((el) => el.querySelectorAll('*').length);
    expect(elements).toBeLessThan(120);
    await screenshot(page, 'rack-heatmap-10k', '[data-testid="harness-panel"]');
  });

  it('reads the Plenum datasource’s rackLayout query on the simulated hall', async () => {
    const targets = [
      { refId: 'R', queryType: 'rackLayout', selector: { tags: ['inlet'] }, aggregate: 'max' },
      { refId: 'T', queryType: 'timeseries', selector: { tags: ['inlet'] }, groupBy: 'rack' },
    ];
    await waitFor('simulator data in the backend', async () => {
      const res = await fetch(`${stack.url}/api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const health = (await res.json()) as HealthResponse;
      return health.connectors.length > 0 && health.connectors.every((c) => c.state === 'up') ? health : undefined;
    });
    // the simulator's first samples can precede its sensors settling: wait until most racks have a usable inlet
    const live = await waitFor('inlet values for most racks', async () => {
      const res = (await page.evaluate(
        ([t]) => window.harness.runQuery('plenum', t as never, { range: { from: 'now-1h', to: 'now' } }),
        [targets] as const,
      )) as HarnessQueryResponse;
      const column = (frame: string, field: string) =>
        res.data.find((f) => f.name === frame)?.fields.find((f) => f.name === field)?.values ?? [];
      const values = column('values', 'value');
      const k = values.findIndex((v) => typeof v === 'number');
      if (values.filter((v) => typeof v === 'number').length < 30) return undefined;
      const rack = column('values', 'rack')[k] as string;
      const i = column('layout', 'rack').indexOf(rack);
      return { rack, x: column('layout', 'x')[i] as number, y: column('layout', 'y')[i] as number };
    });
    await mount({
      datasourceUid: 'plenum',
      targets,
      options: { color: { preset: 'ashrae' } },
      timeRange: { from: 'now-1h', to: 'now' },
      width: 900,
      height: 520,
      title: 'Simulated hall: inlet (max per rack)',
    });
    const at = await centre(live.x, live.y);
    await page.mouse.move(at.x, at.y);
    await expect(page.getByTestId('rack-heatmap-tooltip').textContent()).resolves.toMatch(
      new RegExp(`^${live.rack}hall1 · row [A-Z]temperature\\d+\\.\\d °C`),
    );
    await screenshot(page, 'rack-heatmap-live', '[data-testid="harness-panel"]');
  }, 60_000);
});

/** The pictures the plugin's README shows, copied from harness/screenshots when asked (UPDATE_README_SCREENSHOTS=1). */
afterAll(() => {
  if (!process.env.UPDATE_README_SCREENSHOTS) {
    return;
  }
  const to = path.join(REPO_DIR, 'panels', 'rack-heatmap', 'src', 'img', 'screenshots');
  fs.mkdirSync(to, { recursive: true });
  for (const name of ['dark', 'light', 'tooltip', 'link', 'tv-split', 'live']) {
    fs.copyFileSync(
      path.join(REPO_DIR, 'harness', 'screenshots', `rack-heatmap-${name}.png`),
      path.join(to, `${name}.png`),
    );
  }
});
