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

interface PointArrivals {
  /** server ms of the last arrival; −Infinity while a wait registered the point before any sample */
  t: number;
  /** long polls waiting on this point */
  waiters: Set<Waiter> | undefined;
}

export class Arrivals {
  private readonly last = new Map<string, PointArrivals>();
  /** waits on every point (`points` null) */
  private readonly anyPoint = new Set<Waiter>();
  private pendingWaits = 0;
  private closed = false;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Called by the ingest pipeline once samples are stored. Waiters are found through each point's own list, so a
   * batch costs one lookup per id however many long polls wait (100 NOC walls hold over a thousand; asking each
   * of them about each of a 2,000-sample batch's ids was the ingest path's largest cost under load).
   */
  record(pointIds: readonly string[]): void {
    const t = this.now();
    let woken: Set<Waiter> | undefined;
    for (const id of pointIds) {
      const e = this.last.get(id);
      if (!e) {
        this.last.set(id, { t, waiters: undefined });
        continue;
      }
      e.t = t;
      if (e.waiters?.size) for (const w of e.waiters) (woken ??= new Set()).add(w);
    }
    if (pointIds.length > 0) for (const w of this.anyPoint) (woken ??= new Set()).add(w);
    if (woken) for (const w of woken) w.settle('data');
  }

  /** True when any of `points` (all points when null) received a sample strictly after `after` (server ms). */
  since(points: ReadonlySet<string> | null, after: number): boolean {
    if (points === null) {
      for (const e of this.last.values()) if (e.t > after) return true;
      return false;
    }
    for (const id of points) if ((this.last.get(id)?.t ?? -Infinity) > after) return true;
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
      let settled = false;
      const waiter: Waiter = {
        points,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.unregister(waiter);
          resolve(outcome);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.register(waiter);
    });
  }

  private register(w: Waiter): void {
    this.pendingWaits++;
    if (w.points === null) {
      this.anyPoint.add(w);
      return;
    }
    for (const id of w.points) {
      let e = this.last.get(id);
      if (!e) this.last.set(id, (e = { t: -Infinity, waiters: undefined }));
      (e.waiters ??= new Set()).add(w);
    }
  }

  private unregister(w: Waiter): void {
    this.pendingWaits--;
    if (w.points === null) {
      this.anyPoint.delete(w);
      return;
    }
    for (const id of w.points) this.last.get(id)?.waiters?.delete(w);
  }

  /** Answers every pending wait with `closed`, so shutdown never waits for a long poll. */
  close(): void {
    this.closed = true;
    const all = new Set(this.anyPoint);
    for (const e of this.last.values()) if (e.waiters) for (const w of e.waiters) all.add(w);
    for (const w of all) w.settle('closed');
  }

  /** long polls waiting now (for metrics and tests) */
  get pending(): number {
    return this.pendingWaits;
  }
}
