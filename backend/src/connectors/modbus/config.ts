import { z } from 'zod';
import { ms, strict, wholeNumber } from '../common/options';
import { SLUG_PATTERN } from '../../config/schema';

/**
 * How the bytes of a multi-byte value sit in its registers, named by where the big-endian bytes `A B C D` of a
 * 32-bit value land on the wire: `ABCD` big-endian words and bytes (the Modbus default), `CDAB` word-swapped,
 * `BADC` byte-swapped within each word, `DCBA` fully little-endian. 64-bit values extend the same rule.
 */
export const BYTE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export type ByteOrder = (typeof BYTE_ORDERS)[number];

export const TRANSPORTS = ['tcp', 'rtu-over-tcp', 'rtu'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const PARITIES = ['none', 'even', 'odd'] as const;

/**
 * Function codes a device takes for writes. `single`: FC5 for a coil, FC6 for a 16-bit register (and a `bit:`),
 * FC16 for values of several registers (32/64-bit numbers, strings). `multiple`: FC15 for coils and FC16 for every
 * register write, for devices and gateways that implement only the "multiple" functions (they answer FC5/FC6
 * with exception 1).
 */
export const WRITE_FUNCTIONS = ['single', 'multiple'] as const;
export type WriteFunctions = (typeof WRITE_FUNCTIONS)[number];

/** Modbus read limits from the specification: 125 registers (FC 3/4) and 2000 bits (FC 1/2) per request. */
export const MAX_REGISTERS_PER_READ = 125;
export const MAX_BITS_PER_READ = 2000;

/** Every default of the options, beside the schema. */
export const MODBUS_DEFAULTS = {
  port: 502,
  transport: 'tcp',
  timeoutMs: 1000,
  connectTimeoutMs: 3000,
  retries: 1,
  pauseMs: 0,
  maxGap: 10,
  maxRegistersPerRead: MAX_REGISTERS_PER_READ,
  maxBitsPerRead: MAX_BITS_PER_READ,
  defaultByteOrder: 'ABCD',
  baudRate: 9600,
  parity: 'none',
  dataBits: 8,
  stopBits: 1,
  writeFunctions: 'single',
} as const;

/** Unit ids a request may address: 1–247 on a serial line, 255 for a Modbus TCP device addressed directly. */
export function isUnitId(n: number): boolean {
  return Number.isInteger(n) && ((n >= 1 && n <= 247) || n === 255);
}
export const UNIT_ID_EXPECTED = 'expected a unit id 1–247 (or 255 for a Modbus TCP device addressed directly)';

const byteOrder = (field: string) =>
  z.enum(BYTE_ORDERS, { error: `${field}: expected one of ${BYTE_ORDERS.join(', ')}` });

const writeFunctions = () =>
  z.enum(WRITE_FUNCTIONS, {
    error: `writeFunctions: expected ${WRITE_FUNCTIONS.join(' or ')} (multiple: the device takes only FC15/FC16)`,
  });

/** A unit behind the gateway with a name, for addresses (`device=pdu-a`) and per-unit overrides. */
export const modbusDevice = strict({
  name: z
    .string({ error: 'name: expected a device name' })
    .regex(SLUG_PATTERN, 'name: expected a slug: letters, digits, "_", "." and "-", not starting with "." or "-"')
    .describe('device name, used in point addresses as `device=<name>` and in messages'),
  unitId: z
    .number({ error: `unitId: ${UNIT_ID_EXPECTED}` })
    .refine(isUnitId, `unitId: ${UNIT_ID_EXPECTED}`)
    .describe('Modbus unit id (slave address) of the device: 1–247, or 255 for a Modbus TCP device'),
  timeoutMs: ms('timeoutMs', 1, 60_000)
    .optional()
    .describe('response timeout for this unit in ms, @default the source timeoutMs'),
  retries: wholeNumber('retries', 0, 10, 'a whole number of retries 0–10')
    .optional()
    .describe('retries after a timeout for this unit, @default the source retries'),
  byteOrder: byteOrder('byteOrder')
    .optional()
    .describe('default byte/word order of this unit’s multi-register values, @default the source defaultByteOrder'),
  maxRegistersPerRead: wholeNumber('maxRegistersPerRead', 1, MAX_REGISTERS_PER_READ, 'a whole number 1–125')
    .optional()
    .describe('largest register read this unit accepts, @default the source maxRegistersPerRead'),
  maxGap: wholeNumber('maxGap', 0, MAX_REGISTERS_PER_READ, 'a whole number of registers 0–125')
    .optional()
    .describe('unused registers a read may span for this unit, @default the source maxGap'),
  writeFunctions: writeFunctions()
    .optional()
    .describe(
      'function codes this unit takes for writes: `single` (FC5/FC6, FC16 for several registers) or `multiple` (FC15/FC16 only), @default the source writeFunctions',
    ),
});

export type ModbusDevice = z.infer<typeof modbusDevice>;

/** Options of a `modbus` source: one gateway connection (TCP, RTU over TCP, or a serial line). */
export const modbusOptions = strict({
  transport: z
    .enum(TRANSPORTS, { error: `transport: expected one of ${TRANSPORTS.join(', ')}` })
    .default(MODBUS_DEFAULTS.transport)
    .describe(
      '`tcp` (Modbus TCP, MBAP framing), `rtu-over-tcp` (RTU frames with CRC through a transparent TCP gateway), `rtu` (a local serial port); @default tcp',
    ),
  host: z
    .string({ error: 'host: expected a host name or IP address' })
    .min(1, 'host: expected a host name or IP address')
    .optional()
    .describe('gateway or device address, required for tcp and rtu-over-tcp'),
  port: wholeNumber('port', 1, 65535, 'a TCP port 1–65535')
    .default(MODBUS_DEFAULTS.port)
    .describe('TCP port, @default 502'),
  path: z
    .string({ error: 'path: expected a serial device path such as /dev/ttyUSB0' })
    .min(1, 'path: expected a serial device path such as /dev/ttyUSB0')
    .optional()
    .describe('serial device (transport rtu), e.g. /dev/ttyUSB0'),
  baudRate: wholeNumber('baudRate', 300, 921_600, 'a baud rate 300–921600')
    .default(MODBUS_DEFAULTS.baudRate)
    .describe('serial baud rate (transport rtu), @default 9600'),
  parity: z
    .enum(PARITIES, { error: `parity: expected one of ${PARITIES.join(', ')}` })
    .default(MODBUS_DEFAULTS.parity)
    .describe('serial parity (transport rtu), @default none'),
  dataBits: z
    .union([z.literal(7), z.literal(8)], { error: 'dataBits: expected 7 or 8' })
    .default(MODBUS_DEFAULTS.dataBits)
    .describe('serial data bits (transport rtu), @default 8'),
  stopBits: z
    .union([z.literal(1), z.literal(2)], { error: 'stopBits: expected 1 or 2' })
    .default(MODBUS_DEFAULTS.stopBits)
    .describe('serial stop bits (transport rtu), @default 1'),
  timeoutMs: ms('timeoutMs', 1, 60_000)
    .default(MODBUS_DEFAULTS.timeoutMs)
    .describe('response timeout per request in ms, @default 1000'),
  connectTimeoutMs: ms('connectTimeoutMs', 1, 60_000)
    .default(MODBUS_DEFAULTS.connectTimeoutMs)
    .describe('TCP connect / serial open timeout in ms, @default 3000'),
  retries: wholeNumber('retries', 0, 10, 'a whole number of retries 0–10')
    .default(MODBUS_DEFAULTS.retries)
    .describe('retries of a request after a timeout, a malformed answer or a busy device, @default 1'),
  pauseMs: ms('pauseMs', 0, 10_000)
    .default(MODBUS_DEFAULTS.pauseMs)
    .describe('pause after each answer before the next request, ms (slow gateways, RS-485 turnaround), @default 0'),
  maxGap: wholeNumber('maxGap', 0, MAX_REGISTERS_PER_READ, 'a whole number of registers 0–125')
    .default(MODBUS_DEFAULTS.maxGap)
    .describe('unused registers a read may span to join two ranges (bit tables: 16 bits per register), @default 10'),
  maxRegistersPerRead: wholeNumber('maxRegistersPerRead', 1, MAX_REGISTERS_PER_READ, 'a whole number 1–125')
    .default(MODBUS_DEFAULTS.maxRegistersPerRead)
    .describe('largest holding/input register read, @default 125 (the protocol maximum)'),
  maxBitsPerRead: wholeNumber('maxBitsPerRead', 1, MAX_BITS_PER_READ, 'a whole number 1–2000')
    .default(MODBUS_DEFAULTS.maxBitsPerRead)
    .describe('largest coil/discrete-input read, @default 2000 (the protocol maximum)'),
  defaultByteOrder: byteOrder('defaultByteOrder')
    .default(MODBUS_DEFAULTS.defaultByteOrder)
    .describe('byte/word order of multi-register values whose address names none, @default ABCD'),
  writeFunctions: writeFunctions()
    .default(MODBUS_DEFAULTS.writeFunctions)
    .describe(
      'function codes for writes: `single` (FC5 one coil, FC6 one register, FC16 for 32/64-bit values and strings) or `multiple` (FC15 and FC16 only, for devices that answer FC5/FC6 with exception 1), @default single',
    ),
  devices: z
    .array(modbusDevice, { error: 'devices: expected a list of {name, unitId, …}' })
    .default([])
    .describe('named units behind the gateway, with per-unit overrides, @default []'),
}).superRefine((o, ctx) => {
  const serial = o.transport === 'rtu';
  if (!serial && o.host === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['host'],
      message: `host is required with transport ${o.transport}; expected a host name or IP address`,
    });
  }
  if (serial && o.path === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['path'],
      message: 'path is required with transport rtu; expected a serial device such as /dev/ttyUSB0',
    });
  }
  if (!serial && o.path !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['path'],
      message: `path applies to transport rtu only; expected no path with transport ${o.transport} (or transport: rtu)`,
    });
  }
  if (serial && o.host !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['host'],
      message: 'host applies to tcp and rtu-over-tcp only; expected path with transport rtu',
    });
  }
  const names = new Map<string, number>();
  const units = new Map<number, number>();
  o.devices.forEach((d, i) => {
    const sameName = names.get(d.name);
    if (sameName !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['devices', i, 'name'],
        message: `duplicate device name "${d.name}" (first at devices[${sameName}]); expected unique names`,
      });
    } else names.set(d.name, i);
    const sameUnit = units.get(d.unitId);
    if (sameUnit !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['devices', i, 'unitId'],
        message: `unit id ${d.unitId} of device "${d.name}" is already used by devices[${sameUnit}]; expected one device per unit id`,
      });
    } else units.set(d.unitId, i);
  });
});

export type ModbusOptions = z.infer<typeof modbusOptions>;
/** The options as written in plenum.yaml (defaults not yet applied). */
export type ModbusOptionsInput = z.input<typeof modbusOptions>;
