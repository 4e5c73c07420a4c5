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
};

export interface PlenumBed {
  stack: Stack;
  harness: HarnessServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * What the end-to-end browser tests share: the simulator and backend (`npm start`'s processes) with an API token,
 * the harness serving the built plugins with the Plenum data source provisioned as uid `plenum` (token kept
 * server side), and one Chromium page on it. `close()` stops all of it.
 */
export async function openPlenumBed(opts: {
  token: string;
  /** plugin ids besides the datasource */
  panels?: string[];
  /** more data sources (e.g. badly configured ones) */
  datasources?: DatasourceSettings[];
  dashboardsDir?: string;
  page?: OpenHarnessOptions;
}): Promise<PlenumBed> {
  const ids = ['plenum-itot-datasource', ...(opts.panels ?? [])];
  requireBuilt(...ids.map((id) => PLUGIN_DIST[id]!));
  const stack = await startStack({ PLENUM_API_TOKEN: opts.token });
  const harness = await startHarnessServer({
    plugins: ids.map((id) => ({ id, dir: PLUGIN_DIST[id]! })),
    dashboardsDir: opts.dashboardsDir,
    datasources: [
      {
        uid: 'plenum',
        name: 'Plenum',
        type: 'plenum-itot-datasource',
        access: 'proxy',
        isDefault: true,
        jsonData: { url: stack.url },
        secureJsonData: { apiToken: opts.token },
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
    async close() {
      await browser.close();
      await harness.close();
      await stack.stop();
    },
  };
}
