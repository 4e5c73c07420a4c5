import type { ValueType } from '@plenum/model';
import { decodeChunk, encodeChunk } from './chunk-codec';
import type { ChunkMeta, ChunkStore, RollupRow } from './chunk-store';
import { computeMinuteBuckets, hourStats, mergeMinuteBuckets, combineStats, type BucketStats } from './rollup';
import { decodeMinuteBuckets, encodeMinuteBuckets } from './rollup-codec';
import { concatSeries, HOUR_MS, mergeSeries, sliceSeries, type Series } from './series';

/**
 * Writes flushed samples of one point-hour as raw chunks and brings that hour's rollups up to date, inside
 * the caller's transaction (so a rollup can never count a sample twice or miss one).
 */
export interface HourWriterContext {
  store: ChunkStore;
  /** samples per chunk at most; an hour with more is split */
  chunkMaxSamples: number;
  /** hours below this had their raw chunks dropped by retention */
  rawDroppedBeforeHour: number;
  /** hours below this had their 1-minute rollups dropped by retention */
  m1DroppedBeforeHour: number;
}

function writeChunks(ctx: HourWriterContext, point: number, valueType: ValueType, hour: number, s: Series): void {
  const pieces = Math.ceil(s.n / ctx.chunkMaxSamples);
  const size = Math.ceil(s.n / pieces);
  for (let from = 0; from < s.n; from += size) {
    const to = Math.min(s.n, from + size);
    const part = from === 0 && to === s.n ? s : sliceSeries(s, from, to);
    ctx.store.insertChunk(
      point,
      hour,
      part.ts[0] as number,
      part.ts[part.n - 1] as number,
      part.n,
      encodeChunk(part, valueType),
    );
  }
}

function readChunks(ctx: HourWriterContext, metas: ChunkMeta[]): Series {
  return concatSeries(metas.map((m) => decodeChunk(ctx.store.chunkData(m.id)).series));
}

function rowStats(r: RollupRow): BucketStats {
  return { count: r.count, bad: r.bad, min: r.min ?? NaN, max: r.max ?? NaN, sum: r.sum, last: r.last ?? NaN };
}

/**
 * `s`: sorted, unique, every sample inside `hour`. When the hour already holds chunks, new samples that all
 * come after them are appended as a chunk of their own (compactHour merges the hour's chunks once it is over,
 * so an early flush does not re-encode a growing chunk every time); anything overlapping rewrites the hour's
 * chunks with the new samples winning on equal timestamps, and recomputes the rollup from the merged raw data.
 * Returns true when the hour now holds more chunks than it needs (compactHour will merge them).
 */
export function writeHour(
  ctx: HourWriterContext,
  point: number,
  valueType: ValueType,
  hour: number,
  s: Series,
): boolean {
  if (s.n === 0) return false;
  const hourStart = hour * HOUR_MS;
  const rollups = valueType !== 'string';
  if (hour < ctx.rawDroppedBeforeHour) {
    // older than the raw retention: only the rollups keep such samples
    if (rollups) foldIntoRollup(ctx, point, hour, hourStart, s);
    return false;
  }
  const existing = ctx.store.chunkMetaOfHour(point, hour);
  const last = existing[existing.length - 1];

  if (last && (s.ts[0] as number) <= last.t_max) {
    // late or overlapping data: rewrite the hour and recompute its rollup from the merged raw samples
    const merged = mergeSeries(readChunks(ctx, existing), s);
    for (const m of existing) ctx.store.deleteChunk(m.id);
    writeChunks(ctx, point, valueType, hour, merged);
    if (rollups) {
      const m1 = computeMinuteBuckets(merged, hourStart);
      const keepMinutes = hour >= ctx.m1DroppedBeforeHour;
      ctx.store.upsertRollup(point, hour, hourStats(m1), keepMinutes ? encodeMinuteBuckets(m1) : null);
    }
    return false;
  }
  writeChunks(ctx, point, valueType, hour, s);
  if (rollups) foldIntoRollup(ctx, point, hour, hourStart, s);
  return last !== undefined && (last.n < ctx.chunkMaxSamples / 2 || s.n < ctx.chunkMaxSamples / 2);
}

/**
 * Merges the chunks of one point-hour into as few as chunkMaxSamples allows (the samples, and so the rollup,
 * stay as they are). Returns whether it rewrote anything.
 */
export function compactHour(ctx: HourWriterContext, point: number, valueType: ValueType, hour: number): boolean {
  const metas = ctx.store.chunkMetaOfHour(point, hour);
  if (metas.length < 2) return false;
  const total = metas.reduce((a, m) => a + m.n, 0);
  if (metas.length <= Math.ceil(total / ctx.chunkMaxSamples)) return false;
  const all = readChunks(ctx, metas);
  for (const m of metas) ctx.store.deleteChunk(m.id);
  writeChunks(ctx, point, valueType, hour, all);
  return true;
}

/**
 * Adds samples that all come after what the hour's rollup already counts (or that are past the raw retention,
 * where the rollup is the only record left) without reading raw data.
 */
function foldIntoRollup(ctx: HourWriterContext, point: number, hour: number, hourStart: number, s: Series): void {
  const fresh = computeMinuteBuckets(s, hourStart);
  const keepMinutes = hour >= ctx.m1DroppedBeforeHour;
  const row = ctx.store.rollup(point, hour);
  if (!row) {
    ctx.store.upsertRollup(point, hour, hourStats(fresh), keepMinutes ? encodeMinuteBuckets(fresh) : null);
  } else if (row.m1 && keepMinutes) {
    const merged = mergeMinuteBuckets(decodeMinuteBuckets(row.m1), fresh);
    ctx.store.upsertRollup(point, hour, hourStats(merged), encodeMinuteBuckets(merged));
  } else {
    ctx.store.upsertRollup(point, hour, combineStats(rowStats(row), hourStats(fresh)), null);
  }
}
