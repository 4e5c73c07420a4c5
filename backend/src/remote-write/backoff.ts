/**
 * Retry timing, pure: exponential backoff with jitter, and the receiver's Retry-After.
 *
 * Attempt n (0 for the first retry) waits a random time in [d/2, d] with d = min(max, min · 2ⁿ) ("equal
 * jitter": never less than half the step, so retries spread without collapsing to zero). A Retry-After header
 * (seconds, or an HTTP date) is honoured when it asks for longer, up to RETRY_AFTER_CAP_MS.
 */

/** a receiver cannot park the sender for longer than this, ms */
export const RETRY_AFTER_CAP_MS = 10 * 60_000;

export interface BackoffRange {
  /** ms */
  min: number;
  /** ms */
  max: number;
}

/** the undithered step of attempt n, ms */
export function backoffStep(attempt: number, b: BackoffRange): number {
  return Math.min(b.max, b.min * 2 ** Math.min(attempt, 40));
}

/** the delay before retry n, ms; `random` in [0, 1) */
export function backoffDelay(attempt: number, b: BackoffRange, random: () => number = Math.random): number {
  const d = backoffStep(attempt, b);
  return Math.round(d / 2 + (random() * d) / 2);
}

/** Retry-After as ms from `now` (Unix ms): delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const h = header.trim();
  if (/^\d+$/.test(h)) return Number(h) * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** what to wait before the next try: the backoff, or the receiver's Retry-After when longer (capped) */
export function retryDelay(attempt: number, b: BackoffRange, retryAfter: number | undefined, random?: () => number) {
  const d = backoffDelay(attempt, b, random);
  return retryAfter === undefined ? d : Math.max(d, Math.min(retryAfter, RETRY_AFTER_CAP_MS));
}

export type Outcome = 'sent' | 'retry' | 'reject';

/**
 * What an HTTP status means for a batch (remote write spec: 5xx and 429 may be retried; other 4xx must not):
 * 2xx sent; 429 and 5xx retried; anything else (4xx, or a redirect not followed) dropped and counted.
 */
export function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'sent';
  if (status === 429 || status >= 500) return 'retry';
  return 'reject';
}
