/**
 * Register words → values. Pure: no I/O, no state. Byte and word orders are described in README.md.
 */
import type { ByteOrder } from './config';
import type { ModbusAddress } from './address';

const WORD_SWAPPED: ReadonlySet<ByteOrder> = new Set(['CDAB', 'DCBA']);
const BYTE_SWAPPED: ReadonlySet<ByteOrder> = new Set(['BADC', 'DCBA']);

/**
 * The bytes of a value in big-endian order (`A B C D …`), from its registers as they came off the wire
 * (each register a 16-bit number, high byte first on the wire).
 */
export function canonicalBytes(registers: ArrayLike<number>, order: ByteOrder): Buffer {
  const n = registers.length;
  const out = Buffer.alloc(n * 2);
  const swapWords = WORD_SWAPPED.has(order);
  const swapBytes = BYTE_SWAPPED.has(order);
  for (let i = 0; i < n; i++) {
    const word = (registers[swapWords ? n - 1 - i : i] as number) & 0xffff;
    out.writeUInt16BE(swapBytes ? ((word & 0xff) << 8) | (word >>> 8) : word, i * 2);
  }
  return out;
}

/**
 * Text from registers: two characters per register, high byte first (`ABCD`, `CDAB`) or low byte first
 * (`BADC`, `DCBA`), in register order (text is never word-swapped). Bytes are Latin-1; the text ends at the
 * first NUL and trailing spaces are dropped (devices pad with either).
 */
export function decodeString(registers: ArrayLike<number>, order: ByteOrder): string {
  const n = registers.length;
  const bytes = Buffer.alloc(n * 2);
  const swapBytes = BYTE_SWAPPED.has(order);
  for (let i = 0; i < n; i++) {
    const word = (registers[i] as number) & 0xffff;
    bytes.writeUInt16BE(swapBytes ? ((word & 0xff) << 8) | (word >>> 8) : word, i * 2);
  }
  const nul = bytes.indexOf(0);
  return bytes
    .subarray(0, nul < 0 ? bytes.length : nul)
    .toString('latin1')
    .replace(/ +$/, '');
}

/**
 * The raw value of a register-table address (before scale and offset). `registers` holds exactly the
 * address's registers. Floats may come out NaN or infinite: callers decide what that means.
 */
export function decodeRegisters(a: ModbusAddress, registers: ArrayLike<number>): number | boolean | string {
  if (registers.length !== a.length) {
    throw new RangeError(`expected ${a.length} registers for ${a.type}, got ${registers.length}`);
  }
  switch (a.type) {
    case 'string':
      return decodeString(registers, a.order);
    case 'bit':
      return ((canonicalBytes(registers, a.order).readUInt16BE(0) >>> (a.bit ?? 0)) & 1) === 1;
    case 'int16':
      return canonicalBytes(registers, a.order).readInt16BE(0);
    case 'uint16':
      return canonicalBytes(registers, a.order).readUInt16BE(0);
    case 'int32':
      return canonicalBytes(registers, a.order).readInt32BE(0);
    case 'uint32':
      return canonicalBytes(registers, a.order).readUInt32BE(0);
    case 'float32':
      return shortestFloat32(canonicalBytes(registers, a.order).readFloatBE(0));
    case 'float64':
      return canonicalBytes(registers, a.order).readDoubleBE(0);
    case 'bool':
      throw new RangeError('bool values come from coils and discrete inputs, not registers');
  }
}

/**
 * Applies `raw * scale + offset` to numbers. The result is rounded to 15 significant digits (what a double holds exactly) when scaling
 * introduces binary noise (`215 * 0.1` → 21.5, not 21.500000000000004); unscaled values pass untouched.
 */
export function applyScale(raw: number, scale: number, offset: number): number {
  if (scale === 1 && offset === 0) return raw;
  const v = raw * scale + offset;
  return Number.isFinite(v) ? Number(v.toPrecision(15)) : v;
}

/**
 * The shortest decimal that is the same float32: a device's 8.044 kW arrives as 8.043999671936035 once widened
 * to float64, which no person wrote and which compresses badly. Same float32 bits, fewer digits (≤ 9).
 */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let digits = 1; digits < 9; digits++) {
    const d = Number(v.toPrecision(digits));
    if (Math.fround(d) === v) return d;
  }
  return Number(v.toPrecision(9));
}
