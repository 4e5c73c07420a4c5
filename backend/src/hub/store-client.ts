import type { HubConfig } from './config';

/** One series of a Prometheus API answer: labels and [seconds, "value"] pairs. */
export interface ApiSeries {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

/** One series of VictoriaMetrics' /api/v1/export (JSON lines): a null value is a stale marker. */
export interface ExportSeries {
  metric: Record<string, string>;
  values: Array<number | null>;
  timestamps: number[];
}

/** The store's HTTP API failed or answered an error; the message names the endpoint, never credentials. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * The hub's client of the store's Prometheus HTTP API: every request a form-encoded POST (PromQL expressions with
 * hundreds of point ids outgrow URLs), at most `concurrency` in flight, each bounded by `timeout`.
 */
export class StoreClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** requests sent since start, for /api/health and the bench */
  requests = 0;

  constructor(private readonly store: HubConfig['store']) {
    const u = new URL(store.url);
    u.username = '';
    u.password = '';
    this.base = u.toString().replace(/\/+$/, '');
    const auth = store.bearerToken
      ? `Bearer ${store.bearerToken}`
      : store.basicAuth
        ? `Basic ${Buffer.from(`${store.basicAuth.username}:${store.basicAuth.password}`).toString('base64')}`
        : undefined;
    this.headers = {
      ...store.headers,
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth && { authorization: auth }),
    };
  }

  /** the store's URL without credentials, for messages */
  get url(): string {
    return this.base;
  }

  async queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<ApiSeries[]> {
    const data = await this.json('/api/v1/query_range', {
      query,
      start: sec(startMs),
      end: sec(endMs),
      step: sec(stepMs),
      // VictoriaMetrics rounds start/end to the step for its cache when a range has ≥ 50 points: the hub's
      // windows are the edge's buckets, so they must stay where they are
      nocache: '1',
    });
    return (data as { result: ApiSeries[] }).result;
  }

  async query(query: string, timeMs: number): Promise<ApiSeries[]> {
    const data = await this.json('/api/v1/query', { query, time: sec(timeMs), nocache: '1' });
    return (data as { result: ApiSeries[] }).result;
  }

  async series(match: string, startMs: number, endMs: number): Promise<Array<Record<string, string>>> {
    const data = await this.json('/api/v1/series', { 'match[]': match, start: sec(startMs), end: sec(endMs) });
    return data as Array<Record<string, string>>;
  }

  /** VictoriaMetrics' raw samples, stale markers included (as null); [startMs, endMs] inclusive */
  async export(match: string, startMs: number, endMs: number): Promise<ExportSeries[]> {
    const text = await this.send('/api/v1/export', { 'match[]': match, start: sec(startMs), end: sec(endMs) });
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as ExportSeries);
  }

  private async json(path: string, form: Record<string, string>): Promise<unknown> {
    const text = await this.send(path, form);
    let body: { status?: string; data?: unknown; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new StoreError(`store ${this.base}${path}: the answer is not JSON (${text.slice(0, 120)})`);
    }
    if (body.status !== 'success') throw new StoreError(`store ${this.base}${path}: ${body.error ?? 'no status'}`);
    return body.data;
  }

  private async send(path: string, form: Record<string, string>): Promise<string> {
    await this.slot();
    this.requests++;
    try {
      let res: Response;
      try {
        res = await fetch(`${this.base}${path}`, {
          method: 'POST',
          headers: this.headers,
          body: new URLSearchParams(form).toString(),
          signal: AbortSignal.timeout(this.store.timeout),
        });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        const why =
          e.name === 'TimeoutError' ? `no answer within ${this.store.timeout} ms` : (e.cause?.code ?? e.message);
        throw new StoreError(`store ${this.base}${path}: ${why}`);
      }
      const text = await res.text();
      if (!res.ok) {
        // Prometheus answers JSON errors with 4xx/5xx; VictoriaMetrics often plain text
        let msg = text.slice(0, 300);
        try {
          msg = (JSON.parse(text) as { error?: string }).error ?? msg;
        } catch {
          // plain text
        }
        throw new StoreError(`store ${this.base}${path}: HTTP ${res.status}: ${msg.trim()}`, res.status);
      }
      return text;
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    if (this.inFlight < this.store.concurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}

/** Unix seconds with ms precision, as the API reads `start`, `end`, `time` and `step` */
const sec = (ms: number): string => (ms / 1000).toFixed(3);
