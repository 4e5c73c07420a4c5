/**
 * Posts job start/end events to a URL, as a cluster scheduler's webhook would (Slurm-like JSON), or as Plenum
 * events (`POST /api/events` body) with `format: 'plenum-event'`. Delivery is in order, one at a time; a
 * failure (network, timeout, 5xx, 408, 429) is logged and retried with backoff (1 s doubling to 30 s) until it
 * goes through or the runner stops. Another 4xx means the receiver rejects the payload: it is logged and
 * dropped, since retrying cannot help. Nothing here throws or rejects.
 */
import type { Job, JobEvent } from './model';

export type WebhookFormat = 'slurm' | 'plenum-event';

export interface JobWebhookOptions {
  url: string;
  /** sent as `Authorization: Bearer <token>`; never logged */
  token?: string;
  /** @default slurm */
  format?: WebhookFormat;
  /** per-request timeout, ms, @default 5000 */
  timeoutMs?: number;
  /** first retry delay, ms, doubling per failure, @default 1000 */
  retryMs?: number;
  /** @default 30000 */
  maxRetryMs?: number;
  /** events kept while the receiver is down; the oldest are dropped beyond it, @default 10000 */
  maxQueue?: number;
  /** site and hall named in every payload */
  site: string;
  hall: string;
  log?: (message: string) => void;
}

/** The Slurm-like body of a job event. Times are ISO 8601 (UTC); kW are expected means. */
export interface SlurmJobPayload {
  /** job_submit: the scheduler announces a queued job params.jobSubmitLeadS before its start */
  event: 'job_submit' | 'job_start' | 'job_end';
  job_id: string;
  user: string;
  racks: string[];
  gpus: number;
  /** the whole job: expected kW per rack × racks */
  expected_kw: number;
  expected_kw_per_rack: number;
  /** when the event happened (the job's start or end), simulated time */
  time: string;
  start_time: string;
  end_time: string;
  site: string;
  hall: string;
}

export function slurmPayload(e: JobEvent, site: string, hall: string): SlurmJobPayload {
  const j: Job = e.job;
  return {
    event: e.event,
    job_id: j.id,
    user: j.user,
    racks: j.racks,
    gpus: j.gpus,
    expected_kw: Math.round(j.expectedKwPerRack * j.racks.length * 10) / 10,
    expected_kw_per_rack: j.expectedKwPerRack,
    time: new Date(e.time).toISOString(),
    start_time: new Date(j.start).toISOString(),
    end_time: new Date(j.start + j.durationMs).toISOString(),
    site,
    hall,
  };
}

/** The same event as a body for Plenum's `POST /api/events`. */
export function plenumEventPayload(e: JobEvent, site: string, hall: string): Record<string, unknown> {
  const p = slurmPayload(e, site, hall);
  const started = e.event === 'job_start';
  return {
    time: e.time,
    ...(started ? {} : { timeEnd: e.time }),
    type: 'job',
    severity: 'info',
    title: `job ${p.job_id} ${started ? 'started' : 'ended'} (${p.user}, ${p.racks.length} rack${p.racks.length > 1 ? 's' : ''}, ${p.expected_kw} kW)`,
    location: { site, hall },
    tags: ['job', e.event],
    source: 'sim',
    data: p,
  };
}

export class JobWebhook {
  private readonly queue: unknown[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight?: AbortController;
  private sending = false;
  private stopped = false;
  private failures = 0;
  private sent = 0;
  private readonly log: (message: string) => void;
  /** the URL without credentials or query, for log lines */
  private readonly shownUrl: string;

  constructor(private readonly opts: JobWebhookOptions) {
    this.log = opts.log ?? ((m) => console.warn(m));
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new TypeError('webhook URL: expected an absolute http(s) URL such as http://127.0.0.1:8080/api/events');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new TypeError(`webhook URL: expected http or https, got ${u.protocol}`);
    this.shownUrl = `${u.origin}${u.pathname}`;
  }

  /** Events delivered so far. */
  get delivered(): number {
    return this.sent;
  }

  /** Events waiting (including one being sent). */
  get pending(): number {
    return this.queue.length;
  }

  enqueue(e: JobEvent): void {
    if (this.stopped) return;
    // a Plenum event is a job that runs; a submission is only a Slurm-style announcement
    if (e.event === 'job_submit' && this.opts.format === 'plenum-event') return;
    const body =
      this.opts.format === 'plenum-event'
        ? plenumEventPayload(e, this.opts.site, this.opts.hall)
        : slurmPayload(e, this.opts.site, this.opts.hall);
    this.queue.push(body);
    const max = this.opts.maxQueue ?? 10_000;
    if (this.queue.length > max) {
      this.queue.splice(this.sending ? 1 : 0, 1);
      this.log(`job webhook: queue full (${max}); dropped the oldest undelivered event`);
    }
    this.kick();
  }

  /** Stops retrying and aborts a request in flight; resolves at once. Undelivered events are logged as lost. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.inFlight?.abort();
    if (this.queue.length > 0) this.log(`job webhook: stopped with ${this.queue.length} undelivered event(s)`);
  }

  private kick(): void {
    if (this.sending || this.timer || this.stopped || this.queue.length === 0) return;
    this.sending = true;
    void this.sendHead()
      .catch((err: unknown) => this.log(`job webhook: internal error: ${(err as Error)?.stack ?? String(err)}`))
      .finally(() => {
        this.sending = false;
      });
  }

  private async sendHead(): Promise<void> {
    const body = this.queue[0];
    const ac = new AbortController();
    this.inFlight = ac;
    const timeout = setTimeout(() => ac.abort(), this.opts.timeoutMs ?? 5000);
    let outcome: 'ok' | 'retry' | 'drop';
    let why = '';
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: ac.signal,
      });
      await res.arrayBuffer().catch(() => undefined); // drain, so the connection can be reused
      outcome = res.ok ? 'ok' : res.status >= 500 || res.status === 408 || res.status === 429 ? 'retry' : 'drop';
      why = `HTTP ${res.status}`;
    } catch (err) {
      outcome = 'retry';
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      why = ac.signal.aborted ? 'timed out or stopped' : `${(err as Error).message}${cause ? ` (${cause})` : ''}`;
    } finally {
      clearTimeout(timeout);
      this.inFlight = undefined;
    }
    if (this.stopped) return;
    if (outcome === 'ok') {
      this.queue.shift();
      this.sent++;
      if (this.failures > 0) this.log(`job webhook: delivering again after ${this.failures} failure(s)`);
      this.failures = 0;
    } else if (outcome === 'drop') {
      this.queue.shift();
      this.log(`job webhook: ${this.shownUrl} rejected an event (${why}); dropped it`);
    } else {
      this.failures++;
      const delay = Math.min((this.opts.retryMs ?? 1000) * 2 ** (this.failures - 1), this.opts.maxRetryMs ?? 30_000);
      // the first failure and then every tenth: a receiver that is down for hours must not flood the log
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.log(
          `job webhook: POST ${this.shownUrl} failed (${why}); retry ${this.failures} in ${delay} ms, ${this.queue.length} queued`,
        );
      }
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, delay);
      return;
    }
    // next event: from a fresh turn of the event loop, after `sending` is cleared
    setImmediate(() => this.kick());
  }
}
