/** Short forms for a panel that lists many points and times. */

/**
 * A point id as the backend's event titles shorten it: its last two segments (`crah1/supply_setpoint`), which name
 * the asset and signal; ids with fewer segments stay whole.
 */
export function shortPoint(pointId: string): string {
  const parts = pointId.split('/');
  return parts.length > 2 ? parts.slice(-2).join('/') : pointId;
}

/** A written or saved value: up to three decimals; `null` is a hand-back to the BMS. */
export function formatValue(value: number | null | undefined): string {
  if (value === null) {
    return 'BMS';
  }
  if (value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  return String(Math.round(value * 1000) / 1000);
}

/** A duration in ms as people read a countdown: `45 s`, `3 min 05 s`, `2 h 10 min`; negative is `0 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) {
    return `${s} s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  }
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** How long ago `time` was at `now`: `just now`, `12 s ago`, `3 min ago`, `2 h ago`, `4 d ago`. */
export function formatAge(time: number, now: number): string {
  const s = Math.round((now - time) / 1000);
  if (s < 5) {
    return 'just now';
  }
  if (s < 60) {
    return `${s} s ago`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m} min ago`;
  }
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ago` : `${Math.floor(h / 24)} d ago`;
}
