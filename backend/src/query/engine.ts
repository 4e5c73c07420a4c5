import type { DataFrameJSON, DataResponse, PlenumQuery, QueryResponse } from '@plenum/model';
import { errorMessage, PlenumError, QueryError } from '../common/errors';
import { formatIssues } from '../common/zod-issues';
import { catalog } from './catalog';
import type { QueryContext, QueryEnv } from './context';
import { events } from './events';
import { latest } from './latest';
import { rackLayout } from './rack-layout';
import { sources } from './sources';
import { forecast } from './forecast';
import { predictions } from './predictions';
import { plenumQuerySchema, queryRequestSchema } from './request-schema';
import { parseRange } from './time';
import { timeseries } from './timeseries';

type Handler = (ctx: QueryContext, q: never, env: QueryEnv) => DataFrameJSON[];

/** One handler per queryType; the union is checked by the schema before a handler runs. */
const HANDLERS: Record<PlenumQuery['queryType'], Handler> = {
  timeseries,
  latest,
  rackLayout,
  events,
  catalog,
  sources,
  forecast,
  predictions,
};

export interface QueryObserver {
  /** seconds a query took, by type and outcome */
  onQuery?(queryType: string, seconds: number, ok: boolean): void;
  onInternalError?(refId: string, err: unknown): void;
}

/**
 * Runs a `POST /api/query` body. Envelope errors (range, maxDataPoints, not an object) throw a QueryError for a
 * 400; each query then runs on its own and an error lands on its refId only: `status` 400 for the user's
 * mistakes, 500 for ours, with the internal message kept short.
 */
export function runQueries(ctx: QueryContext, body: unknown, obs: QueryObserver = {}): QueryResponse {
  const env = parseEnvelope(ctx, body);
  const results: QueryResponse['results'] = {};
  const queries = (body as { queries: Array<Record<string, unknown>> }).queries;
  queries.forEach((raw, i) => {
    const refId = typeof raw.refId === 'string' && raw.refId !== '' ? raw.refId : `queries[${i}]`;
    if (raw.hide === true) return;
    const started = performance.now();
    const queryType = typeof raw.queryType === 'string' ? raw.queryType : 'unknown';
    let res: DataResponse;
    try {
      const parsed = plenumQuerySchema.safeParse(raw);
      if (!parsed.success) throw new QueryError(formatIssues(parsed.error.issues, ['queries', i]).join('; '));
      res = { frames: HANDLERS[parsed.data.queryType](ctx, parsed.data as never, env) };
    } catch (err) {
      if (err instanceof PlenumError && err.origin === 'query') {
        res = {
          frames: [],
          error: err.message.startsWith('queries[') ? err.message : `queries[${i}].${err.message}`,
          status: 400,
        };
      } else {
        obs.onInternalError?.(refId, err);
        res = { frames: [], error: `internal error: ${errorMessage(err)}`, status: 500 };
      }
    }
    if (results[refId]) {
      res = { frames: [], error: `queries[${i}].refId: "${refId}" is used twice; refIds must be unique`, status: 400 };
    }
    results[refId] = res;
    obs.onQuery?.(queryType, (performance.now() - started) / 1000, res.error === undefined);
  });
  return { results };
}

function parseEnvelope(ctx: QueryContext, body: unknown): QueryEnv {
  const parsed = queryRequestSchema.safeParse(body);
  if (!parsed.success) throw new QueryError(formatIssues(parsed.error.issues).join('; '));
  const { range, maxDataPoints = 1000, intervalMs = 0 } = parsed.data;
  return { ...parseRange(range, 'range', ctx.now()), maxDataPoints, intervalMs };
}
