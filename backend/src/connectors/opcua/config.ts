/**
 * Options of an `opcua` source: one server endpoint, one session. Validated here (zod, strict), defaults beside
 * the schema in `OPCUA_DEFAULTS`; README.md has the table.
 */
import { z } from 'zod';
import { ms, strict, wholeNumber } from '../common/options';

/** `auto`: the most secure mode the server offers (SignAndEncrypt, else Sign, else None), chosen at each connect */
export const SECURITY_MODES = ['auto', 'None', 'Sign', 'SignAndEncrypt'] as const;
export type SecurityModeName = (typeof SECURITY_MODES)[number];
/** what goes on the wire */
export type WireSecurityMode = Exclude<SecurityModeName, 'auto'>;

/**
 * Security policies the connector offers. Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss are the
 * current ones. Basic256 and Basic128Rsa15 are deprecated by the OPC Foundation; Basic128Rsa15 encrypts with RSA
 * PKCS#1 v1.5, which Node 20 refuses unless started with `--security-revert=CVE-2023-46809` (do not).
 */
export const SECURITY_POLICIES = [
  'None',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
  'Basic256',
  'Basic128Rsa15',
] as const;
export type SecurityPolicyName = (typeof SECURITY_POLICIES)[number];

/** What `auto` picks from, best first: the current policies, strongest first; never a deprecated one. */
export const AUTO_POLICIES: readonly SecurityPolicyName[] = [
  'Aes256_Sha256_RsaPss',
  'Aes128_Sha256_RsaOaep',
  'Basic256Sha256',
];

export const MODES = ['subscribe', 'poll'] as const;
export const DEADBAND_TYPES = ['none', 'absolute', 'percent'] as const;
export type DeadbandType = (typeof DEADBAND_TYPES)[number];

/** The OPC UA limit this connector never exceeds in one CreateMonitoredItems or Read call. */
export const MAX_ITEMS_PER_CALL = 1000;

/** Every default of the options, beside the schema. */
export const OPCUA_DEFAULTS = {
  securityMode: 'auto',
  /** when securityMode is Sign or SignAndEncrypt and no policy is named */
  securePolicy: 'Basic256Sha256',
  auth: { type: 'anonymous' },
  /** relative to the working directory (see README "PKI") */
  pkiDir: 'data/pki/opcua',
  mode: 'subscribe',
  queueSize: 10,
  deadband: { type: 'none', value: 0 },
  maxItemsPerCall: MAX_ITEMS_PER_CALL,
  maxItemsPerSubscription: 5000,
  keepAliveMs: 5000,
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  reconnect: { initialDelayMs: 1000, maxDelayMs: 30_000, rebuildAfterMs: 60_000 },
} as const;

const text = (field: string, what: string) =>
  z.string({ error: `${field}: expected ${what}` }).min(1, `${field}: expected ${what}`);

const AUTH_TYPES = ['anonymous', 'username', 'certificate'] as const;

/** User authentication of the session. Passwords come from the config (use `${ENV_VAR}` there); never logged. */
export const opcuaAuth = z.discriminatedUnion(
  'type',
  [
    strict({ type: z.literal('anonymous') }),
    strict({
      type: z.literal('username'),
      username: text('auth.username', 'a user name'),
      password: z.string({ error: 'auth.password: expected a password (write ${ENV_VAR} to keep it out of the file)' }),
    }),
    strict({
      type: z.literal('certificate'),
      certificateFile: text('auth.certificateFile', 'the user certificate file (PEM or DER)'),
      privateKeyFile: text('auth.privateKeyFile', "the user certificate's private key file (PEM)"),
    }),
  ],
  { error: `auth.type: expected one of ${AUTH_TYPES.join(', ')}` },
);
export type OpcUaAuth = z.infer<typeof opcuaAuth>;

export const opcuaDeadband = strict({
  type: z
    .enum(DEADBAND_TYPES, { error: `deadband.type: expected one of ${DEADBAND_TYPES.join(', ')}` })
    .describe(
      '`absolute`: report a change larger than `value` in the point’s source unit; `percent`: larger than `value` % of the node’s EURange (AnalogItemType nodes only)',
    ),
  value: z
    .number({ error: 'deadband.value: expected a number ≥ 0' })
    .min(0, 'deadband.value cannot be negative; expected a number ≥ 0')
    .default(0)
    .describe('absolute: source unit; percent: 0–100; @default 0'),
});

export const opcuaReconnect = strict({
  initialDelayMs: ms('reconnect.initialDelayMs', 10, 600_000)
    .default(OPCUA_DEFAULTS.reconnect.initialDelayMs)
    .describe('first delay before a reconnection attempt, ms, doubling after each failure; @default 1000'),
  maxDelayMs: ms('reconnect.maxDelayMs', 10, 3_600_000)
    .default(OPCUA_DEFAULTS.reconnect.maxDelayMs)
    .describe('longest delay between reconnection attempts, ms; @default 30000'),
  rebuildAfterMs: ms('reconnect.rebuildAfterMs', 1000, 3_600_000)
    .default(OPCUA_DEFAULTS.reconnect.rebuildAfterMs)
    .describe(
      'how long node-opcua’s own reconnection may try before the connector drops the client and rebuilds client, session and subscriptions, ms; @default 60000',
    ),
});

/** Options of an `opcua` source. */
export const opcuaOptions = strict({
  endpoint: z
    .string({ error: 'endpoint: expected an endpoint URL such as opc.tcp://10.20.0.5:4840' })
    .regex(
      /^opc\.tcp:\/\/[^\s/:]+(:\d{1,5})?(\/\S*)?$/,
      'endpoint: expected an endpoint URL such as opc.tcp://10.20.0.5:4840',
    )
    .describe('server endpoint URL, opc.tcp://host:port[/path]'),
  securityMode: z
    .enum(SECURITY_MODES, { error: `securityMode: expected one of ${SECURITY_MODES.join(', ')}` })
    .default(OPCUA_DEFAULTS.securityMode)
    .describe(
      'message security: auto (SignAndEncrypt where the server offers it, else Sign, else None), None, Sign, SignAndEncrypt; @default auto',
    ),
  securityPolicy: z
    .enum(SECURITY_POLICIES, { error: `securityPolicy: expected one of ${SECURITY_POLICIES.join(', ')}` })
    .optional()
    .describe(
      'None with securityMode None; Basic256Sha256, Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss otherwise (Basic256, Basic128Rsa15: deprecated); with auto, the only policy auto may choose; @default None, Basic256Sha256 when signing, the strongest offered with auto',
    ),
  auth: opcuaAuth
    .default({ type: 'anonymous' })
    .describe(
      '{type: anonymous} | {type: username, username, password} | {type: certificate, certificateFile, privateKeyFile}; @default anonymous',
    ),
  pkiDir: text('pkiDir', 'a folder for the client certificate and the trusted/rejected server certificates')
    .default(OPCUA_DEFAULTS.pkiDir)
    .describe(
      'PKI folder (own/, trusted/, rejected/, issuers/), relative to the working directory; unknown server certificates land in rejected/ until trusted; @default data/pki/opcua',
    ),
  mode: z
    .enum(MODES, { error: `mode: expected one of ${MODES.join(', ')}` })
    .default(OPCUA_DEFAULTS.mode)
    .describe(
      '`subscribe`: monitored items, the server pushes changes; `poll`: batched Read every interval; @default subscribe',
    ),
  publishingIntervalMs: ms('publishingIntervalMs', 10, 3_600_000)
    .optional()
    .describe('subscription publishing interval, ms; @default the source interval'),
  samplingIntervalMs: ms('samplingIntervalMs', 0, 3_600_000)
    .optional()
    .describe(
      'monitored item sampling interval, ms (0: the fastest the server offers); per point `;sampling=<ms>`; @default the publishing interval',
    ),
  queueSize: wholeNumber('queueSize', 1, 10_000, 'a whole number of values 1–10000')
    .default(OPCUA_DEFAULTS.queueSize)
    .describe(
      'values a monitored item keeps between publishes (oldest dropped first); per point `;queue=<n>`; @default 10',
    ),
  deadband: opcuaDeadband
    .default({ type: 'none', value: 0 })
    .describe('data change filter of every monitored item; per point `;deadband=abs:<v>|pct:<v>|none`; @default none'),
  maxItemsPerCall: wholeNumber('maxItemsPerCall', 1, MAX_ITEMS_PER_CALL, `a whole number 1–${MAX_ITEMS_PER_CALL}`)
    .default(OPCUA_DEFAULTS.maxItemsPerCall)
    .describe(
      "most monitored items per CreateMonitoredItems call and nodes per Read; the server's OperationLimits lower it further; @default 1000",
    ),
  maxItemsPerSubscription: wholeNumber('maxItemsPerSubscription', 1, 1_000_000, 'a whole number 1–1000000')
    .default(OPCUA_DEFAULTS.maxItemsPerSubscription)
    .describe(
      "most monitored items per subscription (more points open more subscriptions); the server's MaxMonitoredItemsPerSubscription lowers it; @default 5000",
    ),
  keepAliveMs: ms('keepAliveMs', 100, 600_000)
    .default(OPCUA_DEFAULTS.keepAliveMs)
    .describe(
      'subscription keep-alive period, ms (at least one publishing interval); silent for 1.5 periods: the session is probed; for 3: rebuilt; @default 5000',
    ),
  connectTimeoutMs: ms('connectTimeoutMs', 100, 600_000)
    .default(OPCUA_DEFAULTS.connectTimeoutMs)
    .describe('one connection attempt (secure channel + session), ms; @default 10000'),
  requestTimeoutMs: ms('requestTimeoutMs', 100, 600_000)
    .default(OPCUA_DEFAULTS.requestTimeoutMs)
    .describe('one service call (Read, CreateMonitoredItems, …), ms; @default 10000'),
  reconnect: opcuaReconnect
    .default({ ...OPCUA_DEFAULTS.reconnect })
    .describe('backoff of reconnection attempts and when to rebuild from scratch'),
}).superRefine((o, ctx) => {
  if (o.securityMode === 'None' && o.securityPolicy !== undefined && o.securityPolicy !== 'None') {
    ctx.addIssue({
      code: 'custom',
      path: ['securityPolicy'],
      message: `securityPolicy ${o.securityPolicy} needs securityMode Sign or SignAndEncrypt; expected securityMode: SignAndEncrypt (or securityPolicy: None)`,
    });
  }
  if (o.securityMode !== 'None' && o.securityPolicy === 'None') {
    ctx.addIssue({
      code: 'custom',
      path: ['securityPolicy'],
      message:
        o.securityMode === 'auto'
          ? 'securityPolicy None with securityMode auto: give securityMode None to go without security, or leave securityPolicy out'
          : `securityMode ${o.securityMode} needs a security policy; expected one of ${SECURITY_POLICIES.slice(1, 4).join(', ')}`,
    });
  }
  if (o.deadband.type === 'percent' && o.deadband.value > 100) {
    ctx.addIssue({
      code: 'custom',
      path: ['deadband', 'value'],
      message: 'deadband.value is too large for a percent deadband; expected 0–100 (% of the EURange)',
    });
  }
  if (o.reconnect.maxDelayMs < o.reconnect.initialDelayMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['reconnect', 'maxDelayMs'],
      message: `reconnect.maxDelayMs (${o.reconnect.maxDelayMs}) is below reconnect.initialDelayMs (${o.reconnect.initialDelayMs}); expected maxDelayMs ≥ initialDelayMs`,
    });
  }
});

export type OpcUaOptionsInput = z.input<typeof opcuaOptions>;
export type OpcUaOptions = z.infer<typeof opcuaOptions>;

/** The policy in effect for an explicit mode: the named one, else None without security and Basic256Sha256 with it. */
export function effectivePolicy(o: Pick<OpcUaOptions, 'securityMode' | 'securityPolicy'>): SecurityPolicyName {
  return o.securityPolicy ?? (o.securityMode === 'None' ? 'None' : OPCUA_DEFAULTS.securePolicy);
}

export interface WireSecurity {
  mode: WireSecurityMode;
  policy: SecurityPolicyName;
}

/**
 * What `auto` connects with, from the endpoints the server offers (GetEndpoints): SignAndEncrypt, else Sign, with
 * the strongest current policy (only `securityPolicy` when one is named), else None; undefined when none fits.
 * An explicit mode is taken as given.
 */
export function chooseSecurity(
  o: Pick<OpcUaOptions, 'securityMode' | 'securityPolicy'>,
  offered: readonly WireSecurity[],
): WireSecurity | undefined {
  if (o.securityMode !== 'auto') return { mode: o.securityMode, policy: effectivePolicy(o) };
  const policies = o.securityPolicy ? [o.securityPolicy] : AUTO_POLICIES;
  for (const mode of ['SignAndEncrypt', 'Sign'] as const)
    for (const policy of policies)
      if (offered.some((e) => e.mode === mode && e.policy === policy)) return { mode, policy };
  if (o.securityPolicy === undefined && offered.some((e) => e.mode === 'None')) return { mode: 'None', policy: 'None' };
  return undefined;
}
