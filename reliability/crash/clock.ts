export { crashClock } from '../../backend/src/historian/crash-workload';
import type { HistorianTuning } from '../../backend/src/historian/types';

/** Storage knobs that make head flushes (64-sample chunks) and staging clean-ups (every 100 ms) frequent. */
export const CRASH_TUNING: Partial<HistorianTuning> = {
  chunkMaxSamples: 64,
  // small heads: early flushes leave hours in pieces that maintenance merges, so kills land in merges too
  headMaxBytes: 256,
  lateGraceMs: 0,
  maintenanceIntervalMs: 100,
};
