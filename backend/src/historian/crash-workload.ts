import type { Quality, Sample } from '@plenum/model';
import type { Historian, HistorianPoint } from './types';

/**
 * The deterministic workload of the kill -9 test, shared by the writer child (crash-writer.ts) and the test
 * that checks what survived (crash.test.ts). Batch k always holds the same samples, and no two batches share
 * a (point, ts), so "every acknowledged sample is there and exact" can be checked sample by sample.
 */

export const CRASH_T0 = Date.UTC(2024, 6, 1);

/**
 * The historian's clock in the crash suite: one minute past the data time of the batch being written
 * (crashBatch(k) covers 10 s from CRASH_T0 + 10 s·k), so that retention keeps the 2024 workload and heads age
 * with the data.
 */
export function crashClock(batch: () => number): () => number {
  return () => CRASH_T0 + batch() * 10_000 + 60_000;
}
/** samples per point per batch; with a small chunk size this makes head flushes frequent */
const PER_POINT = 20;
/** ms between a point's samples: a batch covers 10 s, an hour passes every 360 batches */
const STEP = 500;

export const CRASH_POINTS: HistorianPoint[] = [
  { id: 'crash/decimal', valueType: 'number' },
  { id: 'crash/float', valueType: 'number' },
  { id: 'crash/flag', valueType: 'boolean' },
  { id: 'crash/mode', valueType: 'string' },
];

function quality(k: number, j: number): Quality {
  return (k + j) % 17 === 0 ? 'bad' : (k + j) % 11 === 0 ? 'uncertain' : 'good';
}

export function crashBatch(k: number): Sample[] {
  const out: Sample[] = [];
  for (let j = 0; j < PER_POINT; j++) {
    const ts = CRASH_T0 + (k * PER_POINT + j) * STEP;
    const q = quality(k, j);
    const rawStatus = q === 'bad' ? 0x80000000 + k : undefined;
    const s = (pointId: string, value: Sample['value']): Sample =>
      rawStatus === undefined ? { pointId, ts, value, quality: q } : { pointId, ts, value, quality: q, rawStatus };
    out.push(s('crash/decimal', Math.round(Math.sin(k + j / 7) * 1e5) / 1000));
    out.push(s('crash/float', Math.sin(k * 1.1 + j) * Math.E));
    out.push(s('crash/flag', (k + j) % 3 === 0));
    out.push(s('crash/mode', `mode-${Math.floor(k / 30) % 4}`));
  }
  // every 5th batch also carries late samples for an hour that is already compressed: on the odd quarter
  // second, so they never collide with a regular sample
  if (k % 5 === 0 && k >= 200) {
    const ts = CRASH_T0 + (k - 200) * PER_POINT * STEP + 250;
    out.push({ pointId: 'crash/decimal', ts, value: -k, quality: 'good' });
    out.push({ pointId: 'crash/mode', ts, value: `late-${k}`, quality: 'uncertain', rawStatus: 7 });
  }
  return out;
}

/** What a kill -9 check reads back: the crash points' samples in [from, to) by point and ts. */
export interface StoredSamples {
  byPoint: Map<string, Map<number, Sample>>;
  /** timestamps out of order or repeated, described */
  disorder: string[];
}

export function readCrashSamples(h: Pick<Historian, 'readRaw'>, from: number, to: number): StoredSamples {
  const byPoint = new Map<string, Map<number, Sample>>();
  const disorder: string[] = [];
  for (const p of CRASH_POINTS) {
    const raw = h.readRaw(p.id, from, to, Infinity);
    const byTs = new Map<number, Sample>();
    raw.ts.forEach((ts, i) => {
      if (i > 0 && ts <= raw.ts[i - 1]!) disorder.push(`${p.id}: timestamps out of order or repeated at ${ts}`);
      byTs.set(ts, {
        pointId: p.id,
        ts,
        value: raw.values[i] as Sample['value'],
        quality: raw.quality[i] as Sample['quality'],
        rawStatus: raw.rawStatus[i],
      });
    });
    byPoint.set(p.id, byTs);
  }
  return { byPoint, disorder };
}

/** The samples of batch k that are missing from `stored` or differ from what was written, described. */
export function batchMismatches(k: number, stored: StoredSamples): string[] {
  const out: string[] = [];
  for (const s of crashBatch(k)) {
    const got = stored.byPoint.get(s.pointId)?.get(s.ts);
    const want = { ...s, rawStatus: s.rawStatus ?? 0 };
    if (!got || !Object.is(got.value, want.value) || got.quality !== want.quality || got.rawStatus !== want.rawStatus)
      out.push(`batch ${k} ${s.pointId}@${s.ts}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  return out;
}
