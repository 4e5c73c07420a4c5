import path from 'node:path';
import type { Page } from 'playwright-core';
import type { HealthResponse } from '@plenum/model';
import { waitFor } from '../../../backend/src/testing/stack';
import { REPO_DIR } from '../server/paths';
import { canvasTexts, pageErrors, recordCanvasText, screenshot } from '../testing/browser';
import { ALL_PANELS, openPlenumBed, type PlenumBed } from './plenum-bed';

/**
 * The NOC wall's "IT load vs cooling response" time series in the harness against the simulator and backend, read
 * from the axis ticks it draws. The hall's IT load is a sum over 40 PDUs (MW); fan speed and valve position are
 * percentages the dashboard moves to the right axis (`custom.axisPlacement`).
 */
const TOKEN = 'noc-wall-axes-token';

describe('NOC wall: IT load vs cooling response', () => {
  let bed: PlenumBed;
  let page: Page;

  beforeAll(async () => {
    bed = await openPlenumBed({
      token: TOKEN,
      panels: ALL_PANELS,
      dashboardsDir: path.join(REPO_DIR, 'dashboards'),
      page: { viewport: { width: 1920, height: 1080 } },
    });
    page = bed.page;
    const { url } = bed.stack;
    await waitFor('PDU and CRAH data in the backend', async () => {
      const h = (await (
        await fetch(`${url}/api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } })
      ).json()) as HealthResponse;
      const up = (name: string) => h.connectors.some((c) => c.source === name && c.state === 'up');
      return up('pdus') && up('cooling') ? h : undefined;
    });
  }, 90_000);

  afterAll(() => bed?.close());

  it('draws the NOC wall’s IT load within its own power axis on the left, the percentages on the right', async () => {
    // Grafana's time series gives each unit its own axis and takes a field's min/max as that axis's range: the
    // hall's summed IT load (MW) must not inherit one PDU's 0–130 kW limits, or its line is drawn off the panel
    await recordCanvasText(page);
    await page.evaluate(() =>
      window.harness.mountDashboard('plenum-noc-wall', { width: 1920, theme: 'dark', kiosk: true, timeoutMs: 30_000 }),
    );
    const panel = '[data-testid="harness-dashboard-panel"][data-title="IT load vs cooling response"]';
    await page.waitForSelector(`${panel}[data-state="ok"] canvas`);
    const legend = (await page.locator(panel).textContent()) ?? '';
    const last = /IT load\s*Last \*:\s*([\d.]+)\s*(W|kW|MW)/.exec(legend);
    expect(last).not.toBeNull();
    const kw = (value: string, unit: string) =>
      Number(value) * ({ W: 1e-3, kW: 1, MW: 1e3 } as Record<string, number>)[unit]!;
    const itLoadKw = kw(last![1]!, last![2]!);

    const texts = await waitFor('the panel’s axes drawn', async () => {
      const t = await canvasTexts(page, panel);
      return t.some((x) => x.text.endsWith('%')) && t.some((x) => / (k|M)?W$/.test(x.text)) ? t : undefined;
    });
    const power = texts.flatMap((t) => {
      const m = /^(-?[\d.]+) (W|kW|MW)$/.exec(t.text);
      return m ? [{ kw: kw(m[1]!, m[2]!), x: t.x, width: t.canvasWidth }] : [];
    });
    const percent = texts.filter((t) => /^-?[\d.]+%$/.test(t.text));
    // the left axis spans the IT load …
    expect(Math.min(...power.map((p) => p.kw))).toBeLessThanOrEqual(itLoadKw);
    expect(Math.max(...power.map((p) => p.kw))).toBeGreaterThanOrEqual(itLoadKw);
    // (whatever the load: a sum of 40 PDUs is not bounded by one PDU's 130 kW)
    expect(Math.max(...power.map((p) => p.kw))).toBeGreaterThan(130);
    expect(power.every((p) => p.x < p.width / 2)).toBe(true);
    // … and fan speed and valve position (custom.axisPlacement: right) have theirs on the right, 0–100 %
    expect(percent.map((t) => parseFloat(t.text))).toEqual(expect.arrayContaining([0, 100]));
    expect(percent.every((t) => t.x > t.canvasWidth / 2)).toBe(true);
    await screenshot(page, 'noc-wall-it-load-axes', panel);
  }, 60_000);

  it('logged no page errors', () => {
    expect(pageErrors(page)).toEqual([]);
  });
});
