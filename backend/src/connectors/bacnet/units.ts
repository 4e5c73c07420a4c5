/**
 * BACnet engineering units (the `units` property, BACnetEngineeringUnits) → the unit spellings Plenum converts at
 * ingest (model/src/units.ts). Pure. The point's quantity picks between spellings of one BACnet unit that mean
 * different quantities in Plenum (`pascals`: a pressure or a differential pressure; `percent`: speed, position…).
 */
import { unitConversion, type Quantity, type UnitConversion } from '@plenum/model';

/** BACnet unit number → its name as ASHRAE 135 spells it, and Plenum's spelling (by quantity where it differs). */
const BACNET_UNITS: Record<number, { name: string; plenum: string | Partial<Record<Quantity | '*', string>> }> = {
  2: { name: 'milliamperes', plenum: 'mA' },
  3: { name: 'amperes', plenum: 'A' },
  5: { name: 'volts', plenum: 'V' },
  6: { name: 'kilovolts', plenum: 'kV' },
  8: { name: 'volt-amperes', plenum: 'VA' },
  9: { name: 'kilovolt-amperes', plenum: 'kVA' },
  10: { name: 'megavolt-amperes', plenum: 'MVA' },
  15: { name: 'power-factor', plenum: 'PF' },
  18: { name: 'watt-hours', plenum: 'Wh' },
  19: { name: 'kilowatt-hours', plenum: 'kWh' },
  27: { name: 'hertz', plenum: 'Hz' },
  29: { name: 'percent-relative-humidity', plenum: '%RH' },
  47: { name: 'watts', plenum: 'W' },
  48: { name: 'kilowatts', plenum: 'kW' },
  49: { name: 'megawatts', plenum: 'MW' },
  53: { name: 'pascals', plenum: { differentialPressure: 'Pa dp', '*': 'Pa' } },
  54: { name: 'kilopascals', plenum: 'kPa' },
  55: { name: 'bars', plenum: 'bar' },
  56: { name: 'pounds-force-per-square-inch', plenum: 'psi' },
  58: { name: 'inches-of-water', plenum: 'inH2O dp' },
  62: { name: 'degrees-celsius', plenum: '°C' },
  63: { name: 'degrees-kelvin', plenum: 'K' },
  64: { name: 'degrees-fahrenheit', plenum: '°F' },
  71: { name: 'hours', plenum: 'h' },
  72: { name: 'minutes', plenum: 'min' },
  73: { name: 'seconds', plenum: 's' },
  84: { name: 'cubic-feet-per-minute', plenum: 'cfm' },
  85: { name: 'cubic-meters-per-second', plenum: { airflow: 'm3/s air', '*': 'm3/s' } },
  87: { name: 'liters-per-second', plenum: 'l/s' },
  88: { name: 'liters-per-minute', plenum: 'l/min' },
  89: { name: 'us-gallons-per-minute', plenum: 'gpm' },
  95: { name: 'no-units', plenum: '' },
  98: { name: 'percent', plenum: { speed: '% speed', position: '% open', '*': '%' } },
  104: { name: 'revolutions-per-minute', plenum: 'rpm' },
  124: { name: 'millivolts', plenum: 'mV' },
  133: { name: 'hectopascals', plenum: 'hPa' },
  134: { name: 'millibars', plenum: 'mbar' },
  135: { name: 'cubic-meters-per-hour', plenum: { airflow: 'm³/h air', '*': 'm³/h' } },
  136: { name: 'liters-per-hour', plenum: 'l/h' },
  146: { name: 'megawatt-hours', plenum: 'MWh' },
  159: { name: 'milliseconds', plenum: 'ms' },
};

/** The BACnet unit number of a name (`degrees-celsius`), for the twin and tests. */
export const BACNET_UNIT_IDS: Record<string, number> = Object.fromEntries(
  Object.entries(BACNET_UNITS).map(([id, u]) => [u.name, Number(id)]),
);

export function bacnetUnitName(id: number): string {
  return BACNET_UNITS[id]?.name ?? `unit-${id}`;
}

/** Plenum's spelling of a BACnet unit for a point of `quantity`; undefined when Plenum has none. */
export function plenumUnitOf(id: number, quantity: Quantity): string | undefined {
  const u = BACNET_UNITS[id];
  if (!u) return undefined;
  return typeof u.plenum === 'string' ? u.plenum : (u.plenum[quantity] ?? u.plenum['*']);
}

/** The Plenum unit spelling the twin serves for a Plenum unit (`°C` → degrees-celsius), the reverse mapping. */
export function bacnetUnitOf(plenumUnit: string): number {
  for (const [id, u] of Object.entries(BACNET_UNITS)) {
    const spellings = typeof u.plenum === 'string' ? [u.plenum] : Object.values(u.plenum);
    if (spellings.includes(plenumUnit)) return Number(id);
  }
  return 95; // no-units
}

/**
 * How a value the device reports in BACnet unit `deviceUnit` becomes a value in the point's source unit:
 * `{scale, offset}` (pointValue = device × scale + offset), identity when they are the same unit, or an error
 * message naming both when the device measures something else (a wrong object, or a point with the wrong unit).
 * `no-units` (95) and units Plenum does not know are taken as the point's unit: counts and states carry none, and
 * many controllers leave analog values at no-units.
 */
export function deviceToPoint(
  deviceUnit: number,
  pointUnit: string,
  quantity: Quantity,
): { scale: number; offset: number } | { error: string } {
  const spelled = plenumUnitOf(deviceUnit, quantity);
  if (spelled === undefined || deviceUnit === 95 || spelled === pointUnit) return { scale: 1, offset: 0 };
  let dev: UnitConversion;
  let pt: UnitConversion;
  try {
    dev = unitConversion(spelled, quantity);
    pt = unitConversion(pointUnit, quantity);
  } catch {
    return {
      error: `the device reports units ${bacnetUnitName(deviceUnit)} (${deviceUnit}), which is not a ${quantity}; the point's unit is ${JSON.stringify(pointUnit)}`,
    };
  }
  if (dev.scale === pt.scale && dev.offset === pt.offset) return { scale: 1, offset: 0 };
  // point = (device × dev.scale + dev.offset − pt.offset) / pt.scale
  return { scale: dev.scale / pt.scale, offset: (dev.offset - pt.offset) / pt.scale };
}
