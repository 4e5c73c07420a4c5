import type { Sample } from '@plenum/model';
import type { PointRegistry, PointState } from './point-registry';
import { typePlural } from './point-registry';
import type { StagedBatch } from './staging-log';

/** Timestamps outside [2000-01-01, 2200-01-01) are refused: almost always seconds or µs given as ms. */
export const MIN_TS = Date.UTC(2000, 0, 1);
export const MAX_TS = Date.UTC(2200, 0, 1);
const MAX_RAW_STATUS = 0xffffffff;

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return typeof v;
}

function typeOfValue(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v;
}

/**
 * Checks one sample and appends it to the batch. Returns the point on success, else the reason it is refused
 * (naming the point and the field).
 */
export function stageSample(batch: StagedBatch, points: PointRegistry, s: Sample): PointState | string {
  if (s === null || typeof s !== 'object') return `not a sample object (got ${typeOfValue(s)})`;
  const p = points.get(s.pointId);
  if (!p) return `unknown point ${describe(s.pointId)} (register it with ensurePoints first)`;
  const ts = s.ts;
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < MIN_TS || ts >= MAX_TS) {
    return `ts ${describe(ts)} of point "${p.id}" is not an integer Unix ms time in years 2000–2199`;
  }
  const q = s.quality === 'good' ? 0 : s.quality === 'uncertain' ? 1 : s.quality === 'bad' ? 2 : -1;
  if (q < 0) return `quality ${describe(s.quality)} of point "${p.id}" is not good, uncertain or bad`;
  let status = 0;
  const rs = s.rawStatus;
  if (rs !== undefined && rs !== null) {
    if (typeof rs !== 'number' || !Number.isInteger(rs) || rs < 0 || rs > MAX_RAW_STATUS) {
      return `rawStatus ${describe(rs)} of point "${p.id}" is not an unsigned 32-bit integer`;
    }
    status = rs;
  }
  const v = s.value;
  switch (p.valueType) {
    case 'number':
      if (typeof v !== 'number') return wrongType(p, v);
      if (!Number.isFinite(v)) return `value ${v} of point "${p.id}" is not a finite number`;
      // −0 is stored as 0: measurements have no signed zero, and it keeps chunks in the compact decimal form
      batch.push(p.key, ts, v === 0 ? 0 : v, q, status);
      return p;
    case 'boolean':
      if (typeof v !== 'boolean') return wrongType(p, v);
      batch.push(p.key, ts, v ? 1 : 0, q, status);
      return p;
    case 'string':
      if (typeof v !== 'string') return wrongType(p, v);
      batch.pushString(p.key, ts, v, q, status);
      return p;
  }
}

function wrongType(p: PointState, v: unknown): string {
  return `value ${describe(v)} is a ${typeOfValue(v)} but point "${p.id}" holds ${typePlural(p.valueType)}`;
}
