import type { Mode } from './model';
import { OPERATE_ROUTE, READ_ROUTE } from '../types';

/**
 * The requests the panel sends, as plain objects for `getBackendSrv().fetch`: reads on the data source's read route,
 * commands on its operate route. Every URL goes through Grafana's data source proxy, which adds the backend URL
 * and the token server side (`/api/datasources/proxy/uid/<uid>/<route>/…`).
 */
export interface ApiRequest {
  method: 'GET' | 'POST';
  url: string;
  params?: Record<string, string | number>;
  data?: unknown;
}

/** An operator's command, each one `POST /api/automation/…` with the operate token. */
export type Command =
  | { kind: 'mode'; rule: string; mode: Mode }
  | { kind: 'approve'; id: number }
  | { kind: 'reject'; id: number; reason?: string }
  | { kind: 'stop' }
  | { kind: 'resume' };

export function proxyUrl(uid: string, route: string, path: string): string {
  return `/api/datasources/proxy/uid/${encodeURIComponent(uid)}/${route}${path}`;
}

/** `GET /api/automation`: rules, leases, proposals, the emergency-stop state. */
export function statusRequest(uid: string): ApiRequest {
  return { method: 'GET', url: proxyUrl(uid, READ_ROUTE, '/api/automation') };
}

/** A time of the dashboard's range as the backend takes it: its relative form when the backend reads it, else ms. */
export function backendTime(raw: unknown, absoluteMs: number): string {
  if (typeof raw === 'string' && /^now(-\d+(ms|s|m|h|d|w))?$/.test(raw.trim())) {
    return raw.trim();
  }
  return String(Math.round(absoluteMs));
}

/**
 * `GET /api/events`: the automation events (and the automation alarms: breaker, failed writes, read-back mismatch)
 * of the dashboard's range, newest first. A relative range (`now-6h` … `now`) goes as written, so each poll covers
 * up to the backend's now.
 */
export function eventsRequest(
  uid: string,
  range: { from: number; to: number; raw?: { from: unknown; to: unknown } },
  limit: number
): ApiRequest {
  return {
    method: 'GET',
    url: proxyUrl(uid, READ_ROUTE, '/api/events'),
    params: {
      type: 'automation,alarm',
      tags: 'automation',
      from: backendTime(range.raw?.from, range.from),
      to: backendTime(range.raw?.to, range.to),
      limit,
    },
  };
}

export function commandRequest(uid: string, cmd: Command): ApiRequest {
  const post = (path: string, data: unknown = {}): ApiRequest => ({
    method: 'POST',
    url: proxyUrl(uid, OPERATE_ROUTE, `/api/automation${path}`),
    data,
  });
  switch (cmd.kind) {
    case 'mode':
      return post(`/rules/${encodeURIComponent(cmd.rule)}/mode`, { mode: cmd.mode });
    case 'approve':
      return post(`/proposals/${cmd.id}/approve`);
    case 'reject':
      return post(`/proposals/${cmd.id}/reject`, cmd.reason ? { reason: cmd.reason } : {});
    case 'stop':
      return post('/stop');
    case 'resume':
      return post('/resume');
  }
}

/** What a command does, for its busy state and its error ("approving proposal #3: …"). */
export function commandLabel(cmd: Command): string {
  switch (cmd.kind) {
    case 'mode':
      return `setting rule ${cmd.rule} to ${cmd.mode}`;
    case 'approve':
      return `approving proposal #${cmd.id}`;
    case 'reject':
      return `rejecting proposal #${cmd.id}`;
    case 'stop':
      return 'the emergency stop';
    case 'resume':
      return 'resuming automation';
  }
}

/** A key per command target, so a panel can show which button is busy. */
export function commandKey(cmd: Command): string {
  switch (cmd.kind) {
    case 'mode':
      return `mode:${cmd.rule}`;
    case 'approve':
    case 'reject':
      return `proposal:${cmd.id}`;
    default:
      return cmd.kind;
  }
}
