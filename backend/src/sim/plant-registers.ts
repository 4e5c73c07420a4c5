/**
 * The register map of the chilled-water plant controller on Modbus TCP (unit id 100 by default, beside the PDUs'
 * 1…40): the same words in the holding (FC3) and input (FC4) tables from address 0, 32-bit values big-endian, high
 * word first (ABCD) as the PDUs'. The chilled-water supply setpoint is writable in the holding table twice over,
 * as plant controllers offer it: a float32 in °C (hr 4–5, FC16 of both registers) and an int16 in tenths of a °C
 * (hr 17, FC6 or FC16). The hall BMS's supervisor heartbeat is mirrored at hr 30 (uint16, FC6 or FC16; any value
 * renews the watchdog's lease, see model/supervisor.ts), after a reserved block that reads 0, so a supervisor that
 * writes the plant over Modbus only can heartbeat on the same unit. README.md has the table. Pure: no sockets, no
 * model.
 */
import type { Reading } from './model';

export type PlantRegisterType = 'float32' | 'int16' | 'uint16';

/**
 * What the map reads: the readings by signal name (`chw_supply_temp`, `chiller2_status`, …; the plant's, and the
 * BMS's for a register with `asset: 'bms'`).
 */
export type PlantReadings = (signal: string) => Reading | undefined;

export interface PlantRegister {
  /** 0-based register address (PDU addressing; mbpoll's `-r` is this + 1) */
  address: number;
  type: PlantRegisterType;
  /** the plant signal it carries (`chw_setpoint`); its reading is the value */
  signal: string;
  name: string;
  unit: string;
  /** int16 registers: the register holds round(value / scale), @default 1 */
  scale?: number;
  /** FC6 / FC16 write the signal through this register */
  writable?: true;
  /** the signal is the hall BMS's (its supervisory-control watchdog), not the plant's */
  asset?: 'bms';
}

/** Registers a 32-bit type spans. */
export function registerWidth(t: PlantRegisterType): number {
  return t === 'float32' ? 2 : 1;
}

/** First address of the chiller status registers; chiller k (1-based) is at CHILLER_STATUS_BASE + k − 1. */
export const CHILLER_STATUS_BASE = 21;

/**
 * Address of the BMS supervisor heartbeat: past the largest chiller block (8 chillers: 21–28), so it is the same
 * register whatever the plant; the addresses between the chillers and it are reserved and read 0.
 */
export const SUPERVISOR_HEARTBEAT_REGISTER = 30;

/**
 * The map for a plant of `chillers` chillers (at most 9, clear of the heartbeat): addresses 0…20 + chillers, then
 * reserved, then the supervisor heartbeat at 30.
 */
export function plantRegisters(chillers: number): PlantRegister[] {
  const out: PlantRegister[] = [
    { address: 0, type: 'float32', signal: 'chw_supply_temp', name: 'chilled-water supply temperature', unit: '°C' },
    { address: 2, type: 'float32', signal: 'chw_return_temp', name: 'chilled-water return temperature', unit: '°C' },
    {
      address: 4,
      type: 'float32',
      signal: 'chw_setpoint',
      name: 'chilled-water supply setpoint',
      unit: '°C',
      writable: true,
    },
    { address: 6, type: 'float32', signal: 'chw_flow', name: 'chilled-water flow', unit: 'l/min' },
    { address: 8, type: 'float32', signal: 'load', name: 'cooling load (heat into the loop)', unit: 'kW' },
    { address: 10, type: 'float32', signal: 'power', name: 'electric power, chillers and pumps', unit: 'kW' },
    { address: 12, type: 'float32', signal: 'outdoor_temp', name: 'outdoor air temperature', unit: '°C' },
    { address: 14, type: 'float32', signal: 'energy', name: 'electric energy (float32: ~7 digits)', unit: 'kWh' },
    { address: 16, type: 'uint16', signal: 'chillers_running', name: 'chillers running', unit: '' },
    {
      address: 17,
      type: 'int16',
      signal: 'chw_setpoint',
      name: 'chilled-water supply setpoint, 0.1 °C',
      unit: '°C',
      scale: 0.1,
      writable: true,
    },
    {
      address: 18,
      type: 'int16',
      signal: 'chw_supply_temp',
      name: 'chilled-water supply temperature, 0.1 °C',
      unit: '°C',
      scale: 0.1,
    },
    {
      address: 19,
      type: 'int16',
      signal: 'chw_return_temp',
      name: 'chilled-water return temperature, 0.1 °C',
      unit: '°C',
      scale: 0.1,
    },
    // a constant the reader can size the status block by
    { address: 20, type: 'uint16', signal: '', name: 'chillers installed', unit: '' },
  ];
  for (let k = 1; k <= chillers; k++) {
    out.push({
      address: CHILLER_STATUS_BASE + k - 1,
      type: 'uint16',
      signal: `chiller${k}_status`,
      name: `chiller ${k} status (0 off, 1 starting, 2 running, 3 tripped)`,
      unit: '',
    });
  }
  out.push({
    address: SUPERVISOR_HEARTBEAT_REGISTER,
    type: 'uint16',
    signal: 'supervisor_heartbeat',
    name: 'BMS supervisor heartbeat (any value renews the lease)',
    unit: '',
    writable: true,
    asset: 'bms',
  });
  return out;
}

/** Registers in the map (each table): addresses 0 … count − 1. */
export function plantRegisterCount(chillers: number): number {
  return Math.max(CHILLER_STATUS_BASE + chillers, SUPERVISOR_HEARTBEAT_REGISTER + 1);
}

/**
 * The register words of the plant. A reading that is missing or null encodes as 0 (the caller answers 0x0B
 * for an offline plant before it gets here).
 */
export function encodePlantRegisters(map: readonly PlantRegister[], chillers: number, read: PlantReadings): number[] {
  const count = plantRegisterCount(chillers);
  const buf = Buffer.alloc(count * 2);
  for (const f of map) {
    const v = f.signal === '' ? chillers : (read(f.signal)?.value ?? 0);
    const at = f.address * 2;
    if (f.type === 'float32') buf.writeFloatBE(v, at);
    else if (f.type === 'int16')
      buf.writeInt16BE(Math.max(-32768, Math.min(32767, Math.round(v / (f.scale ?? 1)))), at);
    else buf.writeUInt16BE(Math.max(0, Math.min(0xffff, Math.round(v))), at);
  }
  return Array.from({ length: count }, (_, i) => buf.readUInt16BE(i * 2));
}

/** A write the map refuses, with the Modbus exception code to answer (0x02 address, 0x03 value). */
export class PlantWriteError extends Error {
  constructor(
    readonly modbusErrorCode: 0x02 | 0x03,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The values a write of `words` at `address` (FC6: one word; FC16: several) sets, by signal, checked against
 * `ranges` (the model's writable ranges). Every register written must belong to a writable field and a float32
 * must be written whole (both registers), else 0x02; a value that is not finite or out of range, 0x03. Nothing is
 * returned unless every field is good, so a refused write changes nothing.
 */
export function decodePlantWrite(
  map: readonly PlantRegister[],
  address: number,
  words: readonly number[],
  ranges: ReadonlyMap<string, { min: number; max: number; unit: string }>,
): { signal: string; value: number }[] {
  if (words.length === 0) throw new PlantWriteError(0x03, 'a write of 0 registers');
  const end = address + words.length;
  const out: { signal: string; value: number }[] = [];
  for (let a = address; a < end;) {
    const f = map.find((x) => a >= x.address && a < x.address + registerWidth(x.type));
    if (!f) throw new PlantWriteError(0x02, `register ${a} does not exist in the plant map`);
    if (!f.writable) {
      const hint = map
        .filter((x) => x.writable)
        .map((x) => `${x.address}${x.type === 'float32' ? `–${x.address + 1}` : ''} (${x.type})`)
        .join(', ');
      throw new PlantWriteError(0x02, `register ${a} (${f.name}) is read-only; writable: ${hint}`);
    }
    const width = registerWidth(f.type);
    if (a !== f.address || f.address + width > end) {
      throw new PlantWriteError(
        0x02,
        `registers ${f.address}–${f.address + width - 1} hold one float32 (${f.name}): write both with FC16`,
      );
    }
    const at = a - address;
    let value: number;
    if (f.type === 'float32') {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(words[at] as number, 0);
      b.writeUInt16BE(words[at + 1] as number, 2);
      // float32 holds ~7 significant digits: 7.3 arrives as 7.300000190734863 and is meant as 7.3
      value = Number(b.readFloatBE(0).toPrecision(7));
    } else {
      const raw = words[at] as number;
      value = (f.type === 'int16' && raw >= 0x8000 ? raw - 0x10000 : raw) * (f.scale ?? 1);
      // tenths as decimals: 75 × 0.1 is 7.5, not 7.500000000000001
      value = Math.round(value * 1e6) / 1e6;
    }
    const range = ranges.get(f.signal);
    if (!Number.isFinite(value)) throw new PlantWriteError(0x03, `register ${a} (${f.name}): ${value} is not a number`);
    if (range && (value < range.min || value > range.max)) {
      throw new PlantWriteError(
        0x03,
        `register ${a} (${f.name}): ${value} ${range.unit} is out of range; allowed ${range.min}–${range.max} ${range.unit}`,
      );
    }
    out.push({ signal: f.signal, value });
    a += width;
  }
  return out;
}
