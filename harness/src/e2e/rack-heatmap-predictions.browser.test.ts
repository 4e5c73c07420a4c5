import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor, type Stack } from '../../../backend/src/testing/stack';
import type { HarnessQueryResponse, MountPanelOptions } from '../host/api';
import { REPO_DIR } from '../server/paths';
import { openPlenumBed, type PlenumBed } from './plenum-bed';
import { pageErrors, screenshot } from '../testing/browser';

/**
 * The built rack heatmap with open predictions (issue 13): a predictions frame as Plenum's `events` query returns it
 * for open `prediction` events, given directly (pixels of the corner mark, tooltip, legend, TV header), then the
 * same through the datasource from a prediction event stored in the backend.
 */
const PANEL_ID = 'plenum-rackheatmap-panel';
const TOKEN = 'rack-heatmap-predictions-token-7d2';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const RANGE = { from: new Date(NOW - 3_600_000).toISOString(), to: new Date(NOW).toISOString() };

/** Rows A–D of 10 racks, as the sample hall (see rack-heatmap.browser.test.ts). */
const RACKS = ['A', 'B', 'C', 'D'].flatMap((row, r) =>
  Array.from({ length: 10 }, (_, k) => ({
    rack: `${row}${String(k + 1).padStart(2, '0')}`,
    row,
    x: k + 1,
    y: 2 * r + 1,
    facing: r % 2 === 0 ? 'south' : 'north',
  })),
);
/** Every inlet in the recommended band (green), so a mark's colour can only be the mark's. */
const inlet = (i: number) => 19 + (i % 7);

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
const valuesFrame = {
  name: 'values',
  refId: 'A',
  fields: [
    { name: 'rack', type: 'string', values: RACKS.map((r) => r.rack) },
    { name: 'hall', type: 'string', values: RACKS.map(() => 'hall1') },
    { name: 'time', type: 'time', values: RACKS.map(() => NOW - 30_000) },
    {
      name: 'value',
      type: 'number',
      config: { unit: 'celsius', decimals: 1, displayNameFromDS: 'inlet' },
      values: RACKS.map((_, i) => inlet(i)),
    },
  ],
};

interface Open {
  rack: string | null;
  severity: string;
  diagnosis: string;
  lead: string;
  timeEnd?: number;
}
const PREDICTIONS: Open[] = [
  {
    rack: 'A03',
    severity: 'critical',
    diagnosis: 'sensor_drift',
    lead: 'A03 inlet reaches 27 °C in ~14 min (10–19 min)',
  },
  {
    rack: 'C06',
    severity: 'warning',
    diagnosis: 'recirculation',
    lead: 'C06 inlet reaches 27 °C in ~52 min (38–80 min)',
  },
  // closed, and a CRAH's (no rack): neither is on the floor
  { rack: 'B05', severity: 'critical', diagnosis: 'gpu_cooling', lead: '', timeEnd: NOW - 60_000 },
  { rack: null, severity: 'critical', diagnosis: 'crah_trip', lead: '' },
];

/** The columns backend/src/query/events.ts writes for `types: ['prediction']`. */
const eventsFrame = {
  name: 'events',
  refId: 'P',
  fields: [
    { name: 'time', type: 'time', values: PREDICTIONS.map(() => NOW - 600_000) },
    { name: 'timeEnd', type: 'time', values: PREDICTIONS.map((p) => p.timeEnd ?? null) },
    {
      name: 'title',
      type: 'string',
      values: PREDICTIONS.map((p) => `${p.rack ?? 'crah4'}: ${p.diagnosis.replace(/_/g, ' ')} — ${p.lead}`),
    },
    { name: 'text', type: 'string', values: PREDICTIONS.map(() => 'evidence') },
    { name: 'type', type: 'string', values: PREDICTIONS.map(() => 'prediction') },
    { name: 'severity', type: 'string', values: PREDICTIONS.map((p) => p.severity) },
    { name: 'hall', type: 'string', values: PREDICTIONS.map(() => 'hall1') },
    { name: 'rack', type: 'string', values: PREDICTIONS.map((p) => p.rack) },
    { name: 'source', type: 'string', values: PREDICTIONS.map(() => 'predict') },
    { name: 'id', type: 'number', values: PREDICTIONS.map((_, i) => 40 + i) },
    { name: 'diagnosis', type: 'string', values: PREDICTIONS.map((p) => p.diagnosis) },
    { name: 'lead', type: 'string', values: PREDICTIONS.map((p) => p.lead) },
    { name: 'confidence', type: 'number', values: PREDICTIONS.map(() => 0.8) },
  ],
};

const BASE: MountPanelOptions = {
  frames: [layoutFrame, valuesFrame, eventsFrame],
  options: { color: { preset: 'ashrae', staleAfter: '10m' } },
  timeRange: RANGE,
  timezone: 'utc',
  width: 900,
  height: 520,
  title: 'Hall 1 inlet temperature',
  theme: 'dark',
};

/** Grafana's dark theme: ASHRAE recommended green, and the severity colours of the marks. */
const GREEN = [0x73, 0xbf, 0x69];
const RED = [0xf2, 0x49, 0x5c];
const ORANGE = [0xff, 0x98, 0x30];

describe('rack heatmap with open predictions', () => {
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
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  };

  /** The tile of grid (x, y) in page px, from the view the panel reports. */
  const tile = async (x: number, y: number) => {
    const overlay = page.getByTestId('rack-heatmap-overlay');
    const view = JSON.parse((await overlay.getAttribute('data-view'))!) as { scale: number; tx: number; ty: number };
    const box = (await overlay.boundingBox())!;
    return { left: box.x + x * view.scale + view.tx, top: box.y + y * view.scale + view.ty, size: view.scale };
  };
  const tileOf = (id: string) => {
    const r = RACKS.find((k) => k.rack === id)!;
    return tile(r.x, r.y);
  };

  /** How many canvas pixels of each colour lie in a tile's top-right and bottom-left quarters. */
  const cornersAt = async (t: { left: number; top: number; size: number }, colours: number[][]) =>
    page.getByTestId('rack-heatmap-canvas').evaluate(
      (canvas: HTMLCanvasElement, { t, colours }) => {
        const r = canvas.getBoundingClientRect();
        const k = canvas.width / r.width;
        const count = (x: number, y: number) => {
          const s = Math.floor((t.size / 2) * k);
          const d = canvas.getContext('2d')!.getImageData((x - r.left) * k, (y - r.top) * k, s, s).data;
          return colours.map((c) => {
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] === c[0] && d[i + 1] === c[1] && d[i + 2] === c[2]) n++;
            return n;
          });
        };
        return {
          topRight: count(t.left + t.size / 2, t.top),
          bottomLeft: count(t.left, t.top + t.size / 2),
        };
      },
      { t, colours },
    );
  const corners = async (id: string, colours: number[][]) => cornersAt(await tileOf(id), colours);

  it('marks each rack with an open prediction in its severity colour, over a tile still coloured by value', async () => {
    await mount(BASE);
    const a03 = await corners('A03', [RED, ORANGE, GREEN]);
    const c06 = await corners('C06', [RED, ORANGE, GREEN]);
    // a red mark in A03's corner, an orange one in C06's; the rest of each tile keeps its value's green
    expect(a03.topRight[0]).toBeGreaterThan(40);
    expect(a03.topRight[1]).toBe(0);
    expect(c06.topRight[1]).toBeGreaterThan(40);
    expect(c06.topRight[0]).toBe(0);
    for (const c of [a03, c06]) {
      expect(c.bottomLeft.slice(0, 2)).toEqual([0, 0]);
      expect(c.bottomLeft[2]).toBeGreaterThan(100);
    }
    // no mark on racks without an open one: B05's prediction is closed, A04 never had one
    for (const id of ['B05', 'A04']) {
      const c = await corners(id, [RED, ORANGE]);
      expect(c.topRight).toEqual([0, 0]);
    }
    const legend = page.getByTestId('rack-heatmap-legend-prediction');
    await expect(legend.allTextContents()).resolves.toEqual(['Critical prediction', 'Warning prediction']);
  });

  it('lists a rack’s predictions in its tooltip with the time to limit', async () => {
    await mount(BASE);
    const t = await tileOf('A03');
    // hovering the mark itself is hovering the rack
    await page.mouse.move(t.left + t.size * 0.9, t.top + t.size * 0.1);
    const item = page.getByTestId('rack-heatmap-tooltip-prediction');
    await item.first().waitFor();
    await expect(item.allTextContents()).resolves.toEqual([
      'sensor driftcriticalinlet reaches 27 °C in ~14 min (10–19 min)',
    ]);
    await expect(page.getByTestId('rack-heatmap-tooltip').textContent()).resolves.toMatch(/^A03hall1 · row Ainlet/);
    await screenshot(page, 'rack-heatmap-predictions', '[data-testid="harness-panel"]');

    // off the floor first: A03's tooltip covers B05
    await page.mouse.move(1, 1);
    const b05 = await tileOf('B05');
    await page.mouse.move(b05.left + b05.size / 2, b05.top + b05.size / 2);
    await expect(page.getByTestId('rack-heatmap-tooltip').textContent()).resolves.toMatch(/^B05/);
    await expect(item.count()).resolves.toBe(0);
  });

  it('counts racks with predictions in TV mode, and draws no marks when the option is off', async () => {
    await mount({ ...BASE, options: { ...BASE.options, text: { tvMode: true } } });
    const header = await page.getByTestId('rack-heatmap').locator('span').first().textContent();
    expect(header).toBe('40 racks · 2 with predictions');
    await mount({ ...BASE, options: { ...BASE.options, predictions: { show: false } } });
    expect((await corners('A03', [RED])).topRight).toEqual([0]);
    await expect(page.getByTestId('rack-heatmap-legend-prediction').count()).resolves.toBe(0);
  });

  it('reads a prediction event stored in the backend through the datasource’s events query', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const layout = { refId: 'R', queryType: 'rackLayout', selector: { tags: ['inlet'] }, aggregate: 'max' };
    const events = { refId: 'P', queryType: 'events', types: ['prediction'], open: true };
    // the backend first (asked directly): a query through the proxy before it listens logs a 502 on the page
    await waitFor('the backend', async () => {
      const res = await fetch(`${stack.url}/api/health`, { headers: auth }).catch(() => undefined);
      return res?.ok ? true : undefined;
    });
    const placed = await waitFor('the simulated hall’s layout', async () => {
      const res = (await page.evaluate(
        ([t]) => window.harness.runQuery('plenum', t as never, { range: { from: 'now-1h', to: 'now' } }),
        [[layout]] as const,
      )) as HarnessQueryResponse;
      const col = (f: string) => res.data.find((d) => d.name === 'layout')?.fields.find((x) => x.name === f)?.values;
      const racks = col('rack') ?? [];
      if (racks.length === 0) return undefined;
      // a rack in the middle of the floor, away from anything the backend's own detectors could be raising
      const i = Math.floor(racks.length / 2);
      return {
        rack: racks[i] as string,
        hall: col('hall')![i] as string,
        x: col('x')![i] as number,
        y: col('y')![i] as number,
      };
    });
    const lead = `${placed.rack} inlet reaches 27 °C in ~9 min (6–13 min)`;
    const posted = await fetch(`${stack.url}/api/events`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'prediction',
        severity: 'critical',
        title: `${placed.rack}: limit forecast — ${lead}`,
        location: { hall: placed.hall, rack: placed.rack },
        tags: ['prediction', 'limit_forecast'],
        source: 'predict',
        data: { diagnosis: 'limit_forecast', state: 'open', lead: { minutes: 9, lo: 6, hi: 13, text: lead } },
      }),
    });
    expect(posted.status).toBe(201);

    await mount({
      datasourceUid: 'plenum',
      targets: [layout, events],
      options: { color: { preset: 'ashrae' } },
      timeRange: { from: 'now-1h', to: 'now' },
      width: 900,
      height: 520,
      title: 'Simulated hall with open predictions',
    });
    const t = await tile(placed.x, placed.y);
    await page.mouse.move(t.left + t.size / 2, t.top + t.size / 2);
    await page.getByTestId('rack-heatmap-tooltip-prediction').first().waitFor();
    const items = await page.getByTestId('rack-heatmap-tooltip-prediction').allTextContents();
    expect(items).toContain('limit forecastcriticalinlet reaches 27 °C in ~9 min (6–13 min)');
    // the mark's red in the tile's corner, whatever colour the simulated inlet gives the rest of it
    const c = await cornersAt(t, [RED]);
    expect(c.topRight[0]! - c.bottomLeft[0]!).toBeGreaterThan(40);
  }, 60_000);
});

/** The README's picture of the marks, copied from harness/screenshots when asked (UPDATE_README_SCREENSHOTS=1). */
afterAll(() => {
  if (!process.env.UPDATE_README_SCREENSHOTS) {
    return;
  }
  const to = path.join(REPO_DIR, 'panels', 'rack-heatmap', 'src', 'img', 'screenshots');
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(
    path.join(REPO_DIR, 'harness', 'screenshots', 'rack-heatmap-predictions.png'),
    path.join(to, 'predictions.png'),
  );
});
