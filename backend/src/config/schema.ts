/**
 * The schema of `plenum.yaml`: the one source of truth for validation (zod), the TypeScript types (`z.input` /
 * `z.output`) and the published JSON Schema (`schema/plenum.schema.json`, written by `write-json-schema.ts`).
 * Defaults live in `DEFAULTS` beside it and are quoted in the descriptions, so editor hovers show them.
 *
 * What a schema cannot say (unique ids, overlapping racks, asset references, units per quantity, connector
 * names) is checked in `load.ts`.
 */
import { z } from 'zod';
import { ASSET_TYPES, DOMAINS, FACINGS, POINT_KINDS, QUANTITIES, VALUE_TYPES } from '@plenum/model';
import { livenessFor } from '../connectors/liveness';
import { AutomationSchema } from '../automation/config';
import { PredictionSchema } from '../predict/config';
import { RemoteWriteSchema } from '../remote-write/config';
import { SparkplugSchema } from '../sparkplug/config';
import { HubSchema } from '../hub/config';
import {
  ASSET_REF_PATTERN,
  duration,
  DURATION_EXPECTED,
  isTimeZone,
  PLACEHOLDERS,
  size,
  slug,
  strict,
  tags,
} from './schema-parts';
export * from './schema-parts';

/** Every default of the file, in the units the file is written in. */
export const DEFAULTS = {
  timezone: 'UTC',
  rackSize: 1,
  historian: {
    dataDir: './data',
    // events: as long as the 1-hour rollups, so every range a dashboard can still draw keeps its annotations
    // (jobs, alarms, automation actions); an event takes ~0.3 KB, so two years of a busy hall stay small
    retention: { raw: '14d', '1m': '90d', '1h': '730d', events: '730d' },
  },
  api: {
    host: '127.0.0.1',
    port: 8080,
    maxBodyBytes: '1mb',
    maxHeaderBytes: '16kb',
    headersTimeout: '20s',
    requestTimeout: '60s',
    keepAliveTimeout: '5s',
  },
  interval: '1s',
  kind: 'measurement',
  valueType: 'number',
  writable: false,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// topology

export const AssetSchema = strict({
  id: slug().describe('unique within its rack (or within its hall for hall-level assets)'),
  type: z.enum(ASSET_TYPES).describe(`what the asset is: ${ASSET_TYPES.join(', ')}`),
  name: z.string().optional().describe('display name'),
  tags: tags(),
}).describe('a piece of equipment: server, PDU, CRAH, CDU, sensor, …');

export const RackSchema = strict({
  id: slug().describe('unique within its row'),
  x: z.number().int().min(0).describe('floor grid column in tiles (one tile ≈ 600 mm), 0 at the west wall'),
  y: z.number().int().min(0).describe('floor grid row in tiles, 0 at the north wall'),
  w: z.number().int().min(1).default(DEFAULTS.rackSize).describe(`width in tiles, @default ${DEFAULTS.rackSize}`),
  h: z.number().int().min(1).default(DEFAULTS.rackSize).describe(`depth in tiles, @default ${DEFAULTS.rackSize}`),
  facing: z
    .enum(FACINGS)
    .optional()
    .describe('which way the front (air intake, cold aisle side) faces on the floor plan'),
  ratedKw: z.number().positive().optional().describe('rated IT capacity in kW, used for headroom'),
  label: z.string().optional().describe('short label drawn on the rack layout; the id when unset'),
  assets: z.array(AssetSchema).default([]).describe('equipment in the rack, @default []'),
}).describe('a rack on the hall floor grid; racks of one hall must not overlap');

export const RowSchema = strict({
  id: slug().describe('unique within its hall'),
  name: z.string().optional().describe('display name'),
  racks: z.array(RackSchema).default([]).describe('@default []'),
});

export const HallSchema = strict({
  id: slug().describe('unique within the site'),
  name: z.string().optional().describe('display name'),
  assets: z
    .array(AssetSchema)
    .default([])
    .describe('hall-level assets (CRAH, CDU, …), referenced as `<hall>/-/-/<asset>`, @default []'),
  rows: z.array(RowSchema).default([]).describe('@default []'),
});

export const SiteSchema = strict({
  id: slug().describe('first segment of every point id'),
  name: z.string().optional().describe('display name'),
  timezone: z
    .string()
    .refine(isTimeZone, 'expected an IANA time zone such as "UTC" or "Europe/Berlin"')
    .default(DEFAULTS.timezone)
    .describe(`IANA time zone of the site, @default ${DEFAULTS.timezone}`),
  halls: z.array(HallSchema).min(1).describe('at least one hall'),
}).describe('topology: site → hall → row → rack → asset');

// ---------------------------------------------------------------------------------------------------------------
// historian, api

const { retention: R } = DEFAULTS.historian;
/** `historian.retention.events: forever`: the event store deletes nothing */
export const KEEP_FOREVER = 'forever';

export const HistorianSchema = strict({
  dataDir: z
    .string()
    .min(1)
    .default(DEFAULTS.historian.dataDir)
    .describe(
      `the data folder, relative to this file's folder; the environment variable PLENUM_DATA overrides it, @default ${DEFAULTS.historian.dataDir}`,
    ),
  retention: strict({
    raw: duration().prefault(R.raw).describe(`how long raw samples are kept, @default ${R.raw}`),
    '1m': duration().prefault(R['1m']).describe(`how long 1-minute rollups are kept, @default ${R['1m']}`),
    '1h': duration().prefault(R['1h']).describe(`how long 1-hour rollups are kept, @default ${R['1h']}`),
    events: z
      .union([z.enum([KEEP_FOREVER]), duration()], {
        error: (iss) => (iss.code === 'invalid_union' ? `${DURATION_EXPECTED}, or "${KEEP_FOREVER}"` : undefined),
      })
      .prefault(R.events)
      .describe(
        `how long events are kept after their end and their last change (a job or prediction still open is kept however old); "${KEEP_FOREVER}" keeps every event, @default ${R.events}`,
      ),
  })
    .prefault({})
    .describe('retention per resolution; durations such as "14d" or milliseconds'),
}).describe('the embedded historian');

export const ApiSchema = strict({
  host: z
    .string()
    .min(1)
    .default(DEFAULTS.api.host)
    .describe(`address the HTTP API listens on; PLENUM_HOST overrides it, @default ${DEFAULTS.api.host}`),
  port: z
    .number()
    .int('expected an integer 1–65535')
    .min(1, 'expected an integer 1–65535')
    .max(65535, 'expected an integer 1–65535')
    .default(DEFAULTS.api.port)
    .describe(`TCP port of the HTTP API; PLENUM_PORT overrides it, @default ${DEFAULTS.api.port}`),
  maxBodyBytes: size()
    .prefault(DEFAULTS.api.maxBodyBytes)
    .describe(`largest request body accepted, "512kb", "1mb" or bytes, @default ${DEFAULTS.api.maxBodyBytes}`),
  maxHeaderBytes: size()
    .prefault(DEFAULTS.api.maxHeaderBytes)
    .describe(
      `largest request head (request line and headers); larger gets 431, @default ${DEFAULTS.api.maxHeaderBytes}`,
    ),
  headersTimeout: duration()
    .prefault(DEFAULTS.api.headersTimeout)
    .describe(`the request head must arrive within this, @default ${DEFAULTS.api.headersTimeout}`),
  requestTimeout: duration()
    .prefault(DEFAULTS.api.requestTimeout)
    .describe(
      `the whole request (head and body) must arrive within this; keep it above 25s, the longest /api/stream wait, @default ${DEFAULTS.api.requestTimeout}`,
    ),
  keepAliveTimeout: duration()
    .prefault(DEFAULTS.api.keepAliveTimeout)
    .describe(`an idle keep-alive connection is closed after this, @default ${DEFAULTS.api.keepAliveTimeout}`),
  tokens: z
    .array(
      strict({
        name: slug().describe('recorded in the audit trail for what the token does'),
        scope: z
          .enum(['jobs', 'read', 'operate', 'admin'])
          .describe(
            'read: dashboards, queries, ingest; operate: + approvals, modes, manual writes, stop; admin: + rule changes; jobs: POST /api/events only',
          ),
        sha256: z
          .string()
          .regex(
            /^[0-9a-fA-F]{64}$/,
            'expected the SHA-256 of the token as 64 hex digits, as `printf %s "$TOKEN" | sha256sum` prints it',
          )
          .describe(
            'SHA-256 of the token, hex: `printf %s "$TOKEN" | sha256sum`; the token itself is never in the file',
          ),
      }),
    )
    .default([])
    .describe(
      'bearer tokens, hashed, besides PLENUM_API_TOKEN / PLENUM_OPERATE_TOKEN / PLENUM_ADMIN_TOKEN / PLENUM_JOBS_TOKEN, @default []',
    ),
  tls: strict({
    cert: z.string().min(1).describe("the server's certificate chain, PEM, relative to this file's folder"),
    key: z.string().min(1).describe("the server certificate's private key, PEM, relative to this file's folder"),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe("CA certificates, PEM, that client certificates must chain to (mTLS), relative to this file's folder"),
    requestCert: z.boolean().default(false).describe('ask clients for a certificate (mTLS; needs ca), @default false'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('with requestCert: refuse clients without a certificate from ca, @default true'),
  })
    .optional()
    .describe('serve the API over HTTPS (and mTLS with requestCert); plain HTTP when unset'),
})
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    a.tokens.forEach((t, i) => {
      if (seen.has(t.name))
        ctx.addIssue({ code: 'custom', path: ['tokens', i, 'name'], message: `duplicate token name "${t.name}"` });
      seen.add(t.name);
    });
    if (a.tls?.requestCert && !a.tls.ca)
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'ca'],
        message: 'requestCert needs ca: the CA file client certificates must chain to',
      });
  })
  .describe('the HTTP API Grafana talks to');

// ---------------------------------------------------------------------------------------------------------------
// sources and points

const placeholderList = PLACEHOLDERS.map((p) => `{${p}}`).join(' ');

export const PointTemplateSchema = strict({
  asset: z
    .string()
    .regex(
      ASSET_REF_PATTERN,
      'expected "<hall>/<row>/<rack>/<asset>" or "<hall>/-/-/<asset>" for a hall-level asset; segments may use * and ? globs',
    )
    .describe(
      '`<hall>/<row>/<rack>/<asset>` or `<hall>/-/-/<asset>` for a hall-level asset; `*` and `?` glob within a segment and yield one point per matching asset (at least one must match)',
    ),
  signal: slug().describe('last segment of the point id `<site>/<hall>/<row>/<rack>/<asset>/<signal>`'),
  quantity: z.enum(QUANTITIES).describe('what is measured; fixes the canonical unit values are stored in'),
  unit: z
    .string()
    .optional()
    .describe(
      "the unit the source speaks (`W`, `°F`, `gpm`, …), converted at ingest to the quantity's canonical unit; the canonical unit when unset",
    ),
  domain: z.enum(DOMAINS).optional().describe('@default IT for server, gpu-server and switch assets, OT otherwise'),
  kind: z.enum(POINT_KINDS).default(DEFAULTS.kind).describe(`@default ${DEFAULTS.kind}`),
  valueType: z.enum(VALUE_TYPES).default(DEFAULTS.valueType).describe(`@default ${DEFAULTS.valueType}`),
  writable: z
    .boolean()
    .default(DEFAULTS.writable)
    .describe(`Plenum may write it; only for kind setpoint or command, @default ${DEFAULTS.writable}`),
  tags: tags(),
  address: z
    .string()
    .default('')
    .describe(
      `protocol address, connector-specific (\`unit=3;hr=100;float32;CDAB\`, \`ns=2;s=CRAH1.SupplyTemp\`); placeholders ${placeholderList} ({n}: 1-based index of the matching asset), @default ""`,
    ),
  writeAddress: z
    .string()
    .optional()
    .describe(
      'where writes go when it differs from `address` (a setpoint read from one node or register, written to another); same placeholders as address; only for writable points, @default address',
    ),
  name: z.string().optional().describe(`display name; same placeholders as address`),
  min: z.number().optional().describe('lower engineering limit, in canonical units'),
  max: z.number().optional().describe('upper engineering limit, in canonical units'),
}).describe('one point, or one per matching asset when `asset` holds a glob');

export const LivenessSchema = strict({
  staleAfter: duration()
    .optional()
    .describe(
      'no sample for this long (a poll that does not finish, a subscription that stops reporting) → the source is degraded and its points are marked bad; @default 3 intervals, at least 5s',
    ),
  rebuildAfter: duration()
    .optional()
    .describe(
      'no usable sample for this long → the connector closes its connection and builds it again from scratch; @default 2 × staleAfter, at least 30s',
    ),
});

export const SourceSchema = strict({
  name: slug().describe('unique among sources; recorded on every point it feeds'),
  connector: slug().describe('which connector reads it (a folder under backend/src/connectors)'),
  interval: duration()
    .prefault(DEFAULTS.interval)
    .describe(`polling or sampling interval, "500ms", "1s", "5m" or milliseconds, @default ${DEFAULTS.interval}`),
  options: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('connector-specific settings, validated by the connector, @default {}'),
  liveness: LivenessSchema.optional().describe(
    'when the source counts as silent and when its connection is rebuilt (connectors/README.md, "Liveness")',
  ),
  points: z.array(PointTemplateSchema).default([]).describe('@default []'),
})
  .superRefine((s, ctx) => {
    if (!s.liveness) return;
    const l = livenessFor(s.interval, { staleAfterMs: s.liveness.staleAfter, rebuildAfterMs: s.liveness.rebuildAfter });
    if (l.rebuildAfterMs <= l.staleAfterMs)
      ctx.addIssue({
        code: 'custom',
        path: ['liveness', 'rebuildAfter'],
        message: `rebuildAfter (${l.rebuildAfterMs} ms) must be longer than staleAfter (${l.staleAfterMs} ms${s.liveness.staleAfter === undefined ? ', the default for this interval' : ''})`,
      });
  })
  .describe('one connection to a device or system');

export const PlenumConfigSchema = strict({
  site: SiteSchema,
  historian: HistorianSchema.prefault({}),
  api: ApiSchema.prefault({}),
  sources: z.array(SourceSchema).default([]).describe('where point values come from, @default []'),
  automation: AutomationSchema.optional().describe(
    'automated responses: rules and controllers, every write through one guard (automation/README.md)',
  ),
  prediction: PredictionSchema.optional().describe(
    'predictive monitoring: expected-vs-actual detectors, time-to-limit forecasts, alarms (predict/README.md)',
  ),
  remoteWrite: RemoteWriteSchema.optional().describe(
    'send every stored sample to a Prometheus remote-write store (VictoriaMetrics, Mimir, Prometheus) through a durable queue (remote-write/README.md)',
  ),
  sparkplug: SparkplugSchema.optional().describe(
    'MQTT Sparkplug B 3.0: this site as an edge node and/or a primary host reading other edges (sparkplug/README.md)',
  ),
  hub: HubSchema.optional().describe(
    'run as a hub: one query API over every hall, read from the shared store the edges remote-write to (hub/README.md)',
  ),
});

/** The file as written (defaults optional, durations as strings). */
export type PlenumConfigInput = z.input<typeof PlenumConfigSchema>;
/** The file after validation: defaults filled, durations in ms, sizes in bytes. */
export type PlenumConfigDocument = z.output<typeof PlenumConfigSchema>;
export type PointTemplate = z.output<typeof PointTemplateSchema>;
export type SourceDocument = z.output<typeof SourceSchema>;
