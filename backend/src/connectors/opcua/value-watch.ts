/**
 * Proof that a subscription still reports its points (pure, no node-opcua, no clock). Keep-alives only prove
 * that the server answers publish requests, not that the subscription still has its monitored items: after a
 * failed recreation node-opcua keeps a subscription that sends keep-alives and nothing else. So every point must
 * prove itself: by a notification, or — for a value that does not change (a setpoint, a deadband) — by a check
 * Read that finds the value the subscription last reported. A value found different that stays unreported past
 * `confirmAfterMs` is a missed change: the subscription is broken.
 */

export interface WatchParams {
  /** a point with no proof for this long is due for a check Read, ms */
  staleAfterMs: number;
  /** a changed value still unreported this long after the check that found it is a missed change, ms */
  confirmAfterMs: number;
  /** largest difference of a number that counts as unchanged (the absolute deadband); `status`: compare statuses only (a percent deadband, whose range the connector does not know) */
  tolerance: number | 'status';
}

export type CheckOutcome = 'unchanged' | 'suspect' | 'missed';

interface Seen {
  params: WatchParams;
  value: unknown;
  status: number;
  /** last notification, or check that found the value unchanged */
  proofAt: number;
  /** when a check first found a value the subscription had not reported */
  suspectAt?: number;
}

function same(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= tolerance || (Number.isNaN(a) && Number.isNaN(b));
  }
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export class ValueWatch<K> {
  private readonly seen = new Map<K, Seen>();
  /** the newest proof of any point, Unix ms */
  private newest = -Infinity;

  /** `paramsOf` is asked once per point, when it is watched */
  constructor(private readonly paramsOf: (k: K) => WatchParams) {}

  get size(): number {
    return this.seen.size;
  }

  /** Starts watching `k` (its monitored item exists): its initial value is due within staleAfter. */
  watch(k: K, now: number): void {
    this.seen.set(k, { params: this.paramsOf(k), value: undefined, status: -1, proofAt: now });
    this.newest = Math.max(this.newest, now);
  }

  /** A notification for `k`: proof, and the value later checks compare with. */
  notified(k: K, value: unknown, status: number, now: number): void {
    const s = this.seen.get(k);
    if (!s) return;
    s.value = value;
    s.status = status;
    s.proofAt = now;
    s.suspectAt = undefined;
    this.newest = Math.max(this.newest, now);
  }

  clear(): void {
    this.seen.clear();
    this.newest = -Infinity;
  }

  /** Points due for a check Read — without proof for their staleAfter — longest unproven first, at most `max`. */
  due(now: number, max: number): K[] {
    const out: Array<[K, number]> = [];
    for (const [k, s] of this.seen) {
      if (now - s.proofAt > s.params.staleAfterMs) out.push([k, s.proofAt]);
    }
    out.sort((a, b) => a[1] - b[1]);
    return out.slice(0, max).map(([k]) => k);
  }

  /** The answer of a check Read of `k`. */
  checked(k: K, value: unknown, status: number, now: number): CheckOutcome {
    const s = this.seen.get(k);
    if (!s) return 'unchanged';
    const p = s.params;
    const unchanged = s.status === status && (p.tolerance === 'status' || same(s.value, value, p.tolerance));
    if (unchanged) {
      s.proofAt = now;
      s.suspectAt = undefined;
      this.newest = Math.max(this.newest, now);
      return 'unchanged';
    }
    if (s.suspectAt === undefined) {
      s.suspectAt = now;
      return 'suspect';
    }
    return now - s.suspectAt >= p.confirmAfterMs ? 'missed' : 'suspect';
  }

  /** ms since the newest proof of any point; 0 while nothing is watched (nothing to prove). */
  silentMs(now: number): number {
    return this.seen.size === 0 ? 0 : now - this.newest;
  }
}
