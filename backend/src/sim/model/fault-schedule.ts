/**
 * Seeded random faults, for runs that judge prediction: a Poisson process at `perDay` faults per day of
 * simulated time, each of a random type on a random target, lasting 10 min–4 h (log-uniform). Slow faults
 * (filter clog, fan wear) ramp in over hours, as they do in a real hall. Trips (a CRAH, a chiller) last at most
 * an hour; the plant-wide chilled-water loss and the faults that develop over days (pump_degradation,
 * fan_belt_wear) are left to scenarios, which choose their time on purpose.
 */
import type { FaultInput, FaultType } from './faults';
import { Rng } from './prng';

export interface FaultScheduleTargets {
  crahs: readonly string[];
  cdu: string;
  /** the chilled-water plant's asset id and its number of chillers */
  plant: string;
  chillers: number;
  /** temperature points a sensor drift may hit */
  temperatures: readonly string[];
  /** assets that may go offline */
  assets: readonly string[];
}

const TYPES: readonly FaultType[] = [
  'fan_degradation',
  'filter_clog',
  'pump_failure',
  'valve_stuck',
  'sensor_drift',
  'device_offline',
  'crah_trip',
  'chiller_trip',
];

export class FaultSchedule {
  private readonly rng: Rng;
  private next: number;

  constructor(
    seed: number | string,
    startMs: number,
    private readonly perDay: number,
    private readonly targets: FaultScheduleTargets,
  ) {
    this.rng = new Rng(seed, 'faults');
    this.next = startMs + this.gap();
  }

  /** Faults starting before `until`, in time order; call with increasing `until`. */
  generateUntil(until: number): FaultInput[] {
    const out: FaultInput[] = [];
    if (this.perDay <= 0) return out;
    while (this.next < until) {
      out.push(this.make(this.next));
      this.next += this.gap();
    }
    return out;
  }

  private gap(): number {
    return this.perDay > 0 ? Math.max(60_000, Math.round(this.rng.exponential(86_400_000 / this.perDay))) : Infinity;
  }

  private make(start: number): FaultInput {
    const r = this.rng;
    const type = r.pick(TYPES);
    const durationMs = Math.round(r.logUniform(600, 4 * 3600)) * 1000;
    const rampS = Math.round(r.uniform(0, 0.5) * (durationMs / 1000));
    switch (type) {
      case 'fan_degradation':
        return {
          type,
          target: r.pick(this.targets.crahs),
          start,
          durationMs,
          params: { maxSpeedPct: r.int(25, 60), rampS },
        };
      case 'filter_clog':
        return {
          type,
          target: r.pick(this.targets.crahs),
          start,
          durationMs,
          params: { airflowLossPct: r.int(25, 60), rampS },
        };
      case 'pump_failure':
        return {
          type,
          target: this.targets.cdu,
          start,
          durationMs: Math.min(durationMs, 1_800_000),
          params: { residualFlowPct: r.pick([0, 0, 30, 50]) },
        };
      case 'valve_stuck':
        return { type, target: r.pick(this.targets.crahs), start, durationMs, params: { positionPct: r.int(0, 40) } };
      case 'sensor_drift':
        return {
          type,
          target: r.pick(this.targets.temperatures),
          start,
          durationMs,
          params: { ratePerHour: Math.round(r.uniform(0.5, 4) * (r.next() < 0.8 ? 1 : -1) * 10) / 10 },
        };
      case 'device_offline':
        return { type, target: r.pick(this.targets.assets), start, durationMs, params: {} };
      case 'crah_trip':
        return { type, target: r.pick(this.targets.crahs), start, durationMs: Math.min(durationMs, 3_600_000) };
      default:
        // chiller_trip (the other types are not drawn)
        return {
          type: 'chiller_trip',
          target: this.targets.plant,
          start,
          durationMs: Math.min(durationMs, 3_600_000),
          params: { chiller: r.int(1, this.targets.chillers) },
        };
    }
  }
}
