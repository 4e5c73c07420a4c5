import type { EventType, NewEvent, PlenumEvent, Severity } from '@plenum/model';
import type { LeaseRow, Proposal, RuleVersion, TraceEntry } from '../../backend/src/automation/store';
import type { EventStore } from '../../backend/src/events/event-store';
import { CRASH_T0 } from '../../backend/src/historian/crash-workload';

/**
 * The crash suite's deterministic workload beside the historian's (backend/src/historian/crash-workload.ts,
 * whose `crashBatch(k)` is the samples side): step k of the writer adds event k, updates two earlier events,
 * and records what the automation records for a guarded write (a verdict, then the write and its lease), plus
 * rule versions, proposals and their decisions, and a state key. Every record is a pure function of k (and the
 * update's version), so the parent checks what survived field by field.
 */

export const ACTOR = 'rule:crash';
/** the lease points: step k holds `crash/sp${k % LEASE_POINTS}` */
export const LEASE_POINTS = 4;
export const STATE_KEY = 'crash-last-step';

export type EventPatch = Parameters<EventStore['update']>[1];

const TYPES: EventType[] = ['alarm', 'automation', 'note', 'prediction'];
const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];

/** event k as added */
export function crashEvent(k: number): NewEvent & { time: number } {
  return {
    time: CRASH_T0 + k * 1000,
    type: TYPES[k % TYPES.length]!,
    severity: SEVERITIES[k % SEVERITIES.length]!,
    title: `crash event ${k}`,
    ...(k % 2 === 1 && { text: `odd step ${k}: "quoted", ünïcode, 25 °C` }),
    ...(k % 3 === 0 && { location: { hall: 'hall1', rack: `A0${k % 9}` } }),
    tags: ['crash', `k${k % 5}`],
    source: 'crash',
    data: { k, v: 0 },
  };
}

/** the v-th update of event k (v = 1, 2): the writer applies 1 at step k + 2 and 2 at step k + 5 */
export function crashEventPatch(k: number, v: 1 | 2): EventPatch {
  return {
    severity: SEVERITIES[(k + v) % SEVERITIES.length]!,
    title: `crash event ${k} v${v}`,
    data: { k, v },
    ...(v === 2 && { timeEnd: CRASH_T0 + k * 1000 + 5000, tags: ['crash', 'closed'] }),
  };
}

/** event k after its updates up to version v, as the store returns it (without id) */
export function crashEventState(k: number, v: number): Omit<PlenumEvent, 'id'> {
  let e: Omit<PlenumEvent, 'id'> = { ...(crashEvent(k) as Omit<PlenumEvent, 'id'>) };
  if (v >= 1) e = { ...e, ...crashEventPatch(k, 1) } as Omit<PlenumEvent, 'id'>;
  if (v >= 2) e = { ...e, ...crashEventPatch(k, 2) } as Omit<PlenumEvent, 'id'>;
  return e;
}

/** whether the guard allows step k's write (every 7th is refused: a verdict without a write) */
export const allowed = (k: number) => k % 7 !== 0;
export const leasePoint = (k: number) => `crash/sp${k % LEASE_POINTS}`;

export function crashVerdict(k: number): TraceEntry {
  return {
    time: CRASH_T0 + k * 1000,
    kind: 'verdict',
    actor: ACTOR,
    pointId: leasePoint(k),
    data: {
      k,
      intent: { pointId: leasePoint(k), value: 18 + (k % 5), priority: 5, reason: `step ${k}` },
      verdict: allowed(k) ? { allow: true, checks: ['range', 'step'] } : { allow: false, code: 'range' },
    },
  };
}

export function crashWrite(k: number): TraceEntry {
  return {
    time: CRASH_T0 + k * 1000 + 1,
    kind: 'write',
    actor: ACTOR,
    pointId: leasePoint(k),
    data: { k, value: 18 + (k % 5), readBack: 18 + (k % 5), verified: true },
  };
}

export function crashLease(k: number): LeaseRow {
  return {
    pointId: leasePoint(k),
    owner: { actor: { kind: 'rule', id: 'crash' }, priority: 5, leaseUntil: CRASH_T0 + k * 1000 + 30_000 },
    value: k,
    saved: 20,
    release: k % 2 ? 'restore' : 'relinquish',
  };
}

/** every 5th step adds a version of one of three rules (versions are the step, so they only grow) */
export const hasRuleVersion = (k: number) => k % 5 === 0;
export function crashRuleVersion(k: number): RuleVersion {
  return {
    id: `crash-rule-${k % 3}`,
    version: k,
    config: { id: `crash-rule-${k % 3}`, mode: 'dry-run', when: { always: {} }, k },
    createdAt: CRASH_T0 + k * 1000,
    by: 'operator:crash',
    ...(k % 20 === 0 && { deleted: true }),
  };
}

/** every 4th step (k % 4 === 1) proposes; step k + 2 decides it */
export const hasProposal = (k: number) => k % 4 === 1;
export function crashProposal(k: number): Omit<Proposal, 'id' | 'status'> {
  return {
    rule: 'crash',
    version: 1,
    pointId: leasePoint(k),
    value: k % 8 === 1 ? null : 20 + (k % 3),
    from: 21,
    reason: `proposal of step ${k}`,
    priority: 5,
    inputs: { k },
    createdAt: CRASH_T0 + k * 1000,
    expiresAt: CRASH_T0 + k * 1000 + 600_000,
  };
}
export function crashDecision(k: number): Pick<Proposal, 'status' | 'decidedBy' | 'decidedAt' | 'result'> {
  return {
    status: k % 8 === 1 ? 'rejected' : 'approved',
    decidedBy: 'operator:crash',
    decidedAt: CRASH_T0 + k * 1000 + 2000,
    result: `decided ${k}`,
  };
}
