import type { DatasourceStore } from './datasource-store';
import { packageVersion } from './paths';
import type { PluginCatalog } from './plugins';
import type { HarnessUser } from './users';

/** The Grafana version the harness stands in for: the version of the `@grafana/*` packages it bundles. */
export const GRAFANA_VERSION = packageVersion('@grafana/runtime');

export type ThemeMode = 'dark' | 'light';

/**
 * Grafana's frontend settings (`GET /api/frontend/settings`, and `settings` of the boot data): data sources by name
 * as `DataSourceInstanceSettings` (a proxied one's `url` is `/api/datasources/proxy/uid/<uid>`) and panel metas.
 */
export function frontendSettings(store: DatasourceStore, catalog: PluginCatalog, basePath: string, origin: string) {
  const datasources: Record<string, unknown> = {};
  let defaultDatasource = '';
  for (const ds of store.list()) {
    const meta = catalog.meta(ds.type);
    if (!meta) continue;
    datasources[ds.name] = {
      id: ds.id,
      uid: ds.uid,
      type: ds.type,
      name: ds.name,
      meta,
      url: ds.access === 'proxy' ? `/api/datasources/proxy/uid/${ds.uid}` : ds.url,
      access: ds.access,
      jsonData: ds.jsonData,
      isDefault: ds.isDefault,
      readOnly: ds.readOnly,
      basicAuth: ds.basicAuth ? 'true' : undefined,
      withCredentials: ds.withCredentials,
      database: ds.database,
      username: ds.user,
    };
    if (ds.isDefault) defaultDatasource = ds.name;
  }
  const panels: Record<string, unknown> = {};
  for (const id of catalog.ids()) {
    const meta = catalog.meta(id);
    if (meta?.type === 'panel') panels[id] = meta;
  }
  return {
    appUrl: `${origin}${basePath}/`,
    appSubUrl: basePath,
    buildInfo: {
      version: GRAFANA_VERSION,
      commit: 'plenum-harness',
      env: 'production',
      edition: 'Open Source',
      latestVersion: '',
      hasUpdate: false,
      hideVersion: false,
    },
    featureToggles: {},
    datasources,
    defaultDatasource,
    panels,
    minRefreshInterval: '5s',
    unifiedAlertingEnabled: false,
  };
}

/**
 * The page that loads the harness as Grafana's index.html loads Grafana: boot data first, then the host bundle, then
 * SystemJS and its AMD and named-register extras (the AMD extra must come after the host: lodash's UMD wrapper would
 * see `define.amd` and register itself instead of exporting), then the start call that registers shared modules.
 */
export function hostPage(
  settings: ReturnType<typeof frontendSettings>,
  basePath: string,
  theme: ThemeMode,
  user: HarnessUser = { login: 'admin', role: 'Admin', isGrafanaAdmin: true },
): string {
  const bootData = {
    user: currentUser(user, theme),
    settings,
    navTree: [],
    assets: { dark: '', light: '' },
  };
  // `<` escaped so no string in the settings can close the script element
  const json = JSON.stringify(bootData).replace(/</g, '\\u003c');
  const publicPath = JSON.stringify(`${basePath}/public/`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <base href="${basePath}/" />
    <title>Plenum harness</title>
    <!-- no favicon request: its 404 would be a console error in every test -->
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="harness/host.css" />
    <script>
      window.grafanaBootData = ${json};
      window.__grafana_public_path__ = ${publicPath};
    </script>
  </head>
  <body class="theme-${theme}">
    <div id="harness-root"></div>
    <script src="harness/host.js"></script>
    <script src="harness/systemjs/system.js"></script>
    <script src="harness/systemjs/extras/amd.js"></script>
    <script src="harness/systemjs/extras/named-register.js"></script>
    <script>
      window.__plenumHarnessStart();
    </script>
  </body>
</html>
`;
}

/**
 * Grafana's `CurrentUserDTO` (boot data `user`, what `config.bootData.user` gives a plugin) for the page's user:
 * `orgRole` is the user's role, so a panel can decide which controls to offer as it would in Grafana.
 */
export function currentUser(user: HarnessUser, theme: ThemeMode) {
  return {
    isSignedIn: true,
    id: 1,
    uid: `harness-${user.login}`,
    login: user.login,
    email: `${user.login}@localhost`,
    name: user.name ?? user.login,
    theme,
    lightTheme: theme === 'light',
    orgId: 1,
    orgName: 'Main Org.',
    orgRole: user.role,
    isGrafanaAdmin: user.isGrafanaAdmin === true,
    timezone: 'browser',
    weekStart: 'browser',
    locale: 'en-US',
    language: 'en-US',
    helpFlags1: 0,
    hasEditPermissionInFolders: user.role !== 'Viewer',
  };
}
