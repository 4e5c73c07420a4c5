import type { Request, Response } from 'express';
import { CANONICAL_UNITS } from '@plenum/model';
import type { ApiDeps, RouteSpec } from '../api/routes';
import { instantQuery, parseDurationParam, parseTimeParam, rangeQuery } from './api';
import { PromError } from './errors';
import { allSeriesLabels, HistorianSource } from './historian-source';
import { matchesAll, METRIC_NAME, type Labels } from './labels';
import { parsePromql } from './parse';
import { COUNTER_QUANTITIES, metricName, QUALITY_METRIC, UNIT_SUFFIX } from './series-model';
import type { Matcher } from './ast';

/**
 * The Prometheus HTTP API (web/api/v1) under /prometheus/api/v1, GET and POST (form-encoded) alike, answered in
 * Prometheus' shapes: `{status: "success", data}` or `{status: "error", errorType, error}` with 400 (bad_data),
 * 422 (execution) or 503 (timeout). Read scope, like every read route.
 */

export const PROM_PREFIX = '/prometheus/api/v1';

/** largest form body, bytes (a PromQL query is a few kB at most) */
const MAX_FORM_BYTES = 1024 * 1024;
/** @default timeout of a query, ms (Prometheus' --query.timeout) */
const DEFAULT_TIMEOUT_MS = 120_000;

/** Parameters as Prometheus' r.Form: the form body's values first, then the URL's. */
class Params {
  constructor(
    private readonly query: Record<string, unknown>,
    private readonly form: URLSearchParams,
  ) {}

  all(name: string): string[] {
    const q = Object.hasOwn(this.query, name) ? this.query[name] : undefined;
    const fromQuery = q === undefined ? [] : (Array.isArray(q) ? q : [q]).map(String);
    return [...this.form.getAll(name), ...fromQuery];
  }

  get(name: string): string | undefined {
    return this.all(name)[0];
  }
}

function readForm(req: Request): Promise<URLSearchParams> {
  if (req.method !== 'POST' || !req.is('application/x-www-form-urlencoded') || req.readableEnded)
    return Promise.resolve(new URLSearchParams());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        req.removeAllListeners('data');
        reject(new PromError('bad_data', `body: larger than the ${MAX_FORM_BYTES} bytes allowed`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: Response, data: unknown): void {
  res.status(200).json({ status: 'success', data });
}

function sendError(res: Response, err: PromError): void {
  res.status(err.status).json({ status: 'error', errorType: err.type, error: err.message });
}

type Handler = (deps: ApiDeps, p: Params, req: Request) => unknown;

function timeoutOf(p: Params): number {
  const t = p.get('timeout');
  if (t === undefined || t === '') return DEFAULT_TIMEOUT_MS;
  const ms = parseDurationParam('timeout', t);
  return ms > 0 ? Math.min(ms, DEFAULT_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

/** `match[]` selectors; `required` as /series wants them. */
function matchSets(p: Params, required: boolean): Matcher[][] | undefined {
  const raw = p.all('match[]');
  if (raw.length === 0) {
    if (required) throw new PromError('bad_data', 'invalid parameter "match[]": no match[] parameter provided');
    return undefined;
  }
  return raw.map((m) => {
    let e;
    try {
      e = parsePromql(m);
    } catch (err) {
      if (err instanceof PromError) throw new PromError('bad_data', `invalid parameter "match[]": ${err.message}`);
      throw err;
    }
    if (e.kind !== 'vector')
      throw new PromError(
        'bad_data',
        `invalid parameter "match[]": ${JSON.stringify(m.slice(0, 100))} is not a series selector`,
      );
    return e.matchers;
  });
}

/** Series of the catalog matching any of the sets (every series when none); start/end are validated, not used. */
function matchingSeries(deps: ApiDeps, p: Params, required: boolean): Labels[] {
  const now = deps.ctx.now();
  const start = parseTimeParam('start', p.get('start'), -62_135_596_800_000);
  const end = parseTimeParam('end', p.get('end'), now);
  if (end < start)
    throw new PromError('bad_data', 'invalid parameter "end": end timestamp must not be before start time');
  const sets = matchSets(p, required);
  const all = allSeriesLabels(deps.ctx.catalog);
  return sets ? all.filter((l) => sets.some((ms) => matchesAll(l, ms))) : all;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

const HANDLERS: Array<{ path: string; summary: string; handle: Handler }> = [
  {
    path: '/query',
    summary: 'PromQL instant query (`query`, `time`, `timeout`) over the historian, answered as Prometheus does.',
    handle(deps, p) {
      const time = parseTimeParam('time', p.get('time'), deps.ctx.now());
      const deadline = Date.now() + timeoutOf(p);
      return instantQuery(new HistorianSource(deps.ctx.historian, deps.ctx.catalog), p.get('query'), time, {
        deadline,
      });
    },
  },
  {
    path: '/query_range',
    summary: 'PromQL range query (`query`, `start`, `end`, `step`, `timeout`): a matrix, steps start + k·step ≤ end.',
    handle(deps, p) {
      const start = parseTimeParam('start', p.get('start'));
      const end = parseTimeParam('end', p.get('end'));
      const step = parseDurationParam('step', p.get('step'));
      const deadline = Date.now() + timeoutOf(p);
      return rangeQuery(new HistorianSource(deps.ctx.historian, deps.ctx.catalog), p.get('query'), start, end, step, {
        deadline,
      });
    },
  },
  {
    path: '/series',
    summary: 'Label sets of the series matching `match[]` (one series per point, and its plenum_quality).',
    handle(deps, p) {
      return matchingSeries(deps, p, true).map((l) => Object.fromEntries([...l.entries()].sort()));
    },
  },
  {
    path: '/labels',
    summary: 'Label names, of the series matching `match[]` when given.',
    handle(deps, p) {
      return sorted(matchingSeries(deps, p, false).flatMap((l) => [...l.keys()]));
    },
  },
  {
    path: '/label/:name/values',
    summary: "A label's values (`__name__`: the metric names), of the series matching `match[]` when given.",
    handle(deps, p, req) {
      const name = String(req.params.name);
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
        throw new PromError('bad_data', `invalid label name: ${JSON.stringify(name.slice(0, 100))}`);
      return sorted(matchingSeries(deps, p, false).flatMap((l) => (l.has(name) ? [l.get(name)!] : [])));
    },
  },
  {
    path: '/metadata',
    summary: 'Per metric name its type (gauge; counter for energy), help and unit.',
    handle(deps, p) {
      const only = p.get('metric');
      const limitText = p.get('limit');
      const limit = limitText === undefined || limitText === '' ? Infinity : Number(limitText);
      if (!Number.isInteger(limit) && limit !== Infinity)
        throw new PromError('bad_data', 'invalid parameter "limit": limit must be a number');
      const out: Record<string, Array<{ type: string; help: string; unit: string }>> = {};
      const quantities = [...new Set(deps.ctx.catalog.all().map((pt) => pt.quantity))].sort();
      const entries: Array<[string, { type: string; help: string; unit: string }]> = quantities.map((q) => [
        metricName(q),
        {
          type: COUNTER_QUANTITIES.has(q) ? 'counter' : 'gauge',
          help: `Plenum ${CANONICAL_UNITS[q].description}${CANONICAL_UNITS[q].symbol ? ` in ${CANONICAL_UNITS[q].symbol}` : ''}, one series per point`,
          unit: UNIT_SUFFIX[q],
        },
      ]);
      entries.push([
        QUALITY_METRIC,
        { type: 'gauge', help: "Quality of each point's latest sample: 0 good, 1 uncertain, 2 bad", unit: '' },
      ]);
      for (const [name, meta] of entries) {
        if (only !== undefined && only !== '' && name !== only) continue;
        if (Object.keys(out).length >= limit && limit >= 0) break;
        Object.defineProperty(out, name, { value: [meta], enumerable: true });
      }
      return out;
    },
  },
  {
    path: '/status/buildinfo',
    summary: 'Build information; `version` is the Prometheus release whose PromQL Plenum is tested against.',
    handle(deps) {
      return {
        version: '2.42.0',
        revision: `plenum-${deps.version}`,
        branch: 'plenum',
        buildUser: 'plenum',
        buildDate: '',
        goVersion: 'none (Plenum, Node.js)',
      };
    },
  },
];

/** GET and POST of every handler, in the route table's form (api/routes.ts registers them). */
export const PROMQL_ROUTES: RouteSpec[] = HANDLERS.flatMap((h) =>
  (['get', 'post'] as const).map((method): RouteSpec => ({
    method,
    path: PROM_PREFIX + h.path,
    summary: h.summary,
    tag: 'query',
    form: true,
    responses: {
      '200': '{status: "success", data}',
      '400': '{status: "error", errorType: "bad_data", error}: a parameter or the expression, named',
      '422': '{status: "error", errorType: "execution", error}: the expression cannot be evaluated on this data',
      '503': '{status: "error", errorType: "timeout", error}: the query took longer than `timeout`',
    },
    async handle(deps, req, res) {
      try {
        const form = await readForm(req);
        send(res, h.handle(deps, new Params(req.query as Record<string, unknown>, form), req));
      } catch (err) {
        if (err instanceof PromError && err.type !== 'internal') sendError(res, err);
        else throw err;
      }
    },
  })),
);

export { METRIC_NAME };
