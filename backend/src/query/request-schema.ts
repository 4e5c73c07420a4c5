import { z } from 'zod';
import {
  AGGREGATES,
  DOMAINS,
  EVENT_TYPES,
  GROUP_BYS,
  POINT_KINDS,
  QUANTITIES,
  RACK_MEASURES,
  RESOLUTIONS,
  SEVERITIES,
} from '@plenum/model';

/**
 * Request shapes of the query contract (see model/src/query.ts for the meaning of each field). Strict: an
 * unknown field is an error naming it, except the fields Grafana itself adds to every query and request.
 * These schemas also feed the OpenAPI document, so the docs cannot drift from what the server accepts.
 */

const list = <T extends z.ZodType>(item: T) => z.array(item).max(1000);
const slug = z.string().min(1).max(200);

export const selectorSchema = z
  .strictObject({
    ids: list(z.string().min(1).max(500)).optional().describe('point-id globs: * within a segment, ** across'),
    hall: list(slug).optional(),
    row: list(slug).optional(),
    rack: list(slug).optional(),
    asset: list(slug).optional(),
    quantity: list(z.enum(QUANTITIES)).optional(),
    domain: list(z.enum(DOMAINS)).optional(),
    kind: list(z.enum(POINT_KINDS)).optional(),
    tags: list(slug).optional().describe('every tag must be present'),
    text: z.string().max(200).optional().describe('case-insensitive substring of id or name'),
  })
  .describe('Picks points: fields AND, values within a field OR; empty selects all');

/** Fields Grafana adds to each query; accepted and ignored. */
const grafanaQueryFields = {
  refId: z.string().min(1).max(100),
  hide: z.boolean().optional(),
  key: z.string().optional(),
  datasource: z.unknown().optional(),
  datasourceId: z.number().optional(),
  intervalMs: z.number().optional(),
  maxDataPoints: z.number().optional(),
};

const alias = z.string().max(500).optional().describe('display name template, e.g. "{{rack}} {{quantity}}"');
const limit = z.number().int().min(1).max(10_000).optional().describe('@default 1000');

export const timeseriesQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('timeseries'),
  selector: selectorSchema,
  aggregate: z.enum(AGGREGATES).optional().describe('@default avg'),
  groupBy: z.enum(GROUP_BYS).optional().describe('@default point'),
  alias,
  resolution: z.enum(RESOLUTIONS).optional().describe('@default auto'),
});

export const latestQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('latest'),
  selector: selectorSchema,
  groupBy: z.enum(GROUP_BYS).optional(),
  aggregate: z.enum(AGGREGATES).optional(),
  alias,
  problemsOnly: z.boolean().optional().describe('only bad, uncertain, stale or missing latest values'),
  staleAfterMs: z
    .number()
    .int()
    .min(1000)
    .max(30 * 86_400_000)
    .optional()
    .describe('@default 300000'),
});

export const rackLayoutQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('rackLayout'),
  hall: list(slug).optional(),
  selector: selectorSchema.optional(),
  aggregate: z.enum(AGGREGATES).optional(),
  measure: z.enum(RACK_MEASURES).optional().describe("@default 'value'; 'headroom' = rated kW − power"),
});

export const eventsQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('events'),
  types: list(z.enum(EVENT_TYPES)).optional(),
  severity: list(z.enum(SEVERITIES)).optional(),
  hall: list(slug).optional(),
  rack: list(slug).optional(),
  tags: list(slug).optional(),
  text: z.string().max(200).optional(),
  open: z.boolean().optional().describe('only events without an end, whenever they started'),
  limit,
});

export const catalogQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('catalog'),
  selector: selectorSchema,
  limit,
});

export const sourcesQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('sources'),
});

export const forecastQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('forecast'),
  selector: selectorSchema,
  limit: z.number().finite().optional().describe('the limit to reach, canonical unit'),
  horizonMs: z
    .number()
    .int()
    .min(60_000)
    .max(7 * 86_400_000)
    .optional()
    .describe('@default 3600000 (1 h)'),
  windowMs: z.number().int().min(60_000).max(86_400_000).optional().describe('@default 1800000 (30 min)'),
  top: z.number().int().min(1).max(200).optional().describe('@default 10'),
  alias: z.string().max(200).optional(),
});

export const predictionsQuerySchema = z.strictObject({
  ...grafanaQueryFields,
  queryType: z.literal('predictions'),
  output: z.enum(['scores', 'detectors']).optional().describe("@default 'scores'"),
});

export const querySchemas = {
  timeseries: timeseriesQuerySchema,
  latest: latestQuerySchema,
  rackLayout: rackLayoutQuerySchema,
  events: eventsQuerySchema,
  catalog: catalogQuerySchema,
  sources: sourcesQuerySchema,
  forecast: forecastQuerySchema,
  predictions: predictionsQuerySchema,
} as const;

export const plenumQuerySchema = z.discriminatedUnion('queryType', [
  timeseriesQuerySchema,
  latestQuerySchema,
  rackLayoutQuerySchema,
  eventsQuerySchema,
  catalogQuerySchema,
  sourcesQuerySchema,
  forecastQuerySchema,
  predictionsQuerySchema,
]);

const timeValue = z.union([z.number(), z.string().max(100)]).describe('Unix ms, ISO 8601, or now-<n><unit>');

/**
 * The request envelope. Queries are checked one by one by the engine (an invalid query fails its own refId),
 * so here they are only required to be objects.
 */
export const queryRequestSchema = z.strictObject({
  range: z.looseObject({ from: timeValue, to: timeValue }).describe('Grafana also sends `raw`; ignored'),
  maxDataPoints: z.number().int().min(1).max(20_000).optional().describe('@default 1000'),
  intervalMs: z
    .number()
    .int()
    .min(0)
    .max(366 * 86_400_000)
    .optional(),
  queries: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
  // sent by Grafana's query runner; accepted and ignored
  from: z.string().optional(),
  to: z.string().optional(),
  requestId: z.string().optional(),
  timezone: z.string().optional(),
  app: z.string().optional(),
  startTime: z.number().optional(),
  interval: z.string().optional(),
  scopedVars: z.unknown().optional(),
});
