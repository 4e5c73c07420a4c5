import { z } from 'zod';
import { strict, wholeNumber } from '../common/options';

/** Every default of the options, beside the schema. */
export const REDFISH_DEFAULTS = {
  auth: 'session',
  schema: 'auto',
  timeoutMs: 5000,
  maxConcurrency: 2,
} as const;

/** How the connector proves who it is to the BMC. */
export const AUTH_MODES = ['session', 'basic', 'token', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * Which schema family the well-known signals (`power`, `powerLimit`, …) read: `auto` takes the newer resources
 * (EnvironmentMetrics, PowerSubsystem, ThermalSubsystem, Controls) when the chassis links them, else the
 * deprecated `Power` / `Thermal`; `classic` and `modern` force one family.
 */
export const SCHEMAS = ['auto', 'classic', 'modern'] as const;
export type SchemaFamily = (typeof SCHEMAS)[number];

const URL_EXPECTED = 'expected an http:// or https:// URL of the BMC (https://10.0.0.5, without /redfish/v1)';

/** An http(s) URL without credentials or a path other than `/` or `/redfish/v1`; messages never repeat it. */
const bmcUrl = (field: string) =>
  z.string({ error: `${field}: ${URL_EXPECTED}` }).superRefine((u, ctx) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${field}: ${URL_EXPECTED}` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `${field}: ${URL_EXPECTED}` });
    } else if (url.username !== '' || url.password !== '') {
      ctx.addIssue({
        code: 'custom',
        message: `${field}: credentials in the URL are not used; expected username and password options`,
      });
    } else if (!/^\/(redfish\/v1\/?)?$/.test(url.pathname) || url.search !== '') {
      ctx.addIssue({
        code: 'custom',
        message: `${field}: expected the BMC's base URL (https://10.0.0.5 or https://10.0.0.5/redfish/v1); the connector discovers the rest`,
      });
    }
  });

const BMC_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A SHA-256 certificate fingerprint: 64 hex digits, with or without colons (as openssl and Node print it). */
const fingerprint = z
  .string({ error: 'tls.fingerprint: expected a SHA-256 fingerprint (64 hex digits, colons allowed)' })
  .transform((s) => s.replace(/:/g, '').toUpperCase())
  .refine(
    (s) => /^[0-9A-F]{64}$/.test(s),
    'tls.fingerprint: expected a SHA-256 fingerprint (64 hex digits, colons allowed), as `openssl x509 -noout -fingerprint -sha256` prints it',
  );

/** Options of a `redfish` source: one BMC (`url`) or several (`bmcs`), one set of credentials. */
export const redfishOptions = strict({
  url: bmcUrl('url').optional().describe('the BMC, e.g. https://10.0.0.5 (the service root /redfish/v1 is added)'),
  bmcs: z
    .record(z.string().regex(BMC_NAME), z.string({ error: `bmcs: ${URL_EXPECTED}` }).pipe(bmcUrl('bmcs')), {
      error: (iss) =>
        iss.code === 'invalid_key'
          ? 'bmcs: expected names of letters, digits, _ . - (a rack id such as A01)'
          : iss.code === 'invalid_type'
            ? 'bmcs: expected a mapping of BMC name → URL'
            : undefined,
    })
    .optional()
    .describe('several BMCs by name (a rack id, a host name) → URL; point addresses pick one with bmc=<name>'),
  auth: z
    .enum(AUTH_MODES, { error: `auth: expected one of ${AUTH_MODES.join(', ')}` })
    .default(REDFISH_DEFAULTS.auth)
    .describe(
      '`session`: POST SessionService/Sessions, X-Auth-Token on every request, the session deleted at close; `basic`: HTTP basic auth on every request; `token`: a pre-issued X-Auth-Token; `none` (the twin, a test bed); @default session',
    ),
  username: z
    .string({ error: 'username: expected a string' })
    .min(1, 'username: expected a non-empty user name')
    .optional()
    .describe('the BMC account (session and basic)'),
  password: z
    .string({ error: 'password: expected a string' })
    .min(1, 'password: expected a non-empty password (an unset ${VAR:-} gives an empty one)')
    .optional()
    .describe('its password (session and basic); use ${BMC_PASSWORD} to take it from the environment; never shown'),
  token: z
    .string({ error: 'token: expected a string' })
    .min(1, 'token: expected a non-empty token')
    .optional()
    .describe('auth token: the X-Auth-Token sent on every request; never shown'),
  tls: strict({
    ca: z
      .string({ error: 'tls.ca: expected the path of a PEM file' })
      .min(1, 'tls.ca: expected the path of a PEM file')
      .optional()
      .describe(
        "PEM file of the CA(s) that sign the BMCs' certificates (instead of the system's); the name is checked",
      ),
    fingerprint: fingerprint
      .optional()
      .describe(
        "SHA-256 fingerprint of the BMC's own certificate (self-signed ones, as most BMCs ship): that certificate and no other is accepted, checked before any request is sent",
      ),
    serverName: z
      .string({ error: 'tls.serverName: expected a host name' })
      .min(1, 'tls.serverName: expected a host name')
      .optional()
      .describe('the name the certificate must carry when it differs from the URL host (with tls.ca)'),
  })
    .default({})
    .describe(
      'how the BMC certificate is trusted: system CAs (default), tls.ca, or a pinned tls.fingerprint; never skipped',
    ),
  schema: z
    .enum(SCHEMAS, { error: `schema: expected one of ${SCHEMAS.join(', ')}` })
    .default(REDFISH_DEFAULTS.schema)
    .describe(
      'family of the well-known signals: auto (the newer resources when the chassis links them), classic (Power/Thermal), modern; @default auto',
    ),
  timeoutMs: wholeNumber('timeoutMs', 1, 120_000, 'a whole number of milliseconds 1–120000')
    .default(REDFISH_DEFAULTS.timeoutMs)
    .describe('whole-request timeout (connect, TLS, answer, body), ms, @default 5000'),
  maxConcurrency: wholeNumber('maxConcurrency', 1, 16, 'a whole number 1–16')
    .default(REDFISH_DEFAULTS.maxConcurrency)
    .describe('requests in flight at once per BMC (BMCs are slow and small), @default 2'),
}).superRefine((o, ctx) => {
  const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (o.url === undefined && o.bmcs === undefined) issue(['url'], 'url: expected the BMC URL (or bmcs: name → URL)');
  if (o.url !== undefined && o.bmcs !== undefined) issue(['bmcs'], 'url and bmcs are exclusive; expected one of them');
  if (o.bmcs !== undefined && Object.keys(o.bmcs).length === 0) issue(['bmcs'], 'bmcs: expected at least one BMC');
  if (o.auth === 'session' || o.auth === 'basic') {
    if (o.username === undefined) issue(['username'], `username: auth ${o.auth} needs a username`);
    if (o.password === undefined) issue(['password'], `password: auth ${o.auth} needs a password`);
  } else if (o.username !== undefined || o.password !== undefined) {
    issue(['username'], `username and password apply to auth session or basic, not ${o.auth}`);
  }
  if (o.auth === 'token' && o.token === undefined) issue(['token'], 'token: auth token needs a token');
  if (o.auth !== 'token' && o.token !== undefined) issue(['token'], `token applies to auth token, not ${o.auth}`);
  if (o.tls.ca !== undefined && o.tls.fingerprint !== undefined) {
    issue(['tls', 'fingerprint'], 'tls.ca and tls.fingerprint are exclusive; expected one of them');
  }
  if (o.tls.serverName !== undefined && o.tls.fingerprint !== undefined) {
    issue(['tls', 'serverName'], 'tls.serverName applies to tls.ca or the system CAs, not to a pinned fingerprint');
  }
  const urls = o.url !== undefined ? [o.url] : Object.values(o.bmcs ?? {});
  const plain = urls.some((u) => u.startsWith('http:'));
  if (plain && (o.tls.ca !== undefined || o.tls.fingerprint !== undefined || o.tls.serverName !== undefined)) {
    issue(['tls'], 'tls applies to https:// BMCs; expected https:// URLs, or no tls options');
  }
  if (plain && (o.auth === 'session' || o.auth === 'basic')) {
    issue(
      ['auth'],
      `auth ${o.auth} over http:// would send the password in clear; expected https:// (a loopback test bed: auth none)`,
    );
  }
});

export type RedfishOptions = z.infer<typeof redfishOptions>;
export type RedfishOptionsInput = z.input<typeof redfishOptions>;

/** The name a single `url` BMC goes by in messages and addresses. */
export const DEFAULT_BMC = 'bmc';

/** BMC name → base URL (ending in /), in config order. */
export function bmcsOf(o: RedfishOptions): Map<string, URL> {
  const entries: Array<[string, string]> = o.url !== undefined ? [[DEFAULT_BMC, o.url]] : Object.entries(o.bmcs ?? {});
  return new Map(entries.map(([name, u]) => [name, new URL(new URL(u).origin + '/')]));
}
