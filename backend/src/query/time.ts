import { QueryError } from '../common/errors';

/** Earliest and latest instants any request may name: 2000-01-01 and 2200-01-01 UTC (Unix ms). */
export const MIN_TIME = Date.UTC(2000, 0, 1);
export const MAX_TIME = Date.UTC(2200, 0, 1);
/** Longest range one query may span: ten years. */
export const MAX_RANGE_MS = 10 * 365.25 * 86_400_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads a time as Grafana or a person sends it: Unix ms (number or digits), an ISO 8601 string, or a relative
 * `now`, `now-6h`, `now-30m`, `now+1d`. `field` names the place in the request for the error message.
 */
export function parseTime(value: unknown, field: string, now: number): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const s = value.trim();
    const rel = /^now(?:([+-])(\d+)(ms|s|m|h|d|w))?$/.exec(s);
    if (rel) ms = rel[1] === undefined ? now : now + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * UNIT_MS[rel[3]!]!;
    else if (/^\d+$/.test(s)) ms = Number(s);
    else if (/^\d{4}-\d{2}-\d{2}/.test(s)) ms = Date.parse(s);
  }
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new QueryError(
      `${field}: ${JSON.stringify(value)} is not a time; expected Unix ms, an ISO 8601 string or now-<n><ms|s|m|h|d|w>`,
    );
  }
  if (ms < MIN_TIME || ms > MAX_TIME) {
    throw new QueryError(`${field}: ${describeInstant(ms)} is outside 2000-01-01 … 2200-01-01`);
  }
  return Math.floor(ms);
}

/**
 * An instant for a message: ISO 8601 where a Date can hold it (±8.64e15 ms), else the number as given — formatting
 * 1e308 as a date throws, which once turned a bad `time` into a 500 instead of a 400 naming the field.
 */
export function describeInstant(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}

export interface TimeRange {
  from: number;
  to: number;
}

export function parseRange(range: { from: unknown; to: unknown }, field: string, now: number): TimeRange {
  const from = parseTime(range.from, `${field}.from`, now);
  const to = parseTime(range.to, `${field}.to`, now);
  if (to <= from)
    throw new QueryError(
      `${field}: to (${new Date(to).toISOString()}) must be after from (${new Date(from).toISOString()})`,
    );
  if (to - from > MAX_RANGE_MS) throw new QueryError(`${field}: spans more than 10 years; narrow the time range`);
  return { from, to };
}
