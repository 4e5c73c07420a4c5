import type { Quality, ValueType } from '@plenum/model';

/**
 * Samples of one point as columns, the shape chunks, heads and queries share. Numbers live in `num`,
 * booleans as 0/1 in `num`, strings in `str` (then `num` is unused). Arrays may be longer than `n`.
 */
export interface Series {
  n: number;
  ts: Float64Array;
  num: Float64Array;
  str: string[] | null;
  /** 0 good, 1 uncertain, 2 bad (QUALITY_CODE) */
  quality: Uint8Array;
  rawStatus: Uint32Array;
}

/** Storage code of a value type; persisted in the points table and chunk headers, never renumber. */
export const VALUE_TYPE_CODE: Readonly<Record<ValueType, number>> = { number: 0, boolean: 1, string: 2 };
export const VALUE_TYPE_BY_CODE: readonly ValueType[] = ['number', 'boolean', 'string'];

export const QUALITY_BAD = 2;
export const QUALITY_NAMES: readonly Quality[] = ['good', 'uncertain', 'bad'];

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export function floorTo(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

/** Copies s[from, to) into a new exactly sized series. */
export function sliceSeries(s: Series, from: number, to: number): Series {
  return {
    n: to - from,
    ts: s.ts.slice(from, to),
    num: s.str ? new Float64Array(0) : s.num.slice(from, to),
    str: s.str ? s.str.slice(from, to) : null,
    quality: s.quality.slice(from, to),
    rawStatus: s.rawStatus.slice(from, to),
  };
}

/** Gathers s[idx[0]], s[idx[1]], … into a new series. */
export function pickSeries(s: Series, idx: ArrayLike<number>, count: number): Series {
  const out: Series = {
    n: count,
    ts: new Float64Array(count),
    num: new Float64Array(s.str ? 0 : count),
    str: s.str ? new Array<string>(count) : null,
    quality: new Uint8Array(count),
    rawStatus: new Uint32Array(count),
  };
  for (let k = 0; k < count; k++) {
    const i = idx[k] as number;
    out.ts[k] = s.ts[i] as number;
    if (out.str) out.str[k] = (s.str as string[])[i] as string;
    else out.num[k] = s.num[i] as number;
    out.quality[k] = s.quality[i] as number;
    out.rawStatus[k] = s.rawStatus[i] as number;
  }
  return out;
}

/** True when ts is strictly increasing over [0, n): already sorted and free of duplicate timestamps. */
export function isStrictlyIncreasing(ts: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) if ((ts[i] as number) <= (ts[i - 1] as number)) return false;
  return true;
}

/**
 * Sorts by time and drops duplicate timestamps, keeping the sample that came last in the input (a rewrite of
 * the same instant wins). Returns the input itself when it is already strictly increasing.
 */
export function sortUnique(s: Series): Series {
  if (isStrictlyIncreasing(s.ts, s.n)) return s;
  const idx = new Uint32Array(s.n);
  for (let i = 0; i < s.n; i++) idx[i] = i;
  const ts = s.ts;
  // stable: equal timestamps keep input order, so the last of each run is the latest arrival
  const sorted = Array.from(idx).sort((a, b) => (ts[a] as number) - (ts[b] as number) || a - b);
  let count = 0;
  for (let k = 0; k < sorted.length; k++) {
    const next = sorted[k + 1];
    if (next !== undefined && ts[next] === ts[sorted[k] as number]) continue;
    sorted[count++] = sorted[k] as number;
  }
  return pickSeries(s, sorted, count);
}

/**
 * Merges two strictly increasing series; on equal timestamps `b` wins (b holds the later arrivals).
 */
export function mergeSeries(a: Series, b: Series): Series {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  if ((a.ts[a.n - 1] as number) < (b.ts[0] as number)) return concatSeries([a, b]);
  const n = a.n + b.n;
  const src = new Uint8Array(n);
  const idx = new Uint32Array(n);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.n || j < b.n) {
    const ta = i < a.n ? (a.ts[i] as number) : Infinity;
    const tb = j < b.n ? (b.ts[j] as number) : Infinity;
    if (ta < tb) {
      src[k] = 0;
      idx[k++] = i++;
    } else {
      if (ta === tb) i++;
      src[k] = 1;
      idx[k++] = j++;
    }
  }
  const out: Series = {
    n: k,
    ts: new Float64Array(k),
    num: new Float64Array(a.str ? 0 : k),
    str: a.str ? new Array<string>(k) : null,
    quality: new Uint8Array(k),
    rawStatus: new Uint32Array(k),
  };
  for (let m = 0; m < k; m++) {
    const s = src[m] === 0 ? a : b;
    const p = idx[m] as number;
    out.ts[m] = s.ts[p] as number;
    if (out.str) out.str[m] = (s.str as string[])[p] as string;
    else out.num[m] = s.num[p] as number;
    out.quality[m] = s.quality[p] as number;
    out.rawStatus[m] = s.rawStatus[p] as number;
  }
  return out;
}

/** Concatenates series that follow each other in time. */
export function concatSeries(parts: Series[]): Series {
  if (parts.length === 1) return parts[0] as Series;
  const n = parts.reduce((acc, p) => acc + p.n, 0);
  const isStr = parts.some((p) => p.str !== null);
  const out: Series = {
    n,
    ts: new Float64Array(n),
    num: new Float64Array(isStr ? 0 : n),
    str: isStr ? [] : null,
    quality: new Uint8Array(n),
    rawStatus: new Uint32Array(n),
  };
  let at = 0;
  for (const p of parts) {
    out.ts.set(p.ts.subarray(0, p.n), at);
    if (out.str) for (let i = 0; i < p.n; i++) out.str.push((p.str as string[])[i] as string);
    else out.num.set(p.num.subarray(0, p.n), at);
    out.quality.set(p.quality.subarray(0, p.n), at);
    out.rawStatus.set(p.rawStatus.subarray(0, p.n), at);
    at += p.n;
  }
  return out;
}

/** Index of the first sample with ts ≥ t in a sorted series (binary search). */
export function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
