/**
 * When samples last arrived, per point, on the server's clock — what `POST /api/stream` long-polls on. Kept
 * apart from sample timestamps on purpose: a device's clock may lag or lead, but a client that asks "anything
 * new since my last answer?" means new to the server.
 */
export type WaitOutcome = 'data' | 'timeout' | 'aborted' | 'closed';

interface Waiter {
  points: ReadonlySet<string> | null;
  settle(outcome: WaitOutcome): void;
}

export class Arrivals {
  private readonly last = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Called by the ingest pipeline once samples are stored. */
  record(pointIds: readonly string[]): void {
    const t = this.now();
    // one poll of a hall records tens of thousands of ids: no copies of them unless a long poll waits
    for (const id of pointIds) this.last.set(id, t);
    if (pointIds.length === 0 || this.waiters.size === 0) return;
    for (const w of [...this.waiters]) {
      if (w.points === null || pointIds.some((id) => w.points!.has(id))) w.settle('data');
    }
  }

  /** True when any of `points` (all points when null) received a sample strictly after `after` (server ms). */
  since(points: ReadonlySet<string> | null, after: number): boolean {
    if (points === null) {
      for (const t of this.last.values()) if (t > after) return true;
      return false;
    }
    for (const id of points) if ((this.last.get(id) ?? -Infinity) > after) return true;
    return false;
  }

  /**
   * Resolves `data` as soon as one of `points` has a sample that arrived after `after`, `timeout` after `waitMs`,
   * `aborted` when the signal fires (the client went away), `closed` on shutdown. Never rejects.
   */
  wait(points: ReadonlySet<string> | null, after: number, waitMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.closed) return Promise.resolve('closed');
    if (this.since(points, after)) return Promise.resolve('data');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const onAbort = () => waiter.settle('aborted');
      const timer = setTimeout(() => waiter.settle('timeout'), waitMs);
      const waiter: Waiter = {
        points,
        settle: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          resolve(outcome);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Answers every pending wait with `closed`, so shutdown never waits for a long poll. */
  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w.settle('closed');
  }

  /** long polls waiting now (for metrics and tests) */
  get pending(): number {
    return this.waiters.size;
  }
}
