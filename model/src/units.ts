/**
 * Quantities, their canonical units and the conversions applied once, at ingest. A point declares the unit its
 * source speaks (`°F`, `W`, `gpm`, …); the connector pipeline converts every value to the quantity's canonical
 * unit, so the historian, the API and every panel only ever see canonical units.
 */

export type Quantity =
  | 'temperature'
  | 'power'
  | 'apparentPower'
  | 'energy'
  | 'flow'
  | 'airflow'
  | 'humidity'
  | 'pressure'
  | 'differentialPressure'
  | 'speed'
  | 'rotation'
  | 'position'
  | 'utilization'
  | 'voltage'
  | 'current'
  | 'frequency'
  | 'powerFactor'
  | 'duration'
  | 'state'
  | 'count';

export interface CanonicalUnit {
  /** symbol shown to people */
  symbol: string;
  /** Grafana unit id (`fieldConfig.defaults.unit`), so panels format values without hand work */
  grafanaUnit: string;
  /** what the quantity is, for tooltips and the catalog */
  description: string;
}

export const CANONICAL_UNITS: Readonly<Record<Quantity, CanonicalUnit>> = {
  temperature: { symbol: '°C', grafanaUnit: 'celsius', description: 'temperature' },
  power: { symbol: 'kW', grafanaUnit: 'kwatt', description: 'active power' },
  apparentPower: { symbol: 'kVA', grafanaUnit: 'kvoltamp', description: 'apparent power' },
  energy: { symbol: 'kWh', grafanaUnit: 'kwatth', description: 'active energy' },
  flow: { symbol: 'l/min', grafanaUnit: 'flowlpm', description: 'liquid flow' },
  airflow: { symbol: 'm³/h', grafanaUnit: 'suffix: m³/h', description: 'air volume flow' },
  humidity: { symbol: '%RH', grafanaUnit: 'humidity', description: 'relative humidity' },
  pressure: { symbol: 'kPa', grafanaUnit: 'pressurekpa', description: 'pressure' },
  differentialPressure: { symbol: 'Pa', grafanaUnit: 'pressurepa', description: 'differential pressure' },
  speed: { symbol: '%', grafanaUnit: 'percent', description: 'fan or pump speed, percent of maximum' },
  rotation: { symbol: 'rpm', grafanaUnit: 'rotrpm', description: 'rotational speed' },
  position: { symbol: '%', grafanaUnit: 'percent', description: 'valve or damper position, percent open' },
  utilization: { symbol: '%', grafanaUnit: 'percent', description: 'utilisation' },
  voltage: { symbol: 'V', grafanaUnit: 'volt', description: 'voltage' },
  current: { symbol: 'A', grafanaUnit: 'amp', description: 'current' },
  frequency: { symbol: 'Hz', grafanaUnit: 'hertz', description: 'frequency' },
  powerFactor: { symbol: '', grafanaUnit: 'none', description: 'power factor, 0…1' },
  duration: { symbol: 's', grafanaUnit: 's', description: 'duration (a lease, a delay)' },
  state: { symbol: '', grafanaUnit: 'none', description: 'discrete state or status code' },
  count: { symbol: '', grafanaUnit: 'short', description: 'count' },
};

export const QUANTITIES = Object.keys(CANONICAL_UNITS) as Quantity[];

/** `canonical = source * scale + offset` */
export interface UnitConversion {
  quantity: Quantity;
  scale: number;
  offset: number;
}

const same = (quantity: Quantity): UnitConversion => ({ quantity, scale: 1, offset: 0 });
const times = (quantity: Quantity, scale: number): UnitConversion => ({ quantity, scale, offset: 0 });

/** US gallon in litres (exact by definition) */
const GALLON_L = 3.785411784;
/** cubic foot in cubic metres (exact by definition) */
const CUBIC_FOOT_M3 = 0.028316846592;

/**
 * Every source unit Plenum understands, by the spellings people write in configs. Keys are matched exactly
 * after trimming; `unitConversion` lists them in its error so a typo is easy to fix.
 */
export const SOURCE_UNITS: Readonly<Record<string, UnitConversion>> = {
  // temperature
  '°C': same('temperature'),
  degC: same('temperature'),
  C: same('temperature'),
  '°F': { quantity: 'temperature', scale: 5 / 9, offset: (-32 * 5) / 9 },
  degF: { quantity: 'temperature', scale: 5 / 9, offset: (-32 * 5) / 9 },
  F: { quantity: 'temperature', scale: 5 / 9, offset: (-32 * 5) / 9 },
  K: { quantity: 'temperature', scale: 1, offset: -273.15 },
  // power
  mW: times('power', 1e-6),
  W: times('power', 1e-3),
  kW: same('power'),
  MW: times('power', 1e3),
  VA: times('apparentPower', 1e-3),
  kVA: same('apparentPower'),
  MVA: times('apparentPower', 1e3),
  // energy
  Wh: times('energy', 1e-3),
  kWh: same('energy'),
  MWh: times('energy', 1e3),
  J: times('energy', 1 / 3.6e6),
  kJ: times('energy', 1 / 3.6e3),
  MJ: times('energy', 1 / 3.6),
  // liquid flow
  'l/min': same('flow'),
  'L/min': same('flow'),
  lpm: same('flow'),
  'l/s': times('flow', 60),
  'L/s': times('flow', 60),
  'l/h': times('flow', 1 / 60),
  'L/h': times('flow', 1 / 60),
  'm3/h': times('flow', 1000 / 60),
  'm³/h': times('flow', 1000 / 60),
  gpm: times('flow', GALLON_L),
  'gal/min': times('flow', GALLON_L),
  // air flow
  'm3/h air': same('airflow'),
  'm³/h air': same('airflow'),
  'm3/s air': times('airflow', 3600),
  cfm: times('airflow', CUBIC_FOOT_M3 * 60),
  // humidity
  '%RH': same('humidity'),
  RH: same('humidity'),
  // pressure
  Pa: times('pressure', 1e-3),
  hPa: times('pressure', 0.1),
  kPa: same('pressure'),
  mbar: times('pressure', 0.1),
  bar: times('pressure', 100),
  psi: times('pressure', 6.894757293168361),
  'Pa dp': same('differentialPressure'),
  'inH2O dp': times('differentialPressure', 249.08891),
  // speed, position, utilisation (percent), and the same as a 0…1 ratio
  '%': same('utilization'),
  percent: same('utilization'),
  ratio: times('utilization', 100),
  '% speed': same('speed'),
  '% open': same('position'),
  rpm: same('rotation'),
  // electrical
  mV: times('voltage', 1e-3),
  V: same('voltage'),
  kV: times('voltage', 1e3),
  mA: times('current', 1e-3),
  A: same('current'),
  Hz: same('frequency'),
  PF: same('powerFactor'),
  // time
  ms: times('duration', 1e-3),
  s: same('duration'),
  min: times('duration', 60),
  h: times('duration', 3600),
  // dimensionless
  state: same('state'),
  count: same('count'),
  '': same('count'),
};

/** Units that are percent whatever quantity they belong to: `%` converts to speed/position as well. */
const PERCENT_QUANTITIES: readonly Quantity[] = ['utilization', 'speed', 'position', 'humidity'];

/**
 * The conversion from `sourceUnit` to `quantity`'s canonical unit. Throws a RangeError naming the unit and the
 * accepted spellings when the unit is unknown or measures something else.
 */
export function unitConversion(sourceUnit: string, quantity: Quantity): UnitConversion {
  const key = sourceUnit.trim();
  // the quantity's own canonical symbol is always its unit, even where the symbol also names another quantity's
  // source unit ("Pa": a pressure in Pa, and the canonical unit of differential pressure)
  if (key !== '' && CANONICAL_UNITS[quantity].symbol === key) return { quantity, scale: 1, offset: 0 };
  const conv = SOURCE_UNITS[key];
  if (conv === undefined) {
    const accepted = Object.entries(SOURCE_UNITS)
      .filter(([, c]) => c.quantity === quantity)
      .map(([u]) => JSON.stringify(u));
    throw new RangeError(
      `unknown unit ${JSON.stringify(sourceUnit)} for ${quantity}; expected one of ${accepted.join(', ')}`,
    );
  }
  if (conv.quantity === quantity) return conv;
  if (PERCENT_QUANTITIES.includes(conv.quantity) && PERCENT_QUANTITIES.includes(quantity)) {
    return { quantity, scale: conv.scale, offset: conv.offset };
  }
  if (quantity === 'state' || quantity === 'count') return { quantity, scale: 1, offset: 0 };
  throw new RangeError(
    `unit ${JSON.stringify(sourceUnit)} measures ${conv.quantity}, not ${quantity} (canonical unit ${CANONICAL_UNITS[quantity].symbol || 'none'})`,
  );
}

/** Converts one value; identity conversions return the value untouched (no float noise added). */
export function convert(value: number, conv: Pick<UnitConversion, 'scale' | 'offset'>): number {
  if (conv.scale === 1 && conv.offset === 0) return value;
  return value * conv.scale + conv.offset;
}
