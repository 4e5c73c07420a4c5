/**
 * The register map of a simulated rack PDU: the same 20 registers in the holding (FC3) and input (FC4) tables
 * from address 0. 32-bit values are big-endian, high word first (ABCD). README.md has the table.
 */
import type { PduReading } from './model';

export type RegisterType = 'float32' | 'uint32' | 'uint16';

export interface RegisterField {
  /** 0-based register address (PDU addressing; mbpoll's `-r` is this + 1) */
  address: number;
  type: RegisterType;
  name: string;
  unit: string;
  value: (p: PduReading) => number;
}

/** Status register bits. */
export const PDU_STATUS = {
  /** outlet power on (always set while the PDU answers) */
  powered: 1 << 0,
  /** load at or above 80 % of the rack's rated power */
  loadHigh: 1 << 1,
  /** load at or above the rack's rated power */
  overload: 1 << 2,
} as const;

function status(p: PduReading): number {
  let s = PDU_STATUS.powered;
  if (p.powerKw >= 0.8 * p.ratedKw) s |= PDU_STATUS.loadHigh;
  if (p.powerKw >= p.ratedKw) s |= PDU_STATUS.overload;
  return s;
}

export const PDU_REGISTERS: readonly RegisterField[] = [
  { address: 0, type: 'float32', name: 'active power', unit: 'kW', value: (p) => p.powerKw },
  { address: 2, type: 'float32', name: 'active energy', unit: 'kWh', value: (p) => p.energyKwh },
  { address: 4, type: 'float32', name: 'voltage, line to line', unit: 'V', value: (p) => p.voltageV },
  { address: 6, type: 'float32', name: 'current, per phase', unit: 'A', value: (p) => p.currentA },
  // Wh as an integer: a counter that clients can difference exactly; wraps at 2^32 Wh (4.29 GWh)
  { address: 8, type: 'uint32', name: 'active energy', unit: 'Wh', value: (p) => Math.round(p.energyKwh * 1000) },
  {
    address: 10,
    type: 'uint16',
    name: 'status bits (1 powered, 2 load ≥ 80 % rated, 4 load ≥ rated)',
    unit: '',
    value: status,
  },
  { address: 11, type: 'uint16', name: 'Modbus unit id', unit: '', value: (p) => p.unitId },
  { address: 12, type: 'float32', name: 'apparent power', unit: 'kVA', value: (p) => p.powerKw / p.powerFactor },
  { address: 14, type: 'float32', name: 'power factor', unit: '', value: (p) => p.powerFactor },
  { address: 16, type: 'float32', name: 'frequency', unit: 'Hz', value: (p) => p.frequencyHz },
  { address: 18, type: 'float32', name: 'rated power of the rack', unit: 'kW', value: (p) => p.ratedKw },
];

/** Registers per table: addresses 0…19. */
export const PDU_REGISTER_COUNT = 20;

/** The 20 register words of one PDU. */
export function encodePduRegisters(p: PduReading): number[] {
  const buf = Buffer.alloc(PDU_REGISTER_COUNT * 2);
  for (const f of PDU_REGISTERS) {
    const v = f.value(p);
    const at = f.address * 2;
    if (f.type === 'float32') buf.writeFloatBE(v, at);
    else if (f.type === 'uint32') buf.writeUInt32BE(((v % 2 ** 32) + 2 ** 32) % 2 ** 32, at);
    else buf.writeUInt16BE(v & 0xffff, at);
  }
  return Array.from({ length: PDU_REGISTER_COUNT }, (_, i) => buf.readUInt16BE(i * 2));
}
