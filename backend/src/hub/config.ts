/**
 * The `hub:` section of plenum.yaml: this backend is a hub — it stores nothing of its own and answers the query
 * contract (POST /api/query) for every hall from a shared Prometheus-compatible store that the edges remote-write
 * to (README.md), and — with `broker` — the edges' events and the schedulers' job webhooks through the MQTT broker
 * (relay/README.md). The defaults are in HUB_DEFAULTS.
 */
import { z } from 'zod';
import { BrokerSchema, type BrokerConfig } from '../sparkplug/config';
import { checkHttpAuth, duration, httpAuthFields, size, strict } from '../config/schema-parts';

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
  /** how long a job webhook posted at the hub waits for its edge's answer before a 504 (the scheduler retries) */
  jobTimeout: '10s',
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
    ...httpAuthFields(),
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
    .superRefine(checkHttpAuth(['authorization', 'content-type', 'content-length', 'host'], 'the hub'))
    .describe('the shared store the edges remote-write to'),
  catalogRefresh: duration()
    .prefault(D.catalogRefresh)
    .describe(`how often the catalog is rebuilt from the store's series, @default ${D.catalogRefresh}`),
  catalogLookback: duration()
    .prefault(D.catalogLookback)
    .describe(`a point is listed when its series has samples this recent, @default ${D.catalogLookback}`),
  broker: BrokerSchema.optional().describe(
    "the MQTT broker the edges' Sparkplug sections use: the hub reads their events from it and sends them job webhooks (relay/README.md); without it the hub has no events and takes no jobs",
  ),
  relay: strict({
    clientId: z.string().min(1).max(200).optional().describe('MQTT client id, @default plenum-hub-<site id>'),
    jobTimeout: duration()
      .prefault(D.jobTimeout)
      .describe(
        `a job webhook posted at the hub waits this long for its edge's answer, then 504 (retry), @default ${D.jobTimeout}`,
      ),
  })
    .prefault({})
    .describe('events and job webhooks between the edges and the hub over hub.broker, @default {}'),
  latestLookback: duration()
    .prefault(D.latestLookback)
    .describe(
      `how far back latest values are looked for; a point silent longer answers no data, @default ${D.latestLookback}`,
    ),
}).describe('run as a hub: one query API over every hall, read from a shared store (hub/README.md)');

export type HubDocument = z.output<typeof HubSchema>;
/** The section resolved: the broker's TLS files read (sparkplug/config.ts resolveBroker). */
export type HubConfig = Omit<HubDocument, 'broker'> & { broker?: BrokerConfig };

/**
 * Sections an edge runs and a hub would silently ignore (it has no sources, historian samples, rules or
 * detectors): with `hub:` each is a config error naming it, rather than a hall that quietly does nothing.
 */
export const EDGE_ONLY_SECTIONS = ['sources', 'automation', 'prediction', 'remoteWrite', 'sparkplug'] as const;

export function edgeOnlyIssues(raw: unknown): Array<{ path: PropertyKey[]; message: string }> {
  if (typeof raw !== 'object' || raw === null || !('hub' in raw)) return [];
  return EDGE_ONLY_SECTIONS.filter((k) => k in raw).map((k) => ({
    path: [k],
    message: `a hub (hub:) runs no ${k}: it is an edge's section and would be ignored here; move it to the plenum.yaml of the hall's edge${k === 'sparkplug' ? ' (the hub reads the broker from hub.broker)' : ''}`,
  }));
}
export type HubInput = z.input<typeof HubSchema>;
