/**
 * The twin's rack PDU as APC PowerNet-MIB rPDU2 (`1.3.6.1.4.1.318.1.1.26`) shapes it — what an AP8xxx Metered-by-
 * Outlet Switched PDU with a three-phase feed answers — plus the MIB-2 system group. Pure: a PduReading in, the
 * table rows out, in the MIB's own encodings (INTEGERs in hundredths of kW, tenths of A and of kWh, whole volts),
 * the ones the connector's `apc-rpdu2` profile reads (connectors/snmp/profiles/apc-rpdu2.yaml). README.md has the
 * table of what is served.
 */
import type { PduReading } from '../model';

export const RPDU2 = '1.3.6.1.4.1.318.1.1.26';

/** An OID-valued, text or whole-number cell. */
export type CellType = 'integer' | 'string' | 'oid' | 'timeticks';

export interface ColumnSpec {
  number: number;
  name: string;
  type: CellType;
}

export interface TableSpec {
  /** provider name, and the profile's table name where it has one */
  name: string;
  /** the table's entry OID (`…Entry`); column c of row i is `<entry>.<c>.<i>` */
  entry: string;
  /** column 1 is the row index (read-only, as APC serves it) */
  columns: ColumnSpec[];
}

export interface ScalarSpec {
  name: string;
  /** the object's OID without the `.0` instance */
  oid: string;
  type: CellType;
}

/** What each PDU needs beside its reading: where it is and how its rack is built. */
export interface PduContext {
  reading: PduReading;
  /** servers in the rack: one metered outlet each (params.serversPerRack) */
  servers: number;
  /** W the rack's switches and management draw (params.rackOverheadW): one more outlet */
  overheadW: number;
  /** highest device power this face has served, kW (rPDU2's peak power since its last reset) */
  peakKw: number;
  /** highest phase current served, A */
  peakA: number;
  /** ms since the face started: sysUpTime */
  upMs: number;
}

/** three phases of the rack feed (the twin's voltage is line to line, its current per phase) */
export const PHASES = 3;

const int = (n: number, name: string): ColumnSpec => ({ number: n, name, type: 'integer' });
const str = (n: number, name: string): ColumnSpec => ({ number: n, name, type: 'string' });

export const SCALARS: readonly ScalarSpec[] = [
  { name: 'sysDescr', oid: '1.3.6.1.2.1.1.1', type: 'string' },
  { name: 'sysObjectID', oid: '1.3.6.1.2.1.1.2', type: 'oid' },
  { name: 'sysUpTime', oid: '1.3.6.1.2.1.1.3', type: 'timeticks' },
  { name: 'sysName', oid: '1.3.6.1.2.1.1.5', type: 'string' },
  { name: 'sysLocation', oid: '1.3.6.1.2.1.1.6', type: 'string' },
  { name: 'deviceCount', oid: `${RPDU2}.3`, type: 'integer' },
  { name: 'phaseCount', oid: `${RPDU2}.5`, type: 'integer' },
  { name: 'outletCount', oid: `${RPDU2}.9.1`, type: 'integer' },
];

export const TABLES: readonly TableSpec[] = [
  {
    name: 'ident',
    entry: `${RPDU2}.2.1`,
    columns: [int(1, 'index'), int(2, 'module'), str(3, 'name'), str(4, 'location'), str(6, 'firmware')].concat([
      str(8, 'model'),
      str(9, 'serial'),
    ]),
  },
  {
    name: 'device',
    entry: `${RPDU2}.4.3.1`,
    columns: [int(1, 'index'), int(2, 'module'), str(3, 'name'), int(4, 'loadState'), int(5, 'power')].concat([
      int(6, 'peakPower'),
      int(9, 'energy'),
      int(12, 'powerSupplyAlarm'),
      int(16, 'apparentPower'),
      int(17, 'powerFactor'),
    ]),
  },
  {
    name: 'phase',
    entry: `${RPDU2}.6.3.1`,
    columns: [int(1, 'index'), int(2, 'module'), int(3, 'number'), int(4, 'loadState'), int(5, 'current')].concat([
      int(6, 'voltage'),
      int(7, 'power'),
      int(8, 'apparentPower'),
      int(9, 'powerFactor'),
      int(10, 'peakCurrent'),
    ]),
  },
  {
    name: 'outlet',
    entry: `${RPDU2}.9.2.3.1`,
    columns: [int(1, 'index'), int(2, 'module'), str(3, 'name'), int(4, 'number'), int(5, 'state')].concat([
      int(6, 'commandPending'),
    ]),
  },
  {
    name: 'outletMetered',
    entry: `${RPDU2}.9.4.3.1`,
    columns: [int(1, 'index'), int(2, 'module'), str(3, 'name'), int(4, 'number'), int(5, 'state')].concat([
      int(6, 'current'),
      int(7, 'power'),
      str(12, 'type'),
    ]),
  },
];

/** rPDU2's load states */
export const LOAD_STATE = { lowLoad: 1, normal: 2, nearOverload: 3, overload: 4 } as const;

/** APC's enterprise product OID for a switched rack PDU (sysObjectID of an AP8xxx). */
const SYS_OBJECT_ID = '1.3.6.1.4.1.318.1.3.4.6';

/** Near overload at 80 % of the rack's rating, overload at 100 % — the bits of the Modbus status register. */
function loadState(kw: number, ratedKw: number): number {
  if (kw >= ratedKw) return LOAD_STATE.overload;
  if (kw >= 0.8 * ratedKw) return LOAD_STATE.nearOverload;
  return LOAD_STATE.normal;
}

/** The names of the rack's outlets: one per server (`srv01` …), then the switches. */
export function outletNames(servers: number): string[] {
  return [...Array.from({ length: servers }, (_, i) => `srv${String(i + 1).padStart(2, '0')}`), 'switches'];
}

/** Scalar name → value. */
export function scalarValues(c: PduContext): Record<string, string | number> {
  const p = c.reading;
  return {
    sysDescr: `Plenum twin rack PDU (APC rPDU2-shaped) of rack ${p.rack}`,
    sysObjectID: SYS_OBJECT_ID,
    // TimeTicks: hundredths of a second
    sysUpTime: Math.floor(c.upMs / 10) % 2 ** 32,
    sysName: `${p.rack.toLowerCase()}-pdu`,
    sysLocation: p.assetPath,
    deviceCount: 1,
    phaseCount: PHASES,
    outletCount: c.servers + 1,
  };
}

const round = (x: number) => Math.round(x);

/**
 * Table name → rows, each in its columns' order (index first). Rounding is the MIB's: power in hundredths of kW,
 * energy and currents in tenths, volts whole, power factor in hundredths.
 */
export function tableRows(c: PduContext): Record<string, Array<Array<string | number>>> {
  const p = c.reading;
  const kva = p.powerFactor > 0 ? p.powerKw / p.powerFactor : 0;
  const state = loadState(p.powerKw, p.ratedKw);
  const names = outletNames(c.servers);
  // servers share what the switches leave, as the model builds a rack (params.rackPowerW)
  const serverW = Math.max(0, (p.powerKw * 1000 - c.overheadW) / c.servers);
  // a single-phase outlet between a phase and neutral: V_LN = V_LL / √3
  const vln = p.voltageV / Math.sqrt(3);
  const outletW = (i: number) => (i < c.servers ? serverW : Math.min(c.overheadW, p.powerKw * 1000));
  const amps = (w: number) => (vln > 0 && p.powerFactor > 0 ? w / (vln * p.powerFactor) : 0);
  return {
    ident: [[1, 1, `${p.rack} PDU`, p.assetPath, 'v6.9.6 (Plenum twin)', 'AP8886 (twin)', `TWIN${p.unitId}`]],
    device: [
      [
        1,
        1,
        `${p.rack} PDU`,
        state,
        round(p.powerKw * 100),
        round(c.peakKw * 100),
        round(p.energyKwh * 10),
        1,
        round(kva * 100),
        round(p.powerFactor * 100),
      ],
    ],
    phase: Array.from({ length: PHASES }, (_, i) => [
      i + 1,
      1,
      i + 1,
      // a phase carries a third of the load and a third of the rating: the same state
      state,
      round(p.currentA * 10),
      round(p.voltageV),
      round((p.powerKw / PHASES) * 100),
      round((kva / PHASES) * 100),
      round(p.powerFactor * 100),
      round(c.peakA * 10),
    ]),
    outlet: names.map((name, i) => [i + 1, 1, name, i + 1, 2, 2]),
    outletMetered: names.map((name, i) => [
      i + 1,
      1,
      name,
      i + 1,
      2,
      round(amps(outletW(i)) * 10),
      round(outletW(i)),
      i < c.servers ? 'IEC C19' : 'IEC C13',
    ]),
  };
}
