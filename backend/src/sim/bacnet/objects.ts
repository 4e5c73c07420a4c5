/**
 * The twin's BACnet object map (pure): the hall BMS as one BACnet device whose objects are the CRAHs' and the
 * chilled-water plant's signals. Instance numbers are fixed by position so a site config can template them:
 * CRAH k (the k-th CRAH of the hall, 1-based) holds instances k·100 + i, the plant 9000 + i, where i is the
 * signal's 1-based position in the model's signal list of that asset (model/signals.ts; README "BACnet").
 *
 * | signal | object type |
 * | --- | --- |
 * | a writable setpoint (`supply_setpoint`, `chw_setpoint`, …) | analog-value, commandable (priority array) |
 * | an override (`fan_override`, `valve_override`) | analog-output, commandable; all slots empty: the BMS's loop |
 * | a 0/1 status (`run_status`, `fan_mode`, `valve_mode`, `valve_control`) | binary-input |
 * | a chiller's status (0 off, 1 starting, 2 running, 3 tripped) | analog-input, no-units: the same code as over OPC UA and Modbus; and, as BMSs show it, a multi-state-input at 9500 + N (chiller N) counting from 1 with state-text off, starting, running, tripped |
 * | any other measurement | analog-input |
 */
import type { SignalInfo } from '../model';

/** BACnet object type numbers (ASHRAE 135 BACnetObjectType) the twin serves. */
export const BAC_TYPE = { AI: 0, AO: 1, AV: 2, BI: 3, MSI: 13, DEVICE: 8 } as const;

/** BACnetEngineeringUnits of the simulator's units: written out here, independent of the connector's table. */
export const TWIN_UNITS: Record<string, number> = {
  '°C': 62, // degrees-celsius
  '%': 98, // percent
  Pa: 53, // pascals
  'm³/h': 135, // cubic-meters-per-hour
  kW: 48, // kilowatts
  kWh: 19, // kilowatt-hours
  'l/min': 88, // liters-per-minute
  s: 73, // seconds
  '': 95, // no-units
};

export const PLANT_BASE = 9000;
/** chiller N's status as a multi-state-input: instance MULTI_STATE_BASE + N */
export const MULTI_STATE_BASE = 9500;
/** state-text of a chiller status (present-value k is the (k−1)-th code of the model) */
export const CHILLER_STATES = ['off', 'starting', 'running', 'tripped'];

export interface TwinObject {
  type: number;
  instance: number;
  /** the model's point */
  pointId: string;
  signal: SignalInfo;
  /** `crah1.supply_temp` */
  name: string;
  units: number;
  commandable: boolean;
  /** multi-state: state texts */
  states?: string[];
}

export const objectKey = (type: number, instance: number) => `${type}:${instance}`;

/** The object type the twin serves a signal as (the table above). */
export function typeOf(s: Pick<SignalInfo, 'signal' | 'kind' | 'writable' | 'min' | 'max'>): {
  type: number;
  states?: string[];
} {
  if (s.writable && s.kind === 'command') return { type: BAC_TYPE.AO };
  if (s.writable) return { type: BAC_TYPE.AV };
  if (s.kind === 'status' && s.min === 0 && s.max === 1) return { type: BAC_TYPE.BI };
  return { type: BAC_TYPE.AI };
}

/** The objects of the CRAHs and the plant, from the model's signal list, in that order. */
export function twinObjects(signals: readonly SignalInfo[], crahs: readonly string[], plant: string): TwinObject[] {
  const out: TwinObject[] = [];
  const position = new Map<string, number>();
  for (const s of signals) {
    const asset = s.assetPath.split('/').pop()!;
    const k = crahs.indexOf(asset);
    const base = k >= 0 ? (k + 1) * 100 : asset === plant ? PLANT_BASE : undefined;
    if (base === undefined) continue;
    const i = (position.get(asset) ?? 0) + 1;
    position.set(asset, i);
    const t = typeOf(s);
    out.push({
      type: t.type,
      instance: base + i,
      pointId: s.id,
      signal: s,
      name: `${asset}.${s.signal}`,
      units: TWIN_UNITS[s.unit] ?? 95,
      commandable: t.type === BAC_TYPE.AO || t.type === BAC_TYPE.AV,
      ...(t.states && { states: t.states }),
    });
    const chiller = asset === plant ? /^chiller(\d+)_status$/.exec(s.signal) : null;
    if (chiller)
      out.push({
        type: BAC_TYPE.MSI,
        instance: MULTI_STATE_BASE + Number(chiller[1]),
        pointId: s.id,
        signal: s,
        name: `${asset}.${s.signal}_state`,
        units: 95,
        commandable: false,
        states: CHILLER_STATES,
      });
  }
  return out;
}

/** The value in effect of a priority array: the first non-null slot (1 is the most important), else undefined. */
export function effective(slots: ReadonlyArray<number | null>): { value: number; priority: number } | undefined {
  for (let i = 0; i < slots.length; i++) {
    const v = slots[i];
    if (v !== null && v !== undefined) return { value: v, priority: i + 1 };
  }
  return undefined;
}
