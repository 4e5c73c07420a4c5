/**
 * The guard's judgement of one write (pure: no clock, no I/O). Every write Plenum makes — from a rule, a
 * controller, an operator through the API or Grafana — is judged here first, in this order: emergency stop,
 * writability, bounds (the automation limits ∩ the point's own), maximum step, slew, dwell, ownership with
 * priorities, interlocks on the inputs (bad, uncertain, stale, or just back from unavailable), the circuit breaker.
 * The first check that fails is the verdict, with a reason naming the bound.
 */
import type { Quality } from '@plenum/model';

export type ActorKind = 'rule' | 'controller' | 'operator' | 'system';

export interface Actor {
  kind: ActorKind;
  /** rule id, token name, `guard` */
  id: string;
  /** rule version, when a rule */
  version?: number;
}

export const actorName = (a: Actor): string => `${a.kind}:${a.id}${a.version !== undefined ? `@v${a.version}` : ''}`;

/** A value a decision was based on. */
export interface InputSample {
  pointId: string;
  value: number | boolean | string | null;
  quality: Quality | 'missing';
  /** Unix ms on the run's clock; absent when missing */
  ts?: number;
  /**
   * when the value was last known current, Unix ms: its `ts`, or later for a source that reports on change and
   * is up (its liveness proves an unchanged value); @default ts
   */
  provenAt?: number;
}

/** What an actor wants written. `value: null` hands the point back (restore or relinquish: the release). */
export interface WriteIntent {
  pointId: string;
  value: number | null;
  actor: Actor;
  /** 1 highest (operator); rules 5 by default */
  priority: number;
  /** why, for the audit trail */
  reason: string;
  inputs: InputSample[];
}

/** The effective write limits of a point (automation.points ∩ the point's min/max), canonical unit. */
export interface EffectiveLimits {
  min?: number;
  max?: number;
  maxStep?: number;
  slewPerMin?: number;
  minDwellMs?: number;
  release: 'restore' | 'relinquish';
  tolerance: number;
}

export interface Owner {
  actor: Actor;
  priority: number;
  /** Unix ms the lease runs out without renewal */
  leaseUntil: number;
}

/** What the guard knows about a point when it judges a write to it. */
export interface PointGuardState {
  /** its latest reading */
  current?: InputSample;
  /** the last write Plenum made to it */
  lastWrite?: { value: number | null; at: number };
  owner?: Owner;
}

export interface JudgeContext {
  now: number;
  stopped: boolean;
  /** undefined: the point is not in automation.points (or not writable): it cannot be written */
  limits?: EffectiveLimits;
  writable: boolean;
  staleAfterMs: number;
  settleMs: number;
  /** Unix ms an input was last seen bad, uncertain or missing (for the settle interlock) */
  lastBadAt: (pointId: string) => number | undefined;
  /** writes of this actor to this point in the breaker window, and the most allowed */
  breaker: { locked: boolean; writes: number; max: number };
}

export type VerdictCode =
  'stopped' | 'not-writable' | 'type' | 'bounds' | 'step' | 'slew' | 'dwell' | 'owner' | 'interlock' | 'breaker';

export type Verdict = { allow: true; checks: string[] } | { allow: false; code: VerdictCode; reason: string };

const fmt = (v: number) => String(Math.round(v * 1000) / 1000);

function interlock(input: InputSample, ctx: JudgeContext): string | undefined {
  if (input.quality === 'missing' || input.ts === undefined) return `input "${input.pointId}" has no value`;
  if (input.quality !== 'good') return `input "${input.pointId}" is ${input.quality}`;
  const age = ctx.now - (input.provenAt ?? input.ts);
  if (age > ctx.staleAfterMs)
    return `input "${input.pointId}" is stale (${fmt(age / 1000)} s old; staleAfter ${ctx.staleAfterMs / 1000} s)`;
  const bad = ctx.lastBadAt(input.pointId);
  if (bad !== undefined && ctx.now - bad < ctx.settleMs)
    return `input "${input.pointId}" came back from bad or missing ${fmt((ctx.now - bad) / 1000)} s ago (settle ${ctx.settleMs / 1000} s)`;
  return undefined;
}

export function judge(w: WriteIntent, s: PointGuardState, ctx: JudgeContext): Verdict {
  const refuse = (code: VerdictCode, reason: string): Verdict => ({ allow: false, code, reason });
  const release = w.value === null;
  // a release (hand back to the BMS) is always allowed, even after an emergency stop: it is what the stop does
  if (ctx.stopped && !release) return refuse('stopped', 'automation is stopped (emergency stop); nothing is written');
  if (!ctx.writable || !ctx.limits)
    return refuse(
      'not-writable',
      `point "${w.pointId}" is not writable by automation (no entry in automation.points, or the point is not writable)`,
    );
  const l = ctx.limits;
  if (release) return { allow: true, checks: ['release'] };
  const v = w.value as number;
  if (!Number.isFinite(v)) return refuse('type', `value ${String(v)} is not a finite number`);
  if (l.min !== undefined && v < l.min) return refuse('bounds', `${fmt(v)} is below the lower bound ${fmt(l.min)}`);
  if (l.max !== undefined && v > l.max) return refuse('bounds', `${fmt(v)} is above the upper bound ${fmt(l.max)}`);
  const cur = typeof s.current?.value === 'number' ? s.current.value : undefined;
  const from = typeof s.lastWrite?.value === 'number' ? s.lastWrite.value : cur;
  if (l.maxStep !== undefined && from !== undefined && Math.abs(v - from) > l.maxStep + 1e-9)
    return refuse('step', `a step of ${fmt(v - from)} from ${fmt(from)} exceeds maxStep ${fmt(l.maxStep)}`);
  const lw = s.lastWrite;
  if (lw && typeof lw.value === 'number') {
    const minutes = (ctx.now - lw.at) / 60_000;
    if (l.minDwellMs !== undefined && ctx.now - lw.at < l.minDwellMs)
      return refuse(
        'dwell',
        `the last write was ${fmt((ctx.now - lw.at) / 1000)} s ago; minDwell ${l.minDwellMs / 1000} s`,
      );
    if (l.slewPerMin !== undefined && Math.abs(v - lw.value) > l.slewPerMin * Math.max(minutes, 0) + 1e-9)
      return refuse(
        'slew',
        `${fmt(Math.abs(v - lw.value))} in ${fmt(minutes * 60)} s exceeds the slew limit ${fmt(l.slewPerMin)} per minute`,
      );
  }
  const o = s.owner;
  if (
    o &&
    o.leaseUntil > ctx.now &&
    !(o.actor.kind === w.actor.kind && o.actor.id === w.actor.id) &&
    o.priority <= w.priority
  )
    return refuse(
      'owner',
      `owned by ${actorName(o.actor)} (priority ${o.priority}); this request has priority ${w.priority}`,
    );
  for (const i of w.inputs) {
    const why = interlock(i, ctx);
    if (why) return refuse('interlock', why);
  }
  if (s.current) {
    const why = interlock(s.current, ctx);
    if (why) return refuse('interlock', `the point itself: ${why}`);
  }
  if (ctx.breaker.locked) return refuse('breaker', `${actorName(w.actor)} is locked by the circuit breaker`);
  if (ctx.breaker.writes >= ctx.breaker.max)
    return refuse(
      'breaker',
      `${actorName(w.actor)} made ${ctx.breaker.writes} writes to "${w.pointId}" in the breaker window (max ${ctx.breaker.max}); locked`,
    );
  return { allow: true, checks: ['bounds', 'step', 'slew', 'dwell', 'owner', 'interlock', 'breaker'] };
}

/**
 * The value to write now on the way to `wanted`: within maxStep from the last write (or the reading) and within
 * the slew since the last write; `wait` while the dwell runs or the slew allows nothing yet. Bounds are not
 * clamped here — a wanted value outside them is refused by `judge`, naming the bound.
 */
export function nextStep(
  wanted: number,
  s: PointGuardState,
  l: EffectiveLimits,
  now: number,
): { value: number } | { wait: string } {
  const cur = typeof s.current?.value === 'number' ? s.current.value : undefined;
  const lw =
    s.lastWrite && typeof s.lastWrite.value === 'number' ? { value: s.lastWrite.value, at: s.lastWrite.at } : undefined;
  const from = lw?.value ?? cur;
  if (from === undefined) return { value: wanted };
  if (Math.abs(wanted - from) < 1e-9) return { value: wanted };
  let room = l.maxStep ?? Number.POSITIVE_INFINITY;
  if (lw) {
    if (l.minDwellMs !== undefined && now - lw.at < l.minDwellMs)
      return { wait: `dwell: ${fmt((now - lw.at) / 1000)} s since the last write (minDwell ${l.minDwellMs / 1000} s)` };
    if (l.slewPerMin !== undefined) room = Math.min(room, (l.slewPerMin * Math.max(0, now - lw.at)) / 60_000);
  }
  // a step smaller than the tolerance is not worth a write (and would not read back as a change)
  if (room < Math.min(Math.abs(wanted - from), Math.max(l.tolerance, 1e-6)))
    return { wait: `slew: ${fmt(room)} allowed so far toward ${fmt(wanted)}` };
  const delta = Math.max(-room, Math.min(room, wanted - from));
  if (Math.abs(delta) >= Math.abs(wanted - from)) return { value: wanted };
  // a partial step is cut (not rounded) to 1e-6 so that it never exceeds the slew judge checks
  return { value: from + (Math.sign(delta) * Math.floor(Math.abs(delta) * 1e6)) / 1e6 };
}
