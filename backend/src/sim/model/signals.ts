/**
 * The points the simulated hall serves, named as `plenum.yaml` names them: `<site>/<hall>/<row>/<rack>/<asset>/
 * <signal>`, with `-` for row and rack of hall-level assets (`sim/hall1/-/-/crah1/fan_speed`). The asset ids
 * come from the site; the signal names are fixed here.
 */
import { pointId, type PointKind, type Quantity } from '@plenum/model';
import type { AssetRole } from './faults';
import type { HallLayout } from './layout';
import { SETPOINT_RANGES } from './params';

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
  /** writable range (setpoints) or engineering limits, in `unit` */
  min?: number;
  max?: number;
  /** rack id for rack assets */
  rack?: string;
  /** 0-based GPU index for per-GPU signals */
  gpu?: number;
}

type Def = Omit<SignalInfo, 'id' | 'assetPath' | 'role' | 'rack' | 'gpu' | 'writable'> & { writable?: boolean };

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

export const PER_GPU_SIGNALS = ['power', 'temp', 'utilization'] as const;

export const CRAH_SIGNALS: readonly Def[] = [
  m('fan_speed', 'speed', '%', { min: 0, max: 100 }),
  m('supply_temp', 'temperature', '°C'),
  m('supply_setpoint', 'temperature', '°C', {
    kind: 'setpoint',
    writable: true,
    ...SETPOINT_RANGES.crahSupplySetpointC,
  }),
  m('valve', 'position', '%', { min: 0, max: 100 }),
  m('return_temp', 'temperature', '°C'),
  m('airflow', 'airflow', 'm³/h', { min: 0 }),
  m('filter_dp', 'differentialPressure', 'Pa', { min: 0 }),
];

export const CDU_SIGNALS: readonly Def[] = [
  m('supply_temp', 'temperature', '°C'),
  m('supply_setpoint', 'temperature', '°C', {
    kind: 'setpoint',
    writable: true,
    ...SETPOINT_RANGES.cduSupplySetpointC,
  }),
  m('return_temp', 'temperature', '°C'),
  m('flow', 'flow', 'l/min', { min: 0 }),
  m('pump_speed', 'speed', '%', { min: 0, max: 100 }),
  m('heat_load', 'power', 'kW', { min: 0 }),
];

/** Every point of the hall, in a stable order: racks in file order (pdu, env, gpu), then CRAHs, then the CDU. */
export function buildSignals(layout: HallLayout, gpusPerServer: number): SignalInfo[] {
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
      add(GPU_SIGNALS, 'gpu', l, { rack: r.id });
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
  for (const c of layout.crahs) add(CRAH_SIGNALS, 'crah', loc(undefined, undefined, c));
  add(CDU_SIGNALS, 'cdu', loc(undefined, undefined, layout.cdu));
  return out;
}
