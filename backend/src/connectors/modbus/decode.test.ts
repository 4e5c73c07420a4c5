import { BYTE_ORDERS, type ByteOrder } from './config';
import { applyScale, canonicalBytes, decodeRegisters, decodeString, shortestFloat32 } from './decode';
import { NUMERIC_TYPES, type ModbusAddress, type NumericType } from './address';

/**
 * Wire layouts written out by hand, independent of decode.ts: where each big-endian byte (A = most significant)
 * of a value sits on the wire, for 2-, 4- and 8-byte values.
 */
const WIRE: Record<number, Record<ByteOrder, string>> = {
  2: { ABCD: 'AB', CDAB: 'AB', BADC: 'BA', DCBA: 'BA' },
  4: { ABCD: 'ABCD', CDAB: 'CDAB', BADC: 'BADC', DCBA: 'DCBA' },
  8: { ABCD: 'ABCDEFGH', CDAB: 'GHEFCDAB', BADC: 'BADCFEHG', DCBA: 'HGFEDCBA' },
};

/** Big-endian bytes of a value, written by Node's Buffer (not by decode.ts). */
function bigEndian(type: NumericType, v: number): Buffer {
  const b = Buffer.alloc(NUMERIC_TYPES[type] * 2);
  switch (type) {
    case 'int16':
      b.writeInt16BE(v);
      break;
    case 'uint16':
      b.writeUInt16BE(v);
      break;
    case 'int32':
      b.writeInt32BE(v);
      break;
    case 'uint32':
      b.writeUInt32BE(v);
      break;
    case 'float32':
      b.writeFloatBE(v);
      break;
    case 'float64':
      b.writeDoubleBE(v);
      break;
  }
  return b;
}

/** Little-endian bytes, for a second opinion on DCBA. */
function littleEndian(type: NumericType, v: number): Buffer {
  const b = Buffer.alloc(NUMERIC_TYPES[type] * 2);
  const w = {
    int16: () => b.writeInt16LE(v),
    uint16: () => b.writeUInt16LE(v),
    int32: () => b.writeInt32LE(v),
    uint32: () => b.writeUInt32LE(v),
    float32: () => b.writeFloatLE(v),
    float64: () => b.writeDoubleLE(v),
  };
  w[type]();
  return b;
}

function wireRegisters(type: NumericType, v: number, order: ByteOrder): number[] {
  const be = bigEndian(type, v);
  const layout = WIRE[be.length]![order];
  const wire = Buffer.from([...layout].map((ch) => be[ch.charCodeAt(0) - 65]!));
  const regs: number[] = [];
  for (let i = 0; i < wire.length; i += 2) regs.push(wire.readUInt16BE(i));
  return regs;
}

const addr = (type: ModbusAddress['type'], order: ByteOrder, extra: Partial<ModbusAddress> = {}): ModbusAddress => ({
  unitId: 1,
  table: 'hr',
  address: 0,
  type,
  length: type in NUMERIC_TYPES ? NUMERIC_TYPES[type as NumericType] : 1,
  order,
  scale: 1,
  offset: 0,
  ...extra,
});

const VALUES: Record<NumericType, number[]> = {
  int16: [0, 1, -1, -12345, 32767, -32768, 0x1234],
  uint16: [0, 1, 54321, 65535, 0x1234],
  int32: [0, -1, -123456789, 2147483647, -2147483648, 0x01020304],
  uint32: [0, 1, 3456789012, 4294967295, 0x01020304],
  float32: [0, 21.5, -40.25, 3.4028234663852886e38, 1.401298464324817e-45, Math.fround(0.1)],
  float64: [0, -1234.5678901234, Number.MAX_VALUE, Number.MIN_VALUE, 0.1, 123456789012.345],
};

describe('decodeRegisters: every type in every order', () => {
  for (const type of Object.keys(VALUES) as NumericType[]) {
    for (const order of BYTE_ORDERS) {
      it(`${type} ${order}`, () => {
        for (const v of VALUES[type]) {
          expect(sameBits(type, decodeRegisters(addr(type, order), wireRegisters(type, v, order)))).toBe(v);
        }
      });
    }
  }

  it('agrees with little-endian Buffer writes for DCBA', () => {
    for (const type of Object.keys(VALUES) as NumericType[]) {
      for (const v of VALUES[type]) {
        const le = littleEndian(type, v);
        const regs: number[] = [];
        for (let i = 0; i < le.length; i += 2) regs.push(le.readUInt16BE(i));
        expect(sameBits(type, decodeRegisters(addr(type, 'DCBA'), regs))).toBe(v);
      }
    }
  });

  it('reads a known float32 in each order (values from a Modbus manual’s table)', () => {
    // 21.5 = 0x41AC0000
    expect(decodeRegisters(addr('float32', 'ABCD'), [0x41ac, 0x0000])).toBe(21.5);
    expect(decodeRegisters(addr('float32', 'CDAB'), [0x0000, 0x41ac])).toBe(21.5);
    expect(decodeRegisters(addr('float32', 'BADC'), [0xac41, 0x0000])).toBe(21.5);
    expect(decodeRegisters(addr('float32', 'DCBA'), [0x0000, 0xac41])).toBe(21.5);
  });

  it('keeps NaN and infinities for the caller to judge', () => {
    expect(decodeRegisters(addr('float32', 'ABCD'), [0x7fc0, 0])).toBeNaN();
    expect(decodeRegisters(addr('float32', 'ABCD'), [0x7f80, 0])).toBe(Infinity);
  });

  it('refuses a register count that does not fit the type', () => {
    expect(() => decodeRegisters(addr('float32', 'ABCD'), [1])).toThrow('expected 2 registers for float32, got 1');
  });
});

describe('bits and strings', () => {
  it('reads bit n of the register value, 0 = least significant, after the byte order', () => {
    const reg = 0xa005; // bits 0, 2, 13, 15
    const set = [0, 2, 13, 15];
    for (let bit = 0; bit < 16; bit++) {
      expect(decodeRegisters(addr('bit', 'ABCD', { bit }), [reg])).toBe(set.includes(bit));
      expect(decodeRegisters(addr('bit', 'CDAB', { bit }), [reg])).toBe(set.includes(bit));
      // byte-swapped devices send 0x05A0 for the same value
      expect(decodeRegisters(addr('bit', 'BADC', { bit }), [0x05a0])).toBe(set.includes(bit));
      expect(decodeRegisters(addr('bit', 'DCBA', { bit }), [0x05a0])).toBe(set.includes(bit));
    }
  });

  it('reads text high byte first, or low byte first for BADC/DCBA, and stops at NUL', () => {
    const ascii = Buffer.from('PDU-A7\0\0', 'latin1');
    const hiFirst = [0, 2, 4, 6].map((i) => ascii.readUInt16BE(i));
    const loFirst = [0, 2, 4, 6].map((i) => ascii.readUInt16LE(i));
    expect(decodeString(hiFirst, 'ABCD')).toBe('PDU-A7');
    expect(decodeString(hiFirst, 'CDAB')).toBe('PDU-A7');
    expect(decodeString(loFirst, 'BADC')).toBe('PDU-A7');
    expect(decodeString(loFirst, 'DCBA')).toBe('PDU-A7');
    expect(decodeRegisters(addr('string', 'ABCD', { length: 4 }), hiFirst)).toBe('PDU-A7');
  });

  it('drops space padding and keeps Latin-1 bytes', () => {
    const b = Buffer.from('Zone é  ', 'latin1');
    const regs = [0, 2, 4, 6].map((i) => b.readUInt16BE(i));
    expect(decodeString(regs, 'ABCD')).toBe('Zone é');
  });
});

describe('canonicalBytes', () => {
  it('reorders the wire bytes to A B C D', () => {
    expect([...canonicalBytes([0x0102, 0x0304], 'ABCD')]).toEqual([1, 2, 3, 4]);
    expect([...canonicalBytes([0x0304, 0x0102], 'CDAB')]).toEqual([1, 2, 3, 4]);
    expect([...canonicalBytes([0x0201, 0x0403], 'BADC')]).toEqual([1, 2, 3, 4]);
    expect([...canonicalBytes([0x0403, 0x0201], 'DCBA')]).toEqual([1, 2, 3, 4]);
  });
});

describe('applyScale', () => {
  it('applies raw * scale + offset without binary noise', () => {
    expect(applyScale(215, 0.1, 0)).toBe(21.5);
    expect(applyScale(3, 0.1, 0)).toBe(0.3);
    expect(applyScale(1000, 0.01, -40)).toBe(-30);
    expect(applyScale(7, 1, 0)).toBe(7);
    expect(applyScale(123456789012345, 0.001, 0)).toBe(123456789012.345);
  });
});

/** float32 values come back as their shortest decimal; compare the float32 bits */
function sameBits(type: NumericType, v: number | boolean | string): unknown {
  return type === 'float32' && typeof v === 'number' ? Math.fround(v) : v;
}

describe('shortestFloat32', () => {
  it('gives the shortest decimal with the same float32 bits', () => {
    for (const x of [8.044, 415.8, 0.1, 123456.7, -3.4e38, 1e-40, 0]) {
      const widened = Math.fround(x);
      const short = shortestFloat32(widened);
      expect(Math.fround(short)).toBe(widened);
      expect(
        String(short).replace(/^-/, '').replace('.', '').replace(/e.*$/, '').replace(/^0+/, '').length,
      ).toBeLessThanOrEqual(9);
    }
    expect(shortestFloat32(Math.fround(8.044))).toBe(8.044);
    expect(shortestFloat32(Math.fround(415.8))).toBe(415.8);
    expect(shortestFloat32(NaN)).toBeNaN();
  });
});
