/*
 * Grafana's interval arithmetic (`rangeutil.ts` of @grafana/data), kept free of @grafana/data so it is unit
 * testable under Node: the `interval` variable's auto step, `$__interval` of a panel, and refresh periods.
 */

/** ms per unit of Grafana's duration strings (`15s`, `1m`, `2h`, `1d`, `1w`, `1M` = 30 d, `1y` = 365 d). */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_592_000_000,
  y: 31_536_000_000,
};

/** `10s` → 10000; a bare number is seconds, as in Grafana. Throws on anything else. */
export function intervalToMs(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = /^(\d+(?:\.\d+)?)(ms|[smhdwMy])$/.exec(trimmed);
  if (!match)
    throw new Error(
      `Invalid interval string, has to be either unit-less or end with one of ms, s, m, h, d, w, M, y: "${text}"`,
    );
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** Grafana's `roundInterval`: raw step (ms) → the step at or above which its bucket starts, in ms. */
const ROUNDING: [below: number, step: number][] = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1000],
  [3500, 2000],
  [7500, 5000],
  [12500, 10000],
  [17500, 15000],
  [25000, 20000],
  [45000, 30000],
  [90000, 60000],
  [210000, 120000],
  [450000, 300000],
  [750000, 600000],
  [1050000, 900000],
  [1500000, 1200000],
  [2700000, 1800000],
  [5400000, 3600000],
  [9000000, 7200000],
  [16200000, 10800000],
  [32400000, 21600000],
  [86400000, 43200000],
  [604800000, 86400000],
  [1814400000, 604800000],
  [3628800000, 2592000000],
];

export function roundInterval(ms: number): number {
  return ROUNDING.find(([below]) => ms < below)?.[1] ?? 31_536_000_000;
}

/** Grafana's `secondsToHms`: the largest whole unit, e.g. 90 000 ms → `1m`, 500 ms → `500ms`. */
export function msToInterval(ms: number): string {
  const s = ms / 1000;
  const parts: [number, string][] = [
    [Math.floor(s / 31_536_000), 'y'],
    [Math.floor((s % 31_536_000) / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [Math.floor(s % 60), 's'],
    [Math.floor(ms), 'ms'],
  ];
  const found = parts.find(([n]) => n > 0);
  return found ? `${found[0]}${found[1]}` : 'less than a millisecond';
}

/**
 * Grafana's `calculateInterval`: the range split into `resolution` steps (a panel: its width in px; an `interval`
 * variable: `auto_count`), rounded to a readable step, never below `minInterval`.
 */
export function calculateInterval(
  rangeMs: number,
  resolution: number,
  minInterval?: string,
): { intervalMs: number; interval: string } {
  const lowLimitMs = minInterval ? intervalToMs(minInterval) : 1;
  const intervalMs = Math.max(lowLimitMs, roundInterval(rangeMs / Math.max(1, resolution)));
  return { intervalMs, interval: msToInterval(intervalMs) };
}

/**
 * A dashboard's auto refresh period in ms, or undefined when off (`''`, `false`, unparsable); never shorter than
 * `minRefresh` (Grafana's `min_refresh_interval`, 5 s by default).
 */
export function refreshPeriodMs(refresh: string | false | undefined, minRefresh = '5s'): number | undefined {
  if (!refresh) return undefined;
  try {
    return Math.max(intervalToMs(refresh), intervalToMs(minRefresh));
  } catch {
    return undefined;
  }
}
