import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample, ValueType } from '@plenum/model';
import type { Series } from './series';
import type { BucketSeries, RawSeries } from './types';

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

/** What the store should hold: per point, per ts, the last written sample. */
export class Expected {
  readonly byPoint = new Map<string, Map<number, Sample>>();

  add(samples: Sample[]): void {
    for (const s of samples) {
      let m = this.byPoint.get(s.pointId);
      if (!m) this.byPoint.set(s.pointId, (m = new Map()));
      m.set(s.ts, s);
    }
  }

  raw(pointId: string, from = -Infinity, to = Infinity): RawSeries {
    const rows = [...(this.byPoint.get(pointId)?.values() ?? [])]
      .filter((s) => s.ts >= from && s.ts < to)
      .sort((a, b) => a.ts - b.ts);
    return {
      ts: rows.map((s) => s.ts),
      values: rows.map((s) => s.value),
      quality: rows.map((s) => s.quality),
      rawStatus: rows.map((s) => s.rawStatus ?? 0),
    };
  }

  buckets(pointId: string, from: number, to: number, stepMs: number, resMs: number, p95 = false): BucketSeries {
    const out: BucketSeries = { t: [], count: [], min: [], max: [], sum: [], last: [], badCount: [] };
    if (p95) out.p95 = [];
    // rollup resolutions answer in whole minutes / hours: every one that starts inside [from, to) counts whole
    const start = resMs > 1 ? Math.floor(from / resMs) * resMs : from;
    const end = resMs > 1 ? Math.ceil(to / resMs) * resMs : to;
    const rows = this.raw(pointId, start, end);
    const groups = new Map<number, Array<{ v: number; bad: boolean }>>();
    rows.ts.forEach((ts, i) => {
      const t = Math.floor(ts / stepMs) * stepMs;
      const v = rows.values[i];
      const g = groups.get(t) ?? [];
      g.push({ v: typeof v === 'boolean' ? Number(v) : (v as number), bad: rows.quality[i] === 'bad' });
      groups.set(t, g);
    });
    for (const [t, g] of [...groups].sort((a, b) => a[0] - b[0])) {
      const good = g.filter((x) => !x.bad).map((x) => x.v);
      out.t.push(t);
      out.count.push(good.length);
      out.badCount.push(g.length - good.length);
      out.min.push(good.length ? Math.min(...good) : NaN);
      out.max.push(good.length ? Math.max(...good) : NaN);
      out.sum.push(good.reduce((a, b) => a + b, 0));
      out.last.push(good.length ? (good[good.length - 1] as number) : NaN);
      if (out.p95) {
        const sorted = good.slice().sort((a, b) => a - b);
        out.p95.push(sorted.length ? (sorted[Math.ceil(0.95 * sorted.length) - 1] as number) : NaN);
      }
    }
    return out;
  }
}
