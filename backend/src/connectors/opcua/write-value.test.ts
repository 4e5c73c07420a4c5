import { coerce, DATA_TYPE, dataTypeName, int64Words, takesScalar } from './write-value';

describe('coerce: a value → the Variant value of a built-in type (pure)', () => {
  it('takes what fits, as node-opcua carries it', () => {
    expect(coerce(DATA_TYPE.Int16, -32768)).toEqual({ ok: true, value: -32768 });
    expect(coerce(DATA_TYPE.Byte, true)).toEqual({ ok: true, value: 1 });
    expect(coerce(DATA_TYPE.Boolean, 0)).toEqual({ ok: true, value: false });
    expect(coerce(DATA_TYPE.Float, 0.1)).toEqual({ ok: true, value: 0.1 });
    expect(coerce(DATA_TYPE.Int64, -5)).toEqual({ ok: true, value: [0xffffffff, 0xfffffffb] });
    expect(coerce(DATA_TYPE.UInt64, 2 ** 40 + 3)).toEqual({ ok: true, value: [256, 3] });
    expect(coerce(DATA_TYPE.LocalizedText, 'auto')).toEqual({ ok: true, value: { text: 'auto' } });
    expect(coerce(DATA_TYPE.DateTime, '2025-06-01T00:00:00Z')).toEqual({
      ok: true,
      value: new Date(Date.UTC(2025, 5, 1)),
    });
  });

  it('refuses what does not fit, saying why', () => {
    const why = (type: number, v: number | boolean | string) => {
      const c = coerce(type, v);
      return c.ok ? 'fits' : c.reason;
    };
    expect(why(DATA_TYPE.SByte, 128)).toBe('128 does not fit SByte (-128–127)');
    expect(why(DATA_TYPE.UInt32, -1)).toBe('-1 does not fit UInt32 (0–4294967295)');
    expect(why(DATA_TYPE.Int32, 1.5)).toBe("1.5 is not a whole number; the node's DataType is Int32");
    expect(why(DATA_TYPE.Float, 1e39)).toBe('1e+39 does not fit Float (±3.4028234663852886e+38)');
    expect(why(DATA_TYPE.Double, Infinity)).toBe('Infinity is not a finite number; Double cannot carry it');
    expect(why(DATA_TYPE.String, 5)).toBe("5 is not text; the node's DataType is String");
    expect(why(DATA_TYPE.DateTime, 'soon')).toBe('"soon" is not a time (Unix ms or ISO 8601 text) for a DateTime');
    expect(why(DATA_TYPE.Int64, 2 ** 53)).toBe(
      '9007199254740992 does not fit Int64 (-9007199254740991–9007199254740991, the whole numbers a double holds exactly)',
    );
    expect(why(15, 1)).toBe("the node's DataType ByteString is not one Plenum writes");
  });

  it('knows scalar value ranks and type names', () => {
    expect([-3, -2, -1, 0, 1, 2].map(takesScalar)).toEqual([true, true, true, false, false, false]);
    expect([dataTypeName(4), dataTypeName(29), dataTypeName(290)]).toEqual(['Int16', 'Enumeration', 'i=290']);
    expect(int64Words(-1)).toEqual([0xffffffff, 0xffffffff]);
  });
});
