/**
 * Scoring of prediction on the twin's ground truth (pure): which alarms belong to which fault, detection delay
 * and lead time before the first true limit breach, diagnosis right or wrong, false alarms. Never the detectors'
 * own view: faults, their targets and the true breaches come from the twin.
 */
import type { FaultTruthEntry } from '../../backend/src/sim/model/ground-truth';

export interface ScoredAlarm {
  /** who raised it: ours, or a baseline's name */
  asset: string;
  time: number;
  diagnosis?: string;
  /** the sensor a sensor diagnosis names */
  pointId?: string;
}

export interface FaultWindow {
  id: string;
  type: string;
  target: string;
  start: number;
  end: number;
  /** assets an alarm may name and count for this fault */
  affected: Set<string>;
  /** the first true limit breach on an affected asset while the fault acts (or soon after), Unix ms */
  breach?: number;
  /** the fault changed something a sensor can see (see the bench's header) */
  observable: boolean;
}

export const ACUTE = new Set(['crah_trip', 'chiller_trip', 'pump_failure', 'chw_loss']);
/** faults the detectors leave to connector liveness: a silent device is a connector event, not a prediction */
export const NOT_PREDICTED = new Set(['device_offline']);
/** grace after a fault ends in which an alarm still belongs to it (the room takes minutes to recover) */
export const GRACE_MS = 20 * 60_000;

export interface FaultScore {
  fault: FaultWindow;
  detected: boolean;
  /** detection − start, ms */
  delayMs?: number;
  /** breach − detection, ms (slow faults with a breach) */
  leadMs?: number;
  diagnosisRight?: boolean;
  firstDiagnosis?: string;
}

export interface Score {
  faults: FaultScore[];
  falseAlarms: ScoredAlarm[];
}

/** Pairs fault start/end entries of the ground truth into windows (an unended fault lasts to `until`). */
export function faultWindows(
  truth: readonly FaultTruthEntry[],
  until: number,
): Omit<FaultWindow, 'affected' | 'observable'>[] {
  const open = new Map<string, FaultTruthEntry>();
  const out: Omit<FaultWindow, 'affected' | 'observable'>[] = [];
  for (const e of truth) {
    if (e.phase === 'start') open.set(e.faultId, e);
    else {
      const s = open.get(e.faultId);
      if (s) out.push({ id: s.faultId, type: s.type, target: s.target, start: s.time, end: e.time });
      open.delete(e.faultId);
    }
  }
  for (const s of open.values()) out.push({ id: s.faultId, type: s.type, target: s.target, start: s.time, end: until });
  return out.sort((a, b) => a.start - b.start);
}

/** Scores alarms against the faults; `expected` maps a fault type to the diagnosis that names it. */
export function score(
  faults: readonly FaultWindow[],
  alarms: readonly ScoredAlarm[],
  expected: (type: string) => string | undefined,
  breachBy: (asset: string, from: number, to: number) => boolean,
): Score {
  const matched = new Set<ScoredAlarm>();
  const scores = faults.map((f): FaultScore => {
    const mine = alarms.filter((a) => f.affected.has(a.asset) && a.time >= f.start && a.time <= f.end + GRACE_MS);
    for (const a of mine) matched.add(a);
    const first = mine[0];
    if (!first) return { fault: f, detected: false };
    const want = expected(f.type);
    return {
      fault: f,
      detected: true,
      delayMs: first.time - f.start,
      ...(f.breach !== undefined && { leadMs: f.breach - first.time }),
      ...(first.diagnosis !== undefined && {
        firstDiagnosis: first.diagnosis,
        diagnosisRight: mine.some((a) => a.diagnosis === want),
      }),
    };
  });
  // an alarm that belongs to no fault is false unless a true limit breach on its asset followed within an hour
  const falseAlarms = alarms.filter((a) => !matched.has(a) && !breachBy(a.asset, a.time, a.time + 3_600_000));
  return { faults: scores, falseAlarms };
}
