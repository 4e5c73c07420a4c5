import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { HealthResponse } from '@plenum/model';
import { backfillHistory } from '../../../backend/src/testing/backfill';
import { waitFor } from '../../../backend/src/testing/stack';
import { REPO_DIR } from '../server/paths';
import { pageErrors } from '../testing/browser';
import { ALL_PANELS, openPlenumBed, type PlenumBed } from './plenum-bed';

/**
 * Every provisioned dashboard (dashboards/*.json) in the harness, with every built panel plugin and the
 * provisioned Plenum data source, against the simulator and backend: no panel may show an error or "No data".
 * Screenshots at 1920 px as on a 1080p wall go to harness/screenshots/, and with UPDATE_README_SCREENSHOTS=1 to
 * the README's docs/screenshots/ (so a test run does not rewrite tracked files).
 */
const TOKEN = 'dashboards-test-token';
const DASHBOARDS = fs
  .readdirSync(path.join(REPO_DIR, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    file: f.replace(/\.json$/, ''),
    uid: JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'dashboards', f), 'utf8')).uid as string,
  }));
const SHOTS = process.env.UPDATE_README_SCREENSHOTS
  ? path.join(REPO_DIR, 'docs', 'screenshots')
  : path.join(REPO_DIR, 'harness', 'screenshots');

describe('provisioned dashboards in the harness preview, against the simulator and backend', () => {
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
    await waitFor('every connector up with data', async () => {
      const h = (await (
        await fetch(`${url}/api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } })
      ).json()) as HealthResponse;
      return h.connectors.length === 4 && h.connectors.every((c) => c.state === 'up') ? h : undefined;
    });
    // six hours of the simulated hall's history (until a minute ago), so every range has data to show
    const now = Date.now();
    await backfillHistory(url, TOKEN, { from: now - 6 * 3600_000, to: now - 60_000, stepMs: 15_000 });
    // a rack sensor offline, as in the README's tour, so Data quality has problems to list
    const r = await fetch(`${bed.stack.controlUrl}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'device_offline', target: 'B05/env', durationS: 3600 }),
    });
    expect(r.status).toBe(201);
    await waitFor('B05 sensors marked bad', async () => {
      const q = await fetch(`${url}/api/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({
          range: { from: 'now-1h', to: 'now' },
          queries: [{ refId: 'P', queryType: 'latest', selector: { rack: ['B05'] }, problemsOnly: true }],
        }),
      });
      const body = (await q.json()) as { results: { P: { frames: Array<{ data: { values: unknown[][] } }> } } };
      return (body.results.P.frames[0]?.data.values[0]?.length ?? 0) > 0 ? true : undefined;
    });
    // crah4 trips, as in the README's tour, so Predictions and the NOC wall have an open prediction to show
    const trip = await fetch(`${bed.stack.controlUrl}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'crah_trip', target: 'crah4', durationS: 3600 }),
    });
    expect(trip.status).toBe(201);
    await waitFor('a prediction open for crah4', async () => {
      const p = await fetch(`${url}/api/predictions`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const body = (await p.json()) as { predictions: Array<{ asset: string }> };
      return body.predictions.some((x) => x.asset.endsWith('/crah4')) ? true : undefined;
    });
  }, 150_000);

  afterAll(() => bed?.close());

  it.each(DASHBOARDS)(
    '$file renders every panel with data and no error',
    async ({ file, uid }) => {
      const kiosk = file === 'noc-wall';
      await page.evaluate(
        ([u, k]) => window.harness.mountDashboard(u, { width: 1920, theme: 'dark', kiosk: k, timeoutMs: 30_000 }),
        [uid, kiosk] as const,
      );
      const state = await page.evaluate(() => window.harness.dashboardState());
      expect(state.length).toBeGreaterThan(1);
      expect(state.filter((p) => p.state !== 'ok')).toEqual([]);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({
        path: path.join(SHOTS, process.env.UPDATE_README_SCREENSHOTS ? `${file}.png` : `dashboard-${file}.png`),
        fullPage: true,
        animations: 'disabled',
      });
    },
    60_000,
  );

  it('logged no page errors', () => {
    expect(pageErrors(page)).toEqual([]);
  });
});
