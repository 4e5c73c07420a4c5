/**
 * Building blocks of the YAML schemas (site config, automation rules, scenarios): patterns, durations, sizes,
 * strict objects whose unknown-key error suggests the nearest key. Kept apart from schema.ts so schemas that
 * plenum.yaml embeds (automation/config.ts) can use them without an import cycle.
 */
import { z } from 'zod';

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

/** Levenshtein distance, case-insensitive, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  const prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (x[i - 1] === y[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[y.length] as number;
}

/**
 * ` (did you mean "x"?)` when one candidate is close to `word`, else an empty string. A candidate whose length
 * differs by more than the allowed distance cannot be close and is skipped: a 100 kB value in an enum field once
 * took seconds here (found by reliability/suites/file-fuzz.ts).
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const allowed = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > allowed) continue;
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= allowed ? ` (did you mean "${best}"?)` : '';
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

export const tags = () =>
  z
    .array(z.string().regex(TAG_PATTERN, 'expected a tag: a letter, then letters, digits, "_" or "-"'))
    .default([])
    .describe('Haystack-style marker tags (`temp`, `air`, `discharge`, `elec`, …), @default []');

export const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const DURATION_EXPECTED =
  'expected a duration such as "500ms", "1s", "5m", "1h", "14d", "2w" or a number of milliseconds';

/** A duration in the file; parsed to whole milliseconds (> 0). */
export const duration = () =>
  z
    .union([z.string().regex(DURATION_PATTERN, DURATION_EXPECTED), z.number().int().positive(DURATION_EXPECTED)], {
      error: (iss) => (iss.code === 'invalid_union' ? DURATION_EXPECTED : undefined),
    })
    .transform((v) => parseDuration(v) as number)
    .pipe(z.number().int().min(1, 'expected a duration of at least 1 ms'));

export const SIZE_EXPECTED = 'expected a size such as "100kb", "1mb" (1024-based) or a number of bytes';

/** A size in the file; parsed to whole bytes (> 0). */
export const size = () =>
  z
    .union([z.string().regex(SIZE_PATTERN, SIZE_EXPECTED), z.number().int().positive(SIZE_EXPECTED)], {
      error: (iss) => (iss.code === 'invalid_union' ? SIZE_EXPECTED : undefined),
    })
    .transform((v) => parseSize(v) as number)
    .pipe(z.number().int().min(1, 'expected a size of at least 1 byte'));

/**
 * The auth of an HTTP client section (remoteWrite:, hub.store): basic auth or a bearer token, and extra headers.
 * Spread into the section's strict object; `checkHttpAuth` goes in its superRefine.
 */
export const httpAuthFields = () => ({
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
});

/**
 * Basic auth and a bearer token exclude each other, and `headers` may not set what the client sets itself
 * (`ownHeaders`, lower case; `who` names that client in the message: "the sender", "the hub").
 */
export function checkHttpAuth(ownHeaders: readonly string[], who: string, note = 'auth: use basicAuth or bearerToken') {
  return (
    c: { basicAuth?: unknown; bearerToken?: string; headers: Record<string, string> },
    ctx: z.RefinementCtx,
  ): void => {
    if (c.basicAuth && c.bearerToken)
      ctx.addIssue({ code: 'custom', path: ['bearerToken'], message: 'set basicAuth or bearerToken, not both' });
    for (const h of Object.keys(c.headers))
      if (ownHeaders.includes(h.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['headers', h],
          message: `header "${h}" is set by ${who} itself (${note})`,
        });
  };
}
