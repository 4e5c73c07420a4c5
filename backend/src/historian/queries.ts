import { QUALITY_CODE } from '@plenum/model';
import { decodeChunk, decodeChunkInto } from './chunk-codec';
import type { ChunkMeta, ChunkStore, RollupRow } from './chunk-store';
import type { HourWriterContext } from './hour-writer';
import { unflushedView } from './pieces';
import type { PointState } from './point-registry';
import { typePlural } from './point-registry';
import {
  combineStats,
  computeMinuteBuckets,
  emptyMinuteBuckets,
  hourStats,
  mergeMinuteBuckets,
  type BucketStats,
  type MinuteBuckets,
} from './rollup';
import { decodeMinuteBuckets } from './rollup-codec';
import {
  concatSeries,
  floorTo,
  HOUR_MS,
  lowerBound,
  mergeSeries,
  MINUTE_MS,
  QUALITY_BAD,
  QUALITY_NAMES,
  sliceSeries,
  type Series,
} from './series';
import type { BucketQuery, BucketSeries, RawColumns, RawSeries } from './types';

/** Read paths: stored chunks and rollups merged with the in-memory head (the newest, not yet flushed data). */

export const DEFAULT_RAW_LIMIT = 1_000_000;

export interface QueryContext {
  store: ChunkStore;
  writer: HourWriterContext;
}

function emptyLike(p: PointState): Series {
  return {
    n: 0,
    ts: new Float64Array(0),
    num: new Float64Array(0),
    str: p.valueType === 'string' ? [] : null,
    quality: new Uint8Array(0),
    rawStatus: new Uint32Array(0),
  };
}

/** Part of a sorted series with from ≤ ts < to. */
const NO_CHUNKS: readonly ChunkMeta[] = [];

function window(s: Series, from: number, to: number): Series {
  const lo = lowerBound(s.ts, s.n, from);
  const hi = lowerBound(s.ts, s.n, to);
  return lo === 0 && hi === s.n ? s : sliceSeries(s, lo, hi);
}

/**
 * Samples of a point in [from, to), sorted and unique, the earliest `limit` of them; arrays may be longer than n.
 * The chunks decode straight into one set of arrays (no series per chunk joined afterwards: on a 24 h read of
 * 1,000 points that was most of the garbage). `status` false leaves rawStatus empty (PromQL and buckets need none).
 */
export function readSeries(
  ctx: QueryContext,
  p: PointState,
  from: number,
  to: number,
  limit: number,
  status = true,
): Series {
  if (!(to > from)) return emptyLike(p);
  const fromHour = Math.floor(from / HOUR_MS);
  const toHour = Math.floor((to - 1) / HOUR_MS);
  // a read of what came after the point's newest chunk (live panels: the last seconds) asks SQLite nothing
  const rows = ctx.store.newestChunkTs(p.key) < from ? NO_CHUNKS : ctx.store.chunkMetaOfHours(p.key, fromHour, toHour);
  const headAll = window(unflushedView(ctx.store, p, from, to), from, to);
  // sized once from the rows' counts (what overlaps the range, no more than the limit needs) and the head's
  let stored = 0;
  let largest = 0;
  for (const r of rows)
    if (r.t_max >= from && r.t_min < to) {
      stored += r.n;
      largest = Math.max(largest, r.n);
    }
  const out = new SeriesBuilder(p.valueType === 'string', status, Math.min(stored, limit + largest) + headAll.n);
  const cached = ctx.store.decoded.enabled;
  let stoppedAt = Infinity;
  for (const row of rows) {
    if (out.n >= limit) {
      // chunks come in time order and never overlap: later ones cannot be among the earliest `limit`
      stoppedAt = row.t_min;
      break;
    }
    if (row.t_max < from || row.t_min >= to) continue;
    out.reserve(row.n, 0);
    if (cached) out.appendSeries(ctx.store.decodedChunk(row.id), from, to);
    else out.appendChunk(ctx.store.chunkData(row.id), from, to);
  }
  const head = stoppedAt === Infinity ? headAll : window(headAll, from, stoppedAt);
  const merged = out.appendOrMerge(head);
  return merged.n > limit ? sliceSeries(merged, 0, limit) : merged;
}

/** A series grown chunk by chunk in place (readSeries). */
class SeriesBuilder {
  n = 0;
  private s: Series;

  constructor(
    private readonly isStr: boolean,
    private readonly status: boolean,
    capacity: number,
  ) {
    this.s = this.alloc(capacity);
  }

  private alloc(capacity: number): Series {
    return {
      n: 0,
      ts: new Float64Array(capacity),
      num: new Float64Array(this.isStr ? 0 : capacity),
      str: this.isStr ? [] : null,
      quality: new Uint8Array(capacity),
      rawStatus: new Uint32Array(this.status ? capacity : 0),
    };
  }

  /** room for `need` more samples; when it must grow, for `more` beyond them too */
  reserve(need: number, more: number): void {
    if (this.n + need <= this.s.ts.length) return;
    const next = this.alloc(Math.max(this.n + need + more, 2 * this.s.ts.length));
    next.ts.set(this.s.ts.subarray(0, this.n));
    if (!this.isStr) next.num.set(this.s.num.subarray(0, this.n));
    next.str = this.s.str;
    next.quality.set(this.s.quality.subarray(0, this.n));
    if (this.status) next.rawStatus.set(this.s.rawStatus.subarray(0, this.n));
    this.s = next;
  }

  /** decodes a chunk at the end and keeps its samples with from ≤ ts < to */
  appendChunk(blob: Uint8Array, from: number, to: number): void {
    const s = this.s;
    const at = this.n;
    const n = decodeChunkInto(blob, { ...s, rawStatus: this.status ? s.rawStatus : null }, at);
    const lo = lowerBound(s.ts.subarray(at, at + n), n, from);
    const hi = lowerBound(s.ts.subarray(at, at + n), n, to);
    if (lo > 0) {
      // only the first chunk of a read starts before `from`: move its kept samples down
      s.ts.copyWithin(at, at + lo, at + hi);
      if (!this.isStr) s.num.copyWithin(at, at + lo, at + hi);
      s.quality.copyWithin(at, at + lo, at + hi);
      if (this.status) s.rawStatus.copyWithin(at, at + lo, at + hi);
    }
    if (s.str && (lo > 0 || hi < n)) {
      const kept = s.str.slice(at + lo, at + hi);
      s.str.length = at;
      for (const x of kept) s.str.push(x);
    }
    this.n = at + hi - lo;
  }

  /** appends the samples of a decoded chunk with from ≤ ts < to */
  appendSeries(c: Series, from: number, to: number): void {
    const lo = lowerBound(c.ts, c.n, from);
    const hi = lowerBound(c.ts, c.n, to);
    if (hi <= lo) return;
    const s = this.s;
    s.ts.set(c.ts.subarray(lo, hi), this.n);
    if (s.str) for (let i = lo; i < hi; i++) s.str.push((c.str as string[])[i] as string);
    else s.num.set(c.num.subarray(lo, hi), this.n);
    s.quality.set(c.quality.subarray(lo, hi), this.n);
    if (this.status) s.rawStatus.set(c.rawStatus.subarray(lo, hi), this.n);
    this.n += hi - lo;
  }

  /** the series with the head's samples: appended in place when they all follow, else merged */
  appendOrMerge(head: Series): Series {
    const s = this.s;
    s.n = this.n;
    if (head.n === 0) return s;
    if (this.n > 0 && (head.ts[0] as number) <= (s.ts[this.n - 1] as number)) return mergeSeries(s, head);
    this.reserve(head.n, 0);
    const t = this.s;
    t.ts.set(head.ts.subarray(0, head.n), this.n);
    if (t.str) t.str.push(...(head.str as string[]).slice(0, head.n));
    else t.num.set(head.num.subarray(0, head.n), this.n);
    t.quality.set(head.quality.subarray(0, head.n), this.n);
    if (this.status) t.rawStatus.set(head.rawStatus.subarray(0, head.n), this.n);
    t.n = this.n += head.n;
    return t;
  }
}

export function toRawSeries(s: Series, p: PointState): RawSeries {
  let values: Array<number | boolean | string>;
  if (s.str) values = s.str.slice(0, s.n);
  else if (p.valueType === 'boolean') values = Array.from(s.num.subarray(0, s.n), (v) => v !== 0);
  else values = Array.from(s.num.subarray(0, s.n));
  return {
    ts: Array.from(s.ts.subarray(0, s.n)),
    values,
    quality: Array.from(s.quality.subarray(0, s.n), (q) => QUALITY_NAMES[q] ?? 'bad'),
    rawStatus: Array.from(s.rawStatus.subarray(0, s.n)),
  };
}

/** The inverse of toRawSeries, for stores that answer readRaw only (the hub's snapshot). */
export function columnsOfRaw(raw: RawSeries): RawColumns {
  const n = raw.ts.length;
  const isStr = n > 0 && typeof raw.values[0] === 'string';
  const num = new Float64Array(isStr ? 0 : n);
  if (!isStr) for (let i = 0; i < n; i++) num[i] = Number(raw.values[i]);
  return {
    n,
    ts: Float64Array.from(raw.ts),
    num,
    str: isStr ? (raw.values as string[]) : null,
    quality: Uint8Array.from(raw.quality, (q) => QUALITY_CODE[q]),
  };
}

/** Collects source buckets (raw samples, minutes or hours, in time order) into output buckets of stepMs. */
class BucketAccumulator {
  readonly out: BucketSeries = { t: [], count: [], min: [], max: [], sum: [], last: [], badCount: [] };
  private open = false;
  private start = NaN;
  private count = 0;
  private bad = 0;
  private min = NaN;
  private max = NaN;
  private sum = 0;
  private last = NaN;
  private values: number[] = [];

  constructor(
    private readonly stepMs: number,
    private readonly p95: boolean,
  ) {
    if (p95) this.out.p95 = [];
  }

  /** adds a source bucket that starts at `start` and follows every one added before */
  add(start: number, count: number, bad: number, min: number, max: number, sum: number, last: number): void {
    const t = Math.floor(start / this.stepMs) * this.stepMs;
    if (!this.open || t !== this.start) {
      this.close();
      this.open = true;
      this.start = t;
    }
    this.bad += bad;
    if (count === 0) return;
    if (this.count === 0) {
      this.min = min;
      this.max = max;
    } else {
      if (min < this.min) this.min = min;
      if (max > this.max) this.max = max;
    }
    this.count += count;
    this.sum += sum;
    this.last = last;
  }

  addStats(start: number, s: BucketStats): void {
    this.add(start, s.count, s.bad, s.min, s.max, s.sum, s.last);
  }

  addSample(ts: number, v: number, bad: boolean): void {
    if (bad) this.add(ts, 0, 1, NaN, NaN, 0, NaN);
    else {
      this.add(ts, 1, 0, v, v, v, v);
      if (this.p95) this.values.push(v);
    }
  }

  close(): void {
    if (!this.open) return;
    const o = this.out;
    o.t.push(this.start);
    o.count.push(this.count);
    o.min.push(this.min);
    o.max.push(this.max);
    o.sum.push(this.sum);
    o.last.push(this.last);
    o.badCount.push(this.bad);
    if (o.p95) {
      // nearest rank: the smallest value with at least 95 % of the bucket at or below it
      const v = this.values.sort((a, b) => a - b);
      o.p95.push(v.length === 0 ? NaN : (v[Math.ceil(0.95 * v.length) - 1] as number));
      this.values = [];
    }
    this.open = false;
    this.count = 0;
    this.bad = 0;
    this.min = NaN;
    this.max = NaN;
    this.sum = 0;
    this.last = NaN;
  }
}

function rowStats(r: RollupRow): BucketStats {
  return { count: r.count, bad: r.bad, min: r.min ?? NaN, max: r.max ?? NaN, sum: r.sum, last: r.last ?? NaN };
}

export function validateBucketQuery(p: PointState, q: BucketQuery): void {
  const where = `buckets of point "${p.id}"`;
  if (p.valueType === 'string') {
    throw new Error(`${where}: the point holds ${typePlural(p.valueType)}; bucket statistics need numbers or booleans`);
  }
  if (!Number.isFinite(q.from)) throw new RangeError(`${where}: from must be a finite Unix ms time, got ${q.from}`);
  if (!Number.isFinite(q.to)) throw new RangeError(`${where}: to must be a finite Unix ms time, got ${q.to}`);
  if (!Number.isInteger(q.stepMs) || q.stepMs <= 0) {
    throw new RangeError(`${where}: stepMs must be a positive integer, got ${q.stepMs}`);
  }
  if (q.resolution === '1m' && q.stepMs % MINUTE_MS !== 0) {
    throw new RangeError(`${where}: stepMs must be a multiple of 60000 for resolution 1m, got ${q.stepMs}`);
  }
  if (q.resolution === '1h' && q.stepMs % HOUR_MS !== 0) {
    throw new RangeError(`${where}: stepMs must be a multiple of 3600000 for resolution 1h, got ${q.stepMs}`);
  }
  if (q.resolution !== 'raw' && q.resolution !== '1m' && q.resolution !== '1h') {
    throw new RangeError(`${where}: resolution must be raw, 1m or 1h, got ${JSON.stringify(q.resolution)}`);
  }
}

export function computeBuckets(ctx: QueryContext, p: PointState, q: BucketQuery): BucketSeries {
  validateBucketQuery(p, q);
  if (q.resolution === 'raw') {
    const acc = new BucketAccumulator(q.stepMs, q.p95 === true);
    const s = readSeries(ctx, p, q.from, q.to, Infinity, false);
    const bad = QUALITY_BAD;
    for (let i = 0; i < s.n; i++) acc.addSample(s.ts[i] as number, s.num[i] as number, s.quality[i] === bad);
    acc.close();
    return acc.out;
  }
  const acc = new BucketAccumulator(q.stepMs, false);
  const resMs = q.resolution === '1m' ? MINUTE_MS : HOUR_MS;
  // rollup buckets are whole minutes / hours: one starting before `from` counts when `from` falls inside it
  const srcFrom = floorTo(q.from, resMs);
  if (!(q.to > srcFrom)) return acc.out;
  const fromHour = Math.floor(srcFrom / HOUR_MS);
  const toHour = Math.floor((q.to - 1) / HOUR_MS);
  const rows = ctx.store.rollupsOfHours(p.key, fromHour, toHour, resMs === MINUTE_MS);
  const head = unflushedView(ctx.store, p, fromHour * HOUR_MS);
  let hi = lowerBound(head.ts, head.n, fromHour * HOUR_MS);
  const headEnd = lowerBound(head.ts, head.n, (toHour + 1) * HOUR_MS);
  const scratch = emptyMinuteBuckets(60);
  let r = 0;
  while (r < rows.length || hi < headEnd) {
    const rowHour = r < rows.length ? (rows[r] as RollupRow).hour : Infinity;
    const headHour = hi < headEnd ? Math.floor((head.ts[hi] as number) / HOUR_MS) : Infinity;
    const hour = Math.min(rowHour, headHour);
    const row = rowHour === hour ? (rows[r++] as RollupRow) : undefined;
    let headPart: Series | null = null;
    if (headHour === hour) {
      const end = lowerBound(head.ts, headEnd, (hour + 1) * HOUR_MS);
      headPart = sliceSeries(head, hi, end);
      hi = end;
    }
    const stats = hourBuckets(ctx, p, hour, row, headPart, resMs === MINUTE_MS, scratch);
    if (stats === null) continue;
    if ('minute' in stats) {
      const { minute, count, bad, min, max, sum, last } = stats;
      const base = hour * HOUR_MS;
      const minuteMs = MINUTE_MS;
      for (let k = 0; k < stats.n; k++) {
        const start = base + (minute[k] as number) * minuteMs;
        if (start < srcFrom || start >= q.to) continue;
        acc.add(
          start,
          count[k] as number,
          bad[k] as number,
          min[k] as number,
          max[k] as number,
          sum[k] as number,
          last[k] as number,
        );
      }
    } else {
      acc.addStats(hour * HOUR_MS, stats);
    }
  }
  acc.close();
  return acc.out;
}

/**
 * One hour's statistics: from its rollup row, or — when the head holds samples of that hour — recomputed from
 * the hour's chunks plus the head (exact, including rewrites of the same instant).
 */
function hourBuckets(
  ctx: QueryContext,
  p: PointState,
  hour: number,
  row: RollupRow | undefined,
  headPart: Series | null,
  minutes: boolean,
  scratch: MinuteBuckets,
): MinuteBuckets | BucketStats | null {
  const hourStart = hour * HOUR_MS;
  if (!headPart) {
    if (!row) return null;
    if (!minutes) return rowStats(row);
    return row.m1 ? decodeMinuteBuckets(row.m1, scratch) : null;
  }
  if (hour >= ctx.writer.rawDroppedBeforeHour) {
    const parts: Series[] = [];
    for (const c of ctx.store.chunksOfHours(p.key, hour, hour)) parts.push(decodeChunk(c.data).series);
    const stored = parts.length === 0 ? emptyLike(p) : concatSeries(parts);
    const m1 = computeMinuteBuckets(mergeSeries(stored, headPart), hourStart);
    return minutes ? m1 : hourStats(m1);
  }
  // raw data of the hour is past retention: fold the head into what the rollup kept
  const fresh = computeMinuteBuckets(headPart, hourStart);
  if (!row) return minutes ? fresh : hourStats(fresh);
  if (!minutes) return combineStats(rowStats(row), hourStats(fresh));
  return row.m1 ? mergeMinuteBuckets(decodeMinuteBuckets(row.m1, scratch), fresh) : fresh;
}
