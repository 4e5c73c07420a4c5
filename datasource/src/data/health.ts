import { API_VERSION, type HealthResponse } from '@plenum/model';

export interface HealthCheck {
  status: 'success' | 'error';
  message: string;
}

/** What "Save & test" says about a `/api/health` answer: a Plenum of the right API version, and its state. */
export function judgeHealth(h: Partial<HealthResponse> | undefined, url: string): HealthCheck {
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
