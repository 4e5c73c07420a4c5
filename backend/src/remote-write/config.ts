/**
 * The `remoteWrite:` section of plenum.yaml: where this edge sends its samples by Prometheus remote write 1.0, how
 * (auth, timeout, batch, backoff), how much it may queue on its own disk while the receiver is away, and which
 * points go. README.md explains every field; the defaults are in REMOTE_WRITE_DEFAULTS.
 *
 * A top-level section (not `export.remoteWrite`): the file's sections are flat (`historian`, `api`, `automation`,
 * `prediction`), and a shared `export:` mapping would make two features (this and Sparkplug) edit one schema.
 */
import { z } from 'zod';
import { DOMAINS, POINT_KINDS, QUANTITIES } from '@plenum/model';
import { checkHttpAuth, duration, httpAuthFields, size, slug, strict } from '../config/schema-parts';

export const REMOTE_WRITE_DEFAULTS = {
  timeout: '30s',
  /** samples per request: Prometheus' own queue_config.max_samples_per_send is 2000 (2.42) */
  batchSamples: 2000,
  flushInterval: '1s',
  /** 256 MiB ≈ 13 M samples ≈ 2.9 h of a 648-point hall at 1 Hz with its quality series */
  queueMaxBytes: '256mb',
  backoff: { min: '500ms', max: '30s' },
  qualitySeries: true,
} as const;

/** Labels every series already carries (promql/series-model.ts); an external label may not take one of them. */
export const POINT_LABELS = [
  '__name__',
  'site',
  'hall',
  'row',
  'rack',
  'asset',
  'signal',
  'quantity',
  'unit',
  'domain',
  'kind',
  'tags',
  'point',
  'metric',
] as const;

/** Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`; names starting with `__` are reserved. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Headers the sender sets itself (the protocol's, auth); `headers` may not replace them. */
const OWN_HEADERS = [
  'content-encoding',
  'content-type',
  'content-length',
  'x-prometheus-remote-write-version',
  'authorization',
  'user-agent',
  'host',
];

const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).optional();

export const RemoteWritePointsSchema = strict({
  ids: list(z.string().min(1)).describe('point-id globs: * within a segment, ** across'),
  hall: list(slug()),
  row: list(slug()),
  rack: list(slug()),
  asset: list(slug()),
  quantity: list(z.enum(QUANTITIES)),
  domain: list(z.enum(DOMAINS)),
  kind: list(z.enum(POINT_KINDS)),
  tags: list(z.string().min(1)).describe('every listed tag must be present'),
}).describe('which points are sent: fields AND, values within a field OR, as in a query selector; @default all');

const D = REMOTE_WRITE_DEFAULTS;

export const RemoteWriteSchema = strict({
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL such as http://vm:8428/api/v1/write' })
    .describe(
      'the receiver: http://<victoria-metrics>:8428/api/v1/write, http://<prometheus>:9090/api/v1/write, https://<mimir>/api/v1/push',
    ),
  ...httpAuthFields(),
  timeout: duration().prefault(D.timeout).describe(`one request's time limit, @default ${D.timeout}`),
  batchSamples: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(D.batchSamples)
    .describe(`samples per request at most, @default ${D.batchSamples}`),
  flushInterval: duration()
    .prefault(D.flushInterval)
    .describe(
      `a request goes when batchSamples are queued or this long after the first queued sample, @default ${D.flushInterval}`,
    ),
  queueMaxBytes: size()
    .prefault(D.queueMaxBytes)
    .pipe(z.number().min(1024 * 1024, 'expected at least 1mb'))
    .describe(
      `bytes of queued samples on disk (20 B each) at most; when full the OLDEST are dropped and counted, @default ${D.queueMaxBytes}`,
    ),
  backoff: strict({
    min: duration().prefault(D.backoff.min).describe(`first retry delay, @default ${D.backoff.min}`),
    max: duration().prefault(D.backoff.max).describe(`longest retry delay, @default ${D.backoff.max}`),
  })
    .refine((b) => b.min <= b.max, { path: ['min'], message: 'must not be longer than backoff.max' })
    .prefault({})
    .describe(
      `retry delays after 5xx, 429 and network errors: doubling from min to max, with jitter, @default {min: ${D.backoff.min}, max: ${D.backoff.max}}`,
    ),
  externalLabels: z
    .record(z.string(), z.string().min(1, 'expected a non-empty label value'))
    .default({})
    .superRefine((labels, ctx) => {
      for (const name of Object.keys(labels)) {
        const why = !LABEL_NAME.test(name)
          ? 'is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'
          : name.startsWith('__')
            ? 'starts with "__", which Prometheus reserves'
            : (POINT_LABELS as readonly string[]).includes(name)
              ? `is a label every series has already (${POINT_LABELS.filter((l) => l !== '__name__').join(', ')})`
              : undefined;
        if (why) ctx.addIssue({ code: 'custom', path: [name], message: `label "${name}" ${why}` });
      }
    })
    .describe('labels added to every series, e.g. edge: hall1-edge, @default {}'),
  points: RemoteWritePointsSchema.optional(),
  qualitySeries: z
    .boolean()
    .default(D.qualitySeries)
    .describe(
      `also send each point's plenum_quality series (0 good, 1 uncertain, 2 bad), as the PromQL API serves it, @default ${D.qualitySeries}`,
    ),
})
  .superRefine(checkHttpAuth(OWN_HEADERS, 'the sender', 'protocol and auth headers: use basicAuth or bearerToken'))
  .describe('Prometheus remote write 1.0 of every stored sample, through a durable queue (remote-write/README.md)');

export type RemoteWriteConfig = z.output<typeof RemoteWriteSchema>;
export type RemoteWriteInput = z.input<typeof RemoteWriteSchema>;
