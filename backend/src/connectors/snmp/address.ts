/**
 * Point addresses of the snmp connector (pure): `;`-separated parts, in any order, spaces allowed.
 *
 * ```
 * agent=pdu-a;object=apc-rpdu2:phase.current;index=1
 * agent=pdu-a;object=apc-rpdu2:outletMetered.power;row={asset}     the outlet whose name is the asset's id
 * agent=ups;object=ups-mib:batteryStatus
 * agent=pdu-a;oid=1.3.6.1.2.1.4.31.1.1.6.1;scale=0.001
 * agent=crah;oid=1.3.6.1.4.1.99999.2.0;syntax=Gauge32                  a SET sends it as a Gauge32
 * ```
 */
import type { ValueType } from '@plenum/model';
import { OID_PATTERN, resolveObject, SET_SYNTAXES, type ObjectDef, type Profile } from './profiles';

export interface SnmpAddress {
  agent: string;
  def: ObjectDef;
  /** the row's index (`1`, `1.1`), for table columns */
  index?: string;
  /** the row's label (the table's label column), for table columns */
  row?: string;
  /** extra factor after the object's own scale, @default 1 */
  scale: number;
}

const INDEX_PATTERN = /^\d+(\.\d+)*$/;
const KEYS = ['agent', 'object', 'oid', 'index', 'row', 'scale', 'syntax'] as const;

/** Parses one address; `defaultAgent` is used when the source has a single agent and the address names none. */
export function parseAddress(
  text: string,
  profiles: ReadonlyMap<string, Profile>,
  agents: readonly string[],
): { ok: true; address: SnmpAddress } | { ok: false; error: string } {
  const fail = (error: string) => ({ ok: false as const, error });
  const parts = new Map<string, string>();
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) return fail(`part "${part}" is not key=value; expected ${KEYS.map((k) => `${k}=`).join(', ')}`);
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (!(KEYS as readonly string[]).includes(key)) {
      return fail(`unknown part "${key}"; expected ${KEYS.map((k) => `${k}=`).join(', ')}`);
    }
    if (parts.has(key)) return fail(`"${key}=" given twice`);
    parts.set(key, value);
  }
  let agent = parts.get('agent');
  if (agent === undefined) {
    if (agents.length !== 1) return fail(`no agent=; expected agent=<name>, one of ${agents.join(', ')}`);
    agent = agents[0] as string;
  } else if (!agents.includes(agent)) {
    return fail(`unknown agent "${agent}"; expected one of ${agents.join(', ')}`);
  }
  const object = parts.get('object');
  const oid = parts.get('oid');
  if ((object === undefined) === (oid === undefined)) {
    return fail('expected exactly one of object=<profile>:<name> and oid=<numeric OID>');
  }
  let def: ObjectDef;
  if (oid !== undefined) {
    const o = oid.replace(/^\./, '');
    if (!OID_PATTERN.test(o)) return fail(`oid "${oid}": expected a numeric OID such as 1.3.6.1.2.1.1.5.0`);
    def = { name: o, type: 'auto', scale: 1, invalid: new Set(), oid: o };
  } else {
    const r = resolveObject(profiles, object as string);
    if (typeof r === 'string') return fail(r);
    def = r;
  }
  let scale = 1;
  const scaleText = parts.get('scale');
  if (scaleText !== undefined) {
    scale = Number(scaleText);
    if (scaleText === '' || !Number.isFinite(scale) || scale === 0) {
      return fail(`scale "${scaleText}": expected a finite non-zero number`);
    }
    if (def.type === 'string' || def.type === 'enum')
      return fail(`scale= applies to numbers; ${def.name} is a ${def.type}`);
  }
  const syntaxText = parts.get('syntax');
  if (syntaxText !== undefined) {
    const syntax = SET_SYNTAXES.find((x) => x.toLowerCase() === syntaxText.toLowerCase());
    if (!syntax) return fail(`syntax "${syntaxText}": expected one of ${SET_SYNTAXES.join(', ')}`);
    if (def.type === 'string' || def.type === 'enum')
      return fail(`syntax= applies to numbers; ${def.name} is a${def.type === 'enum' ? 'n' : ''} ${def.type}`);
    def = { ...def, syntax };
  }
  const index = parts.get('index');
  const row = parts.get('row');
  if (def.table === undefined) {
    if (index !== undefined || row !== undefined) {
      return fail(`${def.name} is a scalar (or a full OID): expected no index= or row=`);
    }
    return { ok: true, address: { agent, def, scale } };
  }
  if ((index === undefined) === (row === undefined)) {
    return fail(`${def.name} is a table column: expected exactly one of index=<n> and row=<label>`);
  }
  if (index !== undefined && !INDEX_PATTERN.test(index)) {
    return fail(`index "${index}": expected a row index such as 3 or 1.2`);
  }
  if (row !== undefined) {
    if (row === '') return fail('row=: expected the row’s label');
    if (def.table.label === undefined) return fail(`table ${def.table.name} has no label column: expected index=<n>`);
    if (def.table.suffix !== undefined) return fail(`${def.name} is read by index: expected index=<n>`);
  }
  return {
    ok: true,
    address: { agent, def, scale, ...(index !== undefined ? { index } : {}), ...(row !== undefined ? { row } : {}) },
  };
}

/**
 * What an address delivers for a point of `valueType`, or an error: numbers (scaled) for number points; enums
 * deliver the state's name to string points and the raw code to number points; text to string points.
 */
export function checkValueType(a: SnmpAddress, valueType: ValueType): string | undefined {
  const t = a.def.type;
  if (valueType === 'boolean') {
    return `${a.def.name} cannot deliver booleans; expected valueType number${t === 'enum' ? ' (the code) or string (the state)' : t === 'string' ? ' or string' : ''}`;
  }
  if (t === 'number' && valueType !== 'number') return `${a.def.name} is a number; expected valueType: number`;
  if (t === 'string' && valueType !== 'string') return `${a.def.name} is text; expected valueType: string`;
  return undefined;
}

/** The OIDs a table point reads: its column at its index (+ suffix), and its digits object at the same index. */
export function cellOid(entry: string, column: number, index: string, suffix?: string): string {
  return `${entry}.${column}.${index}${suffix !== undefined ? `.${suffix}` : ''}`;
}
