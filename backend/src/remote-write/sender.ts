import { outcomeOf, retryAfterMs, retryDelay, type BackoffRange } from './backoff';
import type { DurableQueue } from './queue';
import { encodeWriteRequest, PROTOCOL_HEADERS } from './write-request';

/**
 * The send loop: one request at a time from the head of the durable queue (one in flight is what keeps each
 * series in time order across retries). A request goes when `batchSamples` are waiting, or every `flushIntervalMs`
 * for whatever is waiting (then the queue is drained in full batches). 2xx: the samples leave the queue; 429, 5xx,
 * a timeout or a network error: the same samples are sent again after a backoff (backoff.ts); any other status:
 * they are dropped and counted (`rejected`), the receiver's message logged once per kind.
 */

export interface SenderOptions {
  url: string;
  /** extra and auth headers (the protocol's are added) */
  headers: Record<string, string>;
  timeoutMs: number;
  batchSamples: number;
  flushIntervalMs: number;
  backoff: BackoffRange;
  log: (msg: string) => void;
  random?: () => number;
}

export type SenderState = 'idle' | 'sending' | 'backoff' | 'stopped';

export interface SenderStatus {
  state: SenderState;
  /** retries since start (each resend of a batch) */
  retries: number;
  /** requests answered 2xx since start */
  requests: number;
  /** current wait before the next retry, ms (0 when not backing off) */
  backoffMs: number;
  /** Unix ms (wall clock) of the last 2xx */
  lastSuccess?: number;
  /** the last failure: status and the receiver's message, or the network error */
  lastError?: string;
  /** ms the last successful request took */
  lastDurationMs?: number;
}

/** how many kinds of 4xx message are remembered for "log once" */
const LOGGED_KINDS_MAX = 100;
/** bytes of an error body kept for the log and health */
const ERROR_BODY_MAX = 512;

export class Sender {
  readonly status: SenderStatus = { state: 'idle', retries: 0, requests: 0, backoffMs: 0 };
  private closed = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private readonly loggedKinds = new Set<string>();
  private loop: Promise<void> | undefined;
  private readonly displayUrl: string;

  constructor(
    private readonly queue: DurableQueue,
    private readonly o: SenderOptions,
  ) {
    const u = new URL(o.url);
    u.username = '';
    u.password = '';
    this.displayUrl = u.toString();
  }

  start(): void {
    this.loop ??= this.run().catch((err) => {
      // run() catches per request; this is a defect, said loudly, and the loop is not restarted blindly
      this.status.state = 'stopped';
      this.status.lastError = `send loop ended: ${String(err)}`;
      this.o.log(`remote write to ${this.displayUrl}: send loop ended — ${(err as Error)?.stack ?? String(err)}`);
    });
  }

  /** new samples are queued: send at once when a batch is full */
  kick(): void {
    if (this.queue.pendingSamples >= this.o.batchSamples) this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.wakeUp(), ms);
    });
  }

  private async run(): Promise<void> {
    const state = { draining: false, attempt: 0, nextTick: Date.now() + this.o.flushIntervalMs };
    while (!this.closed) {
      try {
        await this.step(state);
      } catch (err) {
        // the queue's disk (full, read-only): nothing is acknowledged as sent; try again after the longest backoff
        this.queue.release();
        this.status.lastError = `queue: ${String(err)}`;
        this.o.log(`remote write to ${this.displayUrl}: ${this.status.lastError}; retrying`);
        await this.sleep(this.o.backoff.max);
      }
    }
    this.status.state = 'stopped';
  }

  private async step(st: { draining: boolean; attempt: number; nextTick: number }): Promise<void> {
    const pending = this.queue.pendingSamples;
    if (Date.now() >= st.nextTick) {
      st.draining = pending > 0;
      st.nextTick = Date.now() + this.o.flushIntervalMs;
    }
    if (pending === 0 || (pending < this.o.batchSamples && !st.draining)) {
      st.draining = false;
      this.status.state = 'idle';
      await this.sleep(Math.max(1, st.nextTick - Date.now()));
      return;
    }
    const batch = this.queue.peek(this.o.batchSamples);
    if (!batch) return;
    this.status.state = 'sending';
    const r = await this.post(encodeWriteRequest(batch.series));
    if (this.closed) {
      this.queue.release();
      return;
    }
    if (r.outcome === 'sent') {
      this.queue.ack(batch, 'sent');
      st.attempt = 0;
      this.status.requests++;
      this.status.backoffMs = 0;
      this.status.lastSuccess = Date.now();
      this.status.lastDurationMs = r.ms;
    } else if (r.outcome === 'reject') {
      this.queue.ack(batch, 'rejected');
      st.attempt = 0;
      this.status.lastError = r.error;
      this.logOnce(r.status!, r.error!, batch.count);
    } else {
      this.queue.release();
      this.status.retries++;
      this.status.lastError = r.error;
      const delay = retryDelay(st.attempt, this.o.backoff, r.retryAfter, this.o.random);
      if (st.attempt === 0)
        this.o.log(`remote write to ${this.displayUrl}: ${r.error}; retrying with backoff (queue keeps every sample)`);
      st.attempt++;
      this.status.state = 'backoff';
      this.status.backoffMs = delay;
      await this.sleep(delay);
      this.status.backoffMs = 0;
    }
  }

  private logOnce(status: number, error: string, count: number): void {
    const kind = `${status} ${error.slice(0, 120)}`;
    if (this.loggedKinds.has(kind)) return;
    if (this.loggedKinds.size < LOGGED_KINDS_MAX) this.loggedKinds.add(kind);
    this.o.log(
      `remote write to ${this.displayUrl}: ${count} samples dropped, the receiver refused them — ${error} (further refusals of this kind are counted in plenum_remote_write_samples_dropped_total{reason="rejected"}, not logged)`,
    );
  }

  private async post(body: Uint8Array): Promise<{
    outcome: 'sent' | 'retry' | 'reject';
    status?: number;
    error?: string;
    retryAfter?: number;
    ms: number;
  }> {
    const t0 = Date.now();
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs)]);
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: { ...PROTOCOL_HEADERS, ...this.o.headers, 'User-Agent': 'plenum-remote-write/0.1' },
        body: body as Uint8Array<ArrayBuffer>,
        signal,
        redirect: 'manual',
      });
      const outcome = outcomeOf(res.status);
      if (outcome === 'sent') {
        // drain the body so the connection is reused
        await res.arrayBuffer().catch(() => undefined);
        return { outcome, status: res.status, ms: Date.now() - t0 };
      }
      const text = (await res.text().catch(() => '')).trim().slice(0, ERROR_BODY_MAX);
      return {
        outcome,
        status: res.status,
        error: `HTTP ${res.status}${text ? `: ${text}` : ''}`,
        retryAfter: retryAfterMs(res.headers.get('retry-after'), Date.now()),
        ms: Date.now() - t0,
      };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${this.o.timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message);
      return { outcome: 'retry', error: `request failed: ${why}`, ms: Date.now() - t0 };
    }
  }

  /** Stops the loop (an in-flight request is aborted; its samples stay queued), bounded in time. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.wakeUp();
    await this.loop;
    this.status.state = 'stopped';
  }
}
