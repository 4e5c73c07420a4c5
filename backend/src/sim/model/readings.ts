/**
 * What the hall's sensors report: the physical state with sensor noise, rounded to a sensor's resolution, then
 * sensor drift added and offline devices blanked. Noise is a hash of (seed, point, step), so it needs no state
 * and reads the same however the run was chunked.
 */
import type { Quality } from '@plenum/model';
import type { FaultRecord } from './faults';
import type { HallState } from './hall-state';
import type { HallLayout } from './layout';
import type { SimParams } from './params';
import { chillersRunning, plantPowerW } from './plant';
import { hashNormal } from './prng';
import type { SignalInfo } from './signals';

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { abs, max, round } = Math;

export interface Reading {
  /** in the signal's unit (`SignalInfo.unit`); null when the device is offline */
  value: number | null;
  quality: Quality;
}

export interface Getter {
  /** null: a relinquished override or no power limit (read as `{value: null, quality: 'good'}`) */
  raw: () => number | null;
  /** standard deviation of the noise: absolute (K) or relative (share of the value) */
  noise: { abs?: number; rel?: number };
  /** rounding step, in the unit */
  resolution: number;
}

/** How each signal is read off the state; built once, the closures hold the (mutated in place) state objects. */
export function buildGetters(signals: readonly SignalInfo[], layout: HallLayout, s: HallState, p: SimParams): Getter[] {
  const rackIndex = new Map(layout.racks.map((r, i) => [r.id, i]));
  return signals.map((sig): Getter => {
    const temp = { abs: p.noiseTempK };
    const power = { rel: p.noisePowerShare };
    const none = {};
    const g = (raw: () => number | null, noise: Getter['noise'], resolution: number): Getter => ({
      raw,
      noise,
      resolution,
    });
    if (sig.rack !== undefined) {
      const r = s.racks[rackIndex.get(sig.rack) as number];
      if (!r) throw new Error(`internal: no state for rack ${sig.rack}`);
      if (sig.gpu !== undefined) {
        const i = sig.gpu;
        if (sig.signal.endsWith('_power')) return g(() => r.gpuW[i] ?? 0, power, 0.1);
        if (sig.signal.endsWith('_temp')) return g(() => r.gpuTempC[i] ?? 0, { abs: 0.3 }, 1);
        return g(() => r.gpuUtilPct[i] ?? 0, { abs: 0.5 }, 1);
      }
      switch (`${sig.role}/${sig.signal}`) {
        case 'pdu/power':
          return g(() => r.powerW / 1000, power, 0.001);
        case 'pdu/energy':
          return g(() => r.energyWh / 1000, none, 0.001);
        case 'pdu/voltage':
          return g(() => r.voltageV, { abs: 0.3 }, 0.1);
        case 'pdu/frequency':
          return g(() => s.gridHz, { abs: 0.001 }, 0.001);
        case 'pdu/current':
          return g(() => r.currentA, power, 0.01);
        case 'env/inlet_temp':
          return g(() => r.inletC, temp, 0.01);
        case 'env/exhaust_temp':
          return g(() => r.exhaustC, temp, 0.01);
        case 'gpu/utilization':
          return g(() => r.gpuUtilPct.reduce((a, b) => a + b, 0) / r.gpuUtilPct.length, { abs: 0.3 }, 0.1);
        case 'gpu/power':
          return g(() => (p.serversPerRack * r.gpuW.reduce((a, b) => a + b, 0)) / 1000, power, 0.001);
        case 'gpu/temp':
          return g(() => max(...r.gpuTempC), { abs: 0.3 }, 1);
        case 'gpu/power_limit':
          return g(() => (r.capW === Infinity ? null : r.capW / 1000), none, 0.1);
      }
    } else if (sig.role === 'crah') {
      const c = s.crahs[layout.crahs.indexOf(sig.assetPath.split('/').pop() as string)];
      if (!c) throw new Error(`internal: no state for ${sig.assetPath}`);
      // supply_temp, return_temp and cold_aisle_dp are the BMS's own sensors, noise included: no more is added
      switch (sig.signal) {
        case 'fan_speed':
          return g(() => c.fanPct, { abs: 0.1 }, 0.1);
        case 'supply_temp':
          return g(() => c.supplyMeasC, none, 0.01);
        case 'supply_setpoint':
          return g(() => c.setpointC, none, 0.01);
        case 'valve':
          return g(() => c.valvePct, none, 0.1);
        case 'return_temp':
          return g(() => c.returnMeasC, none, 0.01);
        case 'airflow':
          return g(() => c.airflowM3s * 3600, { rel: 0.005 }, 1);
        case 'filter_dp':
          return g(() => c.filterDpPa, { abs: 0.5 }, 0.1);
        case 'cold_aisle_dp':
          return g(() => c.dpMeasPa, none, 0.1);
        case 'dp_setpoint':
          return g(() => c.dpSetpointPa, none, 0.1);
        case 'fan_min':
          return g(() => c.fanMinPct, none, 0.1);
        case 'fan_override':
          return g(() => c.fanOverridePct, none, 0.1);
        case 'fan_mode':
          return g(() => (c.fanOverridePct === null ? 0 : 1), none, 1);
        case 'valve_override':
          return g(() => c.valveOverridePct, none, 0.1);
        case 'valve_mode':
          return g(() => (c.valveOverridePct === null ? 0 : 1), none, 1);
        case 'return_setpoint':
          return g(() => c.returnSetpointC, none, 0.01);
        case 'valve_control':
          return g(() => (c.valveControl === 'supply' ? 0 : 1), none, 1);
        case 'run_status':
          return g(() => (c.running ? 1 : 0), none, 1);
        case 'fan_power':
          return g(() => c.fanW / 1000, power, 0.01);
        case 'fan_energy':
          return g(() => c.fanEnergyWh / 1000, none, 0.001);
      }
    } else if (sig.role === 'cdu') {
      const c = s.cdu;
      switch (sig.signal) {
        case 'supply_temp':
          return g(() => c.supplyC, temp, 0.01);
        case 'supply_setpoint':
          return g(() => c.setpointC, none, 0.01);
        case 'return_temp':
          return g(() => c.returnC, temp, 0.01);
        case 'flow':
          return g(() => c.flowLpm, { rel: 0.003 }, 0.1);
        case 'pump_speed':
          return g(() => c.pumpFrac * 100, none, 0.1);
        case 'heat_load':
          return g(() => c.heatW / 1000, power, 0.01);
        case 'pump_speed_setpoint':
          return g(() => c.pumpSpeedPct, none, 0.1);
        case 'facility_supply_temp':
          return g(() => c.facilityC, temp, 0.01);
        case 'pump_power':
          return g(() => c.pumpW / 1000, power, 0.01);
        case 'pump_energy':
          return g(() => c.pumpEnergyWh / 1000, none, 0.001);
      }
    } else if (sig.role === 'plant') {
      const pl = s.plant;
      const chiller = /^chiller(\d+)_(status|load)$/.exec(sig.signal);
      if (chiller) {
        const ch = pl.chillers[Number(chiller[1]) - 1];
        if (!ch) throw new Error(`internal: no state for ${sig.id}`);
        return chiller[2] === 'status' ? g(() => ch.status, none, 1) : g(() => ch.loadW / 1000, power, 0.1);
      }
      switch (sig.signal) {
        case 'chw_supply_temp':
          return g(() => pl.supplyC, temp, 0.01);
        case 'chw_return_temp':
          return g(() => pl.returnC, temp, 0.01);
        case 'chw_setpoint':
          return g(() => pl.setpointC, none, 0.01);
        case 'chw_flow':
          return g(() => pl.flowLpm, { rel: 0.003 }, 1);
        case 'chillers_running':
          return g(() => chillersRunning(pl), none, 1);
        case 'load':
          return g(() => pl.loadW / 1000, power, 0.1);
        case 'power':
          return g(() => plantPowerW(pl) / 1000, power, 0.1);
        case 'energy':
          return g(() => (pl.pumpEnergyWh + pl.chillers.reduce((a, c) => a + c.energyWh, 0)) / 1000, none, 0.001);
        case 'outdoor_temp':
          return g(() => pl.outdoorC, { abs: 0.1 }, 0.1);
      }
    } else if (sig.role === 'bms') {
      const b = s.bms;
      // written values read back as written (a supervisor verifies its writes)
      switch (sig.signal) {
        case 'supervisor_heartbeat':
          return g(() => b.heartbeat, none, 0.001);
        case 'supervisor_lease':
          return g(() => b.leaseS, none, 0.001);
        case 'supervisor_age':
          return g(() => (b.renewedAtMs === null ? null : max(0, b.nowMs - b.renewedAtMs) / 1000), none, 0.1);
        case 'supervisor_status':
          return g(() => (b.live ? 1 : 0), none, 1);
        case 'leased_points':
          return g(() => b.leasedCount, none, 1);
      }
    }
    throw new Error(`internal: no getter for ${sig.id}`);
  });
}

export interface ReadingContext {
  seedHash: number;
  step: number;
  now: number;
  /** asset paths offline now */
  offline: ReadonlySet<string>;
  /** point id → active drift faults */
  drift: ReadonlyMap<string, readonly FaultRecord[]>;
}

/** The reading of signal `i`; the same function serves one point and all of them, so both always agree. */
export function readOne(sig: SignalInfo, i: number, get: Getter, ctx: ReadingContext): Reading {
  if (ctx.offline.has(sig.assetPath)) return { value: null, quality: 'bad' };
  const raw = get.raw();
  if (raw === null) return { value: null, quality: 'good' };
  let v = raw;
  const sd = (get.noise.abs ?? 0) + abs(v) * (get.noise.rel ?? 0);
  if (sd > 0) v += sd * hashNormal(ctx.seedHash, i, ctx.step);
  const drifts = ctx.drift.size > 0 ? ctx.drift.get(sig.id) : undefined;
  if (drifts) for (const f of drifts) v += ((f.params.ratePerHour ?? 0) * (ctx.now - f.start)) / 3_600_000;
  if (sig.kind === 'measurement') {
    if (sig.min !== undefined && v < sig.min) v = sig.min;
    if (sig.max !== undefined && v > sig.max) v = sig.max;
  }
  // to the sensor's resolution; the second rounding removes float dust (0.1 * 3 = 0.30000000000000004)
  v = round(round(v / get.resolution) * get.resolution * 1e6) / 1e6;
  return { value: v, quality: 'good' };
}

export function readAll(
  signals: readonly SignalInfo[],
  getters: readonly Getter[],
  ctx: ReadingContext,
): Map<string, Reading> {
  const out = new Map<string, Reading>();
  for (let i = 0; i < signals.length; i++) {
    const sig = signals[i] as SignalInfo;
    out.set(sig.id, readOne(sig, i, getters[i] as Getter, ctx));
  }
  return out;
}
