/**
 * DataValue → SourceSample: the value converted to the point's valueType, the StatusCode mapped to a quality
 * with `qualityFromOpcUaStatus` and kept as `rawStatus`, the source timestamp when the server sent one.
 */
import { qualityFromOpcUaStatus, type SampleValue, type ValueType } from '@plenum/model';
import type { DataValue, Variant } from 'node-opcua';
import type { SourcePoint, SourceSample } from '../types';
import { STATUS } from './status';

/**
 * The built-in DataType ids this module tells apart (OPC UA Part 6, fixed by the specification), so the module
 * does not load node-opcua at run time.
 */
const DataType = { Null: 0, Int64: 8, UInt64: 9, DateTime: 13, LocalizedText: 21 } as const;
/** VariantArrayType.Scalar */
const SCALAR = 0;

/** The value a bad sample carries, so each point keeps its value type. */
export function neutral(t: ValueType): SampleValue {
  return t === 'number' ? 0 : t === 'boolean' ? false : '';
}

/** A timestamp node-opcua reports as set (it uses null or the OPC UA minimum date, year 1601, for "none"). */
function validTime(d: Date | null | undefined): number | undefined {
  const t = d?.getTime();
  return t !== undefined && Number.isFinite(t) && t > 0 ? t : undefined;
}

/** Int64/UInt64 arrive as [high, low] words. */
function int64(v: unknown, signed: boolean): number | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [hi, lo] = v as [number, number];
  const high = signed ? hi | 0 : hi >>> 0;
  return high * 4294967296 + (lo >>> 0);
}

/** The variant's scalar as a number, boolean or string for `t`; undefined when it cannot be one. */
export function convert(variant: Variant | null | undefined, t: ValueType): SampleValue | undefined {
  if (!variant || (variant.dataType as number) === DataType.Null || variant.arrayType !== SCALAR) return undefined;
  let v: unknown = variant.value;
  const type: number = variant.dataType;
  if (type === DataType.Int64 || type === DataType.UInt64) {
    v = int64(v, type === DataType.Int64);
  } else if (type === DataType.LocalizedText) {
    v = (v as { text?: string } | null)?.text ?? undefined;
  } else if (v instanceof Date) {
    v = t === 'string' ? v.toISOString() : v.getTime();
  } else if (v !== null && typeof v === 'object') {
    v = t === 'string' && typeof (v as object).toString === 'function' ? String(v) : undefined;
  }
  if (v === null || v === undefined) return undefined;
  switch (t) {
    case 'number':
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return undefined;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      return undefined;
    case 'string':
      return typeof v === 'string' ? v : String(v);
  }
}

/**
 * One sample. The server's status code is kept as `rawStatus`; a Bad sample carries the neutral value of its type
 * (0, false, ""); a Good or Uncertain value that cannot be read as the point's type (or is NaN/±Infinity) is
 * delivered bad with BadTypeMismatch / BadOutOfRange.
 */
export function toSample(point: SourcePoint, dv: DataValue, receivedAt: number): SourceSample {
  const status = dv.statusCode?.value ?? STATUS.good;
  const ts = validTime(dv.sourceTimestamp) ?? validTime(dv.serverTimestamp) ?? receivedAt;
  let quality = qualityFromOpcUaStatus(status);
  let rawStatus: number = status;
  let value = convert(dv.value, point.valueType);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    value = undefined;
    if (quality !== 'bad') rawStatus = STATUS.badOutOfRange;
  } else if (value === undefined && quality !== 'bad') {
    rawStatus = STATUS.badTypeMismatch;
  }
  if (value === undefined || quality === 'bad') {
    // a bad value is not to be used: the neutral value keeps the point's type (as the modbus connector does)
    quality = 'bad';
    value = neutral(point.valueType);
  }
  return { pointId: point.id, ts, value, quality, ...(rawStatus !== 0 ? { rawStatus } : {}) };
}

/** A bad sample set by the connector itself (gap, unresolved node, refused item). */
export function badSample(point: SourcePoint, ts: number, rawStatus: number): SourceSample {
  return { pointId: point.id, ts, value: neutral(point.valueType), quality: 'bad', rawStatus };
}
