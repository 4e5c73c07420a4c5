/**
 * The BMS's local control of one CRAH, as sites run it: its own sensors (a lag, a placement offset, noise — the
 * BMS never sees the true air temperature), a fan PI on cold-aisle ΔP, a valve PI on supply (or return) air, the
 * actuators' rate limits, and operator overrides with a bumpless hand-back. These are the loops Plenum writes
 * setpoints to; they stay in charge whenever Plenum is silent. params.ts cites the tuning.
 */
import type { CrahState } from './hall-state';
import type { SimParams } from './params';
import { approach, clamp, lag } from './physics';

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { min } = Math;

/** What faults do to one CRAH's controls this step. */
export interface CrahEffects {
  /** highest fan speed the unit can reach, % (fan_degradation) */
  fanCapPct: number;
  /** valve frozen at this position, % (valve_stuck) */
  valveStuckPct: number | undefined;
  /** off (crah_trip) */
  tripped: boolean;
}

/**
 * Reads the unit's sensors: each follows the true value with the sensor's lag, offset by its placement; the
 * noise (`nSupply`, `nReturn`, `nDp`: standard normal draws for this step) is added to the reading, not the lag.
 * `aisleDpPa` is the true pressure of the unit's cold aisle.
 */
export function readCrahSensors(
  c: CrahState,
  p: SimParams,
  dt: number,
  aisleDpPa: number,
  nSupply: number,
  nReturn: number,
  nDp: number,
): void {
  c.supplySensC = lag(c.supplySensC, c.supplyC + c.supplyOffsetK, p.bmsSensorTauS, dt);
  c.returnSensC = lag(c.returnSensC, c.returnC + c.returnOffsetK, p.bmsSensorTauS, dt);
  c.supplyMeasC = c.supplySensC + p.bmsTempNoiseK * nSupply;
  c.returnMeasC = c.returnSensC + p.bmsTempNoiseK * nReturn;
  c.dpMeasPa = clamp(aisleDpPa + c.dpOffsetPa + p.bmsDpNoisePa * nDp, -p.bmsDpRangePa, p.bmsDpRangePa);
}

/**
 * The fan: ΔP PI between the writable minimum and 100 % (or the degraded cap), or the operator's override; the
 * VFD's acceleration limit, then the fan's inertia. A tripped unit coasts down. Updates `fanRefPct`, `fanPct`.
 */
export function controlCrahFan(c: CrahState, p: SimParams, dt: number, fx: CrahEffects): void {
  if (fx.tripped) {
    c.fanRefPct = 0;
    c.fanPct = lag(c.fanPct, 0, p.tauFanS * 2, dt);
    // on restart the BMS ramps up from its minimum
    c.fanPi.track(c.fanMinPct);
    return;
  }
  let cmd: number;
  if (c.fanOverridePct !== null) {
    cmd = c.fanOverridePct;
    // bumpless hand-back: the loop resumes from the speed the operator left
    c.fanPi.track(clamp(cmd, c.fanMinPct, 100));
  } else {
    cmd = c.fanPi.update(c.dpSetpointPa - c.dpMeasPa, dt, fx.fanCapPct, c.fanMinPct);
  }
  cmd = min(cmd, fx.fanCapPct);
  c.fanRefPct = approach(c.fanRefPct, cmd, p.fanSlewPctPerS * dt);
  c.fanPct = lag(c.fanPct, c.fanRefPct, p.tauFanS, dt);
}

/**
 * The chilled-water valve: PI on the supply-air (or return-air) sensor, or the operator's override, or frozen by
 * a fault; the actuator's running time limits how fast it moves. A tripped unit closes its valve.
 */
export function controlCrahValve(c: CrahState, p: SimParams, dt: number, fx: CrahEffects): void {
  if (fx.valveStuckPct !== undefined) {
    c.valvePct = fx.valveStuckPct;
    c.valvePi.track(c.valvePct);
    return;
  }
  let target: number;
  if (fx.tripped) {
    target = 0;
    c.valvePi.track(c.valvePct);
  } else if (c.valveOverridePct !== null) {
    target = c.valveOverridePct;
    c.valvePi.track(c.valvePct);
  } else {
    // positive error (air too warm) opens the valve
    const error = c.valveControl === 'supply' ? c.supplyMeasC - c.setpointC : c.returnMeasC - c.returnSetpointC;
    target = c.valvePi.update(error, dt);
  }
  const step = p.valveStrokeS > 0 ? (100 / p.valveStrokeS) * dt : 100;
  c.valvePct = approach(c.valvePct, target, step);
}
