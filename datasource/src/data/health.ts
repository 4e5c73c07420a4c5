import { API_VERSION, type HealthResponse } from '@plenum/model';

export interface HealthCheck {
  status: 'success' | 'error';
  message: string;
}

/**
 * What a hub's `/api/health` carries besides the edge's fields (backend/src/hub/hub.ts): its role, the shared store
 * it reads and the state of its catalog refresh. It may lack `apiVersion` and `connectors` (it has no sources).
 */
interface HubHealth {
  role: 'hub';
  store?: { url?: string; kind?: string };
  hub?: { lastRefreshError?: string };
}

const isHub = (h: object): h is HubHealth => (h as { role?: unknown }).role === 'hub';

/**
 * A hub (one query API over every hall, read from a shared store): the API version when it reports one, the points
 * it knows and whether its catalog refresh from the store fails (queries then answer from the last catalog).
 */
function judgeHub(h: HubHealth & Partial<HealthResponse>, url: string): HealthCheck {
  if (typeof h.apiVersion === 'number' && h.apiVersion !== API_VERSION) {
    return {
      status: 'error',
      message:
        `version mismatch: the hub at ${url} speaks API v${h.apiVersion}, this plugin speaks v${API_VERSION}; ` +
        'install matching versions of the plugin and the backend',
    };
  }
  const store = h.store?.url ? ` over ${h.store.kind ?? 'the store'} at ${h.store.url}` : '';
  const summary = `Plenum hub at ${url}${store}: ${h.points ?? 0} points`;
  const failing = h.hub?.lastRefreshError;
  return { status: 'success', message: failing ? `${summary}; catalog refresh failing (${failing})` : summary };
}

/** What "Save & test" says about a `/api/health` answer: a Plenum of the right API version, and its state. */
export function judgeHealth(h: Partial<HealthResponse> | undefined, url: string): HealthCheck {
  if (h && typeof h === 'object' && isHub(h)) {
    return judgeHub(h, url);
  }
  if (!h || typeof h !== 'object' || typeof h.apiVersion !== 'number') {
    return {
      status: 'error',
      message: `${url} answered /api/health but not as a Plenum backend (no apiVersion); check the URL`,
    };
  }
  if (h.apiVersion !== API_VERSION) {
    return {
      status: 'error',
      message:
        `version mismatch: the backend at ${url} (Plenum ${h.version ?? '?'}) speaks API v${h.apiVersion}, ` +
        `this plugin speaks v${API_VERSION}; install matching versions of the plugin and the backend`,
    };
  }
  const connectors = h.connectors ?? [];
  const up = connectors.filter((c) => c.state === 'up').length;
  const failing = connectors.filter((c) => c.state === 'degraded' || c.state === 'down');
  const summary = `Plenum ${h.version} at ${url}: ${h.points ?? 0} points, ${up}/${connectors.length} connectors up`;
  if (failing.length === 0) {
    return { status: 'success', message: summary };
  }
  const which = failing.map((c) => `${c.source} ${c.state}${c.lastError ? ` (${c.lastError})` : ''}`).join('; ');
  // reachable and authorised, so the data source works; say which sources will show gaps
  return { status: 'success', message: `${summary}; ${which}` };
}
