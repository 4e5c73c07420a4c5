import { CRASH_T0 } from '../../backend/src/historian/crash-workload';
import type { HistorianTuning } from '../../backend/src/historian/types';

/**
 * The historian's clock in the crash suite: one minute past the data time of the batch being written
 * (crashBatch(k) covers 10 s from CRASH_T0 + 10 s·k), so that retention keeps the 2024 workload and heads age
 * with the data.
 */
export function crashClock(batch: () => number): () => number {
  return () => CRASH_T0 + batch() * 10_000 + 60_000;
}

/** Storage knobs that make head flushes (64-sample chunks) and staging clean-ups (every 100 ms) frequent. */
export const CRASH_TUNING: Partial<HistorianTuning> = {
  chunkMaxSamples: 64,
  lateGraceMs: 0,
  maintenanceIntervalMs: 100,
};
