/**
 * Write limits of a point (pure): the first `automation.points` entry whose ids match, intersected with the
 * point's own min/max from the site config. A point no entry names cannot be written by automation: an OT
 * engineer lists what software may touch, and how far.
 */
import type { Point } from '@plenum/model';
import { globToRegExp } from '../../catalog/glob';
import type { PointLimits } from '../config';
import type { EffectiveLimits } from './verdict';

const compiled = new WeakMap<PointLimits, RegExp[]>();

function matches(entry: PointLimits, id: string): boolean {
  let res = compiled.get(entry);
  if (!res) compiled.set(entry, (res = entry.ids.map(globToRegExp)));
  return res.some((r) => r.test(id));
}

/** The entry of `automation.points` for a point id, or undefined. */
export function limitsEntry(id: string, entries: readonly PointLimits[]): PointLimits | undefined {
  return entries.find((e) => matches(e, id));
}

export function effectiveLimits(p: Point, entries: readonly PointLimits[]): EffectiveLimits | undefined {
  const e = limitsEntry(p.id, entries);
  if (!e) return undefined;
  const lo = [e.min, p.min].filter((x): x is number => x !== undefined);
  const hi = [e.max, p.max].filter((x): x is number => x !== undefined);
  return {
    ...(lo.length && { min: Math.max(...lo) }),
    ...(hi.length && { max: Math.min(...hi) }),
    ...(e.maxStep !== undefined && { maxStep: e.maxStep }),
    ...(e.slewPerMin !== undefined && { slewPerMin: e.slewPerMin }),
    ...(e.minDwell !== undefined && { minDwellMs: e.minDwell }),
    release: e.release,
    tolerance: e.tolerance,
  };
}

/** The device watchdog's heartbeat and lease points: any value, no step or dwell, nothing to hand back. */
export function heartbeatLimits(): EffectiveLimits {
  return { release: 'relinquish', tolerance: Number.POSITIVE_INFINITY };
}
