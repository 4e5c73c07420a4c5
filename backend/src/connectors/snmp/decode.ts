/**
 * Variable bindings → values (pure). SNMP's own "no value" answers (noSuchObject, noSuchInstance, endOfMibView)
 * and the profile's invalid values become bad samples with a `rawStatus`; see SNMP_STATUS.
 */
import type { SampleValue, ValueType } from '@plenum/model';
import type { ObjectDef } from './profiles';

/** `rawStatus` of snmp samples (README "Errors and quality"). 1–18 are the agent's own error-status. */
export const SNMP_STATUS = {
  good: 0,
  /** the agent's error-status (v2c/v3 PDU): 1 tooBig, 2 noSuchName, 5 genErr, 6 noAccess, 16 authorizationError … */
  noSuchObject: 0x80,
  noSuchInstance: 0x81,
  endOfMibView: 0x82,
  /** no answer within timeoutMs after every retry (agent down, wrong community — agents drop those silently —,
   * a firewall), or the request was not sent because the agent had just timed out in this poll */
  timeout: 0x100,
  /** the profile lists the raw value as "no reading" (-1: probe not installed) */
  invalid: 0x101,
  /** the value's SNMP type does not fit the object (text where a number was expected) */
  wrongType: 0x102,
  /** an answer the client rejected: malformed, wrong request id or version, a table walk that went backwards */
  malformed: 0x103,
  /** SNMPv3 USM refused the request: unknown user, wrong digest (password), decryption error, time window */
  security: 0x104,
  /** a value is a number of a decimal digits object missing or out of range (Raritan) */
  noDigits: 0x105,
} as const;

/** SNMP ObjectType codes (RFC 3416 / SMIv2 application types). */
export const TYPE = {
  Boolean: 1,
  Integer: 2,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter: 65,
  Gauge: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;

export const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(TYPE).map(([k, v]) => [v, k]),
);

export interface Varbind {
  oid: string;
  type: number;
  value: unknown;
}

export interface Decoded {
  value: SampleValue;
  quality: 'good' | 'uncertain' | 'bad';
  rawStatus?: number;
  /** why it is not good */
  problem?: string;
}

/** A Counter64 from net-snmp: the BER content octets, big-endian, maybe with a leading 0. Exact up to 2^53. */
export function counter64(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (!Buffer.isBuffer(value)) return Number.NaN;
  let n = 0n;
  for (const b of value) n = (n << 8n) | BigInt(b);
  return Number(n);
}

/** An OCTET STRING as text when it is printable UTF-8 (trailing NULs and spaces dropped), else hex `54:ee:75:…`. */
export function octets(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Buffer.isBuffer(value)) return String(value);
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0 || value[end - 1] === 0x20 || value[end - 1] === 0x0a)) end--;
  const body = value.subarray(0, end);
  // control bytes other than tab, LF and CR mean binary (a MAC address, a key): shown as hex
  const binary = body.some((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f);
  const text = body.toString('utf8');
  if (!binary && !text.includes('\uFFFD')) return text;
  return [...value].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const NUMERIC: ReadonlySet<number> = new Set([TYPE.Integer, TYPE.Counter, TYPE.Gauge, TYPE.TimeTicks, TYPE.Counter64]);
const TEXT: ReadonlySet<number> = new Set([TYPE.OctetString, TYPE.OID, TYPE.IpAddress, TYPE.Opaque]);

/** raw × scale without float noise for the usual tenths and hundredths (19516 × 0.1 = 1951.6, not …0001). */
export function applyScale(raw: number, scale: number): number {
  if (scale === 1) return raw;
  const inv = 1 / scale;
  const r = Math.round(inv);
  if (r !== 0 && Math.abs(inv - r) < 1e-9 * Math.abs(inv)) return raw / r;
  return raw * scale;
}

function neutral(t: ValueType): SampleValue {
  return t === 'number' ? 0 : t === 'boolean' ? false : '';
}

export function bad(valueType: ValueType, rawStatus: number, problem: string): Decoded {
  return { value: neutral(valueType), quality: 'bad', rawStatus, problem };
}

/**
 * Decodes one varbind for a point: `def` says how, `scale` is the address's extra factor, `digits` the decimal
 * digits read beside it (Raritan), `valueType` the point's type.
 */
export function decodeVarbind(vb: Varbind, def: ObjectDef, valueType: ValueType, scale = 1, digits?: number): Decoded {
  if (vb.type === TYPE.NoSuchObject) return bad(valueType, SNMP_STATUS.noSuchObject, `noSuchObject at ${vb.oid}`);
  if (vb.type === TYPE.NoSuchInstance) return bad(valueType, SNMP_STATUS.noSuchInstance, `noSuchInstance at ${vb.oid}`);
  if (vb.type === TYPE.EndOfMibView) return bad(valueType, SNMP_STATUS.endOfMibView, `endOfMibView at ${vb.oid}`);
  const typeName = TYPE_NAMES[vb.type] ?? `type ${vb.type}`;
  const at = def.name === vb.oid ? vb.oid : `${def.name} at ${vb.oid}`;
  if (NUMERIC.has(vb.type)) {
    const raw = vb.type === TYPE.Counter64 ? counter64(vb.value) : Number(vb.value);
    if (!Number.isFinite(raw))
      return bad(valueType, SNMP_STATUS.malformed, `${typeName} ${String(vb.value)} at ${vb.oid} is not a number`);
    if (def.invalid.has(raw)) {
      return bad(valueType, SNMP_STATUS.invalid, `${at} reads ${raw}, which the profile marks as no reading`);
    }
    if (def.type === 'enum') {
      if (valueType === 'number') return { value: raw, quality: 'good' };
      const state = def.enum?.get(raw);
      if (state === undefined) {
        return {
          value: `unknown(${raw})`,
          quality: 'uncertain',
          problem: `${at}: ${raw} is not in the profile's enum`,
        };
      }
      return { value: state, quality: 'good' };
    }
    if (def.type === 'string' || valueType === 'string') return { value: String(raw), quality: 'good' };
    let v = applyScale(raw, def.scale);
    if (def.digits !== undefined) {
      if (digits === undefined || !Number.isInteger(digits) || digits < 0 || digits > 9) {
        return bad(valueType, SNMP_STATUS.noDigits, `${at}: no decimal digits (${String(digits)}) to scale it by`);
      }
      v = applyScale(v, 10 ** -digits);
    }
    if (scale !== 1) v = applyScale(v, scale);
    return { value: v, quality: 'good' };
  }
  if (TEXT.has(vb.type)) {
    const text = vb.type === TYPE.OctetString || vb.type === TYPE.Opaque ? octets(vb.value) : String(vb.value);
    if (valueType === 'string') return { value: text, quality: 'good' };
    return bad(valueType, SNMP_STATUS.wrongType, `${at} is ${typeName} "${text}", not a number`);
  }
  if (vb.type === TYPE.Boolean && valueType === 'string') return { value: String(vb.value), quality: 'good' };
  return bad(valueType, SNMP_STATUS.wrongType, `${at} is ${typeName}, which a ${valueType} point cannot take`);
}
