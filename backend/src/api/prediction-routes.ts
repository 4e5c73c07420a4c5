/**
 * The prediction API: open predictions with their lead times, the detectors (which are learning, which are
 * degraded and why), anomaly scores per asset; acknowledging and shelving need the operate scope (ISA-18.2).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { QueryError } from '../common/errors';
import { parseDuration } from '../config/schema-parts';
import type { PredictionService } from '../predict';
import { AlarmError } from '../predict/alarms';
import { backtest } from '../predict/backtest';
import type { RequestAuth } from './auth';
import { validate, type ApiDeps, type RouteSpec } from './routes';

function predictionOf(deps: ApiDeps): PredictionService {
  if (!deps.prediction) throw new QueryError('prediction: not configured (no prediction: section in the site config)');
  return deps.prediction;
}

function operator(res: Response, req: Request): string {
  const auth = res.locals.auth as RequestAuth;
  const user = req.get('x-grafana-user');
  return user ? `${auth.name}/${user.slice(0, 80)}` : auth.name;
}

function eventId(req: Request): number {
  const raw = String(req.params.id ?? '');
  const id = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(id))
    throw new QueryError(`id: expected a prediction event id (a whole number); got "${raw.slice(0, 40)}"`);
  return id;
}

/** alarm-book refusals are the caller's (400), with the book's own message */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof AlarmError) throw new QueryError(err.message);
    throw err;
  }
}

const shelveBody = z.strictObject({
  duration: z
    .union([z.string().max(20), z.number()])
    .describe('how long, e.g. "2h" or milliseconds; at most prediction.alarms.maxShelve'),
  reason: z.string().max(500).optional(),
});

export const PREDICTION_ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/predictions',
    summary:
      'Open predictions (diagnosis, severity, time to limit with its interval, evidence, action), detectors with their state (learning, degraded and why), anomaly scores per asset, flood state.',
    tag: 'prediction',
    responses: { '200': 'the state', '400': 'prediction not configured' },
    handle(deps, _req, res) {
      res.json(predictionOf(deps).status());
    },
  },
  {
    method: 'post',
    path: '/api/predictions/:id/ack',
    scope: 'operate',
    summary: 'Acknowledges an open prediction (by its event id); the operator is recorded on the event.',
    tag: 'prediction',
    responses: { '200': 'the prediction', '400': 'no open prediction with this id' },
    handle(deps, req, res) {
      const p = predictionOf(deps);
      validate(z.strictObject({}), req.body ?? {}, 'body');
      const a = guarded(() => p.ack(eventId(req), operator(res, req)));
      res.json({ eventId: a.eventId, acked: a.acked });
    },
  },
  {
    method: 'post',
    path: '/api/predictions/:id/shelve',
    scope: 'operate',
    summary:
      'Shelves an open prediction for a while (at most prediction.alarms.maxShelve): not annunciated, resolved at Alertmanager, back by itself.',
    tag: 'prediction',
    body: shelveBody,
    responses: { '200': 'the prediction', '400': 'bad duration or no open prediction with this id' },
    handle(deps, req, res) {
      const p = predictionOf(deps);
      const body = validate(shelveBody, req.body, 'body');
      const ms = parseDuration(body.duration);
      if (ms === undefined || ms <= 0)
        throw new QueryError(
          `body.duration: expected a duration such as "30m" or "2h"; got ${JSON.stringify(body.duration).slice(0, 40)}`,
        );
      const a = guarded(() => p.shelve(eventId(req), ms, operator(res, req)));
      res.json({ eventId: a.eventId, shelvedUntil: a.shelvedUntil });
    },
  },
  {
    method: 'post',
    path: '/api/predictions/:id/unshelve',
    scope: 'operate',
    summary: 'Ends a shelve early.',
    tag: 'prediction',
    responses: { '200': 'the prediction', '400': 'no open prediction with this id' },
    handle(deps, req, res) {
      const p = predictionOf(deps);
      const a = guarded(() => p.unshelve(eventId(req)));
      res.json({ eventId: a.eventId, shelvedUntil: null });
    },
  },
];

/** the API replays at most a day (about 4 s of one core on the sample hall); `npm run backtest` takes 31 days */
const API_BACKTEST_MS = 86_400_000;

const backtestBody = z.strictObject({
  from: z.union([z.number(), z.string().max(40)]).describe('Unix ms or ISO 8601'),
  to: z.union([z.number(), z.string().max(40)]).describe('Unix ms or ISO 8601'),
  detectors: z.array(z.string().max(40)).max(50).optional().describe('diagnoses to report, @default all'),
});

const instant = (v: number | string, field: string) => {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15)
    throw new QueryError(`body.${field}: expected Unix ms or an ISO 8601 time; got ${JSON.stringify(v).slice(0, 40)}`);
  return ms;
};

PREDICTION_ROUTES.push({
  method: 'post',
  path: '/api/predictions/backtest',
  summary:
    "Replays stored history (at most a day) through the detectors with the site's prediction settings: what they would have flagged, and when.",
  tag: 'prediction',
  body: backtestBody,
  responses: { '200': 'the predictions the replay raised', '400': 'bad range or detector name' },
  handle(deps, req, res) {
    const p = predictionOf(deps);
    const body = validate(backtestBody, req.body, 'body');
    const from = instant(body.from, 'from');
    const to = instant(body.to, 'to');
    res.json(
      backtest(
        deps.ctx.catalog.site,
        deps.ctx.catalog.all().map((x) => x.id),
        deps.ctx.historian,
        p.baseConfig,
        { from, to, ...(body.detectors && { detectors: body.detectors }) },
        API_BACKTEST_MS,
      ),
    );
  },
});
