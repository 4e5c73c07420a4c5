/**
 * What a write to each writable point does to the state: the BMS setpoints and overrides of the CRAHs, the CDU's
 * setpoints, the plant's chilled-water setpoint, the BMS watchdog's heartbeat and lease, and the racks' power limits. Built once per model; `write()` in
 * hall-model.ts checks ranges and logs every accepted write to the ground truth.
 */
import type { CrahState, HallState } from './hall-state';
import type { HallLayout } from './layout';
import type { SignalInfo } from './signals';

export interface WriteBinding {
  /** the current value, in the point's unit; null: relinquished / no limit */
  get(): number | null;
  set(v: number | null): void;
}

/** Point id → binding, for every writable signal and for every rack's power limit (even without a gpu asset). */
export function buildWriteBindings(
  signals: readonly SignalInfo[],
  layout: HallLayout,
  s: HallState,
): Map<string, WriteBinding> {
  const out = new Map<string, WriteBinding>();
  const crahOf = (sig: SignalInfo) =>
    s.crahs[layout.crahs.indexOf(sig.assetPath.split('/').pop() as string)] as CrahState;
  const num = (v: number | null) => v as number;
  for (const sig of signals) {
    if (!sig.writable) continue;
    let b: WriteBinding | undefined;
    if (sig.role === 'crah') {
      const c = crahOf(sig);
      switch (sig.signal) {
        case 'supply_setpoint':
          b = { get: () => c.setpointC, set: (v) => (c.setpointC = num(v)) };
          break;
        case 'return_setpoint':
          b = { get: () => c.returnSetpointC, set: (v) => (c.returnSetpointC = num(v)) };
          break;
        case 'dp_setpoint':
          b = { get: () => c.dpSetpointPa, set: (v) => (c.dpSetpointPa = num(v)) };
          break;
        case 'fan_min':
          b = { get: () => c.fanMinPct, set: (v) => (c.fanMinPct = num(v)) };
          break;
        case 'fan_override':
          b = { get: () => c.fanOverridePct, set: (v) => (c.fanOverridePct = v) };
          break;
        case 'valve_override':
          b = { get: () => c.valveOverridePct, set: (v) => (c.valveOverridePct = v) };
          break;
      }
    } else if (sig.role === 'cdu') {
      const c = s.cdu;
      if (sig.signal === 'supply_setpoint') b = { get: () => c.setpointC, set: (v) => (c.setpointC = num(v)) };
      if (sig.signal === 'pump_speed_setpoint') {
        b = { get: () => c.pumpSpeedPct, set: (v) => (c.pumpSpeedPct = num(v)) };
      }
    } else if (sig.role === 'plant' && sig.signal === 'chw_setpoint') {
      b = { get: () => s.plant.setpointC, set: (v) => (s.plant.setpointC = num(v)) };
    } else if (sig.role === 'bms') {
      // the value only: renewing the lease and its length are the model's (supervisor.ts)
      if (sig.signal === 'supervisor_heartbeat') {
        b = { get: () => s.bms.heartbeat, set: (v) => (s.bms.heartbeat = num(v)) };
      }
      if (sig.signal === 'supervisor_lease') b = { get: () => s.bms.leaseS, set: (v) => (s.bms.leaseS = num(v)) };
    }
    if (b) out.set(sig.id, b);
  }
  layout.racks.forEach((_, i) => {
    const r = s.racks[i];
    if (!r) return;
    out.set(powerLimitPointId(layout, i), {
      get: () => (r.capW === Infinity ? null : r.capW / 1000),
      set: (v) => (r.capW = v === null ? Infinity : v * 1000),
    });
  });
  return out;
}

/** The point id of rack `i`'s power limit: on its GPU server asset (`gpu` when the rack declares none). */
export function powerLimitPointId(layout: HallLayout, i: number): string {
  const r = layout.racks[i];
  if (!r) throw new Error(`internal: no rack ${i}`);
  return `${layout.site}/${layout.hall}/${r.row}/${r.id}/${r.assets.gpu ?? 'gpu'}/power_limit`;
}
