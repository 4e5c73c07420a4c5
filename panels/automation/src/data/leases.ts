import { formatDuration, formatValue, shortPoint } from './format';
import type { LeaseView } from './model';

export interface LeaseRow {
  pointId: string;
  point: string;
  owner: string;
  priority: number;
  value: string;
  /** what the point returns to when the lease ends: the saved value (restore) or the BMS (relinquish) */
  returnsTo: string;
  /** ms until the lease runs out without renewal (rules renew theirs every second while they want the point) */
  leftMs: number;
  left: string;
  /** under 15 s left: about to go back to the BMS */
  expiring: boolean;
}

/** Leases as rows, soonest to run out first. `now` is the backend's clock when known, else the browser's. */
export function leaseRows(leases: LeaseView[], now: number): LeaseRow[] {
  return leases
    .map((l) => {
      const leftMs = Math.max(0, l.leaseUntil - now);
      return {
        pointId: l.pointId,
        point: shortPoint(l.pointId),
        owner: l.owner,
        priority: l.priority,
        value: formatValue(l.value),
        returnsTo: l.release === 'restore' && l.saved !== null ? formatValue(l.saved) : 'BMS',
        leftMs,
        left: formatDuration(leftMs),
        expiring: leftMs < 15_000,
      };
    })
    .sort((a, b) => a.leftMs - b.leftMs || a.pointId.localeCompare(b.pointId));
}
