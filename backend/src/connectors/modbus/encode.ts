/**
 * Values → register words for writes: the inverse of decode.ts, with the same types, byte/word orders and
 * scale/offset. Pure: no I/O, no state. Every refusal says why, so nothing that does not fit is ever sent.
 */
import type { ModbusAddress, NumericType } from './address';
import type { ByteOrder } from './config';

const WORD_SWAPPED: ReadonlySet<ByteOrder> = new Set(['CDAB', 'DCBA']);
const BYTE_SWAPPED: ReadonlySet<ByteOrder> = new Set(['BADC', 'DCBA']);

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Integer ranges of the integer register types. */
const INTEGER_RANGES: Readonly<Partial<Record<NumericType, readonly [number, number]>>> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export type Encoded = { ok: true; registers: number[] } | { ok: false; error: string };

/** Big-endian bytes (`A B C D …`) → register words in `order`: the inverse of decode.ts `canonicalBytes`. */
export function wireRegisters(bytes: Buffer, order: ByteOrder): number[] {
  const n = bytes.length / 2;
  const out = new Array<number>(n);
  const swapWords = WORD_SWAPPED.has(order);
  const swapBytes = BYTE_SWAPPED.has(order);
  for (let i = 0; i < n; i++) {
    const word = bytes.readUInt16BE(i * 2);
    out[swapWords ? n - 1 - i : i] = swapBytes ? ((word & 0xff) << 8) | (word >>> 8) : word;
  }
  return out;
}

/**
 * The raw register value of an engineering value: `(value − offset) / scale`, rounded to the nearest whole number
 * (halves away from zero) for the integer types. Scaling noise is removed first (`7.5 / 0.1` is 75, not
 * 75.00000000000001). Refused when it is not finite or does not fit the type.
 */
export function rawValue(a: ModbusAddress, value: number): { ok: true; raw: number } | { ok: false; error: string } {
  if (!Number.isFinite(value)) return { ok: false, error: `${value} is not a finite number` };
  const scaled = a.scale === 1 && a.offset === 0 ? value : Number(((value - a.offset) / a.scale).toPrecision(15));
  const how = a.scale === 1 && a.offset === 0 ? '' : ` (raw = (value − ${a.offset}) / ${a.scale} = ${scaled})`;
  const type = a.type as NumericType;
  const range = INTEGER_RANGES[type];
  if (range) {
    const raw = Math.sign(scaled) * Math.round(Math.abs(scaled)) + 0; // + 0: no −0
    if (raw < range[0] || raw > range[1]) {
      return { ok: false, error: `${value}${how} does not fit ${type} (${range[0]}–${range[1]})` };
    }
    return { ok: true, raw };
  }
  if (type === 'float32' && (!Number.isFinite(scaled) || Math.abs(scaled) > FLOAT32_MAX)) {
    return { ok: false, error: `${value}${how} does not fit float32 (±${FLOAT32_MAX})` };
  }
  if (!Number.isFinite(scaled)) return { ok: false, error: `${value}${how} is not a finite float64` };
  return { ok: true, raw: scaled };
}

/** Text → registers: Latin-1, two characters per register, NUL-padded; `BADC`/`DCBA` put the first in the low byte. */
export function encodeString(text: string, registers: number, order: ByteOrder): Encoded {
  if (text.length > registers * 2) {
    return { ok: false, error: `"${text}" has ${text.length} characters; string:${registers} holds ${registers * 2}` };
  }
  // a NUL ends the text on read; characters past U+00FF are not Latin-1
  const bad = [...text].find((ch) => ch === '\0' || (ch.codePointAt(0) as number) > 0xff);
  if (bad !== undefined) {
    return {
      ok: false,
      error: `"${text}" holds ${bad === '\0' ? 'a NUL' : `"${bad}"`}, which a Latin-1 register string cannot carry`,
    };
  }
  const bytes = Buffer.alloc(registers * 2);
  bytes.write(text, 'latin1');
  const swapBytes = BYTE_SWAPPED.has(order);
  return {
    ok: true,
    registers: Array.from({ length: registers }, (_, i) => {
      const word = bytes.readUInt16BE(i * 2);
      return swapBytes ? ((word & 0xff) << 8) | (word >>> 8) : word;
    }),
  };
}

/**
 * The register words of a value for a register-table address (numbers after the inverse scale/offset, strings);
 * `bit:` addresses are read-modify-write (`withBit`), coils are not registers.
 */
export function encodeRegisters(a: ModbusAddress, value: number | string): Encoded {
  if (a.type === 'string') {
    return typeof value === 'string'
      ? encodeString(value, a.length, a.order)
      : { ok: false, error: `${value} is not text; string:${a.length} takes a string` };
  }
  if (a.type === 'bit' || a.type === 'bool') {
    return { ok: false, error: `${a.type} values are not encoded as registers` };
  }
  if (typeof value !== 'number') return { ok: false, error: `"${value}" is not a number; ${a.type} takes a number` };
  const r = rawValue(a, value);
  if (!r.ok) return r;
  const bytes = Buffer.alloc(a.length * 2);
  switch (a.type) {
    case 'int16':
      bytes.writeInt16BE(r.raw);
      break;
    case 'uint16':
      bytes.writeUInt16BE(r.raw);
      break;
    case 'int32':
      bytes.writeInt32BE(r.raw);
      break;
    case 'uint32':
      bytes.writeUInt32BE(r.raw);
      break;
    case 'float32':
      bytes.writeFloatBE(r.raw);
      break;
    case 'float64':
      bytes.writeDoubleBE(r.raw);
      break;
  }
  return { ok: true, registers: wireRegisters(bytes, a.order) };
}

/**
 * A register word with bit `a.bit` set or cleared, the other bits as read: the write half of a read-modify-write
 * of a `bit:` address (the bit is numbered in the value after the byte swap of `BADC`/`DCBA`, as on read).
 */
export function withBit(a: ModbusAddress, word: number, on: boolean): number {
  const swap = BYTE_SWAPPED.has(a.order);
  const value = swap ? ((word & 0xff) << 8) | ((word >>> 8) & 0xff) : word & 0xffff;
  const mask = 1 << (a.bit ?? 0);
  const next = on ? value | mask : value & ~mask & 0xffff;
  return swap ? ((next & 0xff) << 8) | (next >>> 8) : next;
}
