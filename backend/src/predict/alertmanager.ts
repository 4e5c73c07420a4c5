/**
 * Open predictions to Prometheus Alertmanager (API v2, `POST /api/v2/alerts`), so they are routed, grouped,
 * silenced and inhibited like every other alert of the site. Alertmanager expects clients to re-send firing
 * alerts: each open alert carries `endsAt` = now + 4 × resendMs, so if Plenum dies Alertmanager resolves them on
 * its own a few resends later instead of keeping them firing forever. Closed predictions are sent with their real
 * end time (a resolved alert) until one post of them succeeds. Delivery never blocks or throws into the caller:
 * one post at a time, the latest picture wins, failures are counted and retried at the next sync.
 */
import { errorMessage } from '../common/errors';

export interface PredictionAlert {
  /** `${asset}|${diagnosis}`: one open alert per asset and diagnosis */
  key: string;
  /** asset path `<site>/<hall>/<row>/<rack>/<asset>` (`-` for unset row/rack) */
  asset: string;
  diagnosis: string; // e.g. filter_clog
  severity: 'info' | 'warning' | 'critical';
  title: string; // one line
  text: string; // evidence, explanation
  action: string; // suggested action
  location: { site: string; hall?: string; row?: string; rack?: string; asset?: string };
  /** Unix ms it opened */
  since: number;
  /** Unix ms it closed; undefined while open */
  endedAt?: number;
  /** the prediction event's id in Plenum's event store */
  eventId: number;
  /** time to the limit, minutes, with its interval; undefined: no limit in the horizon */
  lead?: { mid: number; lo: number; hi: number; limit: string };
}

export interface AlertmanagerConfig {
  /** base URL, e.g. http://127.0.0.1:9093 */
  url: string;
  /** re-send open alerts this often, ms; @default 60_000 */
  resendMs: number;
  /** per request, ms; @default 5_000 */
  timeoutMs: number;
  /** added to every alert's labels */
  labels: Record<string, string>;
  /** link back, e.g. the Grafana Predictions dashboard; optional */
  generatorUrl?: string;
}

/** Alertmanager's postableAlert (api/v2/openapi.yaml). */
interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** Open alerts stay valid in Alertmanager for this many resend periods without news from Plenum. */
const EXPIRY_RESENDS = 4;

export class AlertmanagerSink {
  /** posted: successful requests; failed: network errors, timeouts and non-2xx answers; lastError: the latest */
  readonly stats: { posted: number; failed: number; lastError?: string } = { posted: 0, failed: 0 };
  private open: readonly PredictionAlert[] = [];
  /** closed alerts no post has delivered yet, by key */
  private readonly closedPending = new Map<string, PredictionAlert>();
  /** `key=severity` of the open set the last successful post carried; '' before the first */
  private sentSig = '';
  /** the open alerts that post carried, by key */
  private sentOpen = new Map<string, PredictionAlert>();
  /** Unix ms of the last successful post */
  private sentAt = -Infinity;
  private inflight?: Promise<void>;
  /** a sync arrived while a post was in flight: look again when it ends */
  private again = false;
  private closing = false;
  /** error text last logged, so an outage logs once and not once per sync */
  private logged?: string;

  constructor(
    private readonly cfg: AlertmanagerConfig,
    private readonly deps: { now(): number; log(msg: string): void; fetch?: typeof fetch },
  ) {}

  /** The full current picture: alerts open now, and alerts that closed since the last call. Never throws, never
   * waits: a post in flight makes this one wait for it (only the latest picture is sent). */
  sync(open: readonly PredictionAlert[], closed: readonly PredictionAlert[]): void {
    if (this.closing) return;
    this.open = [...open];
    for (const c of closed) this.closedPending.set(c.key, c);
    // reopened since: the open copy wins (a resolved copy in the same post would end it)
    for (const o of open) this.closedPending.delete(o.key);
    if (this.inflight) this.again = true;
    else this.pump();
  }

  /** Stops posting; resolves once the post in flight ends, or after timeoutMs (a custom fetch may ignore its signal). */
  async close(): Promise<void> {
    this.closing = true;
    this.again = false;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((r) => (timer = setTimeout(r, this.cfg.timeoutMs)));
    await Promise.race([this.inflight, limit]);
    clearTimeout(timer);
  }

  private pump(): void {
    const now = this.deps.now();
    // Once endedAt + 4 × resendMs has passed, every open copy Alertmanager held has expired: nothing to resolve.
    for (const [k, c] of this.closedPending)
      if ((c.endedAt ?? now) + EXPIRY_RESENDS * this.cfg.resendMs < now) this.closedPending.delete(k);
    const sig = this.open
      .map((a) => `${a.key}=${a.severity}`)
      .sort()
      .join('\n');
    const due = sig !== this.sentSig || this.closedPending.size > 0 || now - this.sentAt >= this.cfg.resendMs;
    if (!due) return;
    const open = this.open;
    const closed = [...this.closedPending.values()];
    // Severity is a label, so Alertmanager knows a changed severity as another alert: resolve the one it has, or
    // it fires (and pages, and inhibits) until it expires. Same for an alert that vanished without closing.
    const current = new Map([...open, ...closed].map((a) => [a.key, a.severity]));
    const stale = [...this.sentOpen.values()].filter((a) => current.get(a.key) !== a.severity);
    const body = [
      ...open.map((a) => this.toPostable(a, now + EXPIRY_RESENDS * this.cfg.resendMs)),
      ...closed.map((a) => this.toPostable(a, a.endedAt ?? now)),
      ...stale.map((a) => this.toPostable(a, now)),
    ];
    if (body.length === 0) {
      this.sentSig = sig; // nothing open, nothing to resolve: no request
      return;
    }
    this.inflight = this.post(body).then(
      () => {
        this.stats.posted++;
        this.sentSig = sig;
        this.sentOpen = new Map(open.map((a) => [a.key, a]));
        this.sentAt = now;
        for (const c of closed) if (this.closedPending.get(c.key) === c) this.closedPending.delete(c.key);
        if (this.logged !== undefined) this.deps.log(`alertmanager ${this.cfg.url}: delivering again`);
        this.logged = undefined;
      },
      (err: unknown) => {
        const msg = errorMessage(err);
        this.stats.failed++;
        this.stats.lastError = msg;
        if (msg !== this.logged) this.deps.log(`alertmanager ${this.cfg.url}: ${msg}; retrying at the next sync`);
        this.logged = msg;
      },
    );
    void this.inflight.finally(() => {
      this.inflight = undefined;
      if (this.again && !this.closing) {
        this.again = false;
        this.pump();
      }
    });
  }

  private async post(body: PostableAlert[]): Promise<void> {
    try {
      const res = await (this.deps.fetch ?? globalThis.fetch)(`${this.cfg.url.replace(/\/+$/, '')}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.cfg.timeoutMs),
      });
      const text = await res.text(); // read it all: frees the connection for reuse
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.trim().slice(0, 200)}`);
    } catch (err) {
      // undici says only "fetch failed"; the reason (ECONNREFUSED, …) is in its cause
      const cause = (err as { cause?: unknown }).cause;
      throw cause === undefined ? err : new Error(`${errorMessage(err)}: ${errorMessage(cause)}`);
    }
  }

  private toPostable(a: PredictionAlert, endsAt: number): PostableAlert {
    // cfg.labels first: they add to, never replace, the labels routes and inhibit rules match on
    const labels: Record<string, string> = {
      ...this.cfg.labels,
      alertname: 'PlenumPrediction',
      diagnosis: a.diagnosis,
      severity: a.severity,
      key: a.key,
    };
    for (const level of ['site', 'hall', 'row', 'rack', 'asset'] as const) {
      const v = a.location[level];
      if (v !== undefined && v !== '' && v !== '-') labels[level] = v;
    }
    const annotations: Record<string, string> = { summary: a.title, description: a.text, action: a.action };
    if (a.lead) {
      const m = (x: number) => Math.round(x);
      annotations.lead = `~${m(a.lead.mid)} min (${m(a.lead.lo)}–${m(a.lead.hi)} min) to ${a.lead.limit}`;
    }
    const out: PostableAlert = {
      labels,
      annotations,
      startsAt: new Date(a.since).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
    };
    if (this.cfg.generatorUrl) out.generatorURL = this.cfg.generatorUrl;
    return out;
  }
}
