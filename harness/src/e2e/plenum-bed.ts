import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../../../backend/src/testing/stack';
import { REPO_DIR } from '../server/paths';
import { startHarnessServer, type HarnessServer } from '../server/server';
import type { DatasourceSettings } from '../server/types';
import { launchBrowser, openHarness, requireBuilt, type OpenHarnessOptions } from '../testing/browser';

/** The repository's plugins by id, served from their built `dist/`. */
export const PLUGIN_DIST: Record<string, string> = {
  'plenum-itot-datasource': path.join(REPO_DIR, 'datasource', 'dist'),
  'plenum-rackheatmap-panel': path.join(REPO_DIR, 'panels', 'rack-heatmap', 'dist'),
  'plenum-coolingcorrelation-panel': path.join(REPO_DIR, 'panels', 'cooling-correlation', 'dist'),
  'plenum-automation-panel': path.join(REPO_DIR, 'panels', 'automation', 'dist'),
};

/** Every panel plugin of the repository, for tests that render dashboards using any of them. */
export const ALL_PANELS = Object.keys(PLUGIN_DIST).filter((id) => id.endsWith('-panel'));

export interface PlenumBed {
  stack: Stack;
  harness: HarnessServer;
  browser: Browser;
  /** a page signed in as the harness's default user (`admin`, role Admin), or as `opts.page.user` */
  page: Page;
  /** another page (own browser context, own session), e.g. `{user: 'viewer'}`; closed by `close()` */
  openPage(options?: OpenHarnessOptions): Promise<Page>;
  close(): Promise<void>;
}

/**
 * What the end-to-end browser tests share: the simulator and backend (`npm start`'s processes) with a read token
 * (and, when given, the operate and admin tokens), the harness serving the built plugins with the Plenum data source
 * provisioned as uid `plenum` (tokens kept server side: `apiToken`, `operateToken`) and the proxy sending
 * `X-Grafana-User` (Grafana's `send_user_header = true`), and one Chromium page on it. `close()` stops all of it.
 * The harness's users are `admin` (Admin), `editor` (Editor) and `viewer` (Viewer).
 */
export async function openPlenumBed(opts: {
  /** the backend's read token, `PLENUM_API_TOKEN` */
  token: string;
  /** the backend's `PLENUM_OPERATE_TOKEN`, also the data source's `operateToken`. @default none */
  operateToken?: string;
  /** the backend's `PLENUM_ADMIN_TOKEN` (rule changes; tests call the backend with it directly). @default none */
  adminToken?: string;
  /** plugin ids besides the datasource */
  panels?: string[];
  /** more data sources (e.g. badly configured ones) */
  datasources?: DatasourceSettings[];
  dashboardsDir?: string;
  page?: OpenHarnessOptions;
}): Promise<PlenumBed> {
  const ids = ['plenum-itot-datasource', ...(opts.panels ?? [])];
  requireBuilt(...ids.map((id) => PLUGIN_DIST[id]!));
  const stack = await startStack({
    PLENUM_API_TOKEN: opts.token,
    ...(opts.operateToken && { PLENUM_OPERATE_TOKEN: opts.operateToken }),
    ...(opts.adminToken && { PLENUM_ADMIN_TOKEN: opts.adminToken }),
  });
  const harness = await startHarnessServer({
    plugins: ids.map((id) => ({ id, dir: PLUGIN_DIST[id]! })),
    dashboardsDir: opts.dashboardsDir,
    sendUserHeader: true,
    datasources: [
      {
        uid: 'plenum',
        name: 'Plenum',
        type: 'plenum-itot-datasource',
        access: 'proxy',
        isDefault: true,
        jsonData: { url: stack.url },
        secureJsonData: { apiToken: opts.token, ...(opts.operateToken && { operateToken: opts.operateToken }) },
      },
      ...(opts.datasources ?? []),
    ],
  });
  const browser = await launchBrowser();
  const page = await openHarness(browser, harness, opts.page);
  return {
    stack,
    harness,
    browser,
    page,
    openPage: (options) => openHarness(browser, harness, options),
    async close() {
      await browser.close();
      await harness.close();
      await stack.stop();
    },
  };
}
