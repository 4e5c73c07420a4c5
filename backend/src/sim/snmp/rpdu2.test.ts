/** rpdu2.ts: a PDU reading as rPDU2's rows — encodings, load states, outlets adding up to the device. */
import type { PduReading } from '../model';
import { LOAD_STATE, TABLES, outletNames, scalarValues, tableRows, type PduContext } from './rpdu2';

const reading = (powerKw: number): PduReading => ({
  unitId: 7,
  rack: 'A07',
  assetPath: 'sim/hall1/A/A07/pdu',
  online: true,
  powerKw,
  energyKwh: 1234.56,
  voltageV: 415.4,
  currentA: 151.26,
  frequencyHz: 50,
  powerFactor: 0.98,
  ratedKw: 130,
});
const ctx = (powerKw: number): PduContext => ({
  reading: reading(powerKw),
  servers: 10,
  overheadW: 700,
  peakKw: 120.004,
  peakA: 170.05,
  upMs: 12_345,
});

describe('rPDU2 rows', () => {
  it('encodes the device and phases in the MIB’s units, one cell per column', () => {
    const rows = tableRows(ctx(104.567));
    for (const t of TABLES) for (const row of rows[t.name]!) expect(row).toHaveLength(t.columns.length);
    // index, module, name, loadState, power (0.01 kW), peak, energy (0.1 kWh), PSU alarm, kVA (0.01), PF (0.01)
    expect(rows.device).toEqual([[1, 1, 'A07 PDU', LOAD_STATE.nearOverload, 10457, 12000, 12346, 1, 10670, 98]]);
    expect(rows.phase).toHaveLength(3);
    // index, module, number, loadState, current (0.1 A), voltage (V), power, kVA (a third each), PF, peak current
    expect(rows.phase![1]).toEqual([2, 1, 2, LOAD_STATE.nearOverload, 1513, 415, 3486, 3557, 98, 1701]);
    expect(scalarValues(ctx(1))).toMatchObject({ sysName: 'a07-pdu', sysUpTime: 1234, phaseCount: 3, outletCount: 11 });
  });

  it('load state: normal below 80 % of the rating, near overload from 80 %, overload from 100 %', () => {
    expect(tableRows(ctx(103.9)).device![0]![3]).toBe(LOAD_STATE.normal);
    expect(tableRows(ctx(104)).device![0]![3]).toBe(LOAD_STATE.nearOverload);
    expect(tableRows(ctx(130)).device![0]![3]).toBe(LOAD_STATE.overload);
  });

  it('outlets: one per server and the switches, adding up to the device’s power', () => {
    expect(outletNames(3)).toEqual(['srv01', 'srv02', 'srv03', 'switches']);
    const metered = tableRows(ctx(88.2)).outletMetered!;
    expect(metered.map((r) => r[2])).toEqual(outletNames(10));
    // power (W) is column 7, the 7th cell
    const watts = metered.map((r) => r[6] as number);
    expect(watts.slice(0, 10).every((w) => w === 8750)).toBe(true);
    expect(watts[10]).toBe(700);
    expect(watts.reduce((a, b) => a + b, 0)).toBe(88_200);
  });
});
