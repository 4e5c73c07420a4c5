import { z } from 'zod';
import { DOMAINS, EVENT_TYPES, POINT_KINDS, QUALITIES, QUANTITIES, SEVERITIES } from '@plenum/model';

/**
 * Request schemas of the REST routes besides /api/query (which lives with the query engine). Strict objects:
 * an unknown field or parameter is a 400 naming it. They also generate the OpenAPI document.
 */

/** A query-string list: `?hall=h1,h2` or `?hall=h1&hall=h2`. */
const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      v === undefined
        ? undefined
        : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter((s) => s !== ''),
    z.array(item).max(1000),
  );

const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const pointsQuerySchema = z.strictObject({
  text: z.string().max(200).optional().describe('case-insensitive substring of id or name'),
  ids: csv(z.string()).optional().describe('point-id globs'),
  hall: csv(z.string()).optional(),
  row: csv(z.string()).optional(),
  rack: csv(z.string()).optional(),
  asset: csv(z.string()).optional(),
  quantity: csv(z.enum(QUANTITIES)).optional(),
  domain: csv(z.enum(DOMAINS)).optional(),
  kind: csv(z.enum(POINT_KINDS)).optional(),
  tags: csv(z.string()).optional().describe('every tag must be present'),
  page: intParam(1, 1_000_000).optional().describe('1-based, @default 1'),
  pageSize: intParam(1, 1000).optional().describe('@default 100'),
});

const timeValue = z.union([z.number(), z.string().max(100)]).describe('Unix ms, ISO 8601, or now-<n><unit>');

const locationSchema = z.strictObject({
  site: z.string().optional(),
  hall: z.string().optional(),
  row: z.string().optional(),
  rack: z.string().optional(),
  asset: z.string().optional(),
});

export const newEventSchema = z.strictObject({
  time: timeValue.optional().describe('@default now'),
  timeEnd: timeValue.optional(),
  type: z.enum(EVENT_TYPES),
  severity: z.enum(SEVERITIES).optional().describe('@default info'),
  title: z.string().min(1).max(500),
  text: z.string().max(10_000).optional(),
  location: locationSchema.optional(),
  pointId: z.string().max(500).optional(),
  tags: z.array(z.string().max(100)).max(50).optional(),
  source: z.string().max(100).optional().describe('@default api'),
  data: z.record(z.string(), z.unknown()).optional().describe('free-form details kept as given'),
});

export const eventsQuerySchema = z.strictObject({
  from: z.string().optional().describe('@default now-24h'),
  to: z.string().optional().describe('@default now'),
  type: csv(z.enum(EVENT_TYPES)).optional(),
  severity: csv(z.enum(SEVERITIES)).optional(),
  hall: csv(z.string()).optional(),
  rack: csv(z.string()).optional(),
  tags: csv(z.string()).optional(),
  text: z.string().max(200).optional(),
  limit: intParam(1, 10_000).optional().describe('@default 1000'),
});

export const samplesBodySchema = z.strictObject({
  samples: z
    .array(
      z.strictObject({
        pointId: z.string().min(1).max(500),
        ts: timeValue,
        value: z.union([z.number(), z.boolean(), z.string().max(10_000)]),
        quality: z.enum(QUALITIES).optional().describe('@default good'),
        rawStatus: z.number().int().min(0).max(0xffffffff).optional(),
        unit: z.string().max(20).optional().describe("the value's unit; converted to the point's canonical unit"),
      }),
    )
    .min(1)
    .max(100_000),
});
