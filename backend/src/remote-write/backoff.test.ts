import { backoffDelay, backoffStep, outcomeOf, RETRY_AFTER_CAP_MS, retryAfterMs, retryDelay } from './backoff';

const B = { min: 500, max: 30_000 };

describe('backoff', () => {
  it('doubles from min to max', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffStep(n, B))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('jitters within [step/2, step]', () => {
    expect(backoffDelay(3, B, () => 0)).toBe(2000);
    expect(backoffDelay(3, B, () => 0.999999)).toBe(4000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2, B);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });

  it('reads Retry-After as seconds or an HTTP date, and honours it when longer, capped', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 03 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 03 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryDelay(0, B, 7000, () => 0)).toBe(7000);
    expect(retryDelay(6, B, 100, () => 1)).toBe(30_000);
    expect(retryDelay(0, B, 24 * 3600_000, () => 0)).toBe(RETRY_AFTER_CAP_MS);
  });

  it('retries 5xx and 429, drops other 4xx, sends on 2xx', () => {
    expect([200, 204, 429, 500, 502, 503, 400, 401, 404, 413, 302].map(outcomeOf)).toEqual([
      'sent',
      'sent',
      'retry',
      'retry',
      'retry',
      'retry',
      'reject',
      'reject',
      'reject',
      'reject',
      'reject',
    ]);
  });
});
