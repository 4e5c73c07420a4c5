import { z } from 'zod';
import { strict, wholeNumber } from '../common/options';
import { compileRe2, LEVELS, MODES, type Level } from './address';

/** Every default of the options, beside the schema. */
export const PROMETHEUS_DEFAULTS = {
  mode: 'scrape',
  timeoutMs: 5000,
  maxConcurrency: 4,
  backfillMaxMs: 0,
  case: 'keep',
} as const;

/** Longest backfill after a gap, ms (7 days). */
export const MAX_BACKFILL_MS = 7 * 86_400_000;

export const CASES = ['keep', 'upper', 'lower'] as const;
export type Case = (typeof CASES)[number];

const URL_EXPECTED = 'expected an http:// or https:// URL';

/** An http(s) URL; the message never repeats the URL (it may carry a password). */
const httpUrl = (field: string) =>
  z.string({ error: `${field}: ${URL_EXPECTED}` }).refine((u) => {
    try {
      const p = new URL(u).protocol;
      return p === 'http:' || p === 'https:';
    } catch {
      return false;
    }
  }, `${field}: ${URL_EXPECTED}`);

/**
 * How one topology level is read from a series' labels: the value of `label`, looked up in `table`, else matched
 * by `regex` (anchored, as Prometheus relabelling anchors; the named group called after the level is the id),
 * else taken as it is when neither is given. `case` applies to what the regex or the label gives (not to table
 * values, which are written as wanted).
 */
export const mappingRule = strict({
  label: z
    .string({ error: 'label: expected a label name such as Hostname' })
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label: expected a label name such as Hostname')
    .describe('the series label that carries the level, e.g. Hostname or instance'),
  table: z
    .record(z.string(), z.string({ error: 'table: expected label value → id, both strings' }), {
      error: 'table: expected a mapping of label value → id',
    })
    .optional()
    .describe('label value → id (exact); tried before regex'),
  regex: z
    .string({ error: 'regex: expected a regular expression with a named group' })
    .optional()
    .describe(
      'anchored regular expression (RE2 syntax as in Prometheus; (?P<rack>…) or (?<rack>…)) whose group named after the level is the id',
    ),
  case: z
    .enum(CASES, { error: `case: expected one of ${CASES.join(', ')}` })
    .default(PROMETHEUS_DEFAULTS.case)
    .describe('change the case of the regex match or the bare label value (a01 → A01 with upper), @default keep'),
});
export type MappingRule = z.infer<typeof mappingRule>;

/** Options of a `prometheus` source: one exposition endpoint (or several), or one Prometheus server's HTTP API. */
export const prometheusOptions = strict({
  mode: z
    .enum(MODES, { error: `mode: expected one of ${MODES.join(', ')}` })
    .default(PROMETHEUS_DEFAULTS.mode)
    .describe(
      '`scrape`: read an exposition endpoint (/metrics) every interval; `api`: instant queries to a Prometheus server (/api/v1/query); @default scrape',
    ),
  url: z
    .union([httpUrl('url'), z.array(httpUrl('url'), { error: `url: ${URL_EXPECTED} or a list of them` }).min(1)], {
      error: `url: ${URL_EXPECTED} (or a list of exposition URLs in scrape mode)`,
    })
    .describe(
      'scrape: the exposition URL (http://host:9400/metrics), or a list of them; api: the server base URL (http://prometheus:9090, a path prefix allowed). A user:password@ part is sent as basic auth and never shown',
    ),
  bearerToken: z
    .string({ error: 'bearerToken: expected a string' })
    .min(1, 'bearerToken: expected a non-empty token')
    .optional()
    .describe('sent as Authorization: Bearer …; never shown in messages'),
  bearerTokenFile: z
    .string({ error: 'bearerTokenFile: expected a file path' })
    .min(1, 'bearerTokenFile: expected a file path')
    .optional()
    .describe('file holding the bearer token, read at every gather (rotated tokens); instead of bearerToken'),
  headers: z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/),
      z
        .string({ error: 'headers: expected string values' })
        .refine((v) => !/[\r\n]/.test(v), 'headers: a value cannot contain a line break'),
      {
        error: (iss) =>
          iss.code === 'invalid_key'
            ? 'headers: expected header names of letters, digits and -'
            : iss.code === 'invalid_type'
              ? 'headers: expected a mapping of header name → value'
              : undefined,
      },
    )
    .default({})
    .describe(
      'extra request headers (e.g. X-Scope-OrgID for a multi-tenant Prometheus); values are never shown, @default {}',
    ),
  timeoutMs: wholeNumber('timeoutMs', 1, 60_000, 'a whole number of milliseconds 1–60000')
    .default(PROMETHEUS_DEFAULTS.timeoutMs)
    .describe('whole-request timeout (connect, answer, body), ms, @default 5000'),
  maxConcurrency: wholeNumber('maxConcurrency', 1, 64, 'a whole number 1–64')
    .default(PROMETHEUS_DEFAULTS.maxConcurrency)
    .describe('requests in flight at once in one gather (api queries, scrape URLs), @default 4'),
  backfillMaxMs: wholeNumber('backfillMaxMs', 0, MAX_BACKFILL_MS, `a whole number of milliseconds 0–${MAX_BACKFILL_MS}`)
    .default(PROMETHEUS_DEFAULTS.backfillMaxMs)
    .describe(
      'api mode: after a gap (failed or late gathers), fetch the missed samples with /api/v1/query_range, at most this far back, ms; 0 = off, @default 0',
    ),
  mapping: strict({
    hall: mappingRule.optional().describe('how a series maps to a hall, @default the label "hall" as it is'),
    row: mappingRule.optional().describe('how a series maps to a row, @default the label "row" as it is'),
    rack: mappingRule.optional().describe('how a series maps to a rack, @default the label "rack" as it is'),
  })
    .default({})
    .describe('label → topology rules, used by addresses with by=<level>, @default {}'),
}).superRefine((o, ctx) => {
  if (o.mode === 'api' && Array.isArray(o.url)) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: 'url: api mode takes one server URL; expected a string (a list of URLs is for scrape mode)',
    });
  }
  if (o.mode === 'api' && typeof o.url === 'string' && /\/api\/v1(\/|$)/.test(new URL(o.url).pathname)) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message:
        'url: api mode takes the server base URL (http://prometheus:9090, or with its path prefix); expected no /api/v1/… (the connector adds it)',
    });
  }
  if (o.bearerToken !== undefined && o.bearerTokenFile !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['bearerTokenFile'],
      message: 'bearerToken and bearerTokenFile are exclusive; expected one of them',
    });
  }
  const hasToken = o.bearerToken !== undefined || o.bearerTokenFile !== undefined;
  if (hasToken && Object.keys(o.headers).some((h) => h.toLowerCase() === 'authorization')) {
    ctx.addIssue({
      code: 'custom',
      path: ['headers'],
      message: 'headers.Authorization conflicts with the bearer token; expected one of them',
    });
  }
  if (o.backfillMaxMs > 0 && o.mode !== 'api') {
    ctx.addIssue({
      code: 'custom',
      path: ['backfillMaxMs'],
      message: 'backfillMaxMs applies to mode api only (an exposition has no history); expected 0 or mode: api',
    });
  }
  for (const level of LEVELS) {
    const rule = o.mapping[level];
    if (!rule?.regex) continue;
    const problem = regexProblem(rule.regex, level);
    if (problem) ctx.addIssue({ code: 'custom', path: ['mapping', level, 'regex'], message: problem });
  }
});

export type PrometheusOptions = z.infer<typeof prometheusOptions>;

/** Why a mapping regex cannot be used, or undefined. */
function regexProblem(source: string, level: Level): string | undefined {
  try {
    compileRe2(source);
  } catch (e) {
    return `regex: not a valid regular expression: ${(e as Error).message}`;
  }
  if (!source.includes(`(?<${level}>`) && !source.includes(`(?P<${level}>`)) {
    return `regex: no group named ${level}; expected e.g. "(?<${level}>[a-z]\\d+)-gpu"`;
  }
  return undefined;
}

/** The URLs a source reads, as a list. */
export function urlsOf(o: PrometheusOptions): string[] {
  return Array.isArray(o.url) ? o.url : [o.url];
}
