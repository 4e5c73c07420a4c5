/**
 * A value to write → the scalar a Variant of a node's built-in DataType carries (pure, no node-opcua import: the
 * ids are fixed by OPC UA Part 6 §5.1.2). Everything that does not fit the type is refused here, before a request
 * is sent: 70000 for an Int16, 2.5 for an integer, NaN, text for a number.
 */
import type { SampleValue } from '@plenum/model';

/** Built-in DataType ids (Part 6) and the abstract ones of namespace 0 the connector resolves (Part 3/5). */
export const DATA_TYPE = {
  Null: 0,
  Boolean: 1,
  SByte: 2,
  Byte: 3,
  Int16: 4,
  UInt16: 5,
  Int32: 6,
  UInt32: 7,
  Int64: 8,
  UInt64: 9,
  Float: 10,
  Double: 11,
  String: 12,
  DateTime: 13,
  LocalizedText: 21,
  /** ns=0;i=24 BaseDataType: any value (the Variant built-in type shares the id) */
  BaseDataType: 24,
  /** the last built-in id; ns=0 ids up to it are built-in types */
  DiagnosticInfo: 25,
  Number: 26,
  Integer: 27,
  UInteger: 28,
  /** enumerations are Int32 on the wire */
  Enumeration: 29,
} as const;

const NAMES: Readonly<Record<number, string>> = {
  0: 'Null',
  1: 'Boolean',
  2: 'SByte',
  3: 'Byte',
  4: 'Int16',
  5: 'UInt16',
  6: 'Int32',
  7: 'UInt32',
  8: 'Int64',
  9: 'UInt64',
  10: 'Float',
  11: 'Double',
  12: 'String',
  13: 'DateTime',
  14: 'Guid',
  15: 'ByteString',
  16: 'XmlElement',
  17: 'NodeId',
  18: 'ExpandedNodeId',
  19: 'StatusCode',
  20: 'QualifiedName',
  21: 'LocalizedText',
  22: 'Structure',
  23: 'DataValue',
  24: 'BaseDataType',
  25: 'DiagnosticInfo',
  26: 'Number',
  27: 'Integer',
  28: 'UInteger',
  29: 'Enumeration',
};

/** `Int16`, or `i=290` for a type this module has no name for. */
export function dataTypeName(id: number): string {
  return NAMES[id] ?? `i=${id}`;
}

/** Abstract types a Variant cannot carry as such: the node's current value says which concrete type it takes. */
export const ABSTRACT_TYPES: ReadonlySet<number> = new Set([
  DATA_TYPE.BaseDataType,
  DATA_TYPE.Number,
  DATA_TYPE.Integer,
  DATA_TYPE.UInteger,
]);

/** Whole-number ranges of the integer types; 64-bit ones within what a JS number holds exactly. */
const INTEGER_RANGES: Readonly<Record<number, readonly [number, number]>> = {
  [DATA_TYPE.SByte]: [-128, 127],
  [DATA_TYPE.Byte]: [0, 255],
  [DATA_TYPE.Int16]: [-32768, 32767],
  [DATA_TYPE.UInt16]: [0, 65535],
  [DATA_TYPE.Int32]: [-2147483648, 2147483647],
  [DATA_TYPE.UInt32]: [0, 4294967295],
  [DATA_TYPE.Int64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [DATA_TYPE.UInt64]: [0, Number.MAX_SAFE_INTEGER],
};

const FLOAT_MAX = 3.4028234663852886e38;

/** Types the connector writes (a Variant of that type); every other one is refused as a configuration problem. */
export const WRITABLE_TYPES: ReadonlySet<number> = new Set([
  DATA_TYPE.Boolean,
  ...Object.keys(INTEGER_RANGES).map(Number),
  DATA_TYPE.Float,
  DATA_TYPE.Double,
  DATA_TYPE.String,
  DATA_TYPE.LocalizedText,
  DATA_TYPE.DateTime,
]);

export type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

/** An Int64/UInt64 as node-opcua carries it: [high, low] 32-bit words, two's complement for negatives. */
export function int64Words(n: number): [number, number] {
  const b = BigInt.asUintN(64, BigInt(n));
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
}

/**
 * The Variant value of `value` for built-in type `type`, or why it does not fit. Numbers: finite, in range, whole
 * for integer types (never rounded: a setpoint of 21.5 written to an Int16 is a mistake to report, not to hide);
 * a boolean is 1/0 for numeric types, as reads deliver it. Booleans: true/false, or the numbers 1 and 0. Text:
 * String and LocalizedText. DateTime: Unix ms or ISO 8601 text.
 */
export function coerce(type: number, value: SampleValue): Coerced {
  const name = dataTypeName(type);
  const show = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const no = (why: string): Coerced => ({ ok: false, reason: `${show} ${why}` });
  if (type === DATA_TYPE.Boolean) {
    if (typeof value === 'boolean') return { ok: true, value };
    if (value === 0 || value === 1) return { ok: true, value: value === 1 };
    return no('is not a Boolean (true/false, or 1/0)');
  }
  if (type === DATA_TYPE.String || type === DATA_TYPE.LocalizedText) {
    if (typeof value !== 'string') return no(`is not text; the node's DataType is ${name}`);
    return { ok: true, value: type === DATA_TYPE.String ? value : { text: value } };
  }
  if (type === DATA_TYPE.DateTime) {
    const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) {
      return no('is not a time (Unix ms or ISO 8601 text) for a DateTime');
    }
    return { ok: true, value: new Date(ms) };
  }
  const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (typeof n !== 'number') return no(`is not a number; the node's DataType is ${name}`);
  if (!Number.isFinite(n)) return no(`is not a finite number; ${name} cannot carry it`);
  const range = INTEGER_RANGES[type];
  if (range) {
    if (!Number.isInteger(n)) return no(`is not a whole number; the node's DataType is ${name}`);
    if (n < range[0] || n > range[1]) {
      const wide = type === DATA_TYPE.Int64 || type === DATA_TYPE.UInt64;
      return no(
        `does not fit ${name} (${range[0]}–${range[1]}${wide ? ', the whole numbers a double holds exactly' : ''})`,
      );
    }
    return { ok: true, value: type === DATA_TYPE.Int64 || type === DATA_TYPE.UInt64 ? int64Words(n) : n };
  }
  if (type === DATA_TYPE.Float) {
    if (Math.abs(n) > FLOAT_MAX) return no(`does not fit Float (±${FLOAT_MAX})`);
    return { ok: true, value: n };
  }
  if (type === DATA_TYPE.Double) return { ok: true, value: n };
  return { ok: false, reason: `the node's DataType ${name} is not one Plenum writes` };
}

/**
 * Whether a node of this ValueRank takes a scalar: -1 Scalar, -2 Any, -3 ScalarOrOneDimension do; 0
 * (OneOrMoreDimensions) and n ≥ 1 (arrays of n dimensions) do not.
 */
export function takesScalar(valueRank: number): boolean {
  return valueRank === -1 || valueRank === -2 || valueRank === -3;
}
