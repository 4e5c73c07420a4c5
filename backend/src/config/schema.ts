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

/** Every default of the file, in the units the file is written in. */
export const DEFAULTS = {
  timezone: 'UTC',
  rackSize: 1,
  historian: {
    dataDir: './data',
    retention: { raw: '14d', '1m': '90d', '1h': '730d' },
  },
  api: { host: '127.0.0.1', port: 8080, maxBodyBytes: '1mb' },
  interval: '1s',
  kind: 'measurement',
  valueType: 'number',
  writable: false,
} as const;

/** Ids of sites, halls, rows, racks, assets, sources, signals: they end up in point ids, URLs and file names,
 * so they start with a letter, digit or `_` (never `-`, which stands for "no row/rack" in a point id). */
export const SLUG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const SLUG_EXPECTED = 'expected a slug: letters, digits, "_", "." and "-", not starting with "." or "-"';

/** Haystack-style marker tag: `temp`, `air`, `discharge`, `elec`, … */
export const TAG_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** One number and a unit: `500ms`, `1s`, `5m`, `1h`, `14d`, `2w`. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Bytes with a 1024-based suffix, as Express's body parsers read them: `512kb`, `1mb`, `1gb`, `100b`. */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([bB]|[kKmMgG][bB])$/;
const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `<hall>/<row>/<rack>/<asset>`, `-` for row and rack of a hall-level asset; `*` and `?` glob within a segment. */
export const ASSET_REF_PATTERN = /^[A-Za-z0-9_.*?-]+\/[A-Za-z0-9_.*?-]+\/[A-Za-z0-9_.*?-]+\/[A-Za-z0-9_.*?-]+$/;

/** Placeholders allowed in a point's `address` and `name`; `{{` and `}}` write literal braces. */
export const PLACEHOLDERS = ['site', 'hall', 'row', 'rack', 'asset', 'signal', 'n'] as const;

/** Parses `500ms`, `1s`, `5m`, `1h`, `14d`, `2w` or a number of ms to whole ms; `undefined` when malformed. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value) : undefined;
  const m = DURATION_PATTERN.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (DURATION_UNIT_MS[m[2] as string] as number));
}

/** Parses `1mb`, `512kb`, `100b` (1024-based) or a number of bytes; `undefined` when malformed. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value) : undefined;
  const m = SIZE_PATTERN.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (SIZE_UNIT_BYTES[(m[2] as string).toLowerCase()] as number));
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** ` (did you mean "x"?)` when one candidate is close to `word`, else an empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/** A strict object whose unknown-key error names the key and lists the keys it accepts. */
export function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return undefined;
      const hint = iss.keys.length === 1 ? didYouMean(iss.keys[0] as string, allowed) : '';
      return `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => JSON.stringify(k)).join(', ')}${hint}; expected one of ${allowed.join(', ')}`;
    },
  });
}

export const slug = () => z.string().regex(SLUG_PATTERN, SLUG_EXPECTED);

const tags = () =>
  z
    .array(z.string().regex(TAG_PATTERN, 'expected a tag: a letter, then letters, digits, "_" or "-"'))
    .default([])
    .describe('Haystack-style marker tags (`temp`, `air`, `discharge`, `elec`, …), @default []');

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const DURATION_EXPECTED =
  'expected a duration such as "500ms", "1s", "5m", "1h", "14d", "2w" or a number of milliseconds';

/** A duration in the file; parsed to whole milliseconds (> 0). */
export const duration = () =>
  z
    .union([z.string().regex(DURATION_PATTERN, DURATION_EXPECTED), z.number().int().positive(DURATION_EXPECTED)], {
      error: (iss) => (iss.code === 'invalid_union' ? DURATION_EXPECTED : undefined),
    })
    .transform((v) => parseDuration(v) as number)
    .pipe(z.number().int().min(1, 'expected a duration of at least 1 ms'));

const SIZE_EXPECTED = 'expected a size such as "100kb", "1mb" (1024-based) or a number of bytes';

/** A size in the file; parsed to whole bytes (> 0). */
const size = () =>
  z
    .union([z.string().regex(SIZE_PATTERN, SIZE_EXPECTED), z.number().int().positive(SIZE_EXPECTED)], {
      error: (iss) => (iss.code === 'invalid_union' ? SIZE_EXPECTED : undefined),
    })
    .transform((v) => parseSize(v) as number)
    .pipe(z.number().int().min(1, 'expected a size of at least 1 byte'));

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
}).describe('the HTTP API Grafana talks to');

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
});

/** The file as written (defaults optional, durations as strings). */
export type PlenumConfigInput = z.input<typeof PlenumConfigSchema>;
/** The file after validation: defaults filled, durations in ms, sizes in bytes. */
export type PlenumConfigDocument = z.output<typeof PlenumConfigSchema>;
export type PointTemplate = z.output<typeof PointTemplateSchema>;
export type SourceDocument = z.output<typeof SourceSchema>;
