/**
 * The ground truth of a run: an append-only log, in simulated-time order, of what was done to the twin — every
 * fault start and end (faults.ts) and every write the twin accepted (a setpoint, an override and its relinquish,
 * a rack power limit, the outdoor temperature a scenario imposes). Judging automation and prediction starts here.
 */
import type { FaultType } from './faults';

/** A fault began or ended, at simulated time `time`. */
export interface FaultTruthEntry {
  /** Unix ms (simulated time) */
  time: number;
  phase: 'start' | 'end';
  faultId: string;
  type: FaultType;
  target: string;
  params: Record<string, number>;
  source: 'api' | 'schedule';
}

/** The twin accepted a write (or an imposed condition such as the outdoor temperature). */
export interface WriteTruthEntry {
  /** Unix ms (simulated time) the write took effect */
  time: number;
  phase: 'write';
  type: 'write';
  /** the point written: `…/crah1/fan_override`, `…/A01/gpu/power_limit`, `…/plant1/outdoor_temp` */
  target: string;
  /** who wrote it, as the caller said (`HallModel.write(…, by)`); @default "api" */
  by: string;
  /** value before and after, in the point's unit; null: no override / no limit / the daily cycle */
  from: number | null;
  to: number | null;
  source: 'api';
}

export type GroundTruthEntry = FaultTruthEntry | WriteTruthEntry;

/** The log itself; entries are appended in simulated-time order by the fault book and the model. */
export class GroundTruthLog {
  private readonly entries: GroundTruthEntry[] = [];

  push(e: GroundTruthEntry): void {
    this.entries.push(e);
  }

  all(): readonly GroundTruthEntry[] {
    return this.entries;
  }
}
