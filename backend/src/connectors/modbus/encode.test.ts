import { parseAddress, type ModbusAddress } from './address';
import { BYTE_ORDERS, type ByteOrder } from './config';
import { applyScale, decodeRegisters } from './decode';
import { encodeRegisters, encodeString, rawValue, withBit } from './encode';

const addr = (text: string): ModbusAddress => {
  const r = parseAddress(text, { defaultOrder: 'ABCD', devices: [] });
  if (!r.ok) throw new Error(r.error);
  return r.address;
};

/**
 * The wire words of big-endian bytes in an order, laid out by hand from the README's table (not with encode.ts):
 * CDAB reverses the words, BADC swaps the bytes of each word, DCBA reverses every byte.
 */
function layout(be: Buffer, order: ByteOrder): number[] {
  const words = (b: Buffer) => Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16BE(i * 2));
  const w = words(be);
  switch (order) {
    case 'ABCD':
      return w;
    case 'CDAB':
      return w.reverse();
    case 'BADC':
      return w.map((x) => ((x & 0xff) << 8) | (x >>> 8));
    case 'DCBA':
      return words(Buffer.from(be).reverse());
  }
}

const be = (n: number, write: (b: Buffer) => void) => {
  const b = Buffer.alloc(n);
  write(b);
  return b;
};

describe('encodeRegisters: values → wire words, the inverse of decode', () => {
  const cases: Array<[string, number, Buffer]> = [
    ['int16', -12345, be(2, (b) => b.writeInt16BE(-12345))],
    ['uint16', 54321, be(2, (b) => b.writeUInt16BE(54321))],
    ['int32', -123456789, be(4, (b) => b.writeInt32BE(-123456789))],
    ['uint32', 3456789012, be(4, (b) => b.writeUInt32BE(3456789012))],
    ['float32', 21.5, be(4, (b) => b.writeFloatBE(21.5))],
    ['float64', -1234.5678901234, be(8, (b) => b.writeDoubleBE(-1234.5678901234))],
  ];
  for (const order of BYTE_ORDERS) {
    it.each(cases)(`%s in ${order}`, (type, value, bytes) => {
      const a = addr(`unit=1;hr=0;${type};${order}`);
      const e = encodeRegisters(a, value);
      expect(e).toEqual({ ok: true, registers: layout(bytes, order) });
      if (e.ok) expect(decodeRegisters(a, e.registers)).toBe(value);
    });
  }

  it('puts 21.5 as float32 where the README says', () => {
    const words = (order: ByteOrder) => {
      const e = encodeRegisters(addr(`unit=1;hr=0;float32;${order}`), 21.5);
      return e.ok ? e.registers.map((w) => w.toString(16).toUpperCase().padStart(4, '0')) : e.error;
    };
    expect(words('ABCD')).toEqual(['41AC', '0000']);
    expect(words('CDAB')).toEqual(['0000', '41AC']);
    expect(words('BADC')).toEqual(['AC41', '0000']);
    expect(words('DCBA')).toEqual(['0000', 'AC41']);
  });

  it('inverts scale and offset, rounding integer types (halves away from zero)', () => {
    const tenths = addr('unit=1;hr=17;int16;scale=0.1');
    expect(encodeRegisters(tenths, 7.5)).toEqual({ ok: true, registers: [75] });
    expect(encodeRegisters(tenths, 21.7)).toEqual({ ok: true, registers: [217] });
    expect(encodeRegisters(tenths, 7.55)).toEqual({ ok: true, registers: [76] });
    expect(encodeRegisters(tenths, -7.55)).toEqual({ ok: true, registers: [0x10000 - 76] });
    const kelvin = addr('unit=1;hr=0;uint16;scale=0.01;offset=-273.15');
    const e = encodeRegisters(kelvin, 21.5);
    expect(e).toEqual({ ok: true, registers: [29465] });
    // (the read side's 15 significant digits keep a trace of 294.65 − 273.15: 21.5000000000001)
    if (e.ok) expect(applyScale(decodeRegisters(kelvin, e.registers) as number, 0.01, -273.15)).toBeCloseTo(21.5, 9);
    // floats are not rounded
    const f = addr('unit=1;hr=0;float32;scale=0.5');
    expect(rawValue(f, 3.3)).toEqual({ ok: true, raw: 6.6 });
  });

  it('refuses values outside the type before anything is sent, saying why', () => {
    const refused = (text: string, v: number | string) => {
      const e = encodeRegisters(addr(text), v);
      return e.ok ? 'encoded' : e.error;
    };
    expect(refused('unit=1;hr=0;int16', 70000)).toBe('70000 does not fit int16 (-32768–32767)');
    expect(refused('unit=1;hr=0;int16', 32767.4)).toBe('encoded');
    expect(refused('unit=1;hr=0;int16', 32767.5)).toBe('32767.5 does not fit int16 (-32768–32767)');
    expect(refused('unit=1;hr=0;uint16', -1)).toBe('-1 does not fit uint16 (0–65535)');
    expect(refused('unit=1;hr=0;int16;scale=0.1', 3276.8)).toBe(
      '3276.8 (raw = (value − 0) / 0.1 = 32768) does not fit int16 (-32768–32767)',
    );
    expect(refused('unit=1;hr=0;uint32', 2 ** 32)).toBe('4294967296 does not fit uint32 (0–4294967295)');
    expect(refused('unit=1;hr=0;int32', -(2 ** 31) - 1)).toBe(
      '-2147483649 does not fit int32 (-2147483648–2147483647)',
    );
    expect(refused('unit=1;hr=0;float32', 1e39)).toMatch(/^1e\+39 does not fit float32/);
    expect(refused('unit=1;hr=0;float64', Number.NaN)).toBe('NaN is not a finite number');
    expect(refused('unit=1;hr=0;float32', Infinity)).toBe('Infinity is not a finite number');
    expect(refused('unit=1;hr=0;int16', '12')).toBe('"12" is not a number; int16 takes a number');
  });
});

describe('encodeString', () => {
  it.each(BYTE_ORDERS)('round-trips through decode in %s, NUL-padded', (order) => {
    const a = addr(`unit=1;hr=0;string:4;${order}`);
    const e = encodeRegisters(a, 'PDU-A7');
    expect(e.ok).toBe(true);
    if (!e.ok) return;
    expect(decodeRegisters(a, e.registers)).toBe('PDU-A7');
    // "PD" high byte first, or low byte first for the byte-swapped orders; never word-swapped
    expect(e.registers[0]).toBe(order === 'BADC' || order === 'DCBA' ? 0x4450 : 0x5044);
    expect(e.registers[3]).toBe(0);
  });

  it('refuses text that does not fit or is not Latin-1', () => {
    expect(encodeString('123456789', 4, 'ABCD')).toEqual({
      ok: false,
      error: '"123456789" has 9 characters; string:4 holds 8',
    });
    expect(encodeString('5 °C ✓', 4, 'ABCD')).toEqual({
      ok: false,
      error: '"5 °C ✓" holds "✓", which a Latin-1 register string cannot carry',
    });
    expect(encodeString('a\0b', 4, 'ABCD')).toEqual({
      ok: false,
      error: '"a\0b" holds a NUL, which a Latin-1 register string cannot carry',
    });
    expect(encodeString('5 °C', 2, 'ABCD')).toEqual({ ok: true, registers: [0x3520, 0xb043] });
  });
});

describe('withBit: the write half of a bit read-modify-write', () => {
  it('sets and clears one bit, keeping the others, in the numbering reads use', () => {
    for (const order of BYTE_ORDERS) {
      const a = addr(`unit=1;hr=16;bit:3;${order}`);
      const word = layout(
        be(2, (b) => b.writeUInt16BE(0xa005)),
        order,
      )[0] as number;
      const set = withBit(a, word, true);
      expect(
        layout(
          be(2, (b) => b.writeUInt16BE(0xa00d)),
          order,
        )[0],
      ).toBe(set);
      expect(decodeRegisters(a, [set])).toBe(true);
      expect(withBit(a, set, false)).toBe(word);
      // every other bit as it was
      for (const bit of [0, 2, 13, 15]) expect(decodeRegisters({ ...a, bit }, [set])).toBe(true);
      expect(decodeRegisters({ ...a, bit: 1 }, [set])).toBe(false);
    }
  });
});
