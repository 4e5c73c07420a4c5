import { formatValue, shortPoint } from './format';
import type { AutomationEvent } from './model';

/**
 * Automation events as rows of "recent actions": who (actor), on what (point or rule), before → after, and the
 * verdict — read from the event's `data` as the backend writes it (guard writes and refusals, releases, dry-run
 * "would write", proposals, mode changes, the emergency stop, rule versions, automation alarms). An event of a shape
 * not known here keeps its title, so nothing the backend records is hidden.
 */
export type ActionKind =
  | 'write'
  | 'refused'
  | 'release'
  | 'dry-run'
  | 'proposal'
  | 'mode'
  | 'stop'
  | 'resume'
  | 'rule'
  | 'notification'
  | 'alarm'
  | 'other';

/** ok: done as wanted; warn: refused or pending; bad: failed, critical; info: neither */
export type Tone = 'ok' | 'warn' | 'bad' | 'info';

export interface ActionRow {
  id: number;
  time: number;
  kind: ActionKind;
  title: string;
  /** `rule:inlet-high@v1`, `operator:operate/alice`, `system:guard` … */
  actor?: string;
  /** the point (shortened) or the rule the action is about */
  target?: string;
  /** the full point id, when the target is a point */
  pointId?: string;
  before?: string;
  after?: string;
  verdict: string;
  tone: Tone;
  /** the reason the backend gave */
  detail?: string;
}

interface ActorLike {
  kind?: unknown;
  id?: unknown;
  version?: unknown;
}

/** The backend's `actorName`: `kind:id`, plus `@v<version>` for a rule. */
export function actorName(a: unknown): string | undefined {
  if (typeof a === 'string') {
    return a;
  }
  if (typeof a !== 'object' || a === null) {
    return undefined;
  }
  const { kind, id, version } = a as ActorLike;
  if (typeof kind !== 'string' || typeof id !== 'string') {
    return undefined;
  }
  return `${kind}:${id}${typeof version === 'number' ? `@v${version}` : ''}`;
}

const num = (v: unknown): number | null | undefined => (typeof v === 'number' || v === null ? v : undefined);
/** "… by operator:operate/alice" or "… by operator:operate/alice: reason" in a text */
const byActor = (text: string | undefined) => /\bby ([^\s:]+:[^\s:]+)/.exec(text ?? '')?.[1];

export function toAction(e: AutomationEvent): ActionRow {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const tags = e.tags ?? [];
  const base = { id: e.id, time: e.time, title: e.title, ...(e.text && { detail: e.text }) };
  const intent = (d.intent ?? {}) as { pointId?: unknown; value?: unknown; actor?: unknown };
  const verdict = d.verdict as { allow?: boolean; code?: string; reason?: string } | undefined;
  const point = (id: unknown) => (typeof id === 'string' ? { pointId: id, target: shortPoint(id) } : {});

  if (e.type === 'alarm') {
    return {
      ...base,
      kind: 'alarm',
      actor: actorName(d.actor),
      ...point(intent.pointId ?? e.pointId),
      verdict: e.severity === 'critical' ? 'alarm (critical)' : 'alarm',
      tone: e.severity === 'info' ? 'info' : 'bad',
    };
  }
  if (tags.includes('proposal')) {
    const p = (d.proposal ?? {}) as Record<string, unknown>;
    const status = String(tags.find((t) => t !== 'automation' && t !== 'proposal') ?? p.status ?? 'pending');
    const proposer =
      typeof p.rule === 'string' ? `rule:${p.rule}${typeof p.version === 'number' ? `@v${p.version}` : ''}` : undefined;
    return {
      ...base,
      kind: 'proposal',
      actor: status === 'pending' || status === 'expired' ? proposer : (byActor(e.text) ?? proposer),
      ...point(p.pointId ?? e.pointId),
      before: formatValue(num(p.from)),
      after: formatValue(num(p.value)),
      verdict: `proposal #${String(p.id ?? '?')} ${status}`,
      tone: status === 'approved' ? 'ok' : status === 'pending' ? 'warn' : status === 'failed' ? 'bad' : 'info',
    };
  }
  if (tags.includes('dry-run')) {
    return {
      ...base,
      kind: 'dry-run',
      actor: actorName(d.actor),
      ...point(intent.pointId ?? e.pointId),
      after: intent.value === undefined ? undefined : formatValue(num(intent.value)),
      verdict: !verdict
        ? 'would notify'
        : verdict.allow
          ? 'would write'
          : `would be refused (${verdict.code}): ${verdict.reason}`,
      tone: 'info',
    };
  }
  // guard writes carry the actor's kind as a tag ('rule', 'operator'): read them before the tag-named kinds
  if (verdict && intent.pointId !== undefined) {
    const release = intent.value === null;
    // a release restores the saved value, or relinquishes to the BMS: the guard says which in the reason
    const reason = String((intent as { reason?: unknown }).reason ?? '');
    const restored = release ? /\brestore (-?\d+(?:\.\d+)?)/.exec(reason) : null;
    const handedBack = restored ? 'handed back (restored)' : 'handed back to the BMS';
    return {
      ...base,
      kind: !verdict.allow ? 'refused' : release ? 'release' : 'write',
      actor: actorName(d.actor ?? intent.actor),
      ...point(intent.pointId),
      before: formatValue(num(d.from)),
      after: restored ? restored[1] : formatValue(num(intent.value)),
      verdict: !verdict.allow ? `refused (${verdict.code}): ${verdict.reason}` : release ? handedBack : 'written',
      tone: verdict.allow ? 'ok' : 'warn',
    };
  }
  if (tags.includes('mode')) {
    return {
      ...base,
      kind: 'mode',
      actor: actorName(d.actor),
      target: typeof d.rule === 'string' ? `rule ${d.rule}` : undefined,
      before: typeof d.from === 'string' ? d.from : undefined,
      after: typeof d.to === 'string' ? d.to : undefined,
      verdict: 'mode set',
      tone: 'info',
    };
  }
  if (tags.includes('stop')) {
    return {
      ...base,
      kind: 'stop',
      actor: actorName(d.actor),
      verdict: `emergency stop: ${typeof d.leases === 'number' ? d.leases : '?'} point${d.leases === 1 ? '' : 's'} handed back`,
      tone: 'bad',
    };
  }
  if (tags.includes('resume')) {
    return { ...base, kind: 'resume', actor: actorName(d.actor), verdict: 'resumed', tone: 'ok' };
  }
  if (tags.includes('rule')) {
    const rule = (d.rule ?? {}) as { id?: unknown };
    return {
      ...base,
      kind: 'rule',
      actor: actorName(d.actor),
      target: typeof rule.id === 'string' ? `rule ${rule.id}` : undefined,
      after: typeof d.version === 'number' ? `version ${d.version}` : undefined,
      verdict: 'rule changed',
      tone: 'info',
    };
  }
  if (tags.includes('notification')) {
    return { ...base, kind: 'notification', verdict: 'notified', tone: e.severity === 'info' ? 'info' : 'warn' };
  }
  return {
    ...base,
    kind: 'other',
    actor: actorName(d.actor),
    ...point(e.pointId),
    verdict: e.severity,
    tone: e.severity === 'critical' ? 'bad' : e.severity === 'warning' ? 'warn' : 'info',
  };
}

/** The rows to list: newest first, dry-run events only when wanted, at most `limit`. */
export function actionRows(events: AutomationEvent[], opts: { showDryRun: boolean; limit: number }): ActionRow[] {
  return events
    .map(toAction)
    .filter((r) => opts.showDryRun || r.kind !== 'dry-run')
    .sort((a, b) => b.time - a.time || b.id - a.id)
    .slice(0, Math.max(0, opts.limit));
}
