import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValueType } from '@plenum/model';
import type { Series } from './series';

/** Helpers shared by the historian's tests (not used by production code). */

/** mulberry32: deterministic randomness so a failing case can be replayed */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeSeries(
  ts: number[],
  values: Array<number | boolean | string>,
  valueType: ValueType,
  quality?: number[],
  rawStatus?: number[],
): Series {
  const n = ts.length;
  return {
    n,
    ts: Float64Array.from(ts),
    num:
      valueType === 'string'
        ? new Float64Array(0)
        : Float64Array.from(values, (v) => (v === true ? 1 : v === false ? 0 : (v as number))),
    str: valueType === 'string' ? (values as string[]).slice() : null,
    quality: Uint8Array.from(quality ?? new Array<number>(n).fill(0)),
    rawStatus: Uint32Array.from(rawStatus ?? new Array<number>(n).fill(0)),
  };
}

/** A temp folder under os.tmpdir(), removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `plenum-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
