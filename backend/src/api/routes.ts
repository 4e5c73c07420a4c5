import type { Request, Response } from 'express';
import { z } from 'zod';
import { API_VERSION, unitConversion, convert, type Sample } from '@plenum/model';
import type { Automation } from '../automation';
import { AUTOMATION_ROUTES } from './automation-routes';
import { PREDICTION_ROUTES } from './prediction-routes';
import { PROMQL_ROUTES } from '../promql/routes';
import type { PredictionService } from '../predict';
import { Clock } from '../common/clock';
import type { Scope } from './auth';
import { QueryError } from '../common/errors';
import { formatIssues } from '../common/zod-issues';
import { acceptJobWebhook } from '../connectors/jobs/accept';
import { isJobWebhook, k8sJobSchema, slurmJobSchema, type JobTransition } from '../connectors/jobs/payload';
import type { SourceStatus } from '../connectors/runner';
import type { IngestPipeline } from '../ingest/pipeline';
import type { QueryContext } from '../query/context';
import type { Arrivals } from '../stream/arrivals';
import { runStream, streamRequestSchema } from '../stream/stream-request';
import { runQueries, type QueryObserver } from '../query/engine';
import { queryRequestSchema } from '../query/request-schema';
import { stringifyAnswer } from '../query/serialize';
import { parseRange, parseTime } from '../query/time';
import type { Metrics } from './metrics';
import { eventsQuerySchema, newEventSchema, pointsQuerySchema, samplesBodySchema } from './schemas';

export interface ApiDeps {
  ctx: QueryContext;
  ingest: IngestPipeline;
  /** when samples last arrived, for `POST /api/stream` long polls */
  arrivals: Arrivals;
  sources: () => SourceStatus[];
  /** hands a job webhook to the `jobs` sources, which turn it into per-rack samples */
  onJob?: (job: JobTransition, time: number) => Promise<void>;
  metrics: Metrics;
  version: string;
  startedAt: number;
  log: (msg: string) => void;
  /** the run's clock, shown in health; @default the wall clock */
  clock?: Clock;
  /** rules, guard and capacity, when the site config has `automation:` */
  automation?: Automation;
  /** present when the site config has `prediction:` */
  prediction?: PredictionService;
  /** the remote write's queue and sender, when the site config has `remoteWrite:` (remote-write/README.md) */
  remoteWrite?: () => unknown;
}

function clockInfo(c: Clock) {
  return {
    simulated: c.simulated,
    speed: c.spec.speed,
    now: new Date(c.now()).toISOString(),
    ...(c.simulated && { spec: c.toString() }),
  };
}

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'delete';
  /** express path, `:name` for a path parameter */
  path: string;
  summary: string;
  tag: 'query' | 'catalog' | 'events' | 'ingest' | 'operations' | 'automation' | 'prediction';
  /** the token scope the route needs (auth.ts), @default read */
  scope?: Scope;
  query?: z.ZodType;
  body?: z.ZodType;
  /** also takes `application/x-www-form-urlencoded` bodies, which the route reads itself (the Prometheus API) */
  form?: boolean;
  /** status → description, for the OpenAPI document */
  responses: Record<string, string>;
  handle(deps: ApiDeps, req: Request, res: Response): Promise<void> | void;
}

/** Validates with a schema; a failure becomes a 400 naming every bad field under `prefix`. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new QueryError(formatIssues(r.error.issues, [prefix]).join('; '));
  return r.data;
}

/** Converts posted samples to canonical units when they say which unit they are in. */
function toSample(
  deps: ApiDeps,
  s: z.infer<typeof samplesBodySchema>['samples'][number],
  i: number,
  now: number,
): Sample {
  const field = `body.samples[${i}]`;
  let value = s.value;
  if (s.unit !== undefined && typeof value === 'number') {
    const point = deps.ctx.catalog.get(s.pointId);
    if (!point) throw new QueryError(`${field}.pointId: unknown point "${s.pointId}"`);
    try {
      value = convert(value, unitConversion(s.unit, point.quantity));
    } catch (err) {
      throw new QueryError(`${field}.unit: ${(err as Error).message}`);
    }
  }
  return {
    pointId: s.pointId,
    ts: parseTime(s.ts, `${field}.ts`, now),
    value,
    quality: s.quality ?? 'good',
    ...(s.rawStatus !== undefined && { rawStatus: s.rawStatus }),
  };
}

/** Query latency into the metrics, internal errors into the log. */
/**
 * Sends a query answer: its JSON written once per distinct column (serialize.ts) and no ETag — Express hashes every
 * body for one (3.5 ms on a 4.5 MB answer), and a POST answer is never revalidated.
 */
function sendAnswer(res: Response, answer: unknown): void {
  const text = stringifyAnswer(answer);
  res
    .status(200)
    .set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function queryObserver(deps: ApiDeps, route: string): QueryObserver {
  return {
    onQuery: (type, seconds, ok) =>
      deps.metrics.queryDuration.observe({ query_type: type, outcome: ok ? 'ok' : 'error' }, seconds),
    onInternalError: (refId, err) => deps.log(`${route} ${refId} failed: ${(err as Error)?.stack ?? String(err)}`),
  };
}

export const ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/health',
    summary: 'Liveness and readiness: store and connector states. `status` is ok, or degraded when a source fails.',
    tag: 'operations',
    responses: { '200': 'store open', '401': 'missing or invalid bearer token' },
    handle(deps, _req, res) {
      const sources = deps.sources();
      const failing = sources.filter((s) => s.state === 'degraded' || s.state === 'down');
      res.json({
        status: failing.length ? 'degraded' : 'ok',
        version: deps.version,
        apiVersion: API_VERSION,
        time: new Date().toISOString(),
        // the run's clock: samples, events and `now` in queries are on it (PLENUM_CLOCK)
        clock: clockInfo(deps.clock ?? Clock.wall()),
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
        store: { state: 'open', ...deps.ctx.historian.stats() },
        points: deps.ctx.catalog.size,
        connectors: sources,
        // queue bytes, samples sent and dropped (by reason), backoff, last success
        ...(deps.remoteWrite && { remoteWrite: deps.remoteWrite() }),
      });
    },
  },
  {
    method: 'post',
    path: '/api/query',
    summary: "Grafana's query shape in, DataFrameJSON frames per refId out; one bad query errors on its own refId.",
    tag: 'query',
    body: queryRequestSchema,
    responses: { '200': 'results per refId', '400': 'the envelope is invalid (range, maxDataPoints, queries)' },
    handle(deps, req, res) {
      sendAnswer(res, runQueries(deps.ctx, req.body, queryObserver(deps, 'query')));
    },
  },
  {
    method: 'post',
    path: '/api/stream',
    summary:
      'Long poll for live panels: the same queries as /api/query (timeseries, latest, rackLayout) answered as soon as a selected point has new samples after `after`, or after `waitMs` (≤ 25 s). Frames cover [from, cursor]; send `cursor` back as `after`.',
    tag: 'query',
    body: streamRequestSchema,
    responses: { '200': 'results per refId, with from and cursor', '400': 'an invalid field, named' },
    async handle(deps, req, res) {
      const body = validate(streamRequestSchema, req.body, 'body');
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const answer = await runStream(deps.ctx, deps.arrivals, body, gone.signal, queryObserver(deps, 'stream'));
      if (answer && !res.writableEnded) sendAnswer(res, answer);
    },
  },
  {
    method: 'get',
    path: '/api/points',
    summary: 'Searches the point catalog by text, hall, row, rack, asset, quantity, domain, kind and tags; paged.',
    tag: 'catalog',
    query: pointsQuerySchema,
    responses: { '200': '{total, page, pageSize, points}', '400': 'an unknown or invalid parameter' },
    handle(deps, req, res) {
      res.json(deps.ctx.catalog.search(validate(pointsQuerySchema, req.query, 'query')));
    },
  },
  {
    method: 'get',
    path: '/api/topology',
    summary: 'The site: halls, rows, racks with grid positions, and assets.',
    tag: 'catalog',
    responses: { '200': 'the site topology' },
    handle(deps, _req, res) {
      res.json(deps.ctx.catalog.site);
    },
  },
  {
    method: 'post',
    path: '/api/events',
    summary:
      'Records an event (alarm, note, …), or a scheduler job webhook (Slurm-like `{event: job_start|job_end, job_id, racks, …}` or a Kubernetes Job): one event per job spanning its run. Durable when answered.',
    tag: 'events',
    body: z.union([newEventSchema, slurmJobSchema, k8sJobSchema]),
    responses: { '201': 'the stored event with its id', '400': 'an invalid field, named' },
    async handle(deps, req, res) {
      const now = deps.ctx.now();
      if (isJobWebhook(req.body)) {
        const answer = await acceptJobWebhook(req.body, { events: deps.ctx.events, now: () => now, onJob: deps.onJob });
        res.status(answer.status).json(answer.body);
        return;
      }
      const e = validate(newEventSchema, req.body, 'body');
      const time = e.time === undefined ? now : parseTime(e.time, 'body.time', now);
      const timeEnd = e.timeEnd === undefined ? undefined : parseTime(e.timeEnd, 'body.timeEnd', now);
      if (timeEnd !== undefined && timeEnd < time) throw new QueryError('body.timeEnd: must not be before body.time');
      res.status(201).json(deps.ctx.events.add({ ...e, time, timeEnd }));
    },
  },
  {
    method: 'get',
    path: '/api/events',
    summary: 'Events overlapping a time range, newest first, filtered by type, severity, hall, rack, tags, text.',
    tag: 'events',
    query: eventsQuerySchema,
    responses: { '200': '{events}', '400': 'an unknown or invalid parameter' },
    handle(deps, req, res) {
      const q = validate(eventsQuerySchema, req.query, 'query');
      const range = parseRange({ from: q.from ?? 'now-24h', to: q.to ?? 'now' }, 'query', deps.ctx.now());
      const { type, from: _f, to: _t, ...rest } = q;
      res.json({ events: deps.ctx.events.find({ ...rest, ...range, types: type }) });
    },
  },
  {
    method: 'post',
    path: '/api/samples',
    summary:
      'Writes samples (push sources, scripts, tests). Answered once durable; values in canonical units unless `unit` is given.',
    tag: 'ingest',
    body: samplesBodySchema,
    responses: { '200': '{accepted, rejected: [{index, pointId, reason}]}', '400': 'an invalid field, named' },
    async handle(deps, req, res) {
      const body = validate(samplesBodySchema, req.body, 'body');
      const now = deps.ctx.now();
      const samples = body.samples.map((s, i) => toSample(deps, s, i, now));
      res.json(await deps.ingest.store(samples));
    },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics about the backend: ingest, queue depth, query latency, connector states.',
    tag: 'operations',
    responses: { '200': 'Prometheus text exposition format 0.0.4' },
    async handle(deps, _req, res) {
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  },
  ...AUTOMATION_ROUTES,
  ...PREDICTION_ROUTES,
  ...PROMQL_ROUTES,
];
