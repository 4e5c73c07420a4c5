/**
 * Sparkplug B payloads (Sparkplug 3.0 §6.4) encoded and decoded with protobufjs from sparkplug_b.proto. Plain data
 * in, plain data out: uint64 fields come back as JavaScript numbers (timestamps in ms and aliases stay far below
 * 2^53), one `value` per metric instead of the protobuf oneof.
 */
import path from 'node:path';
import protobuf from 'protobufjs';

/** Sparkplug B data type codes (DataType enum of the spec). */
export const DataType = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  PropertySet: 20,
  PropertySetList: 21,
} as const;

export type MetricValue = number | boolean | string;

export interface PropertyValue {
  type: number;
  isNull?: boolean;
  value?: MetricValue;
}

/** A property set as an ordered mapping key → value (the wire form is two parallel lists). */
export type PropertySet = Record<string, PropertyValue>;

export interface Metric {
  name?: string;
  alias?: number;
  /** Unix ms */
  timestamp?: number;
  datatype?: number;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  properties?: PropertySet;
  /** absent when is_null, or when the value is of a kind Plenum does not read (DataSet, Template, Bytes, …) */
  value?: MetricValue;
}

export interface Payload {
  /** Unix ms */
  timestamp?: number;
  metrics: Metric[];
  /** 0–255; absent on NDEATH */
  seq?: number;
  uuid?: string;
  body?: Uint8Array;
}

const root = protobuf.loadSync(path.join(__dirname, 'sparkplug_b.proto'));
const PayloadType = root.lookupType('org.eclipse.tahu.protobuf.Payload');

/** Which oneof field carries a value of a data type (spec §6.4.16: the 8–32-bit integers travel in int_value). */
function valueField(
  datatype: number,
): 'intValue' | 'longValue' | 'floatValue' | 'doubleValue' | 'booleanValue' | 'stringValue' | undefined {
  switch (datatype) {
    case DataType.Int8:
    case DataType.Int16:
    case DataType.Int32:
    case DataType.UInt8:
    case DataType.UInt16:
    case DataType.UInt32:
      return 'intValue';
    case DataType.Int64:
    case DataType.UInt64:
    case DataType.DateTime:
      return 'longValue';
    case DataType.Float:
      return 'floatValue';
    case DataType.Double:
      return 'doubleValue';
    case DataType.Boolean:
      return 'booleanValue';
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      return 'stringValue';
    default:
      return undefined;
  }
}

/** int_value carries signed 8–32-bit integers as their two's complement in a uint32 (spec §6.4.16). */
function toWireInt(datatype: number, v: number): number {
  return datatype === DataType.Int8 || datatype === DataType.Int16 || datatype === DataType.Int32 ? v >>> 0 : v;
}

function fromWireInt(datatype: number, v: number): number {
  if (datatype === DataType.Int8) return (v << 24) >> 24;
  if (datatype === DataType.Int16) return (v << 16) >> 16;
  if (datatype === DataType.Int32) return v | 0;
  return v;
}

function encodeValue(datatype: number, value: MetricValue | undefined): Record<string, unknown> {
  const field = valueField(datatype);
  if (value === undefined || field === undefined) return {};
  if (field === 'intValue') return { intValue: toWireInt(datatype, Number(value)) };
  if (field === 'longValue') return { longValue: Number(value) };
  return { [field]: value };
}

type Wire = Record<string, unknown>;

function decodeValue(datatype: number, w: Wire): MetricValue | undefined {
  const field = valueField(datatype);
  if (field === undefined || w[field] === undefined || w[field] === null) return undefined;
  const v = w[field] as MetricValue;
  if (field === 'intValue') return fromWireInt(datatype, v as number);
  return v;
}

function encodeProps(p: PropertySet): Wire {
  const keys = Object.keys(p);
  return {
    keys,
    values: keys.map((k) => {
      const v = p[k]!;
      return { type: v.type, ...(v.isNull ? { isNull: true } : encodeValue(v.type, v.value)) };
    }),
  };
}

function decodeProps(w: Wire): PropertySet {
  const keys = (w.keys as string[] | undefined) ?? [];
  const values = (w.values as Wire[] | undefined) ?? [];
  const out: PropertySet = {};
  keys.forEach((k, i) => {
    const v = values[i];
    if (!v) return;
    const type = (v.type as number | undefined) ?? 0;
    const value = decodeValue(type, v);
    out[k] = { type, ...(v.isNull ? { isNull: true } : {}), ...(value !== undefined && { value }) };
  });
  return out;
}

export function encodePayload(p: Payload): Uint8Array {
  const wire = {
    ...(p.timestamp !== undefined && { timestamp: p.timestamp }),
    ...(p.seq !== undefined && { seq: p.seq }),
    ...(p.uuid !== undefined && { uuid: p.uuid }),
    ...(p.body !== undefined && { body: p.body }),
    metrics: p.metrics.map((m) => ({
      ...(m.name !== undefined && { name: m.name }),
      ...(m.alias !== undefined && { alias: m.alias }),
      ...(m.timestamp !== undefined && { timestamp: m.timestamp }),
      ...(m.datatype !== undefined && { datatype: m.datatype }),
      ...(m.isHistorical && { isHistorical: true }),
      ...(m.isTransient && { isTransient: true }),
      ...(m.isNull && { isNull: true }),
      ...(m.properties && { properties: encodeProps(m.properties) }),
      ...(m.isNull ? {} : encodeValue(m.datatype ?? 0, m.value)),
    })),
  };
  return PayloadType.encode(PayloadType.fromObject(wire)).finish();
}

/** Throws protobufjs' error (naming the offset) on bytes that are not a payload. */
export function decodePayload(bytes: Uint8Array): Payload {
  const w = PayloadType.toObject(PayloadType.decode(bytes), { longs: Number, defaults: false }) as Wire;
  const metrics = ((w.metrics as Wire[] | undefined) ?? []).map((m): Metric => {
    const datatype = m.datatype as number | undefined;
    const value = datatype !== undefined && !m.isNull ? decodeValue(datatype, m) : undefined;
    return {
      ...(m.name !== undefined && { name: m.name as string }),
      ...(m.alias !== undefined && { alias: m.alias as number }),
      ...(m.timestamp !== undefined && { timestamp: m.timestamp as number }),
      ...(datatype !== undefined && { datatype }),
      ...(m.isHistorical === true && { isHistorical: true }),
      ...(m.isTransient === true && { isTransient: true }),
      ...(m.isNull === true && { isNull: true }),
      ...(m.properties !== undefined && { properties: decodeProps(m.properties as Wire) }),
      ...(value !== undefined && { value }),
    };
  });
  return {
    ...(w.timestamp !== undefined && { timestamp: w.timestamp as number }),
    ...(w.seq !== undefined && { seq: w.seq as number }),
    ...(w.uuid !== undefined && { uuid: w.uuid as string }),
    ...(w.body !== undefined && { body: w.body as Uint8Array }),
    metrics,
  };
}
