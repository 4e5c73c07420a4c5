/**
 * Point addresses of the modbus connector: `unit=3;hr=100;float32;CDAB;scale=0.1`. Parsed once in `init`, pure.
 * The syntax is documented in README.md ("Point address").
 */
import { didYouMean } from '../../config/schema';
import { BYTE_ORDERS, isUnitId, UNIT_ID_EXPECTED, type ByteOrder, type ModbusDevice } from './config';

/** Register tables: holding and input registers (16-bit words), coils and discrete inputs (bits). */
export type Table = 'hr' | 'ir' | 'coil' | 'di';
export const TABLES: readonly Table[] = ['hr', 'ir', 'coil', 'di'];

export const isBitTable = (t: Table): boolean => t === 'coil' || t === 'di';

/** Numeric register types and their size in registers. */
export const NUMERIC_TYPES = {
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  float64: 4,
} as const;
export type NumericType = keyof typeof NUMERIC_TYPES;

/** `bool` is a coil or discrete input; `bit` one bit of a register; `string` `length` registers of text. */
export type DataType = NumericType | 'string' | 'bit' | 'bool';

/** Longest string, in registers: one read. */
export const MAX_STRING_REGISTERS = 125;

export interface ModbusAddress {
  unitId: number;
  table: Table;
  /** 0-based protocol address of the first register or bit ("40101" in a manual is hr=100) */
  address: number;
  type: DataType;
  /** registers (hr/ir) or bits (coil/di) the value spans */
  length: number;
  /** bit number 0–15 (0 = least significant) for type `bit` */
  bit?: number;
  /** byte/word order; for 16-bit values only the byte swap (BADC, DCBA) matters */
  order: ByteOrder;
  /** engineering value = raw * scale + offset (numeric types) */
  scale: number;
  offset: number;
}

/** The point value type an address delivers. */
export function valueTypeOf(type: DataType): 'number' | 'boolean' | 'string' {
  return type === 'string' ? 'string' : type === 'bit' || type === 'bool' ? 'boolean' : 'number';
}

export interface AddressContext {
  /** order of multi-register values when the address names none */
  defaultOrder: ByteOrder;
  devices: readonly ModbusDevice[];
}

export type ParseResult = { ok: true; address: ModbusAddress } | { ok: false; error: string };

const KEYS = ['unit', 'device', 'hr', 'ir', 'coil', 'di', 'scale', 'offset'] as const;
const TYPE_WORDS = [...Object.keys(NUMERIC_TYPES), 'string:<registers>', 'bit:<0..15>', 'bool'];
export const ADDRESS_EXPECTED =
  'expected e.g. "unit=3;hr=100;float32;CDAB": unit=<id> or device=<name>, one of hr=/ir=/coil=/di=<0-based address>, ' +
  'then optionally a type (int16, uint16, int32, uint32, float32, float64, string:<registers>, bit:<0..15>), ' +
  'an order (ABCD, CDAB, BADC, DCBA), scale=<n>, offset=<n>';

/** Integer in decimal or 0x hex; undefined when malformed. */
function parseInteger(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return undefined;
}

/** A finite decimal number (`0.1`, `-40`, `1e-3`); undefined when malformed. */
function parseNumber(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses one point address. Never throws: errors say what is wrong and what is expected; the caller names the
 * source and the point.
 */
export function parseAddress(text: string, ctx: AddressContext): ParseResult {
  const fail = (error: string): ParseResult => ({ ok: false, error });
  const parts = text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return fail(`the address is empty; ${ADDRESS_EXPECTED}`);

  const seen = new Map<string, string>();
  let table: Table | undefined;
  let address: number | undefined;
  let unitId: number | undefined;
  let device: ModbusDevice | undefined;
  let type: DataType | undefined;
  let length = 1;
  let bit: number | undefined;
  let order: ByteOrder | undefined;
  let scale: number | undefined;
  let offset: number | undefined;

  const once = (slot: string, part: string): string | undefined => {
    const first = seen.get(slot);
    if (first !== undefined) return `"${part}" repeats the ${slot} given by "${first}"; expected one ${slot}`;
    seen.set(slot, part);
    return undefined;
  };

  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq >= 0) {
      const key = part.slice(0, eq).trim().toLowerCase();
      const value = part.slice(eq + 1).trim();
      switch (key) {
        case 'unit': {
          const dup = once('unit', part);
          if (dup) return fail(dup);
          const n = parseInteger(value);
          if (n === undefined || !isUnitId(n)) return fail(`"${part}": ${UNIT_ID_EXPECTED}`);
          unitId = n;
          break;
        }
        case 'device': {
          const dup = once('unit', part);
          if (dup) return fail(dup);
          device = ctx.devices.find((d) => d.name === value);
          if (!device) {
            const names = ctx.devices.map((d) => d.name);
            return fail(
              names.length === 0
                ? `"${part}": no devices are declared in the source options; expected unit=<id> or a devices: entry named "${value}"`
                : `"${part}": unknown device "${value}"${didYouMean(value, names)}; expected one of ${names.join(', ')}`,
            );
          }
          unitId = device.unitId;
          break;
        }
        case 'hr':
        case 'ir':
        case 'coil':
        case 'di': {
          const dup = once('table', part);
          if (dup) return fail(dup);
          const n = parseInteger(value);
          if (n === undefined || n > 65535) {
            return fail(`"${part}": expected a 0-based address 0–65535 (decimal or 0x hex)`);
          }
          table = key;
          address = n;
          break;
        }
        case 'scale':
        case 'offset': {
          const dup = once(key, part);
          if (dup) return fail(dup);
          const n = parseNumber(value);
          if (n === undefined) return fail(`"${part}": expected a finite number such as 0.1 or -40`);
          if (key === 'scale' && n === 0)
            return fail(`"${part}": a scale of 0 loses the value; expected a non-zero number`);
          if (key === 'scale') scale = n;
          else offset = n;
          break;
        }
        default:
          return fail(`unknown key "${key}" in "${part}"${didYouMean(key, KEYS)}; expected one of ${KEYS.join(', ')}`);
      }
      continue;
    }

    const upper = part.toUpperCase();
    if ((BYTE_ORDERS as readonly string[]).includes(upper)) {
      const dup = once('order', part);
      if (dup) return fail(dup);
      order = upper as ByteOrder;
      continue;
    }
    const lower = part.toLowerCase();
    const colon = lower.indexOf(':');
    const word = colon >= 0 ? lower.slice(0, colon) : lower;
    const arg = colon >= 0 ? lower.slice(colon + 1).trim() : undefined;
    if (word in NUMERIC_TYPES || word === 'string' || word === 'bit' || word === 'bool') {
      const dup = once('type', part);
      if (dup) return fail(dup);
      if (word === 'string') {
        const n = arg === undefined ? undefined : parseInteger(arg);
        if (n === undefined || n < 1 || n > MAX_STRING_REGISTERS) {
          return fail(
            `"${part}": expected string:<registers> with 1–${MAX_STRING_REGISTERS} registers (2 characters each)`,
          );
        }
        type = 'string';
        length = n;
      } else if (word === 'bit') {
        const n = arg === undefined ? undefined : parseInteger(arg);
        if (n === undefined || n > 15) return fail(`"${part}": expected bit:<0..15> (0 = least significant bit)`);
        type = 'bit';
        bit = n;
      } else {
        if (arg !== undefined) return fail(`"${part}": type ${word} takes no ":"; expected ${word}`);
        type = word as DataType;
        length = word === 'bool' ? 1 : NUMERIC_TYPES[word as NumericType];
      }
      continue;
    }
    if (/^[a-d]{4}$/.test(lower)) {
      return fail(
        `unknown order "${part}"; expected one of ABCD (big-endian), CDAB (word-swapped), BADC (byte-swapped), DCBA (little-endian)`,
      );
    }
    const candidates = [...TYPE_WORDS.map((t) => t.replace(/:.*/, '')), ...BYTE_ORDERS];
    return fail(
      `unknown part "${part}"${didYouMean(word, candidates)}; expected a type (${TYPE_WORDS.join(', ')}), ` +
        `an order (${BYTE_ORDERS.join(', ')}) or key=value (${KEYS.join(', ')})`,
    );
  }

  if (unitId === undefined) return fail(`no unit; ${ADDRESS_EXPECTED}`);
  if (table === undefined || address === undefined) return fail(`no register table; ${ADDRESS_EXPECTED}`);

  if (isBitTable(table)) {
    if (type !== undefined && type !== 'bool') {
      return fail(
        `${table}=${address} is a single bit; type ${seen.get('type')} applies to hr= or ir= (write bool or no type)`,
      );
    }
    if (order !== undefined) return fail(`${table}=${address} is a single bit; an order applies to registers only`);
    type = 'bool';
  } else {
    type ??= 'uint16';
    if (type === 'bool') {
      return fail(`bool applies to coil= and di=; expected bit:<0..15> for one bit of register ${table}=${address}`);
    }
  }
  if ((scale !== undefined || offset !== undefined) && valueTypeOf(type) !== 'number') {
    return fail(`scale and offset apply to numeric types only; ${type} values are ${valueTypeOf(type)}s`);
  }
  if (address + length > 65536) {
    return fail(`${table}=${address} with ${length} registers runs past the last address 65535`);
  }
  return {
    ok: true,
    address: {
      unitId,
      table,
      address,
      type,
      length,
      ...(bit !== undefined ? { bit } : {}),
      order: order ?? device?.byteOrder ?? ctx.devices.find((d) => d.unitId === unitId)?.byteOrder ?? ctx.defaultOrder,
      scale: scale ?? 1,
      offset: offset ?? 0,
    },
  };
}
