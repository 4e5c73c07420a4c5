import * as tahu from 'sparkplug-payload/lib/sparkplugbpayload';
import { DataType, decodePayload, encodePayload } from './payload';

/** Long (protobufjs 6, Tahu's) or number → number */
const num = (v: unknown) => (typeof v === 'object' && v !== null ? Number(String(v)) : v);

describe('Sparkplug B payload codec against Eclipse Tahu sparkplug-payload', () => {
  it("writes what Tahu's decoder reads: seq, timestamps, aliases, datatypes, nulls and property sets", () => {
    const bytes = encodePayload({
      timestamp: 1_764_000_000_123,
      seq: 255,
      metrics: [
        {
          name: 'a01/pdu/power',
          alias: 12,
          timestamp: 1_764_000_000_100,
          datatype: DataType.Double,
          value: 4.25,
          properties: {
            engUnit: { type: DataType.String, value: 'kW' },
            Quality: { type: DataType.Int32, value: 192 },
          },
        },
        { alias: 13, timestamp: 1, datatype: DataType.Boolean, value: false, isHistorical: true },
        { alias: 14, timestamp: 2, datatype: DataType.String, isNull: true },
        { name: 'bdSeq', datatype: DataType.Int64, value: 7 },
        { name: 'neg', datatype: DataType.Int32, value: -5 },
      ],
    });
    const t = tahu.decodePayload(bytes);
    expect(num(t.timestamp)).toBe(1_764_000_000_123);
    expect(num(t.seq)).toBe(255);
    const [m0, m1, m2, m3, m4] = t.metrics!;
    expect([m0!.name, num(m0!.alias), m0!.type, m0!.value, num(m0!.timestamp)]).toEqual([
      'a01/pdu/power',
      12,
      'Double',
      4.25,
      1_764_000_000_100,
    ]);
    expect(m0!.properties).toEqual({
      engUnit: { type: 'String', value: 'kW' },
      Quality: { type: 'Int32', value: 192 },
    });
    expect([num(m1!.alias), m1!.type, m1!.value, m1!.isHistorical]).toEqual([13, 'Boolean', false, true]);
    // Tahu's decoder turns is_null into a null value
    expect([m2!.type, m2!.value]).toEqual(['String', null]);
    expect(decodePayload(bytes).metrics[2]).toEqual({
      alias: 14,
      timestamp: 2,
      datatype: DataType.String,
      isNull: true,
    });
    expect([m3!.type, num(m3!.value)]).toEqual(['Int64', 7]);
    expect(m4!.value).toBe(-5);
  });

  it('reads what Tahu writes', () => {
    const bytes = tahu.encodePayload({
      timestamp: 1_764_000_000_000,
      seq: 3,
      metrics: [
        { name: 'Inputs/temp', alias: 4, type: 'Float', value: 21.5, timestamp: 1_764_000_000_001 },
        { name: 'count', type: 'UInt64', value: 9_007_199_254 },
        { name: 'small', type: 'Int16', value: -300 },
        { name: 'on', type: 'Boolean', value: true, properties: { Quality: { type: 'Int32', value: 0 } } },
        { name: 'label', type: 'String', value: 'x' },
      ],
    });
    const p = decodePayload(bytes);
    expect(p.timestamp).toBe(1_764_000_000_000);
    expect(p.seq).toBe(3);
    expect(p.metrics.map((m) => [m.name, m.datatype, m.value])).toEqual([
      ['Inputs/temp', DataType.Float, 21.5],
      ['count', DataType.UInt64, 9_007_199_254],
      ['small', DataType.Int16, -300],
      ['on', DataType.Boolean, true],
      ['label', DataType.String, 'x'],
    ]);
    expect(p.metrics[0]!.alias).toBe(4);
    expect(p.metrics[3]!.properties).toEqual({ Quality: { type: DataType.Int32, value: 0 } });
  });

  it('names the offset of bytes that are not a payload', () => {
    expect(() => decodePayload(Uint8Array.from([0x12, 0xff, 0xff]))).toThrow(/index out of range|invalid wire type/);
  });
});
