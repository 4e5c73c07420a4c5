import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_DIR } from './paths';
import { startHarnessServer } from './server';
import type { DatasourceSettings, PluginSource } from './types';

/**
 * The preview: the harness serving the repository's built plugins (`datasource/dist`, `panels/<name>/dist`) with one
 * Plenum data source provisioned from the environment, as Grafana provisioning would.
 *
 *   PLENUM_URL            backend the data source proxies to          (default http://127.0.0.1:8080)
 *   PLENUM_API_TOKEN      its read token, kept server side             (default: none)
 *   PLENUM_OPERATE_TOKEN  its operate token, for the automation panel  (default: none)
 *
 * The proxy sends `X-Grafana-User` (Grafana's `send_user_header = true`), so the backend's audit trail names the
 * page's user: `admin`, or the one `?user=editor` / `?user=viewer` signs in.
 *
 * Dashboards: every `*.json` under the repository's `dashboards/` folder, as Grafana's file provisioning reads them,
 * at `?dashboard=<uid>` (and `/d/<uid>`); the landing page lists them.
 *
 *   tsx harness/src/server/main.ts [--port 3001] [--host 127.0.0.1] [--base-path /preview] [--dashboards dir]
 */

/** Each plugin under `dir` with a built `dist/plugin.json`, by its id. */
function builtPlugins(dirs: string[]): PluginSource[] {
  const found: PluginSource[] = [];
  for (const dir of dirs) {
    const dist = path.join(dir, 'dist');
    const file = path.join(dist, 'plugin.json');
    if (!fs.existsSync(file)) {
      console.warn(`harness: ${path.relative(REPO_DIR, dir)} is not built (no dist/plugin.json): run npm run build`);
      continue;
    }
    const { id } = JSON.parse(fs.readFileSync(file, 'utf8')) as { id: string };
    found.push({ id, dir: dist });
  }
  return found;
}

function pluginDirs(): string[] {
  const panels = path.join(REPO_DIR, 'panels');
  const panelDirs = fs.existsSync(panels) ? fs.readdirSync(panels).map((name) => path.join(panels, name)) : [];
  return [path.join(REPO_DIR, 'datasource'), ...panelDirs.filter((d) => fs.statSync(d).isDirectory())];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3001' },
      host: { type: 'string', default: '127.0.0.1' },
      'base-path': { type: 'string', default: '' },
      dashboards: { type: 'string', default: path.join(REPO_DIR, 'dashboards') },
    },
  });
  const plugins = builtPlugins(pluginDirs());
  const datasourcePlugin = plugins.find((p) => p.id.endsWith('-datasource'));
  const datasources: DatasourceSettings[] = datasourcePlugin
    ? [
        {
          uid: 'plenum',
          name: 'Plenum',
          type: datasourcePlugin.id,
          access: 'proxy',
          isDefault: true,
          jsonData: { url: process.env.PLENUM_URL ?? 'http://127.0.0.1:8080' },
          secureJsonData: {
            ...(process.env.PLENUM_API_TOKEN && { apiToken: process.env.PLENUM_API_TOKEN }),
            ...(process.env.PLENUM_OPERATE_TOKEN && { operateToken: process.env.PLENUM_OPERATE_TOKEN }),
          },
        },
      ]
    : [];
  const server = await startHarnessServer({
    plugins,
    datasources,
    host: values.host,
    port: Number(values.port),
    basePath: values['base-path'],
    dashboardsDir: path.resolve(values.dashboards),
    sendUserHeader: true,
    log: (line) => console.log(`harness: ${line}`),
  });
  console.log(`harness: serving ${plugins.map((p) => p.id).join(', ') || 'no plugins'} at ${server.url}`);
  console.log(`harness: dashboards from ${path.resolve(values.dashboards)} listed at ${server.url}`);
  if (datasourcePlugin) console.log(`harness: query Plenum in the browser at ${server.url}?view=explore`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
