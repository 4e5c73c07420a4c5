import type { DataValue, Variant } from 'node-opcua';
import { STATUS } from './status';
import { convert, toSample } from './samples';
import { opcuaPoint } from './testkit';

// plain stand-ins for node-opcua's Variant and DataValue (samples.ts reads fields only; no node-opcua load here)
const T = { Boolean: 1, Int32: 6, Int64: 8, UInt64: 9, Double: 11, String: 12, DateTime: 13, LocalizedText: 21 };
const v = (dataType: number, value: unknown, arrayType = 0) => ({ dataType, arrayType, value }) as unknown as Variant;
const num = (x: number) => v(T.Double, x);
const dv = (value: Variant, o: Partial<{ status: number; source: Date | null; server: Date | null }> = {}) =>
  ({
    value,
    statusCode: { value: o.status ?? 0 },
    sourceTimestamp: o.source === undefined ? new Date(1_700_000_000_000) : o.source,
    serverTimestamp: o.server === undefined ? null : o.server,
  }) as unknown as DataValue;

describe('DataValue → sample', () => {
  it('converts scalars to the point’s value type', () => {
    expect(convert(num(21.5), 'number')).toBe(21.5);
    expect(convert(v(T.Int32, 3), 'boolean')).toBe(true);
    expect(convert(v(T.Boolean, false), 'number')).toBe(0);
    expect(convert(v(T.String, '42.5'), 'number')).toBe(42.5);
    expect(convert(v(T.String, 'on'), 'number')).toBeUndefined();
    expect(convert(v(T.Int64, [1, 5]), 'number')).toBe(4294967301);
    expect(convert(v(T.Int64, [0xffffffff, 0xfffffffe]), 'number')).toBe(-2);
    expect(convert(v(T.UInt64, [0, 7]), 'string')).toBe('7');
    expect(convert(v(T.LocalizedText, { text: 'Auto' }), 'string')).toBe('Auto');
    expect(convert(v(T.DateTime, new Date(5000)), 'number')).toBe(5000);
    expect(convert(v(T.Double, [1, 2], 1), 'number')).toBeUndefined(); // an array
    expect(convert(v(0, null), 'number')).toBeUndefined();
  });

  it('keeps the source timestamp, else the server’s, else the arrival time', () => {
    const p = opcuaPoint('p', 'i=1');
    expect(toSample(p, dv(num(1)), 99).ts).toBe(1_700_000_000_000);
    expect(toSample(p, dv(num(1), { source: null, server: new Date(1234) }), 99).ts).toBe(1234);
    // node-opcua's "no timestamp" is null or the OPC UA minimum date (1601)
    expect(toSample(p, dv(num(1), { source: new Date(Date.UTC(1601, 0, 1)), server: null }), 99).ts).toBe(99);
  });

  it('maps the StatusCode to a quality and keeps it as rawStatus', () => {
    const p = opcuaPoint('p', 'i=1');
    expect(toSample(p, dv(num(20)), 0)).toEqual({ pointId: 'p', ts: 1_700_000_000_000, value: 20, quality: 'good' });
    // UncertainLastUsableValue keeps its value
    expect(toSample(p, dv(num(20), { status: 0x40900000 }), 0)).toMatchObject({
      value: 20,
      quality: 'uncertain',
      rawStatus: 0x40900000,
    });
    // a Bad value is not used: neutral value, the server's status (BadSensorFailure) kept
    expect(toSample(p, dv(num(20), { status: 0x808c0000 }), 0)).toMatchObject({
      value: 0,
      quality: 'bad',
      rawStatus: 0x808c0000,
    });
    expect(toSample(p, dv(num(NaN)), 0)).toMatchObject({ value: 0, quality: 'bad', rawStatus: STATUS.badOutOfRange });
    const s = opcuaPoint('s', 'i=1', 'boolean');
    expect(toSample(s, dv(v(T.String, 'maybe')), 0)).toMatchObject({
      value: false,
      quality: 'bad',
      rawStatus: STATUS.badTypeMismatch,
    });
  });
});
