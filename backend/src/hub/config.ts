/**
 * The `hub:` section of plenum.yaml: this backend is a hub — it stores nothing of its own and answers the query
 * contract (POST /api/query) for every hall from a shared Prometheus-compatible store that the edges remote-write
 * to (README.md). The defaults are in HUB_DEFAULTS.
 */
import { z } from 'zod';
import { duration, size, strict } from '../config/schema-parts';

export const HUB_DEFAULTS = {
  kind: 'victoriametrics',
  timeout: '30s',
  /** how often the catalog is rebuilt from the store's /api/v1/series */
  catalogRefresh: '1m',
  /** a point is in the catalog when it has a sample this recent (the store's series window) */
  catalogLookback: '24h',
  /** how far back `latest` looks for a point's newest sample; older points answer "no data" */
  latestLookback: '1h',
  /** VictoriaMetrics' -search.maxQueryLen is 16 KiB; one PromQL expression stays below this */
  maxQueryBytes: '14kb',
  /** store requests in flight at once, per hub */
  concurrency: 4,
} as const;

const D = HUB_DEFAULTS;

export const HubSchema = strict({
  store: strict({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL such as http://vm:8428' })
      .describe(
        "the store's Prometheus HTTP API root (without /api/v1): http://<victoria-metrics>:8428, http://<prometheus>:9090, https://<mimir>/prometheus",
      ),
    kind: z
      .enum(['victoriametrics', 'prometheus'])
      .default(D.kind)
      .describe(
        `which engine answers: range windows are (t−d, t] in VictoriaMetrics and [t−d, t] in Prometheus 2.x, and raw windows and sample times use each one's own API, @default ${D.kind}`,
      ),
    basicAuth: strict({
      username: z.string().min(1).describe('user name'),
      password: z.string().min(1).describe('password; write it as ${ENV_VAR}, never in clear in the file'),
    })
      .optional()
      .describe('HTTP basic auth'),
    bearerToken: z
      .string()
      .min(1)
      .optional()
      .describe('sent as Authorization: Bearer <token>; write it as ${ENV_VAR}, never in clear in the file'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name'), z.string())
      .default({})
      .describe('extra request headers, e.g. X-Scope-OrgID: <tenant> for Mimir, @default {}'),
    timeout: duration().prefault(D.timeout).describe(`one store request's time limit, @default ${D.timeout}`),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(D.concurrency)
      .describe(`store requests in flight at once, @default ${D.concurrency}`),
    maxQueryBytes: size()
      .prefault(D.maxQueryBytes)
      .pipe(z.number().min(1024, 'expected at least 1kb'))
      .describe(
        `longest PromQL expression sent; more points are split into several (VictoriaMetrics refuses longer than its -search.maxQueryLen, 16kb), @default ${D.maxQueryBytes}`,
      ),
  })
    .superRefine((c, ctx) => {
      if (c.basicAuth && c.bearerToken)
        ctx.addIssue({ code: 'custom', path: ['bearerToken'], message: 'set basicAuth or bearerToken, not both' });
      for (const h of Object.keys(c.headers))
        if (['authorization', 'content-type', 'content-length', 'host'].includes(h.toLowerCase()))
          ctx.addIssue({
            code: 'custom',
            path: ['headers', h],
            message: `header "${h}" is set by the hub itself (auth: use basicAuth or bearerToken)`,
          });
    })
    .describe('the shared store the edges remote-write to'),
  catalogRefresh: duration()
    .prefault(D.catalogRefresh)
    .describe(`how often the catalog is rebuilt from the store's series, @default ${D.catalogRefresh}`),
  catalogLookback: duration()
    .prefault(D.catalogLookback)
    .describe(`a point is listed when its series has samples this recent, @default ${D.catalogLookback}`),
  latestLookback: duration()
    .prefault(D.latestLookback)
    .describe(
      `how far back latest values are looked for; a point silent longer answers no data, @default ${D.latestLookback}`,
    ),
}).describe('run as a hub: one query API over every hall, read from a shared store (hub/README.md)');

export type HubConfig = z.output<typeof HubSchema>;
export type HubInput = z.input<typeof HubSchema>;
