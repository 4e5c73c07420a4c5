import { z } from 'zod';
import type { PlenumQuery, StreamResponse } from '@plenum/model';
import type { QueryContext } from '../query/context';
import { runQueries, type QueryObserver } from '../query/engine';
import { plenumQuerySchema } from '../query/request-schema';
import { rackLayoutSelector } from '../query/rack-layout';
import type { Arrivals } from './arrivals';

/** Longest a long poll is held, ms. Below Grafana's data source proxy timeout (`dataproxy.timeout`, 30 s). */
export const MAX_WAIT_MS = 25_000;

/**
 * `POST /api/stream`: a long poll. The client sends the queries it shows and the `cursor` of its last answer;
 * the server answers as soon as a selected point has new samples (or after `waitMs` with no new rows), with
 * frames covering `[from, cursor]` where `from = after − overlapMs`. The client replaces its rows from `from`
 * on, so samples that arrive a little late (device clocks, batching) are not lost.
 */
export const streamRequestSchema = z.strictObject({
  queries: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
  /** the `cursor` of the previous answer (server ms); absent on the first call: answer at once from now − overlap */
  after: z.number().int().min(0).optional(),
  waitMs: z.number().int().min(0).max(MAX_WAIT_MS).optional().describe('@default 20000'),
  overlapMs: z
    .number()
    .int()
    .min(0)
    .max(300_000)
    .optional()
    .describe('how far before `after` answers start, @default 10000'),
  maxDataPoints: z.number().int().min(1).max(20_000).optional(),
  intervalMs: z.number().int().min(0).max(86_400_000).optional(),
});

export type StreamRequest = z.infer<typeof streamRequestSchema>;

const STREAMABLE: ReadonlySet<PlenumQuery['queryType']> = new Set(['timeseries', 'latest', 'rackLayout']);

/**
 * Points the queries read, for the wait; null means "any point" (a rackLayout without selector or hall), undefined
 * means a query is invalid or cannot stream, so the answer (with its error) should go out at once.
 */
export function watchedPoints(ctx: QueryContext, queries: StreamRequest['queries']): Set<string> | null | undefined {
  const ids = new Set<string>();
  for (const raw of queries) {
    if (raw.hide === true) continue;
    const q = plenumQuerySchema.safeParse(raw);
    if (!q.success || !STREAMABLE.has(q.data.queryType)) return undefined;
    // a floor map watches its halls' points only (else it would wake on every hall's samples)
    const selector =
      q.data.queryType === 'rackLayout'
        ? rackLayoutSelector(q.data)
        : 'selector' in q.data
          ? q.data.selector
          : undefined;
    if (!selector) return null;
    for (const p of ctx.catalog.select(selector)) ids.add(p.id);
  }
  return ids;
}

export async function runStream(
  ctx: QueryContext,
  arrivals: Arrivals,
  body: StreamRequest,
  signal: AbortSignal,
  obs: QueryObserver,
): Promise<StreamResponse | undefined> {
  const overlapMs = body.overlapMs ?? 10_000;
  const points = watchedPoints(ctx, body.queries);
  if (body.after !== undefined && points !== undefined) {
    const outcome = await arrivals.wait(points, body.after, body.waitMs ?? 20_000, signal);
    if (outcome === 'aborted') return undefined;
  }
  const cursor = ctx.now();
  const from = (body.after ?? cursor) - overlapMs;
  const cannot = (q: Record<string, unknown>) =>
    typeof q.queryType === 'string' && !STREAMABLE.has(q.queryType as PlenumQuery['queryType']);
  // hidden rather than removed, so the engine's error messages keep each query's index
  const queries = body.queries.map((q) => (cannot(q) ? { ...q, hide: true } : q));
  // `to` is exclusive in the store: + 1 ms so a sample stored in the answer's own millisecond is in it
  const res = runQueries(
    ctx,
    { range: { from, to: cursor + 1 }, maxDataPoints: body.maxDataPoints, intervalMs: body.intervalMs, queries },
    obs,
  );
  body.queries.forEach((q, i) => {
    if (!cannot(q) || q.hide === true) return;
    const refId = typeof q.refId === 'string' && q.refId !== '' ? q.refId : `queries[${i}]`;
    res.results[refId] = {
      frames: [],
      error: `queries[${i}].queryType: "${String(q.queryType)}" cannot stream; only timeseries, latest and rackLayout can`,
      status: 400,
    };
  });
  return { ...res, from, cursor };
}
