import type { HarnessBackendSrv } from '../backend-srv';
import type { HarnessSession } from '../session';
import type { DashboardHit } from './DashboardList';
import type { ResolvedVariable } from './variables';

/** The landing page waits this long for a dashboard's panels before it stops waiting (they keep loading), in ms. */
const LANDING_SETTLE_MS = 120_000;

/**
 * The preview's dashboard pages: `?dashboard=<uid>` renders that dashboard at the page's full width with Grafana's
 * URL parameters — `var-<name>=` (repeatable for multi-value), `from` / `to`, `kiosk` — and keeps `var-…` in the
 * URL as variables change, as Grafana does; the bare page or `?list` lists the provisioned dashboards.
 */
export async function dashboardLanding(
  session: HarnessSession,
  params: URLSearchParams,
  backendSrv: HarnessBackendSrv,
): Promise<void> {
  const uid = params.get('dashboard');
  if (uid) {
    const variables: Record<string, string | string[]> = {};
    for (const key of new Set(params.keys())) {
      if (!key.startsWith('var-')) continue;
      const values = params.getAll(key);
      variables[key.slice(4)] = values.length === 1 ? values[0]! : values;
    }
    const from = params.get('from');
    const to = params.get('to');
    await session
      .mountDashboard(
        uid,
        {
          variables,
          timeRange: from && to ? { from, to } : undefined,
          kiosk: params.has('kiosk'),
          timeoutMs: LANDING_SETTLE_MS,
        },
        syncUrl,
      )
      .catch((err: unknown) => console.warn(err instanceof Error ? err.message : err));
    return;
  }
  if (window.location.search === '' || params.has('list')) {
    const hits = await backendSrv.get<DashboardHit[]>('/api/search', { type: 'dash-db' });
    await session.showDashboardList(hits, params.get('theme') ?? undefined);
  }
}

/** `var-<name>=<value>` for every variable, replacing the URL's (no history entry, as a variable change in Grafana). */
function syncUrl(variables: ResolvedVariable[]): void {
  const params = new URLSearchParams(window.location.search);
  for (const key of [...params.keys()]) if (key.startsWith('var-')) params.delete(key);
  for (const v of variables) {
    if (v.type === 'constant') continue;
    for (const value of ([] as string[]).concat(v.current.value)) params.append(`var-${v.name}`, value);
  }
  window.history.replaceState(window.history.state, '', `?${params}`);
}
