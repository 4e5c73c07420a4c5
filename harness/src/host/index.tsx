import type { HarnessApi } from './api';
import type {} from './globals';
import { initI18n } from './i18n';
import { HarnessSession } from './session';
import { dashboardLanding } from './dashboard/landing';
import { setUpServices, type HarnessServices } from './services';
import { registerSharedModules } from './shared-modules';
import { HarnessView } from './views/HarnessShell';

/*
 * The host bundle. It runs after the boot data and before SystemJS (see server/host-page.ts); the page calls
 * `__plenumHarnessStart()` once SystemJS and its extras have loaded, which registers the shared modules, sets up
 * i18n, registries and services, and resolves `window.harness.ready`.
 */

let started: Promise<HarnessSession> | undefined;
let resolveSession: (session: HarnessSession) => void = () => {};
let rejectSession: (err: unknown) => void = () => {};
const session = new Promise<HarnessSession>((resolve, reject) => {
  resolveSession = resolve;
  rejectSession = reject;
});

let services: HarnessServices | undefined;

async function start(): Promise<HarnessSession> {
  registerSharedModules(window.System);
  await initI18n();
  services = setUpServices();
  const root = document.getElementById('harness-root');
  if (!root) throw new Error('the host page has no #harness-root');
  const mode = window.grafanaBootData.user.theme === 'light' ? 'light' : 'dark';
  return new HarnessSession(services, new HarnessView(root), mode);
}

/**
 * What the page shows a person who opens it (the `/preview` of `npm start`) rather than a test driving
 * `window.harness`: `?view=explore[&ds=<uid>]` an Explore pane on the data source (its default query, run at once);
 * `?dashboard=<uid>` a provisioned dashboard; the bare page (no query at all: tests always pass `?theme=`) or
 * `?list` the provisioned dashboards (see dashboard/landing.ts).
 */
async function landing(s: HarnessSession): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  if (params.get('view') === 'explore') {
    await s.mountExplore(params.get('ds') ?? 'plenum', { timeoutMs: 60_000 });
    return;
  }
  return dashboardLanding(s, params, services!.backendSrv);
}

window.__plenumHarnessStart = () => {
  started ??= start();
  started.then(resolveSession, rejectSession);
  started.then(landing).catch((err: unknown) => console.error('harness: landing view failed', err));
};

/** Every call waits for the start, so a test may call before `ready` resolves. */
function call<K extends keyof Omit<HarnessApi, 'ready'>>(name: K) {
  return (async (...args: unknown[]) => {
    const s = await session;
    return (s[name] as (...a: unknown[]) => unknown).apply(s, args);
  }) as unknown as HarnessApi[K];
}

window.harness = {
  ready: session.then(() => undefined),
  loadPlugin: call('loadPlugin'),
  setVariables: call('setVariables'),
  mountDatasourceConfig: call('mountDatasourceConfig'),
  mountQueryEditor: call('mountQueryEditor'),
  mountExplore: call('mountExplore'),
  getQuery: call('getQuery'),
  runQuery: call('runQuery'),
  metricFindQuery: call('metricFindQuery'),
  runAnnotations: call('runAnnotations'),
  mountPanel: call('mountPanel'),
  resizePanel: call('resizePanel'),
  mountDashboard: call('mountDashboard'),
  dashboardState: call('dashboardState'),
};
