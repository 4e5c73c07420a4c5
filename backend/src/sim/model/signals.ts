/**
 * The points the simulated hall serves, named as `plenum.yaml` names them: `<site>/<hall>/<row>/<rack>/<asset>/
 * <signal>`, with `-` for row and rack of hall-level assets (`sim/hall1/-/-/crah1/fan_speed`). The asset ids
 * come from the site; the signal names are fixed here.
 */
import { pointId, type PointKind, type Quantity } from '@plenum/model';
import type { AssetRole } from './faults';
import type { HallLayout } from './layout';
import { WRITABLE_RANGES } from './params';

export interface SignalInfo {
  /** the point id */
  id: string;
  /** `<site>/<hall>/<row>/<rack>/<asset>`: what device_offline names */
  assetPath: string;
  role: AssetRole;
  signal: string;
  quantity: Quantity;
  /** the unit the simulator speaks for this point (plenum converts at ingest: `W` → kW) */
  unit: string;
  kind: PointKind;
  writable: boolean;
  /**
   * the point also takes `null`: an override handed back to the BMS (`fan_override`, `valve_override`) or a power
   * limit removed (`power_limit`); while relinquished it reads `{value: null, quality: 'good'}`
   */
  relinquish?: true;
  /** writable range (setpoints) or engineering limits, in `unit` */
  min?: number;
  max?: number;
  /** rack id for rack assets */
  rack?: string;
  /** 0-based GPU index for per-GPU signals */
  gpu?: number;
}

type Def = Omit<SignalInfo, 'id' | 'assetPath' | 'role' | 'rack' | 'gpu' | 'writable'> & { writable?: boolean };

/** A setpoint (or, `kind: 'command'`, an override) in its writable range. */
const w = (
  signal: string,
  quantity: Quantity,
  unit: string,
  range: { min: number; max: number },
  extra: Partial<Def> = {},
): Def => ({ signal, quantity, unit, kind: 'setpoint', writable: true, min: range.min, max: range.max, ...extra });

const m = (signal: string, quantity: Quantity, unit: string, extra: Partial<Def> = {}): Def => ({
  signal,
  quantity,
  unit,
  kind: 'measurement',
  ...extra,
});

export const PDU_SIGNALS: readonly Def[] = [
  m('power', 'power', 'kW', { min: 0 }),
  m('energy', 'energy', 'kWh', { min: 0 }),
  m('voltage', 'voltage', 'V'),
  m('current', 'current', 'A', { min: 0 }),
  m('frequency', 'frequency', 'Hz'),
];

export const ENV_SIGNALS: readonly Def[] = [
  m('inlet_temp', 'temperature', '°C'),
  m('exhaust_temp', 'temperature', '°C'),
];

/** Rack-level GPU server signals; per-GPU ones follow (`gpu0_power`, …). */
export const GPU_SIGNALS: readonly Def[] = [
  m('utilization', 'utilization', '%', { min: 0, max: 100 }),
  m('power', 'power', 'kW', { min: 0 }),
  m('temp', 'temperature', '°C'),
];

/** The rack's power limit as its BMC takes it (Redfish PowerControl / PowerLimit), kW; null: no limit. */
export function powerLimitSignal(range: { min: number; max: number }): Def {
  return w('power_limit', 'power', 'kW', range, { relinquish: true });
}

export const PER_GPU_SIGNALS = ['power', 'temp', 'utilization'] as const;

/**
 * A CRAH as its BMS serves it. `supply_temp`, `return_temp` and `cold_aisle_dp` are the BMS's own sensors (what
 * its loops control on: placement offset and noise included, not the true air). `fan_mode` / `valve_mode`: 0 the
 * BMS loop, 1 manual override. `valve_control`: 0 on supply air, 1 on return air. `run_status`: 1 running, 0 off.
 */
export function crahSignals(dpRangePa: number): Def[] {
  return [
    m('fan_speed', 'speed', '%', { min: 0, max: 100 }),
    m('supply_temp', 'temperature', '°C'),
    w('supply_setpoint', 'temperature', '°C', WRITABLE_RANGES.crahSupplySetpointC),
    m('valve', 'position', '%', { min: 0, max: 100 }),
    m('return_temp', 'temperature', '°C'),
    m('airflow', 'airflow', 'm³/h', { min: 0 }),
    m('filter_dp', 'differentialPressure', 'Pa', { min: 0 }),
    m('cold_aisle_dp', 'differentialPressure', 'Pa', { min: -dpRangePa, max: dpRangePa }),
    w('dp_setpoint', 'differentialPressure', 'Pa', WRITABLE_RANGES.crahDpSetpointPa),
    w('fan_min', 'speed', '%', WRITABLE_RANGES.crahFanMinPct),
    w('fan_override', 'speed', '%', WRITABLE_RANGES.crahFanOverridePct, { kind: 'command', relinquish: true }),
    m('fan_mode', 'state', '', { kind: 'status', min: 0, max: 1 }),
    w('valve_override', 'position', '%', WRITABLE_RANGES.crahValveOverridePct, { kind: 'command', relinquish: true }),
    m('valve_mode', 'state', '', { kind: 'status', min: 0, max: 1 }),
    w('return_setpoint', 'temperature', '°C', WRITABLE_RANGES.crahReturnSetpointC),
    m('valve_control', 'state', '', { kind: 'status', min: 0, max: 1 }),
    m('run_status', 'state', '', { kind: 'status', min: 0, max: 1 }),
    m('fan_power', 'power', 'kW', { min: 0 }),
    m('fan_energy', 'energy', 'kWh', { min: 0 }),
  ];
}

/** The CRAH signals with the default ΔP transmitter range (±50 Pa). */
export const CRAH_SIGNALS: readonly Def[] = crahSignals(50);

export const CDU_SIGNALS: readonly Def[] = [
  m('supply_temp', 'temperature', '°C'),
  w('supply_setpoint', 'temperature', '°C', WRITABLE_RANGES.cduSupplySetpointC),
  m('return_temp', 'temperature', '°C'),
  m('flow', 'flow', 'l/min', { min: 0 }),
  m('pump_speed', 'speed', '%', { min: 0, max: 100 }),
  m('heat_load', 'power', 'kW', { min: 0 }),
  w('pump_speed_setpoint', 'speed', '%', WRITABLE_RANGES.cduPumpSpeedPct),
  m('facility_supply_temp', 'temperature', '°C'),
  m('pump_power', 'power', 'kW', { min: 0 }),
  m('pump_energy', 'energy', 'kWh', { min: 0 }),
];

/**
 * The chilled-water plant as its plant controller serves it. `load`: heat into the loop, `power`: electric power
 * of chillers and chilled-water pumps, `energy` its count. Per chiller: `chillerN_status` 0 off, 1 starting,
 * 2 running, 3 tripped; `chillerN_load` its cooling output.
 */
export function plantSignals(chillers: number): Def[] {
  const out: Def[] = [
    m('chw_supply_temp', 'temperature', '°C'),
    m('chw_return_temp', 'temperature', '°C'),
    w('chw_setpoint', 'temperature', '°C', WRITABLE_RANGES.chwSetpointC),
    m('chw_flow', 'flow', 'l/min', { min: 0 }),
    m('chillers_running', 'count', '', { kind: 'status', min: 0, max: chillers }),
    m('load', 'power', 'kW', { min: 0 }),
    m('power', 'power', 'kW', { min: 0 }),
    m('energy', 'energy', 'kWh', { min: 0 }),
    m('outdoor_temp', 'temperature', '°C'),
  ];
  for (let i = 1; i <= chillers; i++) {
    out.push(m(`chiller${i}_status`, 'state', '', { kind: 'status', min: 0, max: 3 }));
    out.push(m(`chiller${i}_load`, 'power', 'kW', { min: 0 }));
  }
  return out;
}

/**
 * The hall's BMS as a supervisor sees it: its supervisory-control watchdog (supervisor.ts). `supervisor_heartbeat`:
 * any value renews the lease and reads back the last one written; `supervisor_lease`: how long one heartbeat holds,
 * s; `supervisor_age`: seconds since the last renewal (null before the first); `supervisor_status`: 1 while the
 * lease is live (the supervisor's protocol writes are leased), 0 otherwise; `leased_points`: how many points the
 * BMS will take back when the lease runs out (`leasable` of them at most).
 */
export function bmsSignals(leasable: number): Def[] {
  return [
    w('supervisor_heartbeat', 'count', '', WRITABLE_RANGES.bmsSupervisorHeartbeat),
    w('supervisor_lease', 'count', 's', WRITABLE_RANGES.bmsSupervisorLeaseS),
    m('supervisor_age', 'count', 's', { kind: 'status', min: 0 }),
    m('supervisor_status', 'state', '', { kind: 'status', min: 0, max: 1 }),
    m('leased_points', 'count', '', { kind: 'status', min: 0, max: Math.max(1, leasable) }),
  ];
}

/** Whether a write to this point is leased when a supervisor writes it over a protocol: a BMS setpoint or override. */
export function isLeasable(sig: SignalInfo): boolean {
  return sig.writable && (sig.role === 'crah' || sig.role === 'cdu' || sig.role === 'plant');
}

/** What sizes the catalog besides the layout. */
export interface SignalOptions {
  gpusPerServer: number;
  chillers: number;
  /** range of the rack power limit, kW */
  powerLimit: { min: number; max: number };
  /** range of the CRAHs' cold-aisle ΔP transmitters, ± Pa */
  dpRangePa: number;
}

/**
 * Every point of the hall, in a stable order: racks in file order (pdu, env, gpu), then CRAHs, the CDU, the
 * chilled-water plant and the BMS (last, so the points before it keep their index: sensor noise hashes it).
 */
export function buildSignals(layout: HallLayout, o: SignalOptions): SignalInfo[] {
  const gpusPerServer = o.gpusPerServer;
  const out: SignalInfo[] = [];
  const loc = (row: string | undefined, rack: string | undefined, asset: string) => ({
    site: layout.site,
    hall: layout.hall,
    row,
    rack,
    asset,
  });
  const add = (defs: readonly Def[], role: AssetRole, l: ReturnType<typeof loc>, extra: Partial<SignalInfo> = {}) => {
    const assetPath = pointId(l, '').slice(0, -1);
    for (const d of defs) out.push({ writable: false, ...d, id: pointId(l, d.signal), assetPath, role, ...extra });
  };
  for (const r of layout.racks) {
    if (r.assets.pdu) add(PDU_SIGNALS, 'pdu', loc(r.row, r.id, r.assets.pdu), { rack: r.id });
    if (r.assets.env) add(ENV_SIGNALS, 'env', loc(r.row, r.id, r.assets.env), { rack: r.id });
    if (r.assets.gpu) {
      const l = loc(r.row, r.id, r.assets.gpu);
      add([...GPU_SIGNALS, powerLimitSignal(o.powerLimit)], 'gpu', l, { rack: r.id });
      for (let g = 0; g < gpusPerServer; g++) {
        add(
          [
            m(`gpu${g}_power`, 'power', 'W', { min: 0 }),
            m(`gpu${g}_temp`, 'temperature', '°C'),
            m(`gpu${g}_utilization`, 'utilization', '%', { min: 0, max: 100 }),
          ],
          'gpu',
          l,
          { rack: r.id, gpu: g },
        );
      }
    }
  }
  const crah = crahSignals(o.dpRangePa);
  for (const c of layout.crahs) add(crah, 'crah', loc(undefined, undefined, c));
  add(CDU_SIGNALS, 'cdu', loc(undefined, undefined, layout.cdu));
  add(plantSignals(o.chillers), 'plant', loc(undefined, undefined, layout.plant));
  add(bmsSignals(out.filter(isLeasable).length), 'bms', loc(undefined, undefined, layout.bms));
  return out;
}
