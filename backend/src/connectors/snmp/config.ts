import { z } from 'zod';
import { ms, strict, uniqueNames, wholeNumber } from '../common/options';
import { SLUG_PATTERN } from '../../config/schema';

export const VERSIONS = ['2c', '3'] as const;
export type SnmpVersion = (typeof VERSIONS)[number];

/** USM security levels (RFC 3414). */
export const SECURITY_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const;
/** USM authentication: HMAC-MD5-96 and HMAC-SHA-96 (RFC 3414), the SHA-2 family (RFC 7860). */
export const AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
/** USM privacy: DES (RFC 3414), AES-128 CFB (RFC 3826), AES-256 with Blumenthal or Reeder key extension. */
export const PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;

/** Every default of the options, beside the schema. */
export const SNMP_DEFAULTS = {
  port: 161,
  version: '2c',
  community: 'public',
  timeoutMs: 1000,
  retries: 1,
  maxRepetitions: 10,
  maxVarbinds: 32,
  concurrency: 4,
  trapPort: 162,
  trapHost: '0.0.0.0',
} as const;

const enumOf = <T extends readonly [string, ...string[]]>(field: string, values: T) =>
  z.enum(values, { error: `${field}: expected one of ${values.join(', ')}` });

/** RFC 3414 §11.2: passphrases shorter than 8 characters are refused by conforming agents. */
const passphrase = (field: string) =>
  z
    .string({ error: `${field}: expected a passphrase of at least 8 characters` })
    .min(8, `${field}: expected a passphrase of at least 8 characters (RFC 3414)`);

export const snmpUser = strict({
  name: z.string({ error: 'name: expected the USM user name' }).min(1, 'name: expected the USM user name'),
  level: enumOf('level', SECURITY_LEVELS).default('authPriv').describe('USM security level, @default authPriv'),
  authProtocol: enumOf('authProtocol', AUTH_PROTOCOLS)
    .default('sha256')
    .describe('authentication protocol, @default sha256'),
  authKey: passphrase('authKey').optional().describe('authentication passphrase (from the environment: ${SNMP_AUTH})'),
  privProtocol: enumOf('privProtocol', PRIV_PROTOCOLS)
    .default('aes')
    .describe('privacy protocol, @default aes (AES-128)'),
  privKey: passphrase('privKey').optional().describe('privacy passphrase'),
}).superRefine((u, ctx) => {
  if (u.level !== 'noAuthNoPriv' && u.authKey === undefined) {
    ctx.addIssue({ code: 'custom', path: ['authKey'], message: `authKey is required with level ${u.level}` });
  }
  if (u.level === 'authPriv' && u.privKey === undefined) {
    ctx.addIssue({ code: 'custom', path: ['privKey'], message: 'privKey is required with level authPriv' });
  }
});

/** One SNMP agent (a PDU's or UPS's network card, a sensor hub): its address, credentials and pacing. */
export const snmpAgent = strict({
  name: z
    .string({ error: 'name: expected an agent name' })
    .regex(SLUG_PATTERN, 'name: expected a slug: letters, digits, "_", "." and "-", not starting with "." or "-"')
    .describe('agent name, used in point addresses as `agent=<name>` and in messages'),
  host: z
    .string({ error: 'host: expected a host name or IP address' })
    .min(1, 'host: expected a host name or IP address'),
  port: wholeNumber('port', 1, 65535, 'a UDP port 1–65535')
    .default(SNMP_DEFAULTS.port)
    .describe('UDP port, @default 161'),
  version: enumOf('version', VERSIONS).default(SNMP_DEFAULTS.version).describe('`2c` or `3`, @default 2c'),
  community: z
    .string({ error: 'community: expected a community string' })
    .min(1, 'community: expected a community string')
    .optional()
    .describe('v2c community, @default public; never logged'),
  writeCommunity: z
    .string({ error: 'writeCommunity: expected a community string' })
    .min(1, 'writeCommunity: expected a community string')
    .optional()
    .describe('v2c community of SETs (writable points), @default the community; never logged'),
  user: snmpUser.optional().describe('v3 USM user (required with version 3)'),
  context: z.string({ error: 'context: expected a context name' }).optional().describe('v3 context name, @default ""'),
  timeoutMs: ms('timeoutMs', 1, 60_000)
    .optional()
    .describe('answer timeout per request, @default the source timeoutMs'),
  retries: wholeNumber('retries', 0, 10, 'a whole number of retries 0–10')
    .optional()
    .describe('repeats after a timeout, @default the source retries'),
  maxRepetitions: wholeNumber('maxRepetitions', 1, 100, 'a whole number 1–100')
    .optional()
    .describe('GETBULK max-repetitions, @default the source maxRepetitions'),
  maxVarbinds: wholeNumber('maxVarbinds', 1, 200, 'a whole number 1–200')
    .optional()
    .describe('most variable bindings in one request, @default the source maxVarbinds'),
}).superRefine((a, ctx) => {
  if (a.version === '3' && a.user === undefined) {
    ctx.addIssue({ code: 'custom', path: ['user'], message: `user is required with version 3 (agent "${a.name}")` });
  }
  if (a.version === '3' && (a.community !== undefined || a.writeCommunity !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [a.community !== undefined ? 'community' : 'writeCommunity'],
      message: `community and writeCommunity apply to version 2c only; expected user with version 3 (agent "${a.name}")`,
    });
  }
  if (a.version === '2c' && (a.user !== undefined || a.context !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [a.user !== undefined ? 'user' : 'context'],
      message: `user and context apply to version 3 only; expected community with version 2c (agent "${a.name}")`,
    });
  }
});

export type SnmpAgent = z.infer<typeof snmpAgent>;
export type SnmpUser = z.infer<typeof snmpUser>;

export const snmpTraps = strict({
  port: wholeNumber('port', 1, 65535, 'a UDP port 1–65535').default(SNMP_DEFAULTS.trapPort).describe('@default 162'),
  host: z.string().min(1).default(SNMP_DEFAULTS.trapHost).describe('listen address, @default 0.0.0.0'),
  communities: z
    .array(z.string().min(1))
    .default([])
    .describe('v2c communities accepted; @default the agents’ communities'),
  users: z
    .array(snmpUser, { error: 'users: expected a list of USM users {name, level, authKey, …}' })
    .default([])
    .describe('SNMPv3 USM users whose traps and informs are accepted; @default the v3 agents’ users'),
  // the receiver finds a v3 notification's user by name: two users of one name would make the keys ambiguous
}).superRefine((t, ctx) => uniqueNames(ctx, t.users, ['users'], 'user', 'traps.users'));

/** Options of an `snmp` source: the agents it polls, the defaults they share, an optional trap listener. */
export const snmpOptions = strict({
  agents: z
    .array(snmpAgent, { error: 'agents: expected a list of {name, host, …}' })
    .min(1, 'agents: expected at least one agent'),
  timeoutMs: ms('timeoutMs', 1, 60_000)
    .default(SNMP_DEFAULTS.timeoutMs)
    .describe('answer timeout per request, ms, @default 1000'),
  retries: wholeNumber('retries', 0, 10, 'a whole number of retries 0–10')
    .default(SNMP_DEFAULTS.retries)
    .describe('repeats of a request after a timeout, @default 1'),
  maxRepetitions: wholeNumber('maxRepetitions', 1, 100, 'a whole number 1–100')
    .default(SNMP_DEFAULTS.maxRepetitions)
    .describe('GETBULK max-repetitions (rows per column per request), @default 10'),
  maxVarbinds: wholeNumber('maxVarbinds', 1, 200, 'a whole number 1–200')
    .default(SNMP_DEFAULTS.maxVarbinds)
    .describe('most variable bindings in one GET, and columns × repetitions in one GETBULK, @default 32'),
  concurrency: wholeNumber('concurrency', 1, 64, 'a whole number 1–64')
    .default(SNMP_DEFAULTS.concurrency)
    .describe('agents polled at the same time (each agent gets one request at a time), @default 4'),
  profileFiles: z
    .array(z.string().min(1), { error: 'profileFiles: expected a list of profile file paths' })
    .default([])
    .describe('site profiles (YAML, same form as the shipped ones), read at init, @default []'),
  traps: snmpTraps
    .optional()
    .describe('receive traps and informs from the agents as events (README "Traps and informs")'),
}).superRefine((o, ctx) => uniqueNames(ctx, o.agents, ['agents'], 'agent'));

export type SnmpOptions = z.infer<typeof snmpOptions>;
export type SnmpOptionsInput = z.input<typeof snmpOptions>;

/** An agent with the source's defaults filled in. */
export interface ResolvedAgent extends SnmpAgent {
  timeoutMs: number;
  retries: number;
  maxRepetitions: number;
  maxVarbinds: number;
}

export function resolveAgent(o: SnmpOptions, a: SnmpAgent): ResolvedAgent {
  return {
    ...a,
    timeoutMs: a.timeoutMs ?? o.timeoutMs,
    retries: a.retries ?? o.retries,
    maxRepetitions: a.maxRepetitions ?? o.maxRepetitions,
    maxVarbinds: a.maxVarbinds ?? o.maxVarbinds,
  };
}

/** `udp 10.20.0.31:161 v2c` — where an agent is, never its credentials. */
export function agentTarget(a: SnmpAgent): string {
  return `${a.host}:${a.port} v${a.version}${a.version === '3' && a.user ? ` user ${a.user.name}` : ''}`;
}
