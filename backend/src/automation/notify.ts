/**
 * Notifications: events in the event store, and webhooks (power management, the scheduler, a rule's own) POSTed
 * as JSON with an HMAC-SHA256 signature (`X-Plenum-Signature: sha256=<hex HMAC of "<X-Plenum-Timestamp>.<body>">`),
 * delivered in order per target, retried with backoff 1 s → 60 s on network errors, timeouts, 5xx, 408 and 429,
 * dropped (and recorded) after the configured retries or on another 4xx. Delivery never blocks a decision.
 */
import crypto from 'node:crypto';
import type { NewEvent } from '@plenum/model';
import { errorMessage } from '../common/errors';
import type { AutomationConfig, RuleConfig, WebhookConfig } from './config';
import type { Notification } from './decider';

export interface NotifierDeps {
  config: AutomationConfig;
  addEvent(e: Omit<NewEvent, 'time'>): void;
  now(): number;
  log(message: string): void;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** the racks' and their feeds' power headroom now, added to power-management bodies that name racks */
  headroom?(racks: string[]): unknown;
}

interface Job {
  target: WebhookConfig;
  name: string;
  body: Record<string, unknown>;
  attempt: number;
}

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class Notifier {
  private readonly queues = new Map<string, Job[]>();
  private readonly running = new Map<string, Promise<void>>();
  private closed = false;
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  /** delivered, failed, dropped — for tests and health */
  readonly stats = { delivered: 0, retried: 0, dropped: 0 };

  constructor(private readonly d: NotifierDeps) {}

  /** A rule's notification (event, webhook, scheduler). */
  async send(rule: RuleConfig, n: Notification): Promise<void> {
    if (n.kind === 'event') {
      this.d.addEvent({
        type: 'automation',
        severity: n.severity ?? 'info',
        title: n.title ?? `rule ${rule.id}`,
        tags: ['automation', 'notification'],
        source: 'automation',
        data: { rule: rule.id, ...n.body },
      });
      return;
    }
    const action = n.action !== undefined ? rule.then[n.action] : undefined;
    const target =
      action && 'webhook' in action
        ? action.webhook
        : action && 'scheduler' in action
          ? action.scheduler
          : n.kind === 'scheduler'
            ? this.d.config.notify.scheduler
            : n.kind === 'power'
              ? this.d.config.notify.power
              : undefined;
    if (!target) return;
    const body = { rule: rule.id, kind: n.kind, ...n.body };
    this.enqueue(target, `rule ${rule.id}`, n.kind === 'power' ? this.withHeadroom(body) : body);
  }

  /** power management is told the headroom beside caps and jobs (README, "Notifications") */
  private withHeadroom(body: Record<string, unknown>): Record<string, unknown> {
    const racks = body.racks;
    if (!this.d.headroom || 'headroom' in body || !Array.isArray(racks)) return body;
    return { ...body, headroom: this.d.headroom(racks.filter((r): r is string => typeof r === 'string')) };
  }

  /** Power management: job start/end and caps (documented body: automation/README.md). */
  power(body: Record<string, unknown>): void {
    const t = this.d.config.notify.power;
    if (t) this.enqueue(t, 'power management', this.withHeadroom(body));
  }

  scheduler(body: Record<string, unknown>): void {
    const t = this.d.config.notify.scheduler;
    if (t) this.enqueue(t, 'scheduler', body);
  }

  /** Any other sender's webhook (prediction changes), with the same signing, ordering and retries. */
  webhook(target: WebhookConfig, name: string, body: Record<string, unknown>): void {
    this.enqueue(target, name, body);
  }

  private enqueue(target: WebhookConfig, name: string, body: Record<string, unknown>): void {
    if (this.closed) return;
    const key = target.url;
    const q = this.queues.get(key) ?? [];
    this.queues.set(key, q);
    q.push({ target, name, body: { ...body, time: new Date(this.d.now()).toISOString() }, attempt: 0 });
    if (!this.running.has(key))
      this.running.set(
        key,
        this.drain(key).finally(() => this.running.delete(key)),
      );
  }

  private async drain(key: string): Promise<void> {
    const q = this.queues.get(key) as Job[];
    while (q.length > 0 && !this.closed) {
      const job = q[0] as Job;
      const outcome = await this.post(job);
      if (outcome.ok) {
        q.shift();
        this.stats.delivered++;
        continue;
      }
      if (!outcome.retry || job.attempt >= job.target.retries) {
        q.shift();
        this.stats.dropped++;
        this.d.addEvent({
          type: 'alarm',
          severity: 'warning',
          title:
            `${job.name} webhook ${new URL(job.target.url).origin} not delivered after ${job.attempt + 1} attempt${job.attempt ? 's' : ''}: ${outcome.why}`.slice(
              0,
              250,
            ),
          tags: ['automation', 'webhook'],
          source: 'automation',
          data: { body: job.body },
        });
        continue;
      }
      job.attempt++;
      this.stats.retried++;
      await this.sleep(Math.min(60_000, 1000 * 2 ** (job.attempt - 1)));
    }
  }

  /** `why`: the last answer (an HTTP status, the network error), for the alarm when the job is dropped */
  private async post(job: Job): Promise<{ ok: true } | { ok: false; retry: boolean; why: string }> {
    const body = JSON.stringify(job.body);
    // Unix ms of the wall clock (README.md, Notifications): the receiver compares it with its own clock
    const ts = String(Date.now());
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-plenum-timestamp': ts };
    if (job.target.secret) headers['x-plenum-signature'] = signature(job.target.secret, ts, body);
    try {
      const r = await (this.d.fetch ?? fetch)(job.target.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(job.target.timeout),
      });
      if (r.ok) return { ok: true };
      const retry = r.status >= 500 || r.status === 408 || r.status === 429;
      return { ok: false, retry, why: `HTTP ${r.status}` };
    } catch (err) {
      // fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause
      const cause = (err as { cause?: unknown }).cause;
      const why = cause === undefined ? errorMessage(err) : `${errorMessage(err)}: ${errorMessage(cause)}`;
      if (job.attempt === 0) this.d.log(`${job.name} webhook ${new URL(job.target.url).origin}: ${why}; retrying`);
      return { ok: false, retry: true, why };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(() => {
        this.sleeps.delete(t);
        r();
      }, ms);
      this.sleeps.set(t, r);
    });
  }

  /** Stops delivering (what is queued is dropped); bounded. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [t, wake] of this.sleeps) {
      clearTimeout(t);
      wake();
    }
    this.sleeps.clear();
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise((r) => (bound = setTimeout(r, 2000))),
    ]);
    clearTimeout(bound);
  }
}
