import path from 'node:path';
import { HARNESS_DIR } from '../server/paths';
import type { DatasourceSettings, PluginSource } from '../server/types';

const FIXTURE_DIR = path.join(HARNESS_DIR, 'fixtures', 'plugins');

export const FIXTURE_DATASOURCE_ID = 'harness-fixture-datasource';
export const FIXTURE_PANEL_ID = 'harness-fixture-panel';

/** The hand-written fixture plugins, served as built plugins are. */
export const FIXTURE_PLUGINS: PluginSource[] = [
  { id: FIXTURE_DATASOURCE_ID, dir: path.join(FIXTURE_DIR, FIXTURE_DATASOURCE_ID) },
  { id: FIXTURE_PANEL_ID, dir: path.join(FIXTURE_DIR, FIXTURE_PANEL_ID) },
];

/** A fixture datasource pointing at `upstreamUrl` with `token` as its secret `apiToken`. */
export function fixtureDatasource(upstreamUrl: string, token: string, uid = 'fixture'): DatasourceSettings {
  return {
    uid,
    name: `Fixture ${uid}`,
    type: FIXTURE_DATASOURCE_ID,
    access: 'proxy',
    isDefault: true,
    jsonData: { url: upstreamUrl },
    secureJsonData: { apiToken: token },
  };
}
