import { rangeUtil } from '@grafana/data';

export type StaleAfter = { ms: number | undefined } | { error: string };

/** `staleAfter` option → ms ('' = never stale); an error names the bad text, e.g. `"10 min" is not an interval`. */
export function parseStaleAfter(option: string): StaleAfter {
  const trimmed = option.trim();
  if (!trimmed) {
    return { ms: undefined };
  }
  // intervalToMs accepts Grafana intervals ('30s', '10m', '1h'); it throws on anything else
  const valid = /^\d+(\.\d+)?(ms|s|m|h|d|w|M|y)$/.test(trimmed);
  const ms = valid ? rangeUtil.intervalToMs(trimmed) : NaN;
  return Number.isFinite(ms) && ms > 0 ? { ms } : { error: `stale after: "${option}" is not an interval like 10m` };
}

/** An age for people: "45 s", "12 min", "3 h 5 min", "2 d"; ms in, rounded down. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) {
    return `${s} s`;
  }
  const min = Math.floor(s / 60);
  if (min < 60) {
    return `${min} min`;
  }
  const h = Math.floor(min / 60);
  if (h < 24) {
    return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  }
  return `${Math.floor(h / 24)} d`;
}
