/**
 * How the simulated hall looks in OPC UA (pure: no server, no I/O): which signals are served, their string
 * NodeIds, browse path, engineering units (UN/CEFACT codes, as EUInformation wants) and EURange.
 *
 * NodeIds follow the point id without the site and the `-` placeholders: `sim/hall1/-/-/crah1/supply_temp` is
 * `ns=<urn:plenum:sim>;s=hall1.crah1.supply_temp`, `sim/hall1/A/A01/env/inlet_temp` is
 * `s=hall1.A.A01.env.inlet_temp`. Folders: Objects/Plenum/<hall>/<crah|cdu|plant|bms> and Objects/Plenum/<hall>/
 * <row>/<rack>/<env>; each asset is an Object, each signal an AnalogItemType variable of it.
 */
import type { SignalInfo } from '../model';

/** Namespace URI of the simulator's nodes; clients should address them as `nsu=urn:plenum:sim;s=…`. */
export const SIM_NAMESPACE_URI = 'urn:plenum:sim';

/**
 * Asset roles served over OPC UA: the cooling plant (CRAHs, CDU, chilled-water plant), the BMS's supervisory-control
 * watchdog (heartbeat, lease) and the rack air sensors (PDUs: Modbus; GPUs and their power limits: DCGM / a BMC).
 */
export const OPCUA_ROLES: ReadonlySet<string> = new Set(['crah', 'cdu', 'plant', 'bms', 'env']);

/** UN/CEFACT common code, symbol and description of each unit the served signals use. */
export const EU_UNITS: Readonly<Record<string, { code: string; symbol: string; description: string }>> = {
  '°C': { code: 'CEL', symbol: '°C', description: 'degree Celsius' },
  '%': { code: 'P1', symbol: '%', description: 'percent' },
  'm³/h': { code: 'MQH', symbol: 'm³/h', description: 'cubic metre per hour' },
  Pa: { code: 'PAL', symbol: 'Pa', description: 'pascal' },
  'l/min': { code: 'L2', symbol: 'l/min', description: 'litre per minute' },
  kW: { code: 'KWT', symbol: 'kW', description: 'kilowatt' },
  kWh: { code: 'KWH', symbol: 'kWh', description: 'kilowatt hour' },
  s: { code: 'SEC', symbol: 's', description: 'second' },
};

export interface SimNode {
  signal: SignalInfo;
  /** the string identifier, `hall1.crah1.supply_temp` */
  id: string;
  /** folder and object names from Objects/Plenum down to the asset: `['hall1', 'crah1']` */
  path: string[];
  /** EURange: the range of normal operation (setpoints: the writable range), in the signal's unit */
  range: { low: number; high: number };
  /**
   * For an override node (`fan_override`, `valve_override`): the point whose reading the node shows while the BMS
   * is in charge (the override relinquished), so the node always reads the command in effect, as a number.
   */
  effectiveFrom?: string;
}

/**
 * Override signal → the signal that is its command while relinquished: the speed the BMS drives the fan at, the
 * position it drives the valve to. `fan_mode` / `valve_mode` say which of the two is in charge.
 */
export const EFFECTIVE_COMMAND: Readonly<Record<string, string>> = {
  fan_override: 'fan_speed',
  valve_override: 'valve',
};

/** Sizes of the hall that bound some ranges. */
export interface RangeContext {
  racks: number;
  /** one CRAH's airflow at 100 % fan, m³/s */
  crahMaxAirflowM3s: number;
}

/** EURange of a signal: its own min/max when it has both (percentages, setpoints), else a plant-sized range. */
export function euRange(sig: SignalInfo, ctx: RangeContext): { low: number; high: number } {
  if (sig.min !== undefined && sig.max !== undefined) return { low: sig.min, high: sig.max };
  const key = `${sig.role}/${sig.signal}`;
  switch (key) {
    case 'crah/supply_temp':
      return { low: 0, high: 40 };
    case 'crah/return_temp':
    case 'env/inlet_temp':
    case 'env/exhaust_temp':
      return { low: 0, high: 60 };
    case 'crah/airflow':
      return { low: 0, high: Math.round(ctx.crahMaxAirflowM3s * 3600) };
    case 'crah/filter_dp':
      return { low: 0, high: 1000 };
    case 'cdu/supply_temp':
    case 'cdu/return_temp':
      return { low: 0, high: 80 };
    case 'cdu/flow':
      return { low: 0, high: 100 * Math.max(1, ctx.racks) };
    case 'cdu/heat_load':
    case 'plant/load':
      return { low: 0, high: 135 * Math.max(1, ctx.racks) };
    case 'cdu/facility_supply_temp':
      return { low: 0, high: 80 };
    case 'plant/chw_supply_temp':
    case 'plant/chw_return_temp':
      return { low: 0, high: 40 };
    case 'plant/outdoor_temp':
      return { low: -40, high: 60 };
    case 'plant/chw_flow':
      return { low: 0, high: 100_000 };
    case 'bms/supervisor_age':
      return { low: 0, high: 86_400 };
    default:
      // energy counters count up for years; powers of the plant scale with the hall
      if (sig.quantity === 'energy') return { low: 0, high: 1e9 };
      if (sig.role === 'plant' && sig.quantity === 'power') return { low: 0, high: 135 * Math.max(1, ctx.racks) };
      return { low: sig.min ?? 0, high: sig.max ?? 1000 };
  }
}

/** The served signals in catalog order, with their ids and browse paths. */
export function simNodes(signals: readonly SignalInfo[], ctx: RangeContext): SimNode[] {
  const out: SimNode[] = [];
  for (const sig of signals) {
    if (!OPCUA_ROLES.has(sig.role)) continue;
    // assetPath is <site>/<hall>/<row>/<rack>/<asset>; rows and racks of hall-level assets are '-'
    const path = sig.assetPath
      .split('/')
      .slice(1)
      .filter((p) => p !== '-');
    const effective = sig.relinquish ? EFFECTIVE_COMMAND[sig.signal] : undefined;
    out.push({
      signal: sig,
      id: [...path, sig.signal].join('.'),
      path,
      range: euRange(sig, ctx),
      ...(effective ? { effectiveFrom: `${sig.assetPath}/${effective}` } : {}),
    });
  }
  return out;
}
