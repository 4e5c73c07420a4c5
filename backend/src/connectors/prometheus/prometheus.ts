/**
 * The prometheus connector: parses every point address in `init` (no I/O); each `gather` either scrapes the
 * exposition URL(s) once and picks every point's series from the parsed text (mode scrape), or runs each distinct
 * PromQL expression once as an instant query (mode api), then delivers one batch.
 *
 * Failure policy (README "Errors and quality"):
 * - one point without its series (absent, ambiguous, NaN) → a bad sample with a PROM_STATUS `rawStatus`;
 * - one api query answered with an HTTP error → its points are bad with the HTTP status; other queries go on;
 * - every request failed (unreachable, timeout, HTTP error, unreadable answer) → every point is bad with that
 *   code, and gather throws naming the URL (never a token): the runner marks the source degraded.
 */
import fs from 'node:fs/promises';
import { errorMessage, PlenumError } from '../../common/errors';
import type { PolledConnector, SampleSink, SourceInstance, SourcePoint, SourceSample } from '../types';
import { parseAddress, type PromAddress } from './address';
import { urlsOf, type PrometheusOptions } from './config';
import { ExpositionError, parseExposition } from './exposition';
import { HttpClient, RequestFailure, redactUrl, type HttpAnswer } from './http';
import {
  evaluate,
  neutral,
  placeOf,
  PROM_STATUS,
  RateTracker,
  selectSeries,
  TopologyMapper,
  type Outcome,
  type Place,
  type SeriesValue,
} from './select';

/** Counters since `init`, for tests and metrics. */
export interface PrometheusStats {
  /** HTTP requests sent (scrapes, queries, range queries) */
  requests: number;
  /** requests without a usable answer: unreachable, timeout, HTTP error, unreadable */
  failures: number;
  /** series read in the last gather (exposition lines, or vector elements) */
  series: number;
  good: number;
  bad: number;
  /** samples delivered from query_range after a gap */
  backfilled: number;
}

interface PlannedPoint {
  point: SourcePoint;
  address: PromAddress;
  place: Place;
}

const SCRAPE_ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=1,*/*;q=0.1';

/** Parses every address; throws one config error listing every bad point. */
export function planPoints(source: SourceInstance<PrometheusOptions>): PlannedPoint[] {
  const mode = source.options.mode;
  const errors: string[] = [];
  const out: PlannedPoint[] = [];
  for (const point of source.points) {
    const text = point.source.address;
    const where = `point "${point.id}" in source "${source.name}"`;
    const r = parseAddress(text, mode);
    if (!r.ok) {
      errors.push(`bad address "${text}" of ${where}: ${r.error}`);
      continue;
    }
    const a = r.address;
    const place = placeOf(point.location);
    const missing = a.by.filter((l) => place[l] === undefined);
    if (missing.length > 0) {
      errors.push(
        `address "${text}" of ${where} matches by=${missing.join(',')} but the point has no ${missing.join(' or ')} (a hall-level asset); expected a rack asset, or no by=${missing.join(',')}`,
      );
      continue;
    }
    if (point.valueType === 'string' && a.label === undefined) {
      errors.push(
        `address "${text}" of ${where} gives numbers but the point's valueType is string; expected label=<name> (a label's value) or valueType: number`,
      );
      continue;
    }
    if (point.valueType !== 'string' && a.label !== undefined) {
      errors.push(
        `address "${text}" of ${where} gives a label's value (label=${a.label}) but the point's valueType is ${point.valueType}; expected valueType: string`,
      );
      continue;
    }
    if (point.valueType === 'boolean' && a.rate) {
      errors.push(
        `address "${text}" of ${where} asks for a rate but the point's valueType is boolean; expected valueType: number`,
      );
      continue;
    }
    out.push({ point, address: a, place });
  }
  if (errors.length > 0) throw new PlenumError('config', errors.join('\n'));
  return out;
}

/** Runs `fn` over `items` with at most `n` in flight; results in order. */
async function mapPool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** The first line of an error body, shortened, for messages. */
function bodyExcerpt(body: string): string {
  const line = body.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

type Fetched<T> = { ok: true; value: T } | { ok: false; rawStatus: number; message: string; closed?: boolean };

interface ApiResult {
  resultType: string;
  result: unknown;
}

export class PrometheusConnector implements PolledConnector {
  readonly mode = 'poll' as const;
  readonly stats: PrometheusStats = { requests: 0, failures: 0, series: 0, good: 0, bad: 0, backfilled: 0 };
  /**
   * Problems of the last gather that did not fail it (one target of several down, one query refused), without
   * secrets: the runner only sees a gather's throw.
   */
  warnings: string[] = [];
  private readonly plan: PlannedPoint[];
  private readonly http: HttpClient;
  private readonly mapper: TopologyMapper;
  private readonly rates = new RateTracker();
  /** api mode: query → Unix ms of its last successful instant query (for backfill) */
  private readonly lastOk = new Map<string, number>();
  private readonly urls: URL[];
  private closed = false;

  constructor(
    private readonly source: SourceInstance<PrometheusOptions>,
    private readonly now: () => number = Date.now,
  ) {
    const o = source.options;
    this.plan = planPoints(source);
    this.urls = urlsOf(o).map((u) => new URL(u));
    this.mapper = new TopologyMapper(o.mapping);
    this.http = new HttpClient({ timeoutMs: o.timeoutMs, headers: o.headers, maxSockets: o.maxConcurrency }, [
      o.bearerToken,
      ...this.urls.map((u) => decodeURIComponent(u.password)),
    ]);
  }

  async gather(sink: SampleSink): Promise<void> {
    if (this.closed || this.plan.length === 0) return;
    this.warnings = [];
    const token = await this.token();
    const samples = this.source.options.mode === 'scrape' ? await this.scrape(token) : await this.query(token);
    if (this.closed || samples === undefined) return;
    for (const s of samples.samples) {
      if (s.quality === 'good') this.stats.good++;
      else this.stats.bad++;
    }
    if (samples.samples.length > 0) await sink(samples.samples);
    if (samples.fatal !== undefined) throw new PlenumError('device', `source "${this.source.name}": ${samples.fatal}`);
  }

  /** Aborts a request in flight and closes every socket at once. */
  async close(): Promise<void> {
    this.closed = true;
    this.http.close();
  }

  private async token(): Promise<string | undefined> {
    const o = this.source.options;
    if (o.bearerTokenFile === undefined) return o.bearerToken;
    try {
      const t = (await fs.readFile(o.bearerTokenFile, 'utf8')).trim();
      if (t === '') throw new Error('the file is empty');
      return t;
    } catch (e) {
      const msg = errorMessage(e);
      throw new PlenumError(
        'config',
        `source "${this.source.name}": cannot read bearerTokenFile ${o.bearerTokenFile}: ${msg.includes('ENOENT') ? 'no such file' : msg}`,
      );
    }
  }

  private async fetch(
    url: URL,
    token: string | undefined,
    o: Parameters<HttpClient['request']>[1],
  ): Promise<Fetched<HttpAnswer>> {
    this.stats.requests++;
    try {
      const answer = await this.http.request(url, { ...o, ...(token !== undefined && { token }) });
      if (answer.status >= 200 && answer.status < 300) return { ok: true, value: answer };
      this.stats.failures++;
      let detail = bodyExcerpt(answer.body);
      try {
        const j = JSON.parse(answer.body) as { error?: unknown; errorType?: unknown };
        if (typeof j.error === 'string') detail = `${String(j.errorType ?? 'error')}: ${j.error}`;
      } catch {
        // not JSON: the first line of the body
      }
      const status = `HTTP ${answer.status}${answer.statusMessage ? ` ${answer.statusMessage}` : ''}`;
      return {
        ok: false,
        rawStatus: answer.status,
        message: this.http.scrub(
          `${o.method} ${redactUrl(url)}: ${status}${detail ? `: ${detail}` : ''}`,
          token ? [token] : [],
        ),
      };
    } catch (e) {
      if (!(e instanceof RequestFailure)) throw e;
      if (!e.closed) this.stats.failures++;
      return { ok: false, rawStatus: e.rawStatus, message: e.message, closed: e.closed };
    }
  }

  private toSample(p: PlannedPoint, r: Outcome): SourceSample | undefined {
    if (r.kind === 'none') return undefined;
    return {
      pointId: p.point.id,
      ts: r.ts,
      value: r.value,
      quality: r.quality,
      ...(r.rawStatus !== undefined ? { rawStatus: r.rawStatus } : {}),
    };
  }

  private allBad(rawStatus: number): SourceSample[] {
    const ts = this.now();
    return this.plan.map((p) => ({
      pointId: p.point.id,
      ts,
      value: neutral(p.point.valueType),
      quality: 'bad',
      rawStatus,
    }));
  }

  // ── scrape mode ──

  private async scrape(token: string | undefined): Promise<{ samples: SourceSample[]; fatal?: string } | undefined> {
    const results = await mapPool(this.urls, this.source.options.maxConcurrency, (url) => this.scrapeOne(url, token));
    if (this.closed || results.some((r) => !r.ok && r.closed)) return undefined;
    const failed = results.filter((r): r is Extract<Fetched<SeriesValue[]>, { ok: false }> => !r.ok);
    if (failed.length === results.length) {
      const first = failed[0] as (typeof failed)[number];
      const more = failed.length > 1 ? ` (and all ${failed.length - 1} other URLs)` : '';
      return {
        samples: this.allBad(first.rawStatus),
        fatal: `${first.message}${more}; all ${this.plan.length} points are bad (rawStatus ${first.rawStatus}), retrying on the next poll`,
      };
    }
    this.warnings.push(...failed.map((f) => f.message));
    const absentStatus = failed[0]?.rawStatus ?? PROM_STATUS.absent;

    const byName = new Map<string, SeriesValue[]>();
    const all: SeriesValue[] = [];
    for (const r of results) {
      if (!r.ok) continue;
      for (const s of r.value) {
        all.push(s);
        const list = byName.get(s.name);
        if (list) list.push(s);
        else byName.set(s.name, [s]);
      }
    }
    this.stats.series = all.length;
    const now = this.now();
    const samples: SourceSample[] = [];
    for (const p of this.plan) {
      const candidates = p.address.metric !== undefined ? (byName.get(p.address.metric) ?? []) : all;
      const selected = selectSeries(p.address, candidates, this.mapper, p.place);
      const outcome = evaluate(p.address, selected, {
        valueType: p.point.valueType,
        now,
        absentStatus,
        ...(p.address.rate && { rates: { tracker: this.rates, pointId: p.point.id } }),
      });
      const s = this.toSample(p, outcome);
      if (s) samples.push(s);
    }
    return { samples };
  }

  private async scrapeOne(url: URL, token: string | undefined): Promise<Fetched<SeriesValue[]>> {
    const r = await this.fetch(url, token, {
      method: 'GET',
      accept: SCRAPE_ACCEPT,
      extraHeaders: { 'x-prometheus-scrape-timeout-seconds': String(this.source.options.timeoutMs / 1000) },
    });
    if (!r.ok) return r;
    const arrived = this.now();
    try {
      const openMetrics = r.value.contentType.toLowerCase().startsWith('application/openmetrics-text');
      const { series } = parseExposition(r.value.body, { openMetrics });
      // each URL is an instance, as Prometheus labels its targets; the exposition's own label wins
      const instance = url.host;
      return {
        ok: true,
        value: series.map((s) => ({
          name: s.name,
          labels: s.labels.instance === undefined ? { ...s.labels, instance } : s.labels,
          value: s.value,
          ts: s.timestampMs ?? arrived,
        })),
      };
    } catch (e) {
      if (!(e instanceof ExpositionError)) throw e;
      this.stats.failures++;
      return {
        ok: false,
        rawStatus: PROM_STATUS.malformed,
        message: `GET ${redactUrl(url)}: not a Prometheus exposition: ${e.message}`,
      };
    }
  }

  // ── api mode ──

  private apiUrl(path: string): URL {
    const base = this.urls[0] as URL;
    const u = new URL(base.toString());
    u.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
    u.search = '';
    return u;
  }

  private async apiCall(
    path: string,
    params: Record<string, string>,
    token: string | undefined,
  ): Promise<Fetched<ApiResult>> {
    const url = this.apiUrl(path);
    const r = await this.fetch(url, token, {
      method: 'POST',
      body: new URLSearchParams(params).toString(),
      accept: 'application/json',
    });
    if (!r.ok) return r;
    try {
      const j = JSON.parse(r.value.body) as { status?: unknown; data?: { resultType?: unknown; result?: unknown } };
      if (j.status !== 'success' || typeof j.data?.resultType !== 'string')
        throw new Error('no status "success" with data.resultType');
      return { ok: true, value: { resultType: j.data.resultType, result: j.data.result } };
    } catch (e) {
      this.stats.failures++;
      return {
        ok: false,
        rawStatus: PROM_STATUS.malformed,
        message: `POST ${redactUrl(url)}: not a Prometheus API answer: ${errorMessage(e)}`,
      };
    }
  }

  private async query(token: string | undefined): Promise<{ samples: SourceSample[]; fatal?: string } | undefined> {
    const queries = [...new Set(this.plan.map((p) => p.address.query as string))];
    const now = this.now();
    // once the server is unreachable or silent, the queries still waiting are not sent: a dead server costs one
    // timeoutMs per gather, not one per query
    let down: Extract<Fetched<ApiResult>, { ok: false }> | undefined;
    const results = await mapPool(queries, this.source.options.maxConcurrency, async (q) => {
      if (down) return { ...down, message: `${down.message} (query not sent)` };
      const r = await this.apiCall('/api/v1/query', { query: q }, token);
      if (!r.ok && !r.closed && (r.rawStatus === PROM_STATUS.unreachable || r.rawStatus === PROM_STATUS.timeout))
        down ??= r;
      return r;
    });
    if (this.closed || results.some((r) => !r.ok && r.closed)) return undefined;
    const failed = results.filter((r): r is Extract<Fetched<ApiResult>, { ok: false }> => !r.ok);
    if (failed.length === results.length) {
      const first = failed[0] as (typeof failed)[number];
      const more = failed.length > 1 ? ` (and all ${failed.length - 1} other queries)` : '';
      return {
        samples: this.allBad(first.rawStatus),
        fatal: `${first.message}${more}; all ${this.plan.length} points are bad (rawStatus ${first.rawStatus}), retrying on the next poll`,
      };
    }
    const byQuery = new Map<string, Fetched<SeriesValue[]>>();
    /** queries answered now, with their previous success: candidates for backfill */
    const answered = new Map<string, number | undefined>();
    let count = 0;
    queries.forEach((q, i) => {
      const r = results[i] as Fetched<ApiResult>;
      if (!r.ok) {
        this.warnings.push(`query ${JSON.stringify(q)}: ${r.message}`);
        byQuery.set(q, r);
        return;
      }
      const series = instantSeries(r.value);
      if (series === undefined) {
        this.warnings.push(
          `query ${JSON.stringify(q)} answered a ${r.value.resultType}; expected an instant vector or a scalar`,
        );
        byQuery.set(q, { ok: false, rawStatus: PROM_STATUS.unsupported, message: '' });
        return;
      }
      answered.set(q, this.lastOk.get(q));
      this.lastOk.set(q, now);
      count += series.length;
      byQuery.set(q, { ok: true, value: series });
    });
    this.stats.series = count;
    // backfill after the instant queries: only for expressions the server answers now (a server still down costs
    // no second timeout), delivered first so each point's samples stay in time order
    const samples: SourceSample[] = await this.backfill(answered, now, token);
    if (this.closed) return undefined;
    for (const p of this.plan) {
      const r = byQuery.get(p.address.query as string) as Fetched<SeriesValue[]>;
      const outcome: Outcome = r.ok
        ? evaluate(p.address, selectSeries(p.address, r.value, this.mapper, p.place), {
            valueType: p.point.valueType,
            now,
            absentStatus: PROM_STATUS.absent,
          })
        : { kind: 'sample', ts: now, value: neutral(p.point.valueType), quality: 'bad', rawStatus: r.rawStatus };
      const s = this.toSample(p, outcome);
      if (s) samples.push(s);
    }
    return { samples };
  }

  /**
   * After a gap (no successful instant query for 1.5 intervals), the samples in between from
   * `/api/v1/query_range`, one step per interval, at most `backfillMaxMs` back. Only good samples; a failure here
   * is a warning (the instant query decides the gather).
   */
  private async backfill(
    answered: ReadonlyMap<string, number | undefined>,
    now: number,
    token: string | undefined,
  ): Promise<SourceSample[]> {
    const o = this.source.options;
    const step = this.source.intervalMs;
    if (o.backfillMaxMs <= 0) return [];
    const due = [...answered].flatMap(([q, last]) => {
      if (last === undefined || now - last < 1.5 * step) return [];
      const start = Math.max(last + step, now - o.backfillMaxMs);
      const end = now - step;
      return end >= start ? [{ q, start, end }] : [];
    });
    if (due.length === 0) return [];
    const results = await mapPool(due, o.maxConcurrency, ({ q, start, end }) => {
      // Prometheus answers at most 11 000 points per series
      const stepMs = Math.max(step, Math.ceil((end - start) / 10_000));
      return this.apiCall(
        '/api/v1/query_range',
        { query: q, start: String(start / 1000), end: String(end / 1000), step: String(stepMs / 1000) },
        token,
      );
    });
    const out: SourceSample[] = [];
    due.forEach(({ q }, i) => {
      const r = results[i] as Fetched<ApiResult>;
      if (!r.ok) {
        if (!r.closed) this.warnings.push(`backfill of ${JSON.stringify(q)}: ${r.message}`);
        return;
      }
      const byTs = rangeSeries(r.value);
      if (byTs === undefined) {
        this.warnings.push(`backfill of ${JSON.stringify(q)} answered a ${r.value.resultType}; expected a matrix`);
        return;
      }
      for (const [ts, series] of [...byTs].sort((a, b) => a[0] - b[0])) {
        for (const p of this.plan) {
          if (p.address.query !== q) continue;
          const outcome = evaluate(p.address, selectSeries(p.address, series, this.mapper, p.place), {
            valueType: p.point.valueType,
            now: ts,
            absentStatus: PROM_STATUS.absent,
          });
          if (outcome.kind === 'sample' && outcome.quality === 'good')
            out.push(this.toSample(p, outcome) as SourceSample);
        }
      }
    });
    this.stats.backfilled += out.length;
    return out;
  }
}

/** `[<unix seconds>, "<value>"]` → ms and number; undefined when malformed. */
function pair(v: unknown): { ts: number; value: number } | undefined {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'string') return undefined;
  const value = parseApiFloat(v[1]);
  return value === undefined ? undefined : { ts: Math.round(v[0] * 1000), value };
}

function parseApiFloat(s: string): number | undefined {
  if (s === 'NaN') return NaN;
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  const n = Number(s);
  return s.trim() === '' || Number.isNaN(n) ? undefined : n;
}

function seriesOf(metric: unknown, at: { ts: number; value: number }): SeriesValue {
  const labels = { ...((metric ?? {}) as Record<string, string>) };
  const name = labels.__name__ ?? '';
  delete labels.__name__;
  return { name, labels, value: at.value, ts: at.ts };
}

/** An instant vector or scalar as series; undefined for matrix and string results. */
export function instantSeries(r: ApiResult): SeriesValue[] | undefined {
  if (r.resultType === 'scalar') {
    const p = pair(r.result);
    return p ? [seriesOf({}, p)] : undefined;
  }
  if (r.resultType !== 'vector' || !Array.isArray(r.result)) return undefined;
  const out: SeriesValue[] = [];
  for (const e of r.result as Array<{ metric?: unknown; value?: unknown }>) {
    const p = pair(e.value);
    if (p) out.push(seriesOf(e.metric, p));
  }
  return out;
}

/** A matrix as the vector at each timestamp; undefined for other results. */
export function rangeSeries(r: ApiResult): Map<number, SeriesValue[]> | undefined {
  if (r.resultType !== 'matrix' || !Array.isArray(r.result)) return undefined;
  const byTs = new Map<number, SeriesValue[]>();
  for (const e of r.result as Array<{ metric?: unknown; values?: unknown }>) {
    if (!Array.isArray(e.values)) continue;
    for (const v of e.values) {
      const p = pair(v);
      if (!p) continue;
      const list = byTs.get(p.ts);
      const s = seriesOf(e.metric, p);
      if (list) list.push(s);
      else byTs.set(p.ts, [s]);
    }
  }
  return byTs;
}

export function createPrometheus(source: SourceInstance<PrometheusOptions>): PrometheusConnector {
  return new PrometheusConnector(source, source.clock);
}
