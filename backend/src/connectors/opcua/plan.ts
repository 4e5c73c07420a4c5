/**
 * Monitored-item planning (pure): which subscription each point goes to and which CreateMonitoredItems call
 * creates it. node-opcua creates the items of one call with one set of monitoring parameters, so a call holds
 * points with equal sampling interval, queue size and deadband; points are sorted by those parameters first so
 * mixed overrides cost as few calls as possible.
 */
import type { Deadband } from './address';

export interface MonitorParams {
  samplingIntervalMs: number;
  queueSize: number;
  deadband: Deadband;
}

export interface Limits {
  /** most items per CreateMonitoredItems call (≥ 1) */
  perCall: number;
  /** most items per subscription (≥ 1) */
  perSubscription: number;
}

export interface PlannedCall<T> {
  params: MonitorParams;
  items: T[];
}

export interface PlannedSubscription<T> {
  calls: PlannedCall<T>[];
}

export function paramsKey(p: MonitorParams): string {
  return `${p.samplingIntervalMs}|${p.queueSize}|${p.deadband.type}|${p.deadband.value}`;
}

/**
 * Fills subscriptions of at most `perSubscription` items in order of their parameters, then cuts each
 * subscription's items into calls of at most `perCall` items with equal parameters.
 */
export function planMonitoredItems<T>(
  items: readonly T[],
  paramsOf: (item: T) => MonitorParams,
  limits: Limits,
): PlannedSubscription<T>[] {
  const perCall = Math.max(1, Math.floor(limits.perCall));
  const perSub = Math.max(1, Math.floor(limits.perSubscription));
  const keyed = items.map((item, i) => ({ item, i, params: paramsOf(item), key: paramsKey(paramsOf(item)) }));
  // stable: equal parameters keep the points' order
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  const subs: PlannedSubscription<T>[] = [];
  for (let start = 0; start < keyed.length; start += perSub) {
    const members = keyed.slice(start, start + perSub);
    const calls: PlannedCall<T>[] = [];
    for (const m of members) {
      const last = calls[calls.length - 1];
      if (last && last.items.length < perCall && paramsKey(last.params) === m.key) last.items.push(m.item);
      else calls.push({ params: m.params, items: [m.item] });
    }
    subs.push({ calls });
  }
  return subs;
}

/** Cuts a list into chunks of at most `size` (reads, browses). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/** The smaller of our limit and the server's (0 or missing: the server sets none). */
export function effectiveLimit(ours: number, server: number | undefined): number {
  return server !== undefined && server > 0 ? Math.min(ours, server) : ours;
}
