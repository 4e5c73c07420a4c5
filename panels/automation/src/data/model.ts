/**
 * What the backend's automation API answers (`GET /api/automation`, `GET /api/events`), as the panel reads it, and
 * a check that an answer has that shape (a data source pointed at something else answers JSON too).
 */

export const MODES = ['observe', 'dry-run', 'approve', 'auto'] as const;
export type Mode = (typeof MODES)[number];

export interface RuleStatus {
  id: string;
  version: number;
  /** where the running version comes from: the site file or the rules API */
  origin: 'file' | 'api';
  description?: string;
  mode: Mode;
  /** 1 highest; an operator writes with 1 */
  priority: number;
  /** the controller's name, or the trigger kind (threshold, rate, job …) */
  kind: string;
  /** whether its last evaluation wanted to act */
  active: boolean;
  summary: string;
  /** locked by the circuit breaker until an operator sets its mode again */
  locked: boolean;
  /** point ids it holds a lease on */
  holds: string[];
  error?: string;
}

export interface LeaseView {
  pointId: string;
  /** actor name, e.g. `rule:inlet-high@v1` or `operator:operate/alice` */
  owner: string;
  priority: number;
  /** what Plenum wrote, canonical unit */
  value: number | null;
  /** what the device had before, written back on release (`restore`) */
  saved: number | null;
  /** Unix ms on the backend's clock */
  leaseUntil: number;
  release: 'restore' | 'relinquish';
}

export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'failed';

export interface Proposal {
  id: number;
  rule: string;
  version: number;
  pointId: string;
  /** null: hand the point back */
  value: number | null;
  /** the point's value when proposed */
  from: number | null;
  reason: string;
  priority: number;
  createdAt: number;
  expiresAt: number;
  status: ProposalStatus;
  decidedBy?: string;
  decidedAt?: number;
  result?: string;
}

export interface AutomationStatus {
  /** emergency stop in force: nothing is written until resumed */
  stopped: boolean;
  rules: RuleStatus[];
  leases: LeaseView[];
  proposals: Proposal[];
  /** the backend's clock, Unix ms, when it answers with one (else the browser's clock stands in) */
  now?: number;
}

/** An event as `GET /api/events` answers it (`@plenum/model` PlenumEvent). */
export interface AutomationEvent {
  id: number;
  time: number;
  timeEnd?: number;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  text?: string;
  pointId?: string;
  tags: string[];
  source: string;
  data?: Record<string, unknown>;
}

/** A JSON answer that is not what the automation API answers. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `GET /api/automation` answer, checked: throws a ShapeError naming the first field that is wrong. */
export function parseStatus(json: unknown): AutomationStatus {
  if (!isObject(json)) {
    throw new ShapeError('the answer is not a JSON object: is the data source a Plenum backend?');
  }
  if (typeof json.stopped !== 'boolean') {
    throw new ShapeError('stopped: expected true or false');
  }
  for (const key of ['rules', 'leases', 'proposals'] as const) {
    if (!Array.isArray(json[key])) {
      throw new ShapeError(`${key}: expected a list`);
    }
  }
  (json.rules as unknown[]).forEach((r, i) => {
    if (!isObject(r) || typeof r.id !== 'string') {
      throw new ShapeError(`rules[${i}].id: expected a string`);
    }
    if (!(MODES as readonly unknown[]).includes(r.mode)) {
      throw new ShapeError(`rules[${i}].mode: expected one of ${MODES.join(', ')}; got ${JSON.stringify(r.mode)}`);
    }
  });
  (json.leases as unknown[]).forEach((l, i) => {
    if (!isObject(l) || typeof l.pointId !== 'string') {
      throw new ShapeError(`leases[${i}].pointId: expected a string`);
    }
  });
  (json.proposals as unknown[]).forEach((p, i) => {
    if (!isObject(p) || typeof p.id !== 'number') {
      throw new ShapeError(`proposals[${i}].id: expected a number`);
    }
  });
  const status = json as unknown as AutomationStatus;
  return {
    ...status,
    rules: status.rules.map((r) => ({ ...r, holds: Array.isArray(r.holds) ? r.holds : [] })),
  };
}

/** The `GET /api/events` answer's events, checked. */
export function parseEvents(json: unknown): AutomationEvent[] {
  if (!isObject(json) || !Array.isArray(json.events)) {
    throw new ShapeError('events: expected a list');
  }
  return (json.events as unknown[]).filter(
    (e): e is AutomationEvent => isObject(e) && typeof e.id === 'number' && typeof e.time === 'number'
  );
}
