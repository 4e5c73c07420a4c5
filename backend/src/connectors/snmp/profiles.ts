/**
 * Profiles: MIB objects by name, as data files (`profiles/<name>.yaml`), the way the Modbus register maps are
 * documented. A profile names scalars (`oid` with its `.0`) and tables (`entry` OID; each column by number), each
 * object with its type, scale or decimal digits, enum and invalid values, and the unit the scaled value is in.
 * Point addresses name them as `object=<profile>:<scalar>` or `object=<profile>:<table>.<column>` (address.ts).
 *
 * Loading reads the shipped files synchronously (and the source's `profileFiles`), like the config file: no
 * network, no sockets. Errors name the file and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import { PlenumError } from '../../common/errors';

/** A dotted numeric OID without a leading dot: `1.3.6.1.2.1.1.5.0`. */
export const OID_PATTERN = /^\d+(\.\d+)+$/;

const oid = (field: string) =>
  z
    .string({ error: `${field}: expected a numeric OID such as 1.3.6.1.2.1.1.5.0` })
    .transform((s) => s.replace(/^\./, ''))
    .refine((s) => OID_PATTERN.test(s), `${field}: expected a numeric OID such as 1.3.6.1.2.1.1.5.0`);

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The SMIv2 syntaxes a SET of a number can carry (RFC 2578): Integer32 (INTEGER, tag 2), Unsigned32 and Gauge32
 * (one application type, tag 0x42), TimeTicks (0x43, hundredths of a second). Counters are never writable.
 */
export const SET_SYNTAXES = ['Integer32', 'Unsigned32', 'Gauge32', 'TimeTicks'] as const;
export type SetSyntax = (typeof SET_SYNTAXES)[number];

/** What an object delivers: `number` (scaled), `string` (text), `enum` (the state's name from `enum`). */
const objectFields = {
  /** @default enum when `enum` is given, else number */
  type: z.enum(['number', 'string', 'enum'], { error: 'type: expected number, string or enum' }).optional(),
  /** raw × scale, @default 1 */
  scale: z.number({ error: 'scale: expected a number' }).optional(),
  /** the raw integer is divided by 10^digits, with digits read from this object at the same index (Raritan) */
  digits: z
    .object(
      { entry: oid('digits.entry'), column: z.number().int().positive() },
      { error: 'digits: expected {entry, column}' },
    )
    .strict()
    .optional(),
  /** code → state name; values not listed deliver `unknown(<code>)` with quality uncertain */
  enum: z.record(z.string().regex(/^-?\d+$/, 'enum: keys must be integers'), z.string()).optional(),
  /** raw values meaning "no reading" (a probe not installed: -1): bad quality */
  invalid: z.array(z.number()).optional(),
  /** the unit of the scaled value (a Plenum source unit); a point reading it must declare the same unit */
  unit: z.string().optional(),
  /** the MIB's MAX-ACCESS as far as SET goes: `read-only` (counters, gauges, TimeTicks, status) makes a writable
   * point on it an init error; @default unknown: the agent's answer decides (notWritable, noAccess…) */
  access: z.enum(['read-only', 'read-write'], { error: 'access: expected read-only or read-write' }).optional(),
  /** the MIB's SYNTAX as far as SET goes: what a number is sent as; @default Integer32 */
  syntax: z.enum(SET_SYNTAXES, { error: `syntax: expected ${SET_SYNTAXES.join(', ')}` }).optional(),
  description: z.string().optional(),
};

/** `syntax` says how a number is sent: an enum is an INTEGER and text an OCTET STRING whatever it says */
const syntaxOnNumbers = (o: { syntax?: SetSyntax; type?: string; enum?: unknown }) =>
  o.syntax === undefined || (o.type ?? (o.enum ? 'enum' : 'number')) === 'number';
const SYNTAX_ON_NUMBERS = {
  message: 'syntax: applies to numbers only (an enum is sent as Integer32, text as OctetString)',
  path: ['syntax'],
};

const scalarSchema = z
  .object({ oid: oid('oid'), ...objectFields })
  .strict()
  .refine(syntaxOnNumbers, SYNTAX_ON_NUMBERS);
const columnSchema = z
  .object({
    column: z.number({ error: 'column: expected a column number' }).int().positive(),
    /** index parts always appended after the point's index (Raritan's sensor type) */
    suffix: z
      .union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)*$/)])
      .transform(String)
      .optional(),
    ...objectFields,
  })
  .strict()
  .refine(syntaxOnNumbers, SYNTAX_ON_NUMBERS);

const tableSchema = z
  .object({
    /** the table's Entry OID (columns are `<entry>.<column>.<index>`) */
    entry: oid('entry'),
    /** the column whose value names a row, for `row=<label>` in addresses */
    label: z.number().int().positive().optional(),
    columns: z.record(z.string().regex(NAME, 'column names: letters, digits, "_" and "-"'), columnSchema),
    description: z.string().optional(),
  })
  .strict();

export const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'name: expected lower-case letters, digits and "-"'),
    mib: z.string(),
    description: z.string(),
    scalars: z.record(z.string().regex(NAME, 'scalar names: letters, digits, "_" and "-"'), scalarSchema).default({}),
    tables: z.record(z.string().regex(NAME, 'table names: letters, digits, "_" and "-"'), tableSchema).default({}),
    /** notification (trap) OIDs → name and event severity, for traps and informs received */
    notifications: z
      .record(
        z.string().regex(OID_PATTERN, 'notifications: keys must be numeric OIDs'),
        z
          .object({
            name: z.string().regex(NAME, 'name: letters, digits, "_" and "-"'),
            severity: z.enum(['info', 'warning', 'critical'], {
              error: 'severity: expected info, warning or critical',
            }),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;

/** One object a point reads, resolved from a profile or a raw `oid=` address. */
export interface ObjectDef {
  /** `apc-rpdu2:phase.current`, or the raw OID */
  name: string;
  type: 'number' | 'string' | 'enum' | 'auto';
  scale: number;
  digits?: { entry: string; column: number };
  enum?: ReadonlyMap<number, string>;
  invalid: ReadonlySet<number>;
  unit?: string;
  /** the profile's `access`, when it gives one */
  access?: 'read-only' | 'read-write';
  /** what a SET of a number is sent as (the profile's `syntax` or the address's `syntax=`), @default Integer32 */
  syntax?: SetSyntax;
  /** a scalar or raw OID: read as is */
  oid?: string;
  /** a table column: `<entry>.<column>`, the row's index follows */
  table?: { name: string; entry: string; column: number; label?: number; suffix?: string };
}

/** The profiles shipped beside this file. */
export const PROFILES_DIR = path.join(__dirname, 'profiles');

/** Reads and validates one profile file; throws a config error naming the file and the fields. */
export function readProfile(file: string): Profile {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PlenumError('config', `SNMP profile ${file}: ${(e as Error).message}`);
  }
  const r = profileSchema.safeParse(raw);
  if (!r.success) {
    throw new PlenumError('config', `SNMP profile ${file}: ${formatIssues(r.error.issues, []).join('; ')}`);
  }
  return r.data;
}

/** Every profile: the shipped ones, then `extraFiles` (a later one with the same name replaces the earlier). */
export function loadProfiles(extraFiles: readonly string[] = []): Map<string, Profile> {
  const files = fs
    .readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(PROFILES_DIR, f));
  const out = new Map<string, Profile>();
  for (const f of [...files, ...extraFiles]) {
    const p = readProfile(f);
    out.set(p.name, p);
  }
  return out;
}

function defOf(
  name: string,
  o: z.infer<typeof scalarSchema> | z.infer<typeof columnSchema>,
): Omit<ObjectDef, 'oid' | 'table'> {
  const en = o.enum ? new Map(Object.entries(o.enum).map(([k, v]) => [Number(k), v])) : undefined;
  return {
    name,
    type: o.type ?? (en ? 'enum' : 'number'),
    scale: o.scale ?? 1,
    ...(o.digits ? { digits: o.digits } : {}),
    ...(en ? { enum: en } : {}),
    invalid: new Set(o.invalid ?? []),
    ...(o.unit !== undefined ? { unit: o.unit } : {}),
    ...(o.access !== undefined ? { access: o.access } : {}),
    ...(o.syntax !== undefined ? { syntax: o.syntax } : {}),
  };
}

/**
 * Resolves `<profile>:<scalar>` or `<profile>:<table>.<column>`; an error string says what exists instead.
 */
export function resolveObject(profiles: ReadonlyMap<string, Profile>, ref: string): ObjectDef | string {
  const m = /^([a-z0-9][a-z0-9-]*):([A-Za-z][A-Za-z0-9_-]*)(?:\.([A-Za-z][A-Za-z0-9_-]*))?$/.exec(ref);
  if (!m) return `object "${ref}": expected <profile>:<scalar> or <profile>:<table>.<column>`;
  const [, pName, first, second] = m as unknown as [string, string, string, string | undefined];
  const p = profiles.get(pName);
  if (!p) return `object "${ref}": unknown profile "${pName}"; expected one of ${[...profiles.keys()].join(', ')}`;
  if (second === undefined) {
    const s = p.scalars[first];
    if (!s) {
      const tables = Object.keys(p.tables);
      return `object "${ref}": profile ${pName} has no scalar "${first}"; expected one of ${Object.keys(p.scalars).join(', ') || '(none)'}${tables.includes(first) ? ` (or a column of table ${first}: ${first}.<column>)` : ''}`;
    }
    return { ...defOf(ref, s), oid: s.oid };
  }
  const t = p.tables[first];
  if (!t)
    return `object "${ref}": profile ${pName} has no table "${first}"; expected one of ${Object.keys(p.tables).join(', ') || '(none)'}`;
  const c = t.columns[second];
  if (!c)
    return `object "${ref}": table ${pName}:${first} has no column "${second}"; expected one of ${Object.keys(t.columns).join(', ')}`;
  return {
    ...defOf(ref, c),
    table: {
      name: `${pName}:${first}`,
      entry: t.entry,
      column: c.column,
      ...(t.label !== undefined ? { label: t.label } : {}),
      ...(c.suffix !== undefined ? { suffix: c.suffix } : {}),
    },
  };
}
